"""The shipped type stubs match the extension module and the package (mypy's stubtest)."""

import importlib.util
import os
import subprocess
import sys

import pytest


@pytest.mark.skipif(importlib.util.find_spec("mypy") is None, reason="mypy is not installed (pip install mypy)")
def test_stubs_match_the_runtime():
    # stubtest imports pymetal the way these tests do, from wherever it is installed.
    env = dict(os.environ, MYPYPATH="")
    out = subprocess.run(
        [sys.executable, "-m", "mypy.stubtest", "pymetal", "--ignore-missing-stub"],
        capture_output=True, text=True, env=env, timeout=600,
    )
    assert out.returncode == 0, out.stdout[-4000:] + out.stderr[-2000:]

"""pytest configuration: a ``device`` fixture over every device pymetal sees, and the
``gpu`` marker.

- Every test that takes ``device`` runs once per entry of ``pm.copy_all_devices()``; the ids
  are ``cpu``, ``cuda:0``, ``cuda:1``, ... (``metal:0`` on a Mac).
- ``@pytest.mark.gpu`` tests need a CUDA device: with a ``device`` parameter they run only on
  the CUDA ones, without it they are skipped (with the reason shown) when none is present.
"""

import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))

import pymetal as pm  # noqa: E402

from mtl_helpers import device_kind, device_ids  # noqa: E402

ALL_DEVICES = list(pm.copy_all_devices())
# a "noop" device records commands but runs nothing: no kernel test can pass on it
DEVICES = [d for d in ALL_DEVICES if device_kind(d) != "noop"]
DEVICE_IDS = device_ids(DEVICES)
HAS_CUDA = any(device_kind(d) == "cuda" for d in DEVICES)


def pytest_configure(config):
    config.addinivalue_line("markers", "gpu: needs a CUDA device; skipped with a reason when none is present")
    config.addinivalue_line("markers", "slow: long-running stress test")


def pytest_report_header(config):
    lines = [f"pymetal {getattr(pm, '__version__', '?')} from {os.path.dirname(pm.__file__)}"]
    for d, i in zip(DEVICES, DEVICE_IDS):
        lines.append(f"  device {i}: {d.name}")
    for d in ALL_DEVICES:
        if d not in DEVICES:
            lines.append(f"  device {d.name}: not tested (backend {device_kind(d)})")
    if not HAS_CUDA:
        lines.append("  no CUDA device: tests marked 'gpu' are skipped")
    return lines


def pytest_generate_tests(metafunc):
    if "device" in metafunc.fixturenames:
        metafunc.parametrize("device", DEVICES, ids=DEVICE_IDS)


def pytest_collection_modifyitems(config, items):
    for item in items:
        if item.get_closest_marker("gpu") is None:
            continue
        callspec = getattr(item, "callspec", None)
        dev = callspec.params.get("device") if callspec is not None else None
        if dev is not None:
            if device_kind(dev) != "cuda":
                item.add_marker(pytest.mark.skip(reason=f"needs a CUDA device (this run: {device_kind(dev)})"))
        elif not HAS_CUDA:
            item.add_marker(pytest.mark.skip(reason="no CUDA device present"))


@pytest.fixture(scope="session")
def all_devices():
    return DEVICES


@pytest.fixture
def queue(device):
    from mtl_helpers import queue_for

    return queue_for(device)

"""Run every example on the default device; exit non-zero if any of them failed.

    python examples/run_all.py            # all examples
    python examples/run_all.py blur       # only those whose file name contains "blur"
"""

import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def examples(filters):
    files = [HERE / "quickstart.py"] + sorted(p for p in HERE.glob("[0-9][0-9]_*.py"))
    return [f for f in files if f.exists() and (not filters or any(s in f.name for s in filters))]


def main(argv):
    files = examples(argv)
    if not files:
        print("no examples matched")
        return 2
    results = []
    for f in files:
        print(f"=== {f.name} " + "=" * max(0, 60 - len(f.name)), flush=True)
        t0 = time.perf_counter()
        rc = subprocess.call([sys.executable, str(f)], cwd=str(HERE.parent), env=dict(os.environ))
        dt = time.perf_counter() - t0
        results.append((f.name, rc, dt))
        print(flush=True)
    print("=== summary " + "=" * 50)
    for name, rc, dt in results:
        print(f"  {'PASS' if rc == 0 else 'FAIL'}  {name:<36} {dt:7.1f} s" + ("" if rc == 0 else f"  (exit {rc})"))
    failed = [n for n, rc, _ in results if rc != 0]
    if failed:
        print(f"{len(failed)} of {len(results)} examples FAILED: {', '.join(failed)}")
        return 1
    print(f"all {len(results)} examples passed")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

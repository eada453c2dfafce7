#!/usr/bin/env bash
# Commit+wait of a tiny kernel, idle and while OpenBLAS threads spin after a numpy matmul,
# for several spin budgets of the completion thread (PYMETAL_CUDA_SPIN_US) and of the
# waiting thread (PYMETAL_WAIT_SPIN_US).
pip install -q --no-deps --target /tmp/pm wheels/*.whl 2>/dev/null
export PYTHONPATH=/tmp/pm PYMETAL_DEVICE=cuda
for cfg in "200 100" "0 0" "20 20" "50 50" "200 0" "0 100"; do
  set -- $cfg
  echo "== PYMETAL_CUDA_SPIN_US=$1 PYMETAL_WAIT_SPIN_US=$2"
  PYMETAL_CUDA_SPIN_US=$1 PYMETAL_WAIT_SPIN_US=$2 timeout 60 python - <<'PY'
import os, sys, time
import numpy as np
sys.path.insert(0, "bench")
import gpu as B
o = B.Ours()
x = o.buf(np.zeros(256, np.float32))
def tiny(label):
    lat = [o.run("tiny", [x], (256, 1, 1), (256, 1, 1)) for _ in range(100)]
    print(f"  {label:28s} {np.median(lat[10:]) * 1e6:8.1f} us", flush=True)
tiny("idle")
_ = np.ones((2048, 2048)) @ np.ones((2048, 2048))
tiny("after numpy matmul")
tiny("again")
PY
done

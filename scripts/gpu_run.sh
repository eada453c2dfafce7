#!/usr/bin/env bash
# One whole check-and-measure pass on the GPU machine (run through the device tool):
# installs the carried wheel, then self-check, benchmark, pytest and examples on CUDA.
set -uo pipefail
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
pip install -q --no-deps --target /tmp/pm wheels/*.whl || exit 1
export PYTHONPATH=/tmp/pm PYTHONUNBUFFERED=1 PYMETAL_DEVICE=cuda
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader | tee "$OUT/info.txt"
python -m pymetal info 2>&1 | tee -a "$OUT/info.txt"
timeout 120 python scripts/gpu_selfcheck.py -v > "$OUT/selfcheck.txt" 2>&1; echo "selfcheck rc=$?"; tail -40 "$OUT/selfcheck.txt"
timeout 200 python bench/gpu.py ${BENCH_ARGS:-} --out "$OUT/gpu-latest.json" > "$OUT/bench.txt" 2>&1; echo "bench rc=$?"; tail -40 "$OUT/bench.txt"
timeout 420 python -m pytest -q -p no:cacheprovider tests > "$OUT/pytest.txt" 2>&1; echo "pytest rc=$?"; tail -25 "$OUT/pytest.txt"
timeout 90 python examples/run_all.py > "$OUT/examples.txt" 2>&1; echo "examples rc=$?"; tail -15 "$OUT/examples.txt"

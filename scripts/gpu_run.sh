#!/usr/bin/env bash
# A check-and-measure pass on the GPU machine (run through the device tool), in two phases
# that each fit one call: `bash scripts/gpu_run.sh measure` (self-check, benchmark,
# examples on CUDA) and `bash scripts/gpu_run.sh test` (pytest of the CUDA device).
set -uo pipefail
PHASE=${1:-measure}
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
pip install -q --no-deps --target /tmp/pm wheels/*.whl || exit 1
export PYTHONPATH=/tmp/pm PYTHONUNBUFFERED=1 PYMETAL_DEVICE=cuda
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader | tee "$OUT/info.txt"
python -m pymetal info 2>&1 | tee -a "$OUT/info.txt"
if [ "$PHASE" = measure ]; then
    timeout 150 python scripts/gpu_selfcheck.py -v > "$OUT/selfcheck.txt" 2>&1; echo "selfcheck rc=$?"; tail -30 "$OUT/selfcheck.txt"
    timeout 240 python bench/gpu.py ${BENCH_ARGS:-} --out "$OUT/gpu-latest.json" > "$OUT/bench.txt" 2>&1; echo "bench rc=$?"; tail -45 "$OUT/bench.txt"
    timeout 120 python examples/run_all.py > "$OUT/examples.txt" 2>&1; echo "examples rc=$?"; tail -12 "$OUT/examples.txt"
    timeout 60 python scripts/gpu_diag_half.py 2>&1 | tee "$OUT/diag_half.txt"
else
    # Every test on the CUDA device (ids "cuda:N") and the GPU-only ones.
    timeout 540 python -m pytest -q -p no:cacheprovider -k "cuda" tests > "$OUT/pytest.txt" 2>&1; echo "pytest rc=$?"
    grep -E "^(FAILED|ERROR)" "$OUT/pytest.txt" | head -40; tail -3 "$OUT/pytest.txt"
fi

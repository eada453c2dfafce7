#!/usr/bin/env bash
# SASS of the benchmark's vadd: ours (MSL through NVRTC) next to CuPy's CUDA C, to see what the
# translation adds. Needs the CUDA toolkit (nvcc, cuobjdump) on the GPU machine.
set -u
export PYTHONPATH=/tmp/pm PYMETAL_DEVICE=cuda PYMETAL_CACHE_DIR=/tmp/sass-cache
rm -rf /tmp/sass-cache
python - <<'PY'
import pymetal as pm
src = """
#include <metal_stdlib>
using namespace metal;
kernel void vadd(device const float* a [[buffer(0)]], device const float* b [[buffer(1)]],
                 device float* c [[buffer(2)]], constant uint& n [[buffer(3)]],
                 uint i [[thread_position_in_grid]]) {
    if (i < n) c[i] = a[i] + b[i];
}
"""
d = pm.create_system_default_device()
d.new_compute_pipeline_state(d.new_library_with_source(src).new_function("vadd"))
PY
cat > /tmp/v.cu <<'CU'
extern "C" __global__ void vadd(const float* a, const float* b, float* c, unsigned n) {
    unsigned i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) c[i] = a[i] + b[i];
}
CU
NVCC=$(command -v nvcc || ls /usr/local/cuda*/bin/nvcc 2>/dev/null | head -1)
OBJ=$(command -v cuobjdump || ls /usr/local/cuda*/bin/cuobjdump 2>/dev/null | head -1)
echo "== ours"; for f in /tmp/sass-cache/cuda/*.cubin; do $OBJ -sass "$f" | grep -E "^\s+/\*[0-9a-f]+\*/" | head -60; done
echo "== cupy-equivalent (nvcc -O3 sm_90)"; $NVCC -cubin -arch=sm_90 -O3 -o /tmp/v.cubin /tmp/v.cu && $OBJ -sass /tmp/v.cubin | grep -E "^\s+/\*[0-9a-f]+\*/" | head -40

"""Matrix multiplication, naive: one thread per output element, reading A and B from device
memory for every multiply-add. Educational baseline; verified against numpy.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _matmul  # noqa: E402  (the shared harness, next to this file)

SHADER = """
#include <metal_stdlib>
using namespace metal;

// C[M x N] = A[M x K] * B[K x N], row-major.
kernel void matmul_naive(
    device const float* A [[buffer(0)]],
    device const float* B [[buffer(1)]],
    device float* C       [[buffer(2)]],
    constant uint3& dims  [[buffer(3)]],   // (M, N, K)
    uint2 gid [[thread_position_in_grid]])
{
    uint row = gid.y;
    uint col = gid.x;
    if (row >= dims.x || col >= dims.y) {
        return;
    }
    float sum = 0.0f;
    for (uint k = 0; k < dims.z; ++k) {
        sum += A[row * dims.z + k] * B[k * dims.y + col];
    }
    C[row * dims.y + col] = sum;
}
"""

SIZES = _matmul.sizes(odd=(300, 200, 500), huge=True)  # (label, M, N, K)

if __name__ == "__main__":
    # One thread per element of C, in 16x16 threadgroups.
    sys.exit(_matmul.run(SHADER, "matmul_naive", SIZES, seed=1, column="Metal ms",
                         block=(16, 16), threads=(16, 16), repeats=3))

"""Matrix multiplication with 16x16 tiles in threadgroup memory.

Each threadgroup computes a 16x16 block of C. It walks along K one tile at a time: every
thread loads one element of the A tile and one of the B tile into threadgroup memory,
a barrier makes the tiles visible to the whole group, the group multiplies them, and a second
barrier protects the tiles before they are overwritten. Each element of A and B is read from
device memory N/16 (resp. M/16) times instead of N (resp. M) times.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _matmul  # noqa: E402  (the shared harness, next to this file)

SHADER = """
#include <metal_stdlib>
using namespace metal;

#define TILE 16

kernel void matmul_tiled(
    device const float* A [[buffer(0)]],
    device const float* B [[buffer(1)]],
    device float* C       [[buffer(2)]],
    constant uint3& dims  [[buffer(3)]],   // (M, N, K)
    uint2 gid [[thread_position_in_grid]],
    uint2 tid [[thread_position_in_threadgroup]])
{
    threadgroup float As[TILE][TILE];
    threadgroup float Bs[TILE][TILE];
    uint M = dims.x, N = dims.y, K = dims.z;
    uint row = gid.y;
    uint col = gid.x;
    float sum = 0.0f;
    for (uint t = 0; t < K; t += TILE) {
        uint ak = t + tid.x;
        uint bk = t + tid.y;
        As[tid.y][tid.x] = (row < M && ak < K) ? A[row * K + ak] : 0.0f;
        Bs[tid.y][tid.x] = (bk < K && col < N) ? B[bk * N + col] : 0.0f;
        threadgroup_barrier(mem_flags::mem_threadgroup);
        for (uint k = 0; k < TILE; ++k) {
            sum += As[tid.y][k] * Bs[k][tid.x];
        }
        threadgroup_barrier(mem_flags::mem_threadgroup);
    }
    if (row < M && col < N) {
        C[row * N + col] = sum;
    }
}
"""

SIZES = _matmul.sizes(odd=(200, 120, 300), huge=False)  # (label, M, N, K)

if __name__ == "__main__":
    # One 16x16 threadgroup per 16x16 tile of C, one thread per element.
    sys.exit(_matmul.run(SHADER, "matmul_tiled", SIZES, seed=2, column="Tiled ms",
                         block=(16, 16), threads=(16, 16), repeats=2))

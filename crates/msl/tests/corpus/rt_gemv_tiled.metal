// Tiled matmul with threadgroup tiles, 2D built-ins, constant params struct.
#include <metal_stdlib>
using namespace metal;

#define TM 16
#define TN 16
#define TK 16

struct GemmParams {
    int M, N, K;
    int lda, ldb, ldc;
    float alpha, beta;
};

template <typename T, int BM, int BN, int BK>
struct BlockLoader {
    static constexpr int elems = BM * BK;
    METAL_FUNC static void load(const device T* src, int ld, threadgroup T* dst, int row0, int col0, int rows, int cols, ushort2 lid) {
        int r = row0 + lid.y, c = col0 + lid.x;
        dst[lid.y * BK + lid.x] = (r < rows && c < cols) ? src[r * ld + c] : T(0);
    }
};

template <typename T>
[[kernel]] void gemm_tiled(
    const device T* A [[buffer(0)]],
    const device T* B [[buffer(1)]],
    device T* C [[buffer(2)]],
    constant GemmParams& params [[buffer(3)]],
    uint2 tgid [[threadgroup_position_in_grid]],
    ushort2 lid [[thread_position_in_threadgroup]]) {
  threadgroup T As[TM * TK];
  threadgroup T Bs[TK * TN];
  using loader = BlockLoader<T, TM, TN, TK>;
  int row = tgid.y * TM + lid.y;
  int col = tgid.x * TN + lid.x;
  float acc = 0;
  for (int k0 = 0; k0 < params.K; k0 += TK) {
    loader::load(A, params.lda, As, tgid.y * TM, k0, params.M, params.K, lid);
    loader::load(B, params.ldb, Bs, k0, tgid.x * TN, params.K, params.N, lid);
    threadgroup_barrier(mem_flags::mem_threadgroup);
    #pragma unroll(4)
    for (int k = 0; k < TK; ++k) acc += float(As[lid.y * TK + k]) * float(Bs[k * TN + lid.x]);
    threadgroup_barrier(mem_flags::mem_threadgroup);
  }
  if (row < params.M && col < params.N) {
    float prev = params.beta != 0.0f ? float(C[row * params.ldc + col]) : 0.0f;
    C[row * params.ldc + col] = T(params.alpha * acc + params.beta * prev);
  }
}

#define INSTANTIATE(tname, type) \
  template [[host_name("gemm_" #tname)]] [[kernel]] decltype(gemm_tiled<type>) gemm_tiled<type>;
INSTANTIATE(f32, float)
INSTANTIATE(f16, half)

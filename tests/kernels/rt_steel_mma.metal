// MLX steel-style: simdgroup matrices, #pragma METAL internals, header includes, __HAVE_BFLOAT__.
#pragma METAL internals : enable
#include <metal_stdlib>
#include <metal_simdgroup>
#include <metal_simdgroup_matrix>
#include <metal_atomic>
#include <metal_math>
#include <metal_compute>

using namespace metal;

#if defined(__HAVE_BFLOAT__)
typedef bfloat bfloat16_t;
#else
#error "bfloat is required"
#endif

#if __METAL_VERSION__ >= 230
#define HAS_SIMD_MATRIX 1
#endif

namespace steel {
template <typename T, int BM>
struct Frag {
  static constant constexpr const int kElems = BM * BM;
  simdgroup_matrix<T, 8, 8> m;
};
} // namespace steel

kernel void mma_8x8(device const float* A [[buffer(0)]],
                    device const float* B [[buffer(1)]],
                    device float* C [[buffer(2)]],
                    uint simd_lane [[thread_index_in_simdgroup]]) {
#if HAS_SIMD_MATRIX
  simdgroup_float8x8 a, b;
  steel::Frag<float, 8> acc;
  acc.m = simdgroup_float8x8(0);
  simdgroup_load(a, A, 8);
  simdgroup_load(b, B, 8);
  simdgroup_multiply_accumulate(acc.m, a, b, acc.m);
  simdgroup_store(acc.m, C, 8);
#endif
}

kernel void bits_ops(device const uint* x [[buffer(0)]],
                     device uint* y [[buffer(1)]],
                     device half2* h [[buffer(2)]],
                     device bfloat16_t* b [[buffer(3)]],
                     uint i [[thread_position_in_grid]]) {
  uint v = x[i];
  uint r = popcount(v) + clz(v | 1u) * 3u + ctz(v | 0x80000000u) * 7u;
  r ^= reverse_bits(v);
  r += extract_bits(v, 4, 8);
  r += rotate(v, 5u);
  r += mulhi(v, 0x9E3779B9u);
  r += absdiff(int(v), 17);
  y[i] = r;
  h[i] = as_type<half2>(v);
  b[i] = as_type<bfloat16_t>(ushort(v >> 16));
}

// Fragments filled lane by lane through thread_elements(), as MLX's steel MMAFrag does.
kernel void mma_frag(device const half* A [[buffer(0)]],
                     device const half* B [[buffer(1)]],
                     device float* C [[buffer(2)]],
                     ushort lane [[thread_index_in_simdgroup]]) {
  const short qid = lane / 4;
  const short fm = (qid & 4) + ((lane / 2) % 4);
  const short fn = (qid & 2) * 2 + (lane % 2) * 2;
  simdgroup_half8x8 a;
  simdgroup_matrix<half, 8, 8> b;
  simdgroup_float8x8 c = make_filled_simdgroup_matrix<float, 8, 8>(1.0f);
  a.thread_elements()[0] = A[fm * 8 + fn];
  a.thread_elements()[1] = A[fm * 8 + fn + 1];
  thread auto& be = b.thread_elements();
  be = half2(B[fm * 8 + fn], B[fm * 8 + fn + 1]);
  simdgroup_multiply_accumulate(c, a, b, c);
  simdgroup_float8x8 t;
  simdgroup_multiply(t, c, simdgroup_float8x8(2.0f));
  simdgroup_store(t, C, 8, ulong2(0, 0), true);
  C[64 + lane * 2] = t.thread_elements()[0];
  C[65 + lane * 2] = t.thread_elements()[1];
}

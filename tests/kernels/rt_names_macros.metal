// host_name built from stringized, concatenated macro arguments; kernels in namespaces; quad ops.
#include <metal_stdlib>
using namespace metal;

#define STR_(x) #x
#define STR(x) STR_(x)
#define CAT_(a, b) a##b
#define CAT(a, b) CAT_(a, b)
#define PREFIX copy
#define KNAME(tn) CAT(CAT(PREFIX, _), tn)

namespace kernels {
namespace detail {
template <typename T> inline T twice(T x) { return x + x; }
}
template <typename T, typename U>
[[kernel]] void convert(device const T* src [[buffer(0)]],
                        device U* dst [[buffer(1)]],
                        constant uint& n [[buffer(2)]],
                        uint i [[thread_position_in_grid]],
                        uint q [[thread_index_in_quadgroup]]) {
  if (i >= n) return;
  U v = static_cast<U>(detail::twice(src[i]));
  U qs = quad_sum(v);
  dst[i] = v + qs * U(0);
}
} // namespace kernels

#define INST(tn, T, U) \
  template [[host_name(STR(KNAME(tn)))]] [[kernel]] \
  decltype(kernels::convert<T, U>) kernels::convert<T, U>;

INST(f32_f16, float, half)
INST(f16_f32, half, float)
INST(i32_f32, int, float)
INST(u8_i32, uint8_t, int32_t)

kernel void grid_info(device uint* out [[buffer(0)]],
                      uint3 pos [[thread_position_in_grid]],
                      uint3 origin [[grid_origin]],
                      uint3 gsize [[grid_size]],
                      uint3 dtpt [[dispatch_threads_per_threadgroup]],
                      uint simd_size [[threads_per_simdgroup]],
                      uint nsg [[simdgroups_per_threadgroup]]) {
  uint idx = pos.x + pos.y * gsize.x;
  out[idx] = origin.x + dtpt.x * 0u + simd_size + nsg * 0u;
}

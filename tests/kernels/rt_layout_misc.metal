// Layout static_asserts, constexpr helpers in template arguments, unions, alignas, diagnostic pragmas.
#pragma clang diagnostic push
#pragma clang diagnostic ignored "-Wunused-variable"
#include <metal_stdlib>
using namespace metal;
static_assert(sizeof(float3) == 16, "float3 is 16 bytes");
static_assert(alignof(float3) == 16, "aligned");
static_assert(sizeof(packed_float3) == 12, "packed");
static_assert(sizeof(half3) == 8 && sizeof(bfloat) == 2 && sizeof(float3x3) == 48 && sizeof(half2x2) == 8, "sizes");
static constexpr int log2_ceil(int n) { int r = 0; while ((1 << r) < n) ++r; return r; }
struct alignas(16) Hdr { uint n; float scale; };
__attribute__((always_inline)) inline float bits_to_float(uint u) {
  union { float f; uint u; } pun;
  pun.u = u;
  return pun.f;
}
template <int N> struct Pow2 { static constexpr int value = 1 << log2_ceil(N); };
kernel void misc(device const uint* x [[buffer(0)]], device float* y [[buffer(1)]], constant Hdr& h [[buffer(2)]],
                 uint i [[thread_position_in_grid]]) {
  constexpr float k = 0.5f;
  int unused_ = Pow2<100>::value;
  if (i < h.n) y[i] = bits_to_float(x[i]) * h.scale * k + float(Pow2<100>::value - 128);
}
#pragma clang diagnostic pop

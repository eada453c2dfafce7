// GELU with loop-unrolling pragmas (also through _Pragma in a macro), half literals.
#include <metal_stdlib>
using namespace metal;

#define PRAGMA_UNROLL _Pragma("clang loop unroll(full)")

template <typename T>
METAL_FUNC T gelu(T x) {
  return T(0.5h) * x * (T(1.0h) + T(precise::tanh(0.7978845608f * (float(x) + 0.044715f * float(x) * float(x) * float(x)))));
}

template <typename T, int N>
[[kernel]] void gelu_n(device const T* in [[buffer(0)]], device T* out [[buffer(1)]], uint gid [[thread_position_in_grid]]) {
  PRAGMA_UNROLL
  for (int i = 0; i < N; ++i) {
    out[gid * N + i] = gelu(in[gid * N + i]);
  }
#pragma unroll
  for (int i = 0; i < N; ++i) {
    out[gid * N + i] += T(0);
  }
}

template [[host_name("gelu_f32_4")]] [[kernel]] decltype(gelu_n<float, 4>) gelu_n<float, 4>;
template [[host_name("gelu_f16_2")]] [[kernel]] decltype(gelu_n<half, 2>) gelu_n<half, 2>;

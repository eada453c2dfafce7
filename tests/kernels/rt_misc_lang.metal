// Miscellaneous language features: namespaces, enums, constant structs, thread refs, 2D tg arrays.
#include <metal_stdlib>
using namespace metal;

namespace ops {
enum class Kind : int { Relu = 0, Tanh = 1, Sigmoid = 2 };

struct Coeffs { float a; float b; float3 c; };
constant Coeffs COEFFS = { 1.5f, -0.5f, float3(1, 2, 3) };

inline float sigmoid(float x) { return 1.0f / (1.0f + exp(-x)); }

template <Kind K>
inline float act(float x) {
  switch (K) {
    case Kind::Relu: return max(x, 0.0f);
    case Kind::Tanh: return tanh(x);
    default: return sigmoid(x);
  }
}
} // namespace ops

inline float recip(float x) { return 1.0f / x; }
inline float erf(float x) { return metal::precise::tanh(1.2f * x); }

template <int N>
struct Ring {
  float data[N];
  thread float& at(int i) thread { return data[(i % N + N) % N]; }
  float sum() const {
    float s = 0;
    for (int i = 0; i < N; ++i) s += data[i];
    return s;
  }
};

kernel void misc_lang(device const float* x [[buffer(0)]],
                      device float* y [[buffer(1)]],
                      constant int& kind [[buffer(2)]],
                      uint2 tid [[thread_position_in_threadgroup]],
                      uint2 tg [[threadgroup_position_in_grid]],
                      uint2 tpg [[threads_per_threadgroup]]) {
  threadgroup float tile[8][9];
  uint gx = tg.x * tpg.x + tid.x;
  uint gy = tg.y * tpg.y + tid.y;
  uint width = 8 * 2;
  tile[tid.y][tid.x] = x[gy * width + gx];
  threadgroup_barrier(mem_flags::mem_threadgroup);
  float v = tile[tid.x][tid.y];
  Ring<3> ring;
  for (int i = 0; i < 3; ++i) ring.at(i) = float(i) * ops::COEFFS.c[i];
  thread float& r0 = ring.at(-3);
  r0 += ops::COEFFS.a;
  float out;
  switch (static_cast<ops::Kind>(kind)) {
    case ops::Kind::Relu: out = ops::act<ops::Kind::Relu>(v); break;
    case ops::Kind::Tanh: out = ops::act<ops::Kind::Tanh>(v); break;
    default: out = ops::act<ops::Kind::Sigmoid>(v); break;
  }
  y[gy * width + gx] = out + ring.sum() * 0.0f + recip(2.0f) * erf(0.0f) + ops::COEFFS.b * 0.0f;
}

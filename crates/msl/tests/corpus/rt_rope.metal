// RoPE with precomputed frequencies, half2 pairs, METAL_FUNC, constant arrays of float2.
#include <metal_stdlib>
using namespace metal;

constant float2 ROT_SIGNS[2] = { float2(-1.0f, 1.0f), float2(1.0f, 1.0f) };

template <typename T, bool traditional>
[[kernel]] void rope(
    const device T* in [[buffer(0)]],
    device T* out [[buffer(1)]],
    constant const int& offset,
    constant const float& base,
    constant const int& dims,
    uint2 pos [[thread_position_in_grid]],
    uint2 grid [[threads_per_grid]]) {
  uint row = pos.y;
  uint i = pos.x;
  float theta = float(offset + int(row)) * metal::exp2(-float(2 * i) / float(dims) * metal::log2(base));
  float c = metal::fast::cos(theta);
  float s = metal::fast::sin(theta);
  uint i1, i2;
  if (traditional) {
    i1 = row * dims + 2 * i;
    i2 = i1 + 1;
  } else {
    i1 = row * dims + i;
    i2 = i1 + dims / 2;
  }
  float2 x = float2(float(in[i1]), float(in[i2]));
  float2 r = float2(x.x * c, x.x * s) + float2(x.y * s, x.y * c) * ROT_SIGNS[0];
  out[i1] = static_cast<T>(r.x);
  out[i2] = static_cast<T>(r.y);
}

#define instantiate_rope(name, type, traditional) \
  template [[host_name("rope_" #name)]] [[kernel]] decltype(rope<type, traditional>) rope<type, traditional>;

instantiate_rope(traditional_float32, float, true)
instantiate_rope(float32, float, false)
instantiate_rope(traditional_float16, half, true)
instantiate_rope(bfloat16, bfloat, false)

// Layer norm with METAL_FUNC helpers, metal:: qualified and precise:: calls.
#include <metal_stdlib>
using namespace metal;

METAL_FUNC float mean_of(const device float* x, int n) {
  float s = 0.0f;
  for (int i = 0; i < n; ++i) {
    s += x[i];
  }
  return s / float(n);
}

kernel void layer_norm(const device float* x [[buffer(0)]],
                       const device float* w [[buffer(1)]],
                       device float* y [[buffer(2)]],
                       constant int& n [[buffer(3)]],
                       constant float& eps [[buffer(4)]],
                       uint row [[thread_position_in_grid]]) {
  const device float* xr = x + row * n;
  const float mu = mean_of(xr, n);
  float var = 0.0f;
  for (int i = 0; i < n; ++i) {
    var += (xr[i] - mu) * (xr[i] - mu);
  }
  const float inv = metal::rsqrt(var / float(n) + eps);
  for (int i = 0; i < n; ++i) {
    y[row * n + i] = (xr[i] - mu) * inv * w[i] + precise::tanh(0.0f) + metal::fabs(0.0f);
  }
}

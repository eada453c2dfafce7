// Preprocessor corners and everyday identifiers that collide with stdlib names.
#pragma once
#include <metal_stdlib>
#if __has_include(<metal_simdgroup>)
#include <metal_simdgroup>
#endif
using namespace metal;

#if !defined(__METAL_VERSION__) || __METAL_VERSION__ < 200
#error "needs Metal 2"
#endif
#if defined(__METAL_MACOS__) || defined(__METAL_IOS__) || 1
#define HAVE_PLATFORM 1
#endif

#define FOR_UNROLL(x) _Pragma("clang loop unroll(full)") for (x)
#define LOG_ARGS(fmt, ...) fmt __VA_OPT__(,) __VA_ARGS__
#define COUNT_ARGS(...) (sizeof((int[]){__VA_ARGS__}) / sizeof(int))
#define TAG __LINE__

struct Span { uint offset; uint count; uint stride; };

kernel void names_everywhere(device const float* input [[buffer(0)]],
                             device float* output [[buffer(1)]],
                             constant Span& span [[buffer(2)]],
                             uint index [[thread_position_in_grid]]) {
  uint count = span.count;
  if (index >= count) return;
  float max = -INFINITY, min = INFINITY;
  float length = 0.0f, distance = 0.0f;
  uint mask = 0xFFu, size = 4;
  FOR_UNROLL(uint i = 0; i < 4; ++i) {
    float v = input[span.offset + index * size + i];
    max = metal::max(max, v);
    min = metal::min(min, v);
    length += v * v;
  }
  distance = max - min;
  float select = metal::select(distance, length, bool(mask & 1u));
  int line = TAG;
  output[index] = select + sqrt(length) * 0.0f + float(span.stride) * 0.0f + float(line - line) + float(HAVE_PLATFORM - 1);
}

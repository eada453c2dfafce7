// 4-bit dequantisation with a program-scope constant table (ggml style).
#include <metal_stdlib>
using namespace metal;

constant float kvalues_q4[16] = {
  -127.f, -104.f, -83.f, -65.f, -49.f, -35.f, -22.f, -10.f,
  1.f, 13.f, 25.f, 38.f, 53.f, 69.f, 89.f, 113.f,
};

constant int QK = 32;

typedef struct {
  half d;
  uchar qs[QK / 2];
} block_q4;

kernel void dequantize_q4(device const block_q4* src [[buffer(0)]],
                          device float* dst [[buffer(1)]],
                          constant int64_t& nblocks [[buffer(2)]],
                          uint tid [[thread_position_in_grid]]) {
  if (tid >= nblocks) return;
  const device block_q4& b = src[tid];
  const float d = float(b.d);
  for (int i = 0; i < QK / 2; ++i) {
    const uchar q = b.qs[i];
    dst[tid * QK + i] = d * kvalues_q4[q & 0xF];
    dst[tid * QK + i + QK / 2] = d * kvalues_q4[q >> 4];
  }
}

kernel void bits_of(device const float* x [[buffer(0)]], device uint* y [[buffer(1)]], uint i [[thread_position_in_grid]]) {
  y[i] = as_type<uint>(x[i]);
}

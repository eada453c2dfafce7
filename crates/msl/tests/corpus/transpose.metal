// Tiled transpose: 2-D threadgroup tile with padding, ushort2 built-ins.
#include <metal_stdlib>
using namespace metal;

constant constexpr int TS = 16;

kernel void transpose(device const float* in [[buffer(0)]],
                      device float* out [[buffer(1)]],
                      constant uint2& dims [[buffer(2)]],
                      ushort2 lid [[thread_position_in_threadgroup]],
                      uint2 group [[threadgroup_position_in_grid]]) {
  threadgroup float tile[TS][TS + 1];
  uint2 src = group * uint2(TS) + uint2(lid);
  if (src.x < dims.x && src.y < dims.y) {
    tile[lid.y][lid.x] = in[src.y * dims.x + src.x];
  }
  threadgroup_barrier(mem_flags::mem_threadgroup);
  uint2 dst = group.yx * uint2(TS) + uint2(lid);
  if (dst.x < dims.y && dst.y < dims.x) {
    out[dst.y * dims.y + dst.x] = tile[lid.x][lid.y];
  }
}

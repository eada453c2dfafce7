// #pragma unroll, lambdas, ulong/long math, uint3 / ushort2 built-ins, as_type, select.
#include <metal_stdlib>
using namespace metal;

constant constexpr uint K = 8;

kernel void hash_mix(device const uint* x [[buffer(0)]],
                     device ulong* out [[buffer(1)]],
                     device long* sout [[buffer(2)]],
                     uint3 gid [[thread_position_in_grid]],
                     uint3 grid [[threads_per_grid]],
                     ushort2 lid [[thread_position_in_threadgroup]]) {
    uint idx = gid.x + gid.y * grid.x;
    auto rotl = [](ulong v, uint r) { return (v << r) | (v >> (64 - r)); };
    ulong h = 0x9E3779B97F4A7C15ul;
    #pragma unroll
    for (uint k = 0; k < K; ++k) {
        h ^= ulong(x[idx]) + ulong(k);
        h = rotl(h, 13) * 5ul + 0xE6546B64ul;
    }
    out[idx] = h;
    long s = long(x[idx]) - long(1u << 31);
    s = s * 3 / 2;
    float f = as_type<float>(x[idx] & 0x3FFFFFFFu);
    uint back = as_type<uint>(f);
    sout[idx] = select(s, long(back), bool(lid.x & 1)) + long(lid.y) * 0;
}

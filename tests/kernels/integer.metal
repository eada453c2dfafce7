// Integer functions.
#include <metal_stdlib>
using namespace metal;

kernel void int_funcs(device const uint* a [[buffer(0)]],
                      device const uint* b [[buffer(1)]],
                      device const int* s [[buffer(2)]],
                      device uint* out [[buffer(3)]],
                      device int* outs [[buffer(4)]],
                      constant uint& n [[buffer(5)]],
                      uint i [[thread_position_in_grid]])
{
    if (i >= n) return;
    uint x = a[i], y = b[i];
    int z = s[i];
    out[0 * n + i] = clz(x);
    out[1 * n + i] = ctz(x);
    out[2 * n + i] = popcount(x);
    out[3 * n + i] = reverse_bits(x);
    out[4 * n + i] = rotate(x, y % 32u);
    out[5 * n + i] = mulhi(x, y);
    out[6 * n + i] = absdiff(x, y);
    out[7 * n + i] = min(x, y) ^ max(x, y);
    out[8 * n + i] = addsat(x, y);
    out[9 * n + i] = subsat(x, y);
    out[10 * n + i] = clamp(x, 1000u, 3000000000u);
    out[11 * n + i] = hadd(x, y);
    out[12 * n + i] = abs(z);
    out[13 * n + i] = x / (y | 1u) + x % (y | 1u);
    outs[0 * n + i] = z >> 3;
    outs[1 * n + i] = min(z, -5) + max(z, 7);
    outs[2 * n + i] = clamp(z, -1000, 1000);
    outs[3 * n + i] = z / 7 + z % 7;
    outs[4 * n + i] = int(clz(z));
    outs[5 * n + i] = mad24(z % 1000, 3, -2);
}

kernel void narrow_ints(device const uchar* a [[buffer(0)]],
                        device const short* b [[buffer(1)]],
                        device ushort* out [[buffer(2)]],
                        device ulong* wide [[buffer(3)]],
                        uint i [[thread_position_in_grid]])
{
    uchar x = a[i];
    short y = b[i];
    out[i] = ushort(x) * 3u + ushort(y);
    wide[i] = ulong(x) << 40 | ulong(ushort(y));
}

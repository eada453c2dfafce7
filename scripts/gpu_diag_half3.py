"""Pinpoints the half texel store that reads back one ulp high on CUDA (see gpu_diag_half2.py)."""
import numpy as np
import pymetal as pm

SRC = """
#include <metal_stdlib>
using namespace metal;
typedef texture2d<float> keeps_texture_h;
kernel void k(device const float* x [[buffer(0)]], device ushort* o [[buffer(1)]],
              device uchar* b [[buffer(2)]], uint i [[thread_position_in_grid]]) {
    float v = x[i];
    uint u = as_type<uint>(v);
    unsigned short h = metal::detail::f2h(metal::detail::tx_bitsf(u));
    o[i * 4 + 0] = h;
    o[i * 4 + 1] = as_type<ushort>(half(metal::detail::tx_bitsf(u)));
    device uchar* p = b + i * 16;
    p[0] = (uchar)h; p[1] = (uchar)(h >> 8);
    p[2] = (uchar)(h & 0xFFu); p[3] = (uchar)((h >> 8) & 0xFFu);
    *(device ushort*)(p + 4) = h;
    unsigned short h2 = metal::detail::f32_to_f16(metal::detail::tx_bitsf(u));
    p[6] = (uchar)h2; p[7] = (uchar)(h2 >> 8);
    volatile unsigned short hv = h;
    p[8] = (uchar)hv; p[9] = (uchar)(hv >> 8);
    o[i * 4 + 2] = (ushort)p[0] | ((ushort)p[1] << 8);
    o[i * 4 + 3] = h2;
}
"""
dev = pm.create_system_default_device()
xs = np.array([1.5, 1.0, 0.25, -2.0], np.float32)
lib = dev.new_library_with_source(SRC)
x = dev.new_buffer_with_data(xs.tobytes(), pm.ResourceStorageModeShared)
o = dev.new_buffer(4 * 8, pm.ResourceStorageModeShared)
b = dev.new_buffer(4 * 16, pm.ResourceStorageModeShared)
cb = dev.new_command_queue().command_buffer()
e = cb.compute_command_encoder()
e.set_compute_pipeline_state(dev.new_compute_pipeline_state(lib.new_function("k")))
for i, buf in enumerate((x, o, b)):
    e.set_buffer(buf, 0, i)
e.dispatch_threads(4, 1, 1, 4, 1, 1)
e.end_encoding()
cb.commit()
cb.wait_until_completed()
print(dev.name, cb.status, cb.error)
ov = np.frombuffer(o.contents(), np.uint16).reshape(4, 4)
bv = np.frombuffer(b.contents(), np.uint16).reshape(4, 8)
for i, v in enumerate(xs):
    print(f"{v:6}: h {ov[i,0]:#06x} half() {ov[i,1]:#06x} reread {ov[i,2]:#06x} asm {ov[i,3]:#06x} | bytes "
          f"{bv[i,0]:#06x} masked {bv[i,1]:#06x} u16store {bv[i,2]:#06x} asmbytes {bv[i,3]:#06x} volatile {bv[i,4]:#06x}")

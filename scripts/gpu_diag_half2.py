"""Which step turns 1.5f into half 0x3e01 on CUDA? Runtime inputs, each conversion path."""
import numpy as np
import pymetal as pm

SRC = """
#include <metal_stdlib>
using namespace metal;
typedef texture2d<float> keeps_texture_h;  // names a texture type, so texture.h is included
kernel void k(device const float* x [[buffer(0)]], device ushort* o [[buffer(1)]],
              device uchar* bytes [[buffer(2)]], uint i [[thread_position_in_grid]]) {
    float v = x[i];
    o[i * 6 + 0] = metal::detail::f32_to_f16(v);
    o[i * 6 + 1] = metal::detail::f32_to_f16_soft(v);
    o[i * 6 + 2] = metal::detail::f2h(v);
    o[i * 6 + 3] = as_type<ushort>(half(v));
    metal::detail::tx_put_half(bytes + i * 16, 0, as_type<uint>(v));
    unsigned w[4] = {as_type<uint>(v), as_type<uint>(v), as_type<uint>(v), as_type<uint>(v)};
    metal::detail::tx_encode(115u, w, bytes + i * 16 + 8);
    o[i * 6 + 4] = as_type<ushort>(half(1.5f));
    o[i * 6 + 5] = metal::detail::f2h(1.5f);
}
"""
dev = pm.create_system_default_device()
xs = np.array([1.5, 1.0, 0.25, -2.0], np.float32)
lib = dev.new_library_with_source(SRC)
x = dev.new_buffer_with_data(xs.tobytes(), pm.ResourceStorageModeShared)
o = dev.new_buffer(4 * 12, pm.ResourceStorageModeShared)
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
ov = np.frombuffer(o.contents(), np.uint16).reshape(4, 6)
bv = np.frombuffer(b.contents(), np.uint16).reshape(4, 8)
for i, v in enumerate(xs):
    print(f"{v:6}: asm {ov[i,0]:#06x} soft {ov[i,1]:#06x} f2h {ov[i,2]:#06x} half() {ov[i,3]:#06x} "
          f"const {ov[i,4]:#06x}/{ov[i,5]:#06x} put_half {bv[i,0]:#06x} encode {[hex(t) for t in bv[i,4:8]]}")

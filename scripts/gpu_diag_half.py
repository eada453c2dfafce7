"""Diagnoses half texels written by CUDA kernels (one ulp too high in a GPU run): writes the
same values through a buffer and through a texture, reads them back through a kernel and
through get_bytes, and prints the bits of each path."""
import numpy as np
import pymetal as pm

SRC = """
#include <metal_stdlib>
using namespace metal;
kernel void k(texture2d<half, access::read_write> t [[texture(0)]], device ushort* b [[buffer(0)]],
              device float* r [[buffer(1)]], uint i [[thread_position_in_grid]]) {
    half4 v = half4(half(i), 1.5h, -2.0h, 0.25h);
    t.write(v, uint2(i, 0));
    b[i * 4 + 0] = as_type<ushort>(v.x); b[i * 4 + 1] = as_type<ushort>(v.y);
    b[i * 4 + 2] = as_type<ushort>(v.z); b[i * 4 + 3] = as_type<ushort>(v.w);
}
kernel void rd(texture2d<half, access::read> t [[texture(0)]], device float* r [[buffer(1)]],
               uint i [[thread_position_in_grid]]) {
    float4 v = float4(t.read(uint2(i, 0)));
    r[i * 4 + 0] = v.x; r[i * 4 + 1] = v.y; r[i * 4 + 2] = v.z; r[i * 4 + 3] = v.w;
}
kernel void wf(texture2d<float, access::write> t [[texture(0)]], uint i [[thread_position_in_grid]]) {
    t.write(float4(float(i), 1.5f, -2.0f, 0.25f), uint2(i, 0));
}
"""
for dev in pm.copy_all_devices():
    lib = dev.new_library_with_source(SRC)
    d = pm.TextureDescriptor.texture2d_descriptor(pm.PixelFormat.RGBA16Float, 4, 1, False)
    d.usage = 3
    t = dev.new_texture(d)
    b = dev.new_buffer(32, pm.ResourceStorageModeShared)
    r = dev.new_buffer(64, pm.ResourceStorageModeShared)
    q = dev.new_command_queue()
    for name in ("k", "rd"):
        cb = q.command_buffer()
        e = cb.compute_command_encoder()
        e.set_compute_pipeline_state(dev.new_compute_pipeline_state(lib.new_function(name)))
        e.set_texture(t, 0)
        e.set_buffer(b, 0, 0)
        e.set_buffer(r, 0, 1)
        e.dispatch_threads(4, 1, 1, 4, 1, 1)
        e.end_encoding()
        cb.commit()
        cb.wait_until_completed()
        assert cb.status == pm.CommandBufferStatus.Completed, cb.error
    print(dev.name)
    print("  buffer bits   ", [hex(x) for x in np.frombuffer(b.contents(), np.uint16)[:8]])
    print("  get_bytes bits", [hex(x) for x in np.frombuffer(t.get_bytes(32, 0, 0, 4, 1), np.uint16)[:8]])
    print("  kernel read   ", np.frombuffer(r.contents(), np.float32)[:8])
    cb = q.command_buffer()
    e = cb.compute_command_encoder()
    e.set_compute_pipeline_state(dev.new_compute_pipeline_state(lib.new_function("wf")))
    e.set_texture(t, 0)
    e.dispatch_threads(4, 1, 1, 4, 1, 1)
    e.end_encoding()
    cb.commit()
    cb.wait_until_completed()
    print("  float write   ", [hex(x) for x in np.frombuffer(t.get_bytes(32, 0, 0, 4, 1), np.uint16)[:8]])

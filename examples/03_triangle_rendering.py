"""Triangle rendering: the graphics pipeline, offscreen.

A vertex and a fragment function, a render pipeline with a colour and a depth attachment, a
render pass that clears both, one triangle with red, green and blue vertices (the rasterizer
interpolates the colours), and a blit that copies the colour texture into a buffer for the CPU.
The image is verified at a few pixels against the barycentric colours, timed over a few frames,
and saved as /tmp/pymetal_triangle.ppm and /tmp/pymetal_triangle.png.
"""

import struct
import sys
import time
import zlib

import numpy as np

import pymetal as pm

WIDTH, HEIGHT = 512, 512
PPM_PATH = "/tmp/pymetal_triangle.ppm"
PNG_PATH = "/tmp/pymetal_triangle.png"

SHADER = """
#include <metal_stdlib>
using namespace metal;

struct VertexOut {
    float4 position [[position]];
    float4 color;
};

vertex VertexOut vertex_main(uint vertex_id [[vertex_id]]) {
    float2 positions[3] = {
        float2( 0.0,  0.7),
        float2(-0.7, -0.7),
        float2( 0.7, -0.7)
    };
    float4 colors[3] = {
        float4(1.0, 0.0, 0.0, 1.0),  // Red
        float4(0.0, 1.0, 0.0, 1.0),  // Green
        float4(0.0, 0.0, 1.0, 1.0)   // Blue
    };
    VertexOut out;
    out.position = float4(positions[vertex_id], 0.5, 1.0);
    out.color = colors[vertex_id];
    return out;
}

fragment float4 fragment_main(VertexOut in [[stage_in]]) {
    return in.color;
}
"""

POSITIONS = np.array([[0.0, 0.7], [-0.7, -0.7], [0.7, -0.7]])
COLORS = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]])
CLEAR = (0.0, 0.0, 0.0, 1.0)


def expected_color(px, py):
    """The barycentric colour at the centre of pixel (px, py) (window y runs down)."""
    p = np.array([(px + 0.5) / WIDTH * 2.0 - 1.0, 1.0 - (py + 0.5) / HEIGHT * 2.0])
    a, b, c = POSITIONS
    m = np.array([b - a, c - a]).T
    l1, l2 = np.linalg.solve(m, p - a)
    bary = np.array([1.0 - l1 - l2, l1, l2])
    if bary.min() < 0:
        return None
    return np.rint(255.0 * bary @ COLORS).astype(int)


def save_ppm(path, rgb):
    with open(path, "wb") as f:
        f.write(b"P6\n%d %d\n255\n" % (rgb.shape[1], rgb.shape[0]))
        f.write(np.ascontiguousarray(rgb).tobytes())


def save_png(path, rgba):
    """A minimal PNG writer (8-bit RGBA, no filtering) with zlib and struct."""
    h, w, _ = rgba.shape
    raw = b"".join(b"\x00" + rgba[y].tobytes() for y in range(h))

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n")
        f.write(chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 6, 0, 0, 0)))
        f.write(chunk(b"IDAT", zlib.compress(raw, 6)))
        f.write(chunk(b"IEND", b""))


def main():
    device = pm.create_system_default_device()
    queue = device.new_command_queue()
    print(f"Rendering {WIDTH}x{HEIGHT} triangle on {device.name}")

    # Render targets: colour (RGBA8) and depth (Depth32Float)
    color_desc = pm.TextureDescriptor.texture2d_descriptor(pm.PixelFormat.RGBA8Unorm, WIDTH, HEIGHT, False)
    color_desc.usage = 1 | 4  # ShaderRead | RenderTarget
    color_texture = device.new_texture(color_desc)
    depth_desc = pm.TextureDescriptor.texture2d_descriptor(pm.PixelFormat.Depth32Float, WIDTH, HEIGHT, False)
    depth_desc.usage = 4  # RenderTarget
    depth_desc.storage_mode = pm.StorageMode.Private
    depth_texture = device.new_texture(depth_desc)

    print("Compiling shaders...")
    library = device.new_library_with_source(SHADER)
    vertex_func = library.new_function("vertex_main")
    fragment_func = library.new_function("fragment_main")

    print("Creating render pipeline...")
    pipeline_desc = pm.RenderPipelineDescriptor.render_pipeline_descriptor()
    pipeline_desc.vertex_function = vertex_func
    pipeline_desc.fragment_function = fragment_func
    pipeline_desc.color_attachment(0).pixel_format = pm.PixelFormat.RGBA8Unorm
    pipeline_desc.depth_attachment_pixel_format = pm.PixelFormat.Depth32Float
    pipeline_desc.label = "Triangle Pipeline"
    pipeline = device.new_render_pipeline_state(pipeline_desc)

    depth_state_desc = pm.DepthStencilDescriptor.depth_stencil_descriptor()
    depth_state_desc.depth_compare_function = pm.CompareFunction.Less
    depth_state_desc.depth_write_enabled = True
    depth_state = device.new_depth_stencil_state(depth_state_desc)

    render_pass = pm.RenderPassDescriptor.render_pass_descriptor()
    color_att = render_pass.color_attachment(0)
    color_att.texture = color_texture
    color_att.load_action = pm.LoadAction.Clear
    color_att.store_action = pm.StoreAction.Store
    color_att.clear_color = pm.ClearColor(*CLEAR)
    depth_att = render_pass.depth_attachment
    depth_att.texture = depth_texture
    depth_att.load_action = pm.LoadAction.Clear
    depth_att.store_action = pm.StoreAction.DontCare
    depth_att.clear_depth = 1.0

    bytes_per_row = WIDTH * 4
    readback = device.new_buffer(bytes_per_row * HEIGHT, pm.ResourceStorageModeShared)

    def frame():
        cmd_buffer = queue.command_buffer()
        cmd_buffer.label = "Triangle Frame"
        encoder = cmd_buffer.render_command_encoder(render_pass)
        encoder.set_render_pipeline_state(pipeline)
        encoder.set_depth_stencil_state(depth_state)
        encoder.draw_primitives(pm.PrimitiveType.Triangle, 0, 3)
        encoder.end_encoding()
        blit = cmd_buffer.blit_command_encoder()
        blit.copy_from_texture_to_buffer(color_texture, 0, 0, pm.Origin(0, 0, 0), pm.Size(WIDTH, HEIGHT, 1),
                                         readback, 0, bytes_per_row, bytes_per_row * HEIGHT)
        blit.end_encoding()
        cmd_buffer.commit()
        cmd_buffer.wait_until_completed()
        if cmd_buffer.status != pm.CommandBufferStatus.Completed:
            raise RuntimeError(f"command buffer failed: {cmd_buffer.error}")

    print("Rendering triangle...")
    frame()
    image = np.frombuffer(readback.contents(), dtype=np.uint8).reshape(HEIGHT, WIDTH, 4).copy()

    # Verify: pixel centres inside carry the barycentric colours, the rest is the clear colour
    checks = [(256, 100), (256, 300), (150, 400), (360, 400), (256, 440), (10, 10), (500, 500), (256, 60)]
    bad = 0
    for x, y in checks:
        want = expected_color(x, y)
        got = image[y, x]
        if want is None:
            ok = tuple(got) == tuple(int(round(c * 255)) for c in CLEAR)
        else:
            ok = np.abs(got[:3].astype(int) - want).max() <= 1 and got[3] == 255
        bad += not ok
        print(f"  pixel ({x:3d}, {y:3d}): {tuple(int(v) for v in got)}  {'ok' if ok else f'MISMATCH (want {want})'}")
    covered = int((image[..., :3].max(axis=-1) > 0).sum())
    print(f"  {covered} pixels covered ({100.0 * covered / (WIDTH * HEIGHT):.1f}% of the image)")

    times = []
    for _ in range(10):
        t0 = time.perf_counter()
        frame()
        times.append(time.perf_counter() - t0)
    print(f"Frame time after warm-up: {1000 * min(times):.2f} ms (median {1000 * sorted(times)[5]:.2f} ms)")

    save_ppm(PPM_PATH, image[..., :3])
    save_png(PNG_PATH, image)
    print(f"✓ Image saved to: {PPM_PATH}")
    print(f"✓ Image saved to: {PNG_PATH}")
    if bad:
        print(f"FAILED: {bad} pixel(s) differ from the expected colours")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

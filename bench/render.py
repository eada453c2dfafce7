"""Render benchmark: many small depth-tested triangles into a 1024x1024 target.

pymetal's software rasterizer (CPU device) against Mesa's llvmpipe through moderngl (a
standalone EGL context) in the same run, on the same triangles: positions, depths and
colours are random (seeded), each triangle a few pixels across, colour RGBA8 + Depth32Float
with a less-than depth test. Each side renders the frame (clear + draw) several times after a
warm-up; the best time counts, and the work must be finished (commit + wait, glFinish).
Both images are compared (fraction of pixels that differ by more than 2/255) to show they
drew the same thing.

    python bench/render.py [--triangles 100000] [--size 1024] [--out bench/results/render-latest.json]
"""

import argparse
import datetime as _dt
import json
import os
import platform
import sys
import time

import numpy as np

import pymetal as pm

SHADER = """
#include <metal_stdlib>
using namespace metal;

struct VertexIn {
    float4 position;
    float4 color;
};

struct VertexOut {
    float4 position [[position]];
    float4 color;
};

vertex VertexOut vs(const device VertexIn* vertices [[buffer(0)]], uint vid [[vertex_id]]) {
    VertexOut out;
    out.position = vertices[vid].position;
    out.color = vertices[vid].color;
    return out;
}

fragment float4 fs(VertexOut in [[stage_in]]) {
    return in.color;
}
"""

GLSL_VS = """
#version 330
in vec4 in_position;
in vec4 in_color;
out vec4 v_color;
void main() { gl_Position = in_position; v_color = in_color; }
"""
GLSL_FS = """
#version 330
in vec4 v_color;
out vec4 f_color;
void main() { f_color = v_color; }
"""


def make_triangles(n, size, pixels=6.0, seed=7):
    """n triangles, each within ~`pixels` of a random centre; Metal clip space (z in [0, 1])."""
    rng = np.random.default_rng(seed)
    centre = rng.uniform(-1, 1, (n, 1, 2))
    offs = rng.uniform(-1, 1, (n, 3, 2)) * (pixels / size)
    xy = centre + offs
    z = np.repeat(rng.uniform(0.05, 0.95, (n, 1, 1)), 3, axis=1)
    pos = np.concatenate([xy, z, np.ones((n, 3, 1))], axis=2).astype(np.float32)
    col = np.concatenate([rng.uniform(0, 1, (n, 3, 3)), np.ones((n, 3, 1))], axis=2).astype(np.float32)
    return pos.reshape(-1, 4), col.reshape(-1, 4)


def best_of(fn, reps):
    fn()  # warm-up
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def run_pymetal(pos, col, size, reps):
    dev = pm.create_system_default_device()
    lib = dev.new_library_with_source(SHADER)
    desc = pm.RenderPipelineDescriptor.render_pipeline_descriptor()
    desc.vertex_function = lib.new_function("vs")
    desc.fragment_function = lib.new_function("fs")
    desc.color_attachment(0).pixel_format = pm.PixelFormat.RGBA8Unorm
    desc.depth_attachment_pixel_format = pm.PixelFormat.Depth32Float
    pso = dev.new_render_pipeline_state(desc)
    ds_desc = pm.DepthStencilDescriptor.depth_stencil_descriptor()
    ds_desc.depth_compare_function = pm.CompareFunction.Less
    ds_desc.depth_write_enabled = True
    ds = dev.new_depth_stencil_state(ds_desc)

    def target(fmt):
        td = pm.TextureDescriptor.texture2d_descriptor(fmt, size, size, False)
        td.usage = pm.TextureUsageRenderTarget | pm.TextureUsageShaderRead
        td.storage_mode = pm.StorageMode.Private if fmt == pm.PixelFormat.Depth32Float else pm.StorageMode.Shared
        return dev.new_texture(td)

    color, depth = target(pm.PixelFormat.RGBA8Unorm), target(pm.PixelFormat.Depth32Float)
    verts = np.concatenate([pos, col], axis=1).astype(np.float32)
    vbuf = dev.new_buffer_with_data(verts.tobytes(), pm.ResourceStorageModeShared)
    queue = dev.new_command_queue()
    rp = pm.RenderPassDescriptor.render_pass_descriptor()
    rp.color_attachment(0).texture = color
    rp.color_attachment(0).load_action = pm.LoadAction.Clear
    rp.color_attachment(0).store_action = pm.StoreAction.Store
    rp.color_attachment(0).clear_color = pm.ClearColor(0, 0, 0, 1)
    rp.depth_attachment.texture = depth
    rp.depth_attachment.load_action = pm.LoadAction.Clear
    rp.depth_attachment.store_action = pm.StoreAction.DontCare
    rp.depth_attachment.clear_depth = 1.0

    def frame():
        cb = queue.command_buffer()
        enc = cb.render_command_encoder(rp)
        enc.set_render_pipeline_state(pso)
        enc.set_depth_stencil_state(ds)
        enc.set_vertex_buffer(vbuf, 0, 0)
        enc.draw_primitives(pm.PrimitiveType.Triangle, 0, len(pos))
        enc.end_encoding()
        cb.commit()
        cb.wait_until_completed()
        if cb.status != pm.CommandBufferStatus.Completed:
            raise RuntimeError(f"render failed: {cb.error}")

    t = best_of(frame, reps)
    img = np.frombuffer(color.get_bytes(size * 4, 0, 0, size, size), np.uint8).reshape(size, size, 4)
    return t, img, dev.name


def run_llvmpipe(pos, col, size, reps):
    import moderngl

    ctx = moderngl.create_context(standalone=True, backend="egl")
    renderer = ctx.info["GL_RENDERER"]
    prog = ctx.program(vertex_shader=GLSL_VS, fragment_shader=GLSL_FS)
    # GL clip space has z in [-w, w]: map Metal's [0, w] to it so both depth-test the same order.
    gpos = pos.copy()
    gpos[:, 2] = gpos[:, 2] * 2 - gpos[:, 3]
    vbo = ctx.buffer(np.concatenate([gpos, col], axis=1).astype(np.float32).tobytes())
    vao = ctx.vertex_array(prog, [(vbo, "4f 4f", "in_position", "in_color")])
    fbo = ctx.framebuffer(color_attachments=[ctx.texture((size, size), 4)], depth_attachment=ctx.depth_texture((size, size)))
    ctx.enable(moderngl.DEPTH_TEST)
    ctx.depth_func = "<"

    def frame():
        fbo.use()
        fbo.clear(0.0, 0.0, 0.0, 1.0, depth=1.0)
        vao.render(moderngl.TRIANGLES)
        ctx.finish()

    t = best_of(frame, reps)
    # GL's first row is the bottom one; Metal's the top one.
    img = np.frombuffer(fbo.read(components=4), np.uint8).reshape(size, size, 4)[::-1]
    return t, img, renderer


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--triangles", type=int, default=100_000)
    ap.add_argument("--size", type=int, default=1024)
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--out", default="bench/results/render-latest.json")
    args = ap.parse_args()
    pos, col = make_triangles(args.triangles, args.size)
    res = {
        "date": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "host": {"machine": platform.machine(), "cpus": os.cpu_count(), "python": platform.python_version()},
        "triangles": args.triangles,
        "size": args.size,
    }
    t_pm, img_pm, name = run_pymetal(pos, col, args.size, args.reps)
    res["device"] = name
    res["pymetal_ms"] = t_pm * 1e3
    res["pymetal_triangles_per_s"] = args.triangles / t_pm
    print(f"pymetal ({name}): {t_pm * 1e3:.1f} ms/frame, {args.triangles / t_pm / 1e6:.2f} M triangles/s")
    try:
        t_gl, img_gl, renderer = run_llvmpipe(pos, col, args.size, args.reps)
    except Exception as e:  # moderngl or EGL missing: report the absolute figure only
        res["llvmpipe"] = f"unavailable: {type(e).__name__}: {e}"
        print(f"llvmpipe unavailable ({e}); absolute figure only")
    else:
        diff = np.abs(img_pm.astype(int) - img_gl.astype(int)).max(axis=2) > 2
        res.update(
            llvmpipe_renderer=renderer,
            llvmpipe_ms=t_gl * 1e3,
            llvmpipe_triangles_per_s=args.triangles / t_gl,
            ratio_vs_llvmpipe=t_gl / t_pm,
            pixels_differing_fraction=float(diff.mean()),
        )
        print(f"llvmpipe ({renderer}): {t_gl * 1e3:.1f} ms/frame, {args.triangles / t_gl / 1e6:.2f} M triangles/s")
        print(f"throughput ratio pymetal/llvmpipe: {t_gl / t_pm:.2f} (target >= 0.5); "
              f"pixels differing: {diff.mean() * 100:.3f}%")
    os.makedirs(os.path.dirname(args.out) or ".", exist_ok=True)
    with open(args.out, "w") as f:
        json.dump(res, f, indent=2)
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Shared by the render tests: MSL sources, render targets, pipelines, passes, read-back,
and a numpy reference of triangle coverage under the top-left rule."""

import numpy as np
import pytest

import pymetal as pm
from mtl_helpers import device_kind

PF = pm.PixelFormat
W = H = 64

SHADERS = r"""
#include <metal_stdlib>
using namespace metal;

struct VertexOut {
    float4 position [[position]];
    float4 color;
};

vertex VertexOut vertex_colored(uint vid [[vertex_id]],
                                const device float4 *positions [[buffer(0)]],
                                const device float4 *colors [[buffer(1)]]) {
    VertexOut out;
    out.position = positions[vid];
    out.color = colors[vid];
    return out;
}

fragment float4 fragment_colored(VertexOut in [[stage_in]]) {
    return in.color;
}

fragment float4 fragment_constant(constant float4 &color [[buffer(0)]]) {
    return color;
}

vertex VertexOut vertex_instanced(uint vid [[vertex_id]],
                                  uint iid [[instance_id]],
                                  const device float4 *positions [[buffer(0)]],
                                  const device float2 *offsets [[buffer(1)]],
                                  const device float4 *colors [[buffer(2)]]) {
    VertexOut out;
    out.position = positions[vid] + float4(offsets[iid], 0.0, 0.0);
    out.color = colors[iid];
    return out;
}

vertex VertexOut vertex_from_bytes(uint vid [[vertex_id]],
                                   constant float2 *positions [[buffer(0)]],
                                   constant float4 &color [[buffer(1)]]) {
    VertexOut out;
    out.position = float4(positions[vid], 0.0, 1.0);
    out.color = color;
    return out;
}

struct PointOut {
    float4 position [[position]];
    float size [[point_size]];
    float4 color;
};

vertex PointOut vertex_points(uint vid [[vertex_id]],
                              const device float4 *positions [[buffer(0)]]) {
    PointOut out;
    out.position = positions[vid];
    out.size = 1.0;
    out.color = float4(1.0, 1.0, 1.0, 1.0);
    return out;
}

fragment float4 fragment_points(PointOut in [[stage_in]]) {
    return in.color;
}

struct VertexIn {
    float2 position [[attribute(0)]];
    float4 color    [[attribute(1)]];
};

vertex VertexOut vertex_stage_in(VertexIn in [[stage_in]]) {
    VertexOut out;
    out.position = float4(in.position, 0.0, 1.0);
    out.color = in.color;
    return out;
}

struct GBuffer {
    float4 albedo [[color(0)]];
    float  depth  [[color(1)]];
};

fragment GBuffer fragment_mrt(VertexOut in [[stage_in]]) {
    GBuffer g;
    g.albedo = in.color;
    g.depth = in.position.z + 0.25;
    return g;
}

struct Unrelated {
    float4 position [[position]];
    float3 normal;
};

fragment float4 fragment_needs_normal(Unrelated in [[stage_in]]) {
    return float4(in.normal, 1.0);
}

kernel void not_a_vertex(device float *out [[buffer(0)]], uint i [[thread_position_in_grid]]) {
    out[i] = 1.0;
}
"""


@pytest.fixture
def rdev(device):
    return device


TEXTURE_SHADERS = r"""
#include <metal_stdlib>
using namespace metal;

struct TexturedOut {
    float4 position [[position]];
    float2 uv;
};

vertex TexturedOut vertex_textured(uint vid [[vertex_id]],
                                   const device float4 *quad [[buffer(0)]]) {
    TexturedOut out;
    out.position = float4(quad[vid].xy, 0.0, 1.0);
    out.uv = quad[vid].zw;
    return out;
}

fragment float4 fragment_textured(TexturedOut in [[stage_in]],
                                  texture2d<float> albedo [[texture(0)]]) {
    constexpr sampler nearest(filter::nearest, address::clamp_to_edge);
    return albedo.sample(nearest, in.uv);
}

fragment float4 fragment_textured_sampler(TexturedOut in [[stage_in]],
                                          texture2d<float> albedo [[texture(0)]],
                                          sampler s [[sampler(0)]]) {
    return albedo.sample(s, in.uv);
}
"""

_LIBS = {}


def lib(dev, source=SHADERS):
    key = (id(dev), source)
    if key not in _LIBS:
        _LIBS[key] = dev.new_library_with_source(source)
    return _LIBS[key]


def target(dev, fmt=PF.RGBA8Unorm, w=W, h=H):
    d = pm.TextureDescriptor.texture2d_descriptor(fmt, w, h, False)
    d.usage = 1 | 4  # ShaderRead | RenderTarget
    return dev.new_texture(d)


def pipeline(dev, vs="vertex_colored", fs="fragment_colored", fmt=PF.RGBA8Unorm, depth=PF.Invalid,
             stencil=PF.Invalid, blend=None, extra_formats=(), vertex_descriptor=None, source=SHADERS):
    l = lib(dev, source)
    d = pm.RenderPipelineDescriptor.render_pipeline_descriptor()
    d.vertex_function = l.new_function(vs)
    d.fragment_function = l.new_function(fs) if fs else None
    d.color_attachment(0).pixel_format = fmt
    for i, f in enumerate(extra_formats, start=1):
        d.color_attachment(i).pixel_format = f
    d.depth_attachment_pixel_format = depth
    d.stencil_attachment_pixel_format = stencil
    if vertex_descriptor is not None:
        d.vertex_descriptor = vertex_descriptor
    if blend:
        ca = d.color_attachment(0)
        ca.blending_enabled = True
        ca.source_rgb_blend_factor, ca.destination_rgb_blend_factor = blend[0], blend[1]
        ca.source_alpha_blend_factor, ca.destination_alpha_blend_factor = blend[0], blend[1]
    return dev.new_render_pipeline_state(d)


def pass_desc(color, clear=(0.0, 0.0, 0.0, 1.0), depth=None, stencil=None, extra=()):
    rp = pm.RenderPassDescriptor.render_pass_descriptor()
    for i, tex in enumerate((color,) + tuple(extra)):
        ca = rp.color_attachment(i)
        ca.texture = tex
        ca.load_action = pm.LoadAction.Clear
        ca.store_action = pm.StoreAction.Store
        ca.clear_color = pm.ClearColor(*clear)
    if depth is not None:
        rp.depth_attachment.texture = depth
        rp.depth_attachment.load_action = pm.LoadAction.Clear
        rp.depth_attachment.store_action = pm.StoreAction.Store
        rp.depth_attachment.clear_depth = 1.0
    if stencil is not None:
        rp.stencil_attachment.texture = stencil
        rp.stencil_attachment.load_action = pm.LoadAction.Clear
        rp.stencil_attachment.store_action = pm.StoreAction.Store
        rp.stencil_attachment.clear_stencil = 0
    return rp


def render(dev, rp, encode):
    q = dev.new_command_queue()
    cb = q.command_buffer()
    enc = cb.render_command_encoder(rp)
    encode(enc)
    enc.end_encoding()
    cb.commit()
    cb.wait_until_completed()
    assert cb.status == pm.CommandBufferStatus.Completed, cb.error


def read_rgba8(tex):
    w, h = tex.width, tex.height
    return np.frombuffer(tex.get_bytes(w * 4, 0, 0, w, h), np.uint8).reshape(h, w, 4)


def read_f32(tex, channels=1):
    w, h = tex.width, tex.height
    return np.frombuffer(tex.get_bytes(w * 4 * channels, 0, 0, w, h), np.float32).reshape(h, w, channels)


def f4(rows):
    return np.ascontiguousarray(np.array(rows, np.float32).reshape(-1, 4))


def buf(dev, arr):
    return dev.new_buffer_with_data(np.ascontiguousarray(arr), pm.ResourceStorageModeShared)


def to_ndc(px, py, w=W, h=H):
    """Window coordinates (y down) -> NDC (y up): exact for binary fractions."""
    return 2.0 * px / w - 1.0, 1.0 - 2.0 * py / h


def to_window(x, y, w=W, h=H):
    return (x + 1.0) * 0.5 * w, (1.0 - y) * 0.5 * h


def coverage(tri_window, w=W, h=H):
    """(mask, barycentrics) of a triangle in window coordinates under the top-left rule."""
    (ax, ay), (bx, by), (cx, cy) = tri_window
    area = (bx - ax) * (cy - ay) - (by - ay) * (cx - ax)
    v = [(ax, ay), (bx, by), (cx, cy)]
    if area < 0:  # orient positively (clockwise on screen, y down)
        v = [v[0], v[2], v[1]]
        area = -area
    px, py = np.meshgrid(np.arange(w) + 0.5, np.arange(h) + 0.5)
    mask = np.ones((h, w), bool)
    lam = []
    for i in range(3):
        (x0, y0), (x1, y1) = v[i], v[(i + 1) % 3]
        e = (x1 - x0) * (py - y0) - (y1 - y0) * (px - x0)
        top_left = (y1 == y0 and x1 > x0) or (y1 < y0)
        mask &= (e > 0) | ((e == 0) & top_left)
        lam.append(e / area)
    # lam[i] is the weight of the vertex opposite edge i
    opp = [2, 0, 1]
    bary = np.zeros((h, w, 3))
    order = [tri_window.index(p) for p in v]
    for i in range(3):
        bary[..., order[opp[i]]] = lam[i]
    return mask, bary


def quad_ndc(x0, y0, x1, y1, z=0.0):
    """Two triangles (six vertices) covering the NDC rectangle, clockwise on screen."""
    return f4([[x0, y1, z, 1], [x1, y1, z, 1], [x0, y0, z, 1],
               [x1, y1, z, 1], [x1, y0, z, 1], [x0, y0, z, 1]])


def solid(n, rgba):
    return f4([rgba] * n)


def stage_in_descriptor():
    vd = pm.VertexDescriptor.vertex_descriptor()
    vd.attribute(0).format = pm.VertexFormat.Float2
    vd.attribute(0).offset = 0
    vd.attribute(0).buffer_index = 0
    vd.attribute(1).format = pm.VertexFormat.UChar4Normalized
    vd.attribute(1).offset = 8
    vd.attribute(1).buffer_index = 0
    vd.layout(0).stride = 12
    vd.layout(0).step_function = pm.VertexStepFunction.PerVertex
    vd.layout(0).step_rate = 1
    return vd


def checker_texture(dev):
    texels = np.random.default_rng(5).integers(0, 256, (4, 4, 4), dtype=np.uint8)
    t = dev.new_texture(pm.TextureDescriptor.texture2d_descriptor(PF.RGBA8Unorm, 4, 4, False))
    t.replace_region(texels.tobytes(), 16, 0, 0, 4, 4)
    return t, texels


def textured_quad(dev):
    # xy position, zw uv (v down, as Metal's texture coordinates)
    return buf(dev, f4([[-1, 1, 0, 0], [1, 1, 1, 0], [-1, -1, 0, 1],
                        [1, 1, 1, 0], [1, -1, 1, 1], [-1, -1, 0, 1]]))

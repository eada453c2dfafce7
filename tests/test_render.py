"""Render passes through the Python API, checked pixel by pixel against numpy references
(coverage by the top-left rule, barycentric colours, depth, stencil, blending, culling,
indexed/instanced draws, viewport/scissor, points/lines/strips, vertex descriptors, MRT,
sRGB, textures in fragment functions), and every validation error of the render API."""

import struct

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


# ------------------------------------------------------------------ fixtures and helpers
@pytest.fixture
def rdev(device):
    if device_kind(device) == "cuda":
        pytest.skip("textures (render targets) are not supported on CUDA devices yet")
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


# ------------------------------------------------------------------ drawing
TRI = [(0.0, 0.7), (0.7, -0.7), (-0.7, -0.7)]
TRI_COLORS = [[1, 0, 0, 1], [0, 1, 0, 1], [0, 0, 1, 1]]


def test_triangle_barycentric_colors(rdev):
    tex = target(rdev)
    pos = f4([[x, y, 0, 1] for x, y in TRI])
    col = f4(TRI_COLORS)
    p = pipeline(rdev)
    pb, cbuf = buf(rdev, pos), buf(rdev, col)

    def enc(e):
        e.set_render_pipeline_state(p)
        e.set_vertex_buffer(pb, 0, 0)
        e.set_vertex_buffer(cbuf, 0, 1)
        e.draw_primitives(pm.PrimitiveType.Triangle, 0, 3)

    render(rdev, pass_desc(tex, clear=(0.1, 0.2, 0.3, 1.0)), enc)
    img = read_rgba8(tex).astype(int)
    mask, bary = coverage([to_window(x, y) for x, y in TRI])
    expected = np.rint(255.0 * np.einsum("hwk,kc->hwc", bary, np.array(TRI_COLORS, float))).astype(int)
    inside = mask & (bary.min(axis=-1) > 1e-6)
    assert inside.sum() > 1000
    assert np.abs(img[inside] - expected[inside]).max() <= 1
    clear = np.array([round(0.1 * 255), round(0.2 * 255), round(0.3 * 255), 255])
    assert (img[~mask] == clear).all()
    assert (img[mask][:, :3] != clear[:3]).any(axis=-1).all()


def test_shared_edge_covers_every_pixel_once(rdev):
    """A fan of triangles with edges through pixel centres, additive blending of 1/255: each
    covered pixel is written exactly once (top-left rule), and coverage equals the reference."""
    tex = target(rdev)
    centre = (32.5, 30.5)
    ring = [(4.5, 4.5), (40.5, 2.5), (60.5, 20.5), (58.5, 60.5), (20.5, 56.5), (2.5, 33.5)]
    tris = [(centre, ring[i], ring[(i + 1) % len(ring)]) for i in range(len(ring))]
    pos = f4([[*to_ndc(*p), 0, 1] for t in tris for p in t])
    col = solid(len(pos), [1 / 255, 0, 0, 0])
    p = pipeline(rdev, blend=(pm.BlendFactor.One, pm.BlendFactor.One))
    pb, cbuf = buf(rdev, pos), buf(rdev, col)

    def enc(e):
        e.set_render_pipeline_state(p)
        e.set_vertex_buffer(pb, 0, 0)
        e.set_vertex_buffer(cbuf, 0, 1)
        e.draw_primitives(pm.PrimitiveType.Triangle, 0, len(pos))

    render(rdev, pass_desc(tex, clear=(0, 0, 0, 0)), enc)
    red = read_rgba8(tex)[..., 0]
    expected = sum(coverage(list(t))[0].astype(int) for t in tris)
    assert expected.max() == 1  # the reference itself covers each pixel once
    assert red.max() == 1
    assert (red == expected).all()


@pytest.mark.parametrize("near_first", [True, False])
def test_depth_test_keeps_nearer(rdev, near_first):
    tex = target(rdev)
    depth = target(rdev, PF.Depth32Float)
    near = quad_ndc(-0.75, -0.75, 0.25, 0.25, z=0.25)
    far = quad_ndc(-0.25, -0.25, 0.75, 0.75, z=0.5)
    order = [(near, [1, 0, 0, 1]), (far, [0, 1, 0, 1])]
    if not near_first:
        order.reverse()
    pos = np.concatenate([q for q, _ in order])
    col = np.concatenate([solid(6, c) for _, c in order])
    p = pipeline(rdev, depth=PF.Depth32Float)
    dsd = pm.DepthStencilDescriptor.depth_stencil_descriptor()
    dsd.depth_compare_function = pm.CompareFunction.Less
    dsd.depth_write_enabled = True
    ds = rdev.new_depth_stencil_state(dsd)
    pb, cbuf = buf(rdev, pos), buf(rdev, col)

    def enc(e):
        e.set_render_pipeline_state(p)
        e.set_depth_stencil_state(ds)
        e.set_vertex_buffer(pb, 0, 0)
        e.set_vertex_buffer(cbuf, 0, 1)
        e.draw_primitives(pm.PrimitiveType.Triangle, 0, 12)

    render(rdev, pass_desc(tex, depth=depth), enc)
    img = read_rgba8(tex)
    # window rectangles: near x,y in [8, 40), far in [24, 56)
    assert (img[24:40, 24:40] == [255, 0, 0, 255]).all()
    assert (img[8:24, 8:24] == [255, 0, 0, 255]).all()
    assert (img[40:56, 40:56] == [0, 255, 0, 255]).all()
    d = read_f32(depth)[..., 0]
    assert np.allclose(d[24:40, 24:40], 0.25) and np.allclose(d[44:56, 44:56], 0.5)
    assert (d[0:8, :] == 1.0).all()


def test_source_alpha_blending(rdev):
    tex = target(rdev)
    p = pipeline(rdev, fs="fragment_constant",
                 blend=(pm.BlendFactor.SourceAlpha, pm.BlendFactor.OneMinusSourceAlpha))
    pb, cbuf = buf(rdev, quad_ndc(-1, -1, 1, 1)), buf(rdev, solid(6, [0, 0, 0, 0]))

    def enc(e):
        e.set_render_pipeline_state(p)
        e.set_vertex_buffer(pb, 0, 0)
        e.set_vertex_buffer(cbuf, 0, 1)
        e.set_fragment_bytes(struct.pack("4f", 1.0, 0.0, 0.0, 0.25), 0)
        e.draw_primitives(pm.PrimitiveType.Triangle, 0, 6)

    render(rdev, pass_desc(tex, clear=(0, 0, 1, 1)), enc)
    img = read_rgba8(tex).astype(int)
    want = np.array([0.25 * 1.0, 0.0, 0.75 * 1.0, 0.25 * 0.25 + 0.75 * 1.0]) * 255
    assert np.abs(img - want).max() <= 1


def test_stencil_masks_second_draw(rdev):
    tex = target(rdev)
    sten = target(rdev, PF.Stencil8)
    p = pipeline(rdev, fs="fragment_constant", stencil=PF.Stencil8)
    write = pm.DepthStencilDescriptor.depth_stencil_descriptor()
    write.front_face_stencil.stencil_compare_function = pm.CompareFunction.Always
    write.front_face_stencil.depth_stencil_pass_operation = pm.StencilOperation.Replace
    write.back_face_stencil = write.front_face_stencil
    test = pm.DepthStencilDescriptor.depth_stencil_descriptor()
    test.front_face_stencil.stencil_compare_function = pm.CompareFunction.Equal
    test.back_face_stencil.stencil_compare_function = pm.CompareFunction.Equal
    ds_write, ds_test = rdev.new_depth_stencil_state(write), rdev.new_depth_stencil_state(test)
    left = buf(rdev, quad_ndc(-1, -1, 0, 1))
    full = buf(rdev, quad_ndc(-1, -1, 1, 1))
    cbuf = buf(rdev, solid(6, [0, 0, 0, 0]))

    def enc(e):
        e.set_render_pipeline_state(p)
        e.set_vertex_buffer(cbuf, 0, 1)
        e.set_stencil_reference_value(1)
        e.set_depth_stencil_state(ds_write)
        e.set_vertex_buffer(left, 0, 0)
        e.set_fragment_bytes(struct.pack("4f", 0, 0, 1, 1), 0)
        e.draw_primitives(pm.PrimitiveType.Triangle, 0, 6)
        e.set_depth_stencil_state(ds_test)
        e.set_vertex_buffer(full, 0, 0)
        e.set_fragment_bytes(struct.pack("4f", 0, 1, 0, 1), 0)
        e.draw_primitives(pm.PrimitiveType.Triangle, 0, 6)

    render(rdev, pass_desc(tex, clear=(0, 0, 0, 1), stencil=sten), enc)
    img = read_rgba8(tex)
    assert (img[:, :32] == [0, 255, 0, 255]).all()
    assert (img[:, 32:] == [0, 0, 0, 255]).all()
    s = np.frombuffer(sten.get_bytes(W, 0, 0, W, H), np.uint8).reshape(H, W)
    assert (s[:, :32] == 1).all() and (s[:, 32:] == 0).all()


@pytest.mark.parametrize("cull,winding,visible", [
    (pm.CullMode["None"], pm.Winding.Clockwise, True),
    (pm.CullMode.Back, pm.Winding.Clockwise, True),
    (pm.CullMode.Front, pm.Winding.Clockwise, False),
    (pm.CullMode.Back, pm.Winding.CounterClockwise, False),
    (pm.CullMode.Front, pm.Winding.CounterClockwise, True),
])
def test_culling_and_winding(rdev, cull, winding, visible):
    tex = target(rdev)
    # TRI is clockwise on screen: top, bottom right, bottom left
    pb = buf(rdev, f4([[x, y, 0, 1] for x, y in TRI]))
    cbuf = buf(rdev, solid(3, [1, 1, 1, 1]))
    p = pipeline(rdev)

    def enc(e):
        e.set_render_pipeline_state(p)
        e.set_cull_mode(cull)
        e.set_front_facing_winding(winding)
        e.set_vertex_buffer(pb, 0, 0)
        e.set_vertex_buffer(cbuf, 0, 1)
        e.draw_primitives(pm.PrimitiveType.Triangle, 0, 3)

    render(rdev, pass_desc(tex), enc)
    assert (read_rgba8(tex)[32, 32] == [255, 255, 255, 255]).all() == visible


def test_indexed_instanced_draw(rdev):
    """Quads from uint16 indices with base_vertex 4 (the second quad of the buffer), two
    instances from base_instance 1: [[instance_id]] is 1 and 2."""
    tex = target(rdev)
    junk = [[9, 9, 0, 1]] * 4
    quad = [[-1, 1, 0, 1], [-0.5, 1, 0, 1], [-1, 0.5, 0, 1], [-0.5, 0.5, 0, 1]]  # 16x16 at top left
    pos = buf(rdev, f4(junk + quad))
    offsets = buf(rdev, np.array([[5, 5], [0.5, 0.0], [1.0, -1.0]], np.float32))
    colors = buf(rdev, f4([[1, 1, 1, 1], [1, 0, 0, 1], [0, 0, 1, 1]]))
    idx = buf(rdev, np.array([0, 1, 2, 1, 3, 2], np.uint16))
    p = pipeline(rdev, vs="vertex_instanced")

    def enc(e):
        e.set_render_pipeline_state(p)
        e.set_vertex_buffer(pos, 0, 0)
        e.set_vertex_buffer(offsets, 0, 1)
        e.set_vertex_buffer(colors, 0, 2)
        e.draw_indexed_primitives(pm.PrimitiveType.Triangle, 6, pm.IndexType.UInt16, idx, 0,
                                  instance_count=2, base_vertex=4, base_instance=1)

    render(rdev, pass_desc(tex), enc)
    img = read_rgba8(tex)
    expected = np.zeros((H, W, 4), np.uint8)
    expected[..., 3] = 255
    expected[0:16, 16:32] = [255, 0, 0, 255]   # instance 1: +0.5 in x (16 px)
    expected[32:48, 32:48] = [0, 0, 255, 255]  # instance 2: +1 in x, -1 in y (32 px each)
    assert (img == expected).all()


def test_draw_primitives_instanced_uint32_indices(rdev):
    tex = target(rdev)
    quad = [[-1, 1, 0, 1], [-0.5, 1, 0, 1], [-1, 0.5, 0, 1], [-0.5, 0.5, 0, 1]]
    pos = buf(rdev, f4(quad))
    offsets = buf(rdev, np.array([[0.0, 0.0], [1.0, 0.0], [0.0, -1.0]], np.float32))
    colors = buf(rdev, f4([[1, 0, 0, 1], [0, 1, 0, 1], [0, 0, 1, 1]]))
    idx = buf(rdev, np.array([7, 7, 0, 1, 2, 1, 3, 2], np.uint32))
    p = pipeline(rdev, vs="vertex_instanced")

    def enc(e):
        e.set_render_pipeline_state(p)
        e.set_vertex_buffer(pos, 0, 0)
        e.set_vertex_buffer(offsets, 0, 1)
        e.set_vertex_buffer(colors, 0, 2)
        e.draw_indexed_primitives(pm.PrimitiveType.Triangle, 6, pm.IndexType.UInt32, idx, 8, instance_count=3)

    render(rdev, pass_desc(tex), enc)
    img = read_rgba8(tex)
    assert (img[0:16, 0:16] == [255, 0, 0, 255]).all()
    assert (img[0:16, 32:48] == [0, 255, 0, 255]).all()
    assert (img[32:48, 0:16] == [0, 0, 255, 255]).all()
    assert (img[16:32, :] == [0, 0, 0, 255]).all()


def test_viewport_and_scissor(rdev):
    pb, cbuf = buf(rdev, quad_ndc(-1, -1, 1, 1)), buf(rdev, solid(6, [1, 1, 1, 1]))
    p = pipeline(rdev)
    for mode in ("viewport", "scissor"):
        tex = target(rdev)

        def enc(e):
            e.set_render_pipeline_state(p)
            if mode == "viewport":
                e.set_viewport(pm.Viewport(16.0, 8.0, 32.0, 16.0, 0.0, 1.0))
            else:
                e.set_scissor_rect(4, 8, 10, 6)
            e.set_vertex_buffer(pb, 0, 0)
            e.set_vertex_buffer(cbuf, 0, 1)
            e.draw_primitives(pm.PrimitiveType.Triangle, 0, 6)

        render(rdev, pass_desc(tex), enc)
        lit = read_rgba8(tex)[..., 0] == 255
        expected = np.zeros((H, W), bool)
        if mode == "viewport":
            expected[8:24, 16:48] = True
        else:
            expected[8:14, 4:14] = True
        assert (lit == expected).all(), mode


def test_points_lines_and_strips(rdev):
    # points at pixel centres: one pixel each
    tex = target(rdev)
    pts = [(3.5, 5.5), (60.5, 2.5), (31.5, 40.5)]
    pb = buf(rdev, f4([[*to_ndc(*q), 0, 1] for q in pts]))
    p = pipeline(rdev, vs="vertex_points", fs="fragment_points")
    render(rdev, pass_desc(tex), lambda e: (e.set_render_pipeline_state(p), e.set_vertex_buffer(pb, 0, 0),
                                            e.draw_primitives(pm.PrimitiveType.Point, 0, 3)))
    lit = read_rgba8(tex)[..., 0] == 255
    assert lit.sum() == 3 and all(lit[int(y), int(x)] for x, y in pts)

    # a horizontal line along the centres of row 10 and a vertical line strip along column 50
    tex = target(rdev)
    line = [(8.5, 10.5), (40.5, 10.5), (50.5, 20.5), (50.5, 30.5), (50.5, 44.5)]
    lb = buf(rdev, f4([[*to_ndc(*q), 0, 1] for q in line]))
    cb1 = buf(rdev, solid(5, [1, 1, 1, 1]))
    pl = pipeline(rdev)

    def enc(e):
        e.set_render_pipeline_state(pl)
        e.set_vertex_buffer(lb, 0, 0)
        e.set_vertex_buffer(cb1, 0, 1)
        e.draw_primitives(pm.PrimitiveType.Line, 0, 2)
        e.draw_primitives(pm.PrimitiveType.LineStrip, 2, 3)

    render(rdev, pass_desc(tex), enc)
    lit = read_rgba8(tex)[..., 0] == 255
    rows, cols = np.nonzero(lit)
    assert set(rows[cols != 50]) == {10} and lit[10, 9:40].all()
    assert set(cols[rows != 10]) == {50} and lit[21:44, 50].all()
    assert not lit[10, :8].any() and not lit[10, 41:50].any()

    # a triangle strip of four vertices covers its rectangle exactly
    tex = target(rdev)
    corners = [(4.5, 40.5), (4.5, 12.5), (50.5, 40.5), (50.5, 12.5)]
    sb = buf(rdev, f4([[*to_ndc(*q), 0, 1] for q in corners]))
    render(rdev, pass_desc(tex), lambda e: (e.set_render_pipeline_state(pl), e.set_vertex_buffer(sb, 0, 0),
                                            e.set_vertex_buffer(cb1, 0, 1),
                                            e.draw_primitives(pm.PrimitiveType.TriangleStrip, 0, 4)))
    lit = read_rgba8(tex)[..., 0] == 255
    expected = coverage(corners[0:3])[0] | coverage(corners[1:4])[0]
    assert expected.sum() == 46 * 28 and (lit == expected).all()


def test_triangle_fill_mode_lines(rdev):
    tex = target(rdev)
    pb, cbuf = buf(rdev, f4([[x, y, 0, 1] for x, y in TRI])), buf(rdev, solid(3, [1, 1, 1, 1]))
    p = pipeline(rdev)

    def enc(e):
        e.set_render_pipeline_state(p)
        e.set_triangle_fill_mode(pm.TriangleFillMode.Lines)
        e.set_vertex_buffer(pb, 0, 0)
        e.set_vertex_buffer(cbuf, 0, 1)
        e.draw_primitives(pm.PrimitiveType.Triangle, 0, 3)

    render(rdev, pass_desc(tex), enc)
    lit = read_rgba8(tex)[..., 0] == 255
    assert not lit[32, 32] and 100 < lit.sum() < 400  # only the outline


def test_set_vertex_bytes(rdev):
    tex = target(rdev)
    p = pipeline(rdev, vs="vertex_from_bytes")
    tri = np.array([[-1, 1], [1, 1], [-1, -1]], np.float32)  # upper-left half

    def enc(e):
        e.set_render_pipeline_state(p)
        e.set_vertex_bytes(tri, 0)
        e.set_vertex_bytes(struct.pack("4f", 0, 1, 0, 1), 1)
        e.draw_primitives(pm.PrimitiveType.Triangle, 0, 3)

    render(rdev, pass_desc(tex), enc)
    img = read_rgba8(tex)
    mask, _ = coverage([to_window(*v) for v in tri.tolist()])
    assert (img[mask] == [0, 255, 0, 255]).all() and (img[~mask] == [0, 0, 0, 255]).all()


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


def test_vertex_descriptor_stage_in(rdev):
    tex = target(rdev)
    rec = np.dtype([("pos", np.float32, 2), ("color", np.uint8, 4)])
    verts = np.zeros(6, rec)
    verts["pos"] = [[-1, 1], [0, 1], [-1, -1], [0, 1], [0, -1], [-1, -1]]  # left half
    verts["pos"][3:] += [1, 0]  # second triangle moved to the right half
    verts["color"][:3] = [255, 0, 0, 255]
    verts["color"][3:] = [0, 51, 102, 255]
    assert verts.itemsize == 12
    p = pipeline(rdev, vs="vertex_stage_in", vertex_descriptor=stage_in_descriptor())
    vb = buf(rdev, verts.view(np.uint8))

    def enc(e):
        e.set_render_pipeline_state(p)
        e.set_vertex_buffer(vb, 0, 0)
        e.draw_primitives(pm.PrimitiveType.Triangle, 0, 6)

    render(rdev, pass_desc(tex), enc)
    img = read_rgba8(tex)
    for k, color in ((0, [255, 0, 0, 255]), (1, [0, 51, 102, 255])):
        tri = [to_window(*v) for v in verts["pos"][3 * k:3 * k + 3].tolist()]
        mask, _ = coverage(tri)
        assert mask.sum() > 200 and (img[mask] == color).all()


def test_multiple_render_targets(rdev):
    albedo, depthlike = target(rdev), target(rdev, PF.R32Float)
    p = pipeline(rdev, fs="fragment_mrt", extra_formats=(PF.R32Float,))
    pb = buf(rdev, quad_ndc(-1, -1, 1, 1, z=0.5))
    cbuf = buf(rdev, solid(6, [0.2, 0.4, 0.6, 1.0]))

    def enc(e):
        e.set_render_pipeline_state(p)
        e.set_vertex_buffer(pb, 0, 0)
        e.set_vertex_buffer(cbuf, 0, 1)
        e.draw_primitives(pm.PrimitiveType.Triangle, 0, 6)

    render(rdev, pass_desc(albedo, extra=(depthlike,)), enc)
    assert (read_rgba8(albedo) == [51, 102, 153, 255]).all()
    assert np.allclose(read_f32(depthlike), 0.75)


def test_srgb_target_encodes(rdev):
    tex = target(rdev, PF.RGBA8Unorm_sRGB)
    p = pipeline(rdev, fmt=PF.RGBA8Unorm_sRGB, fs="fragment_constant")
    pb, cbuf = buf(rdev, quad_ndc(-1, -1, 1, 1)), buf(rdev, solid(6, [0, 0, 0, 0]))
    lin = np.array([0.5, 0.2, 0.0, 0.5])

    def enc(e):
        e.set_render_pipeline_state(p)
        e.set_vertex_buffer(pb, 0, 0)
        e.set_vertex_buffer(cbuf, 0, 1)
        e.set_fragment_bytes(lin.astype(np.float32), 0)
        e.draw_primitives(pm.PrimitiveType.Triangle, 0, 6)

    render(rdev, pass_desc(tex), enc)

    def encode(c):
        return np.where(c <= 0.0031308, 12.92 * c, 1.055 * c ** (1 / 2.4) - 0.055)

    want = np.rint(np.append(encode(lin[:3]), lin[3]) * 255)
    assert np.abs(read_rgba8(tex).astype(int) - want).max() <= 1


def checker_texture(dev):
    texels = np.random.default_rng(5).integers(0, 256, (4, 4, 4), dtype=np.uint8)
    t = dev.new_texture(pm.TextureDescriptor.texture2d_descriptor(PF.RGBA8Unorm, 4, 4, False))
    t.replace_region(texels.tobytes(), 16, 0, 0, 4, 4)
    return t, texels


def textured_quad(dev):
    # xy position, zw uv (v down, as Metal's texture coordinates)
    return buf(dev, f4([[-1, 1, 0, 0], [1, 1, 1, 0], [-1, -1, 0, 1],
                        [1, 1, 1, 0], [1, -1, 1, 1], [-1, -1, 0, 1]]))


def test_textured_quad_nearest(rdev):
    tex = target(rdev)
    t, texels = checker_texture(rdev)
    p = pipeline(rdev, vs="vertex_textured", fs="fragment_textured", source=TEXTURE_SHADERS)
    qb = textured_quad(rdev)

    def enc(e):
        e.set_render_pipeline_state(p)
        e.set_vertex_buffer(qb, 0, 0)
        e.set_fragment_texture(t, 0)
        e.draw_primitives(pm.PrimitiveType.Triangle, 0, 6)

    render(rdev, pass_desc(tex), enc)
    expected = np.repeat(np.repeat(texels, 16, axis=0), 16, axis=1)
    assert (read_rgba8(tex) == expected).all()


def test_textured_quad_sampler_state(rdev):
    tex = target(rdev)
    t, texels = checker_texture(rdev)
    sd = pm.SamplerDescriptor.sampler_descriptor()
    sd.min_filter = pm.SamplerMinMagFilter.Nearest
    sd.mag_filter = pm.SamplerMinMagFilter.Nearest
    sampler = rdev.new_sampler_state(sd)
    p = pipeline(rdev, vs="vertex_textured", fs="fragment_textured_sampler", source=TEXTURE_SHADERS)
    qb = textured_quad(rdev)

    def enc(e):
        e.set_render_pipeline_state(p)
        e.set_vertex_buffer(qb, 0, 0)
        e.set_fragment_texture(t, 0)
        e.set_fragment_sampler_state(sampler, 0)
        e.draw_primitives(pm.PrimitiveType.Triangle, 0, 6)

    render(rdev, pass_desc(tex), enc)
    expected = np.repeat(np.repeat(texels, 16, axis=0), 16, axis=1)
    assert (read_rgba8(tex) == expected).all()


def test_load_action_load_keeps_contents_and_zero_vertices_draw_nothing(rdev):
    tex = target(rdev)
    tex.replace_region(bytes([7, 8, 9, 10]) * (W * H), W * 4, 0, 0, W, H)
    p = pipeline(rdev)
    pb, cbuf = buf(rdev, quad_ndc(-1, -1, 1, 1)), buf(rdev, solid(6, [1, 1, 1, 1]))
    rp = pass_desc(tex)
    rp.color_attachment(0).load_action = pm.LoadAction.Load

    def enc(e):
        e.set_render_pipeline_state(p)
        e.set_vertex_buffer(pb, 0, 0)
        e.set_vertex_buffer(cbuf, 0, 1)
        e.draw_primitives(pm.PrimitiveType.Triangle, 0, 0)
        e.draw_primitives(pm.PrimitiveType.Triangle, 0, 6, instance_count=0)

    render(rdev, rp, enc)
    assert (read_rgba8(tex) == [7, 8, 9, 10]).all()


def test_write_mask(rdev):
    tex = target(rdev)
    d = pm.RenderPipelineDescriptor.render_pipeline_descriptor()
    d.vertex_function = lib(rdev).new_function("vertex_colored")
    d.fragment_function = lib(rdev).new_function("fragment_colored")
    d.color_attachment(0).pixel_format = PF.RGBA8Unorm
    d.color_attachment(0).write_mask = pm.ColorWriteMaskRed | pm.ColorWriteMaskAlpha
    p = rdev.new_render_pipeline_state(d)
    pb, cbuf = buf(rdev, quad_ndc(-1, -1, 1, 1)), buf(rdev, solid(6, [1, 1, 1, 0.5]))

    def enc(e):
        e.set_render_pipeline_state(p)
        e.set_vertex_buffer(pb, 0, 0)
        e.set_vertex_buffer(cbuf, 0, 1)
        e.draw_primitives(pm.PrimitiveType.Triangle, 0, 6)

    render(rdev, pass_desc(tex, clear=(0, 0.2, 0.4, 1)), enc)
    assert (read_rgba8(tex) == [255, 51, 102, 128]).all()


# ------------------------------------------------------------------ descriptors
def test_exports_enums_and_defaults():
    for name in ("RenderPipelineDescriptor", "RenderPassDescriptor", "RenderCommandEncoder", "VertexDescriptor",
                 "DepthStencilDescriptor", "StencilDescriptor", "RenderPipelineState", "DepthStencilState"):
        assert getattr(pm.graphics, name) is getattr(pm, name)
    assert pm.types.Viewport is pm.Viewport and pm.types.ScissorRect is pm.ScissorRect
    assert pm.BlendFactor.OneMinusBlendAlpha == 14 and pm.BlendFactor.SourceAlphaSaturated == 10
    assert pm.VertexFormat.UChar4Normalized == 9 and pm.VertexFormat.Half == 53 and pm.VertexFormat.Float2 == 29
    assert pm.VertexStepFunction.Constant == 0 and pm.TriangleFillMode.Lines == 1
    assert pm.ColorWriteMask.All == pm.ColorWriteMaskAll == 15
    ca = pm.RenderPipelineDescriptor.render_pipeline_descriptor().color_attachment(0)
    assert ca.pixel_format == PF.Invalid and not ca.blending_enabled and ca.write_mask == 15
    assert ca.source_rgb_blend_factor == pm.BlendFactor.One and ca.destination_rgb_blend_factor == pm.BlendFactor.Zero
    assert ca.rgb_blend_operation == pm.BlendOperation.Add
    rp = pm.RenderPassDescriptor.render_pass_descriptor()
    c0 = rp.color_attachment(0)
    assert c0.texture is None and c0.load_action == pm.LoadAction.DontCare and c0.store_action == pm.StoreAction.Store
    assert c0.clear_color == pm.ClearColor(0, 0, 0, 1)
    assert rp.depth_attachment.clear_depth == 1.0 and rp.stencil_attachment.clear_stencil == 0
    assert isinstance(rp.stencil_attachment, pm.RenderPassAttachmentDescriptor)
    assert isinstance(rp.depth_attachment, pm.RenderPassDepthAttachmentDescriptor)
    sd = pm.StencilDescriptor.stencil_descriptor()
    assert sd.stencil_compare_function == pm.CompareFunction.Always and sd.read_mask == 0xFFFFFFFF
    dsd = pm.DepthStencilDescriptor.depth_stencil_descriptor()
    assert dsd.depth_compare_function == pm.CompareFunction.Always and not dsd.depth_write_enabled
    lay = pm.VertexDescriptor.vertex_descriptor().layout(0)
    assert lay.stride == 0 and lay.step_function == pm.VertexStepFunction.PerVertex and lay.step_rate == 1


def test_sub_descriptor_identity_and_mutation(rdev):
    d = pm.RenderPipelineDescriptor.render_pipeline_descriptor()
    assert d.color_attachment(3) is d.color_attachment(3)
    d.color_attachment(3).pixel_format = PF.BGRA8Unorm
    assert d.color_attachment(3).pixel_format == PF.BGRA8Unorm
    rp = pm.RenderPassDescriptor.render_pass_descriptor()
    assert rp.color_attachment(7) is rp.color_attachment(7)
    assert rp.depth_attachment is rp.depth_attachment and rp.stencil_attachment is rp.stencil_attachment
    t = target(rdev)
    rp.color_attachment(0).texture = t
    assert rp.color_attachment(0).texture is t
    rp.color_attachment(0).clear_color = (0.5, 0.25, 0.0, 1.0)
    assert rp.color_attachment(0).clear_color.green == 0.25
    vd = pm.VertexDescriptor.vertex_descriptor()
    a = vd.attribute(2)
    a.format = pm.VertexFormat.Float3
    a.offset = 4
    assert vd.attribute(2) is a and vd.attribute(2).format == pm.VertexFormat.Float3
    vd.reset()
    assert vd.attribute(2) is a and a.format == pm.VertexFormat.Invalid and a.offset == 0
    dsd = pm.DepthStencilDescriptor.depth_stencil_descriptor()
    dsd.front_face_stencil.write_mask = 0x0F
    assert dsd.front_face_stencil.write_mask == 0x0F
    d.vertex_descriptor = vd
    assert d.vertex_descriptor is vd
    for bad in (lambda: d.color_attachment(8), lambda: rp.color_attachment(8), lambda: vd.attribute(31),
                lambda: vd.layout(31)):
        with pytest.raises(pm.ValidationError, match="exceeds maximum"):
            bad()


def test_states_labels(rdev):
    dsd = pm.DepthStencilDescriptor.depth_stencil_descriptor()
    dsd.label = "depth-less"
    ds = rdev.new_depth_stencil_state(dsd)
    assert ds.label == "depth-less" and ds.device is rdev


# ------------------------------------------------------------------ validation
def descriptor(dev, vs="vertex_colored", fs="fragment_colored", fmt=PF.RGBA8Unorm):
    d = pm.RenderPipelineDescriptor.render_pipeline_descriptor()
    if vs:
        d.vertex_function = lib(dev).new_function(vs)
    if fs:
        d.fragment_function = lib(dev).new_function(fs)
    d.color_attachment(0).pixel_format = fmt
    return d


def test_pipeline_validation_functions(rdev):
    with pytest.raises(pm.ValidationError, match="no vertex function"):
        rdev.new_render_pipeline_state(descriptor(rdev, vs=None))
    with pytest.raises(pm.ValidationError, match="'not_a_vertex' is a Kernel function, not a vertex function"):
        rdev.new_render_pipeline_state(descriptor(rdev, vs="not_a_vertex"))
    with pytest.raises(pm.ValidationError, match="not a fragment function"):
        rdev.new_render_pipeline_state(descriptor(rdev, fs="vertex_colored"))
    with pytest.raises(pm.ValidationError, match="not a vertex function"):
        rdev.new_render_pipeline_state(descriptor(rdev, vs="fragment_colored"))
    assert issubclass(pm.ValidationError, pm.MetalError)


def test_pipeline_validation_formats_and_blending(rdev):
    d = descriptor(rdev, fmt=PF.Depth32Float)
    with pytest.raises(pm.ValidationError, match="not a color format"):
        rdev.new_render_pipeline_state(d)
    d = descriptor(rdev)
    d.depth_attachment_pixel_format = PF.RGBA8Unorm
    with pytest.raises(pm.ValidationError, match="has no depth"):
        rdev.new_render_pipeline_state(d)
    d = descriptor(rdev)
    d.stencil_attachment_pixel_format = PF.Depth32Float
    with pytest.raises(pm.ValidationError, match="has no stencil"):
        rdev.new_render_pipeline_state(d)
    d = descriptor(rdev)
    d.color_attachment(0).pixel_format = 12345
    with pytest.raises(pm.ValidationError, match="12345 is not a PixelFormat"):
        rdev.new_render_pipeline_state(d)
    d = descriptor(rdev)
    d.color_attachment(0).source_rgb_blend_factor = 15
    with pytest.raises(pm.ValidationError, match="source_rgb_blend_factor 15 is not a BlendFactor"):
        rdev.new_render_pipeline_state(d)
    d = descriptor(rdev)
    d.color_attachment(0).alpha_blend_operation = 5
    with pytest.raises(pm.ValidationError, match="alpha_blend_operation 5 is not a BlendOperation"):
        rdev.new_render_pipeline_state(d)
    d = descriptor(rdev)
    d.color_attachment(0).write_mask = 0x10
    with pytest.raises(pm.ValidationError, match="write_mask"):
        rdev.new_render_pipeline_state(d)
    d = descriptor(rdev, fmt=PF.R32Uint)
    d.color_attachment(0).blending_enabled = True
    with pytest.raises(pm.ValidationError, match="blending is not supported for the integer format"):
        rdev.new_render_pipeline_state(d)


def test_pipeline_validation_vertex_descriptor(rdev):
    d = descriptor(rdev, vs="vertex_stage_in")
    with pytest.raises(pm.ValidationError, match="no vertex_descriptor"):
        rdev.new_render_pipeline_state(d)
    vd = stage_in_descriptor()
    vd.attribute(1).format = pm.VertexFormat.Invalid
    d.vertex_descriptor = vd
    with pytest.raises(pm.ValidationError, match=r"unknown vertex attribute 1"):
        rdev.new_render_pipeline_state(d)
    vd = stage_in_descriptor()
    vd.layout(0).stride = 0
    d.vertex_descriptor = vd
    with pytest.raises(pm.ValidationError, match=r"layout\(0\)\.stride is 0"):
        rdev.new_render_pipeline_state(d)
    vd = stage_in_descriptor()
    vd.layout(0).stride = 10
    d.vertex_descriptor = vd
    with pytest.raises(pm.ValidationError, match="multiple of 4"):
        rdev.new_render_pipeline_state(d)
    vd = stage_in_descriptor()
    vd.attribute(1).offset = 10
    d.vertex_descriptor = vd
    with pytest.raises(pm.ValidationError, match="does not fit in the stride"):
        rdev.new_render_pipeline_state(d)
    vd = stage_in_descriptor()
    vd.attribute(1).format = 44
    d.vertex_descriptor = vd
    with pytest.raises(pm.ValidationError, match="44 is not a VertexFormat"):
        rdev.new_render_pipeline_state(d)
    vd = stage_in_descriptor()
    vd.attribute(0).format = pm.VertexFormat.Int2
    d.vertex_descriptor = vd
    with pytest.raises(pm.ValidationError, match="integer format"):
        rdev.new_render_pipeline_state(d)
    vd = stage_in_descriptor()
    vd.attribute(1).buffer_index = 31
    d.vertex_descriptor = vd
    with pytest.raises(pm.ValidationError, match="buffer_index 31 exceeds maximum"):
        rdev.new_render_pipeline_state(d)
    vd = stage_in_descriptor()
    vd.layout(0).step_function = pm.VertexStepFunction.PerInstance
    vd.layout(0).step_rate = 0
    d.vertex_descriptor = vd
    with pytest.raises(pm.ValidationError, match="step_rate"):
        rdev.new_render_pipeline_state(d)


def test_pipeline_validation_varyings(rdev):
    with pytest.raises(pm.ValidationError, match="fragment input 'normal'.*no matching output"):
        rdev.new_render_pipeline_state(descriptor(rdev, fs="fragment_needs_normal"))


def test_pass_validation(rdev):
    q = rdev.new_command_queue()
    cb = q.command_buffer()
    with pytest.raises(pm.ValidationError, match="no attachment"):
        cb.render_command_encoder(pm.RenderPassDescriptor.render_pass_descriptor())
    with pytest.raises(pm.ValidationError, match="same size: color_attachment\\(1\\) is 32x64"):
        cb.render_command_encoder(pass_desc(target(rdev), extra=(target(rdev, w=32),)))
    with pytest.raises(pm.ValidationError, match="depth_attachment is 64x32"):
        cb.render_command_encoder(pass_desc(target(rdev), depth=target(rdev, PF.Depth32Float, h=32)))
    with pytest.raises(pm.ValidationError, match="not a color format"):
        cb.render_command_encoder(pass_desc(target(rdev, PF.Depth32Float)))
    with pytest.raises(pm.ValidationError, match="which has no depth"):
        cb.render_command_encoder(pass_desc(target(rdev), depth=target(rdev)))
    with pytest.raises(pm.ValidationError, match="which has no stencil"):
        cb.render_command_encoder(pass_desc(target(rdev), stencil=target(rdev, PF.Depth32Float)))
    t = target(rdev)
    with pytest.raises(pm.ValidationError, match="same texture"):
        cb.render_command_encoder(pass_desc(t, extra=(t,)))
    rp = pass_desc(target(rdev))
    rp.color_attachment(0).level = 1
    with pytest.raises(pm.ValidationError, match="level 1 is out of range"):
        cb.render_command_encoder(rp)
    rp = pass_desc(target(rdev))
    rp.color_attachment(0).slice = 1
    with pytest.raises(pm.ValidationError, match="slice 1 is out of range"):
        cb.render_command_encoder(rp)
    rp = pass_desc(target(rdev))
    rp.color_attachment(0).load_action = 3
    with pytest.raises(pm.ValidationError, match="load_action 3 is not a LoadAction"):
        cb.render_command_encoder(rp)
    rp = pass_desc(target(rdev))
    rp.color_attachment(0).store_action = pm.StoreAction.MultisampleResolve
    with pytest.raises(pm.ValidationError, match="store_action 2 is not supported"):
        cb.render_command_encoder(rp)
    rp = pass_desc(target(rdev), depth=target(rdev, PF.Depth32Float))
    rp.depth_attachment.clear_depth = 1.5
    with pytest.raises(pm.ValidationError, match="clear_depth 1.5"):
        cb.render_command_encoder(rp)
    # a combined depth/stencil texture serves as both attachments
    ds = target(rdev, PF.Depth32Float_Stencil8)
    enc = cb.render_command_encoder(pass_desc(target(rdev), depth=ds, stencil=ds))
    with pytest.raises(pm.ValidationError, match="another encoder"):
        cb.render_command_encoder(pass_desc(target(rdev)))
    enc.end_encoding()


def test_encoder_validation(rdev):
    q = rdev.new_command_queue()
    cb = q.command_buffer()
    enc = cb.render_command_encoder(pass_desc(target(rdev)))
    b = rdev.new_buffer(64, pm.ResourceStorageModeShared)
    with pytest.raises(pm.ValidationError, match=r"RenderCommandEncoder.set_vertex_buffer: buffer index 32 exceeds maximum \(31\)"):
        enc.set_vertex_buffer(b, 0, 32)
    with pytest.raises(pm.ValidationError, match="set_fragment_buffer: buffer index 40"):
        enc.set_fragment_buffer(b, 0, 40)
    with pytest.raises(pm.ValidationError, match=r"texture index 32 exceeds maximum \(31\)"):
        enc.set_fragment_texture(target(rdev), 32)
    with pytest.raises(pm.ValidationError, match=r"sampler index 17 exceeds maximum \(16\)"):
        enc.set_fragment_sampler_state(None, 17)
    with pytest.raises(pm.ValidationError, match="offset 64 is beyond the end"):
        enc.set_vertex_buffer(b, 64, 0)
    with pytest.raises(pm.ValidationError, match="exceeds maximum \\(4096 bytes\\)"):
        enc.set_vertex_bytes(bytes(4097), 0)
    with pytest.raises(pm.ValidationError, match="7 is not a CullMode"):
        enc.set_cull_mode(7)
    with pytest.raises(pm.ValidationError, match="is not a Winding"):
        enc.set_front_facing_winding(2)
    with pytest.raises(pm.ValidationError, match="is not a TriangleFillMode"):
        enc.set_triangle_fill_mode(2)
    with pytest.raises(pm.ValidationError, match="width must be finite and greater than 0"):
        enc.set_viewport(0.0, 0.0, 0.0, 10.0)
    with pytest.raises(pm.ValidationError, match="zfar must be between 0.0 and 1.0"):
        enc.set_viewport(0.0, 0.0, 10.0, 10.0, 0.0, 2.0)
    with pytest.raises(TypeError):
        enc.set_viewport(0.0, 0.0)
    with pytest.raises(pm.ValidationError, match=r"exceeds the render pass's size \(64x64\)"):
        enc.set_scissor_rect(pm.ScissorRect(60, 0, 5, 5))
    with pytest.raises(pm.ValidationError, match="no render pipeline state is set"):
        enc.draw_primitives(pm.PrimitiveType.Triangle, 0, 3)
    with pytest.raises(pm.ValidationError, match="9 is not a IndexType"):
        enc.draw_indexed_primitives(pm.PrimitiveType.Triangle, 3, 9, b, 0)
    with pytest.raises(pm.ValidationError, match=r"the indices \(bytes 0..68\) exceed the index buffer's length \(64\)"):
        enc.draw_indexed_primitives(pm.PrimitiveType.Triangle, 17, pm.IndexType.UInt32, b, 0)
    with pytest.raises(pm.ValidationError, match="multiple of the index size"):
        enc.draw_indexed_primitives(pm.PrimitiveType.Triangle, 3, pm.IndexType.UInt32, b, 2)
    enc.set_viewport(pm.Viewport(0, 0, 32, 32))
    enc.set_scissor_rect(0, 0, 64, 64)
    enc.set_stencil_reference_values(1, 2)
    enc.set_blend_color(0.1, 0.2, 0.3, 0.4)
    enc.label = "pass"
    assert enc.label == "pass" and enc.device is rdev and enc.command_buffer is cb
    with pytest.raises(pm.ValidationError, match="an encoder is still open"):
        cb.commit()
    enc.end_encoding()
    with pytest.raises(pm.ValidationError, match="the encoder has ended"):
        enc.set_cull_mode(pm.CullMode.Back)
    with pytest.raises(pm.ValidationError, match="the encoder has ended"):
        enc.end_encoding()
    cb.commit()
    cb.wait_until_completed()
    assert cb.status == pm.CommandBufferStatus.Completed


def test_draw_validation(rdev):
    """Needs a compiled pipeline: the pipeline's formats must be the pass's, every argument
    bound, and vertex-descriptor fetches inside the vertex buffer."""
    p = pipeline(rdev)
    q = rdev.new_command_queue()
    cb = q.command_buffer()
    enc = cb.render_command_encoder(pass_desc(target(rdev, PF.BGRA8Unorm)))
    enc.set_render_pipeline_state(p)
    with pytest.raises(pm.ValidationError, match=r"color attachment 0 pixel format \(RGBA8Unorm\) does not match the render pass's \(BGRA8Unorm\)"):
        enc.draw_primitives(pm.PrimitiveType.Triangle, 0, 3)
    enc.end_encoding()
    enc = cb.render_command_encoder(pass_desc(target(rdev), depth=target(rdev, PF.Depth32Float)))
    enc.set_render_pipeline_state(p)
    with pytest.raises(pm.ValidationError, match=r"depth attachment pixel format \(Invalid\) does not match the render pass's \(Depth32Float\)"):
        enc.draw_primitives(pm.PrimitiveType.Triangle, 0, 3)
    enc.end_encoding()
    enc = cb.render_command_encoder(pass_desc(target(rdev)))
    enc.set_render_pipeline_state(p)
    with pytest.raises(pm.ValidationError, match="vertex function 'vertex_colored' needs a buffer at index 0"):
        enc.draw_primitives(pm.PrimitiveType.Triangle, 0, 3)
    with pytest.raises(pm.ValidationError, match="is not a PrimitiveType"):
        enc.draw_primitives(9, 0, 3)
    enc.end_encoding()
    ps = pipeline(rdev, vs="vertex_stage_in", vertex_descriptor=stage_in_descriptor())
    enc = cb.render_command_encoder(pass_desc(target(rdev)))
    enc.set_render_pipeline_state(ps)
    with pytest.raises(pm.ValidationError, match="reads vertex buffer 0, but none is set"):
        enc.draw_primitives(pm.PrimitiveType.Triangle, 0, 3)
    enc.set_vertex_buffer(rdev.new_buffer(36, pm.ResourceStorageModeShared), 0, 0)
    enc.draw_primitives(pm.PrimitiveType.Triangle, 0, 3)
    with pytest.raises(pm.ValidationError, match="vertex attribute 0 reads bytes 36..44 of vertex buffer 0"):
        enc.draw_primitives(pm.PrimitiveType.Triangle, 1, 3)
    enc.end_encoding()
    pt = pipeline(rdev, vs="vertex_textured", fs="fragment_textured", source=TEXTURE_SHADERS)
    enc = cb.render_command_encoder(pass_desc(target(rdev)))
    enc.set_render_pipeline_state(pt)
    enc.set_vertex_buffer(textured_quad(rdev), 0, 0)
    with pytest.raises(pm.ValidationError, match="fragment function 'fragment_textured' needs a texture at index 0"):
        enc.draw_primitives(pm.PrimitiveType.Triangle, 0, 6)
    enc.end_encoding()

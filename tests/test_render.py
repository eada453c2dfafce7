"""Render passes through the Python API, checked pixel by pixel against numpy references:
coverage by the top-left rule, barycentric colours, depth, stencil, blending, culling,
indexed/instanced draws, viewport/scissor, points/lines/strips, vertex descriptors, MRT,
sRGB, textures in fragment functions (validation: test_render_validation.py)."""

import struct

import numpy as np
import pytest

import pymetal as pm
from render_helpers import (  # noqa: F401  (rdev is a fixture)
    H,
    PF,
    TEXTURE_SHADERS,
    W,
    buf,
    checker_texture,
    coverage,
    f4,
    lib,
    pass_desc,
    pipeline,
    quad_ndc,
    rdev,
    read_f32,
    read_rgba8,
    render,
    solid,
    stage_in_descriptor,
    target,
    textured_quad,
    to_ndc,
    to_window,
)


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
    assert inside.sum() > 500
    assert np.abs(img[inside] - expected[inside]).max() <= 1
    # The clear colour is converted in float32 and rounded to nearest, as GPUs do (0.3f*255 = 76.500003 -> 77).
    clear = np.floor(np.float32([0.1, 0.2, 0.3, 1.0]) * np.float32(255) + np.float32(0.5)).astype(int)
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
    # Window rectangles (NDC y up, window y down): near cols [8, 40) x rows [24, 56),
    # far cols [24, 56) x rows [8, 40); they overlap in cols and rows [24, 40).
    assert (img[24:40, 24:40] == [255, 0, 0, 255]).all()
    assert (img[40:56, 8:24] == [255, 0, 0, 255]).all()
    assert (img[8:24, 40:56] == [0, 255, 0, 255]).all()
    assert (img[8:24, 8:24] == [0, 0, 0, 255]).all()
    d = read_f32(depth)[..., 0]
    assert np.allclose(d[24:40, 24:40], 0.25) and np.allclose(d[8:24, 40:56], 0.5)
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

"""The render API's descriptors (defaults, identity of sub-descriptors) and every
validation error: pipeline descriptors, render passes, encoder calls and draws."""

import numpy as np
import pytest

import pymetal as pm
from render_helpers import (  # noqa: F401  (rdev is a fixture)
    PF,
    TEXTURE_SHADERS,
    lib,
    pass_desc,
    pipeline,
    rdev,
    render,
    stage_in_descriptor,
    target,
    textured_quad,
)


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


def test_fences(rdev):
    fence = rdev.new_fence()
    fence.label = "shadow map done"
    assert fence.label == "shadow map done" and fence.device is rdev and pm.advanced.Fence is pm.Fence
    cb = rdev.new_command_queue().command_buffer()
    enc = cb.render_command_encoder(pass_desc(target(rdev)))
    enc.wait_for_fence(fence)
    enc.update_fence(fence)
    enc.end_encoding()
    with pytest.raises(pm.ValidationError, match="the encoder has ended"):
        enc.update_fence(fence)

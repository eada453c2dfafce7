//! Render API tests on the noop backend: descriptor validation (with hand-made reflection of
//! the stage interfaces), pass validation, draw-time checks and the recorded `RenderPass`.

use pymetal_hal::render as hr;

use crate::*;

const SHARED: ResourceOptions = ResourceOptions::STORAGE_MODE_SHARED;

fn slot(index: u32, kind: msl::ScalarKind, components: u32) -> msl::Slot {
    msl::Slot { index, kind, components }
}

fn varying(name: &str, user: Option<&str>, components: u32) -> msl::Varying {
    msl::Varying {
        name: name.into(),
        user: user.map(Into::into),
        kind: msl::ScalarKind::Float,
        components,
        interpolation: msl::Interpolation::Perspective,
    }
}

fn entry(name: &str, stage: msl::Stage, params: Vec<(&str, msl::Binding)>, io: msl::StageIo) -> msl::EntryPoint {
    msl::EntryPoint {
        name: name.into(),
        function: name.into(),
        stage,
        params: params
            .into_iter()
            .map(|(n, binding)| msl::Param {
                name: n.into(),
                type_text: "device float4*".into(),
                address_space: msl::AddressSpace::Device,
                is_const: true,
                binding,
            })
            .collect(),
        loc: msl::Loc::default(),
        uses_sync: false,
        io,
    }
}

/// A library with: `vs` (buffer 0, outputs `color`), `vs_in` ([[stage_in]] float2 attribute 0
/// and float4 attribute 1, outputs `color`), `fs` (reads `color`, writes float color 0),
/// `fs_tex` (texture 0), `fs_normal` (reads `normal`), `fs_user` (reads `[[user(tint)]]`),
/// `k` (a kernel).
fn library(dev: &Device) -> Library {
    use msl::Binding::{Buffer, Sampler, StageIn, Texture};
    use msl::ScalarKind::Float;
    use msl::Stage::*;
    let vout = || msl::StageIo { varyings: vec![varying("color", None, 4)], ..Default::default() };
    let fin =
        |v: msl::Varying| msl::StageIo { varyings: vec![v], colors: vec![slot(0, Float, 4)], ..Default::default() };
    let reflection = msl::Reflection {
        entry_points: vec![
            entry("vs", Vertex, vec![("positions", Buffer(0))], vout()),
            entry(
                "vs_in",
                Vertex,
                vec![("in", StageIn), ("uniforms", Buffer(5))],
                msl::StageIo { attributes: vec![slot(0, Float, 2), slot(1, Float, 4)], ..vout() },
            ),
            entry("fs", Fragment, vec![], fin(varying("color", None, 4))),
            entry("fs_tex", Fragment, vec![("t", Texture(0)), ("s", Sampler(0))], fin(varying("color", None, 4))),
            entry("fs_normal", Fragment, vec![], fin(varying("normal", None, 3))),
            entry("fs_user", Fragment, vec![], fin(varying("c", Some("tint"), 4))),
            entry("k", Kernel, vec![], Default::default()),
        ],
        function_constants: vec![],
    };
    dev.new_library_with_reflection("", &msl::Options::default(), reflection).unwrap()
}

fn desc(lib: &Library, vs: &str, fs: Option<&str>) -> RenderPipelineDescriptor {
    let mut d = RenderPipelineDescriptor {
        vertex_function: lib.new_function(vs, None),
        fragment_function: fs.and_then(|f| lib.new_function(f, None)),
        ..Default::default()
    };
    d.color_attachments[0].pixel_format = PixelFormat::RGBA8Unorm as u32;
    d
}

fn stage_in_vd() -> VertexDescriptor {
    let mut vd = VertexDescriptor::default();
    vd.attributes[0] = VertexAttributeDescriptor { format: 29, offset: 0, buffer_index: 0 };
    vd.attributes[1] = VertexAttributeDescriptor { format: 9, offset: 8, buffer_index: 0 };
    vd.layouts[0].stride = 12;
    vd
}

fn err(dev: &Device, d: &RenderPipelineDescriptor) -> String {
    let e = dev.new_render_pipeline_state(d).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Validation, "{e}");
    e.to_string()
}

#[test]
fn pipeline_validation() {
    let dev = Device::noop();
    let lib = library(&dev);
    assert!(dev.new_render_pipeline_state(&desc(&lib, "vs", Some("fs"))).is_ok());
    assert!(err(&dev, &desc(&lib, "vs", Some("fs_normal")))
        .contains("fragment input 'normal' of 'fs_normal' has no matching output in vertex function 'vs'"));
    assert!(err(&dev, &desc(&lib, "vs", Some("fs_user"))).contains("fragment input 'tint'"));
    assert!(err(&dev, &desc(&lib, "k", Some("fs"))).contains("vertex_function 'k' is a Kernel function"));
    let mut d = desc(&lib, "vs", Some("fs"));
    d.vertex_function = None;
    assert_eq!(err(&dev, &d), "Failed to create render pipeline: no vertex function (set vertex_function)");

    let mut d = desc(&lib, "vs_in", Some("fs"));
    assert!(
        err(&dev, &d).contains("reads [[stage_in]] attribute(s) [0, 1] but the descriptor has no vertex_descriptor")
    );
    let mut vd = stage_in_vd();
    vd.attributes[1].format = 0;
    d.vertex_descriptor = Some(vd);
    assert!(err(&dev, &d).contains("unknown vertex attribute 1"));
    let mut vd = stage_in_vd();
    vd.layouts[0].stride = 0;
    d.vertex_descriptor = Some(vd);
    assert!(err(&dev, &d).contains("layout(0).stride is 0"));
    let mut vd = stage_in_vd();
    vd.attributes[0].format = 33; // Int2 for a float2
    d.vertex_descriptor = Some(vd);
    assert!(err(&dev, &d).contains("has an integer format but vertex function 'vs_in' declares it as floating-point"));
    let mut vd = stage_in_vd();
    vd.attributes[1].buffer_index = 5;
    vd.layouts[5].stride = 4;
    vd.attributes[1].offset = 0;
    d.vertex_descriptor = Some(vd);
    assert!(err(&dev, &d).contains("uses [[buffer(5)]] for parameter 'uniforms'"));
    d.vertex_descriptor = Some(stage_in_vd());
    let p = dev.new_render_pipeline_state(&d).unwrap();
    let vd = p.vertex_descriptor().unwrap();
    assert_eq!(vd.attributes[1], Some(hr::VertexAttribute { format: 9, offset: 8, buffer_index: 0 }));
    assert_eq!(vd.layouts[0].unwrap().stride, 12);
    assert!(vd.layouts[1].is_none());

    let mut d = desc(&lib, "vs", Some("fs"));
    d.color_attachments[0].pixel_format = PixelFormat::R32Uint as u32;
    assert!(err(&dev, &d).contains("writes floating-point values to color(0)"));
    d.color_attachments[0].pixel_format = PixelFormat::RGBA8Unorm as u32;
    d.depth_attachment_pixel_format = PixelFormat::Depth32Float as u32;
    d.stencil_attachment_pixel_format = PixelFormat::Stencil8 as u32;
    assert!(err(&dev, &d).contains("must be the same combined depth/stencil format"));
    d.stencil_attachment_pixel_format = 0;
    d.color_attachments[2].destination_alpha_blend_factor = 99;
    assert!(err(&dev, &d).contains("color attachment 2: destination_alpha_blend_factor 99 is not a BlendFactor"));

    let other = Device::noop();
    let e = other.new_render_pipeline_state(&desc(&lib, "vs", Some("fs"))).unwrap_err();
    assert!(e.to_string().contains("belongs to another device"));
}

#[test]
fn depth_stencil_state() {
    let dev = Device::noop();
    let mut d = DepthStencilDescriptor { label: "ds".into(), ..Default::default() };
    d.depth_compare_function = 1;
    d.depth_write_enabled = true;
    d.back_face_stencil.depth_stencil_pass_operation = 2;
    let s = dev.new_depth_stencil_state(&d).unwrap();
    assert_eq!(s.label(), "ds");
    assert_eq!(s.state().depth_compare, hr::CompareFunction::Less);
    assert_eq!(s.state().back.depth_stencil_pass, hr::StencilOperation::Replace);
    d.front_face_stencil.stencil_failure_operation = 8;
    let e = dev.new_depth_stencil_state(&d).unwrap_err();
    assert_eq!(
        e.to_string(),
        "Device.new_depth_stencil_state: front_face_stencil.stencil_failure_operation 8 is not a StencilOperation"
    );
}

fn target(dev: &Device, format: PixelFormat, w: u64, h: u64) -> Texture {
    dev.new_texture(&TextureDescriptor::texture2d(format as u32, w, h, false)).unwrap()
}

fn pass(color: &Texture) -> RenderPassDescriptor {
    let mut rp = RenderPassDescriptor::default();
    rp.color_attachments[0].base.texture = Some(color.clone());
    rp.color_attachments[0].base.load_action = 2;
    rp
}

struct TestSampler(Device);

impl SamplerBinding for TestSampler {
    fn device(&self) -> &Device {
        &self.0
    }
    fn pm_sampler(&self) -> hal::abi::PmSampler {
        hal::abi::PmSampler { min_filter: 1, ..Default::default() }
    }
}

#[test]
fn encode_and_record() {
    let dev = Device::noop();
    let lib = library(&dev);
    let queue = dev.new_command_queue().unwrap();
    let color = target(&dev, PixelFormat::RGBA8Unorm, 32, 16);
    let cb = queue.command_buffer();
    let other = Device::noop();
    let mut rp = pass(&color);
    rp.color_attachments[1].base.texture = Some(target(&other, PixelFormat::RGBA8Unorm, 32, 16));
    let e = cb.render_command_encoder(&rp).unwrap_err();
    assert!(e.to_string().contains("the texture of color_attachment(1) belongs to another device"), "{e}");

    let enc = cb.render_command_encoder(&pass(&color)).unwrap();
    assert_eq!(enc.size(), [32, 16]);
    let p = dev.new_render_pipeline_state(&desc(&lib, "vs", Some("fs_tex"))).unwrap();
    let buf = dev.new_buffer(256, SHARED).unwrap();
    assert!(matches!(enc.draw_primitives(3, 0, 3, 1, 0), Err(DrawError::NoPipeline { .. })));
    enc.set_render_pipeline_state(&p).unwrap();
    let e = enc.draw_primitives(3, 0, 3, 1, 0).unwrap_err();
    assert!(e.to_string().contains("vertex function 'vs' needs a buffer at index 0 (parameter 'positions')"), "{e}");
    enc.set_buffer(Stage::Vertex, &buf, 16, 0).unwrap();
    let e = enc.draw_primitives(3, 0, 3, 1, 0).unwrap_err();
    assert!(e.to_string().contains("fragment function 'fs_tex' needs a texture at index 0"), "{e}");
    enc.set_texture(Stage::Fragment, Some(&color), 0).unwrap();
    let e = enc.draw_primitives(3, 0, 3, 1, 0).unwrap_err();
    assert!(e.to_string().contains("call set_fragment_sampler_state with index 0"), "{e}");
    let foreign = TestSampler(other.clone());
    assert!(enc.set_sampler_state(Stage::Fragment, Some(&foreign), 0).is_err());
    let s = TestSampler(dev.clone());
    assert!(matches!(
        enc.set_sampler_state(Stage::Fragment, Some(&s), 17),
        Err(RenderEncodeError::SamplerIndex { index: 17, .. })
    ));
    enc.set_sampler_state(Stage::Fragment, Some(&s), 0).unwrap();
    enc.set_sampler_state(Stage::Fragment, Some(&s), 16).unwrap();
    enc.set_cull_mode(2).unwrap();
    enc.set_scissor_rect(1, 2, 3, 4).unwrap();
    assert!(enc.set_scissor_rect(30, 0, 3, 1).is_err());
    enc.draw_primitives(3, 0, 3, 2, 1).unwrap();
    enc.draw_primitives(3, 0, 0, 1, 0).unwrap(); // nothing recorded
    let idx = dev.new_buffer(12, SHARED).unwrap();
    enc.draw_indexed_primitives(4, 6, 0, &idx, 0, 1, -2, 0).unwrap();
    let e = enc.draw_indexed_primitives(4, 6, 1, &idx, 0, 1, 0, 0).unwrap_err();
    assert!(e.to_string().contains("the indices (bytes 0..24) exceed the index buffer's length (12)"), "{e}");
    let foreign_idx = other.new_buffer(12, SHARED).unwrap();
    assert!(enc.draw_indexed_primitives(4, 6, 0, &foreign_idx, 0, 1, 0, 0).is_err());
    enc.end_encoding().unwrap();
    cb.commit().unwrap();
    cb.wait_until_completed().unwrap();
    assert_eq!(cb.status(), CommandBufferStatus::Completed);

    // the recorded pass, as the backend gets it
    let cb = queue.command_buffer();
    let enc = cb.render_command_encoder(&pass(&color)).unwrap();
    enc.set_render_pipeline_state(&p).unwrap();
    let bad = dev.new_render_pipeline_state(&{
        let mut d = desc(&lib, "vs", Some("fs"));
        d.color_attachments[0].pixel_format = PixelFormat::BGRA8Unorm as u32;
        d
    });
    enc.set_render_pipeline_state(&bad.unwrap()).unwrap();
    enc.set_buffer(Stage::Vertex, &buf, 0, 0).unwrap();
    let e = enc.draw_primitives(3, 0, 3, 1, 0).unwrap_err();
    assert_eq!(
        e.to_string(),
        "RenderCommandEncoder.draw_primitives: the pipeline's color attachment 0 pixel format (BGRA8Unorm) does \
         not match the render pass's (RGBA8Unorm)"
    );
    enc.end_encoding().unwrap();
}

#[test]
fn vertex_fetch_bounds() {
    let dev = Device::noop();
    let lib = library(&dev);
    let queue = dev.new_command_queue().unwrap();
    let color = target(&dev, PixelFormat::RGBA8Unorm, 8, 8);
    let mut d = desc(&lib, "vs_in", Some("fs"));
    d.vertex_descriptor = Some(stage_in_vd());
    let p = dev.new_render_pipeline_state(&d).unwrap();
    let cb = queue.command_buffer();
    let enc = cb.render_command_encoder(&pass(&color)).unwrap();
    enc.set_render_pipeline_state(&p).unwrap();
    enc.set_bytes(Stage::Vertex, &[0; 16], 5).unwrap();
    assert!(matches!(enc.draw_primitives(3, 0, 3, 1, 0), Err(DrawError::MissingVertexBuffer { buffer: 0, .. })));
    let vb = dev.new_buffer(48, SHARED).unwrap();
    enc.set_buffer(Stage::Vertex, &vb, 12, 0).unwrap();
    enc.draw_primitives(3, 0, 3, 1, 0).unwrap();
    let e = enc.draw_primitives(3, 1, 3, 1, 0).unwrap_err();
    assert!(
        e.to_string().contains("vertex attribute 0 reads bytes 36..44 of vertex buffer 0, which has 36 bytes"),
        "{e}"
    );
    assert!(enc.draw_primitives(3, u32::MAX as u64, 2, 1, 0).is_err());
    enc.end_encoding().unwrap();
}

#[test]
fn pass_validation() {
    let dev = Device::noop();
    let queue = dev.new_command_queue().unwrap();
    let cb = queue.command_buffer();
    let color = target(&dev, PixelFormat::RGBA8Unorm, 16, 16);
    let e = cb.render_command_encoder(&RenderPassDescriptor::default()).unwrap_err();
    assert!(matches!(e, NewRenderEncoderError::NoAttachments));
    let mut rp = pass(&color);
    rp.depth_attachment.base.texture = Some(target(&dev, PixelFormat::Depth32Float, 16, 8));
    let e = cb.render_command_encoder(&rp).unwrap_err();
    assert_eq!(
        e.to_string(),
        "CommandBuffer.render_command_encoder: attachments must all have the same size: depth_attachment is 16x8 \
         but color_attachment(0) is 16x16"
    );
    let mip = dev.new_texture(&TextureDescriptor::texture2d(PixelFormat::RGBA8Unorm as u32, 32, 32, true)).unwrap();
    let mut rp = pass(&mip);
    rp.color_attachments[0].base.level = 1;
    rp.depth_attachment.base.texture = Some(target(&dev, PixelFormat::Depth32Float, 16, 16));
    let enc = cb.render_command_encoder(&rp).unwrap();
    assert_eq!(enc.size(), [16, 16]);
    enc.end_encoding().unwrap();
}

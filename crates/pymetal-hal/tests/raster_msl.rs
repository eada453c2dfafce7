//! Render pipelines from MSL on the CPU device.

use pymetal_hal::render::*;
use pymetal_hal::{Device, HalError, PixelFormat, StorageMode, TextureDesc};

const SRC: &str = r#"
#include <metal_stdlib>
using namespace metal;
struct VOut { float4 pos [[position]]; float4 color [[user(c)]]; };
vertex VOut vs(uint vid [[vertex_id]], const device float4* p [[buffer(0)]]) {
    VOut o; o.pos = float4(p[vid].xy, 0.5, 1.0); o.color = float4(p[vid].zw, 0.0, 1.0); return o;
}
struct FIn { float4 colour [[user(c)]]; };
fragment float4 fs(FIn in [[stage_in]]) { return in.colour; }
struct FBad { float4 normal [[user(n)]]; };
fragment float4 fs_bad(FBad in [[stage_in]]) { return in.normal; }
"#;

fn desc<'a>(lib: &'a msl::Library, vs: &'a str, fs: &'a str, c: &'a msl::ConstantValues) -> RenderPipelineDesc<'a> {
    let mut colors = [None; 8];
    colors[0] = Some(ColorAttachmentState {
        pixel_format: PixelFormat::RGBA8Unorm,
        write_mask: 0xF,
        blending_enabled: false,
        source_rgb: BlendFactor::One,
        destination_rgb: BlendFactor::Zero,
        rgb_operation: BlendOperation::Add,
        source_alpha: BlendFactor::One,
        destination_alpha: BlendFactor::Zero,
        alpha_operation: BlendOperation::Add,
    });
    RenderPipelineDesc {
        vertex_library: lib,
        vertex_function: vs,
        vertex_constants: c,
        fragment: Some((lib, fs, c)),
        vertex_descriptor: None,
        color_attachments: colors,
        depth_format: None,
        stencil_format: None,
    }
}

#[test]
fn unknown_or_wrong_stage_functions_are_device_errors() {
    let lib = msl::Library::new(SRC, &msl::Options::default()).expect("library");
    let dev = pymetal_hal::cpu::CpuDevice::shared_cpu();
    let c = msl::ConstantValues::default();
    for (vs, fs, what) in [("nope", "fs", "'nope'"), ("vs", "nope", "'nope'"), ("fs", "fs", "not a vertex")] {
        match dev.new_render_pipeline(&desc(&lib, vs, fs, &c)) {
            Err(HalError::Device(m)) => assert!(m.contains(what), "{m}"),
            Err(e) => panic!("unexpected error {e}"),
            Ok(_) => panic!("{vs}/{fs} must fail"),
        }
    }
}

#[test]
fn msl_pipeline_draws_a_triangle_and_checks_varyings() {
    let lib = msl::Library::new(SRC, &msl::Options::default()).expect("library");
    let dev = pymetal_hal::cpu::CpuDevice::shared_cpu();
    let c = msl::ConstantValues::default();
    match dev.new_render_pipeline(&desc(&lib, "vs", "fs_bad", &c)) {
        Err(HalError::Device(m)) => assert!(m.contains("'n'"), "{m}"),
        Err(e) => panic!("unexpected error {e}"),
        Ok(_) => panic!("an unmatched fragment input must fail"),
    }
    let pipe = dev.new_render_pipeline(&desc(&lib, "vs", "fs", &c)).expect("pipeline");
    // Full-screen triangle; colour (r, g) = (x, y) in NDC corners.
    let verts: [f32; 12] = [-1.0, -1.0, 0.0, 0.0, 3.0, -1.0, 1.0, 0.0, -1.0, 3.0, 0.0, 1.0];
    let bytes: Vec<u8> = verts.iter().flat_map(|f| f.to_le_bytes()).collect();
    let td = TextureDesc {
        width: 8,
        height: 8,
        depth: 1,
        mip_levels: 1,
        slices: 1,
        bytes_per_pixel: 4,
        format: PixelFormat::RGBA8Unorm,
        texture_type: 2,
        storage_mode: StorageMode::Shared,
    };
    let t = dev.new_texture(&td).expect("texture");
    let draw = Draw {
        pipeline: pipe,
        vertex: StageResources {
            buffers: vec![Some(pymetal_hal::BufferBinding::Bytes(bytes.into()))],
            ..Default::default()
        },
        fragment: StageResources::default(),
        depth_stencil: DepthStencilState::DEFAULT,
        stencil_reference: [0; 2],
        cull_mode: CullMode::None,
        front_facing: Winding::Clockwise,
        fill_mode: TriangleFillMode::Fill,
        viewport: Viewport { origin_x: 0.0, origin_y: 0.0, width: 8.0, height: 8.0, znear: 0.0, zfar: 1.0 },
        scissor: None,
        blend_color: [0.0; 4],
        primitive: PrimitiveType::Triangle,
        vertex_start: 0,
        vertex_count: 3,
        instance_count: 1,
        base_instance: 0,
        index: None,
        base_vertex: 0,
    };
    let mut colors: [Option<(Attachment, [f64; 4])>; 8] = Default::default();
    let att = Attachment {
        texture: t.clone(),
        format: PixelFormat::RGBA8Unorm,
        level: 0,
        slice: 0,
        depth_plane: 0,
        load: LoadAction::Clear,
        store: StoreAction::Store,
    };
    colors[0] = Some((att, [0.0; 4]));
    let pass = RenderPass { colors, depth: None, stencil: None, size: [8, 8], draws: vec![draw] };
    pymetal_hal::raster::run_pass(None, &pass).expect("pass");
    let px = |x: usize, y: usize| {
        let p = t.contents().expect("host");
        // SAFETY: inside the 8×8 texture.
        unsafe { std::slice::from_raw_parts(p.add((y * 8 + x) * 4), 4) }.to_vec()
    };
    // Pixel (x, y): NDC ((x + 0.5) / 4 − 1, 1 − (y + 0.5) / 4); r = (ndc_x + 1) / 4, g = (ndc_y + 1) / 4.
    for (x, y) in [(0usize, 0usize), (3, 4), (7, 7), (6, 1)] {
        let (nx, ny) = ((x as f32 + 0.5) / 4.0 - 1.0, 1.0 - (y as f32 + 0.5) / 4.0);
        let want = [((nx + 1.0) / 4.0 * 255.0).round() as u8, ((ny + 1.0) / 4.0 * 255.0).round() as u8, 0, 255];
        let got = px(x, y);
        for k in 0..4 {
            assert!((got[k] as i32 - want[k] as i32).abs() <= 1, "({x},{y}): {got:?} vs {want:?}");
        }
    }
}

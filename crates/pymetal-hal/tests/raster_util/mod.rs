//! Helpers of the rasterizer tests: Rust stage functions following docs/abi.md §5, targets,
//! passes and draws with Metal's defaults.
#![allow(dead_code, unsafe_op_in_unsafe_fn, clippy::needless_range_loop)]

use pymetal_hal::abi::{PmDispatch, PmFragmentBatch, PmVertexBatch};
use pymetal_hal::cpu::{CpuDevice, CpuRenderPipeline};
use pymetal_hal::raster::{RasterProgram, VaryingRoute};
use pymetal_hal::render::*;
use pymetal_hal::{BufferBinding, HostTexture, PixelFormat, StorageMode, Texture, TextureDesc};
use std::sync::Arc;

pub use msl::Interpolation;

/// Vertex layout of buffer 0 for `vs_basic`: position (4 floats), point size, 4 varyings.
pub const VW: usize = 9;

/// Copies 9 floats per vertex from buffer 0 (indexed by vertex_id): position, point size,
/// 4 varying words; adds `instance_id * buffer1[0]` to x when buffer 1 is bound.
pub unsafe extern "C" fn vs_basic(d: *const PmDispatch, b: *mut PmVertexBatch) {
    let (d, b) = (&*d, &mut *b);
    let src = d.buffers[0] as *const f32;
    let shift = d.buffers[1] as *const f32;
    for i in 0..b.count as usize {
        let vid = *b.vertex_id.add(i) as usize;
        let out = b.out.add(i * b.out_stride as usize);
        for k in 0..VW {
            *out.add(k) = *src.add(vid * VW + k);
        }
        if !shift.is_null() {
            *out += (*b.instance_id.add(i) - b.base_instance) as f32 * *shift;
        }
    }
}

/// Writes vertex_id, instance_id, base_vertex, base_instance as the 4 varying words (bits).
pub unsafe extern "C" fn vs_ids(d: *const PmDispatch, b: *mut PmVertexBatch) {
    vs_basic(d, b);
    let b = &mut *b;
    for i in 0..b.count as usize {
        let out = b.out.add(i * b.out_stride as usize);
        *out.add(5) = f32::from_bits(*b.vertex_id.add(i));
        *out.add(6) = f32::from_bits(*b.instance_id.add(i));
        *out.add(7) = f32::from_bits(b.base_vertex);
        *out.add(8) = f32::from_bits(b.base_instance);
    }
}

/// Vertex descriptor driven: attribute 0 (position, 4 words) and attribute 1 (colour).
pub unsafe extern "C" fn vs_attrs(_d: *const PmDispatch, b: *mut PmVertexBatch) {
    let b = &mut *b;
    for i in 0..b.count as usize {
        let a = b.attributes.add(i * b.attr_stride as usize);
        let out = b.out.add(i * b.out_stride as usize);
        for k in 0..4 {
            *out.add(k) = f32::from_bits(*a.add(k));
            *out.add(5 + k) = f32::from_bits(*a.add(4 + k));
        }
        *out.add(4) = 1.0;
    }
}

/// Colour 0 = the first 4 varying words (or fewer); colour 1 = words 4..8 when present.
pub unsafe extern "C" fn fs_varyings(_d: *const PmDispatch, b: *mut PmFragmentBatch) {
    let b = &mut *b;
    let n = b.in_stride as usize;
    for i in 0..b.count as usize {
        for k in 0..n.min(8) {
            let c = k / 4;
            *b.color.add((i * 8 + c) * 4 + k % 4) = (*b.varyings.add(i * n + k)).to_bits();
        }
    }
}

/// Colour 0 = (front_facing, primitive_id, point_coord.x, point_coord.y) as floats.
pub unsafe extern "C" fn fs_builtins(_d: *const PmDispatch, b: *mut PmFragmentBatch) {
    let b = &mut *b;
    for i in 0..b.count as usize {
        let v = [
            *b.front_facing.add(i) as f32,
            *b.primitive_id.add(i) as f32,
            *b.point_coord.add(2 * i),
            *b.point_coord.add(2 * i + 1),
        ];
        for k in 0..4 {
            *b.color.add(i * 32 + k) = v[k].to_bits();
        }
    }
}

/// Colour 0 = the fragment's position (x, y, z, 1/w).
pub unsafe extern "C" fn fs_position(_d: *const PmDispatch, b: *mut PmFragmentBatch) {
    let b = &mut *b;
    for i in 0..b.count as usize {
        for k in 0..4 {
            *b.color.add(i * 32 + k) = (*b.position.add(4 * i + k)).to_bits();
        }
    }
}

/// Colour 0 = (1, 1, 1, 1): counts coverage with additive blending.
pub unsafe extern "C" fn fs_one(_d: *const PmDispatch, b: *mut PmFragmentBatch) {
    let b = &mut *b;
    for i in 0..b.count as usize {
        for k in 0..4 {
            *b.color.add(i * 32 + k) = 1f32.to_bits();
        }
    }
}

/// Discards fragments whose first varying word is < 0.5; colour 0 = varyings.
pub unsafe extern "C" fn fs_discard(d: *const PmDispatch, b: *mut PmFragmentBatch) {
    fs_varyings(d, b);
    let b = &mut *b;
    for i in 0..b.count as usize {
        if *b.varyings.add(i * b.in_stride as usize) < 0.5 {
            *b.discarded.add(i) = 1;
        }
    }
}

pub fn color_state(format: PixelFormat) -> ColorAttachmentState {
    ColorAttachmentState {
        pixel_format: format,
        write_mask: 0xF,
        blending_enabled: false,
        source_rgb: BlendFactor::One,
        destination_rgb: BlendFactor::Zero,
        rgb_operation: BlendOperation::Add,
        source_alpha: BlendFactor::One,
        destination_alpha: BlendFactor::Zero,
        alpha_operation: BlendOperation::Add,
    }
}

pub fn additive(format: PixelFormat) -> ColorAttachmentState {
    ColorAttachmentState {
        blending_enabled: true,
        destination_rgb: BlendFactor::One,
        destination_alpha: BlendFactor::One,
        ..color_state(format)
    }
}

pub fn routes(interp: &[Interpolation]) -> Vec<VaryingRoute> {
    interp.iter().map(|&i| VaryingRoute { src_word: 5, components: 4, interpolation: i }).collect()
}

pub struct ProgramBuilder(pub RasterProgram);

pub fn program(
    vertex: pymetal_hal::abi::PmVertexFn,
    fragment: Option<pymetal_hal::abi::PmFragmentFn>,
    color: Option<ColorAttachmentState>,
) -> RasterProgram {
    let mut colors = [None; 8];
    colors[0] = color;
    RasterProgram {
        vertex,
        fragment,
        vertex_out_words: VW as u32,
        varyings: routes(&[Interpolation::Perspective]),
        color_outputs: 1,
        writes_depth: false,
        vertex_descriptor: None,
        colors,
        depth_format: None,
        stencil_format: None,
    }
}

pub fn pipeline(p: RasterProgram) -> Arc<dyn RenderPipeline> {
    Arc::new(CpuRenderPipeline::from_program(p).expect("valid program"))
}

pub fn texture(format: PixelFormat, w: u32, h: u32) -> Arc<dyn Texture> {
    let desc = TextureDesc {
        width: w,
        height: h,
        depth: 1,
        mip_levels: 1,
        slices: 1,
        bytes_per_pixel: format.bytes_per_pixel(),
        format,
        texture_type: 2,
        storage_mode: StorageMode::Shared,
    };
    Arc::new(HostTexture::new(&desc).expect("texture"))
}

pub fn bytes_of(v: &[f32]) -> BufferBinding {
    let b: Vec<u8> = v.iter().flat_map(|f| f.to_le_bytes()).collect();
    BufferBinding::Bytes(b.into())
}

/// A vertex for `vs_basic` at window position (x, y) of a w×h target, depth z, clip w.
pub fn vtx(x: f64, y: f64, z: f32, w: f32, size: [u32; 2], var: [f32; 4]) -> [f32; VW] {
    let nx = (x / size[0] as f64 * 2.0 - 1.0) as f32;
    let ny = (1.0 - y / size[1] as f64 * 2.0) as f32;
    [nx * w, ny * w, z * w, w, 1.0, var[0], var[1], var[2], var[3]]
}

pub fn draw(pipe: &Arc<dyn RenderPipeline>, verts: &[f32], primitive: PrimitiveType, size: [u32; 2]) -> Draw {
    Draw {
        pipeline: pipe.clone(),
        vertex: StageResources { buffers: vec![Some(bytes_of(verts))], ..Default::default() },
        fragment: StageResources::default(),
        depth_stencil: DepthStencilState::DEFAULT,
        stencil_reference: [0, 0],
        cull_mode: CullMode::None,
        front_facing: Winding::Clockwise,
        fill_mode: TriangleFillMode::Fill,
        viewport: Viewport {
            origin_x: 0.0,
            origin_y: 0.0,
            width: size[0] as f64,
            height: size[1] as f64,
            znear: 0.0,
            zfar: 1.0,
        },
        scissor: None,
        blend_color: [0.0; 4],
        primitive,
        vertex_start: 0,
        vertex_count: (verts.len() / VW) as u32,
        instance_count: 1,
        base_instance: 0,
        index: None,
        base_vertex: 0,
    }
}

pub fn attachment(t: &Arc<dyn Texture>, load: LoadAction) -> Attachment {
    Attachment {
        texture: t.clone(),
        format: t.desc().format,
        level: 0,
        slice: 0,
        depth_plane: 0,
        load,
        store: StoreAction::Store,
    }
}

pub fn pass(color: &Arc<dyn Texture>, clear: [f64; 4], draws: Vec<Draw>) -> RenderPass {
    let mut colors: [Option<(Attachment, [f64; 4])>; 8] = Default::default();
    colors[0] = Some((attachment(color, LoadAction::Clear), clear));
    RenderPass { colors, depth: None, stencil: None, size: [color.desc().width, color.desc().height], draws }
}

pub fn run(p: &RenderPass) {
    let dev = CpuDevice::shared_cpu();
    let pool = if std::env::var_os("H3_SERIAL").is_some() { None } else { dev.pool().map(|p| &**p) };
    pymetal_hal::raster::run_pass(pool, p).expect("pass runs");
}

/// Texel (x, y) as four words (`PixelFormat::read`).
pub fn texel(t: &Arc<dyn Texture>, x: u32, y: u32) -> [u32; 4] {
    let d = t.desc();
    let bpp = d.bytes_per_pixel as usize;
    let p = t.contents().expect("host texture");
    // SAFETY: inside the texture.
    let s = unsafe { std::slice::from_raw_parts(p.add((y * d.width + x) as usize * bpp), bpp) };
    d.format.read(s)
}

pub fn texf(t: &Arc<dyn Texture>, x: u32, y: u32) -> [f32; 4] {
    texel(t, x, y).map(f32::from_bits)
}

pub fn raw(t: &Arc<dyn Texture>, x: u32, y: u32) -> Vec<u8> {
    let d = t.desc();
    let bpp = d.bytes_per_pixel as usize;
    let p = t.contents().expect("host texture");
    // SAFETY: inside the texture.
    unsafe { std::slice::from_raw_parts(p.add((y * d.width + x) as usize * bpp), bpp) }.to_vec()
}

/// xorshift64*: deterministic test data without a dependency.
pub struct Rng(pub u64);
impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    /// Uniform in [lo, hi).
    pub fn f(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Colour 0 = varyings; depth = 0.1 (a `[[depth(any)]]` output).
pub unsafe extern "C" fn fs_depth(d: *const PmDispatch, b: *mut PmFragmentBatch) {
    fs_varyings(d, b);
    let b = &mut *b;
    for i in 0..b.count as usize {
        *b.depth.add(i) = 0.1;
    }
}

/// An index buffer holding `bytes` at `offset`.
pub fn index_buffer(bytes: &[u8], offset: usize) -> Arc<dyn pymetal_hal::Buffer> {
    let dev = CpuDevice::shared_cpu();
    let b = pymetal_hal::Device::new_buffer(&*dev, bytes.len() + offset, StorageMode::Shared).expect("buffer");
    // SAFETY: a fresh host buffer of that size.
    unsafe { std::ptr::copy_nonoverlapping(bytes.as_ptr(), b.contents().expect("host").add(offset), bytes.len()) };
    b
}

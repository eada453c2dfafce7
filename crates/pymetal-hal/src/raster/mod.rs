//! The software rasterizer: runs render passes for host-memory backends.
//!
//! A pass goes draw by draw through
//! 1. [`fetch`]: vertex attributes per the vertex descriptor, indices, `pm_vertex_<k>` in
//!    batches (on the pool for large draws);
//! 2. [`setup`]: primitive assembly, clipping (near/far planes and a guard band; x/y are
//!    bounded by the viewport/scissor rectangle at raster time), viewport transform, culling,
//!    and binning of each primitive into the 64×64 screen tiles it touches;
//! 3. [`scan`]: per tile, in primitive order, triangles (fixed-point edge functions, top-left
//!    rule), lines and points become fragments, shaded in batches and tested/blended by
//!    [`output`]. Tiles run in parallel on the device's pool: each owns its pixels, so the
//!    order of primitives per pixel is the encoding order.
//!
//! Draws are accumulated (vertex shading and setup) until many primitives are waiting, then
//! the tiles are flushed, so passes of many small draws pay the parallel launch only once.

pub mod fetch;
pub mod output;
pub mod scan;
pub mod setup;

use std::panic::{catch_unwind, AssertUnwindSafe};

use crate::abi::{PmFragmentFn, PmVertexFn, MAX_COLOR_ATTACHMENTS};
use crate::render::{ColorAttachmentState, Draw, RenderPass, StageResources, VertexDescriptor};
use crate::{ExecError, PixelFormat};

pub type ExecResult<T> = Result<T, ExecError>;

/// Side of a screen tile in pixels.
pub const TILE: i32 = 64;
/// Waiting primitives that trigger a flush of the tiles.
const FLUSH_PRIMS: usize = 1 << 18;

/// Where one fragment varying comes from in the shaded vertex.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VaryingRoute {
    /// First word in the vertex function's output (after position and point size: ≥ 5).
    pub src_word: u32,
    /// 1–4 words.
    pub components: u32,
    pub interpolation: msl::Interpolation,
}

/// Everything the rasterizer needs from a render pipeline: the stage functions, the stage
/// interface and the fixed-function state.
#[derive(Clone)]
pub struct RasterProgram {
    pub vertex: PmVertexFn,
    /// None: no colour output (depth/stencil only).
    pub fragment: Option<PmFragmentFn>,
    /// Words per shaded vertex: 4 position + 1 point size + the varyings.
    pub vertex_out_words: u32,
    /// The fragment's `[[stage_in]]` varyings in its own order.
    pub varyings: Vec<VaryingRoute>,
    /// Bit c: the fragment function writes `[[color(c)]]`.
    pub color_outputs: u8,
    pub writes_depth: bool,
    pub vertex_descriptor: Option<VertexDescriptor>,
    pub colors: [Option<ColorAttachmentState>; MAX_COLOR_ATTACHMENTS],
    pub depth_format: Option<PixelFormat>,
    pub stencil_format: Option<PixelFormat>,
}

impl RasterProgram {
    /// Words per fragment in the batch's `varyings`.
    pub fn varying_words(&self) -> usize {
        self.varyings.iter().map(|v| v.components as usize).sum()
    }
}

/// How shaded vertices are stored: the vertex function's words, then a copy of every word a
/// screen-linear varying reads. Clipping interpolates the copies in window space and the
/// originals in clip space, so one output may feed both kinds of fragment input.
pub struct VertexLayout {
    /// Words per stored vertex.
    pub stride: usize,
    /// (source word, copy) pairs, filled after the vertex function ran.
    pub copies: Vec<(usize, usize)>,
    /// The fragment varyings' routes into the stored vertex.
    pub routes: Vec<VaryingRoute>,
}

impl VertexLayout {
    pub fn new(p: &RasterProgram) -> VertexLayout {
        let mut stride = p.vertex_out_words as usize;
        let mut copies = Vec::new();
        let routes = p
            .varyings
            .iter()
            .map(|r| {
                if r.interpolation != msl::Interpolation::NoPerspective {
                    return *r;
                }
                let at = stride;
                for c in 0..r.components as usize {
                    copies.push((r.src_word as usize + c, at + c));
                }
                stride += r.components as usize;
                VaryingRoute { src_word: at as u32, ..*r }
            })
            .collect();
        VertexLayout { stride, copies, routes }
    }
    /// The words clipping interpolates in window space.
    pub fn screen_linear(&self) -> Vec<usize> {
        self.copies.iter().map(|&(_, d)| d).collect()
    }
}

/// A `pm_dispatch` for a render stage (only buffers, textures and samplers are meaningful).
pub struct StageDispatch {
    /// Boxed: `ptr()` hands out the block's address, which must survive moves of this value
    /// (a DrawCtx keeps the pointer next to the StageDispatch it came from).
    launch: Box<crate::cpu::exec::Launch>,
    _tables: crate::texture::StageTables,
}

impl StageDispatch {
    pub fn new(res: &StageResources) -> ExecResult<StageDispatch> {
        for b in res.buffers.iter().flatten() {
            if let crate::BufferBinding::Buffer { buffer, .. } = b {
                if fetch::host_ptr(buffer).is_none() {
                    return Err(ExecError { message: "a buffer of another device was used on the CPU device".into() });
                }
            }
        }
        let grid = crate::Grid::Threadgroups { groups: [1; 3], threads_per_group: [1; 3] };
        let mut launch = Box::new(crate::cpu::exec::Launch::new(&res.buffers, &[], grid)?);
        let tables = crate::texture::stage_tables(&res.textures, &res.samplers)?;
        tables.apply(&mut launch.d);
        Ok(StageDispatch { launch, _tables: tables })
    }
    pub fn ptr(&self) -> fetch::DispatchPtr {
        fetch::DispatchPtr(&self.launch.d)
    }
}

/// One draw, ready for the tiles: shaded vertices (plus clipping's), the raster rectangle.
pub struct DrawCtx<'a> {
    pub draw: &'a Draw,
    pub program: &'a RasterProgram,
    pub layout: VertexLayout,
    pub pool: fetch::VertexPool,
    pub fragment: fetch::DispatchPtr,
    /// Pixels that may be written: target ∩ viewport ∩ scissor, [x0, y0, x1, y1).
    pub rect: [i32; 4],
    /// Set by the first fault in this draw's fragment function (`cpu::guard`).
    pub fault: std::sync::OnceLock<String>,
    _vertex_dispatch: StageDispatch,
    _fragment_dispatch: StageDispatch,
}

/// An attachment image in host memory.
#[derive(Clone, Copy)]
pub struct Plane {
    pub base: *mut u8,
    pub pitch: usize,
    pub bpp: usize,
    pub format: PixelFormat,
}

impl Plane {
    /// The texel at (x, y) (in the target: the rasterizer never leaves it).
    ///
    /// A mutable slice from a shared `Plane`: the plane is a raw view of attachment memory,
    /// and callers hold at most one texel slice at a time, of a pixel their tile owns.
    #[inline]
    #[allow(clippy::mut_from_ref)]
    pub fn texel(&self, x: i32, y: i32) -> &mut [u8] {
        // SAFETY: x, y lie in the pass's size, which the object model checked against the
        // attachment; tiles own disjoint pixels, so no two threads touch one texel.
        unsafe {
            std::slice::from_raw_parts_mut(self.base.add(y as usize * self.pitch + x as usize * self.bpp), self.bpp)
        }
    }
}

/// The pass's attachments.
#[derive(Clone, Copy)]
pub struct Targets {
    pub colors: [Option<Plane>; MAX_COLOR_ATTACHMENTS],
    pub depth: Option<Plane>,
    pub stencil: Option<Plane>,
    pub size: [u32; 2],
}

// SAFETY: raw pointers to attachment memory kept alive by the pass; see `Plane::texel`.
unsafe impl Send for Targets {}
// SAFETY: as above.
unsafe impl Sync for Targets {}

fn plane(a: &crate::render::Attachment, size: [u32; 2]) -> ExecResult<Plane> {
    let base = a
        .texture
        .contents()
        .ok_or_else(|| ExecError { message: "an attachment of another device was used on the CPU device".into() })?;
    let desc = a.texture.desc();
    let [w, h, d] = desc.level_size(a.level);
    if w < size[0] || h < size[1] || a.slice >= desc.slices || a.depth_plane >= d {
        return Err(ExecError { message: format!("render target size {size:?} exceeds attachment ({w}×{h})") });
    }
    let bpp = desc.bytes_per_pixel as usize;
    if a.format.bytes_per_pixel() as usize != bpp {
        return Err(ExecError {
            message: format!("attachment format {:?} does not match its texture's texel size ({bpp} bytes)", a.format),
        });
    }
    let pitch = w as usize * bpp;
    let off = desc.offset(a.slice, a.level) + a.depth_plane as usize * pitch * h as usize;
    // SAFETY: inside the allocation (level/slice/plane checked above).
    Ok(Plane { base: unsafe { base.add(off) }, pitch, bpp, format: a.format })
}

impl Targets {
    fn new(pass: &RenderPass) -> ExecResult<Targets> {
        let mut colors = [None; MAX_COLOR_ATTACHMENTS];
        for (i, c) in pass.colors.iter().enumerate() {
            if let Some((a, _)) = c {
                colors[i] = Some(plane(a, pass.size)?);
            }
        }
        let depth = pass.depth.as_ref().map(|(a, _)| plane(a, pass.size)).transpose()?;
        let stencil = pass.stencil.as_ref().map(|(a, _)| plane(a, pass.size)).transpose()?;
        Ok(Targets { colors, depth, stencil, size: pass.size })
    }

    /// Load actions: Clear writes the clear value over the render area; Load and DontCare
    /// keep the contents (DontCare's "undefined" is satisfied by whatever is there).
    fn load(&self, pass: &RenderPass) {
        let [w, h] = self.size.map(|v| v as usize);
        // Transforms the first row texel by texel, then copies it to the other rows; texels
        // that keep another aspect (depth or stencil of a combined format) go one by one.
        let fill = |p: &Plane, f: &dyn Fn(&mut [u8])| {
            if w == 0 || h == 0 {
                return;
            }
            let per_texel = p.format.has_depth() && p.format.has_stencil();
            for y in 0..if per_texel { h } else { 1 } {
                for x in 0..w {
                    f(p.texel(x as i32, y as i32));
                }
            }
            if per_texel {
                return;
            }
            let row = w * p.bpp;
            for y in 1..h {
                // SAFETY: rows 0 and y of the render area are distinct ranges of the attachment.
                unsafe { std::ptr::copy_nonoverlapping(p.base, p.base.add(y * p.pitch), row) };
            }
        };
        for (i, c) in pass.colors.iter().enumerate() {
            if let (Some((a, clear)), Some(p)) = (c, &self.colors[i]) {
                if a.load == crate::render::LoadAction::Clear {
                    let words = match a.format.kind() {
                        crate::FormatKind::Uint => clear.map(|v| v as u32),
                        crate::FormatKind::Sint => clear.map(|v| v as i32 as u32),
                        _ => clear.map(|v| (v as f32).to_bits()),
                    };
                    let mut t = vec![0u8; p.bpp];
                    a.format.write(words, &mut t);
                    fill(p, &|dst: &mut [u8]| dst.copy_from_slice(&t));
                }
            }
        }
        if let (Some((a, clear)), Some(p)) = (&pass.depth, &self.depth) {
            if a.load == crate::render::LoadAction::Clear {
                let v = [(*clear as f32).to_bits(), 0, 0, 0];
                fill(p, &|dst: &mut [u8]| p.format.write(v, dst));
            }
        }
        if let (Some((a, clear)), Some(p)) = (&pass.stencil, &self.stencil) {
            if a.load == crate::render::LoadAction::Clear {
                fill(p, &|dst: &mut [u8]| p.format.write_stencil(dst, *clear as u8));
            }
        }
    }
}

/// A draw with its vertices shaded: how assembly finds them, and where strips restart.
struct Prepared<'a> {
    ctx: DrawCtx<'a>,
    maps: Vec<fetch::InstanceVertices>,
    restarts: Vec<u32>,
}

/// Shades the draw's vertices and works out its raster rectangle (None: nothing to draw).
fn prepare_draw<'a>(
    pool: Option<&rayon::ThreadPool>,
    draw: &'a Draw,
    size: [u32; 2],
) -> ExecResult<Option<Prepared<'a>>> {
    let program = &draw
        .pipeline
        .as_any()
        .downcast_ref::<crate::cpu::CpuRenderPipeline>()
        .ok_or_else(|| ExecError { message: "a render pipeline of another device was used on the CPU device".into() })?
        .program;
    let vertex_dispatch = StageDispatch::new(&draw.vertex)?;
    let fragment_dispatch = StageDispatch::new(&draw.fragment)?;
    let (indices, restarts) = match fetch::read_indices(draw)? {
        Some(ix) if ix.values.is_empty() => return Ok(None),
        Some(ix) => (Some(ix.values), ix.restarts),
        None => (None, Vec::new()),
    };
    let layout = VertexLayout::new(program);
    let (vpool, maps) = fetch::shade_vertices(pool, program, &layout, draw, vertex_dispatch.ptr(), indices)?;
    let vp = &draw.viewport;
    // Pixel centres inside the viewport rectangle.
    let vx0 = (vp.origin_x.min(vp.origin_x + vp.width) - 0.5).ceil();
    let vy0 = (vp.origin_y.min(vp.origin_y + vp.height) - 0.5).ceil();
    let vx1 = (vp.origin_x.max(vp.origin_x + vp.width) - 0.5).ceil();
    let vy1 = (vp.origin_y.max(vp.origin_y + vp.height) - 0.5).ceil();
    let clamp = |v: f64, hi: u32| v.clamp(0.0, hi as f64) as i32;
    let mut rect = [clamp(vx0, size[0]), clamp(vy0, size[1]), clamp(vx1, size[0]), clamp(vy1, size[1])];
    if let Some(s) = draw.scissor {
        let big = |v: i64| v.min(i32::MAX as i64) as i32;
        let (sx1, sy1) = (big(s.x as i64 + s.width as i64), big(s.y as i64 + s.height as i64));
        rect = [rect[0].max(big(s.x as i64)), rect[1].max(big(s.y as i64)), rect[2].min(sx1), rect[3].min(sy1)];
    }
    let ctx = DrawCtx {
        draw,
        program,
        layout,
        pool: vpool,
        fragment: fragment_dispatch.ptr(),
        rect,
        fault: std::sync::OnceLock::new(),
        _vertex_dispatch: vertex_dispatch,
        _fragment_dispatch: fragment_dispatch,
    };
    Ok(Some(Prepared { ctx, maps, restarts }))
}

/// Waiting work: prepared draws and each tile's primitives.
struct Frame<'a> {
    ctxs: Vec<DrawCtx<'a>>,
    bins: setup::Bins,
}

impl Frame<'_> {
    fn flush(&mut self, pool: Option<&rayon::ThreadPool>, targets: &Targets) -> ExecResult<()> {
        let (ctxs, tiles) = (&self.ctxs, self.bins.tiles);
        let work: Vec<(usize, &Vec<setup::Prim>)> =
            self.bins.lists.iter().enumerate().filter(|(_, b)| !b.is_empty()).collect();
        let run = |(t, bin): (usize, &Vec<setup::Prim>)| {
            let (tx, ty) = ((t as i32 % tiles[0]) * TILE, (t as i32 / tiles[0]) * TILE);
            scan::raster_tile([tx, ty, tx + TILE, ty + TILE], bin, ctxs, targets);
        };
        match pool {
            // A handful of primitives is not worth waking the pool.
            Some(p) if work.len() > 1 && self.bins.count > 8 => {
                use rayon::prelude::*;
                p.install(|| work.into_par_iter().for_each(run));
            }
            _ => work.into_iter().for_each(run),
        }
        self.bins.clear();
        let fault = self.ctxs.iter().find_map(|c| c.fault.get().cloned());
        self.ctxs.clear();
        match fault {
            Some(message) => Err(ExecError { message }),
            None => Ok(()),
        }
    }
}

/// Runs a render pass on the host (load actions, every draw, store actions).
pub fn run_pass(pool: Option<&rayon::ThreadPool>, pass: &RenderPass) -> ExecResult<()> {
    match catch_unwind(AssertUnwindSafe(|| run_pass_inner(pool, pass))) {
        Ok(r) => r,
        Err(p) => {
            Err(ExecError { message: format!("internal error while rendering: {}", crate::panic_message(p.as_ref())) })
        }
    }
}

fn run_pass_inner(pool: Option<&rayon::ThreadPool>, pass: &RenderPass) -> ExecResult<()> {
    let targets = Targets::new(pass)?;
    targets.load(pass);
    let tiles = [(pass.size[0] as i32 + TILE - 1) / TILE, (pass.size[1] as i32 + TILE - 1) / TILE];
    let mut frame = Frame { ctxs: Vec::new(), bins: setup::Bins::new(tiles) };
    for draw in &pass.draws {
        if draw.vertex_count == 0 || draw.instance_count == 0 {
            continue;
        }
        let Some(Prepared { mut ctx, maps, restarts }) = prepare_draw(pool, draw, pass.size)? else { continue };
        if ctx.rect[0] >= ctx.rect[2] || ctx.rect[1] >= ctx.rect[3] {
            continue; // vertices shaded (side effects happen), nothing rasterised
        }
        setup::assemble(&mut ctx, &maps, &restarts, frame.ctxs.len() as u32, &mut frame.bins);
        frame.ctxs.push(ctx);
        if frame.bins.count >= FLUSH_PRIMS {
            frame.flush(pool, &targets)?;
        }
    }
    frame.flush(pool, &targets)?;
    // Store actions: Store keeps the rendered contents; DontCare may keep them too.
    Ok(())
}

//! Fragments: batches for `pm_fragment_<k>`, the depth/stencil tests and writes, blending.
//!
//! Order per batch (all fragments of one primitive, so no two share a pixel):
//! 1. depth (screen-linear) and 1/w per fragment;
//! 2. early rejection when provably invisible: the fragment function writes no depth, and the
//!    fragment fails the stencil test with a Keep stencil-fail op, or fails the depth test with
//!    a Keep depth-fail op (discarding could only make it do less: nothing);
//! 3. the fragment function on the survivors (varyings interpolated perspective-correctly
//!    with 1/w, screen-linearly, or flat from the provoking vertex);
//! 4. per fragment not discarded: stencil test, depth test, stencil op, depth write, then
//!    blending (linear values: sRGB targets decode and encode through `PixelFormat`) and the
//!    write mask per colour attachment.

use super::setup::{Kind, Prim};
use super::{DrawCtx, Plane, Targets};
use crate::abi::PmFragmentBatch;
use crate::render::{
    BlendFactor, BlendOperation, ColorAttachmentState, CompareFunction, StencilFace, StencilOperation,
};
use crate::{FormatKind, PixelFormat};

/// Fragments per call of the fragment function.
pub const BATCH: usize = 64;

/// Reusable buffers of one tile worker.
pub struct Scratch {
    pub n: usize,
    pub px: [i32; BATCH],
    pub py: [i32; BATCH],
    /// Screen-space weights of the primitive's vertices.
    pub w: [[f32; 3]; BATCH],
    pub pc: [[f32; 2]; BATCH],
    z: [f32; BATCH],
    iw: [f32; BATCH],
    live: [u8; BATCH],
    position: Vec<f32>,
    varyings: Vec<f32>,
    front: Vec<u32>,
    prim_id: Vec<u32>,
    point_coord: Vec<f32>,
    color: Vec<u32>,
    depth: Vec<f32>,
    discarded: Vec<u32>,
    coef: Vec<(u8, [f32; 3])>,
}

impl Scratch {
    pub fn new() -> Box<Scratch> {
        Box::new(Scratch {
            n: 0,
            px: [0; BATCH],
            py: [0; BATCH],
            w: [[0.0; 3]; BATCH],
            pc: [[0.0; 2]; BATCH],
            z: [0.0; BATCH],
            iw: [0.0; BATCH],
            live: [0; BATCH],
            position: vec![0.0; BATCH * 4],
            varyings: Vec::new(),
            front: vec![0; BATCH],
            prim_id: vec![0; BATCH],
            point_coord: vec![0.0; BATCH * 2],
            color: vec![0; BATCH * 32],
            depth: vec![0.0; BATCH],
            discarded: vec![0; BATCH],
            coef: Vec::new(),
        })
    }
}

/// Where a primitive's fragments go.
pub struct Sink<'s, 'a> {
    pub ctx: &'s DrawCtx<'a>,
    pub prim: &'s Prim,
    pub targets: &'s Targets,
    pub s: &'s mut Scratch,
}

impl Sink<'_, '_> {
    #[inline]
    pub fn push(&mut self, x: i32, y: i32, w: [f32; 3], pc: [f32; 2]) {
        let n = self.s.n;
        self.s.px[n] = x;
        self.s.py[n] = y;
        self.s.w[n] = w;
        self.s.pc[n] = pc;
        self.s.n = n + 1;
        if n + 1 == BATCH {
            self.flush();
        }
    }

    pub fn flush(&mut self) {
        if self.s.n > 0 {
            process(self.ctx, self.prim, self.targets, self.s);
            self.s.n = 0;
        }
    }
}

pub fn compare<T: PartialOrd>(f: CompareFunction, a: T, b: T) -> bool {
    match f {
        CompareFunction::Never => false,
        CompareFunction::Less => a < b,
        CompareFunction::Equal => a == b,
        CompareFunction::LessEqual => a <= b,
        CompareFunction::Greater => a > b,
        CompareFunction::NotEqual => a != b,
        CompareFunction::GreaterEqual => a >= b,
        CompareFunction::Always => true,
    }
}

fn stencil_op(op: StencilOperation, s: u8, r: u8) -> u8 {
    match op {
        StencilOperation::Keep => s,
        StencilOperation::Zero => 0,
        StencilOperation::Replace => r,
        StencilOperation::IncrementClamp => s.saturating_add(1),
        StencilOperation::DecrementClamp => s.saturating_sub(1),
        StencilOperation::Invert => !s,
        StencilOperation::IncrementWrap => s.wrapping_add(1),
        StencilOperation::DecrementWrap => s.wrapping_sub(1),
    }
}

/// Depth as stored by `format` (Depth24 quantises), so Equal compares like for like.
fn quantize(format: PixelFormat, z: f32) -> f32 {
    let z = if z.is_nan() { 0.0 } else { z.clamp(0.0, 1.0) };
    if format == PixelFormat::Depth24Unorm_Stencil8 {
        (z * 16_777_215.0).round() / 16_777_215.0
    } else {
        z
    }
}

fn read_depth(p: &Plane, x: i32, y: i32) -> f32 {
    f32::from_bits(p.format.read(p.texel(x, y))[0])
}

fn stencil_passes(face: &StencilFace, r: u8, s: u8) -> bool {
    let m = face.read_mask as u8;
    compare(face.compare, r & m, s & m)
}

fn update_stencil(p: &Plane, x: i32, y: i32, face: &StencilFace, op: StencilOperation, r: u8) {
    if op == StencilOperation::Keep {
        return;
    }
    let t = p.texel(x, y);
    let s = p.format.read_stencil(t);
    let wm = face.write_mask as u8;
    p.format.write_stencil(t, (s & !wm) | (stencil_op(op, s, r) & wm));
}

/// The per-batch part of the fixed function state.
struct Tests<'a> {
    depth: Option<&'a Plane>,
    stencil: Option<&'a Plane>,
    compare: CompareFunction,
    face: &'a StencilFace,
    r: u8,
}

enum Verdict {
    Pass,
    StencilFail,
    DepthFail,
}

impl Tests<'_> {
    fn test(&self, x: i32, y: i32, z: f32) -> Verdict {
        if let Some(sp) = self.stencil {
            if !stencil_passes(self.face, self.r, sp.format.read_stencil(sp.texel(x, y))) {
                return Verdict::StencilFail;
            }
        }
        if let Some(dp) = self.depth {
            if !compare(self.compare, quantize(dp.format, z), read_depth(dp, x, y)) {
                return Verdict::DepthFail;
            }
        }
        Verdict::Pass
    }
}

/// Shades, tests and writes the batch in `s` (fragments of `prim`).
fn process(ctx: &DrawCtx, prim: &Prim, targets: &Targets, s: &mut Scratch) {
    let n = s.n;
    let prog = ctx.program;
    let draw = ctx.draw;
    let ds = &draw.depth_stencil;
    let face = if prim.front { &ds.front } else { &ds.back };
    let tests = Tests {
        depth: targets.depth.as_ref(),
        stencil: targets.stencil.as_ref(),
        compare: ds.depth_compare,
        face,
        r: draw.stencil_reference[if prim.front { 0 } else { 1 }] as u8,
    };
    let nv = match prim.kind {
        Kind::Triangle => 3,
        Kind::Line => 2,
        Kind::Point => 1,
    };
    for i in 0..n {
        let w = s.w[i];
        let (mut z, mut iw) = (0.0, 0.0);
        for ((wk, zk), iwk) in w.iter().zip(&prim.z).zip(&prim.inv_w).take(nv) {
            z += wk * zk;
            iw += wk * iwk;
        }
        s.z[i] = z;
        s.iw[i] = iw;
    }
    // Early rejection (see the module docs).
    let mut m = 0;
    let early = prog.fragment.is_some() && !prog.writes_depth && (tests.depth.is_some() || tests.stencil.is_some());
    for i in 0..n {
        if early {
            let drop = match tests.test(s.px[i], s.py[i], s.z[i]) {
                Verdict::Pass => false,
                Verdict::StencilFail => face.stencil_failure == StencilOperation::Keep,
                Verdict::DepthFail => face.depth_failure == StencilOperation::Keep,
            };
            if drop {
                continue;
            }
        }
        s.live[m] = i as u8;
        m += 1;
    }
    if m == 0 {
        return;
    }
    if let Some(frag) = prog.fragment {
        shade(ctx, prim, s, m, nv, frag);
    }
    let colors = prog.fragment.is_some();
    let mut passed = [false; BATCH];
    let no_tests = tests.depth.is_none() && tests.stencil.is_none();
    for (j, ok) in passed.iter_mut().enumerate().take(m) {
        if colors && s.discarded[j] != 0 {
            continue;
        }
        if no_tests {
            *ok = true;
            continue;
        }
        let i = s.live[j] as usize;
        let (x, y) = (s.px[i], s.py[i]);
        let z = if colors && prog.writes_depth { s.depth[j] } else { s.z[i] };
        let verdict = tests.test(x, y, z);
        let op = match verdict {
            Verdict::StencilFail => face.stencil_failure,
            Verdict::DepthFail => face.depth_failure,
            Verdict::Pass => face.depth_stencil_pass,
        };
        if let Some(sp) = tests.stencil {
            update_stencil(sp, x, y, face, op, tests.r);
        }
        if matches!(verdict, Verdict::Pass) {
            if let (Some(dp), true) = (tests.depth, ds.depth_write) {
                dp.format.write([quantize(dp.format, z).to_bits(), 0, 0, 0], dp.texel(x, y));
            }
            *ok = true;
        }
    }
    if !colors {
        return;
    }
    for (c, plane) in targets.colors.iter().enumerate() {
        let (Some(plane), Some(state)) = (plane, &prog.colors[c]) else { continue };
        if prog.color_outputs & (1 << c) == 0 {
            continue;
        }
        // Plain stores need no read of the destination.
        let plain = state.write_mask & 0xF == 0xF && !state.blending_enabled;
        for j in (0..m).filter(|&j| passed[j]) {
            let i = s.live[j] as usize;
            let at = (j * 8 + c) * 4;
            let src = [s.color[at], s.color[at + 1], s.color[at + 2], s.color[at + 3]];
            if plain {
                store(plane, s.px[i], s.py[i], src);
            } else {
                write_color(plane, state, &draw.blend_color, s.px[i], s.py[i], src);
            }
        }
    }
}

/// Fills the batch arrays for the `m` live fragments and calls the fragment function.
fn shade(ctx: &DrawCtx, prim: &Prim, s: &mut Scratch, m: usize, nv: usize, frag: crate::abi::PmFragmentFn) {
    let prog = ctx.program;
    let vw = prog.varying_words();
    if s.varyings.len() < BATCH * vw {
        s.varyings.resize(BATCH * vw, 0.0);
    }
    let verts = [ctx.pool.vertex(prim.v[0]), ctx.pool.vertex(prim.v[1]), ctx.pool.vertex(prim.v[2])];
    let flat = ctx.pool.vertex(prim.provoking);
    // Per varying word of this primitive: mode (0 flat, 1 perspective, 2 screen-linear) and
    // coefficients, so that a fragment's value is a dot product with its weights.
    s.coef.clear();
    for r in &ctx.layout.routes {
        for c in 0..r.components as usize {
            let src = r.src_word as usize + c;
            let mut k3 = [0f32; 3];
            let mode = match r.interpolation {
                msl::Interpolation::Flat => {
                    k3[0] = flat[src];
                    0
                }
                msl::Interpolation::Perspective => {
                    for k in 0..nv {
                        k3[k] = verts[k][src] * prim.inv_w[k];
                    }
                    1
                }
                msl::Interpolation::NoPerspective => {
                    for k in 0..nv {
                        k3[k] = verts[k][src];
                    }
                    2
                }
            };
            s.coef.push((mode, k3));
        }
    }
    for j in 0..m {
        let i = s.live[j] as usize;
        let w = s.w[i];
        s.position[j * 4..j * 4 + 4].copy_from_slice(&[s.px[i] as f32 + 0.5, s.py[i] as f32 + 0.5, s.z[i], s.iw[i]]);
        // Perspective: Σ w_k v_k / w_clip_k over Σ w_k / w_clip_k.
        let denom = w[0] * prim.inv_w[0] + w[1] * prim.inv_w[1] + w[2] * prim.inv_w[2];
        let inv = if denom != 0.0 { 1.0 / denom } else { 0.0 };
        let out = &mut s.varyings[j * vw..j * vw + vw];
        for (o, (mode, k3)) in out.iter_mut().zip(&s.coef) {
            let d = w[0] * k3[0] + w[1] * k3[1] + w[2] * k3[2];
            *o = match mode {
                0 => k3[0],
                1 => d * inv,
                _ => d,
            };
        }
        s.front[j] = prim.front as u32;
        s.prim_id[j] = prim.id;
        s.point_coord[j * 2..j * 2 + 2].copy_from_slice(&s.pc[i]);
        s.depth[j] = s.z[i];
        s.discarded[j] = 0;
    }
    let mut batch = PmFragmentBatch {
        count: m as u32,
        position: s.position.as_ptr(),
        varyings: if vw == 0 { std::ptr::null() } else { s.varyings.as_ptr() },
        in_stride: vw as u32,
        front_facing: s.front.as_ptr(),
        primitive_id: s.prim_id.as_ptr(),
        point_coord: s.point_coord.as_ptr(),
        color: s.color.as_mut_ptr(),
        depth: s.depth.as_mut_ptr(),
        discarded: s.discarded.as_mut_ptr(),
    };
    // SAFETY: every array holds `m` entries (BATCH capacity); the dispatch block outlives the
    // pass; the function follows the ABI of docs/abi.md §5.
    if let Err(f) = unsafe { crate::cpu::guard::call(frag, ctx.fragment.get(), &mut batch) } {
        // The draw fails (Frame::flush reports it); nothing of this batch is written.
        let _ = ctx.fault.set(format!("the fragment function faulted: {f}"));
        s.discarded[..m].fill(1);
    }
}

/// A plain store, with the common 8-bit formats inline.
#[inline]
fn store(p: &Plane, x: i32, y: i32, src: [u32; 4]) {
    let t = p.texel(x, y);
    let u = |i: usize| crate::format::f32_to_unorm8(f32::from_bits(src[i]));
    match p.format {
        PixelFormat::RGBA8Unorm => t.copy_from_slice(&[u(0), u(1), u(2), u(3)]),
        PixelFormat::BGRA8Unorm => t.copy_from_slice(&[u(2), u(1), u(0), u(3)]),
        f => f.write(src, t),
    }
}

fn is_unorm(f: PixelFormat) -> bool {
    use PixelFormat::*;
    matches!(f, R8Unorm | RG8Unorm | RGBA8Unorm | RGBA8Unorm_sRGB | BGRA8Unorm | BGRA8Unorm_sRGB)
}

fn factor(f: BlendFactor, c: usize, src: &[f32; 4], dst: &[f32; 4], bc: &[f32; 4]) -> f32 {
    use BlendFactor::*;
    match f {
        Zero => 0.0,
        One => 1.0,
        SourceColor => src[c],
        OneMinusSourceColor => 1.0 - src[c],
        SourceAlpha => src[3],
        OneMinusSourceAlpha => 1.0 - src[3],
        DestinationColor => dst[c],
        OneMinusDestinationColor => 1.0 - dst[c],
        DestinationAlpha => dst[3],
        OneMinusDestinationAlpha => 1.0 - dst[3],
        SourceAlphaSaturated => {
            if c == 3 {
                1.0
            } else {
                src[3].min(1.0 - dst[3])
            }
        }
        BlendColor => bc[c],
        OneMinusBlendColor => 1.0 - bc[c],
        BlendAlpha => bc[3],
        OneMinusBlendAlpha => 1.0 - bc[3],
    }
}

/// Blends `src` over `dst` (linear values) with the attachment's factors and operations.
pub fn blend(st: &ColorAttachmentState, src: [f32; 4], dst: [f32; 4], bc: [f32; 4]) -> [f32; 4] {
    let mut out = [0f32; 4];
    for c in 0..4 {
        let (sf, df, op) = if c < 3 {
            (st.source_rgb, st.destination_rgb, st.rgb_operation)
        } else {
            (st.source_alpha, st.destination_alpha, st.alpha_operation)
        };
        let (s, d) = (src[c], dst[c]);
        out[c] = match op {
            BlendOperation::Min => s.min(d),
            BlendOperation::Max => s.max(d),
            _ => {
                let (s, d) = (s * factor(sf, c, &src, &dst, &bc), d * factor(df, c, &src, &dst, &bc));
                match op {
                    BlendOperation::Add => s + d,
                    BlendOperation::Subtract => s - d,
                    _ => d - s,
                }
            }
        };
    }
    out
}

fn write_color(p: &Plane, st: &ColorAttachmentState, bc: &[f32; 4], x: i32, y: i32, src: [u32; 4]) {
    let mask = st.write_mask & 0xF;
    if mask == 0 {
        return;
    }
    let t = p.texel(x, y);
    let float = !matches!(p.format.kind(), FormatKind::Uint | FormatKind::Sint);
    if mask == 0xF && !(st.blending_enabled && float) {
        p.format.write(src, t);
        return;
    }
    let dst = p.format.read(t);
    let mut out = src;
    if st.blending_enabled && float {
        let mut s = src.map(f32::from_bits);
        let mut b = *bc;
        if is_unorm(p.format) {
            // Normalised targets clamp the source and constant colour before blending.
            s = s.map(|v| v.clamp(0.0, 1.0));
            b = b.map(|v| v.clamp(0.0, 1.0));
        }
        out = blend(st, s, dst.map(f32::from_bits), b).map(f32::to_bits);
    }
    // MTLColorWriteMask: red 8, green 4, blue 2, alpha 1.
    for (c, o) in out.iter_mut().enumerate() {
        if mask & (8 >> c) == 0 {
            *o = dst[c];
        }
    }
    p.format.write(out, t);
}

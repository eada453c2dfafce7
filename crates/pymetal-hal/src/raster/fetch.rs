//! Vertex fetch and vertex shading: attributes per the vertex descriptor, indices, and
//! `pm_vertex_<k>` called in batches.
//!
//! Indexed draws shade each index value once per instance when the indices span a range not
//! much larger than their count (the common case: meshes); otherwise every index occurrence
//! is shaded (no hashing on the hot path).

use super::{ExecResult, RasterProgram};
use crate::abi::{PmDispatch, PmVertexBatch};
use crate::render::{Draw, IndexType, PrimitiveType, StepFunction, VertexDescriptor};
use crate::{BufferBinding, ExecError};

/// Vertices per call of the vertex function.
const VERTEX_BATCH: usize = 256;
/// Vertex counts above this are shaded on the pool in chunks.
const PARALLEL_VERTICES: usize = 4096;

/// Shaded vertices of one draw (all instances), plus vertices made by clipping.
pub struct VertexPool {
    pub data: Vec<f32>,
    pub stride: usize,
}

impl VertexPool {
    #[inline]
    pub fn vertex(&self, i: u32) -> &[f32] {
        let s = i as usize * self.stride;
        &self.data[s..s + self.stride]
    }
    /// Appends a vertex and returns its index.
    pub fn push(&mut self, v: &[f32]) -> u32 {
        let i = self.data.len() / self.stride;
        self.data.extend_from_slice(v);
        i as u32
    }
    pub fn len(&self) -> usize {
        self.data.len() / self.stride
    }
    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }
}

/// How the primitives of one instance find their vertices in the pool.
/// Indices shaded once per instance, and the smallest of them.
pub type CachedIndices = Option<(std::sync::Arc<Vec<u32>>, u32)>;

pub struct InstanceVertices {
    /// Pool index of primitive-assembly vertex `k` of the instance is `map(k)`.
    pub base: u32,
    /// Indexed draws with a cache: pool index = base + index - min. None: base + k.
    pub indices: CachedIndices,
}

impl InstanceVertices {
    #[inline]
    pub fn map(&self, k: u32) -> u32 {
        match &self.indices {
            None => self.base + k,
            Some((idx, min)) => self.base + idx[k as usize] - min,
        }
    }
}

/// A raw readable range: pointer and length (robust access reads zeros outside it).
#[derive(Clone, Copy)]
struct Range {
    ptr: *const u8,
    len: usize,
}

/// Host address of a CPU buffer, whatever its storage mode (Private included).
pub fn host_ptr(buffer: &std::sync::Arc<dyn crate::Buffer>) -> Option<*mut u8> {
    match buffer.as_any().downcast_ref::<crate::cpu::CpuBuffer>() {
        // Every storage mode of the CPU device is host memory.
        Some(b) => Some(b.ptr()),
        // Other devices' buffers that the host can address (CUDA passes hand the rasterizer
        // host views of their buffers).
        None => buffer.contents(),
    }
}

fn binding_range(b: Option<&BufferBinding>) -> Range {
    match b {
        Some(BufferBinding::Buffer { buffer, offset }) => match host_ptr(buffer) {
            Some(p) => Range {
                // SAFETY: pointer arithmetic only; reads are bounds-checked against `len`.
                ptr: unsafe { p.add((*offset).min(buffer.length())) },
                len: buffer.length().saturating_sub(*offset),
            },
            None => Range { ptr: std::ptr::null(), len: 0 },
        },
        Some(BufferBinding::Bytes(d)) => Range { ptr: d.as_ptr(), len: d.len() },
        None => Range { ptr: std::ptr::null(), len: 0 },
    }
}

/// The index list of an indexed draw.
pub struct Indices {
    /// Vertex ids (`base_vertex` added); restart entries hold another entry's id.
    pub values: Vec<u32>,
    /// Positions of primitive-restart entries (strips only).
    pub restarts: Vec<u32>,
}

/// Reads the index list of an indexed draw, checking it lies in the buffer. Strips restart
/// at the all-ones index (Metal always enables primitive restart); restart entries are not
/// shaded.
pub fn read_indices(draw: &Draw) -> ExecResult<Option<Indices>> {
    let Some(ib) = &draw.index else { return Ok(None) };
    let size = match ib.index_type {
        IndexType::UInt16 => 2,
        IndexType::UInt32 => 4,
    };
    let n = draw.vertex_count as usize;
    let p = host_ptr(&ib.buffer)
        .ok_or_else(|| ExecError { message: "an index buffer of another device was used on the CPU device".into() })?;
    if ib.offset.checked_add(n * size).is_none_or(|end| end > ib.buffer.length()) {
        return Err(ExecError {
            message: format!(
                "index buffer of {} bytes is too small for {n} indices at offset {}",
                ib.buffer.length(),
                ib.offset
            ),
        });
    }
    // SAFETY: the range was checked above.
    let bytes = unsafe { std::slice::from_raw_parts(p.add(ib.offset), n * size) };
    let raw: Vec<u32> = match ib.index_type {
        IndexType::UInt16 => bytes.chunks_exact(2).map(|c| u16::from_le_bytes([c[0], c[1]]) as u32).collect(),
        IndexType::UInt32 => bytes.chunks_exact(4).map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect(),
    };
    let restart = if size == 2 { 0xFFFF } else { u32::MAX };
    let strip = matches!(draw.primitive, PrimitiveType::LineStrip | PrimitiveType::TriangleStrip);
    let bv = draw.base_vertex as i64;
    let mut restarts = Vec::new();
    let mut values: Vec<u32> = Vec::with_capacity(n);
    for (i, &v) in raw.iter().enumerate() {
        if strip && v == restart {
            restarts.push(i as u32);
            values.push(u32::MAX); // patched below
        } else {
            values.push((v as i64 + bv) as u32);
        }
    }
    if !restarts.is_empty() {
        match values.iter().find(|&&v| v != u32::MAX).copied() {
            Some(fill) => restarts.iter().for_each(|&r| values[r as usize] = fill),
            None => values.clear(), // nothing but restarts: nothing to draw
        }
    }
    Ok(Some(Indices { values, restarts }))
}

/// One attribute of the vertex descriptor resolved against the draw's buffers.
#[derive(Clone, Copy)]
struct Fetch {
    slot: usize,
    format: u32,
    offset: usize,
    src: Range,
    stride: usize,
    step: StepFunction,
    rate: u32,
}

struct Fetcher {
    fetches: Vec<Fetch>,
    /// Words per vertex in the attribute array (4 per attribute index up to the highest).
    words: usize,
}

// SAFETY: the ranges point into buffers the draw keeps alive; only read.
unsafe impl Sync for Fetcher {}
// SAFETY: as above.
unsafe impl Send for Fetcher {}

impl Fetcher {
    fn new(desc: Option<&VertexDescriptor>, draw: &Draw) -> Fetcher {
        let mut fetches = Vec::new();
        let mut words = 0;
        if let Some(d) = desc {
            for (slot, a) in d.attributes.iter().enumerate() {
                let Some(a) = a else { continue };
                let bi = a.buffer_index as usize;
                let layout = d.layouts.get(bi).copied().flatten();
                let (stride, step, rate) = match layout {
                    Some(l) => (l.stride as usize, l.step_function, l.step_rate),
                    None => (0, StepFunction::PerVertex, 1),
                };
                fetches.push(Fetch {
                    slot,
                    format: a.format,
                    offset: a.offset as usize,
                    src: binding_range(draw.vertex.buffers.get(bi).and_then(|b| b.as_ref())),
                    stride,
                    step,
                    rate,
                });
                words = words.max(4 * (slot + 1));
            }
        }
        Fetcher { fetches, words }
    }

    /// Fills `out[words * i ..]` for vertex ids `vid` of instance `iid` (relative instance `rel`).
    fn fill(&self, vid: &[u32], rel_instance: u32, base_instance: u32, out: &mut [u32]) {
        for f in &self.fetches {
            for (i, &v) in vid.iter().enumerate() {
                let element = match f.step {
                    StepFunction::PerVertex => v as usize,
                    StepFunction::PerInstance if f.rate > 0 => (base_instance + rel_instance / f.rate) as usize,
                    _ => 0,
                };
                let at = element.saturating_mul(f.stride).saturating_add(f.offset);
                let w = &mut out[i * self.words + 4 * f.slot..i * self.words + 4 * f.slot + 4];
                w.copy_from_slice(&convert(f.format, f.src, at));
            }
        }
    }
}

/// Reads `n` bytes at `at`, or None when they are not all inside the range.
fn bytes<const N: usize>(src: Range, at: usize) -> Option<[u8; N]> {
    if src.ptr.is_null() || at.checked_add(N)? > src.len {
        return None;
    }
    let mut b = [0u8; N];
    // SAFETY: checked to lie inside the range.
    unsafe { std::ptr::copy_nonoverlapping(src.ptr.add(at), b.as_mut_ptr(), N) };
    Some(b)
}

const ONE: u32 = 0x3f80_0000;

/// Converts one attribute (MTLVertexFormat raw value) into four words: floats as float bits
/// (missing components 0, w = 1.0), integers as integer bits (missing w = 1). Data outside
/// the buffer reads as zeros (robust buffer access: no crash on a bad descriptor).
fn convert(format: u32, src: Range, at: usize) -> [u32; 4] {
    let f = |x: f32| x.to_bits();
    let un8 = |b: u8| f(b as f32 / 255.0);
    let sn8 = |b: u8| f((b as i8 as f32 / 127.0).max(-1.0));
    let un16 = |v: u16| f(v as f32 / 65535.0);
    let sn16 = |v: u16| f((v as i16 as f32 / 32767.0).max(-1.0));
    let h = |v: u16| f(half::f16::from_bits(v).to_f32());
    // (components, bytes per component, float result?) per format, then per-component decoding.
    let (n, size, float): (usize, usize, bool) = match format {
        1..=3 => (format as usize + 1, 1, false),
        4..=6 => (format as usize - 2, 1, false),
        7..=9 => (format as usize - 5, 1, true),
        10..=12 => (format as usize - 8, 1, true),
        13..=15 => (format as usize - 11, 2, false),
        16..=18 => (format as usize - 14, 2, false),
        19..=21 => (format as usize - 17, 2, true),
        22..=24 => (format as usize - 20, 2, true),
        25..=27 => (format as usize - 23, 2, true),
        28..=31 => (format as usize - 27, 4, true),
        32..=35 => (format as usize - 31, 4, false),
        36..=39 => (format as usize - 35, 4, false),
        40..=42 => (4, 1, true), // packed: handled below
        45 | 46 => (1, 1, false),
        47 | 48 => (1, 1, true),
        49 | 50 => (1, 2, false),
        51 | 52 => (1, 2, true),
        53 => (1, 2, true),
        _ => (0, 0, true),
    };
    let mut out = [0, 0, 0, if float { ONE } else { 1 }];
    match format {
        40 | 41 => {
            let Some(b) = bytes::<4>(src, at) else { return out };
            let v = u32::from_le_bytes(b);
            let c = |s: u32, bits: u32| (v >> s) & ((1 << bits) - 1);
            if format == 41 {
                out = [
                    f(c(0, 10) as f32 / 1023.0),
                    f(c(10, 10) as f32 / 1023.0),
                    f(c(20, 10) as f32 / 1023.0),
                    f(c(30, 2) as f32 / 3.0),
                ];
            } else {
                let s = |s: u32, bits: u32| {
                    let x = ((c(s, bits) << (32 - bits)) as i32) >> (32 - bits);
                    f((x as f32 / ((1 << (bits - 1)) - 1) as f32).max(-1.0))
                };
                out = [s(0, 10), s(10, 10), s(20, 10), s(30, 2)];
            }
            return out;
        }
        42 => {
            let Some(b) = bytes::<4>(src, at) else { return out };
            return [un8(b[2]), un8(b[1]), un8(b[0]), un8(b[3])];
        }
        _ => {}
    }
    for (k, o) in out.iter_mut().enumerate().take(n) {
        let a = at + k * size;
        *o = match (format, size) {
            (_, 1) => {
                let Some([b]) = bytes::<1>(src, a) else { return out };
                match format {
                    1..=3 | 45 => b as u32,
                    4..=6 | 46 => b as i8 as i32 as u32,
                    7..=9 | 47 => un8(b),
                    _ => sn8(b),
                }
            }
            (_, 2) => {
                let Some(b) = bytes::<2>(src, a) else { return out };
                let v = u16::from_le_bytes(b);
                match format {
                    13..=15 | 49 => v as u32,
                    16..=18 | 50 => v as i16 as i32 as u32,
                    19..=21 | 51 => un16(v),
                    22..=24 | 52 => sn16(v),
                    _ => h(v),
                }
            }
            _ => {
                let Some(b) = bytes::<4>(src, a) else { return out };
                u32::from_le_bytes(b)
            }
        };
    }
    out
}

/// `pm_dispatch` pointer wrapper that may cross to pool threads.
#[derive(Clone, Copy)]
pub struct DispatchPtr(pub *const PmDispatch);
// SAFETY: the block lives for the whole pass and is only read.
unsafe impl Send for DispatchPtr {}
// SAFETY: as above.
unsafe impl Sync for DispatchPtr {}

impl DispatchPtr {
    /// The pointer (a method, so closures capture the wrapper, not the raw field).
    #[inline]
    pub fn get(self) -> *const PmDispatch {
        self.0
    }
}

/// Shades every vertex the draw's primitives need; returns the pool and, per instance, the
/// map from assembly order to pool index.
pub fn shade_vertices(
    pool: Option<&rayon::ThreadPool>,
    program: &RasterProgram,
    layout: &super::VertexLayout,
    draw: &Draw,
    dispatch: DispatchPtr,
    indices: Option<Vec<u32>>,
) -> ExecResult<(VertexPool, Vec<InstanceVertices>)> {
    let stride = layout.stride;
    let fetcher = Fetcher::new(program.vertex_descriptor.as_ref(), draw);
    // Vertex ids shaded per instance, and how assembly finds them.
    let (ids, cached): (Vec<u32>, CachedIndices) = match indices {
        None => ((0..draw.vertex_count).map(|k| draw.vertex_start.wrapping_add(k)).collect(), None),
        Some(idx) => {
            let (lo, hi) = idx.iter().fold((u32::MAX, 0u32), |(l, h), &v| (l.min(v), h.max(v)));
            if !idx.is_empty() && ((hi - lo) as usize) < 2 * idx.len() + 64 {
                ((lo..=hi).collect(), Some((std::sync::Arc::new(idx), lo)))
            } else {
                (idx, None)
            }
        }
    };
    let per_instance = ids.len();
    if per_instance == 0 {
        let maps = (0..draw.instance_count).map(|_| InstanceVertices { base: 0, indices: None }).collect();
        return Ok((VertexPool { data: Vec::new(), stride: stride.max(1) }, maps));
    }
    let instances = draw.instance_count as usize;
    // Refuse (rather than abort on) draws whose shaded vertices do not fit in memory.
    let words = per_instance.checked_mul(instances).and_then(|v| v.checked_mul(stride));
    let mut data = Vec::new();
    if words.is_none_or(|w| data.try_reserve_exact(w).is_err()) {
        return Err(ExecError {
            message: format!(
                "draw too large for the CPU rasterizer: {per_instance} vertices × {instances} instances × {stride} words"
            ),
        });
    }
    data.resize(words.unwrap_or(0), 0f32);
    let base_vertex = if draw.index.is_some() { draw.base_vertex as u32 } else { draw.vertex_start };
    // A fault in generated code (cpu::guard) stops that chunk; the draw then fails.
    let fault = std::sync::OnceLock::<String>::new();
    let shade_chunk = |first: usize, out: &mut [f32]| {
        // `first` is a flat vertex number over all instances; chunks never span instances.
        let inst = (first / per_instance.max(1)) as u32;
        let k0 = first % per_instance.max(1);
        let n = out.len() / stride.max(1);
        let mut attrs = vec![0u32; fetcher.words * VERTEX_BATCH.min(n)];
        let mut inst_ids = vec![0u32; VERTEX_BATCH.min(n)];
        let mut done = 0;
        while done < n {
            let c = (n - done).min(VERTEX_BATCH);
            let vid = &ids[k0 + done..k0 + done + c];
            fetcher.fill(vid, inst, draw.base_instance, &mut attrs[..fetcher.words * c]);
            inst_ids[..c].fill(draw.base_instance.wrapping_add(inst));
            let mut batch = PmVertexBatch {
                count: c as u32,
                base_vertex,
                base_instance: draw.base_instance,
                vertex_id: vid.as_ptr(),
                instance_id: inst_ids.as_ptr(),
                attributes: if fetcher.words == 0 { std::ptr::null() } else { attrs.as_ptr() },
                attr_stride: fetcher.words as u32,
                out: out[done * stride..].as_mut_ptr(),
                out_stride: stride as u32,
            };
            // SAFETY: the batch arrays hold `c` entries; `out` holds `c * stride` words; the
            // dispatch block outlives the call; the function follows the ABI.
            if let Err(f) = unsafe { crate::cpu::guard::call(program.vertex, dispatch.get(), &mut batch) } {
                let _ = fault.set(format!("the vertex function faulted: {f}"));
                return;
            }
            for v in out[done * stride..(done + c) * stride].chunks_exact_mut(stride) {
                for &(src, dst) in &layout.copies {
                    v[dst] = v[src];
                }
            }
            done += c;
        }
    };
    let total = per_instance * instances;
    if stride > 0 && total > 0 {
        // Chunks of whole vertices that never cross an instance boundary.
        let chunk = if total > PARALLEL_VERTICES { 1024.min(per_instance) } else { per_instance };
        let mut pieces: Vec<(usize, &mut [f32])> = Vec::new();
        for (i, inst) in data.chunks_mut(per_instance * stride).enumerate() {
            for (j, c) in inst.chunks_mut(chunk * stride).enumerate() {
                pieces.push((i * per_instance + j * chunk, c));
            }
        }
        match pool {
            Some(p) if total > PARALLEL_VERTICES => {
                use rayon::prelude::*;
                p.install(|| pieces.into_par_iter().for_each(|(first, out)| shade_chunk(first, out)));
            }
            _ => pieces.into_iter().for_each(|(first, out)| shade_chunk(first, out)),
        }
    }
    if let Some(message) = fault.into_inner() {
        return Err(ExecError { message });
    }
    let maps =
        (0..instances).map(|i| InstanceVertices { base: (i * per_instance) as u32, indices: cached.clone() }).collect();
    // Non-cached indexed draws: assembly vertex k is pool vertex k (ids are the index list).
    Ok((VertexPool { data, stride }, maps))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn conv(format: u32, b: &[u8]) -> [u32; 4] {
        convert(format, Range { ptr: b.as_ptr(), len: b.len() }, 0)
    }
    fn fl(v: [u32; 4]) -> [f32; 4] {
        v.map(f32::from_bits)
    }

    #[test]
    fn formats_convert_to_four_words() {
        assert_eq!(fl(conv(29, &[0, 0, 0x80, 0x3f, 0, 0, 0, 0x40])), [1.0, 2.0, 0.0, 1.0]);
        assert_eq!(fl(conv(9, &[255, 0, 51, 255])), [1.0, 0.0, 0.2, 1.0]);
        assert_eq!(fl(conv(42, &[255, 0, 51, 255])), [0.2, 0.0, 1.0, 1.0]);
        assert_eq!(conv(34, &[0xff, 0xff, 0xff, 0xff, 2, 0, 0, 0, 3, 0, 0, 0]), [u32::MAX, 2, 3, 1]);
        assert_eq!(conv(4, &[0xfe, 5]), [(-2i32) as u32, 5, 0, 1]);
        assert_eq!(fl(conv(22, &[0x01, 0x80, 0xff, 0x7f])), [-1.0, 1.0, 0.0, 1.0]);
        assert_eq!(fl(conv(53, &[0x00, 0x3c])), [1.0, 0.0, 0.0, 1.0]);
        assert_eq!(fl(conv(41, &(1023u32 | (3 << 30)).to_le_bytes())), [1.0, 0.0, 0.0, 1.0]);
        // Out of the buffer: zeros, w = 1.
        assert_eq!(fl(conv(31, &[0; 8])), [0.0, 0.0, 0.0, 1.0]);
    }
}

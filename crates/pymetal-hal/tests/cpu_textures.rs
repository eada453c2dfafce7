//! The prelude's texel conversions (texel.h) against format.rs, for every pixel format:
//! a kernel reads each texel of a texture as words, another writes words into a texture,
//! and both must agree bit for bit with `PixelFormat::read` / `PixelFormat::write`.
#![cfg(feature = "cpu")]

use pymetal_hal::abi::PmSampler;
use pymetal_hal::cpu::CpuDevice;
use pymetal_hal::{
    Buffer, BufferBinding, Command, ComputePipeline, Dispatch, FormatKind, Grid, PixelFormat, StorageMode, Submission,
    Texture, TextureDesc,
};
use std::sync::{mpsc, Arc};

const W: u32 = 4;
const H: u32 = 4;
const N: usize = (W * H) as usize;

const SRC: &str = r#"
#include <metal_stdlib>
using namespace metal;
kernel void rf(texture2d<float> t [[texture(0)]], device uint4 *o [[buffer(0)]], uint i [[thread_position_in_grid]]) {
    o[i] = as_type<uint4>(t.read(uint2(i % 4, i / 4)));
}
kernel void ru(texture2d<uint> t [[texture(0)]], device uint4 *o [[buffer(0)]], uint i [[thread_position_in_grid]]) {
    o[i] = t.read(uint2(i % 4, i / 4));
}
kernel void ri(texture2d<int> t [[texture(0)]], device uint4 *o [[buffer(0)]], uint i [[thread_position_in_grid]]) {
    o[i] = as_type<uint4>(t.read(uint2(i % 4, i / 4)));
}
kernel void rd(depth2d<float> t [[texture(0)]], device uint4 *o [[buffer(0)]], uint i [[thread_position_in_grid]]) {
    o[i] = uint4(as_type<uint>(t.read(uint2(i % 4, i / 4))), 0u, 0u, 0u);
}
kernel void wf(texture2d<float, access::write> t [[texture(0)]], device const uint4 *v [[buffer(0)]],
               uint i [[thread_position_in_grid]]) {
    t.write(as_type<float4>(v[i]), uint2(i % 4, i / 4));
}
kernel void wu(texture2d<uint, access::write> t [[texture(0)]], device const uint4 *v [[buffer(0)]],
               uint i [[thread_position_in_grid]]) {
    t.write(v[i], uint2(i % 4, i / 4));
}
kernel void wi(texture2d<int, access::write> t [[texture(0)]], device const uint4 *v [[buffer(0)]],
               uint i [[thread_position_in_grid]]) {
    t.write(as_type<int4>(v[i]), uint2(i % 4, i / 4));
}
"#;

fn pipeline(name: &str) -> Arc<dyn ComputePipeline> {
    let opts = msl::Options { file_name: "textures.metal".into(), ..Default::default() };
    let lib = msl::Library::new(SRC, &opts).unwrap_or_else(|d| panic!("{d}"));
    CpuDevice::shared()
        .new_compute_pipeline(&lib, name, &msl::ConstantValues::default())
        .unwrap_or_else(|e| panic!("{e}"))
}

fn run(p: &Arc<dyn ComputePipeline>, tex: &Arc<dyn Texture>, buf: &Arc<dyn Buffer>) {
    let q = CpuDevice::shared().new_queue().expect("queue");
    let (tx, rx) = mpsc::channel();
    q.submit(Submission {
        commands: vec![Command::Dispatch(Dispatch {
            pipeline: p.clone(),
            buffers: vec![Some(BufferBinding::Buffer { buffer: buf.clone(), offset: 0 })],
            textures: vec![Some(tex.clone())],
            samplers: vec![Some(PmSampler::default())],
            threadgroup_memory: vec![],
            grid: Grid::Threads { threads: [N as u32, 1, 1], threads_per_group: [N as u32, 1, 1] },
        })],
        on_scheduled: Box::new(|| {}),
        on_completed: Box::new(move |r| {
            let _ = tx.send(r);
        }),
    });
    rx.recv().expect("completion").expect("dispatch");
}

/// A small deterministic generator (no extra dependencies).
struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> u32 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (self.0 >> 32) as u32
    }
    /// Words valid for format `f`: floats in [-0.5, 1.5] (out of range for unorm on purpose),
    /// any integers for integer formats.
    fn words(&mut self, f: PixelFormat) -> [u32; 4] {
        let mut w = [0u32; 4];
        for x in &mut w {
            let r = self.next();
            *x = match f.kind() {
                FormatKind::Uint | FormatKind::Sint => r,
                _ if f == PixelFormat::Stencil8 => r & 0xFF,
                _ => (r as f32 / u32::MAX as f32 * 2.0 - 0.5).to_bits(),
            };
        }
        w
    }
}

fn texture(f: PixelFormat) -> Arc<dyn Texture> {
    let desc = TextureDesc {
        width: W,
        height: H,
        depth: 1,
        mip_levels: 1,
        slices: 1,
        bytes_per_pixel: f.bytes_per_pixel(),
        format: f,
        texture_type: 2,
        storage_mode: StorageMode::Shared,
    };
    CpuDevice::shared().new_texture(&desc).expect("texture")
}

fn words_buffer(words: &[[u32; 4]]) -> Arc<dyn Buffer> {
    let b = CpuDevice::shared().new_buffer(N * 16, StorageMode::Shared).expect("buffer");
    // SAFETY: the buffer holds N * 16 bytes; `words` has at most N entries.
    unsafe { std::ptr::copy_nonoverlapping(words.as_ptr().cast::<u8>(), b.contents().expect("c"), words.len() * 16) };
    b
}

fn read_words(b: &Arc<dyn Buffer>) -> Vec<[u32; 4]> {
    // SAFETY: N uint4 in the buffer; nothing runs.
    unsafe { std::slice::from_raw_parts(b.contents().expect("c") as *const [u32; 4], N).to_vec() }
}

/// A copy of the texture's bytes.
fn texels(t: &Arc<dyn Texture>) -> Vec<u8> {
    let n = t.desc().total_bytes();
    // SAFETY: the texture owns `n` bytes; nothing runs while the test looks.
    unsafe { std::slice::from_raw_parts(t.contents().expect("host"), n).to_vec() }
}

fn set_texels(t: &Arc<dyn Texture>, bytes: &[u8]) {
    assert_eq!(bytes.len(), t.desc().total_bytes());
    // SAFETY: the texture owns that many bytes; nothing runs.
    unsafe { std::ptr::copy_nonoverlapping(bytes.as_ptr(), t.contents().expect("host"), bytes.len()) }
}

fn kernels(f: PixelFormat) -> (&'static str, &'static str) {
    match f.kind() {
        FormatKind::Uint => ("ru", "wu"),
        FormatKind::Sint => ("ri", "wi"),
        FormatKind::DepthStencil if f == PixelFormat::Stencil8 => ("ru", "wu"),
        FormatKind::DepthStencil => ("rd", "wf"),
        FormatKind::Float => ("rf", "wf"),
    }
}

#[test]
fn prelude_reads_every_format_as_format_rs() {
    let mut rng = Lcg(5);
    for f in PixelFormat::ALL {
        let t = texture(f);
        let bpp = f.bytes_per_pixel() as usize;
        let mut mem = texels(&t);
        for i in 0..N {
            let w = rng.words(f);
            f.write(w, &mut mem[i * bpp..(i + 1) * bpp]);
            if f.has_stencil() {
                f.write_stencil(&mut mem[i * bpp..(i + 1) * bpp], rng.next() as u8);
            }
        }
        set_texels(&t, &mem);
        let out = words_buffer(&[]);
        run(&pipeline(kernels(f).0), &t, &out);
        let got = read_words(&out);
        let mem = texels(&t);
        for (i, g) in got.iter().enumerate() {
            let mut exp = f.read(&mem[i * bpp..(i + 1) * bpp]);
            if kernels(f).0 == "rd" {
                exp = [exp[0], 0, 0, 0];
            }
            assert_eq!(*g, exp, "{f:?} texel {i}");
        }
    }
}

#[test]
fn prelude_writes_every_format_as_format_rs() {
    let mut rng = Lcg(9);
    for f in PixelFormat::ALL {
        let t = texture(f);
        let bpp = f.bytes_per_pixel() as usize;
        let words: Vec<[u32; 4]> = (0..N).map(|_| rng.words(f)).collect();
        run(&pipeline(kernels(f).1), &t, &words_buffer(&words));
        let mem = texels(&t);
        for (i, w) in words.iter().enumerate() {
            let mut exp = vec![0u8; bpp];
            f.write(*w, &mut exp);
            assert_eq!(&mem[i * bpp..(i + 1) * bpp], &exp[..], "{f:?} texel {i} from {w:x?}");
        }
    }
}

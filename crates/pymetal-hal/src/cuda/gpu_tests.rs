//! End-to-end tests of the CUDA backend on a real GPU, independent of the MSL translator:
//! hand-written CUDA kernels with the `pm_dispatch` ABI go through our NVRTC loader, the
//! cache, buffers and queues. Ignored by default (no GPU here); on a GPU machine:
//! `cargo test -p pymetal-hal --no-default-features --features cuda -- --ignored --test-threads 1 gpu_`

use super::compile::{compile_source, CudaPipeline};
use super::device::CudaDevice;
use crate::abi;
use crate::*;
use std::sync::mpsc::channel;
use std::sync::Arc;
use std::time::Instant;

const ABI: &str = include_str!("../../../msl/prelude/pm_abi.h");

fn device() -> Option<Arc<dyn Device>> {
    let d = super::enumerate().into_iter().next();
    if d.is_none() {
        eprintln!("no CUDA device: {:?}", super::unavailable_reason());
    }
    d
}

fn pipeline(dev: &Arc<dyn Device>, body: &str) -> Arc<dyn ComputePipeline> {
    let cuda = dev.as_any().downcast_ref::<CudaDevice>().unwrap();
    let src = format!(
        "{ABI}\nextern \"C\" __global__ void pm_entry_0(const __grid_constant__ pm_dispatch d) {{\n{body}\n}}\n"
    );
    let m = compile_source(&cuda.shared, &src, vec!["pm_entry_0".into()], false, &|log| {
        msl::Diagnostic::error_raw("test.cu", 0, 0, "", log)
    })
    .unwrap_or_else(|e| panic!("{e}"));
    Arc::new(CudaPipeline::from_module(&cuda.shared, m, 0, "test").unwrap())
}

fn run(q: &Arc<dyn Queue>, commands: Vec<Command>) -> Result<(), ExecError> {
    let (tx, rx) = channel();
    q.submit(Submission {
        commands,
        on_scheduled: Box::new(|| {}),
        on_completed: Box::new(move |r| tx.send(r).unwrap()),
    });
    rx.recv().unwrap()
}

fn dispatch(
    p: &Arc<dyn ComputePipeline>,
    bufs: Vec<Option<BufferBinding>>,
    n: u32,
    tg: u32,
    smem: Vec<u32>,
) -> Command {
    Command::Dispatch(Dispatch {
        pipeline: p.clone(),
        buffers: bufs,
        textures: Vec::new(),
        samplers: Vec::new(),
        threadgroup_memory: smem,
        grid: Grid::Threads { threads: [n, 1, 1], threads_per_group: [tg, 1, 1] },
    })
}

fn bind(b: &Arc<dyn Buffer>) -> Option<BufferBinding> {
    Some(BufferBinding::Buffer { buffer: b.clone(), offset: 0 })
}

#[allow(clippy::mut_from_ref)] // a test view of GPU-shared memory, used one at a time
fn f32s(b: &Arc<dyn Buffer>) -> &mut [f32] {
    // SAFETY: host-visible buffer of `length` bytes, no kernel running.
    unsafe { std::slice::from_raw_parts_mut(b.contents().unwrap() as *mut f32, b.length() / 4) }
}

const VADD: &str = "unsigned i = blockIdx.x * blockDim.x + threadIdx.x; if (i >= d.threads[0]) return;
    ((float*)d.buffers[2])[i] = ((float*)d.buffers[0])[i] + ((float*)d.buffers[1])[i];";

#[test]
#[ignore]
fn gpu_vector_add_shared_and_timings() {
    let Some(dev) = device() else { return };
    println!("{:?}", dev.info());
    let p = pipeline(&dev, VADD);
    let q = dev.new_queue().unwrap();
    let n = 1_000_003usize;
    let a = dev.new_buffer(n * 4, StorageMode::Shared).unwrap();
    let b = dev.new_buffer(n * 4, StorageMode::Shared).unwrap();
    let c = dev.new_buffer(n * 4, StorageMode::Shared).unwrap();
    for i in 0..n {
        f32s(&a)[i] = i as f32;
        f32s(&b)[i] = 2.0;
    }
    run(&q, vec![dispatch(&p, vec![bind(&a), bind(&b), bind(&c)], n as u32, 256, vec![])]).unwrap();
    assert!((0..n).all(|i| f32s(&c)[i] == i as f32 + 2.0));
    // Tiny kernel commit + wait.
    let tiny = dispatch(&p, vec![bind(&a), bind(&b), bind(&c)], 32, 32, vec![]);
    for _ in 0..100 {
        run(&q, vec![tiny.clone()]).unwrap();
    }
    let t = Instant::now();
    for _ in 0..1000 {
        run(&q, vec![tiny.clone()]).unwrap();
    }
    println!("commit+wait tiny kernel: {:.2} us", t.elapsed().as_secs_f64() * 1e3);
    let batch: Vec<Command> = (0..1000).map(|_| tiny.clone()).collect();
    run(&q, batch.clone()).unwrap();
    let t = Instant::now();
    run(&q, batch).unwrap();
    println!("1000 dispatches in one submission: {:.2} us each", t.elapsed().as_secs_f64() * 1e3);
}

#[test]
#[ignore]
fn gpu_set_bytes_and_large_threadgroup_memory() {
    let Some(dev) = device() else { return };
    let smem = 64 * 1024u32;
    let p = pipeline(
        &dev,
        "extern __shared__ unsigned char pm_smem[];
         float *tg = (float*)(pm_smem + d.tg_arg_offset[1]);
         unsigned t = threadIdx.x;
         tg[t * 64] = *(const float*)d.buffers[1] * t;
         __syncthreads();
         ((float*)d.buffers[0])[blockIdx.x * blockDim.x + t] = tg[(blockDim.x - 1 - t) * 64];",
    );
    let q = dev.new_queue().unwrap();
    let out = dev.new_buffer(4 * 256, StorageMode::Shared).unwrap();
    let scale = |v: f32| Some(BufferBinding::Bytes(Arc::from(v.to_le_bytes().to_vec().into_boxed_slice())));
    let cmds = vec![
        dispatch(&p, vec![bind(&out), scale(3.0)], 256, 256, vec![16, smem - 16]),
        dispatch(&p, vec![bind(&out), scale(5.0)], 128, 128, vec![16, smem - 16]),
    ];
    run(&q, cmds).unwrap();
    let o = f32s(&out);
    assert_eq!(o[0], 5.0 * 127.0);
    assert_eq!(o[200], 3.0 * 55.0);
}

#[test]
#[ignore]
fn gpu_managed_private_blits() {
    let Some(dev) = device() else { return };
    let p = pipeline(
        &dev,
        "unsigned i = blockIdx.x * blockDim.x + threadIdx.x; if (i < d.threads[0]) ((float*)d.buffers[0])[i] *= 2.0f;",
    );
    let q = dev.new_queue().unwrap();
    let m = dev.new_buffer(4 * 1000, StorageMode::Managed).unwrap();
    let pr = dev.new_buffer(4 * 1000, StorageMode::Private).unwrap();
    let s = dev.new_buffer(4 * 1000, StorageMode::Shared).unwrap();
    assert!(pr.contents().is_none());
    f32s(&m).iter_mut().enumerate().for_each(|(i, x)| *x = i as f32);
    m.did_modify_range(0, 4000);
    run(
        &q,
        vec![
            dispatch(&p, vec![bind(&m)], 1000, 64, vec![]),
            Command::CopyBuffer { src: m.clone(), src_offset: 0, dst: pr.clone(), dst_offset: 0, size: 4000 },
            Command::FillBuffer { buffer: m.clone(), offset: 0, length: 4, value: 0 },
            Command::SynchronizeBuffer { buffer: m.clone() },
            Command::CopyBuffer { src: pr.clone(), src_offset: 4, dst: s.clone(), dst_offset: 0, size: 3996 },
        ],
    )
    .unwrap();
    assert_eq!(f32s(&m)[0], 0.0);
    assert_eq!(f32s(&m)[10], 20.0);
    assert_eq!(f32s(&s)[0], 2.0);
    assert_eq!(f32s(&s)[998], 2.0 * 999.0);
    let (ptr, ord) = s.device_pointer().unwrap();
    assert_eq!((ptr, ord), (s.gpu_address(), dev.info().ordinal));
}

#[test]
#[ignore]
fn gpu_fault_then_device_still_works() {
    let Some(dev) = device() else { return };
    let bad = pipeline(&dev, "((float*)d.buffers[0])[(1ull << 40) + threadIdx.x] = 1.0f;");
    let p = pipeline(&dev, VADD);
    let q = dev.new_queue().unwrap();
    let x = dev.new_buffer(1024, StorageMode::Shared).unwrap();
    let err = run(&q, vec![dispatch(&bad, vec![bind(&x)], 32, 32, vec![])]).unwrap_err();
    println!("fault: {}", err.message);
    assert!(err.message.contains("CUDA_ERROR"), "{}", err.message);
    // The old buffer is lost, but reading its host view must not crash.
    let _ = f32s(&x)[0];
    let err2 = run(&q, vec![dispatch(&p, vec![bind(&x), bind(&x), bind(&x)], 32, 32, vec![])]).unwrap_err();
    println!("old buffer: {}", err2.message);
    let a = dev.new_buffer(4 * 64, StorageMode::Shared).unwrap();
    let c = dev.new_buffer(4 * 64, StorageMode::Shared).unwrap();
    f32s(&a).iter_mut().for_each(|v| *v = 1.5);
    run(&q, vec![dispatch(&p, vec![bind(&a), bind(&a), bind(&c)], 64, 32, vec![])]).unwrap();
    assert!(f32s(&c).iter().all(|&v| v == 3.0));
    let q2 = dev.new_queue().unwrap();
    run(&q2, vec![dispatch(&p, vec![bind(&a), bind(&a), bind(&c)], 64, 32, vec![])]).unwrap();
}

#[test]
#[ignore]
fn gpu_shared_over_ask_is_refused() {
    let Some(dev) = device() else { return };
    let too_much = dev.info().recommended_max_working_set_size as usize * 2;
    match dev.new_buffer(too_much, StorageMode::Shared) {
        Err(HalError::OutOfMemory { .. }) => {}
        Err(e) => panic!("unexpected error {e}"),
        Ok(_) => panic!("an over-ask was accepted"),
    }
}

// ------------------------------------------------------------------ textures

fn tex_desc(format: PixelFormat, size: [u32; 3], mips: u32, slices: u32, kind: u32) -> TextureDesc {
    TextureDesc::new(format, kind, size, mips, slices, StorageMode::Shared)
}

#[allow(clippy::mut_from_ref)] // a test view of managed memory, used with the queue idle
fn tex_bytes(t: &Arc<dyn Texture>) -> &mut [u8] {
    // SAFETY: CUDA textures are managed memory of total_bytes; no work in flight.
    unsafe { std::slice::from_raw_parts_mut(t.contents().unwrap(), t.desc().total_bytes()) }
}

#[allow(clippy::mut_from_ref)]
fn host_bytes(t: &texture::HostTexture) -> &mut [u8] {
    // SAFETY: host texture of total_bytes, used by this test only.
    unsafe { std::slice::from_raw_parts_mut(t.contents().unwrap(), t.desc().total_bytes()) }
}

/// Buffer → texture (Private, Shared and Managed sources), texture → texture (distinct and
/// within one texture), texture → buffer, mipmaps, against the host implementations.
#[test]
#[ignore]
fn gpu_texture_copies_match_the_host() {
    let Some(dev) = device() else { return };
    let q = dev.new_queue().unwrap();
    let d = tex_desc(PixelFormat::RGBA8Unorm, [13, 9, 1], 4, 3, 3);
    let t = dev.new_texture(&d).unwrap();
    assert!(tex_bytes(&t).iter().all(|&b| b == 0), "new textures read as zero");
    let reference = texture::HostTexture::new(&d).unwrap();
    let n = 4096;
    let data: Vec<u8> = (0..n).map(|i| (i * 31 + 7) as u8).collect();
    let staging = dev.new_buffer(n, StorageMode::Shared).unwrap();
    // SAFETY: host-visible buffer of n bytes.
    unsafe { std::ptr::copy_nonoverlapping(data.as_ptr(), staging.contents().unwrap(), n) };
    let private = dev.new_buffer(n, StorageMode::Private).unwrap();
    let managed = dev.new_buffer(n, StorageMode::Managed).unwrap();
    // SAFETY: as above (the host copy of a Managed buffer).
    unsafe { std::ptr::copy_nonoverlapping(data.as_ptr(), managed.contents().unwrap(), n) };
    managed.did_modify_range(0, n);
    let regions = [
        (
            staging.clone(),
            3,
            TexelRegion {
                slice: 1,
                level: 0,
                origin: [2, 1, 0],
                size: [9, 7, 1],
                bytes_per_row: 40,
                bytes_per_image: 0,
            },
        ),
        (
            private.clone(),
            0,
            TexelRegion {
                slice: 2,
                level: 1,
                origin: [0, 0, 0],
                size: [6, 4, 1],
                bytes_per_row: 24,
                bytes_per_image: 0,
            },
        ),
        (
            managed.clone(),
            100,
            TexelRegion {
                slice: 0,
                level: 2,
                origin: [1, 1, 0],
                size: [2, 1, 1],
                bytes_per_row: 8,
                bytes_per_image: 0,
            },
        ),
    ];
    let mut cmds =
        vec![Command::CopyBuffer { src: staging.clone(), src_offset: 0, dst: private.clone(), dst_offset: 0, size: n }];
    for (b, off, r) in &regions {
        cmds.push(Command::CopyBufferToTexture { src: b.clone(), src_offset: *off, dst: t.clone(), region: *r });
        let mut m = data.clone();
        // SAFETY: the region lies in the level; `m` holds enough bytes.
        unsafe { texture::copy_region(reference.contents().unwrap(), &d, r, m.as_mut_ptr().add(*off), true) };
    }
    run(&q, cmds).unwrap();
    assert_eq!(tex_bytes(&t), host_bytes(&reference));

    // Texture → texture, then within one texture (overlapping boxes), then back to buffers.
    let t2 = dev.new_texture(&d).unwrap();
    let reference2 = texture::HostTexture::new(&d).unwrap();
    let copy =
        |src: &Arc<dyn Texture>, dst: &Arc<dyn Texture>, s: (u32, u32, [u32; 3]), e: (u32, u32, [u32; 3]), size| {
            Command::CopyTexture {
                src: src.clone(),
                src_slice: s.0,
                src_level: s.1,
                src_origin: s.2,
                dst: dst.clone(),
                dst_slice: e.0,
                dst_level: e.1,
                dst_origin: e.2,
                size,
            }
        };
    let ops = [((1, 0, [2, 1, 0]), (0, 0, [0, 0, 0]), [9, 7, 1]), ((2, 1, [0, 0, 0]), (2, 1, [0, 0, 0]), [6, 4, 1])];
    let mut cmds: Vec<Command> = ops.iter().map(|(s, e, size)| copy(&t, &t2, *s, *e, *size)).collect();
    cmds.push(copy(&t2, &t2, (0, 0, [0, 0, 0]), (0, 0, [2, 1, 0]), [9, 7, 1]));
    let out_private = dev.new_buffer(n, StorageMode::Private).unwrap();
    let out = dev.new_buffer(n, StorageMode::Shared).unwrap();
    let back =
        TexelRegion { slice: 0, level: 0, origin: [0, 0, 0], size: [13, 9, 1], bytes_per_row: 60, bytes_per_image: 0 };
    cmds.push(Command::CopyTextureToBuffer { src: t2.clone(), dst: out_private.clone(), dst_offset: 16, region: back });
    cmds.push(Command::CopyBuffer {
        src: out_private.clone(),
        src_offset: 0,
        dst: out.clone(),
        dst_offset: 0,
        size: n,
    });
    run(&q, cmds).unwrap();
    for (s, e, size) in ops {
        // SAFETY: boxes inside their levels, same format.
        unsafe { blit::copy_texture(&side(&reference, s), &side(&reference2, e), size) };
    }
    // SAFETY: as above (one texture, overlapping boxes are staged by copy_texture).
    unsafe { blit::copy_texture(&side(&reference2, (0, 0, [0; 3])), &side(&reference2, (0, 0, [2, 1, 0])), [9, 7, 1]) };
    assert_eq!(tex_bytes(&t2), host_bytes(&reference2));
    let mut expect = vec![0u8; n];
    // SAFETY: region inside level 0; `expect` holds 16 + 8*60 + 52 bytes.
    unsafe { texture::copy_region(reference2.contents().unwrap(), &d, &back, expect.as_mut_ptr().add(16), false) };
    // SAFETY: host-visible buffer of n bytes, queue idle.
    let got = unsafe { std::slice::from_raw_parts(out.contents().unwrap(), n) };
    assert_eq!(got, &expect[..]);

    // Mipmaps on the host over managed memory, ordered after the copies before them.
    let mut cmds = vec![Command::CopyBufferToTexture {
        src: staging.clone(),
        src_offset: 0,
        dst: t2.clone(),
        region: regions[0].2,
    }];
    cmds.push(Command::GenerateMipmaps { texture: t2.clone(), format: d.format });
    cmds.push(Command::SynchronizeTexture { texture: t2.clone(), slice: 0, level: 1 });
    run(&q, cmds).unwrap();
    // SAFETY: as above.
    unsafe {
        texture::copy_region(reference2.contents().unwrap(), &d, &regions[0].2, data.as_ptr() as *mut u8, true);
        blit::generate_mipmaps(reference2.contents().unwrap(), &d, d.format);
    }
    assert_eq!(tex_bytes(&t2), host_bytes(&reference2));
}

fn side(t: &texture::HostTexture, s: (u32, u32, [u32; 3])) -> blit::CopySide<'_> {
    blit::CopySide { data: t.contents().unwrap(), desc: t.desc(), slice: s.0, level: s.1, origin: s.2 }
}

/// A kernel reads a texture and a sampler through `pm_dispatch.textures/samplers`, and
/// writes a texture that the host then reads.
#[test]
#[ignore]
fn gpu_kernel_reads_and_writes_textures() {
    let Some(dev) = device() else { return };
    let p = pipeline(
        &dev,
        "unsigned x = blockIdx.x * blockDim.x + threadIdx.x, y = blockIdx.y;
        if (x >= d.threads[0]) return;
        const pm_texture &src = d.textures[1];
        const pm_texture &dst = d.textures[3];
        const float *in = (const float*)(src.data + src.level_offset[1]);
        unsigned w1 = src.width >> 1;
        float v = in[y * w1 + x] * (float)d.samplers[2].mag_filter + (d.textures[0].data == 0 ? 0.5f : 100.0f);
        ((float*)(dst.data + dst.level_offset[0]))[y * dst.width + x] = v;
        ((float*)d.buffers[0])[y * w1 + x] = (float)(src.format + dst.bytes_per_pixel);",
    );
    let q = dev.new_queue().unwrap();
    let d = tex_desc(PixelFormat::R32Float, [16, 8, 1], 2, 1, 2);
    let src = dev.new_texture(&d).unwrap();
    let dst = dev.new_texture(&tex_desc(PixelFormat::R32Float, [8, 4, 1], 1, 1, 2)).unwrap();
    let level1 = d.offset(0, 1);
    for i in 0..32 {
        tex_bytes(&src)[level1 + 4 * i..level1 + 4 * i + 4].copy_from_slice(&(i as f32).to_le_bytes());
    }
    let out = dev.new_buffer(32 * 4, StorageMode::Shared).unwrap();
    let sampler = abi::PmSampler { mag_filter: 3, ..Default::default() };
    let cmd = Command::Dispatch(Dispatch {
        pipeline: p.clone(),
        buffers: vec![bind(&out)],
        textures: vec![None, Some(src.clone()), None, Some(dst.clone())],
        samplers: vec![None, None, Some(sampler)],
        threadgroup_memory: Vec::new(),
        grid: Grid::Threads { threads: [8, 4, 1], threads_per_group: [8, 1, 1] },
    });
    run(&q, vec![cmd]).unwrap();
    for i in 0..32 {
        let v = f32::from_le_bytes(tex_bytes(&dst)[4 * i..4 * i + 4].try_into().unwrap());
        assert_eq!(v, i as f32 * 3.0 + 0.5, "texel {i}");
        assert_eq!(f32s(&out)[i], (PixelFormat::R32Float as u32 + 4) as f32);
    }
}

#[test]
#[ignore]
fn gpu_texture_over_ask_is_refused() {
    let Some(dev) = device() else { return };
    let side = 16384u32;
    let slices = (dev.info().recommended_max_working_set_size / (side as u64 * side as u64 * 16)) as u32 * 2 + 1;
    match dev.new_texture(&tex_desc(PixelFormat::RGBA32Float, [side, side, 1], 1, slices, 3)) {
        Err(HalError::OutOfMemory { .. }) => {}
        Err(e) => panic!("unexpected error {e}"),
        Ok(_) => panic!("an over-ask was accepted"),
    }
}

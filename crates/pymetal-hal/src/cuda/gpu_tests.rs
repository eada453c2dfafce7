//! End-to-end tests of the CUDA backend on a real GPU, independent of the MSL translator:
//! hand-written CUDA kernels with the `pm_dispatch` ABI go through our NVRTC loader, the
//! cache, buffers and queues. Ignored by default (no GPU here); on a GPU machine:
//! `cargo test -p pymetal-hal --no-default-features --features cuda -- --ignored --test-threads 1 gpu_`

use super::compile::{compile_source, CudaPipeline};
use super::device::CudaDevice;
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

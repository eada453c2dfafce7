//! End to end: MSL source → msl::Library → CpuDevice pipeline → queue → results.
#![cfg(feature = "cpu")]

use pymetal_hal::cpu::{CpuDevice, CpuPipeline};
use pymetal_hal::{
    Buffer, BufferBinding, Command, ComputePipeline, Dispatch, ExecError, Grid, HalError, StorageMode, Submission,
};
use std::sync::{mpsc, Arc};

/// The prelude is written concurrently; until it defines `metal`, these tests cannot run.
fn prelude_ready() -> bool {
    let ready = msl::prelude::source(msl::Target::Cpu).contains("namespace metal");
    if !ready {
        eprintln!("skipped: the metal_stdlib prelude is not there yet");
    }
    ready
}

fn library(src: &str) -> msl::Library {
    let opts = msl::Options { file_name: "test.metal".into(), ..Default::default() };
    match msl::Library::new(src, &opts) {
        Ok(l) => l,
        Err(d) => panic!("{d}"),
    }
}

fn pipeline(lib: &msl::Library, name: &str) -> Arc<dyn ComputePipeline> {
    match CpuDevice::shared().new_compute_pipeline(lib, name, &msl::ConstantValues::default()) {
        Ok(p) => p,
        Err(e) => panic!("{e}"),
    }
}

fn buf_f32(data: &[f32]) -> Arc<dyn Buffer> {
    let b = CpuDevice::shared().new_buffer(data.len() * 4, StorageMode::Shared).expect("buffer");
    // SAFETY: the buffer holds data.len() floats.
    unsafe { std::ptr::copy_nonoverlapping(data.as_ptr(), b.contents().expect("c") as *mut f32, data.len()) };
    b
}

fn read_f32(b: &Arc<dyn Buffer>) -> Vec<f32> {
    // SAFETY: length/4 floats; nothing runs.
    unsafe { std::slice::from_raw_parts(b.contents().expect("c") as *const f32, b.length() / 4).to_vec() }
}

fn run(p: &Arc<dyn ComputePipeline>, bufs: &[&Arc<dyn Buffer>], tg: Vec<u32>, grid: Grid) -> Result<(), ExecError> {
    let q = CpuDevice::shared().new_queue().expect("queue");
    let (tx, rx) = mpsc::channel();
    let buffers = bufs.iter().map(|b| Some(BufferBinding::Buffer { buffer: (*b).clone(), offset: 0 })).collect();
    q.submit(Submission {
        commands: vec![Command::Dispatch(Dispatch { pipeline: p.clone(), buffers, threadgroup_memory: tg, grid })],
        on_scheduled: Box::new(|| {}),
        on_completed: Box::new(move |r| {
            let _ = tx.send(r);
        }),
    });
    rx.recv().expect("completion")
}

const SRC: &str = r#"
#include <metal_stdlib>
using namespace metal;

kernel void add(device const float* a [[buffer(0)]], device const float* b [[buffer(1)]],
                device float* c [[buffer(2)]], uint i [[thread_position_in_grid]]) {
    c[i] = a[i] + b[i];
}

kernel void reduce(device const float* in [[buffer(0)]], device float* out [[buffer(1)]],
                   uint lid [[thread_index_in_threadgroup]], uint gid [[thread_position_in_grid]],
                   uint n [[threads_per_threadgroup]], uint grp [[threadgroup_position_in_grid]]) {
    threadgroup float sh[256];
    sh[lid] = in[gid];
    threadgroup_barrier(mem_flags::mem_threadgroup);
    for (uint s = n / 2; s > 0; s >>= 1) {
        if (lid < s) sh[lid] += sh[lid + s];
        threadgroup_barrier(mem_flags::mem_threadgroup);
    }
    if (lid == 0) out[grp] = sh[0];
}

kernel void simd0(device float* out [[buffer(0)]], uint lid [[thread_index_in_threadgroup]],
                  uint sg [[simdgroup_index_in_threadgroup]], uint lane [[thread_index_in_simdgroup]],
                  uint grp [[threadgroup_position_in_grid]]) {
    threadgroup float total;
    if (sg == 0) {
        float s = simd_sum(float(lane));
        if (lane == 0) total = s;
    }
    threadgroup_barrier(mem_flags::mem_threadgroup);
    out[grp * 128 + lid] = total;
}
"#;

#[test]
fn vector_add_from_msl() {
    if !prelude_ready() {
        return;
    }
    let lib = library(SRC);
    let t0 = std::time::Instant::now();
    CpuDevice::shared().check_library(&lib).expect("check_library");
    println!("check_library (3 kernels; cold unless the disk cache has them): {:?}", t0.elapsed());
    let p = pipeline(&lib, "add");
    let cpu = p.as_any().downcast_ref::<CpuPipeline>().expect("cpu pipeline");
    assert!(!cpu.uses_fibers());
    let n = 100_003usize;
    let a: Vec<f32> = (0..n).map(|i| i as f32).collect();
    let (ba, bb) = (buf_f32(&a), buf_f32(&a));
    let bc = CpuDevice::shared().new_buffer(n * 4, StorageMode::Shared).expect("buffer");
    let grid = Grid::Threads { threads: [n as u32, 1, 1], threads_per_group: [64, 1, 1] };
    run(&p, &[&ba, &bb, &bc], vec![], grid).expect("dispatch");
    assert!(read_f32(&bc).iter().enumerate().all(|(i, &v)| v == 2.0 * i as f32));
    // Cached: a second pipeline of the same library costs little.
    let t0 = std::time::Instant::now();
    let _p2 = pipeline(&lib, "add");
    println!("cached pipeline creation (emit + hash + memo): {:?}", t0.elapsed());
}

#[test]
fn reduction_with_threadgroup_memory_and_barriers() {
    if !prelude_ready() {
        return;
    }
    let lib = library(SRC);
    let p = pipeline(&lib, "reduce");
    let groups = 9usize;
    let input: Vec<f32> = (0..groups * 256).map(|i| (i % 5) as f32).collect();
    let (bi, bo) = (buf_f32(&input), buf_f32(&vec![0.0; groups]));
    let grid = Grid::Threadgroups { groups: [groups as u32, 1, 1], threads_per_group: [256, 1, 1] };
    run(&p, &[&bi, &bo], vec![], grid).expect("dispatch");
    let got = read_f32(&bo);
    for g in 0..groups {
        assert_eq!(got[g], input[g * 256..(g + 1) * 256].iter().sum::<f32>(), "group {g}");
    }
}

#[test]
fn simd_sum_in_simd_group_zero_only() {
    if !prelude_ready() {
        return;
    }
    let lib = library(SRC);
    let p = pipeline(&lib, "simd0");
    let bo = buf_f32(&vec![0.0; 128 * 4]);
    let grid = Grid::Threadgroups { groups: [4, 1, 1], threads_per_group: [128, 1, 1] };
    run(&p, &[&bo], vec![], grid).expect("dispatch");
    let got = read_f32(&bo);
    assert!(
        got.iter().all(|&v| v == 496.0),
        "simd_sum in SIMD group 0 gave {:?}... (if wrong: the prelude's simd_exchange must restore pm_cur \
         right after its first sync, before reading other lanes)",
        &got[..8]
    );
}

#[test]
fn compile_error_names_the_user_line() {
    if !prelude_ready() {
        return;
    }
    let src = "#include <metal_stdlib>\nusing namespace metal;\nkernel void k(device float* a [[buffer(0)]]) {\n    a[0] = not_declared;\n}\n";
    let lib = library(src);
    let err = CpuDevice::shared().check_library(&lib).expect_err("must fail");
    match err {
        HalError::Compile(d) => {
            assert_eq!((d.file.as_str(), d.line), ("test.metal", 4), "{d}");
            assert!(d.to_string().contains("not_declared"), "{d}");
        }
        other => panic!("unexpected {other}"),
    }
}

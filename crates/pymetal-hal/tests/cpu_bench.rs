//! Throughput numbers for the CPU executor (ignored by default; no timing asserts):
//! `cargo test -p pymetal-hal --release --no-default-features --features cpu --test cpu_bench -- --ignored --nocapture --test-threads 1`
#![cfg(feature = "cpu")]

use pymetal_hal::cpu::CpuDevice;
use pymetal_hal::{Buffer, BufferBinding, Command, ComputePipeline, Device, Dispatch, Grid, StorageMode, Submission};
use std::sync::{mpsc, Arc};
use std::time::Instant;

const ABI: &str = include_str!("../../msl/prelude/pm_abi.h");

fn run(p: &Arc<dyn ComputePipeline>, bufs: &[&Arc<dyn Buffer>], tg_mem: Vec<u32>, grid: Grid) {
    let q = CpuDevice::shared().new_queue().expect("queue");
    let (tx, rx) = mpsc::channel();
    let buffers = bufs.iter().map(|b| Some(BufferBinding::Buffer { buffer: (*b).clone(), offset: 0 })).collect();
    q.submit(Submission {
        commands: vec![Command::Dispatch(Dispatch {
            pipeline: p.clone(),
            buffers,
            textures: vec![],
            samplers: vec![],
            threadgroup_memory: tg_mem,
            grid,
        })],
        on_scheduled: Box::new(|| {}),
        on_completed: Box::new(move |r| {
            let _ = tx.send(r);
        }),
    });
    rx.recv().expect("done").expect("dispatch ok");
}

/// Process CPU time (user + system) in seconds: robust against other load on the machine.
fn cpu_time() -> f64 {
    // SAFETY: getrusage fills the struct we pass.
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: valid pointer to a rusage.
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut ru) };
    let tv = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 * 1e-6;
    tv(ru.ru_utime) + tv(ru.ru_stime)
}

fn rss_mib() -> u64 {
    let s = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    s.split_whitespace().nth(1).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0) * 4 / 1024
}

#[test]
#[ignore]
fn bench_vector_add_2_26() {
    let src = format!(
        "{ABI}\n{}",
        r#"
extern "C" void pm_entry_0(const pm_dispatch* d, pm_cpu_thread* t) {}
extern "C" void pm_group_0(const pm_dispatch* d, pm_cpu_thread* t) {
    const float* a = (const float*)d->buffers[0]; const float* b = (const float*)d->buffers[1];
    float* c = (float*)d->buffers[2];
    unsigned base = t->group[0] * d->tg_size[0], n = t->tg_size[0];
    for (unsigned x = 0; x < n; ++x) c[base + x] = a[base + x] + b[base + x];
}
"#
    );
    let dev = CpuDevice::shared_cpu();
    let p = dev.pipeline_from_cpp(&src, "pm_entry_0", Some("pm_group_0"), false).expect("compile");
    let n = 1usize << 26;
    let bufs: Vec<_> = (0..3).map(|_| dev.new_buffer(n * 4, StorageMode::Shared).expect("buffer")).collect();
    for b in &bufs[..2] {
        // SAFETY: n floats.
        let s = unsafe { std::slice::from_raw_parts_mut(b.contents().expect("c") as *mut f32, n) };
        s.iter_mut().enumerate().for_each(|(i, v)| *v = i as f32);
    }
    let refs: Vec<&Arc<dyn Buffer>> = bufs.iter().collect();
    for tg in [256u32, 1024] {
        let grid = Grid::Threads { threads: [n as u32, 1, 1], threads_per_group: [tg, 1, 1] };
        run(&p, &refs, vec![], grid); // warm (first touch of c)
        let reps = 10;
        let (t0, c0) = (Instant::now(), cpu_time());
        for _ in 0..reps {
            run(&p, &refs, vec![], grid);
        }
        let dt = t0.elapsed().as_secs_f64() / reps as f64;
        let cpu = (cpu_time() - c0) / reps as f64;
        println!(
            "vector add 2^26 f32, tg {tg}: {:.2} ms wall, {:.2} GB/s (12 bytes/element); {:.2} ms CPU time",
            dt * 1e3,
            (12 * n) as f64 / dt / 1e9,
            cpu * 1e3
        );
    }
}

#[test]
#[ignore]
fn bench_fiber_barriers() {
    let src = format!(
        "{ABI}\n{}",
        r#"
extern "C" void pm_entry_0(const pm_dispatch* d, pm_cpu_thread* t) {
    float* sh = (float*)(t->arena + d->tg_arg_offset[0]);
    unsigned reps = *(const unsigned*)d->buffers[1];
    float acc = 0;
    for (unsigned r = 0; r < reps; ++r) {
        sh[t->flat] = acc + t->flat;
        t->sync(t->sched, t, 0);
        acc += sh[(t->flat + 1) % t->tg_size[0]];
        t->sync(t->sched, t, 0);
    }
    ((float*)d->buffers[0])[t->group[0] * d->tg_size[0] + t->flat] = acc;
}
"#
    );
    let dev = CpuDevice::shared_cpu();
    let p = dev.pipeline_from_cpp(&src, "pm_entry_0", None, false).expect("compile");
    let cores = dev.info().name.clone();
    let workers = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1) as f64;
    for tg in [32u32, 256, 1024] {
        let groups = 64u32;
        let reps: u32 = 200;
        let out = dev.new_buffer((groups * tg * 4) as usize, StorageMode::Shared).expect("buffer");
        let r = dev.new_buffer(4, StorageMode::Shared).expect("buffer");
        // SAFETY: 4 bytes.
        unsafe { *(r.contents().expect("c") as *mut u32) = reps };
        let grid = Grid::Threadgroups { groups: [groups, 1, 1], threads_per_group: [tg, 1, 1] };
        run(&p, &[&out, &r], vec![tg * 4], grid);
        let (t0, c0) = (Instant::now(), cpu_time());
        run(&p, &[&out, &r], vec![tg * 4], grid);
        let (dt, cpu) = (t0.elapsed().as_secs_f64(), cpu_time() - c0);
        let barriers = groups as f64 * tg as f64 * reps as f64 * 2.0;
        println!(
            "fibers tg {tg}: {:.1} ns wall per barrier per thread ({:.1} ns CPU time; {workers} workers); RSS {} MiB [{cores}]",
            dt / barriers * 1e9,
            cpu / barriers * 1e9,
            rss_mib()
        );
    }
}

#[test]
#[ignore]
fn bench_msl_vector_add_2_26() {
    let src = "#include <metal_stdlib>\nusing namespace metal;\n\
               kernel void add(device const float* a [[buffer(0)]], device const float* b [[buffer(1)]],\n\
               device float* c [[buffer(2)]], uint i [[thread_position_in_grid]]) { c[i] = a[i] + b[i]; }\n";
    let lib = msl::Library::new(src, &msl::Options::default()).unwrap_or_else(|d| panic!("{d}"));
    let dev = CpuDevice::shared_cpu();
    let p = dev.new_compute_pipeline(&lib, "add", &msl::ConstantValues::default()).unwrap_or_else(|e| panic!("{e}"));
    let n = 1usize << 26;
    let bufs: Vec<_> = (0..3).map(|_| dev.new_buffer(n * 4, StorageMode::Shared).expect("buffer")).collect();
    for b in &bufs[..2] {
        // SAFETY: n floats.
        let s = unsafe { std::slice::from_raw_parts_mut(b.contents().expect("c") as *mut f32, n) };
        s.iter_mut().enumerate().for_each(|(i, v)| *v = i as f32);
    }
    let refs: Vec<&Arc<dyn Buffer>> = bufs.iter().collect();
    let grid = Grid::Threads { threads: [n as u32, 1, 1], threads_per_group: [256, 1, 1] };
    run(&p, &refs, vec![], grid);
    let reps = 10;
    let (t0, c0) = (Instant::now(), cpu_time());
    for _ in 0..reps {
        run(&p, &refs, vec![], grid);
    }
    let dt = t0.elapsed().as_secs_f64() / reps as f64;
    let cpu = (cpu_time() - c0) / reps as f64;
    println!(
        "MSL vector add 2^26 f32 (emitted plain loop): {:.2} ms wall, {:.2} GB/s; {:.2} ms CPU time",
        dt * 1e3,
        (12 * n) as f64 / dt / 1e9,
        cpu * 1e3
    );
}

//! The CPU executor, driven by hand-written C++ modules that follow the kernel ABI
//! (docs/abi.md), so it is tested independently of the MSL emitter.
#![cfg(feature = "cpu")]

use pymetal_hal::cpu::CpuDevice;
use pymetal_hal::{
    Buffer, BufferBinding, Command, ComputePipeline, Device, Dispatch, ExecError, Grid, HalError, Queue, StorageMode,
    Submission,
};
use std::sync::{mpsc, Arc};

const ABI: &str = include_str!("../../msl/prelude/pm_abi.h");

/// Helpers shared by the test kernels (what the prelude does for generated code).
const HELPERS: &str = r#"
#define BARRIER(t) (t)->sync((t)->sched, (t), 0)
#define SIMD_BARRIER(t) (t)->sync((t)->sched, (t), 1)
static unsigned char* tg_alloc(pm_cpu_thread* t, unsigned site, unsigned size, unsigned align) {
    pm_cpu_tg_static* s = t->tg_static;
    if (s->site_offset[site] == 0xFFFFFFFFu) {
        unsigned off = (s->used + align - 1) & ~(align - 1);
        if (off + size > s->capacity) { s->overflow = 1; off = 0; } else { s->used = off + size; }
        s->site_offset[site] = off;
    }
    return s->base + s->site_offset[site];
}
static float simd_sum(pm_cpu_thread* t, float v) {
    unsigned lane = t->flat % 32;
    *(float*)(t->simd_scratch + lane * PM_SIMD_SLOT) = v;
    SIMD_BARRIER(t);
    float s = 0; unsigned live = *t->simd_live;
    for (unsigned l = 0; l < 32; ++l) if (live & (1u << l)) s += *(float*)(t->simd_scratch + l * PM_SIMD_SLOT);
    SIMD_BARRIER(t);
    return s;
}
"#;

fn module(body: &str) -> String {
    format!("{ABI}\n{HELPERS}\n{body}\n")
}

fn dev() -> Arc<CpuDevice> {
    CpuDevice::shared_cpu()
}

fn pipeline(body: &str, entry: &str, group: Option<&str>) -> Arc<dyn ComputePipeline> {
    match dev().pipeline_from_cpp(&module(body), entry, group, false) {
        Ok(p) => p,
        Err(e) => panic!("compile failed: {e}"),
    }
}

fn buffer_f32(data: &[f32]) -> Arc<dyn Buffer> {
    let b = dev().new_buffer(data.len() * 4, StorageMode::Shared).expect("buffer");
    let p = b.contents().expect("shared") as *mut f32;
    // SAFETY: the buffer holds data.len() floats.
    unsafe { std::ptr::copy_nonoverlapping(data.as_ptr(), p, data.len()) };
    b
}

fn read_f32(b: &Arc<dyn Buffer>) -> Vec<f32> {
    let p = b.contents().expect("shared") as *const f32;
    // SAFETY: length/4 floats, no kernel running.
    unsafe { std::slice::from_raw_parts(p, b.length() / 4).to_vec() }
}

fn read_u32(b: &Arc<dyn Buffer>) -> Vec<u32> {
    let p = b.contents().expect("shared") as *const u32;
    // SAFETY: as above.
    unsafe { std::slice::from_raw_parts(p, b.length() / 4).to_vec() }
}

fn bind(b: &Arc<dyn Buffer>) -> Option<BufferBinding> {
    Some(BufferBinding::Buffer { buffer: b.clone(), offset: 0 })
}

fn submit(queue: &Arc<dyn Queue>, commands: Vec<Command>) -> Result<(), ExecError> {
    let (tx, rx) = mpsc::channel();
    queue.submit(Submission {
        commands,
        on_scheduled: Box::new(|| {}),
        on_completed: Box::new(move |r| {
            let _ = tx.send(r);
        }),
    });
    rx.recv().expect("completion")
}

fn dispatch(
    p: &Arc<dyn ComputePipeline>,
    buffers: Vec<Option<BufferBinding>>,
    tg: Vec<u32>,
    grid: Grid,
) -> Result<(), ExecError> {
    let q = dev().new_queue().expect("queue");
    submit(
        &q,
        vec![Command::Dispatch(Dispatch {
            pipeline: p.clone(),
            buffers,
            textures: vec![],
            samplers: vec![],
            threadgroup_memory: tg,
            grid,
        })],
    )
}

const VADD: &str = r#"
extern "C" void pm_entry_0(const pm_dispatch* d, pm_cpu_thread* t) {
    const float* a = (const float*)d->buffers[0]; const float* b = (const float*)d->buffers[1];
    float* c = (float*)d->buffers[2];
    unsigned i = t->group[0] * d->tg_size[0] + t->tid[0];
    c[i] = a[i] + b[i];
}
extern "C" void pm_group_0(const pm_dispatch* d, pm_cpu_thread* t) {
    const float* a = (const float*)d->buffers[0]; const float* b = (const float*)d->buffers[1];
    float* c = (float*)d->buffers[2];
    unsigned base = t->group[0] * d->tg_size[0], n = t->tg_size[0];
    for (unsigned x = 0; x < n; ++x) c[base + x] = a[base + x] + b[base + x];
}
"#;

#[test]
fn device_info() {
    let d = CpuDevice::shared();
    let i = d.info();
    assert!(i.name.starts_with("CPU ("), "{}", i.name);
    assert_eq!(i.max_total_threads_per_threadgroup, 1024);
    assert_eq!(i.thread_execution_width, 32);
    assert_eq!(i.max_threadgroup_memory_length, 32768);
    assert!(i.has_unified_memory && i.recommended_max_working_set_size > 0);
    assert!(Arc::ptr_eq(&CpuDevice::shared_cpu(), &CpuDevice::shared_cpu()));
    let b = d.new_buffer(100, StorageMode::Shared).expect("buffer");
    assert_eq!(b.gpu_address() % 4096, 0);
    assert!(d.new_buffer(usize::MAX / 2, StorageMode::Shared).is_err());
}

#[test]
fn vector_add_plain_path() {
    let n = 1usize << 20;
    let a: Vec<f32> = (0..n).map(|i| i as f32).collect();
    let b: Vec<f32> = (0..n).map(|i| (2 * i) as f32).collect();
    let (ba, bb) = (buffer_f32(&a), buffer_f32(&b));
    let bc = dev().new_buffer(n * 4, StorageMode::Shared).expect("buffer");
    for group in [Some("pm_group_0"), None] {
        let p = pipeline(VADD, "pm_entry_0", group);
        let grid = Grid::Threads { threads: [n as u32, 1, 1], threads_per_group: [256, 1, 1] };
        dispatch(&p, vec![bind(&ba), bind(&bb), bind(&bc)], vec![], grid).expect("dispatch");
        let c = read_f32(&bc);
        assert!(c.iter().enumerate().all(|(i, &v)| v == (3 * i) as f32), "group path {group:?}");
        if let Some(p) = bc.contents() {
            // SAFETY: the buffer is n*4 bytes and idle.
            unsafe { std::ptr::write_bytes(p, 0, n * 4) };
        }
    }
}

#[test]
fn non_uniform_grid_clips_edge_groups() {
    // out[y*W+x] = tg_size.x*1000 + tg_size.y, plus 1e6 * flat index check.
    let body = r#"
    static void one(const pm_dispatch* d, pm_cpu_thread* t, unsigned x, unsigned y) {
        unsigned* out = (unsigned*)d->buffers[0];
        unsigned gx = t->group[0] * d->tg_size[0] + x, gy = t->group[1] * d->tg_size[1] + y;
        out[gy * d->threads[0] + gx] = t->tg_size[0] * 1000 + t->tg_size[1];
    }
    extern "C" void pm_entry_0(const pm_dispatch* d, pm_cpu_thread* t) { one(d, t, t->tid[0], t->tid[1]); }
    extern "C" void pm_group_0(const pm_dispatch* d, pm_cpu_thread* t) {
        for (unsigned y = 0; y < t->tg_size[1]; ++y) for (unsigned x = 0; x < t->tg_size[0]; ++x) one(d, t, x, y);
    }
    "#;
    let (w, h) = (100u32, 37u32);
    for group in [Some("pm_group_0"), None] {
        let out = dev().new_buffer((w * h * 4) as usize, StorageMode::Shared).expect("buffer");
        let p = pipeline(body, "pm_entry_0", group);
        let grid = Grid::Threads { threads: [w, h, 1], threads_per_group: [16, 8, 1] };
        dispatch(&p, vec![bind(&out)], vec![], grid).expect("dispatch");
        let v = read_u32(&out);
        for y in 0..h {
            for x in 0..w {
                let ex = if x >= 96 { 4 } else { 16 };
                let ey = if y >= 32 { 5 } else { 8 };
                assert_eq!(v[(y * w + x) as usize], ex * 1000 + ey, "at ({x},{y}) group path {group:?}");
            }
        }
    }
}

const REDUCE: &str = r#"
// Tree reduction with a barrier in a loop; [[threadgroup(0)]] (dynamic) scratch.
extern "C" void pm_entry_0(const pm_dispatch* d, pm_cpu_thread* t) {
    float* sh = (float*)(t->arena + d->tg_arg_offset[0]);
    const float* in = (const float*)d->buffers[0]; float* out = (float*)d->buffers[1];
    unsigned n = t->tg_size[0], lid = t->flat, gid = t->group[0] * d->tg_size[0] + lid;
    sh[lid] = in[gid];
    BARRIER(t);
    for (unsigned s = n / 2; s > 0; s >>= 1) {
        if (lid < s) sh[lid] += sh[lid + s];
        BARRIER(t);
    }
    if (lid == 0) out[t->group[0]] = sh[0];
}
// Same with a static `threadgroup float sh[N]` declaration (site 3).
extern "C" void pm_entry_1(const pm_dispatch* d, pm_cpu_thread* t) {
    float* sh = (float*)tg_alloc(t, 3, 1024 * sizeof(float), 16);
    const float* in = (const float*)d->buffers[0]; float* out = (float*)d->buffers[1];
    unsigned n = t->tg_size[0], lid = t->flat, gid = t->group[0] * d->tg_size[0] + lid;
    sh[lid] = in[gid];
    BARRIER(t);
    for (unsigned s = n / 2; s > 0; s >>= 1) {
        if (lid < s) sh[lid] += sh[lid + s];
        BARRIER(t);
    }
    if (lid == 0) out[t->group[0]] = sh[0];
}
// A static declaration too large for the arena.
extern "C" void pm_entry_2(const pm_dispatch* d, pm_cpu_thread* t) {
    float* sh = (float*)tg_alloc(t, 0, 1 << 20, 16);
    (void)sh; (void)d;
}
"#;

#[test]
fn barrier_reduction_on_fibers() {
    let (groups, tg) = (37usize, 256usize);
    let input: Vec<f32> = (0..groups * tg).map(|i| (i % 7) as f32).collect();
    let inb = buffer_f32(&input);
    for entry in ["pm_entry_0", "pm_entry_1"] {
        let out = dev().new_buffer(groups * 4, StorageMode::Shared).expect("buffer");
        let p = pipeline(REDUCE, entry, None);
        let grid = Grid::Threadgroups { groups: [groups as u32, 1, 1], threads_per_group: [tg as u32, 1, 1] };
        dispatch(&p, vec![bind(&inb), bind(&out)], vec![(tg * 4) as u32], grid).expect("dispatch");
        let got = read_f32(&out);
        for g in 0..groups {
            let want: f32 = input[g * tg..(g + 1) * tg].iter().sum();
            assert_eq!(got[g], want, "{entry} group {g}");
        }
    }
}

#[test]
fn static_threadgroup_overflow_is_an_error() {
    let p = pipeline(REDUCE, "pm_entry_2", None);
    let out = dev().new_buffer(16, StorageMode::Shared).expect("buffer");
    let grid = Grid::Threadgroups { groups: [2, 1, 1], threads_per_group: [4, 1, 1] };
    let err = dispatch(&p, vec![bind(&out), bind(&out)], vec![], grid).expect_err("must fail");
    assert!(err.message.contains("threadgroup memory exceeds"), "{}", err.message);
}

const SIMD: &str = r#"
// Only SIMD group 0 runs simd_sum; everyone then meets at a threadgroup barrier.
extern "C" void pm_entry_0(const pm_dispatch* d, pm_cpu_thread* t) {
    float* out = (float*)d->buffers[0];
    float* sh = (float*)tg_alloc(t, 0, 4, 4);
    if (t->flat / 32 == 0) {
        float s = simd_sum(t, (float)(t->flat % 32));
        if (t->flat == 0) *sh = s;
    }
    BARRIER(t);
    out[t->group[0] * d->tg_size[0] + t->flat] = *sh;
}
// Threads >= 40 return at once; the rest meet at barriers, SIMD group 1 has 8 live lanes.
extern "C" void pm_entry_1(const pm_dispatch* d, pm_cpu_thread* t) {
    float* out = (float*)d->buffers[0];
    float* sh = (float*)tg_alloc(t, 1, 64 * 4, 16);
    unsigned i = t->group[0] * d->tg_size[0] + t->flat;
    if (t->flat >= 40) { out[i] = -1; return; }
    sh[t->flat] = (float)t->flat;
    BARRIER(t);
    float s = simd_sum(t, sh[39 - t->flat]);
    bool eight = *t->simd_live == 0xFFu;
    BARRIER(t);
    out[i] = s + 1000.0f * (float)eight;
}
// Lanes 0-15 at a threadgroup barrier, lanes 16-31 at a SIMD barrier: a true deadlock.
extern "C" void pm_entry_2(const pm_dispatch* d, pm_cpu_thread* t) {
    if (t->flat >= 32) return;
    if (t->flat < 16) BARRIER(t); else SIMD_BARRIER(t);
}
"#;

#[test]
fn simd_barrier_only_in_simd_group_zero() {
    let tg = 128usize;
    let out = dev().new_buffer(tg * 3 * 4, StorageMode::Shared).expect("buffer");
    let p = pipeline(SIMD, "pm_entry_0", None);
    let grid = Grid::Threadgroups { groups: [3, 1, 1], threads_per_group: [tg as u32, 1, 1] };
    dispatch(&p, vec![bind(&out)], vec![], grid).expect("dispatch");
    assert!(read_f32(&out).iter().all(|&v| v == 496.0));
}

#[test]
fn exited_threads_count_as_arrived() {
    let tg = 100usize;
    let out = dev().new_buffer(tg * 2 * 4, StorageMode::Shared).expect("buffer");
    let p = pipeline(SIMD, "pm_entry_1", None);
    let grid = Grid::Threadgroups { groups: [2, 1, 1], threads_per_group: [tg as u32, 1, 1] };
    dispatch(&p, vec![bind(&out)], vec![], grid).expect("dispatch");
    let v = read_f32(&out);
    let s0: f32 = (8..40).map(|x| x as f32).sum(); // lanes 0-31 read sh[39..8]
    let s1: f32 = (0..8).map(|x| x as f32).sum(); // lanes 32-39 read sh[7..0]
    for g in 0..2 {
        for f in 0..tg {
            let want = match f {
                0..=31 => s0,
                32..=39 => s1 + 1000.0,
                _ => -1.0,
            };
            assert_eq!(v[g * tg + f], want, "group {g} thread {f}");
        }
    }
}

#[test]
fn deadlock_is_reported() {
    let p = pipeline(SIMD, "pm_entry_2", None);
    let out = dev().new_buffer(16, StorageMode::Shared).expect("buffer");
    let grid = Grid::Threadgroups { groups: [4, 1, 1], threads_per_group: [64, 1, 1] };
    let err = dispatch(&p, vec![bind(&out)], vec![], grid).expect_err("must fail");
    assert!(err.message.contains("deadlock"), "{}", err.message);
    // The worker stays usable afterwards.
    let p = pipeline(SIMD, "pm_entry_0", None);
    let out = dev().new_buffer(64 * 4, StorageMode::Shared).expect("buffer");
    let grid = Grid::Threadgroups { groups: [1, 1, 1], threads_per_group: [64, 1, 1] };
    dispatch(&p, vec![bind(&out)], vec![], grid).expect("dispatch after deadlock");
    assert!(read_f32(&out).iter().all(|&v| v == 496.0));
}

#[test]
fn set_bytes_and_offsets() {
    let body = r#"
    struct P { float scale; unsigned n; };
    extern "C" void pm_entry_0(const pm_dispatch* d, pm_cpu_thread* t) {
        const P& p = *(const P*)d->buffers[1];
        float* a = (float*)d->buffers[0];
        unsigned i = t->group[0] * d->tg_size[0] + t->tid[0];
        if (i < p.n) a[i] *= p.scale;
    }
    "#;
    let a = buffer_f32(&[1.0; 64]);
    let p = pipeline(body, "pm_entry_0", None);
    let mut bytes = Vec::new();
    bytes.extend_from_slice(&3.0f32.to_ne_bytes());
    bytes.extend_from_slice(&10u32.to_ne_bytes());
    let buffers =
        vec![Some(BufferBinding::Buffer { buffer: a.clone(), offset: 16 }), Some(BufferBinding::Bytes(bytes.into()))];
    let grid = Grid::Threads { threads: [32, 1, 1], threads_per_group: [7, 1, 1] };
    dispatch(&p, buffers, vec![], grid).expect("dispatch");
    let v = read_f32(&a);
    for (i, x) in v.iter().enumerate() {
        assert_eq!(*x, if (4..14).contains(&i) { 3.0 } else { 1.0 }, "at {i}");
    }
}

#[test]
fn compile_error_is_located() {
    let src = "#line 3 \"kernels.metal\"\nextern \"C\" void pm_entry_0() { int x = undefined_thing; }\n";
    let err = dev().pipeline_from_cpp(src, "pm_entry_0", None, false).err().expect("must fail");
    match err {
        HalError::Compile(d) => {
            assert_eq!((d.file.as_str(), d.line), ("kernels.metal", 3), "{d}");
            assert!(d.message.contains("undefined_thing"), "{d}");
        }
        other => panic!("unexpected {other}"),
    }
}

#[test]
fn cached_compile_is_fast() {
    let src = module(&format!("{VADD}\n// cached_compile_is_fast\n"));
    let t0 = std::time::Instant::now();
    dev().pipeline_from_cpp(&src, "pm_entry_0", Some("pm_group_0"), false).expect("compile");
    let cold = t0.elapsed();
    let t1 = std::time::Instant::now();
    for _ in 0..10 {
        dev().pipeline_from_cpp(&src, "pm_entry_0", Some("pm_group_0"), false).expect("compile");
    }
    println!("compile: first {:?} (cold or on-disk hit), cached {:?} each", cold, t1.elapsed() / 10);
}

#[test]
fn queue_runs_submissions_in_order() {
    let q = dev().new_queue().expect("queue");
    let a = dev().new_buffer(1 << 16, StorageMode::Shared).expect("buffer");
    let b = dev().new_buffer(1 << 16, StorageMode::Private).expect("buffer");
    let c = dev().new_buffer(1 << 16, StorageMode::Shared).expect("buffer");
    let (tx, rx) = mpsc::channel();
    let cmds = [
        vec![Command::FillBuffer { buffer: a.clone(), offset: 0, length: 1 << 16, value: 1 }],
        vec![Command::CopyBuffer { src: a.clone(), src_offset: 0, dst: b.clone(), dst_offset: 0, size: 1 << 16 }],
        vec![
            Command::FillBuffer { buffer: a.clone(), offset: 0, length: 1 << 16, value: 2 },
            Command::SynchronizeBuffer { buffer: a.clone() },
            Command::CopyBuffer { src: b.clone(), src_offset: 0, dst: c.clone(), dst_offset: 8, size: (1 << 16) - 8 },
        ],
    ];
    for (i, commands) in cmds.into_iter().enumerate() {
        let (t1, t2) = (tx.clone(), tx.clone());
        q.submit(Submission {
            commands,
            on_scheduled: Box::new(move || {
                let _ = t1.send(format!("s{i}"));
            }),
            on_completed: Box::new(move |r| {
                let _ = t2.send(format!("c{i}:{}", r.is_ok()));
            }),
        });
    }
    let events: Vec<String> = (0..6).map(|_| rx.recv().expect("event")).collect();
    assert_eq!(events, ["s0", "c0:true", "s1", "c1:true", "s2", "c2:true"]);
    // SAFETY: the queue is idle.
    let (va, vc) = unsafe {
        (
            std::slice::from_raw_parts(a.contents().expect("a"), 1 << 16),
            std::slice::from_raw_parts(c.contents().expect("c"), 1 << 16),
        )
    };
    assert!(va.iter().all(|&x| x == 2));
    assert!(vc[..8].iter().all(|&x| x == 0) && vc[8..].iter().all(|&x| x == 1));
}

/// A kernel that writes through a wild pointer, on the plain path and on fibers, and one
/// that divides by zero: the command buffer fails with a message naming the fault, the
/// process lives on, and the device keeps working.
#[test]
fn faults_in_kernels_become_errors() {
    const WILD: &str = r#"
    extern "C" void pm_entry_0(const pm_dispatch* d, pm_cpu_thread* t) {
        if (t->flat == 5) *(volatile float*)(0x100000000ull * 7) = 1.0f;
        BARRIER(t);
    }
    extern "C" void pm_group_0(const pm_dispatch* d, pm_cpu_thread* t) {
        if (t->tg_size[0] == 0) return;
        if (t->group[0] == 3) *(volatile float*)(0x100000000ull * 7) = 1.0f;
    }
    extern "C" void pm_entry_1(const pm_dispatch* d, pm_cpu_thread* t) {
        volatile int z = 0;
        ((int*)d->buffers[0])[t->flat] = 10 / z;
    }
    "#;
    let grid = Grid::Threadgroups { groups: [8, 1, 1], threads_per_group: [32, 1, 1] };
    for group in [None, Some("pm_group_0")] {
        let p = pipeline(WILD, "pm_entry_0", group);
        let e = dispatch(&p, vec![], vec![], grid).unwrap_err();
        assert!(e.message.contains("invalid memory access"), "{}", e.message);
        assert!(e.message.contains("0x700000000"), "{}", e.message);
    }
    let b = buffer_f32(&[0.0; 256]);
    let p = pipeline(WILD, "pm_entry_1", None);
    let e = dispatch(&p, vec![bind(&b)], vec![], grid).unwrap_err();
    assert!(e.message.contains("division by zero"), "{}", e.message);
    // The device still runs kernels.
    let p = pipeline(VADD, "pm_entry_0", None);
    let (a, c) = (buffer_f32(&[1.0; 64]), buffer_f32(&[0.0; 64]));
    dispatch(
        &p,
        vec![bind(&a), bind(&a), bind(&c)],
        vec![],
        Grid::Threads { threads: [64, 1, 1], threads_per_group: [32, 1, 1] },
    )
    .unwrap();
    assert_eq!(read_f32(&c), vec![2.0; 64]);
}

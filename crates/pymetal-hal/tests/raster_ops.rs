//! Software rasterizer: depth, stencil, blending, write masks, formats, load actions, the
//! queue path, and a timing of many small triangles.
#![allow(clippy::needless_range_loop, clippy::manual_is_multiple_of)]

mod raster_util;

use pymetal_hal::render::*;
use pymetal_hal::PixelFormat;
use raster_util::*;
use std::sync::Arc;

const SIZE: [u32; 2] = [16, 16];

/// Two triangles covering the whole target at depth z with varyings `c`.
fn quad(z: f32, c: [f32; 4]) -> Vec<f32> {
    let q = [[0.0, 0.0], [16.0, 0.0], [16.0, 16.0], [0.0, 16.0]];
    [0, 1, 2, 0, 2, 3].iter().flat_map(|&k| vtx(q[k][0], q[k][1], z, 1.0, SIZE, c)).collect()
}

/// A triangle over the left-top half (x + y < 16) at depth z.
fn half(z: f32, c: [f32; 4]) -> Vec<f32> {
    [[0.0, 0.0], [16.0, 0.0], [0.0, 16.0]].iter().flat_map(|p| vtx(p[0], p[1], z, 1.0, SIZE, c)).collect()
}

fn depth_pass(
    color: &Arc<dyn pymetal_hal::Texture>,
    depth: &Arc<dyn pymetal_hal::Texture>,
    draws: Vec<Draw>,
) -> RenderPass {
    let mut p = pass(color, [0.0; 4], draws);
    p.depth = Some((attachment(depth, LoadAction::Clear), 1.0));
    if depth.desc().format.has_stencil() {
        p.stencil = Some((attachment(depth, LoadAction::Clear), 0));
    }
    p
}

#[test]
fn depth_test_keeps_the_nearer_triangle_in_both_orders() {
    for fmt in [PixelFormat::Depth32Float, PixelFormat::Depth32Float_Stencil8, PixelFormat::Depth24Unorm_Stencil8] {
        let pipe = pipeline(program(vs_basic, Some(fs_varyings), Some(color_state(PixelFormat::RGBA32Float))));
        let ds =
            DepthStencilState { depth_compare: CompareFunction::Less, depth_write: true, ..DepthStencilState::DEFAULT };
        let near = half(0.25, [1.0, 0.0, 0.0, 1.0]);
        let far = quad(0.75, [0.0, 1.0, 0.0, 1.0]);
        for order in [[&near, &far], [&far, &near]] {
            let (c, d) = (texture(PixelFormat::RGBA32Float, 16, 16), texture(fmt, 16, 16));
            let draws = order
                .iter()
                .map(|v| {
                    let mut d = draw(&pipe, v, PrimitiveType::Triangle, SIZE);
                    d.depth_stencil = ds;
                    d
                })
                .collect();
            run(&depth_pass(&c, &d, draws));
            assert_eq!(texf(&c, 2, 2), [1.0, 0.0, 0.0, 1.0], "{fmt:?}: near wins");
            assert_eq!(texf(&c, 13, 13), [0.0, 1.0, 0.0, 1.0], "{fmt:?}: far where alone");
            assert!((texf(&d, 2, 2)[0] - 0.25).abs() < 1e-6, "{fmt:?} depth written");
            assert!((texf(&d, 13, 13)[0] - 0.75).abs() < 1e-6);
        }
    }
}

#[test]
fn depth_write_off_and_discard_do_not_write_depth() {
    let pipe = pipeline(program(vs_basic, Some(fs_discard), Some(color_state(PixelFormat::RGBA32Float))));
    let (c, d) = (texture(PixelFormat::RGBA32Float, 16, 16), texture(PixelFormat::Depth32Float, 16, 16));
    let mut a = draw(&pipe, &half(0.25, [0.0, 1.0, 0.0, 1.0]), PrimitiveType::Triangle, SIZE); // discarded
    a.depth_stencil =
        DepthStencilState { depth_compare: CompareFunction::Always, depth_write: true, ..DepthStencilState::DEFAULT };
    let mut b = draw(&pipe, &quad(0.5, [1.0, 0.0, 0.0, 1.0]), PrimitiveType::Triangle, SIZE);
    b.depth_stencil =
        DepthStencilState { depth_compare: CompareFunction::Less, depth_write: false, ..DepthStencilState::DEFAULT };
    run(&depth_pass(&c, &d, vec![a, b]));
    assert_eq!(texf(&c, 2, 2), [1.0, 0.0, 0.0, 1.0]);
    assert_eq!(texf(&d, 2, 2)[0], 1.0, "discarded fragments and depth_write=false leave depth");
}

#[test]
fn stencil_write_then_test_per_face() {
    for fmt in [PixelFormat::Stencil8, PixelFormat::Depth32Float_Stencil8, PixelFormat::Depth24Unorm_Stencil8] {
        let pipe = pipeline(program(vs_basic, Some(fs_varyings), Some(color_state(PixelFormat::RGBA32Float))));
        let c = texture(PixelFormat::RGBA32Float, 16, 16);
        let s = texture(fmt, 16, 16);
        let mark = StencilFace { depth_stencil_pass: StencilOperation::Replace, ..StencilFace::DEFAULT };
        let mut a = draw(&pipe, &half(0.5, [0.0; 4]), PrimitiveType::Triangle, SIZE);
        a.depth_stencil = DepthStencilState { front: mark, back: mark, ..DepthStencilState::DEFAULT };
        a.stencil_reference = [5, 5];
        // Increment twice where marked (IncrementClamp over the whole quad, then again).
        let inc = StencilFace { depth_stencil_pass: StencilOperation::IncrementClamp, ..StencilFace::DEFAULT };
        let mut b = draw(&pipe, &quad(0.5, [0.0; 4]), PrimitiveType::Triangle, SIZE);
        b.depth_stencil = DepthStencilState { front: inc, back: inc, ..DepthStencilState::DEFAULT };
        // Test: only where the stencil equals 6 (the marked half), with the front face's
        // reference; the back face (never used here) has a different one.
        let eq = StencilFace { compare: CompareFunction::Equal, read_mask: 0x0F, ..StencilFace::DEFAULT };
        let mut t = draw(&pipe, &quad(0.5, [1.0, 1.0, 1.0, 1.0]), PrimitiveType::Triangle, SIZE);
        t.depth_stencil = DepthStencilState { front: eq, back: StencilFace::DEFAULT, ..DepthStencilState::DEFAULT };
        t.stencil_reference = [0xF6, 0];
        let mut p = pass(&c, [0.0; 4], vec![a, b, t]);
        p.stencil = Some((attachment(&s, LoadAction::Clear), 0));
        run(&p);
        assert_eq!(texf(&c, 2, 2), [1.0; 4], "{fmt:?}");
        assert_eq!(texf(&c, 13, 13), [0.0; 4], "{fmt:?}");
        let st = |x, y| fmt.read_stencil(&raw(&s, x, y));
        assert_eq!((st(2, 2), st(13, 13)), (6, 1), "{fmt:?}");
    }
}

#[test]
fn stencil_operations_and_masks() {
    use StencilOperation::*;
    let pipe = pipeline(program(vs_basic, None, None));
    for (op, start, want) in [
        (Keep, 7u8, 7u8),
        (Zero, 7, 0),
        (Replace, 7, 0x3C),
        (IncrementClamp, 255, 255),
        (DecrementClamp, 0, 0),
        (Invert, 0x0F, 0xF0),
        (IncrementWrap, 255, 0),
        (DecrementWrap, 0, 255),
    ] {
        for (what, face) in [
            ("pass", StencilFace { depth_stencil_pass: op, ..StencilFace::DEFAULT }),
            (
                "stencil fail",
                StencilFace { compare: CompareFunction::Never, stencil_failure: op, ..StencilFace::DEFAULT },
            ),
        ] {
            let s = texture(PixelFormat::Stencil8, 16, 16);
            let c = texture(PixelFormat::R32Float, 16, 16);
            let mut d = draw(&pipe, &quad(0.5, [0.0; 4]), PrimitiveType::Triangle, SIZE);
            d.depth_stencil = DepthStencilState { front: face, back: face, ..DepthStencilState::DEFAULT };
            d.stencil_reference = [0x3C, 0x3C];
            let mut p = pass(&c, [0.0; 4], vec![d]);
            p.stencil = Some((attachment(&s, LoadAction::Clear), start as u32));
            run(&p);
            assert_eq!(raw(&s, 3, 3)[0], want, "{op:?} on {what}");
        }
    }
    // Depth failure op, and the write mask (only the low nibble changes).
    let (s, c) = (texture(PixelFormat::Depth32Float_Stencil8, 16, 16), texture(PixelFormat::R32Float, 16, 16));
    let face = StencilFace { depth_failure: Replace, write_mask: 0x0F, ..StencilFace::DEFAULT };
    let mut d = draw(&pipe, &quad(0.5, [0.0; 4]), PrimitiveType::Triangle, SIZE);
    d.depth_stencil =
        DepthStencilState { depth_compare: CompareFunction::Greater, depth_write: false, front: face, back: face };
    d.stencil_reference = [0xAB, 0xAB];
    let mut p = pass(&c, [0.0; 4], vec![d]);
    p.depth = Some((attachment(&s, LoadAction::Clear), 1.0));
    p.stencil = Some((attachment(&s, LoadAction::Clear), 0x50));
    run(&p);
    assert_eq!(PixelFormat::Depth32Float_Stencil8.read_stencil(&raw(&s, 3, 3)), 0x5B);
}

fn blend_ref(st: &ColorAttachmentState, s: [f32; 4], d: [f32; 4], bc: [f32; 4]) -> [f32; 4] {
    use BlendFactor::*;
    let f = |f: BlendFactor, c: usize| match f {
        Zero => 0.0,
        One => 1.0,
        SourceColor => s[c],
        OneMinusSourceColor => 1.0 - s[c],
        SourceAlpha => s[3],
        OneMinusSourceAlpha => 1.0 - s[3],
        DestinationColor => d[c],
        OneMinusDestinationColor => 1.0 - d[c],
        DestinationAlpha => d[3],
        OneMinusDestinationAlpha => 1.0 - d[3],
        SourceAlphaSaturated => {
            if c == 3 {
                1.0
            } else {
                s[3].min(1.0 - d[3])
            }
        }
        BlendColor => bc[c],
        OneMinusBlendColor => 1.0 - bc[c],
        BlendAlpha => bc[3],
        OneMinusBlendAlpha => 1.0 - bc[3],
    };
    std::array::from_fn(|c| {
        let (sf, df, op) = if c < 3 {
            (st.source_rgb, st.destination_rgb, st.rgb_operation)
        } else {
            (st.source_alpha, st.destination_alpha, st.alpha_operation)
        };
        match op {
            BlendOperation::Add => s[c] * f(sf, c) + d[c] * f(df, c),
            BlendOperation::Subtract => s[c] * f(sf, c) - d[c] * f(df, c),
            BlendOperation::ReverseSubtract => d[c] * f(df, c) - s[c] * f(sf, c),
            BlendOperation::Min => s[c].min(d[c]),
            BlendOperation::Max => s[c].max(d[c]),
        }
    })
}

#[test]
fn every_blend_factor_and_operation() {
    let factors = BlendFactor::ALL;
    let ops = [
        BlendOperation::Add,
        BlendOperation::Subtract,
        BlendOperation::ReverseSubtract,
        BlendOperation::Min,
        BlendOperation::Max,
    ];
    let src = [0.8f32, 0.3, 0.6, 0.25];
    let dst = [0.2f32, 0.9, 0.4, 0.5];
    let bc = [0.1f32, 0.7, 0.35, 0.6];
    let fmt = PixelFormat::RGBA32Float;
    // One pass, one draw per combination, each into its own pixel (scissor).
    let mut draws = Vec::new();
    let mut states = Vec::new();
    let mut k = 0;
    for (i, &sf) in factors.iter().enumerate() {
        for &df in factors {
            let op = ops[(k + i) % ops.len()];
            let aop = ops[(k + 2) % ops.len()];
            let st = ColorAttachmentState {
                blending_enabled: true,
                source_rgb: sf,
                destination_rgb: df,
                rgb_operation: op,
                source_alpha: df,
                destination_alpha: sf,
                alpha_operation: aop,
                ..color_state(fmt)
            };
            let mut d = draw(
                &pipeline(program(vs_basic, Some(fs_varyings), Some(st))),
                &quad(0.5, src),
                PrimitiveType::Triangle,
                SIZE,
            );
            d.scissor = Some(ScissorRect { x: (k % 16) as u32, y: (k / 16) as u32, width: 1, height: 1 });
            d.blend_color = bc;
            draws.push(d);
            states.push(st);
            k += 1;
        }
    }
    let t = texture(fmt, 16, 16);
    run(&pass(&t, dst.map(|v| v as f64), draws));
    for (k, st) in states.iter().enumerate() {
        let want = blend_ref(st, src, dst, bc);
        let got = texf(&t, k as u32 % 16, k as u32 / 16);
        for c in 0..4 {
            assert!((got[c] - want[c]).abs() < 1e-6, "{st:?}: {got:?} vs {want:?}");
        }
    }
}

#[test]
fn source_alpha_blending_on_unorm_and_srgb_targets() {
    let over = |f| ColorAttachmentState {
        blending_enabled: true,
        source_rgb: BlendFactor::SourceAlpha,
        destination_rgb: BlendFactor::OneMinusSourceAlpha,
        source_alpha: BlendFactor::One,
        destination_alpha: BlendFactor::OneMinusSourceAlpha,
        ..color_state(f)
    };
    for f in
        [PixelFormat::RGBA8Unorm, PixelFormat::BGRA8Unorm, PixelFormat::RGBA8Unorm_sRGB, PixelFormat::BGRA8Unorm_sRGB]
    {
        let t = texture(f, 16, 16);
        let pipe = pipeline(program(vs_basic, Some(fs_varyings), Some(over(f))));
        // Source red at alpha 0.25 (and an out-of-range green, clamped to 0 on unorm targets).
        run(&pass(
            &t,
            [0.0, 0.0, 1.0, 1.0],
            vec![draw(&pipe, &quad(0.5, [1.0, -2.0, 0.0, 0.25]), PrimitiveType::Triangle, SIZE)],
        ));
        let got = texf(&t, 5, 5);
        let want = [0.25, 0.0, 0.75, 1.0];
        let tol = if f.is_srgb() { 4e-3 } else { 0.51 / 255.0 };
        for c in 0..4 {
            assert!((got[c] - want[c]).abs() < tol, "{f:?} {c}: {got:?}");
        }
        if f.is_srgb() {
            // Stored encoded: linear 0.75 blue → sRGB byte 225.
            let b = raw(&t, 5, 5);
            let blue = if f == PixelFormat::RGBA8Unorm_sRGB { b[2] } else { b[0] };
            assert_eq!(blue, pymetal_hal::format::f32_to_unorm8(pymetal_hal::format::linear_to_srgb(0.75)));
        }
    }
}

#[test]
fn write_masks_integer_targets_and_missing_outputs() {
    let f = PixelFormat::RGBA8Unorm;
    let st = ColorAttachmentState { write_mask: 8 | 1, ..color_state(f) }; // red and alpha
    let t = texture(f, 16, 16);
    run(&pass(
        &t,
        [0.2, 0.4, 0.6, 0.8],
        vec![draw(
            &pipeline(program(vs_basic, Some(fs_varyings), Some(st))),
            &quad(0.5, [1.0, 1.0, 1.0, 1.0]),
            PrimitiveType::Triangle,
            SIZE,
        )],
    ));
    assert_eq!(raw(&t, 4, 4), vec![255, 102, 153, 255]);
    // Integer target: words stored as they are (no blending even when enabled).
    let f = PixelFormat::RGBA32Uint;
    let st = ColorAttachmentState { write_mask: 0xF, ..additive(f) };
    let t = texture(f, 16, 16);
    let mut prog = program(vs_ids, Some(fs_varyings), Some(st));
    prog.varyings = routes(&[Interpolation::Flat]);
    run(&pass(
        &t,
        [9.0, 9.0, 9.0, 9.0],
        vec![draw(&pipeline(prog), &quad(0.5, [0.0; 4]), PrimitiveType::Triangle, SIZE)],
    ));
    assert_eq!(texel(&t, 4, 4), [0, 0, 0, 0], "vertex 0 (provoking), instance 0, bases 0");
    assert_eq!(texel(&t, 12, 3), [0, 0, 0, 0]);
    assert_eq!(texel(&t, 3, 12), [3, 0, 0, 0], "second triangle's provoking vertex is 3");
    // A fragment function that does not declare colour 0 leaves it alone.
    let t = texture(PixelFormat::R32Float, 16, 16);
    let mut prog = program(vs_basic, Some(fs_one), Some(color_state(PixelFormat::R32Float)));
    prog.color_outputs = 0;
    run(&pass(&t, [0.5; 4], vec![draw(&pipeline(prog), &quad(0.5, [0.0; 4]), PrimitiveType::Triangle, SIZE)]));
    assert_eq!(texf(&t, 4, 4)[0], 0.5);
}

#[test]
fn load_actions_clear_load_and_dont_care() {
    let f = PixelFormat::RGBA8Unorm;
    let t = texture(f, 16, 16);
    let pipe = pipeline(program(vs_basic, Some(fs_varyings), Some(color_state(f))));
    run(&pass(&t, [1.0, 0.0, 0.0, 1.0], vec![]));
    assert_eq!(raw(&t, 15, 15), vec![255, 0, 0, 255], "clear without draws");
    let mut p = pass(
        &t,
        [0.0, 1.0, 0.0, 1.0],
        vec![draw(&pipe, &half(0.5, [0.0, 0.0, 1.0, 1.0]), PrimitiveType::Triangle, SIZE)],
    );
    if let Some((a, _)) = &mut p.colors[0] {
        a.load = LoadAction::Load;
    }
    run(&p);
    assert_eq!(raw(&t, 15, 15), vec![255, 0, 0, 255], "Load keeps");
    assert_eq!(raw(&t, 1, 1), vec![0, 0, 255, 255]);
    if let Some((a, _)) = &mut p.colors[0] {
        a.load = LoadAction::DontCare;
        a.store = StoreAction::DontCare;
    }
    run(&p);
    assert_eq!(raw(&t, 1, 1), vec![0, 0, 255, 255], "drawn pixels are defined whatever the actions");
    // Clear of a level and slice other than 0 leaves the others.
    let desc = pymetal_hal::TextureDesc {
        width: 8,
        height: 8,
        depth: 1,
        mip_levels: 2,
        slices: 2,
        bytes_per_pixel: 4,
        format: f,
        texture_type: 3,
        storage_mode: pymetal_hal::StorageMode::Shared,
    };
    let t: Arc<dyn pymetal_hal::Texture> = Arc::new(pymetal_hal::HostTexture::new(&desc).expect("texture"));
    let mut colors: [Option<(Attachment, [f64; 4])>; 8] = Default::default();
    colors[0] = Some((Attachment { level: 1, slice: 1, ..attachment(&t, LoadAction::Clear) }, [1.0; 4]));
    run(&RenderPass { colors, depth: None, stencil: None, size: [4, 4], draws: vec![] });
    let base = t.contents().expect("host");
    // SAFETY: inside the texture.
    let all = unsafe { std::slice::from_raw_parts(base, desc.total_bytes()) };
    let off = desc.offset(1, 1);
    assert!(all[..off].iter().all(|&b| b == 0));
    assert!(all[off..off + 64].iter().all(|&b| b == 255));
}

#[test]
fn render_pass_through_the_cpu_queue() {
    use pymetal_hal::{Command, Device, Submission};
    let dev = pymetal_hal::cpu::CpuDevice::shared_cpu();
    let q = dev.new_queue().expect("queue");
    let t = texture(PixelFormat::RGBA8Unorm, 16, 16);
    let pipe = pipeline(program(vs_basic, Some(fs_varyings), Some(color_state(PixelFormat::RGBA8Unorm))));
    let p = pass(&t, [0.0; 4], vec![draw(&pipe, &half(0.5, [1.0, 0.5, 0.0, 1.0]), PrimitiveType::Triangle, SIZE)]);
    let (tx, rx) = std::sync::mpsc::channel();
    q.submit(Submission {
        commands: vec![Command::RenderPass(Box::new(p))],
        on_scheduled: Box::new(|| {}),
        on_completed: Box::new(move |r| tx.send(r.map_err(|e| e.message)).expect("send")),
    });
    rx.recv().expect("completion").expect("pass ok");
    assert_eq!(raw(&t, 2, 2), vec![255, 128, 0, 255]);
}

fn cpu_time() -> f64 {
    let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: writes the process CPU clock into `ts`.
    unsafe { libc::clock_gettime(libc::CLOCK_PROCESS_CPUTIME_ID, &mut ts) };
    ts.tv_sec as f64 + ts.tv_nsec as f64 * 1e-9
}

/// (wall seconds, CPU seconds) of the fastest of `n` runs (the machine may be shared).
fn best_of(n: usize, mut f: impl FnMut()) -> (f64, f64) {
    let mut best = (f64::MAX, f64::MAX);
    for _ in 0..n {
        let (t0, c0) = (std::time::Instant::now(), cpu_time());
        f();
        let (dt, dc) = (t0.elapsed().as_secs_f64(), cpu_time() - c0);
        if dt < best.0 {
            best = (dt, dc);
        }
    }
    best
}

#[test]
fn timing_many_small_depth_tested_triangles() {
    // Not asserted: prints where the rasterizer stands.
    let size = [1024u32, 1024];
    let pipe = pipeline(program(vs_basic, Some(fs_varyings), Some(color_state(PixelFormat::RGBA8Unorm))));
    let mut rng = Rng(42);
    let n = 100_000;
    let mut verts = Vec::with_capacity(n * 3 * VW);
    for _ in 0..n {
        let (cx, cy, z) = (rng.f(0.0, 1024.0), rng.f(0.0, 1024.0), rng.f(0.0, 1.0) as f32);
        let col = [rng.f(0.0, 1.0) as f32, 0.5, 0.5, 1.0];
        for _ in 0..3 {
            verts.extend(vtx(cx + rng.f(-4.0, 4.0), cy + rng.f(-4.0, 4.0), z, 1.0, size, col));
        }
    }
    let (c, d) = (texture(PixelFormat::RGBA8Unorm, 1024, 1024), texture(PixelFormat::Depth32Float, 1024, 1024));
    let mut dr = draw(&pipe, &verts, PrimitiveType::Triangle, size);
    dr.depth_stencil =
        DepthStencilState { depth_compare: CompareFunction::Less, depth_write: true, ..DepthStencilState::DEFAULT };
    let mut p = pass(&c, [0.0; 4], vec![dr]);
    p.depth = Some((attachment(&d, LoadAction::Clear), 1.0));
    let (dt, cpu) = best_of(5, || run(&p));
    println!(
        "raster: {n} small depth-tested triangles into 1024x1024: {:.2} ms ({:.2} M tri/s), {:.2} ms of CPU time",
        dt * 1e3,
        n as f64 / dt / 1e6,
        cpu * 1e3
    );
}

#[test]
fn timing_a_512_frame() {
    // A 512×512 frame: clear + two full-screen triangles with a varying.
    let size = [512u32, 512];
    let c = texture(PixelFormat::BGRA8Unorm, 512, 512);
    let q: Vec<f32> = [[0.0, 0.0], [512.0, 0.0], [512.0, 512.0], [0.0, 0.0], [512.0, 512.0], [0.0, 512.0]]
        .iter()
        .flat_map(|p| vtx(p[0], p[1], 0.5, 1.0, size, [p[0] as f32 / 512.0, p[1] as f32 / 512.0, 0.5, 1.0]))
        .collect();
    let pipe = pipeline(program(vs_basic, Some(fs_varyings), Some(color_state(PixelFormat::BGRA8Unorm))));
    let p = pass(&c, [0.0; 4], vec![draw(&pipe, &q, PrimitiveType::Triangle, size)]);
    let (dt, cpu) = best_of(10, || run(&p));
    println!("raster: 512x512 full-screen frame: {:.2} ms, {:.2} ms of CPU time", dt * 1e3, cpu * 1e3);
}

#[test]
fn back_faces_use_the_back_stencil_state_and_reference() {
    let pipe = pipeline(program(vs_basic, Some(fs_varyings), Some(color_state(PixelFormat::RGBA32Float))));
    let s = texture(PixelFormat::Stencil8, 16, 16);
    let c = texture(PixelFormat::RGBA32Float, 16, 16);
    let front = StencilFace { depth_stencil_pass: StencilOperation::Replace, ..StencilFace::DEFAULT };
    let back = StencilFace { depth_stencil_pass: StencilOperation::Invert, ..StencilFace::DEFAULT };
    // `half` is clockwise: front facing under the default winding, back facing under CCW.
    let mut a = draw(&pipe, &half(0.5, [0.0; 4]), PrimitiveType::Triangle, SIZE);
    a.depth_stencil = DepthStencilState { front, back, ..DepthStencilState::DEFAULT };
    a.stencil_reference = [7, 9];
    let mut b = a.clone();
    b.front_facing = Winding::CounterClockwise;
    let mut p = pass(&c, [0.0; 4], vec![a, b]);
    p.stencil = Some((attachment(&s, LoadAction::Clear), 0));
    run(&p);
    assert_eq!(raw(&s, 2, 2)[0], !7u8, "Replace with the front reference, then Invert as a back face");
    assert_eq!(raw(&s, 13, 13)[0], 0);
}

#[test]
fn fragment_depth_output_is_tested_and_written() {
    let mut prog = program(vs_basic, Some(fs_depth), Some(color_state(PixelFormat::RGBA32Float)));
    prog.writes_depth = true;
    let pipe = pipeline(prog);
    let plain = pipeline(program(vs_basic, Some(fs_varyings), Some(color_state(PixelFormat::RGBA32Float))));
    let ds =
        DepthStencilState { depth_compare: CompareFunction::Less, depth_write: true, ..DepthStencilState::DEFAULT };
    let (c, d) = (texture(PixelFormat::RGBA32Float, 16, 16), texture(PixelFormat::Depth32Float, 16, 16));
    // Geometry at z = 0.9 but the function writes 0.1; then a plain quad at 0.2 loses there.
    let mut a = draw(&pipe, &half(0.9, [1.0, 0.0, 0.0, 1.0]), PrimitiveType::Triangle, SIZE);
    a.depth_stencil = ds;
    let mut b = draw(&plain, &quad(0.2, [0.0, 1.0, 0.0, 1.0]), PrimitiveType::Triangle, SIZE);
    b.depth_stencil = ds;
    run(&depth_pass(&c, &d, vec![a, b]));
    assert_eq!(texf(&d, 2, 2)[0], 0.1);
    assert_eq!(texf(&c, 2, 2), [1.0, 0.0, 0.0, 1.0]);
    assert_eq!(texf(&c, 13, 13), [0.0, 1.0, 0.0, 1.0]);
}

#[test]
fn timing_many_small_draws() {
    // Fixed cost per draw: 2000 draws of one small triangle into 256×256.
    let size = [256u32, 256];
    let pipe = pipeline(program(vs_basic, Some(fs_varyings), Some(color_state(PixelFormat::RGBA8Unorm))));
    let mut rng = Rng(7);
    let draws: Vec<Draw> = (0..2000)
        .map(|_| {
            let (cx, cy) = (rng.f(0.0, 256.0), rng.f(0.0, 256.0));
            let v: Vec<f32> = (0..3)
                .flat_map(|_| vtx(cx + rng.f(-4.0, 4.0), cy + rng.f(-4.0, 4.0), 0.5, 1.0, size, [1.0; 4]))
                .collect();
            draw(&pipe, &v, PrimitiveType::Triangle, size)
        })
        .collect();
    let c = texture(PixelFormat::RGBA8Unorm, 256, 256);
    let p = pass(&c, [0.0; 4], draws);
    let (dt, cpu) = best_of(5, || run(&p));
    println!("raster: 2000 one-triangle draws into 256x256: {:.2} ms, {:.2} ms of CPU time", dt * 1e3, cpu * 1e3);
}

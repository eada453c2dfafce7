//! Software rasterizer: coverage, interpolation, primitives, culling (Rust stage functions).
#![allow(clippy::needless_range_loop, clippy::manual_is_multiple_of)]

mod raster_util;

use pymetal_hal::render::*;
use pymetal_hal::PixelFormat;
use raster_util::*;

const RGBA32F: PixelFormat = PixelFormat::RGBA32Float;

fn bary(p: [f64; 2], v: &[[f64; 2]; 3]) -> [f64; 3] {
    let e = |a: [f64; 2], b: [f64; 2]| (b[0] - a[0]) * (p[1] - a[1]) - (b[1] - a[1]) * (p[0] - a[0]);
    let area = (v[2][0] - v[1][0]) * (v[0][1] - v[1][1]) - (v[2][1] - v[1][1]) * (v[0][0] - v[1][0]);
    [e(v[1], v[2]) / area, e(v[2], v[0]) / area, e(v[0], v[1]) / area]
}

#[test]
fn triangle_interpolates_barycentric_colours_pixel_exact() {
    let size = [64, 48];
    let t = texture(PixelFormat::RGBA8Unorm, size[0], size[1]);
    let v = [[4.3, 5.1], [60.2, 10.7], [20.5, 44.9]];
    let cols: [[f32; 4]; 3] = [[1.0, 0.0, 0.0, 1.0], [0.0, 1.0, 0.0, 1.0], [0.0, 0.0, 1.0, 1.0]];
    let verts: Vec<f32> = (0..3).flat_map(|i| vtx(v[i][0], v[i][1], 0.5, 1.0, size, cols[i])).collect();
    let pipe = pipeline(program(vs_basic, Some(fs_varyings), Some(color_state(PixelFormat::RGBA8Unorm))));
    run(&pass(&t, [0.1, 0.2, 0.3, 0.4], vec![draw(&pipe, &verts, PrimitiveType::Triangle, size)]));
    let clear = [0.1f32, 0.2, 0.3, 0.4].map(|c| (c * 255.0).round() / 255.0);
    let mut inside = 0;
    for y in 0..size[1] {
        for x in 0..size[0] {
            let b = bary([x as f64 + 0.5, y as f64 + 0.5], &v);
            let got = texf(&t, x, y);
            if b.iter().any(|w| w.abs() < 1e-3) {
                continue; // on an edge: fill rule, tested elsewhere
            }
            let want: [f32; 4] = if b.iter().all(|&w| w > 0.0) {
                inside += 1;
                std::array::from_fn(|c| (0..3).map(|k| b[k] * cols[k][c] as f64).sum::<f64>() as f32)
            } else {
                clear
            };
            for c in 0..4 {
                assert!((got[c] - want[c]).abs() <= 1.01 / 255.0, "({x},{y}) channel {c}: {got:?} vs {want:?}");
            }
        }
    }
    assert!(inside > 800, "{inside}");
}

#[test]
fn perspective_noperspective_and_flat_interpolation() {
    let size = [32, 32];
    let (a, b) = (texture(RGBA32F, 32, 32), texture(RGBA32F, 32, 32));
    let v = [[2.0, 2.0], [30.0, 4.0], [6.0, 29.0]];
    let w = [1.0f32, 4.0, 2.0];
    let cols = [[1.0, 0.0, 0.0, 10.0], [0.0, 1.0, 0.0, 20.0], [0.0, 0.0, 1.0, 30.0]];
    let verts: Vec<f32> = (0..3).flat_map(|i| vtx(v[i][0], v[i][1], 0.25, w[i], size, cols[i])).collect();
    let mut prog = program(vs_basic, Some(fs_varyings), Some(color_state(RGBA32F)));
    prog.varyings = routes(&[Interpolation::Perspective, Interpolation::NoPerspective]);
    prog.colors[1] = Some(color_state(RGBA32F));
    prog.color_outputs = 3;
    let pipe = pipeline(prog);
    let mut p = pass(&a, [0.0; 4], vec![draw(&pipe, &verts, PrimitiveType::Triangle, size)]);
    p.colors[1] = Some((attachment(&b, LoadAction::Clear), [0.0; 4]));
    run(&p);
    let mut n = 0;
    for y in 0..32 {
        for x in 0..32 {
            let bc = bary([x as f64 + 0.5, y as f64 + 0.5], &v);
            if bc.iter().any(|&q| q < 1e-3) {
                continue;
            }
            n += 1;
            let pw: Vec<f64> = (0..3).map(|k| bc[k] / w[k] as f64).collect();
            let s: f64 = pw.iter().sum();
            for c in 0..4 {
                let persp: f64 = (0..3).map(|k| pw[k] / s * cols[k][c] as f64).sum();
                let lin: f64 = (0..3).map(|k| bc[k] * cols[k][c] as f64).sum();
                let (ga, gb) = (texf(&a, x, y)[c] as f64, texf(&b, x, y)[c] as f64);
                assert!((ga - persp).abs() < 1e-4 * (1.0 + persp.abs()), "persp ({x},{y}) {c}: {ga} vs {persp}");
                assert!((gb - lin).abs() < 1e-4 * (1.0 + lin.abs()), "noperspective ({x},{y}) {c}: {gb} vs {lin}");
            }
        }
    }
    assert!(n > 200);

    // Flat: the first vertex of each triangle of a strip.
    let t = texture(RGBA32F, 32, 32);
    let pts = [[0.0, 0.0], [0.0, 32.0], [16.0, 0.0], [16.0, 32.0], [32.0, 0.0], [32.0, 32.0]];
    let verts: Vec<f32> =
        (0..6).flat_map(|i| vtx(pts[i][0], pts[i][1], 0.5, 1.0 + i as f32, size, [i as f32; 4])).collect();
    let mut prog = program(vs_basic, Some(fs_varyings), Some(color_state(RGBA32F)));
    prog.varyings = routes(&[Interpolation::Flat]);
    run(&pass(&t, [-1.0; 4], vec![draw(&pipeline(prog), &verts, PrimitiveType::TriangleStrip, size)]));
    // Triangle k of the strip covers pixels near its own corner: (1, 1) is in triangle 0
    // (vertices 0, 1, 2), (14, 30) in triangle 1 (1, 2, 3), (17, 1) in 2, (30, 30) in 3.
    for (x, y, k) in [(1, 1, 0.0), (14, 30, 1.0), (17, 1, 2.0), (30, 30, 3.0)] {
        assert_eq!(texf(&t, x, y), [k; 4], "pixel ({x},{y})");
    }
}

fn count(t: &std::sync::Arc<dyn pymetal_hal::Texture>, x: u32, y: u32) -> f32 {
    texf(t, x, y)[0]
}

#[test]
fn shared_edges_cover_each_pixel_exactly_once() {
    let size = [96, 80];
    let pipe = pipeline(program(vs_basic, Some(fs_one), Some(additive(PixelFormat::R32Float))));
    let mut rng = Rng(0x1234_5678_9abc_def1);
    for round in 0..12 {
        // A jittered grid of quads over the whole target, each split in two (both diagonals
        // in turn), coordinates on the subpixel grid and often exactly on pixel centres.
        let (nx, ny) = (7, 6);
        let mut g = vec![[0.0f64; 2]; (nx + 1) * (ny + 1)];
        for j in 0..=ny {
            for i in 0..=nx {
                let mut p = [i as f64 * size[0] as f64 / nx as f64, j as f64 * size[1] as f64 / ny as f64];
                if i > 0 && i < nx && j > 0 && j < ny {
                    for (c, q) in p.iter_mut().enumerate() {
                        // Jitter small enough to keep every triangle's orientation.
                        let r = if round % 2 == 0 { rng.f(-3.0, 3.0) } else { rng.f(-6.0, 6.0).round() / 2.0 };
                        *q += r;
                        if round % 3 == 0 && c == 0 {
                            *q = q.floor() + 0.5; // exactly on pixel centres
                        }
                    }
                }
                g[j * (nx + 1) + i] = p;
            }
        }
        let mut verts = Vec::new();
        for j in 0..ny {
            for i in 0..nx {
                let q = [
                    g[j * (nx + 1) + i],
                    g[j * (nx + 1) + i + 1],
                    g[(j + 1) * (nx + 1) + i + 1],
                    g[(j + 1) * (nx + 1) + i],
                ];
                let tris = if (i + j + round) % 2 == 0 { [[0, 1, 2], [0, 2, 3]] } else { [[0, 1, 3], [1, 2, 3]] };
                for tri in tris {
                    // Mix both windings.
                    let order = if rng.next() % 2 == 0 { tri } else { [tri[0], tri[2], tri[1]] };
                    for k in order {
                        verts.extend(vtx(q[k][0], q[k][1], 0.5, 1.0, size, [1.0; 4]));
                    }
                }
            }
        }
        let t = texture(PixelFormat::R32Float, size[0], size[1]);
        run(&pass(&t, [0.0; 4], vec![draw(&pipe, &verts, PrimitiveType::Triangle, size)]));
        for y in 0..size[1] {
            for x in 0..size[0] {
                assert_eq!(count(&t, x, y), 1.0, "round {round}: pixel ({x},{y})");
            }
        }
    }
    // Fans around a centre inside the target whose ring lies far outside it (guard band):
    // every pixel is covered by exactly one of the triangles.
    for round in 0..20 {
        let c = [rng.f(10.0, 86.0), rng.f(10.0, 70.0)];
        let c = if round % 2 == 0 { [c[0].round() + 0.5, c[1].round() + 0.5] } else { c };
        let n = 3 + (rng.next() % 20) as usize;
        let mut angles: Vec<f64> = (0..n).map(|_| rng.f(0.0, std::f64::consts::TAU)).collect();
        angles.sort_by(|a, b| a.total_cmp(b));
        // Make sure no gap exceeds π (the fan must surround the centre).
        let step = std::f64::consts::TAU / n as f64;
        let angles: Vec<f64> =
            angles.iter().enumerate().map(|(i, a)| i as f64 * step + (a - a.floor()) * 0.3 * step).collect();
        let ring: Vec<[f64; 2]> = angles
            .iter()
            .map(|a| {
                let r = rng.f(2000.0, 5000.0);
                [c[0] + r * a.cos(), c[1] + r * a.sin()]
            })
            .collect();
        let mut verts = Vec::new();
        for k in 0..n {
            for p in [c, ring[k], ring[(k + 1) % n]] {
                verts.extend(vtx(p[0], p[1], 0.5, 1.0, size, [1.0; 4]));
            }
        }
        let t = texture(PixelFormat::R32Float, size[0], size[1]);
        run(&pass(&t, [0.0; 4], vec![draw(&pipe, &verts, PrimitiveType::Triangle, size)]));
        for y in 0..size[1] {
            for x in 0..size[0] {
                assert_eq!(count(&t, x, y), 1.0, "fan {round}: pixel ({x},{y})");
            }
        }
    }
}

#[test]
fn top_left_rule_on_pixel_centres() {
    // A square with edges exactly through pixel centres x = 2.5 .. 6.5, y = 1.5 .. 4.5: the
    // left and top edges are in, the right and bottom edges out.
    let size = [10, 8];
    let pipe = pipeline(program(vs_basic, Some(fs_one), Some(additive(PixelFormat::R32Float))));
    let q = [[2.5, 1.5], [6.5, 1.5], [6.5, 4.5], [2.5, 4.5]];
    let verts: Vec<f32> =
        [0, 1, 2, 0, 2, 3].iter().flat_map(|&k| vtx(q[k][0], q[k][1], 0.5, 1.0, size, [1.0; 4])).collect();
    let t = texture(PixelFormat::R32Float, 10, 8);
    run(&pass(&t, [0.0; 4], vec![draw(&pipe, &verts, PrimitiveType::Triangle, size)]));
    for y in 0..8 {
        for x in 0..10 {
            let want = if (2..6).contains(&x) && (1..4).contains(&y) { 1.0 } else { 0.0 };
            assert_eq!(count(&t, x, y), want, "({x},{y})");
        }
    }
}

#[test]
fn culling_winding_and_front_facing() {
    let size = [16, 16];
    // Clockwise on screen (y down): (1,1) → (14,1) → (1,14).
    let cw = [[1.0, 1.0], [14.0, 1.0], [1.0, 14.0]];
    let verts_cw: Vec<f32> = cw.iter().flat_map(|p| vtx(p[0], p[1], 0.5, 1.0, size, [0.0; 4])).collect();
    let verts_ccw: Vec<f32> =
        [0, 2, 1].iter().flat_map(|&k| vtx(cw[k][0], cw[k][1], 0.5, 1.0, size, [0.0; 4])).collect();
    let pipe = pipeline(program(vs_basic, Some(fs_builtins), Some(color_state(RGBA32F))));
    for (verts, winding, cull, want) in [
        (&verts_cw, Winding::Clockwise, CullMode::None, Some(1.0)),
        (&verts_ccw, Winding::Clockwise, CullMode::None, Some(0.0)),
        (&verts_ccw, Winding::CounterClockwise, CullMode::None, Some(1.0)),
        (&verts_cw, Winding::Clockwise, CullMode::Back, Some(1.0)),
        (&verts_cw, Winding::Clockwise, CullMode::Front, None),
        (&verts_ccw, Winding::Clockwise, CullMode::Back, None),
        (&verts_ccw, Winding::Clockwise, CullMode::Front, Some(0.0)),
    ] {
        let t = texture(RGBA32F, 16, 16);
        let mut d = draw(&pipe, verts, PrimitiveType::Triangle, size);
        d.front_facing = winding;
        d.cull_mode = cull;
        run(&pass(&t, [-1.0; 4], vec![d]));
        let got = texf(&t, 3, 3)[0];
        assert_eq!(got, want.unwrap_or(-1.0), "{winding:?} {cull:?}");
    }
}

#[test]
fn strips_cover_a_quad_once_and_keep_winding() {
    let size = [20, 20];
    let pipe = pipeline(program(vs_basic, Some(fs_one), Some(additive(PixelFormat::R32Float))));
    let pts = [[2.0, 2.0], [2.0, 18.0], [10.0, 2.0], [10.0, 18.0], [18.0, 2.0], [18.0, 18.0]];
    let verts: Vec<f32> = pts.iter().flat_map(|p| vtx(p[0], p[1], 0.5, 1.0, size, [1.0; 4])).collect();
    let t = texture(PixelFormat::R32Float, 20, 20);
    let mut d = draw(&pipe, &verts, PrimitiveType::TriangleStrip, size);
    // Every strip triangle has the winding of the first: culling one side keeps all or none.
    d.cull_mode = CullMode::Front;
    d.front_facing = Winding::Clockwise;
    run(&pass(&t, [0.0; 4], vec![d]));
    for y in 0..20 {
        for x in 0..20 {
            let want = if (2..18).contains(&x) && (2..18).contains(&y) { 1.0 } else { 0.0 };
            assert_eq!(count(&t, x, y), want, "({x},{y})");
        }
    }
}

#[test]
fn lines_and_line_strips() {
    let size = [16, 16];
    let pipe = pipeline(program(vs_basic, Some(fs_one), Some(additive(PixelFormat::R32Float))));
    let t = texture(PixelFormat::R32Float, 16, 16);
    // Horizontal: centres 2.5 ..< 10.5 on row 3; vertical: rows 5 ..< 12 in column 13.
    let l = [[2.5, 3.5], [10.5, 3.5], [13.5, 5.2], [13.5, 12.2]];
    let verts: Vec<f32> = l.iter().flat_map(|p| vtx(p[0], p[1], 0.5, 1.0, size, [1.0; 4])).collect();
    run(&pass(&t, [0.0; 4], vec![draw(&pipe, &verts, PrimitiveType::Line, size)]));
    for y in 0..16 {
        for x in 0..16 {
            let want = (y == 3 && (2..10).contains(&x)) || (x == 13 && (5..12).contains(&y));
            assert_eq!(count(&t, x, y), want as u32 as f32, "({x},{y})");
        }
    }
    // A closed strip around a box: every pixel of the outline exactly once.
    let t = texture(PixelFormat::R32Float, 16, 16);
    let s = [[2.5, 2.5], [12.5, 2.5], [12.5, 9.5], [2.5, 9.5], [2.5, 2.5]];
    let verts: Vec<f32> = s.iter().flat_map(|p| vtx(p[0], p[1], 0.5, 1.0, size, [1.0; 4])).collect();
    run(&pass(&t, [0.0; 4], vec![draw(&pipe, &verts, PrimitiveType::LineStrip, size)]));
    let mut total = 0.0;
    for y in 0..16 {
        for x in 0..16 {
            let c = count(&t, x, y);
            let edge = ((x == 2 || x == 12) && (2..=9).contains(&y)) || ((y == 2 || y == 9) && (2..=12).contains(&x));
            assert_eq!(c, edge as u32 as f32, "({x},{y})");
            total += c;
        }
    }
    assert_eq!(total, 2.0 * 10.0 + 2.0 * 7.0);
    // Diagonal: one pixel per column.
    let t = texture(PixelFormat::R32Float, 16, 16);
    let d = [[1.0, 2.0], [15.0, 9.0]];
    let verts: Vec<f32> = d.iter().flat_map(|p| vtx(p[0], p[1], 0.5, 1.0, size, [1.0; 4])).collect();
    run(&pass(&t, [0.0; 4], vec![draw(&pipe, &verts, PrimitiveType::Line, size)]));
    for x in 0..16 {
        let col: f32 = (0..16).map(|y| count(&t, x, y)).sum();
        assert_eq!(col, if (1..15).contains(&x) { 1.0 } else { 0.0 }, "column {x}");
    }
}

#[test]
fn wireframe_draws_edges_only() {
    let size = [16, 16];
    let pipe = pipeline(program(vs_basic, Some(fs_one), Some(additive(PixelFormat::R32Float))));
    let t = texture(PixelFormat::R32Float, 16, 16);
    let tri = [[1.5, 1.5], [13.5, 1.5], [1.5, 13.5]];
    let verts: Vec<f32> = tri.iter().flat_map(|p| vtx(p[0], p[1], 0.5, 1.0, size, [1.0; 4])).collect();
    let mut d = draw(&pipe, &verts, PrimitiveType::Triangle, size);
    d.fill_mode = TriangleFillMode::Lines;
    run(&pass(&t, [0.0; 4], vec![d]));
    assert_eq!(count(&t, 5, 1), 1.0);
    assert_eq!(count(&t, 1, 5), 1.0);
    assert_eq!(count(&t, 4, 4), 0.0, "interior stays empty");
    assert_eq!(count(&t, 7, 7), 1.0, "hypotenuse");
}

#[test]
fn points_cover_a_square_with_point_coord() {
    let size = [16, 16];
    let pipe = pipeline(program(vs_basic, Some(fs_builtins), Some(color_state(RGBA32F))));
    let t = texture(RGBA32F, 16, 16);
    let mut v = vtx(10.5, 6.5, 0.5, 1.0, size, [0.0; 4]);
    v[4] = 3.0;
    let mut w = vtx(3.0, 3.0, 0.5, 1.0, size, [0.0; 4]);
    w[4] = 2.0;
    let verts: Vec<f32> = v.iter().chain(w.iter()).copied().collect();
    run(&pass(&t, [-1.0; 4], vec![draw(&pipe, &verts, PrimitiveType::Point, size)]));
    for y in 0..16 {
        for x in 0..16 {
            let p = texf(&t, x, y);
            let in_a = (9..12).contains(&x) && (5..8).contains(&y);
            let in_b = (2..4).contains(&x) && (2..4).contains(&y);
            if in_a {
                let pc = [(x as f32 + 0.5 - 9.0) / 3.0, (y as f32 + 0.5 - 5.0) / 3.0];
                assert_eq!(p, [1.0, 0.0, pc[0], pc[1]], "({x},{y})");
            } else if in_b {
                assert_eq!(p[1], 1.0, "primitive id of the second point");
            } else {
                assert_eq!(p[0], -1.0, "({x},{y})");
            }
        }
    }
}

#[test]
fn indexed_instanced_draw_with_base_vertex_and_base_instance() {
    let size = [16, 16];
    let mut prog = program(vs_ids, Some(fs_varyings), Some(color_state(PixelFormat::RGBA32Uint)));
    prog.varyings = routes(&[Interpolation::Flat]);
    let pipe = pipeline(prog);
    // 4 vertices of a 4×4 quad at the top-left, preceded by 10 dummies (base_vertex = 10);
    // instance i moves right by 8 pixels (buffer 1 holds the NDC shift).
    let mut verts = vec![0f32; 10 * VW];
    for p in [[0.0, 0.0], [4.0, 0.0], [4.0, 4.0], [0.0, 4.0]] {
        verts.extend(vtx(p[0], p[1], 0.5, 1.0, size, [0.0; 4]));
    }
    let indices: Vec<u8> = [0u16, 1, 2, 0, 2, 3, 3, 2].iter().flat_map(|i| i.to_le_bytes()).collect();
    let ib = pymetal_hal::cpu::CpuDevice::shared_cpu();
    let ib =
        pymetal_hal::Device::new_buffer(&*ib, indices.len() + 4, pymetal_hal::StorageMode::Shared).expect("buffer");
    // SAFETY: a fresh host buffer of that size.
    unsafe { std::ptr::copy_nonoverlapping(indices.as_ptr(), ib.contents().expect("host").add(4), indices.len()) };
    let t = texture(PixelFormat::RGBA32Uint, 16, 16);
    let mut d = draw(&pipe, &verts, PrimitiveType::Triangle, size);
    d.vertex.buffers.push(Some(bytes_of(&[1.0])));
    d.index = Some(IndexBinding { buffer: ib, offset: 4, index_type: IndexType::UInt16 });
    d.vertex_count = 6;
    d.base_vertex = 10;
    d.instance_count = 2;
    d.base_instance = 5;
    run(&pass(&t, [0.0; 4], vec![d]));
    // Flat: provoking vertex of triangle 0 is index 0 → vertex 10; of triangle 1 also 10.
    assert_eq!(texel(&t, 1, 0), [10, 5, 10, 5]);
    assert_eq!(texel(&t, 0, 3), [10, 5, 10, 5]);
    assert_eq!(texel(&t, 9, 1), [10, 6, 10, 5], "second instance");
    assert_eq!(texel(&t, 5, 1), [0; 4]);
    assert_eq!(texel(&t, 13, 1), [0; 4]);
}

#[test]
fn vertex_descriptor_per_vertex_and_per_instance_attributes() {
    let size = [16, 8];
    let mut prog = program(vs_attrs, Some(fs_varyings), Some(color_state(PixelFormat::RGBA8Unorm)));
    let mut vd = VertexDescriptor { attributes: [None; 31], layouts: [None; 31] };
    vd.attributes[0] = Some(VertexAttribute { format: 29, offset: 4, buffer_index: 0 }); // Float2
    vd.attributes[1] = Some(VertexAttribute { format: 42, offset: 0, buffer_index: 1 }); // BGRA8
    vd.layouts[0] = Some(VertexLayout { stride: 12, step_function: StepFunction::PerVertex, step_rate: 1 });
    vd.layouts[1] = Some(VertexLayout { stride: 4, step_function: StepFunction::PerInstance, step_rate: 1 });
    prog.vertex_descriptor = Some(vd);
    let pipe = pipeline(prog);
    // Two triangles covering the left half; instance 1 (colour 1) again over the whole target.
    let pos: [[f32; 2]; 6] = [[-1.0, 1.0], [0.0, 1.0], [0.0, -1.0], [-1.0, 1.0], [0.0, -1.0], [-1.0, -1.0]];
    let mut vb = Vec::new();
    for p in pos {
        vb.extend([0f32, p[0], p[1]]);
    }
    let colors: Vec<u8> = vec![0, 0, 255, 255, 255, 0, 0, 128]; // BGRA: red, then blue at 50% alpha
    let t = texture(PixelFormat::RGBA8Unorm, size[0], size[1]);
    let mut d = draw(&pipe, &[], PrimitiveType::Triangle, size);
    d.vertex.buffers = vec![Some(bytes_of(&vb)), Some(pymetal_hal::BufferBinding::Bytes(colors.into()))];
    d.vertex_count = 6;
    d.instance_count = 1;
    d.base_instance = 1;
    run(&pass(&t, [0.0; 4], vec![d]));
    assert_eq!(raw(&t, 2, 3), vec![0, 0, 255, 128], "instance colour from base_instance 1");
    assert_eq!(raw(&t, 12, 3), vec![0, 0, 0, 0]);
}

#[test]
fn viewport_and_scissor() {
    let size = [32, 32];
    let pipe = pipeline(program(vs_basic, Some(fs_one), Some(additive(PixelFormat::R32Float))));
    // Full-screen triangle in NDC.
    let big = [[-1.0f32, -1.0], [3.0, -1.0], [-1.0, 3.0]];
    let verts: Vec<f32> = big.iter().flat_map(|p| [p[0], p[1], 0.5, 1.0, 1.0, 0.0, 0.0, 0.0, 0.0]).collect();
    let t = texture(PixelFormat::R32Float, 32, 32);
    let mut d = draw(&pipe, &verts, PrimitiveType::Triangle, size);
    d.viewport = Viewport { origin_x: 4.0, origin_y: 8.0, width: 16.0, height: 12.0, znear: 0.0, zfar: 1.0 };
    let mut d2 = d.clone();
    d2.scissor = Some(ScissorRect { x: 10, y: 0, width: 30, height: 15 });
    run(&pass(&t, [0.0; 4], vec![d, d2]));
    for y in 0..32 {
        for x in 0..32 {
            let in_vp = (4..20).contains(&x) && (8..20).contains(&y);
            let in_sc = in_vp && x >= 10 && y < 15;
            assert_eq!(count(&t, x, y), in_vp as u32 as f32 + in_sc as u32 as f32, "({x},{y})");
        }
    }
    // Depth range of the viewport: z = 0.5 maps to 0.25 + 0.5 * 0.5.
    let t = texture(RGBA32F, 32, 32);
    let pipe = pipeline(program(vs_basic, Some(fs_position), Some(color_state(RGBA32F))));
    let mut d = draw(&pipe, &verts, PrimitiveType::Triangle, size);
    d.viewport.znear = 0.25;
    d.viewport.zfar = 0.75;
    run(&pass(&t, [0.0; 4], vec![d]));
    assert_eq!(texf(&t, 7, 9), [7.5, 9.5, 0.5, 1.0]);
}

#[test]
fn near_plane_and_w_below_zero_are_clipped() {
    let size = [32, 32];
    let pipe = pipeline(program(vs_basic, Some(fs_position), Some(color_state(RGBA32F))));
    // z goes from −1 at the left to 1 at the right (w = 1): only z ≥ 0 is drawn.
    let verts: Vec<f32> = [[-1.0f32, -1.0, -1.0], [3.0, -1.0, 3.0], [-1.0, 3.0, -1.0]]
        .iter()
        .flat_map(|p| [p[0], p[1], p[2], 1.0, 1.0, 0.0, 0.0, 0.0, 0.0])
        .collect();
    let t = texture(RGBA32F, 32, 32);
    run(&pass(&t, [-1.0; 4], vec![draw(&pipe, &verts, PrimitiveType::Triangle, size)]));
    for y in 0..32 {
        for x in 0..32 {
            let ndc_x = (x as f64 + 0.5) / 16.0 - 1.0;
            let z = ndc_x; // linear in x on this triangle
            let got = texf(&t, x, y);
            if z.abs() < 0.05 {
                continue;
            }
            if z > 0.0 {
                assert!((got[2] as f64 - z).abs() < 1e-4, "({x},{y}) z {}", got[2]);
            } else {
                assert_eq!(got[0], -1.0, "({x},{y}) should be clipped");
            }
        }
    }
    // A vertex behind the eye (w < 0): the visible part stays finite and in front.
    let verts: Vec<f32> = [[-0.5f32, -0.5, 0.1, 1.0], [0.5, -0.5, 0.1, 1.0], [0.0, 0.5, -0.5, -0.5]]
        .iter()
        .flat_map(|p| [p[0], p[1], p[2], p[3], 1.0, 0.0, 0.0, 0.0, 0.0])
        .collect();
    let t = texture(RGBA32F, 32, 32);
    run(&pass(&t, [-1.0; 4], vec![draw(&pipe, &verts, PrimitiveType::Triangle, size)]));
    let mut drawn = 0;
    for y in 0..32 {
        for x in 0..32 {
            let p = texf(&t, x, y);
            if p[0] != -1.0 {
                drawn += 1;
                assert!(p[2] >= 0.0 && p[2] <= 1.0 && p[3] > 0.0, "({x},{y}) {p:?}");
            }
        }
    }
    assert!(drawn > 0);
}

#[test]
fn indices_outside_the_buffer_are_an_error_not_a_crash() {
    let size = [8, 8];
    let pipe = pipeline(program(vs_basic, Some(fs_one), Some(color_state(PixelFormat::R32Float))));
    let dev = pymetal_hal::cpu::CpuDevice::shared_cpu();
    let ib = pymetal_hal::Device::new_buffer(&*dev, 4, pymetal_hal::StorageMode::Shared).expect("buffer");
    let t = texture(PixelFormat::R32Float, 8, 8);
    let mut d = draw(&pipe, &[0.0; VW * 3], PrimitiveType::Triangle, size);
    d.index = Some(IndexBinding { buffer: ib, offset: 0, index_type: IndexType::UInt32 });
    d.vertex_count = 3;
    let r = pymetal_hal::raster::run_pass(None, &pass(&t, [0.0; 4], vec![d]));
    assert!(r.unwrap_err().message.contains("index buffer"));
}

#[test]
fn primitive_restart_splits_indexed_strips_and_wide_index_ranges() {
    let size = [16, 16];
    let pipe = pipeline(program(vs_basic, Some(fs_one), Some(additive(PixelFormat::R32Float))));
    // Two separate quads as strips in one u32 index list, split by 0xFFFFFFFF; the second
    // quad's vertices live far away in the buffer (the index range is not cached).
    let mut verts = vec![0f32; 5000 * VW];
    let put = |verts: &mut Vec<f32>, i: usize, p: [f64; 2]| {
        verts[i * VW..(i + 1) * VW].copy_from_slice(&vtx(p[0], p[1], 0.5, 1.0, size, [1.0; 4]))
    };
    for (i, p) in [[1.0, 1.0], [1.0, 5.0], [5.0, 1.0], [5.0, 5.0]].into_iter().enumerate() {
        put(&mut verts, i, p);
    }
    for (i, p) in [[8.0, 8.0], [8.0, 12.0], [12.0, 8.0], [12.0, 12.0]].into_iter().enumerate() {
        put(&mut verts, 4990 + i, p);
    }
    let idx: Vec<u8> = [0u32, 1, 2, 3, u32::MAX, 4990, 4991, 4992, 4993].iter().flat_map(|i| i.to_le_bytes()).collect();
    let t = texture(PixelFormat::R32Float, 16, 16);
    let mut d = draw(&pipe, &verts, PrimitiveType::TriangleStrip, size);
    // Private buffers are host memory on the CPU device too.
    let ib = index_buffer(&idx, 0);
    let private = pymetal_hal::Device::new_buffer(
        &*pymetal_hal::cpu::CpuDevice::shared_cpu(),
        idx.len(),
        pymetal_hal::StorageMode::Private,
    )
    .expect("buffer");
    // SAFETY: both are CPU buffers of `idx.len()` bytes; gpu_address is the host address.
    unsafe { std::ptr::copy_nonoverlapping(ib.contents().expect("host"), private.gpu_address() as *mut u8, idx.len()) };
    d.index = Some(IndexBinding { buffer: private, offset: 0, index_type: IndexType::UInt32 });
    d.vertex_count = 9;
    // Both strips start counter-clockwise, and strip winding alternates with the restart:
    // culling clockwise (front) faces keeps all four triangles.
    d.cull_mode = CullMode::Front;
    run(&pass(&t, [0.0; 4], vec![d]));
    for y in 0..16 {
        for x in 0..16 {
            let want = ((1..5).contains(&x) && (1..5).contains(&y)) || ((8..12).contains(&x) && (8..12).contains(&y));
            assert_eq!(count(&t, x, y), want as u32 as f32, "({x},{y})");
        }
    }
}

#[test]
fn clipping_at_the_near_plane_keeps_both_interpolation_modes_exact() {
    let size = [32, 32];
    let (a, b) = (texture(RGBA32F, 32, 32), texture(RGBA32F, 32, 32));
    let v = [[2.0, 2.0], [30.0, 4.0], [6.0, 29.0]];
    let w = [1.0f32, 2.0, 4.0];
    let z = [0.5f32, -0.6, 0.5]; // vertex 1 lies in front of the near plane: clipped
    let cols = [[1.0, 0.0, 0.0, 10.0], [0.0, 1.0, 0.0, 20.0], [0.0, 0.0, 1.0, 30.0]];
    let verts: Vec<f32> = (0..3).flat_map(|i| vtx(v[i][0], v[i][1], z[i], w[i], size, cols[i])).collect();
    let mut prog = program(vs_basic, Some(fs_varyings), Some(color_state(RGBA32F)));
    prog.varyings = routes(&[Interpolation::Perspective, Interpolation::NoPerspective]);
    prog.colors[1] = Some(color_state(RGBA32F));
    prog.color_outputs = 3;
    let pipe = pipeline(prog);
    let mut p = pass(&a, [-1.0; 4], vec![draw(&pipe, &verts, PrimitiveType::Triangle, size)]);
    p.colors[1] = Some((attachment(&b, LoadAction::Clear), [-1.0; 4]));
    run(&p);
    let (mut drawn, mut clipped) = (0, 0);
    for y in 0..32 {
        for x in 0..32 {
            let bc = bary([x as f64 + 0.5, y as f64 + 0.5], &v);
            if bc.iter().any(|&q| q < 1e-3) {
                continue;
            }
            let depth: f64 = (0..3).map(|k| bc[k] * z[k] as f64).sum();
            if depth.abs() < 1e-2 {
                continue;
            }
            if depth < 0.0 {
                assert_eq!(texf(&a, x, y)[0], -1.0, "({x},{y}) must be clipped");
                clipped += 1;
                continue;
            }
            drawn += 1;
            let pw: Vec<f64> = (0..3).map(|k| bc[k] / w[k] as f64).collect();
            let s: f64 = pw.iter().sum();
            for c in 0..4 {
                let persp: f64 = (0..3).map(|k| pw[k] / s * cols[k][c] as f64).sum();
                let lin: f64 = (0..3).map(|k| bc[k] * cols[k][c] as f64).sum();
                let (ga, gb) = (texf(&a, x, y)[c] as f64, texf(&b, x, y)[c] as f64);
                assert!((ga - persp).abs() < 1e-3 * (1.0 + persp.abs()), "persp ({x},{y}) {c}: {ga} vs {persp}");
                assert!((gb - lin).abs() < 1e-3 * (1.0 + lin.abs()), "noperspective ({x},{y}) {c}: {gb} vs {lin}");
            }
        }
    }
    assert!(drawn > 50 && clipped > 50, "{drawn} {clipped}");
}

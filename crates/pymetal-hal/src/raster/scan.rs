//! Scan conversion of one tile: triangles, lines and points become fragments.
//!
//! Triangles: edge functions on fixed-point window coordinates (8 subpixel bits), sampled at
//! pixel centres. Per row, each edge bounds the covered span exactly with one integer division
//! (no per-pixel tests). Top-left rule for Metal's y-down window coordinates: with the
//! vertices ordered so that E(p) = dx·(py − ay) − dy·(px − ax) is positive inside, an edge
//! (dx, dy) is *left* when dy < 0 (the inside lies to its right) and *top* when dy = 0 and
//! dx > 0 (horizontal, inside below); a centre exactly on an edge is covered only for top and
//! left edges, so triangles sharing an edge cover each pixel once.
//!
//! Lines: the simple parametric rule (Bresenham-like, not diamond-exit): along the major axis,
//! every pixel whose centre lies in [start, end) is drawn, in the row (column) where the line
//! crosses that centre. The last pixel is left out, so strips and wireframe loops draw shared
//! vertices once.
//!
//! Points: the pixels whose centres lie in the square of side `point_size` centred on the
//! vertex, half-open on the right and bottom; `point_coord` is (0, 0) at its top-left corner.

use super::output::{Scratch, Sink};
use super::setup::{Kind, Prim, SUBPIXEL_BITS};
use super::{DrawCtx, Targets};

/// Rasterises the primitives of a tile's bin (in order) inside `rect` ([x0, y0, x1, y1)).
pub fn raster_tile(rect: [i32; 4], bin: &[Prim], ctxs: &[DrawCtx], targets: &Targets) {
    thread_local! {
        static SCRATCH: std::cell::RefCell<Option<Box<Scratch>>> = const { std::cell::RefCell::new(None) };
    }
    // Reuse the worker's buffers (a fragment function cannot re-enter the rasterizer).
    let mut scratch = SCRATCH.with(|s| s.borrow_mut().take()).unwrap_or_else(Scratch::new);
    scratch.n = 0;
    raster_prims(rect, bin, ctxs, targets, &mut scratch);
    SCRATCH.with(|s| *s.borrow_mut() = Some(scratch));
}

fn raster_prims(rect: [i32; 4], bin: &[Prim], ctxs: &[DrawCtx], targets: &Targets, scratch: &mut Scratch) {
    for (n, p) in bin.iter().enumerate() {
        if let Some(next) = bin.get(n + 2) {
            prefetch_prim(next, ctxs, targets);
        }
        let r = [rect[0].max(p.bbox[0]), rect[1].max(p.bbox[1]), rect[2].min(p.bbox[2]), rect[3].min(p.bbox[3])];
        if r[0] >= r[2] || r[1] >= r[3] {
            continue;
        }
        let mut sink = Sink { ctx: &ctxs[p.draw as usize], prim: p, targets, s: scratch };
        match p.kind {
            Kind::Triangle => triangle(p, r, &mut sink),
            Kind::Line => line(p, r, &mut sink),
            Kind::Point => point(p, r, &mut sink),
        }
        sink.flush();
    }
}

/// Asks for the memory a coming primitive reads (its vertices, the first rows of its depth
/// and colour texels): small primitives in random places otherwise wait on a cache miss
/// for each.
fn prefetch_prim(p: &Prim, ctxs: &[DrawCtx], targets: &Targets) {
    let Some(ctx) = ctxs.get(p.draw as usize) else { return };
    let pool = &ctx.pool;
    for &v in &p.v {
        let at = v as usize * pool.stride;
        if at < pool.data.len() {
            prefetch(pool.data[at..].as_ptr().cast());
        }
    }
    let [x0, y0, x1, y1] = p.bbox;
    if x0 >= x1 {
        return;
    }
    for y in y0..y1.min(y0 + 8) {
        for plane in [targets.depth.as_ref(), targets.colors[0].as_ref()].into_iter().flatten() {
            prefetch(plane.texel(x0, y).as_ptr());
        }
    }
}

#[inline(always)]
fn prefetch(p: *const u8) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: a prefetch hint never faults, whatever the address.
    unsafe {
        std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(p.cast());
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = p;
}

/// ⌊a / b⌋ for b > 0.
#[inline]
fn floor_div(a: i64, b: i64) -> i64 {
    a.div_euclid(b)
}

fn triangle(p: &Prim, r: [i32; 4], sink: &mut Sink) {
    let sub = 1i64 << SUBPIXEL_BITS;
    let (x, y) = (p.fx.map(i64::from), p.fy.map(i64::from));
    // Sample point of pixel (r0, r1) in fixed point.
    let (sx, sy) = (r[0] as i64 * sub + sub / 2, r[1] as i64 * sub + sub / 2);
    let mut e0 = [0i64; 3];
    let mut step_x = [0i64; 3];
    let mut step_y = [0i64; 3];
    let mut bias = [0i64; 3];
    for k in 0..3 {
        let (a, b) = ((k + 1) % 3, (k + 2) % 3);
        let (dx, dy) = (x[b] - x[a], y[b] - y[a]);
        e0[k] = dx * (sy - y[a]) - dy * (sx - x[a]);
        step_x[k] = -dy * sub;
        step_y[k] = dx * sub;
        let top_left = dy < 0 || (dy == 0 && dx > 0);
        bias[k] = if top_left { 0 } else { 1 };
    }
    let area = (x[2] - x[1]) * (y[0] - y[1]) - (y[2] - y[1]) * (x[0] - x[1]);
    if area <= 0 {
        return;
    }
    let inv_area = 1.0 / area as f64;
    let width = (r[2] - r[0]) as i64;
    // Narrow boxes test each pixel (cheaper than three 64-bit divisions per row).
    let narrow = width <= 24;
    let eb0: [i64; 3] = std::array::from_fn(|k| e0[k] - bias[k]);
    for row in 0..(r[3] - r[1]) as i64 {
        let e: [i64; 3] = std::array::from_fn(|k| e0[k] + row * step_y[k]);
        let eb: [i64; 3] = std::array::from_fn(|k| eb0[k] + row * step_y[k]);
        let py = r[1] + row as i32;
        let emit = |sink: &mut Sink, i: i64| {
            let w: [f32; 3] = std::array::from_fn(|k| ((e[k] + i * step_x[k]) as f64 * inv_area) as f32);
            sink.push(r[0] + i as i32, py, w, [0.0; 2]);
        };
        if narrow {
            let mut t = eb;
            for i in 0..width {
                if (t[0] | t[1] | t[2]) >= 0 {
                    emit(sink, i);
                }
                for k in 0..3 {
                    t[k] += step_x[k];
                }
            }
            continue;
        }
        let (mut lo, mut hi) = (0i64, width - 1);
        for k in 0..3 {
            let a = step_x[k];
            if a > 0 {
                // eb + i·a ≥ 0  ⇔  i ≥ ⌈−eb / a⌉
                lo = lo.max(-floor_div(eb[k], a));
            } else if a < 0 {
                // eb + i·a ≥ 0  ⇔  i ≤ ⌊eb / −a⌋
                hi = hi.min(floor_div(eb[k], -a));
            } else if eb[k] < 0 {
                hi = -1;
            }
        }
        for i in lo..=hi {
            emit(sink, i);
        }
    }
}

fn line(p: &Prim, r: [i32; 4], sink: &mut Sink) {
    let (x0, y0, x1, y1) = (p.x[0] as f64, p.y[0] as f64, p.x[1] as f64, p.y[1] as f64);
    let (dx, dy) = (x1 - x0, y1 - y0);
    let x_major = dx.abs() >= dy.abs();
    let (a0, a1, d, b0, db) = if x_major { (x0, x1, dx, y0, dy) } else { (y0, y1, dy, x0, dx) };
    if d == 0.0 {
        return;
    }
    // Pixels along the major axis whose centre lies in [a0, a1) (or (a1, a0]).
    let (first, last) = if d > 0.0 {
        ((a0 - 0.5).ceil() as i64, (a1 - 0.5).ceil() as i64 - 1)
    } else {
        ((a1 - 0.5).floor() as i64 + 1, (a0 - 0.5).floor() as i64)
    };
    let (lo, hi, mlo, mhi) = if x_major { (r[0], r[2], r[1], r[3]) } else { (r[1], r[3], r[0], r[2]) };
    for m in first.max(lo as i64)..=last.min(hi as i64 - 1) {
        let t = ((m as f64 + 0.5 - a0) / d).clamp(0.0, 1.0);
        let minor = (b0 + t * db).floor() as i64;
        if minor < mlo as i64 || minor >= mhi as i64 {
            continue;
        }
        let (px, py) = if x_major { (m as i32, minor as i32) } else { (minor as i32, m as i32) };
        let t = t as f32;
        sink.push(px, py, [1.0 - t, t, 0.0], [0.0; 2]);
    }
}

fn point(p: &Prim, r: [i32; 4], sink: &mut Sink) {
    let s = p.size;
    let (left, top) = (p.x[0] - s / 2.0, p.y[0] - s / 2.0);
    for py in r[1]..r[3] {
        for px in r[0]..r[2] {
            let pc = [(px as f32 + 0.5 - left) / s, (py as f32 + 0.5 - top) / s];
            sink.push(px, py, [1.0, 0.0, 0.0], pc);
        }
    }
}

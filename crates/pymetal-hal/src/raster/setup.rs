//! Primitive assembly, clipping, viewport transform, culling and binning.
//!
//! Metal's clip volume is −w ≤ x, y ≤ w, 0 ≤ z ≤ w. Primitives are clipped against the near
//! and far planes, w > 0, and a guard band G·w (far outside the viewport) that keeps window
//! coordinates small enough for exact fixed-point edge functions; the viewport/scissor
//! rectangle then bounds rasterisation, which is equivalent to clipping at ±w.
//!
//! Winding: Metal's clockwise/counter-clockwise is as the triangle looks on screen, which in
//! window coordinates (y down) is the sign of `(x2−x1)(y0−y1) − (y2−y1)(x0−x1)` (> 0:
//! clockwise). Strips: odd triangles are assembled (k, k+2, k+1), which flips their winding
//! back and keeps vertex k first (the provoking vertex of flat varyings).

use super::fetch::{InstanceVertices, VertexPool};
use super::{DrawCtx, TILE};
use crate::render::{CullMode, PrimitiveType, TriangleFillMode, Winding};

/// Subpixel bits of the fixed-point window coordinates.
pub const SUBPIXEL_BITS: u32 = 8;
const SUB: f64 = (1 << SUBPIXEL_BITS) as f64;
/// Largest window coordinate magnitude in pixels (fixed point stays far below 2^31).
const MAX_WINDOW: f64 = (1 << 20) as f64;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Triangle,
    Line,
    Point,
}

/// A primitive in window coordinates, ready for the tiles.
#[derive(Clone, Copy, Debug)]
pub struct Prim {
    pub kind: Kind,
    /// Index into the frame's draws.
    pub draw: u32,
    /// `[[primitive_id]]`.
    pub id: u32,
    pub front: bool,
    /// Pool vertices (triangles: ordered so the edge functions are positive inside).
    pub v: [u32; 3],
    /// The vertex whose values flat varyings take.
    pub provoking: u32,
    /// Window coordinates (pixels, y down), depth in the viewport's range, and 1/w.
    pub x: [f32; 3],
    pub y: [f32; 3],
    pub z: [f32; 3],
    pub inv_w: [f32; 3],
    /// Triangles: fixed-point window coordinates (8 subpixel bits).
    pub fx: [i32; 3],
    pub fy: [i32; 3],
    /// Points: side of the square in pixels.
    pub size: f32,
    /// Pixels that may be covered: [x0, y0, x1, y1), inside the draw's rectangle.
    pub bbox: [i32; 4],
}

/// Clip planes as distance functions (≥ 0 inside).
const PLANES: usize = 7;

fn distances(p: &[f32], g: f32) -> [f32; PLANES] {
    let (x, y, z, w) = (p[0], p[1], p[2], p[3]);
    [z, w - z, w - 1e-20, g * w - x, g * w + x, g * w - y, g * w + y]
}

fn outcode(p: &[f32], g: f32) -> u32 {
    let d = distances(p, g);
    let mut c = 0;
    for (i, v) in d.iter().enumerate() {
        // NaN positions are outside everything.
        if v.is_nan() || *v < 0.0 {
            c |= 1 << i;
        }
    }
    c
}

/// Per-draw constants of the transform from clip space to window coordinates.
struct Transform {
    ox: f64,
    oy: f64,
    hw: f64,
    hh: f64,
    zn: f64,
    zr: f64,
    /// Guard band (NDC units).
    g: f32,
}

impl Transform {
    fn new(ctx: &DrawCtx) -> Transform {
        let vp = &ctx.draw.viewport;
        let ext = vp.width.abs().max(vp.height.abs()).max(1.0) + vp.origin_x.abs().max(vp.origin_y.abs());
        Transform {
            ox: vp.origin_x,
            oy: vp.origin_y,
            hw: vp.width / 2.0,
            hh: vp.height / 2.0,
            zn: vp.znear,
            zr: vp.zfar - vp.znear,
            g: (MAX_WINDOW / ext).clamp(1.0, 1e6) as f32,
        }
    }
    /// (window x, window y, depth, 1/w) of a clip-space position with w > 0.
    fn window(&self, p: &[f32]) -> (f64, f64, f32, f32) {
        let iw = 1.0 / p[3] as f64;
        let x = self.ox + (1.0 + p[0] as f64 * iw) * self.hw;
        let y = self.oy + (1.0 - p[1] as f64 * iw) * self.hh;
        let z = self.zn + p[2] as f64 * iw * self.zr;
        (x, y, z as f32, iw as f32)
    }
}

/// Appends to the pool the vertex `a + t (b − a)` (all words, in clip space, which is right
/// for positions and perspective-correct varyings). Words in `screen_linear`
/// (`[[center_no_perspective]]` varyings) use the parameter of the same point in window
/// space instead, s = t·w_b / ((1 − t)·w_a + t·w_b), when both ends are in front of the eye.
fn lerp_vertex(pool: &mut VertexPool, a: u32, b: u32, t: f32, screen_linear: &[usize]) -> u32 {
    let s = pool.stride;
    let (ia, ib) = (a as usize * s, b as usize * s);
    for k in 0..s {
        let (va, vb) = (pool.data[ia + k], pool.data[ib + k]);
        pool.data.push(va + t * (vb - va));
    }
    let (wa, wb) = (pool.data[ia + 3], pool.data[ib + 3]);
    let den = (1.0 - t) * wa + t * wb;
    if wa > 0.0 && wb > 0.0 && den > 0.0 {
        let st = t * wb / den;
        let base = pool.data.len() - s;
        for &k in screen_linear {
            let (va, vb) = (pool.data[ia + k], pool.data[ib + k]);
            pool.data[base + k] = va + st * (vb - va);
        }
    }
    (pool.len() - 1) as u32
}

/// Sutherland–Hodgman against every plane some vertex is outside of.
fn clip_polygon(pool: &mut VertexPool, tri: [u32; 3], planes: u32, g: f32, screen_linear: &[usize]) -> Vec<u32> {
    let mut poly: Vec<u32> = tri.to_vec();
    for plane in 0..PLANES {
        if planes & (1 << plane) == 0 || poly.is_empty() {
            continue;
        }
        let mut out = Vec::with_capacity(poly.len() + 2);
        for i in 0..poly.len() {
            let (a, b) = (poly[i], poly[(i + 1) % poly.len()]);
            let da = distances(pool.vertex(a), g)[plane];
            let db = distances(pool.vertex(b), g)[plane];
            if da >= 0.0 {
                out.push(a);
            }
            if (da >= 0.0) != (db >= 0.0) {
                let t = da / (da - db);
                out.push(lerp_vertex(pool, a, b, t, screen_linear));
            }
        }
        poly = out;
    }
    poly
}

fn clamp_bbox(b: [f64; 4], rect: [i32; 4]) -> [i32; 4] {
    let c = |v: f64, lo: i32, hi: i32| v.clamp(lo as f64, hi as f64) as i32;
    [c(b[0], rect[0], rect[2]), c(b[1], rect[1], rect[3]), c(b[2], rect[0], rect[2]), c(b[3], rect[1], rect[3])]
}

struct Assembler<'c, 'a> {
    ctx: &'c mut DrawCtx<'a>,
    t: Transform,
    draw: u32,
    bins: &'c mut Bins,
    /// Vertex output words read by the fragment as screen-linear varyings.
    screen_linear: Vec<usize>,
}

impl Assembler<'_, '_> {
    fn base(&self, kind: Kind, id: u32, provoking: u32) -> Prim {
        Prim {
            kind,
            draw: self.draw,
            id,
            front: true,
            v: [0; 3],
            provoking,
            x: [0.0; 3],
            y: [0.0; 3],
            z: [0.0; 3],
            inv_w: [0.0; 3],
            fx: [0; 3],
            fy: [0; 3],
            size: 0.0,
            bbox: [0; 4],
        }
    }

    fn point(&mut self, a: u32, id: u32) {
        let p = self.ctx.pool.vertex(a);
        let (x, y, z, w) = (p[0], p[1], p[2], p[3]);
        // Points are culled by their centre (no partial clipping in x/y).
        if !(w > 0.0 && z >= 0.0 && z <= w && x.abs() <= w && y.abs() <= w) {
            return;
        }
        let size = p[4];
        if size.is_nan() || size <= 0.0 {
            return;
        }
        let (wx, wy, wz, iw) = self.t.window(p);
        let h = size as f64 / 2.0;
        // Pixels whose centre lies in [x − s/2, x + s/2) × [y − s/2, y + s/2).
        let b = [(wx - h - 0.5).ceil(), (wy - h - 0.5).ceil(), (wx + h - 0.5).ceil(), (wy + h - 0.5).ceil()];
        let mut prim = self.base(Kind::Point, id, a);
        prim.v = [a; 3];
        prim.x[0] = wx as f32;
        prim.y[0] = wy as f32;
        prim.z[0] = wz;
        prim.inv_w[0] = iw;
        prim.size = size;
        prim.bbox = clamp_bbox(b, self.ctx.rect);
        self.push(prim);
    }

    fn push(&mut self, prim: Prim) {
        if prim.bbox[0] < prim.bbox[2] && prim.bbox[1] < prim.bbox[3] {
            self.bins.push(prim);
        }
    }

    /// A line segment, clipped in clip space (parametric, against every plane).
    fn line(&mut self, a: u32, b: u32, id: u32, provoking: u32, front: bool) {
        let g = self.t.g;
        let (ca, cb) = (outcode(self.ctx.pool.vertex(a), g), outcode(self.ctx.pool.vertex(b), g));
        if ca & cb != 0 {
            return;
        }
        let (mut a2, mut b2) = (a, b);
        if ca | cb != 0 {
            let (da, db) = (distances(self.ctx.pool.vertex(a), g), distances(self.ctx.pool.vertex(b), g));
            let (mut t0, mut t1) = (0f32, 1f32);
            for k in 0..PLANES {
                if da[k] < 0.0 && db[k] < 0.0 {
                    return;
                }
                if da[k] < 0.0 {
                    t0 = t0.max(da[k] / (da[k] - db[k]));
                } else if db[k] < 0.0 {
                    t1 = t1.min(da[k] / (da[k] - db[k]));
                }
            }
            if t0.is_nan() || t1.is_nan() || t0 >= t1 {
                return;
            }
            if t0 > 0.0 {
                a2 = lerp_vertex(&mut self.ctx.pool, a, b, t0, &self.screen_linear);
            }
            if t1 < 1.0 {
                b2 = lerp_vertex(&mut self.ctx.pool, a, b, t1, &self.screen_linear);
            }
        }
        let (x0, y0, z0, w0) = self.t.window(self.ctx.pool.vertex(a2));
        let (x1, y1, z1, w1) = self.t.window(self.ctx.pool.vertex(b2));
        let mut prim = self.base(Kind::Line, id, provoking);
        prim.front = front;
        prim.v = [a2, b2, b2];
        prim.x = [x0 as f32, x1 as f32, x1 as f32];
        prim.y = [y0 as f32, y1 as f32, y1 as f32];
        prim.z = [z0, z1, z1];
        prim.inv_w = [w0, w1, w1];
        let b = [x0.min(x1) - 1.0, y0.min(y1) - 1.0, x0.max(x1) + 1.0, y0.max(y1) + 1.0].map(f64::floor);
        prim.bbox = clamp_bbox(b, self.ctx.rect);
        self.push(prim);
    }

    /// Whether a triangle of this orientation is front facing, and whether it is culled.
    fn facing(&self, clockwise: bool) -> (bool, bool) {
        let front = clockwise == (self.ctx.draw.front_facing == Winding::Clockwise);
        let culled = match self.ctx.draw.cull_mode {
            CullMode::None => false,
            CullMode::Front => front,
            CullMode::Back => !front,
        };
        (front, culled)
    }

    fn triangle(&mut self, v: [u32; 3], id: u32) {
        let g = self.t.g;
        let c = v.map(|i| outcode(self.ctx.pool.vertex(i), g));
        if c[0] & c[1] & c[2] != 0 {
            return;
        }
        let provoking = v[0];
        let wire = self.ctx.draw.fill_mode == TriangleFillMode::Lines;
        let any = c[0] | c[1] | c[2];
        if any == 0 {
            let Some(front) = self.emit_triangle(v, provoking, id, None, wire) else { return };
            if wire {
                self.wire(v, id, provoking, front);
            }
            return;
        }
        let poly = clip_polygon(&mut self.ctx.pool, v, any, g, &self.screen_linear);
        if poly.len() < 3 {
            return;
        }
        // Orientation of the clipped polygon (shoelace over window coordinates).
        let pts: Vec<(f64, f64)> = poly
            .iter()
            .map(|&i| {
                let (x, y, _, _) = self.t.window(self.ctx.pool.vertex(i));
                (x, y)
            })
            .collect();
        let mut area = 0.0;
        for i in 0..pts.len() {
            let (a, b) = (pts[i], pts[(i + 1) % pts.len()]);
            area += a.0 * b.1 - b.0 * a.1;
        }
        // Shoelace x_i y_{i+1} − x_{i+1} y_i is > 0 for clockwise on screen (y down).
        let (front, culled) = self.facing(area > 0.0);
        if culled || area == 0.0 {
            return;
        }
        if wire {
            self.wire(v, id, provoking, front);
            return;
        }
        for k in 1..poly.len() - 1 {
            self.emit_triangle([poly[0], poly[k], poly[k + 1]], provoking, id, Some(front), false);
        }
    }

    fn wire(&mut self, v: [u32; 3], id: u32, provoking: u32, front: bool) {
        self.line(v[0], v[1], id, provoking, front);
        self.line(v[1], v[2], id, provoking, front);
        self.line(v[2], v[0], id, provoking, front);
    }

    /// Sets up a triangle whose vertices are inside the clip volume. `front`: facing already
    /// decided (clipped pieces). Returns the facing when not culled.
    fn emit_triangle(&mut self, v: [u32; 3], provoking: u32, id: u32, front: Option<bool>, wire: bool) -> Option<bool> {
        let w = v.map(|i| self.t.window(self.ctx.pool.vertex(i)));
        let fx = w.map(|p| (p.0 * SUB).round() as i64);
        let fy = w.map(|p| (p.1 * SUB).round() as i64);
        let area = (fx[2] - fx[1]) * (fy[0] - fy[1]) - (fy[2] - fy[1]) * (fx[0] - fx[1]);
        let front = match front {
            Some(f) => f,
            None => {
                if area == 0 && !wire {
                    return None;
                }
                let (f, culled) = self.facing(area > 0);
                if culled {
                    return None;
                }
                f
            }
        };
        if wire || area == 0 {
            return Some(front);
        }
        // Order the vertices so the edge functions are positive inside.
        let order = if area > 0 { [0, 1, 2] } else { [0, 2, 1] };
        let mut prim = self.base(Kind::Triangle, id, provoking);
        prim.front = front;
        for (k, &o) in order.iter().enumerate() {
            prim.v[k] = v[o];
            prim.x[k] = w[o].0 as f32;
            prim.y[k] = w[o].1 as f32;
            prim.z[k] = w[o].2;
            prim.inv_w[k] = w[o].3;
            prim.fx[k] = fx[o] as i32;
            prim.fy[k] = fy[o] as i32;
        }
        let (minx, maxx) = (fx.iter().min().copied()?, fx.iter().max().copied()?);
        let (miny, maxy) = (fy.iter().min().copied()?, fy.iter().max().copied()?);
        // Pixels whose centre may be inside: centre px + 0.5 in [min, max].
        let b = [
            ((minx as f64 / SUB) - 0.5).floor(),
            ((miny as f64 / SUB) - 0.5).floor(),
            ((maxx as f64 / SUB) + 0.5).ceil(),
            ((maxy as f64 / SUB) + 0.5).ceil(),
        ];
        prim.bbox = clamp_bbox(b, self.ctx.rect);
        self.push(prim);
        Some(front)
    }
}

/// Assembles every instance of the draw into the tiles' bins (in order). `restarts`: positions of
/// primitive-restart indices (strips), which end one strip and start the next.
pub fn assemble(ctx: &mut DrawCtx, maps: &[InstanceVertices], restarts: &[u32], draw: u32, bins: &mut Bins) {
    let t = Transform::new(ctx);
    let n = ctx.draw.vertex_count;
    let kind = ctx.draw.primitive;
    let screen_linear = ctx.layout.screen_linear();
    let mut asm = Assembler { ctx, t, draw, bins, screen_linear };
    // Strip segments between restart entries.
    let mut segments = Vec::with_capacity(restarts.len() + 1);
    let mut start = 0;
    for &r in restarts {
        segments.push((start, r));
        start = r + 1;
    }
    segments.push((start, n));
    for m in maps {
        match kind {
            PrimitiveType::Point => (0..n).for_each(|k| asm.point(m.map(k), k)),
            PrimitiveType::Line => {
                (0..n / 2).for_each(|k| asm.line(m.map(2 * k), m.map(2 * k + 1), k, m.map(2 * k), true))
            }
            PrimitiveType::Triangle => (0..n / 3).for_each(|k| {
                asm.triangle([m.map(3 * k), m.map(3 * k + 1), m.map(3 * k + 2)], k);
            }),
            PrimitiveType::LineStrip => {
                let mut id = 0;
                for &(s, e) in &segments {
                    for k in s..e.saturating_sub(1) {
                        asm.line(m.map(k), m.map(k + 1), id, m.map(k), true);
                        id += 1;
                    }
                }
            }
            PrimitiveType::TriangleStrip => {
                let mut id = 0;
                for &(s, e) in &segments {
                    for k in s..e.saturating_sub(2) {
                        let v = if (k - s) % 2 == 0 {
                            [m.map(k), m.map(k + 1), m.map(k + 2)]
                        } else {
                            [m.map(k), m.map(k + 2), m.map(k + 1)]
                        };
                        asm.triangle(v, id);
                        id += 1;
                    }
                }
            }
        }
    }
}

/// Per screen tile, copies of the primitives touching it, in order (so each tile reads its
/// primitives sequentially).
pub struct Bins {
    pub lists: Vec<Vec<Prim>>,
    /// Tiles across and down.
    pub tiles: [i32; 2],
    /// Copies made since the last flush.
    pub count: usize,
}

impl Bins {
    pub fn new(tiles: [i32; 2]) -> Bins {
        Bins { lists: vec![Vec::new(); (tiles[0] * tiles[1]).max(0) as usize], tiles, count: 0 }
    }

    /// Appends `p` to every tile its bounding box touches.
    pub fn push(&mut self, p: Prim) {
        let [x0, y0, x1, y1] = p.bbox;
        let (tx0, ty0) = (x0 / TILE, y0 / TILE);
        let (tx1, ty1) = (((x1 - 1) / TILE).min(self.tiles[0] - 1), ((y1 - 1) / TILE).min(self.tiles[1] - 1));
        for ty in ty0..=ty1 {
            for tx in tx0..=tx1 {
                self.lists[(ty * self.tiles[0] + tx) as usize].push(p);
                self.count += 1;
            }
        }
    }

    pub fn clear(&mut self) {
        self.lists.iter_mut().for_each(Vec::clear);
        self.count = 0;
    }
}

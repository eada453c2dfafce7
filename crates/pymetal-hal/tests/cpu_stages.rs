//! Render stages on the CPU (docs/abi.md §5): MSL vertex/fragment functions → msl::emit →
//! g++ → `pm_vertex_<k>` / `pm_fragment_<k>` called on hand-built batches, output words
//! checked exactly.
#![cfg(feature = "cpu")]

use pymetal_hal::abi::{PmDispatch, PmFragmentBatch, PmSampler, PmTexture, PmVertexBatch};
use pymetal_hal::cpu::compile::{compile_source, CpuModule};
use std::ffi::c_void;
use std::sync::Arc;

fn build(src: &str, entries: &[&str], constants: &msl::ConstantValues) -> (Arc<CpuModule>, msl::Emitted) {
    let opts = msl::Options { file_name: "stages.metal".into(), ..Default::default() };
    let lib = msl::Library::new(src, &opts).unwrap_or_else(|d| panic!("{d}"));
    let emitted = lib.emit(msl::Target::Cpu, entries, constants).unwrap_or_else(|d| panic!("{d}"));
    let module = compile_source(&emitted.source, false, Some(&lib.pp.files)).unwrap_or_else(|e| panic!("{e}"));
    (module, emitted)
}

fn dispatch(buffers: &[*mut c_void]) -> PmDispatch {
    let mut b = [std::ptr::null_mut(); 32];
    b[..buffers.len()].copy_from_slice(buffers);
    PmDispatch { buffers: b, ..PmDispatch::new([0; 3], [0; 3], [0; 3]) }
}

fn bits(v: &[f32]) -> Vec<u32> {
    v.iter().map(|f| f.to_bits()).collect()
}

/// Runs `pm_vertex_<k>` on `count` vertices; returns the `out` words.
#[allow(clippy::too_many_arguments)]
fn run_vertex(
    m: &CpuModule,
    sym: &str,
    d: &PmDispatch,
    vertex_id: &[u32],
    instance_id: &[u32],
    attributes: &[u32],
    attr_stride: u32,
    out_stride: u32,
) -> Vec<u32> {
    let count = vertex_id.len();
    let mut out = vec![f32::from_bits(0xDEAD_BEEF); count * out_stride as usize];
    let mut b = PmVertexBatch {
        count: count as u32,
        base_vertex: 100,
        base_instance: 7,
        vertex_id: vertex_id.as_ptr(),
        instance_id: instance_id.as_ptr(),
        attributes: if attributes.is_empty() { std::ptr::null() } else { attributes.as_ptr() },
        attr_stride,
        out: out.as_mut_ptr(),
        out_stride,
    };
    let f = m.vertex_fn(sym).unwrap();
    // SAFETY: every array holds `count` entries of the strides given; the wrapper follows pm_abi.h.
    unsafe { f(d, &mut b) };
    bits(&out)
}

struct Frag {
    color: Vec<u32>,
    depth: Vec<f32>,
    discarded: Vec<u32>,
}

/// Runs `pm_fragment_<k>` on fragments given by positions (4 each) and varyings.
fn run_fragment(
    m: &CpuModule,
    sym: &str,
    d: &PmDispatch,
    position: &[f32],
    varyings: &[f32],
    in_stride: u32,
    front_facing: &[u32],
) -> Frag {
    let count = position.len() / 4;
    let primitive_id: Vec<u32> = (0..count as u32).map(|i| 40 + i).collect();
    let point_coord: Vec<f32> = (0..count * 2).map(|i| i as f32 * 0.25).collect();
    let mut color = vec![0xAAAA_AAAAu32; count * 8 * 4];
    let mut depth = vec![-1.0f32; count];
    let mut discarded = vec![7u32; count];
    let mut b = PmFragmentBatch {
        count: count as u32,
        position: position.as_ptr(),
        varyings: varyings.as_ptr(),
        in_stride,
        front_facing: front_facing.as_ptr(),
        primitive_id: primitive_id.as_ptr(),
        point_coord: point_coord.as_ptr(),
        color: color.as_mut_ptr(),
        depth: depth.as_mut_ptr(),
        discarded: discarded.as_mut_ptr(),
    };
    let f = m.fragment_fn(sym).unwrap();
    // SAFETY: as in run_vertex.
    unsafe { f(d, &mut b) };
    Frag { color, depth, discarded }
}

const TRIANGLE: &str = r#"#include <metal_stdlib>
using namespace metal;

struct VertexOut {
    float4 position [[position]];
    float4 color;
};

vertex VertexOut vertex_main(uint vertex_id [[vertex_id]]) {
    float2 positions[3] = {
        float2( 0.0,  0.7),
        float2(-0.7, -0.7),
        float2( 0.7, -0.7)
    };
    float4 colors[3] = {
        float4(1.0, 0.0, 0.0, 1.0),  // Red
        float4(0.0, 1.0, 0.0, 1.0),  // Green
        float4(0.0, 0.0, 1.0, 1.0)   // Blue
    };
    VertexOut out;
    out.position = float4(positions[vertex_id], 0.0, 1.0);
    out.color = colors[vertex_id];
    return out;
}

fragment float4 fragment_main(VertexOut in [[stage_in]]) {
    return in.color;
}
"#;

#[test]
fn seed_triangle_vertex_and_fragment() {
    let (m, e) = build(TRIANGLE, &["vertex_main", "fragment_main"], &Default::default());
    assert_eq!(e.entries[0].symbol, "pm_vertex_0");
    assert_eq!(e.entries[1].symbol, "pm_fragment_1");
    let d = dispatch(&[]);
    let out = run_vertex(&m, "pm_vertex_0", &d, &[0, 1, 2], &[0, 0, 0], &[], 0, 9);
    #[rustfmt::skip]
    let want = bits(&[
        0.0, 0.7, 0.0, 1.0, 1.0, 1.0, 0.0, 0.0, 1.0,
        -0.7, -0.7, 0.0, 1.0, 1.0, 0.0, 1.0, 0.0, 1.0,
        0.7, -0.7, 0.0, 1.0, 1.0, 0.0, 0.0, 1.0, 1.0,
    ]);
    assert_eq!(out, want);

    let pos = [10.5, 20.5, 0.25, 1.0, 11.5, 20.5, 0.5, 2.0];
    let var = [0.25, 0.5, 0.75, 1.0, 0.1, 0.2, 0.3, 0.4];
    let f = run_fragment(&m, "pm_fragment_1", &d, &pos, &var, 4, &[1, 0]);
    assert_eq!(f.color[0..4], bits(&var[0..4])[..]);
    assert_eq!(f.color[32..36], bits(&var[4..8])[..]);
    // Other attachments untouched; no depth written; nothing discarded.
    assert!(f.color[4..32].iter().all(|&w| w == 0xAAAA_AAAA));
    assert_eq!(f.depth, vec![-1.0, -1.0]);
    assert_eq!(f.discarded, vec![0, 0]);
}

#[test]
fn attributes_buffers_and_typed_varyings() {
    let src = r#"#include <metal_stdlib>
using namespace metal;
struct VertexIn {
    packed_float3 position [[attribute(0)]];
    half2 uv [[attribute(1)]];
    int2 cell [[attribute(3)]];
    uchar4 rgba [[attribute(2)]];
};
struct Uniforms { float scale; float3 offset; };
struct V2F {
    float4 clip [[position]];
    float size [[point_size]];
    float2 uv [[user(texcoord)]];
    int2 cell;
    half tint [[center_no_perspective]];
    uint4 rgba;
    float2 xy;
};
vertex V2F vs(VertexIn in [[stage_in]], constant Uniforms& u [[buffer(1)]],
              const device float* extra [[buffer(0)]],
              uint vid [[vertex_id]], uint iid [[instance_id]], uint bv [[base_vertex]], uint bi [[base_instance]]) {
    V2F o;
    o.clip = float4(float3(in.position) * u.scale + u.offset, 1.0);
    o.size = extra[vid - bv] + float(iid - bi);
    o.uv = float2(in.uv);
    o.cell = in.cell * 2;
    o.tint = half(0.5);
    o.rgba = uint4(in.rgba);
    o.xy = float2(float(vid), float(iid));
    return o;
}
"#;
    let (m, e) = build(src, &["vs"], &Default::default());
    assert_eq!(e.entries[0].symbol, "pm_vertex_0");
    let mut uniforms = [2.0f32, 0.0, 0.0, 0.0, 1.0, 2.0, 3.0, 0.0]; // float3 is 16-byte aligned
    let mut extra = [0.5f32, 1.5];
    let d = dispatch(&[extra.as_mut_ptr() as *mut c_void, uniforms.as_mut_ptr() as *mut c_void]);
    // attr_stride 16: attributes 0..3, 4 words each.
    let mut attrs = vec![0u32; 2 * 16];
    for (v, base) in [(0usize, 1.0f32), (1, -2.0)] {
        let a = &mut attrs[v * 16..(v + 1) * 16];
        a[0..4].copy_from_slice(&bits(&[base, base + 1.0, base + 2.0, 1.0]));
        a[4..8].copy_from_slice(&bits(&[0.25, 0.75, 0.0, 1.0]));
        a[8..12].copy_from_slice(&[255, 128, 0, 7]);
        a[12..16].copy_from_slice(&[(-3i32) as u32, 5, 0, 1]);
    }
    let out = run_vertex(&m, "pm_vertex_0", &d, &[100, 101], &[7, 8], &attrs, 16, 19);
    let f = |x: f32| x.to_bits();
    for (v, base) in [(0usize, 1.0f32), (1, -2.0)] {
        let o = &out[v * 19..(v + 1) * 19];
        let want: Vec<u32> = vec![
            f(base * 2.0 + 1.0),
            f((base + 1.0) * 2.0 + 2.0),
            f((base + 2.0) * 2.0 + 3.0),
            f(1.0),
            f([0.5, 1.5][v] + v as f32),
            f(0.25),
            f(0.75),
            (-6i32) as u32,
            10,
            f(0.5),
            255,
            128,
            0,
            7,
            f(100.0 + v as f32),
            f(7.0 + v as f32),
        ];
        assert_eq!(o[..16], want[..], "vertex {v}");
        assert!(o[16..].iter().all(|&w| w == 0xDEAD_BEEF), "stride padding untouched");
    }
}

#[test]
fn fragment_mrt_depth_discard_and_builtins() {
    let src = r#"#include <metal_stdlib>
using namespace metal;
struct In {
    float4 p [[position]];
    float2 uv;
    int id [[flat]];
    bool ff [[front_facing]];
    half3 n [[user(normal)]];
};
struct GBuffer {
    float4 albedo [[color(0)]];
    half2 normal [[color(2), index(0)]];
    int ids [[color(5)]];
    float z [[depth(any)]];
};
fragment GBuffer gbuf(In in [[stage_in]], uint prim [[primitive_id]], float2 pc [[point_coord]],
                      constant float& bias [[buffer(3)]]) {
    if (in.uv.x < 0) discard_fragment();
    GBuffer g;
    g.albedo = float4(in.uv, in.ff ? 1.0 : 0.0, in.p.x);
    g.normal = in.n.xy;
    g.ids = in.id * 10 + int(prim);
    g.z = in.p.z + bias + pc.y;
    return g;
}
"#;
    let (m, e) = build(src, &["gbuf"], &Default::default());
    assert_eq!(e.entries[0].symbol, "pm_fragment_0");
    let mut bias = [0.125f32];
    let d =
        dispatch(&[std::ptr::null_mut(), std::ptr::null_mut(), std::ptr::null_mut(), bias.as_mut_ptr() as *mut c_void]);
    let pos = [3.5, 4.5, 0.5, 1.0, 5.5, 6.5, 0.25, 1.0, 7.5, 8.5, 0.75, 1.0];
    // Varyings in the fragment's own order: uv (2), id (1, int bits), n (3).
    let stride = 6;
    let mut var = vec![0.0f32; 3 * stride];
    for (i, (u, id)) in [(0.5f32, 2i32), (-1.0, 3), (0.25, -4)].into_iter().enumerate() {
        var[i * stride..(i + 1) * stride].copy_from_slice(&[u, 0.75, f32::from_bits(id as u32), 0.5, -0.25, 1.0]);
    }
    let fr = run_fragment(&m, "pm_fragment_0", &d, &pos, &var, stride as u32, &[1, 1, 0]);
    assert_eq!(fr.discarded, vec![0, 1, 0]);
    for (i, (u, id, ff)) in [(0.5f32, 2i32, 1.0f32), (-1.0, 3, 1.0), (0.25, -4, 0.0)].into_iter().enumerate() {
        let c = &fr.color[i * 32..(i + 1) * 32];
        assert_eq!(c[0..4], bits(&[u, 0.75, ff, pos[i * 4]])[..], "fragment {i} color 0");
        assert_eq!(c[8..12], bits(&[0.5, -0.25, 0.0, 1.0])[..], "color 2: half2 widened, 0, 1");
        assert_eq!(c[20..24], [(id * 10 + 40 + i as i32) as u32, 0, 0, 1], "color 5: int, 0, 0, 1");
        assert!(c[4..8].iter().chain(&c[12..20]).chain(&c[24..32]).all(|&w| w == 0xAAAA_AAAA));
        // point_coord y of fragment i is (2i + 1) * 0.25.
        assert_eq!(fr.depth[i], pos[i * 4 + 2] + 0.125 + (2 * i + 1) as f32 * 0.25);
    }
}

#[test]
fn namespaces_templates_constants_and_builtin_params() {
    let src = r#"#include <metal_stdlib>
using namespace metal;
constant bool invert [[function_constant(0)]];
namespace fx {
struct Px { float4 pos [[position]]; float3 c; };
template <typename T>
fragment T shade(Px in [[stage_in]], float4 p [[position]], bool ff [[front_facing]]) {
    float3 c = invert ? 1.0 - in.c : in.c;
    return T(c.x, c.y + p.y, ff ? 1 : 0, 1);
}
template [[host_name("shade_h")]] fragment half4 shade<half4>(Px, float4, bool);
template [[host_name("shade_u")]] [[fragment]] decltype(shade<uint4>) shade<uint4>;
vertex float4 quad(uint vid [[vertex_id]]) {
    return float4(float(vid & 1), float(vid >> 1), 0, 1);
}
}
"#;
    let mut consts = msl::ConstantValues::default();
    consts.by_index.insert(0, msl::ConstantValue::Bool(true));
    let (m, e) = build(src, &["shade_h", "quad", "shade_u"], &consts);
    assert_eq!(e.entries[0].symbol, "pm_fragment_0");
    assert_eq!(e.entries[1].symbol, "pm_vertex_1");
    let d = dispatch(&[]);
    let fr = run_fragment(&m, "pm_fragment_0", &d, &[0.5, 2.0, 0.0, 1.0], &[0.25, 0.5, 1.0], 3, &[0]);
    assert_eq!(fr.color[0..4], bits(&[0.75, 2.5, 0.0, 1.0])[..]);
    // decltype style: the return type T is the instantiation's uint4.
    assert_eq!(e.entries[2].symbol, "pm_fragment_2");
    let fr = run_fragment(&m, "pm_fragment_2", &d, &[0.5, 2.0, 0.0, 1.0], &[0.25, 0.5, 1.0], 3, &[1]);
    assert_eq!(fr.color[0..4], [0, 2, 1, 1]);
    let out = run_vertex(&m, "pm_vertex_1", &d, &[0, 1, 2, 3], &[0; 4], &[], 0, 5);
    #[rustfmt::skip]
    let want = bits(&[0., 0., 0., 1., 1., 1., 0., 0., 1., 1., 0., 1., 0., 1., 1., 1., 1., 0., 1., 1.]);
    assert_eq!(out, want);
}

#[test]
fn shared_struct_with_methods_scalar_and_integer_colors() {
    let src = r#"#include <metal_stdlib>
using namespace metal;
struct V {
    float4 pos [[position]];
    float a, b;
    float4 c = float4(0.5);
    V() = default;
    float sum() const { return a + b; }
};
vertex V v1(ushort vid [[vertex_id]], constant float4x4& m [[buffer(1)]]) {
    V o; o.pos = m * float4(float(vid), 1, 0, 1); o.a = 1; o.b = float(vid); return o;
}
fragment float f1(V in [[stage_in]]) { return in.sum(); }
fragment uint4 f2(V in [[stage_in]]) { return uint4(uint(in.a), uint(in.b), 3, 4); }
fragment void f3(V in [[stage_in]], device float* o [[buffer(0)]]) { o[0] = in.c.y; }
"#;
    let (m, e) = build(src, &["v1", "f1", "f2", "f3"], &Default::default());
    let syms: Vec<&str> = e.entries.iter().map(|e| e.symbol.as_str()).collect();
    assert_eq!(syms, ["pm_vertex_0", "pm_fragment_1", "pm_fragment_2", "pm_fragment_3"]);
    // Column-major matrix: scale x by 2, translate y by 10.
    let mut mat = [2.0f32, 0., 0., 0., 0., 1., 0., 0., 0., 0., 1., 0., 0., 10., 0., 1.];
    let d = dispatch(&[std::ptr::null_mut(), mat.as_mut_ptr() as *mut c_void]);
    let out = run_vertex(&m, "pm_vertex_0", &d, &[3], &[0], &[], 0, 11);
    assert_eq!(out, bits(&[6.0, 11.0, 0.0, 1.0, 1.0, 1.0, 3.0, 0.5, 0.5, 0.5, 0.5]));
    let var = [1.5f32, 2.0, 0.0, 0.25, 0.0, 0.0];
    let f = run_fragment(&m, "pm_fragment_1", &d, &[0.; 4], &var, 6, &[1]);
    assert_eq!(f.color[0..4], bits(&[3.5, 0.0, 0.0, 1.0])[..]);
    let f = run_fragment(&m, "pm_fragment_2", &d, &[0.; 4], &var, 6, &[1]);
    assert_eq!(f.color[0..4], [1, 2, 3, 4]);
    let mut o = [0.0f32];
    let d3 = dispatch(&[o.as_mut_ptr() as *mut c_void]);
    let f = run_fragment(&m, "pm_fragment_3", &d3, &[0.; 4], &var, 6, &[1]);
    assert_eq!((o[0], f.discarded[0]), (0.25, 0));
    assert!(f.color.iter().all(|&w| w == 0xAAAA_AAAA));
}

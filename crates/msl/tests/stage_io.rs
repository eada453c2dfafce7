//! Reflection of vertex and fragment stage interfaces (`EntryPoint::io`), with goldens of
//! the text `mslc --reflect` prints, and the errors for shapes that are not supported.

use msl::{Builtin, ConstantValues, Interpolation, Library, Options, ScalarKind, Slot, Stage, Target, Varying};

fn lib(src: &str) -> Library {
    let opts = Options { file_name: "s.metal".into(), ..Options::default() };
    match Library::new(src, &opts) {
        Ok(l) => l,
        Err(d) => panic!("{d}"),
    }
}

fn io_text(l: &Library, name: &str) -> String {
    l.entry_point(name).unwrap_or_else(|| panic!("no entry {name}")).io.to_string()
}

fn error(src: &str) -> String {
    let opts = Options { file_name: "s.metal".into(), ..Options::default() };
    match Library::new(src, &opts) {
        Err(d) => d.to_string(),
        Ok(l) => {
            let names: Vec<&str> = l.reflection.entry_points.iter().map(|e| e.name.as_str()).collect();
            match l.emit(Target::Cpu, &names, &ConstantValues::default()) {
                Err(d) => d.to_string(),
                Ok(_) => "no error".into(),
            }
        }
    }
}

const TRIANGLE: &str = r#"#include <metal_stdlib>
using namespace metal;

struct VertexOut {
    float4 position [[position]];
    float4 color;
};

vertex VertexOut vertex_main(uint vertex_id [[vertex_id]]) {
    float2 positions[3] = { float2( 0.0,  0.7), float2(-0.7, -0.7), float2( 0.7, -0.7) };
    float4 colors[3] = { float4(1.0, 0.0, 0.0, 1.0), float4(0.0, 1.0, 0.0, 1.0), float4(0.0, 0.0, 1.0, 1.0) };
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
fn seed_triangle() {
    let l = lib(TRIANGLE);
    let v = l.entry_point("vertex_main").unwrap();
    assert_eq!(v.stage, Stage::Vertex);
    assert_eq!(v.params[0].binding, msl::Binding::Builtin(Builtin::VertexId));
    assert_eq!(
        v.io.varyings,
        vec![Varying {
            name: "color".into(),
            user: None,
            kind: ScalarKind::Float,
            components: 4,
            interpolation: Interpolation::Perspective
        }]
    );
    assert!(v.io.attributes.is_empty() && v.io.colors.is_empty() && !v.io.writes_point_size);
    let f = l.entry_point("fragment_main").unwrap();
    assert_eq!(f.io.varyings, v.io.varyings);
    assert_eq!(f.io.colors, vec![Slot { index: 0, kind: ScalarKind::Float, components: 4 }]);
    assert!(!f.io.writes_depth);
    assert_eq!(io_text(&l, "fragment_main"), "  varying float4 color perspective\n  out color(0) float4\n");
}

#[test]
fn textured_quad_with_attributes() {
    let l = lib(r#"#include <metal_stdlib>
using namespace metal;
struct VertexIn {
    packed_float3 position [[attribute(0)]];
    float2 uv [[attribute(2)]];
    metal::half4 tint [[ attribute(1) ]];
};
struct RasterizerData {
    float4 clip [[position]];
    float pointSize [[point_size]];
    float2 uv;
    half4 tint [[center_no_perspective]];
};
struct Uniforms { float4x4 mvp; };
vertex RasterizerData vs(VertexIn in [[stage_in]], constant Uniforms& u [[buffer(1)]],
                         uint iid [[instance_id]], uint bv [[base_vertex]]) {
    RasterizerData o;
    o.clip = u.mvp * float4(float3(in.position), 1.0);
    o.pointSize = 1.0;
    o.uv = in.uv;
    o.tint = in.tint;
    return o;
}
fragment half4 fs(RasterizerData in [[stage_in]], texture2d<half> tex [[texture(0)]], sampler s [[sampler(0)]]) {
    return tex.sample(s, in.uv) * in.tint;
}
"#);
    assert_eq!(
        io_text(&l, "vs"),
        "  in  attribute(0) float3\n  in  attribute(2) float2\n  in  attribute(1) half4\n  out point_size\n\
         \x20 varying float2 uv perspective\n  varying half4 tint no_perspective\n"
    );
    assert_eq!(
        io_text(&l, "fs"),
        "  varying float2 uv perspective\n  varying half4 tint no_perspective\n  out color(0) half4\n"
    );
    let vs = l.entry_point("vs").unwrap();
    assert_eq!(vs.params[1].binding, msl::Binding::Buffer(1));
    assert_eq!(vs.params[2].binding, msl::Binding::Builtin(Builtin::InstanceId));
    assert_eq!(vs.params[3].binding, msl::Binding::Builtin(Builtin::BaseVertex));
}

#[test]
fn user_names_flat_ints_and_namespaces() {
    let l = lib(r#"#include <metal_stdlib>
namespace app {
typedef struct {
    vector_float4 pos [[position]];
    simd::float3 normal [[user(normal)]];
    uint material [[user(mat)]];
    float3 flat_col [[flat]];
    short2 cell;
    bool lit;
    float clip [[clip_distance]];
} Varyings;
vertex Varyings v(uint vid [[vertex_id]]) { Varyings o = {}; return o; }
fragment float4 f(Varyings in [[stage_in]], bool ff [[front_facing]], float4 p [[position]],
                  uint prim [[primitive_id]]) { return float4(in.normal, 1); }
}
"#);
    let want = "  varying float3 normal user(normal) perspective\n  varying uint material user(mat) flat\n\
                \x20 varying float3 flat_col flat\n  varying short2 cell flat\n  varying bool lit flat\n";
    assert_eq!(io_text(&l, "v"), want);
    assert_eq!(io_text(&l, "f"), format!("{want}  out color(0) float4\n"));
    let f = l.entry_point("f").unwrap();
    assert_eq!(f.function, "app::f");
    let b: Vec<_> = f.params.iter().map(|p| p.binding).collect();
    assert_eq!(
        b[1..],
        [
            msl::Binding::Builtin(Builtin::FrontFacing),
            msl::Binding::Builtin(Builtin::Position),
            msl::Binding::Builtin(Builtin::PrimitiveId)
        ]
    );
}

#[test]
fn multiple_render_targets_depth_and_discard() {
    let l = lib(r#"#include <metal_stdlib>
using namespace metal;
struct In { float4 p [[position]]; float2 uv; int id [[flat]]; bool ff [[front_facing]]; };
struct GBuffer {
    float4 albedo [[color(0)]];
    half2 normal [[color(2), index(0)]];
    uint4 ids [[color(5)]];
    float z [[depth(less)]];
};
fragment GBuffer gbuf(In in [[stage_in]]) {
    if (in.uv.x < 0) discard_fragment();
    GBuffer g;
    g.albedo = float4(in.uv, 0, 1);
    g.normal = half2(0.5h);
    g.ids = uint4(in.id);
    g.z = in.p.z * 0.5;
    return g;
}
fragment uint counts(In in [[stage_in]]) { return 3; }
fragment void side_effect(In in [[stage_in]], device atomic_uint* n [[buffer(0)]]) {
    atomic_fetch_add_explicit(n, 1u, memory_order_relaxed);
}
"#);
    assert_eq!(
        io_text(&l, "gbuf"),
        "  varying float2 uv perspective\n  varying int id flat\n  out color(0) float4\n  out color(2) half2\n\
         \x20 out color(5) uint4\n  out depth\n"
    );
    assert_eq!(
        l.entry_point("counts").unwrap().io.colors,
        vec![Slot { index: 0, kind: ScalarKind::Uint, components: 1 }]
    );
    assert!(l.entry_point("side_effect").unwrap().io.colors.is_empty());
}

#[test]
fn bare_float4_vertex_and_templates() {
    let l = lib(r#"#include <metal_stdlib>
using namespace metal;
vertex float4 pos_only(const device packed_float3* p [[buffer(0)]], uint vid [[vertex_id]]) {
    return float4(float3(p[vid]), 1);
}
template <typename T> struct Out { float4 p [[position]]; };
struct Col { float4 c [[color(0)]]; float a, b; };
template <typename T>
vertex float4 tv(const device T* p [[buffer(0)]], uint vid [[vertex_id]]) { return float4(p[vid]); }
template [[host_name("tv_f")]] vertex float4 tv<float>(const device float*, uint);
"#);
    assert_eq!(io_text(&l, "pos_only"), "");
    assert_eq!(io_text(&l, "tv_f"), "");
    assert_eq!(l.entry_point("tv_f").unwrap().function, "tv<float>");
}

#[test]
fn unsupported_shapes_are_located_errors() {
    let e =
        error("struct S { float4 p [[position]]; float4x4 m; };\nvertex S v(uint i [[vertex_id]]) { return S(); }\n");
    assert!(e.starts_with("s.metal:1:44: error: member 'm' of 'S' has type 'float4x4'"), "{e}");
    let e = error("vertex float4 v(float4 x [[stage_in]]) { return x; }\n");
    assert!(e.starts_with("s.metal:1:17: error: the [[stage_in]] parameter 'x' of 'v' must be a struct"), "{e}");
    let e = error("struct S { float4 c; };\nvertex S v(uint i [[vertex_id]]) { return S(); }\n");
    assert!(e.contains("error: the output struct 'S' of vertex function 'v' has no [[position]] member"), "{e}");
    let e = error("struct I { float3 p; };\nvertex float4 v(I i [[stage_in]]) { return 0; }\n");
    assert!(
        e.starts_with("s.metal:1:19: error: member 'p' of the vertex [[stage_in]] struct 'I' needs [[attribute(n)]]"),
        "{e}"
    );
    let e = error("struct O { float4 c; };\nfragment O f() { return O(); }\n");
    assert!(e.contains("error: member 'c' of fragment output struct 'O' needs [[color(n)]] or [[depth(...)]]"), "{e}");
    let e = error("fragment float4 f(uint v [[vertex_id]]) { return 0; }\n");
    assert!(e.starts_with("s.metal:1:28: error: '[[vertex_id]]' is not a fragment function built-in"), "{e}");
    let e = error("struct O { float4 c [[color(0)]]; float4 d [[color(0)]]; };\nfragment O f() { return O(); }\n");
    assert!(e.contains("error: [[color(0)]] is written twice"), "{e}");
    let e = error("struct O { float4 c [[color(9)]]; };\nfragment O f() { return O(); }\n");
    assert!(e.contains("error: color index 9 is out of range (0..=7)"), "{e}");
    let e = error("fragment float4x4 f() { return float4x4(1); }\n");
    assert!(e.contains("error: unsupported return type 'float4x4' of 'f'"), "{e}");
    // `float a, b;` is read as two members (here both lack [[color]]).
    let e = error("struct O { float a [[color(0)]], b; };\nfragment O f() { return O(); }\n");
    assert!(e.contains("error: member 'b' of fragment output struct 'O' needs [[color(n)]]"), "{e}");
}

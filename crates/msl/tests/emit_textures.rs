//! Emission of texture and sampler kernel parameters (docs/abi.md §4) and program-scope
//! `constexpr sampler`s; the CPU translation unit is compiled with g++ when it is installed.

use msl::{ConstantValues, Library, Options, Target};

const SRC: &str = r#"#include <metal_stdlib>
using namespace metal;
constexpr sampler lin(coord::normalized, filter::linear, address::repeat);
constexpr sampler cmp(compare_func::less_equal, s_address::clamp_to_border, border_color::opaque_white,
                      mip_filter::linear, lod_clamp(0.0f, 4.0f), max_anisotropy(8));
kernel void k(texture2d<float, access::read> a [[texture(0)]],
              texture2d<half, access::write> b [[texture(3)]],
              depth2d<float> d [[texture(1)]],
              texturecube<float> c [[texture(2)]],
              texture2d_array<uint> arr [[texture(4)]],
              texture3d<float> v [[texture(5)]],
              texture1d<int> one [[texture(6)]],
              sampler s [[sampler(2)]],
              device float4 *o [[buffer(0)]],
              ushort2 gid [[thread_position_in_grid]]) {
    float2 uv = float2(gid) / float2(a.get_width(), a.get_height());
    b.write(half4(a.read(gid)), gid);
    o[0] = a.sample(lin, uv) + a.sample(s, uv, level(1.0f)) + a.sample(s, uv, bias(0.5f), int2(1, 0));
    o[1] = float4(d.sample_compare(cmp, uv, 0.5f), d.sample(s, uv), d.read(gid), 0.0f);
    o[2] = c.sample(lin, float3(1.0f, 0.0f, 0.0f)) + float4(arr.read(gid, 1u)) + v.sample(s, float3(uv, 0.5f));
    o[3] = a.gather(lin, uv, int2(0), component::y) + float4(one.read(gid.x));
    o[4] = float4(arr.get_array_size(), v.get_depth(), c.get_num_mip_levels(), is_null_texture(a));
}
"#;

fn lib() -> Library {
    Library::new(SRC, &Options { file_name: "t.metal".into(), ..Options::default() }).unwrap_or_else(|d| panic!("{d}"))
}

#[test]
fn texture_and_sampler_params_bind_the_dispatch_tables() {
    let e = lib().emit(Target::Cpu, &["k"], &ConstantValues::default()).unwrap_or_else(|d| panic!("{d}"));
    let s = &e.source;
    for (i, t) in [(0, 0), (1, 3), (2, 1), (3, 2), (4, 4), (5, 5), (6, 6)] {
        let arg = format!("::metal::detail::pm_texture_arg<pm_wrap::arg_t<pm_F, {i}>>(d->textures, {t}u)");
        assert_eq!(s.matches(&arg).count(), 2, "{arg} in the fiber and the plain-loop wrapper");
    }
    let smp = "::metal::detail::pm_sampler_arg<pm_wrap::arg_t<pm_F, 7>>(d->samplers, 2u)";
    assert_eq!(s.matches(smp).count(), 2);
    assert!(s.contains("constexpr ::metal::sampler lin(coord::normalized, filter::linear, address::repeat);"));
    assert!(e.entries[0].group_symbol.is_some());
}

#[test]
fn cuda_binds_textures_and_samplers_from_the_dispatch() {
    let s = lib().emit(Target::Cuda, &["k"], &ConstantValues::default()).unwrap().source;
    assert!(s.contains("::metal::detail::pm_texture_arg<pm_wrap::arg_t<pm_F, 0>>(d.textures, "), "texture arm");
    assert!(s.contains("::metal::detail::pm_sampler_arg<pm_wrap::arg_t<pm_F, 7>>(d.samplers, 2u)"), "sampler arm");
    assert!(!s.contains("#define PM_NO_TEXTURES"), "texture.h is kept");
}

#[test]
fn cpu_translation_unit_compiles_with_gxx() {
    let Some(gxx) =
        std::env::var_os("PATH").and_then(|p| std::env::split_paths(&p).map(|d| d.join("g++")).find(|p| p.is_file()))
    else {
        println!("note: g++ not found, skipped");
        return;
    };
    let e = lib().emit(Target::Cpu, &["k"], &ConstantValues::default()).unwrap();
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("emit_textures");
    std::fs::create_dir_all(&dir).unwrap();
    let cpp = dir.join("k.cpp");
    std::fs::write(&cpp, &e.source).unwrap();
    let out = std::process::Command::new(gxx)
        .args(["-std=c++17", "-fsyntax-only", "-Wall", "-Wextra", "-Werror"])
        .arg(&cpp)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn texture_index_past_the_table_is_refused() {
    let l = Library::new(
        "kernel void k(texture2d<float> t [[texture(40)]], device float4* o [[buffer(0)]]) { o[0] = t.read(uint2(0)); }",
        &Options::default(),
    )
    .unwrap();
    let err = l.emit(Target::Cpu, &["k"], &ConstantValues::default()).unwrap_err().to_string();
    assert!(err.contains("texture index exceeds 31"), "{err}");
}

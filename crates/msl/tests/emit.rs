//! Golden tests of the rewriter: `tests/in/NAME.metal` → `tests/out/{cpu,cuda}/NAME.cpp`.
//! The goldens hold the user part and the wrappers only (the prelude and the shared
//! wrapper helpers are cut). Regenerate with `BLESS=1 cargo test -p msl --test emit`.

use msl::{ConstantValue, ConstantValues, Library, Options, Stage, Target};
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests")
}

/// The generated text after the prelude, without the helper templates.
fn golden_text(source: &str) -> String {
    let user = source.split_once(msl::emit::USER_CODE_MARKER).map_or(source, |(_, u)| u);
    match (user.find("#if defined(PM_TARGET_CUDA)\n#define PM_WRAP_FN"), user.find("} // namespace pm_wrap\n")) {
        (Some(a), Some(b)) if b > a => {
            format!("{}// <pm_wrap helpers>\n{}", &user[..a], &user[b + "} // namespace pm_wrap\n".len()..])
        }
        _ => user.to_string(),
    }
}

fn constants_for(name: &str) -> ConstantValues {
    let mut c = ConstantValues::default();
    if name == "features" {
        c.by_index.insert(0, ConstantValue::Bool(true));
        c.by_name.insert("n_iter".into(), ConstantValue::UInt(3));
    }
    c
}

#[test]
fn goldens() {
    let bless = std::env::var_os("BLESS").is_some();
    let mut inputs: Vec<PathBuf> = std::fs::read_dir(root().join("in"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "metal"))
        .collect();
    inputs.sort();
    assert!(!inputs.is_empty());
    let mut failures = Vec::new();
    for path in &inputs {
        let name = path.file_stem().unwrap().to_str().unwrap().to_string();
        let src = std::fs::read_to_string(path).unwrap();
        let opts = Options { file_name: format!("{name}.metal"), ..Options::default() };
        let lib = match Library::new(&src, &opts) {
            Ok(l) => l,
            Err(e) => {
                failures.push(format!("{name}: {e}"));
                continue;
            }
        };
        let entries: Vec<&str> =
            lib.reflection.entry_points.iter().filter(|e| e.stage == Stage::Kernel).map(|e| e.name.as_str()).collect();
        for (target, dir) in [(Target::Cpu, "cpu"), (Target::Cuda, "cuda")] {
            let emitted = lib.emit(target, &entries, &constants_for(&name)).unwrap();
            // (sources naming no texture or sampler skip texture.h through this define)
            let source = emitted.source.trim_start_matches("#define PM_NO_TEXTURES 1\n");
            assert!(source.starts_with(&msl::prelude::source(target)));
            let got = golden_text(&emitted.source);
            let out = root().join("out").join(dir).join(format!("{name}.cpp"));
            if bless {
                std::fs::create_dir_all(out.parent().unwrap()).unwrap();
                std::fs::write(&out, &got).unwrap();
                continue;
            }
            match std::fs::read_to_string(&out) {
                Ok(want) if want == got => {}
                Ok(_) => failures.push(format!("{} differs (BLESS=1 to update)", out.display())),
                Err(_) => failures.push(format!("{} is missing (BLESS=1 to create)", out.display())),
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn lib(src: &str) -> Library {
    Library::new(src, &Options { file_name: "t.metal".into(), ..Options::default() }).unwrap()
}

#[test]
fn wrapper_symbols_and_sync() {
    let l = lib("kernel void a(device float* x [[buffer(0)]]) {}\n\
                 void helper() { threadgroup_barrier(mem_flags::mem_none); }\n\
                 kernel void b(device float* x [[buffer(0)]]) { helper(); }\n");
    let e = l.emit(Target::Cpu, &["b", "a"], &ConstantValues::default()).unwrap();
    assert_eq!(e.entries[0].name, "b");
    assert!(e.entries[0].uses_sync);
    assert_eq!(e.entries[0].group_symbol, None);
    assert_eq!(e.entries[1].symbol, "pm_entry_1");
    assert_eq!(e.entries[1].group_symbol.as_deref(), Some("pm_group_1"));
    assert!(e.source.contains("extern \"C\" void pm_group_1("));
    assert!(!e.source.contains("pm_group_0"));
    let c = l.emit(Target::Cuda, &["a"], &ConstantValues::default()).unwrap();
    assert!(c.source.contains("extern \"C\" __global__ void pm_entry_0(const __grid_constant__ pm_dispatch d)"));
    assert!(c.entries[0].group_symbol.is_none());
}

#[test]
fn function_constants_baked() {
    let src = "constant bool f [[function_constant(3)]];\nconstant int g [[function_constant(4)]];\n\
               constant bool hf = is_function_constant_defined(f);\nconstant bool hg = is_function_constant_defined(g);\n\
               kernel void k(device int* o [[buffer(0)]]) { o[0] = g; }\n";
    let l = lib(src);
    assert_eq!(l.reflection.function_constants.len(), 2);
    assert_eq!(l.reflection.function_constants[1].index, 4);
    let mut c = ConstantValues::default();
    c.by_index.insert(4, ConstantValue::Int(-7));
    let e = golden_text(&l.emit(Target::Cpu, &["k"], &c).unwrap().source);
    assert!(e.contains("static constexpr bool f {};"), "{e}");
    assert!(e.contains("static constexpr int g = -7LL;"), "{e}");
    assert!(e.contains("static constexpr bool hf = false "), "{e}");
    assert!(e.contains("static constexpr bool hg = true "), "{e}");
}

#[test]
fn vertex_entries_emitted_for_the_cpu_only() {
    let l = lib("struct V { float4 p [[position]]; };\nvertex V vs(uint vid [[vertex_id]]) { return V(); }\n");
    assert_eq!(l.reflection.entry_points[0].stage, Stage::Vertex);
    let e = l.emit(Target::Cpu, &["vs"], &ConstantValues::default()).unwrap();
    assert_eq!(e.entries[0].symbol, "pm_vertex_0");
    assert_eq!(e.entries[0].group_symbol, None);
    assert!(e.source.contains("extern \"C\" void pm_vertex_0(const pm_dispatch *d, pm_vertex_batch *b)"));
    let err = l.emit(Target::Cuda, &["vs"], &ConstantValues::default()).unwrap_err();
    assert!(
        err.to_string().starts_with("t.metal:2:10: error: 'vs' is a vertex function: render stages run on the CPU"),
        "{err}"
    );
}

#[test]
fn threadgroup_sites_only_for_reachable_code() {
    let l = lib("void unused() { threadgroup float a[4]; a[0] = 0; }\n\
                 void used() { threadgroup float b[4]; b[0] = 0; }\n\
                 kernel void k(device float* x [[buffer(0)]]) { threadgroup float c[2]; c[0] = 0; used(); }\n");
    let e = golden_text(&l.emit(Target::Cpu, &["k"], &ConstantValues::default()).unwrap().source);
    assert!(e.contains("PM_TG_VAR(0, pm_tg_t_0, a)"), "{e}");
    assert!(e.contains("PM_TG_VAR(0, pm_tg_t_1, b)"), "{e}");
    assert!(e.contains("PM_TG_VAR(1, pm_tg_t_2, c)"), "{e}");
}

#[test]
fn shader_validation_checks_buffer_pointers_that_are_only_accessed() {
    let src = r#"
#include <metal_stdlib>
using namespace metal;
template <typename T> T first(const device T* p) { return p[0]; }
kernel void k(device const float* a [[buffer(0)]], device float* b [[buffer(1)]],
              device const float* c [[buffer(2)]], device atomic_uint* n [[buffer(3)]],
              constant uint& m [[buffer(4)]], uint i [[thread_position_in_grid]]) {
    a += 1;
    b[i] = *a + a[i] + first(c);
    atomic_fetch_add_explicit(n, m, memory_order_relaxed);
}
"#;
    let opts = Options { file_name: "v.metal".into(), shader_validation: true, ..Options::default() };
    let lib = Library::new(src, &opts).unwrap();
    for target in [Target::Cpu, Target::Cuda] {
        let e = lib.emit(target, &["k"], &ConstantValues::default()).unwrap();
        let user = e.source.split(msl::emit::USER_CODE_MARKER).nth(1).unwrap();
        assert!(e.source.starts_with("#define PM_NO_TEXTURES 1\n#define PM_SHADER_VALIDATION 1\n"));
        // a and b are only accessed: checked; c is passed to a template, n is atomic: raw.
        assert!(user.contains("::pm_chk::ptr< const float> a"), "{user}");
        assert!(user.contains("::pm_chk::ptr< float> b"), "{user}");
        assert!(!user.contains("::pm_chk::ptr< const float> c"), "{user}");
        assert!(!user.contains("atomic_uint> n"), "{user}");
        assert!(user.contains("pm_wrap::chk<pm_wrap::arg_t<pm_F, 4>>::get("), "{user}");
        assert_eq!(e.entries[0].group_symbol, None, "validated CPU kernels run per thread");
    }
    let plain = Library::new(src, &Options { shader_validation: false, ..opts }).unwrap();
    let e = plain.emit(Target::Cpu, &["k"], &ConstantValues::default()).unwrap();
    let user = e.source.split(msl::emit::USER_CODE_MARKER).nth(1).unwrap();
    assert!(!user.contains("pm_chk") && !e.source.contains("#define PM_SHADER_VALIDATION"));
}

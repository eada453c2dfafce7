//! Compiles the metal_stdlib prelude with the C++ compilers that are installed and runs
//! the checks in `tests/prelude/`:
//! - `all_functions.cpp`: every prelude function over every type it takes, Metal's sizes
//!   and alignments (static_assert) and run-time values; g++ and clang++ (when found).
//! - `simd_fibers.cpp`: 64 threads as ucontext fibers, checking the CPU SIMD-group,
//!   barrier and threadgroup-memory hooks.
//! - the CUDA flavour, type-checked by g++ against `cuda_shim.h` (no CUDA compiler needed).
//! - the compile time of a trivial kernel with the prelude (printed).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use msl::{prelude, Target};

const ALL_FUNCTIONS: &str = include_str!("prelude/all_functions.cpp");
const SIMD_FIBERS: &str = include_str!("prelude/simd_fibers.cpp");
const CUDA_SHIM: &str = include_str!("prelude/cuda_shim.h");
const TRIVIAL: &str = "extern \"C\" void pm_entry_0(float *a, unsigned i) { a[i] = a[i] * 2.0f; }\n";

fn on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path).map(|d| d.join(name)).find(|p| p.is_file())
}

fn work_dir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("prelude_compile").join(name);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Writes `source` to `dir/name`, compiles it with `cxx args`, returns the output path.
fn compile(cxx: &Path, dir: &Path, name: &str, source: &str, args: &[&str]) -> PathBuf {
    let src = dir.join(name);
    std::fs::write(&src, source).unwrap();
    let out = dir.join(format!("{name}.out"));
    let result = Command::new(cxx)
        .args(["-std=c++17", "-Wall", "-Wextra", "-Werror"])
        .args(args)
        .arg(&src)
        .arg("-o")
        .arg(&out)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", cxx.display()));
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert!(
        result.status.success(),
        "{} failed on {}:\n{}",
        cxx.display(),
        src.display(),
        stderr.lines().take(60).collect::<Vec<_>>().join("\n")
    );
    out
}

fn run(exe: &Path) {
    let result = Command::new(exe).output().unwrap();
    let stdout = String::from_utf8_lossy(&result.stdout);
    print!("{stdout}");
    assert!(result.status.success(), "{} exited with {:?}:\n{stdout}", exe.display(), result.status);
}

fn cpu_source(pre: &str, body: &str) -> String {
    format!("{pre}{}\n#line 1 \"test\"\n{body}", prelude::source(Target::Cpu))
}

fn compilers() -> Vec<(&'static str, PathBuf)> {
    let mut v = Vec::new();
    for name in ["g++", "clang++"] {
        match on_path(name) {
            Some(p) => v.push((name, p)),
            None => println!("note: {name} not found on PATH, skipped"),
        }
    }
    v
}

#[test]
fn all_functions_compile_and_pass() {
    let cxx = compilers();
    assert!(!cxx.is_empty(), "no C++ compiler (g++ or clang++) on PATH");
    for (name, path) in cxx {
        let dir = work_dir(&format!("all_functions_{name}"));
        let exe = compile(&path, &dir, "all_functions.cpp", &cpu_source("", ALL_FUNCTIONS), &["-O1"]);
        run(&exe);
    }
}

#[test]
fn simd_and_barrier_hooks_on_fibers() {
    for (name, path) in compilers() {
        let dir = work_dir(&format!("simd_fibers_{name}"));
        let src = cpu_source("#include <ucontext.h>\n", SIMD_FIBERS);
        let exe = compile(&path, &dir, "simd_fibers.cpp", &src, &["-O1", "-Wno-deprecated-declarations"]);
        run(&exe);
    }
}

#[test]
fn cuda_flavour_type_checks() {
    if on_path("nvcc").is_some() {
        println!("note: nvcc found, but the CUDA prelude targets NVRTC (-default-device); checking with the shim");
    }
    let Some(gxx) = on_path("g++").or_else(|| on_path("clang++")) else {
        panic!("no C++ compiler (g++ or clang++) on PATH");
    };
    let dir = work_dir("cuda_shim");
    let src = format!("{CUDA_SHIM}{}\n#line 1 \"test\"\n{ALL_FUNCTIONS}", prelude::source(Target::Cuda));
    compile(&gxx, &dir, "cuda_all_functions.cpp", &src, &["-fsyntax-only"]);
}

#[test]
fn trivial_kernel_compile_time() {
    let Some(gxx) = on_path("g++") else {
        println!("note: g++ not found on PATH, skipped");
        return;
    };
    let dir = work_dir("trivial");
    let src = cpu_source("", TRIVIAL);
    let start = Instant::now();
    compile(&gxx, &dir, "trivial.cpp", &src, &["-O2", "-c", "-fPIC"]);
    let with = start.elapsed();
    let start = Instant::now();
    compile(&gxx, &dir, "bare.cpp", TRIVIAL, &["-O2", "-c", "-fPIC"]);
    let without = start.elapsed();
    println!("g++ -O2 -c, trivial kernel: {with:.2?} with the prelude, {without:.2?} without");
}

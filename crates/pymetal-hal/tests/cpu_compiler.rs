//! Compiler discovery and the on-disk cache (own binary: it sets environment variables
//! before the first compile of the process).
#![cfg(feature = "cpu")]

use pymetal_hal::cpu::{compile, CpuDevice};
use pymetal_hal::HalError;

const SRC: &str = "extern \"C\" void pm_entry_0(const void*, void*) {}\n// cpu_compiler test\n";

#[test]
fn missing_compiler_then_cache() {
    let dir = std::env::temp_dir().join(format!("pymetal-cache-test-{}", std::process::id()));
    // SAFETY (edition 2021: safe): this binary has one test, so no thread reads the
    // environment concurrently.
    std::env::set_var("PYMETAL_CACHE_DIR", &dir);
    std::env::set_var("PYMETAL_CXX", "/nonexistent/c++");
    match CpuDevice::shared_cpu().pipeline_from_cpp(SRC, "pm_entry_0", None, false) {
        Err(HalError::CompilerUnavailable(m)) => assert!(m.contains("apt-get install g++"), "{m}"),
        Err(e) => panic!("unexpected error {e}"),
        Ok(_) => panic!("compiled without a compiler"),
    }
    std::env::remove_var("PYMETAL_CXX");
    assert_eq!(compile::cache_dir(), dir);
    let t0 = std::time::Instant::now();
    let m = compile::compile_source(SRC, false, None).expect("compile");
    let cold = t0.elapsed();
    assert!(m.path.starts_with(&dir) && m.path.extension().is_some_and(|e| e == "so"));
    assert!(m.entry("pm_entry_0").is_ok());
    assert!(matches!(m.entry("pm_entry_9"), Err(HalError::Load(_))));
    let t1 = std::time::Instant::now();
    let m2 = compile::compile_source(SRC, false, None).expect("compile");
    assert!(std::sync::Arc::ptr_eq(&m, &m2));
    println!("cold compile of a tiny TU {cold:?}, memo hit {:?}", t1.elapsed());
    // Only the finished .so is left in the cache dir (sources and temporaries are removed).
    let names: Vec<String> = std::fs::read_dir(&dir)
        .expect("dir")
        .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
        .collect();
    assert!(names.iter().all(|n| n.ends_with(".so")), "{names:?}");
    let _ = std::fs::remove_dir_all(&dir);
}

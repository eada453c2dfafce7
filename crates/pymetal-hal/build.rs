//! Compiles the CPU backend's fault guard (csrc/guard.c): catching SIGSEGV and friends
//! needs sigsetjmp/siglongjmp, which Rust cannot call soundly.
fn main() {
    if std::env::var_os("CARGO_FEATURE_CPU").is_some() {
        println!("cargo:rerun-if-changed=csrc/guard.c");
        cc::Build::new().file("csrc/guard.c").warnings(true).compile("pm_guard");
    }
}

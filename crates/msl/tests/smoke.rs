//! Bounded property test: random token soups never make reflection or emission panic.

use msl::{ConstantValues, Library, Options, Target};
use proptest::prelude::*;

const WORDS: &[&str] = &[
    "kernel",
    "vertex",
    "fragment",
    "template",
    "typename",
    "device",
    "constant",
    "threadgroup",
    "thread",
    "void",
    "float",
    "float4",
    "half",
    "uint",
    "uint2",
    "struct",
    "namespace",
    "typedef",
    "decltype",
    "using",
    "return",
    "if",
    "for",
    "x",
    "y",
    "f",
    "T",
    "xy",
    "rgb",
    "buffer",
    "host_name",
    "function_constant",
    "thread_position_in_grid",
    "is_function_constant_defined",
    "simd_sum",
    "threadgroup_barrier",
    "(",
    ")",
    "{",
    "}",
    "[",
    "]",
    "[[",
    "]]",
    "<",
    ">",
    ">>",
    ",",
    ";",
    ":",
    "::",
    "=",
    "+=",
    "*",
    "&",
    ".",
    "->",
    "0",
    "1",
    "99",
    "-1",
    "1.0h",
    "2h",
    "\"n\"",
    "#pragma unroll\n",
    "\n",
    "++",
    "?",
];

fn soup() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(WORDS), 0..60).prop_map(|w| w.join(" "))
}

fn run(src: &str) {
    let opts = Options { file_name: "soup.metal".into(), ..Options::default() };
    if let Ok(lib) = Library::new(src, &opts) {
        let names: Vec<&str> = lib.reflection.entry_points.iter().map(|e| e.name.as_str()).collect();
        for t in [Target::Cpu, Target::Cuda] {
            let _ = lib.emit(t, &names, &ConstantValues::default());
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, .. ProptestConfig::default() })]
    #[test]
    fn token_soup_never_panics(src in soup()) {
        run(&src);
    }

    #[test]
    fn byte_soup_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
        run(&String::from_utf8_lossy(&bytes));
    }
}

#[test]
fn kernel_shaped_soups() {
    // Near-valid kernels with one piece changed.
    let base = "template <typename T> kernel void k(device T* x [[buffer(0)]], uint i [[thread_position_in_grid]]) { threadgroup float t[4]; x[i] = t[0]; }\ntemplate [[host_name(\"k\")]] [[kernel]] decltype(k<float>) k<float>;\n";
    for cut in 0..base.len() {
        if base.is_char_boundary(cut) {
            run(&base[..cut]);
            run(&format!(
                "{}{}",
                &base[..cut],
                &base[cut..].replacen(['(', ')', '<', '>', '[', ']', '{', '}', ';'], "", 1)
            ));
        }
    }
    // Deep nesting stays bounded.
    run(&"namespace a {".repeat(200));
    run(&format!("kernel void f({}) {{}}", "(".repeat(5000)));
    run(&format!("constant int x [[function_constant({}1{})]];", "(".repeat(3000), ")".repeat(3000)));
}

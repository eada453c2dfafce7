//! Property tests: the preprocessor never panics and always terminates, on random bytes
//! and on random soups of preprocessor-heavy tokens. Bounded to a few hundred cases.

use msl::preprocess::{preprocess_with_limits, Limits};
use msl::Options;
use proptest::prelude::*;

fn limits() -> Limits {
    Limits { max_expansion_work: 200_000, max_output_tokens: 200_000, max_pending_tokens: 100_000, ..Limits::default() }
}

fn run(src: &str) {
    let opts = Options { defines: vec![("D".into(), "1".into()), ("F(x)".into(), "x x".into())], ..Options::default() };
    if let Err(d) = preprocess_with_limits(src, &opts, &limits()) {
        // Every error is located in a file the run knows about.
        assert!(d.line >= 1 || d.file == "<source>", "{d}");
        let _ = d.to_string();
    }
}

const PIECES: &[&str] = &[
    "#define ",
    "#undef ",
    "#if ",
    "#ifdef ",
    "#ifndef ",
    "#elif ",
    "#else",
    "#endif",
    "#include ",
    "#pragma ",
    "#error ",
    "#line ",
    "# ",
    "\n",
    "\n",
    "\n",
    " ",
    "(",
    ")",
    ",",
    "##",
    "#",
    "...",
    "__VA_ARGS__",
    "__VA_OPT__",
    "defined",
    "F",
    "G",
    "H",
    "X",
    "Y",
    "D",
    "x",
    "y",
    "0",
    "1",
    "42",
    "'a'",
    "\"s\"",
    "+",
    "-",
    "*",
    "/",
    "%",
    "<<",
    "?",
    ":",
    "&&",
    "||",
    "!",
    "<",
    ">",
    "<metal_stdlib>",
    "\"nope.h\"",
    "_Pragma",
    "__LINE__",
    "__FILE__",
    "__COUNTER__",
    "__has_include",
    "\\\n",
    "/*c*/",
    "//c\n",
    "once",
    "unroll",
    "[[",
    "]]",
    "kernel",
    "template",
];

fn soup() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(PIECES), 0..120).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, max_shrink_iters: 200, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        run(&String::from_utf8_lossy(&bytes));
    }

    #[test]
    fn random_token_soups_never_panic(src in soup()) {
        run(&src);
    }

    #[test]
    fn macro_soups_never_panic(defs in prop::collection::vec(soup(), 0..6), body in soup()) {
        let mut src = String::new();
        for (i, d) in defs.iter().enumerate() {
            let name = ["F", "G", "H", "X", "Y", "Z"][i % 6];
            let params = if i % 2 == 0 { "(a, ...)" } else { "" };
            src.push_str(&format!("#define {name}{params} {}\n", d.replace('\n', " ")));
        }
        src.push_str(&body);
        run(&src);
    }
}

#[test]
fn pathological_inputs_terminate() {
    let cases = [
        "#define F(x) F(x) F(x)\nF(F(F(F(F(F(F(F(1))))))))\n".to_string(),
        "#define A A A\n#define B A B A\nB B B B\n".into(),
        format!("{}\n", "(".repeat(100_000)),
        format!("#define F(x) x\nF({}\n", "(".repeat(10_000)),
        format!("{}1\n{}", "#if 1\n".repeat(10_000), "#endif\n".repeat(10_000)),
        format!("#if {}1{}\n#endif\n", "(".repeat(10_000), ")".repeat(10_000)),
        format!("#if {}1\n#endif\n", "-".repeat(10_000)),
        "#define EMPTY\n#define LPAREN (\n#define F(x) x\nF EMPTY LPAREN 1)\n".into(),
        "#define f(x) g\n#define g f\nf(1)(2)(3)(4)\n".into(),
        "\u{0}\u{1}\u{ff}#\u{7f}'\"\n".into(),
        "#define S(x) #x\nS(\"\\\"\")\n".into(),
        "#line 4294967295\n__LINE__\n#line 0\nx\n".into(),
        "#include __FILE__\n".into(),
    ];
    for c in &cases {
        run(c);
    }
}

//! Golden tests of the preprocessor: every `tests/pp/NAME.metal` is preprocessed (include
//! path `tests/pp/include`) and compared with `tests/pp/NAME.out`, which holds the
//! output's `to_text()` or `FILE:LINE:COL: error: MESSAGE` for rejected inputs.
//! Run with `UPDATE_GOLDEN=1` to rewrite the `.out` files.

use msl::preprocess::{preprocess, Preprocessed};
use msl::Options;
use std::path::{Path, PathBuf};

fn render(r: &Result<Preprocessed, msl::Diagnostic>) -> String {
    match r {
        Ok(p) => p.to_text(),
        Err(d) => format!("{}:{}:{}: error: {}\n", d.file, d.line, d.col, d.message),
    }
}

fn opts_for(file: &str) -> Options {
    Options {
        file_name: file.to_string(),
        include_paths: vec![PathBuf::from("tests/pp/include")],
        ..Options::default()
    }
}

#[test]
fn golden() {
    let dir = Path::new("tests/pp");
    let mut inputs: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("tests/pp")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "metal"))
        .collect();
    inputs.sort();
    assert!(inputs.len() >= 10, "golden inputs missing");
    let update = std::env::var_os("UPDATE_GOLDEN").is_some();
    let mut failures = Vec::new();
    for input in &inputs {
        let name = input.to_string_lossy().replace('\\', "/");
        let src = std::fs::read_to_string(input).expect("read input");
        let got = render(&preprocess(&src, &opts_for(&name)));
        let out = input.with_extension("out");
        if update {
            std::fs::write(&out, &got).expect("write golden");
            continue;
        }
        let want = std::fs::read_to_string(&out).unwrap_or_default();
        if got != want {
            failures.push(format!("== {name}\n-- expected:\n{want}-- got:\n{got}"));
        }
    }
    assert!(failures.is_empty(), "{} golden mismatches:\n{}", failures.len(), failures.join("\n"));
}

/// A fresh directory under the system temp dir, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> TempDir {
        let p = std::env::temp_dir().join(format!("msl-pp-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).expect("temp dir");
        TempDir(p)
    }
    fn write(&self, rel: &str, text: &str) -> PathBuf {
        let p = self.0.join(rel);
        if let Some(d) = p.parent() {
            std::fs::create_dir_all(d).expect("mkdir");
        }
        std::fs::write(&p, text).expect("write");
        p
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn include_paths_and_relative_includes() {
    let t = TempDir::new("paths");
    t.write("inc1/mlx/utils.h", "#pragma once\n#include \"detail.h\"\nint utils;\n");
    t.write("inc1/mlx/detail.h", "int detail = DETAIL;\n");
    t.write("inc2/mlx/utils.h", "int wrong;\n");
    t.write("inc2/other.h", "int other;\n");
    let opts = Options {
        file_name: "k.metal".into(),
        include_paths: vec![t.0.join("inc1"), t.0.join("inc2")],
        defines: vec![("DETAIL".into(), "7".into())],
        ..Options::default()
    };
    let src = "#include \"mlx/utils.h\"\n#include <mlx/utils.h>\n#include <other.h>\nint k;\n";
    let p = preprocess(src, &opts).unwrap();
    assert_eq!(p.to_text(), "int detail = 7;\nint utils;\nint other;\nint k;\n");
    // Locations point into the included files.
    let d = p.tokens.iter().find(|t| t.is_ident("detail")).unwrap();
    assert!(p.files.name(d.loc.file).ends_with("detail.h"));
    assert_eq!((d.loc.line, d.loc.col), (1, 5));
    let seven = p.tokens.iter().find(|t| &*t.text == "7").unwrap();
    assert_eq!(seven.loc, d.loc.with_col(14));
    // An error inside an include is located there.
    t.write("inc2/bad.h", "int ok;\n#error bad header\n");
    let e = preprocess("#include <bad.h>\n", &opts).unwrap_err();
    assert!(e.file.ends_with("bad.h") && e.line == 2 && e.message == "bad header", "{e}");
    // The main file's directory is searched for quoted includes.
    let main = t.write("src/main.metal", "#include \"local.h\"\n");
    t.write("src/local.h", "int local;\n");
    let opts2 = Options { file_name: main.to_string_lossy().into_owned(), ..Options::default() };
    assert_eq!(preprocess("#include \"local.h\"\n", &opts2).unwrap().to_text(), "int local;\n");
    // Missing files and cycles are located errors.
    let e = preprocess("\n#include \"missing.h\"\n", &opts).unwrap_err();
    assert_eq!((e.line, e.col), (2, 1));
    assert!(e.message.contains("file not found"));
    t.write("inc2/self.h", "#include \"self.h\"\n");
    let e = preprocess("#include <self.h>\n", &opts).unwrap_err();
    assert!(e.message.contains("nested too deeply"), "{e}");
    // A directory is not a header.
    let e = preprocess("#include <mlx>\n", &opts).unwrap_err();
    assert!(e.message.contains("file not found"), "{e}");
}

trait WithCol {
    fn with_col(self, col: u32) -> Self;
}

impl WithCol for msl::Loc {
    fn with_col(mut self, col: u32) -> Self {
        self.col = col;
        self
    }
}

#[test]
fn large_input_is_fast() {
    let mut src = String::from(
        "#define instantiate_kernel(name, func, ...) template [[host_name(name)]] [[kernel]] decltype(func<__VA_ARGS__>) func<__VA_ARGS__>;\n\
         #define instantiate_all(tname, t) instantiate_kernel(\"a_\" #tname, a, t) instantiate_kernel(\"b_\" #tname, b, t, t)\n\
         #define MUL(a, b) ((a) * (b))\n#define SQ(x) MUL(x, x)\n",
    );
    for i in 0..20_000 {
        match i % 4 {
            0 => src.push_str(&format!("instantiate_all(t{i}, float{})\n", i % 5)),
            1 => src.push_str(&format!("int v{i} = SQ(SQ({i})) + __LINE__;\n")),
            2 => src.push_str("#if defined(__METAL_VERSION__) && __METAL_VERSION__ >= 300\nint ok;\n#endif\n"),
            _ => src.push_str("  for (uint i = 0; i < N; i++) { out[i] = in[i] * 2.0h; } // comment\n"),
        }
    }
    let start = std::time::Instant::now();
    let p = preprocess(&src, &Options::default()).unwrap();
    let took = start.elapsed();
    assert!(p.tokens.len() > 300_000);
    // Generous: debug builds are ~10x slower than release, where this takes a few ms.
    assert!(took.as_secs_f64() < 5.0, "took {took:?}");
    eprintln!("20k lines, {} tokens: {took:?}", p.tokens.len());
}

#[test]
fn exponential_includes_are_bounded() {
    let t = TempDir::new("fanout");
    for i in 0..40 {
        t.write(&format!("h{i}.h"), &format!("#include \"h{}.h\"\n#include \"h{}.h\"\n", i + 1, i + 1));
    }
    t.write("h40.h", "\n");
    let opts = Options { include_paths: vec![t.0.clone()], ..Options::default() };
    let start = std::time::Instant::now();
    let e = preprocess("#include <h0.h>\n", &opts).unwrap_err();
    assert!(e.message.contains("too many #include"), "{e}");
    assert!(start.elapsed().as_secs() < 20);
}

/// `cargo test --release -p msl --test preprocess bench -- --ignored --nocapture`
#[test]
#[ignore]
fn bench() {
    let mut heavy = String::from(
        "#define instantiate_kernel(name, func, ...) template [[host_name(name)]] [[kernel]] decltype(func<__VA_ARGS__>) func<__VA_ARGS__>;\n\
         #define instantiate_all(tname, t) instantiate_kernel(\"a_\" #tname, a, t) instantiate_kernel(\"b_\" #tname, b, t, t)\n\
         #define MUL(a, b) ((a) * (b))\n#define SQ(x) MUL(x, x)\n",
    );
    let mut plain = String::new();
    for i in 0..20_000 {
        match i % 4 {
            0 => heavy.push_str(&format!("instantiate_all(t{i}, float{})\n", i % 5)),
            1 => heavy.push_str(&format!("int v{i} = SQ(SQ({i})) + __LINE__;\n")),
            2 => heavy.push_str("#if defined(__METAL_VERSION__) && __METAL_VERSION__ >= 300\nint ok;\n#endif\n"),
            _ => heavy.push_str("  for (uint i = 0; i < N; i++) { out[i] = in[i] * 2.0h; } // comment\n"),
        }
        plain.push_str("  for (uint i = 0; i < n; i++) { out[i] = in[i] * 2.0h + float4(x.xyz, 1); } // comment\n");
    }
    if let Ok(which) = std::env::var("PP_BENCH_LOOP") {
        let src = if which == "plain" { &plain } else { &heavy };
        for _ in 0..20 {
            std::hint::black_box(preprocess(src, &Options::default()).unwrap());
        }
        return;
    }
    for (name, src) in [("plain", &plain), ("heavy", &heavy)] {
        let t = std::time::Instant::now();
        let n = msl::lex::lex(src, 0).unwrap().len();
        let lex = t.elapsed();
        let t = std::time::Instant::now();
        let p = preprocess(src, &Options::default()).unwrap();
        eprintln!("{name}: lex {n} tokens {lex:?}; preprocess -> {} tokens {:?}", p.tokens.len(), t.elapsed());
    }
}

//! Unit tests of the preprocessor (golden tests are in `tests/preprocess.rs`).

use super::*;

fn pp(src: &str) -> Result<String, String> {
    preprocess(src, &Options::default())
        .map(|p| p.to_text())
        .map_err(|d| format!("{}:{}: {}", d.line, d.col, d.message))
}

fn ok(src: &str) -> String {
    match pp(src) {
        Ok(s) => s,
        Err(e) => panic!("unexpected error {e} for:\n{src}"),
    }
}

fn err(src: &str) -> String {
    match pp(src) {
        Ok(s) => panic!("expected an error, got:\n{s}"),
        Err(e) => e,
    }
}

#[test]
fn object_and_function_macros() {
    assert_eq!(ok("#define A 1 + 2\nint x = A;\n"), "int x = 1 + 2;\n");
    assert_eq!(ok("#define F(a, b) ((a) * (b))\nF(1, 2+3)\n"), "((1) * (2+3))\n");
    assert_eq!(ok("#define F(a) a\nF((1, 2))\n"), "(1, 2)\n");
    assert_eq!(ok("#define F(x) x\nF\nint F;\n"), "F\nint F;\n");
    assert_eq!(ok("#define F() 7\nF()\n"), "7\n");
    assert_eq!(ok("#define F(x) [x]\nF()\n"), "[]\n");
    assert_eq!(ok("#define F(x, y) x y\nF(a\n, b\n)\nnext\n"), "a b\nnext\n");
}

#[test]
fn rescanning_and_blue_paint() {
    assert_eq!(ok("#define foo foo + 1\nfoo\n"), "foo + 1\n");
    assert_eq!(ok("#define a b\n#define b a\na b\n"), "a b\n");
    assert_eq!(ok("#define f(x) x + f(x)\nf(f(1))\n"), "1 + f(1) + f(1 + f(1))\n");
    // The classic standard examples.
    let src = "#define x 3\n#define f(a) f(x * (a))\n#undef x\n#define x 2\n#define g f\n#define z z[0]\n\
               #define h g(~\n#define m(a) a(w)\n#define w 0,1\n#define t(a) a\n#define p() int\n#define q(x) x\n\
               #define r(x,y) x ## y\n\
               f(y+1) + f(f(z)) % t(t(g)(0) + t)(1);\n\
               g(x+(3,4)-w) | h 5) & m\n(f)^m(m);\n\
               p() i[q()] = { q(1), r(2,3), r(4,), r(,5), r(,) };\n";
    assert_eq!(
        ok(src),
        "f(2 * (y+1)) + f(2 * (f(2 * (z[0])))) % f(2 * (0)) + t(1);\n\
         f(2 * (2+(3,4)-0,1)) | f(2 * (~ 5)) & f(2 * (0,1))^m(0,1);\n\
         int i[] = { 1, 23, 4, 5, };\n"
    );
    // A function-like name at the end of an expansion takes its arguments from the source.
    assert_eq!(ok("#define f(x) <x>\n#define g f\ng(1)\n"), "<1>\n");
}

#[test]
fn stringize_and_paste() {
    assert_eq!(ok("#define S(x) #x\nS( a  +  \"q\\n\" 'c' )\n"), "\"a + \\\"q\\\\n\\\" 'c'\"\n");
    assert_eq!(ok("#define S(x) #x\nS()\n"), "\"\"\n");
    assert_eq!(ok("#define X(s) S(s)\n#define S(x) #x\n#define V 42\nX(V) S(V)\n"), "\"42\" \"V\"\n");
    assert_eq!(ok("#define C(a, b) a ## b\nC(x, y) C(1, 2) C(+, =) C(, z) C(w, ) C(,)\n"), "xy 12 += z w\n");
    assert_eq!(ok("#define C(a, b, c) a ## b ## c\nC(x, , z) C(1,2,3)\n"), "xz 123\n");
    assert!(err("#define C(a, b) a ## b\nC(+, -)\n").contains("does not give a valid preprocessing token"));
    assert!(err("#define C(a, b) a ## b\nC(/, /)\n").contains("does not give a valid"));
    assert_eq!(ok("#define hash_hash # ## #\n#define mkstr(a) # a\n#define in_between(a) mkstr(a)\n#define join(c, d) in_between(c hash_hash d)\nchar p[] = join(x, y);\n"), "char p[] = \"x ## y\";\n");
    assert!(err("#define F(x) #y\n").contains("not followed by a macro parameter"));
    assert!(err("#define F ## x\n").contains("either end"));
    assert!(err("#define F x ##\n").contains("either end"));
}

#[test]
fn variadic() {
    assert_eq!(ok("#define V(f, ...) f(__VA_ARGS__)\nV(g, 1, 2, (3, 4)) V(h)\n"), "g(1, 2, (3, 4)) h()\n");
    assert_eq!(ok("#define V(f, args...) f(args)\nV(g, 1, 2)\n"), "g(1, 2)\n");
    assert_eq!(ok("#define L(fmt, ...) p(fmt, ## __VA_ARGS__)\nL(a) L(a, b, c)\n"), "p(a) p(a, b, c)\n");
    assert_eq!(ok("#define L(fmt, ...) p(fmt __VA_OPT__(,) __VA_ARGS__)\nL(a) L(a, b)\n"), "p(a) p(a, b)\n");
    assert_eq!(ok("#define S(...) #__VA_ARGS__\nS(a, b,c)\n"), "\"a, b,c\"\n");
    assert!(err("#define F(a, b) a\nF(1)\n").contains("requires 2 arguments, but only 1 given"));
    assert!(err("#define F(a) a\nF(1, 2)\n").contains("passed 2 arguments, but takes just 1"));
    assert!(err("#define F() a\nF(1)\n").contains("takes no arguments"));
}

#[test]
fn conditionals() {
    let src =
        "#if 0\nno\n#elif 1\nyes1\n#else\nno\n#endif\n#ifdef __METAL__\nyes2\n#endif\n#ifndef __METAL__\nno\n#endif\n\
               #if defined(__METAL_VERSION__) && __METAL_VERSION__ >= 300\nyes3\n#endif\n\
               #if 0\n#if 1\nno\n#else\nno\n#endif\n#elif defined X\nno\n#else\nyes4\n#endif\n";
    assert_eq!(ok(src), "yes1\nyes2\nyes3\nyes4\n");
    assert_eq!(
        ok("#define X\n#ifdef X\na\n#elifdef Y\nb\n#elifndef Z\nc\n#endif\n#ifdef Q\n#elifndef Q\nd\n#endif\n"),
        "a\nd\n"
    );
    assert_eq!(ok("#if 1\na\n#elif 1/0\nb\n#endif\n"), "a\n");
    assert_eq!(ok("#if 0\n#bogus directive\n'unterminated\n#endif\nx\n"), "x\n");
    assert_eq!(
        ok("#if __has_include(<metal_stdlib>) && !__has_include(\"nope.h\") && !__has_attribute(x)\nok\n#endif\n"),
        "ok\n"
    );
    assert_eq!(ok("#define D defined(__METAL__)\n#if D\nok\n#endif\n"), "ok\n");
    assert_eq!(ok("#ifdef __has_include\nok\n#endif\n"), "ok\n");
    assert!(err("#if 1\nx\n").starts_with("1:1: unterminated #if"));
    assert!(err("x\n#ifdef A\n#else\n").starts_with("2:1: unterminated #ifdef"));
    assert!(err("#endif\n").contains("#endif without #if"));
    assert!(err("#else\n").contains("#else without #if"));
    assert!(err("#if 1\n#else\n#else\n#endif\n").contains("#else after #else"));
    assert!(err("#if 1\n#else\n#elif 1\n#endif\n").contains("#elif after #else"));
    assert!(err("#if 1/0\n#endif\n").contains("division by zero"));
    assert!(err("#if\n#endif\n").contains("no expression"));
    assert!(err("#ifdef 3\n#endif\n").contains("identifiers"));
}

#[test]
fn predefined_and_builtins() {
    assert_eq!(ok("__METAL_VERSION__ __METAL__ __HAVE_BFLOAT__ __cplusplus __PYMETAL__\n"), "310 1 1 201703L 1\n");
    assert_eq!(ok("a\n__LINE__\n#define L __LINE__\n\nL\n"), "a\n2\n5\n");
    assert_eq!(ok("__FILE__\n"), "\"<source>\"\n");
    assert_eq!(ok("__COUNTER__ __COUNTER__\n"), "0 1\n");
    assert_eq!(ok("#ifdef __METAL_MACOS__\nx\n#endif\n"), "");
    let opts = Options {
        defines: vec![("N".into(), "4".into()), ("F(x)".into(), "x*2".into()), ("E".into(), "".into())],
        ..Options::default()
    };
    let p = preprocess("N F(3) [E]\n", &opts).map(|p| p.to_text());
    assert_eq!(p.as_deref(), Ok("4 3*2 []\n"));
}

#[test]
fn directives_misc() {
    assert!(err("a\n#error stop \"here\" now\n").starts_with("2:1: stop \"here\" now"));
    assert!(err("#error don't do this\n").contains("don"));
    assert_eq!(ok("#warning careful\nx\n"), "x\n");
    assert!(err("#frobnicate\n").contains("invalid preprocessing directive #frobnicate"));
    assert_eq!(ok("#\nx\n"), "x\n");
    assert_eq!(ok("#pragma once\n#pragma unroll\nfor\n"), "#pragma unroll\nfor\n");
    assert_eq!(ok("#define N 4\n#pragma unroll N\nfor\n"), "#pragma unroll 4\nfor\n");
    assert_eq!(
        ok("#define U _Pragma(\"clang loop unroll(full)\") for\na U (;;) b\n"),
        "a\n#pragma clang loop unroll(full)\nfor (;;) b\n"
    );
    assert!(err("_Pragma(1)\n").contains("_Pragma takes"));
    assert!(err("#include <metal_tensor>\n").contains("file not found: <metal_tensor>"));
    assert_eq!(ok("#include <metal_stdlib>\n#include \"metal_math\"\n#include <simd/simd.h>\nx\n"), "x\n");
    assert_eq!(
        ok("#define X 1\n#pragma push_macro(\"X\")\n#undef X\n#define X 2\nX\n#pragma pop_macro(\"X\")\nX\n"),
        "2\n1\n"
    );
}

#[test]
fn line_directive_maps_locations() {
    let p = preprocess("a\n#line 100 \"foo.metal\"\nb\n__LINE__ __FILE__\n#line 7\nc\n", &Options::default()).unwrap();
    let locs: Vec<_> =
        p.tokens.iter().map(|t| (t.text.to_string(), p.files.name(t.loc.file).to_string(), t.loc.line)).collect();
    assert_eq!(locs[0], ("a".into(), "<source>".into(), 1));
    assert_eq!(locs[1], ("b".into(), "foo.metal".into(), 100));
    assert_eq!(locs[2], ("101".into(), "foo.metal".into(), 101));
    assert_eq!(locs[3], ("\"foo.metal\"".into(), "foo.metal".into(), 101));
    assert_eq!(locs[4], ("c".into(), "foo.metal".into(), 7));
    assert_eq!(p.files.line_text(p.tokens[4].loc.file, 7), Some("c"));
    assert_eq!(p.files.line_text(p.tokens[1].loc.file, 100), Some("b"));
}

#[test]
fn expansion_locations_and_flags() {
    let p = preprocess(
        "#define K(n) template [[host_name(#n)]] \\\n  kernel void n();\nx\n  K(foo) y\nz\n",
        &Options::default(),
    )
    .unwrap();
    let k: Vec<_> = p.tokens.iter().filter(|t| t.loc.line == 4 && !t.is_ident("y")).collect();
    assert!(k.iter().all(|t| t.loc.col == 3));
    assert!(k[0].line_start && k[0].is_ident("template"));
    assert!(k.iter().skip(1).all(|t| !t.line_start));
    assert_eq!(p.to_text(), "x\ntemplate [[host_name(\"foo\")]] kernel void foo(); y\nz\n");
    // An empty expansion at the start of a line keeps the next token on a new line.
    assert_eq!(ok("#define E\na\nE b\n"), "a\nb\n");
}

#[test]
fn bad_input_is_an_error_not_a_panic() {
    assert!(err("#define F(x) x\nF(1, (2\n").contains("unterminated argument list invoking macro 'F'"));
    assert!(err("#define F(x) x\nF(\n#include <metal_stdlib>\n)\n").contains("not allowed inside macro arguments"));
    assert!(err("#define\n").contains("no macro name"));
    assert!(err("#define 3 x\n").contains("identifiers"));
    assert!(err("#define F(x, x) x\n").contains("duplicate"));
    assert!(err("#define F(x\n").contains("missing ')'"));
    assert!(err("#define defined\n").contains("defined"));
    assert!(err("/* open\n").contains("unterminated comment"));
    // Directives inside macro arguments work.
    assert_eq!(ok("#define F(x) [x]\nF(\n#ifdef __METAL__\n1\n#else\n2\n#endif\n)\n"), "[1]\n");
}

#[test]
fn exponential_expansion_is_bounded() {
    let mut src = String::from("#define A0 x\n");
    for i in 1..64 {
        src.push_str(&format!("#define A{i} A{} A{}\n", i - 1, i - 1));
    }
    src.push_str("A63\n");
    let limits = Limits { max_expansion_work: 200_000, ..Limits::default() };
    let e = preprocess_with_limits(&src, &Options::default(), &limits).unwrap_err();
    assert!(e.message.contains("too large"), "{}", e.message);
    let mut src = String::from("#define D(x) x x\n");
    src.push_str(&"D(".repeat(40));
    src.push('1');
    src.push_str(&")".repeat(40));
    let e = preprocess_with_limits(&src, &Options::default(), &limits).unwrap_err();
    assert!(e.message.contains("too large"), "{}", e.message);
    let mut src = String::from("#define I(x) x\n");
    src.push_str(&"I(".repeat(5000));
    src.push_str(&")".repeat(5000));
    let e = preprocess(&src, &Options::default()).unwrap_err();
    assert!(e.message.contains("nested too deeply"), "{}", e.message);
    let limits = Limits { max_output_tokens: 10, ..Limits::default() };
    let e = preprocess_with_limits(&"x ".repeat(100), &Options::default(), &limits).unwrap_err();
    assert!(e.message.contains("output too large"), "{}", e.message);
}

#[test]
fn hide_sets() {
    let mut h = HideSets::new();
    let a = h.add(0, 3);
    let b = h.add(a, 1);
    assert!(h.contains(b, 1) && h.contains(b, 3) && !h.contains(b, 2));
    let c = h.add(0, 1);
    assert_eq!(h.union(a, c), b);
    assert_eq!(h.intersect(b, c), c);
    assert_eq!(h.intersect(a, c), 0);
}

#[test]
fn nesting_limits_fit_in_a_small_stack() {
    // Just under the limits, on a 1 MiB stack (Python and test threads may have small ones).
    let h = std::thread::Builder::new()
        .stack_size(1 << 20)
        .spawn(|| {
            let n = Limits::default().max_nesting - 2;
            let mut src = String::from("#define I(x) x\n#define V(...) __VA_ARGS__\n");
            src.push_str(&"I(V(".repeat(n / 2));
            src.push('1');
            src.push_str(&"))".repeat(n / 2));
            src.push_str(&format!("\n#if {}1{}\nok\n#endif\n", "(".repeat(n / 2 - 2), ")".repeat(n / 2 - 2)));
            src.push_str(&format!("#if {}1\nok\n#endif\n", "- ".repeat(n - 4)));
            preprocess(&src, &Options::default()).map(|p| p.tokens.len())
        })
        .unwrap();
    assert_eq!(h.join().unwrap().unwrap(), 3);
}

//! Error snapshots: the rendered diagnostic (file:line:col, source line, caret) for bad sources.

use msl::{ConstantValues, Library, Options, Target};

fn render(src: &str) -> String {
    let opts = Options { file_name: "bad.metal".into(), ..Options::default() };
    match Library::new(src, &opts) {
        Err(e) => e.to_string(),
        Ok(lib) => {
            let names: Vec<&str> = lib.reflection.entry_points.iter().map(|e| e.name.as_str()).collect();
            match lib.emit(Target::Cpu, &names, &ConstantValues::default()) {
                Err(e) => e.to_string(),
                Ok(_) => "no error".into(),
            }
        }
    }
}

fn check(src: &str, want: &str) {
    let got = render(src);
    assert_eq!(got, want, "\n--- got ---\n{got}\n--- want ---\n{want}\n");
}

#[test]
fn unbalanced_brace() {
    check(
        "kernel void f(device float* x [[buffer(0)]]) {\n  if (x) {\n}\n",
        "bad.metal:1:46: error: unbalanced '{': no matching '}'\n    kernel void f(device float* x [[buffer(0)]]) {\n                                                 ^",
    );
}

#[test]
fn unbalanced_paren() {
    check(
        "kernel void f(device float* x [[buffer(0)]]) {\n  x[0] = (1 + 2;\n}\n",
        "bad.metal:2:10: error: unbalanced '(': expected ')' before '}' at 3:1\n      x[0] = (1 + 2;\n             ^",
    );
}

#[test]
fn stray_closer() {
    check("void f() { }\n}\n", "bad.metal:2:1: error: unexpected '}' without a matching '{'\n    }\n    ^");
}

#[test]
fn buffer_index_out_of_range() {
    check(
        "kernel void f(device float* x [[buffer(99)]]) {}\n",
        "bad.metal:1:40: error: buffer index 99 is out of range (0..=30)\n    kernel void f(device float* x [[buffer(99)]]) {}\n                                           ^",
    );
}

#[test]
fn negative_buffer_index() {
    check(
        "kernel void f(device float* x [[buffer(-1)]]) {}\n",
        "bad.metal:1:40: error: buffer index -1 is out of range (0..=30)\n    kernel void f(device float* x [[buffer(-1)]]) {}\n                                           ^",
    );
}

#[test]
fn unknown_attribute() {
    check(
        "kernel void f(device float* x [[bufer(0)]]) {}\n",
        "bad.metal:1:33: error: unknown attribute 'bufer' on parameter 'x' of kernel 'f'\n    kernel void f(device float* x [[bufer(0)]]) {}\n                                    ^",
    );
}

#[test]
fn non_void_kernel() {
    check(
        "kernel float f(device float* x [[buffer(0)]]) { return 0; }\n",
        "bad.metal:1:14: error: kernel function 'f' must return void\n    kernel float f(device float* x [[buffer(0)]]) { return 0; }\n                 ^",
    );
}

#[test]
fn threadgroup_initializer() {
    check(
        "kernel void f(uint i [[thread_position_in_grid]]) {\n    threadgroup float t[4] = {0};\n}\n",
        "bad.metal:2:28: error: threadgroup variables cannot have initializers\n        threadgroup float t[4] = {0};\n                               ^",
    );
}

#[test]
fn duplicate_host_name() {
    check(
        "template <typename T> kernel void f(device T* x [[buffer(0)]]) {}\n\
         template [[host_name(\"f\")]] [[kernel]] decltype(f<float>) f<float>;\n\
         template [[host_name(\"f\")]] [[kernel]] decltype(f<int>) f<int>;\n",
        "bad.metal:3:1: error: duplicate entry point name 'f' (first defined at line 2)\n    template [[host_name(\"f\")]] [[kernel]] decltype(f<int>) f<int>;\n    ^",
    );
}

#[test]
fn duplicate_binding() {
    check(
        "kernel void f(device float* a [[buffer(1)]], device float* b [[buffer(1)]]) {}\n",
        "bad.metal:1:60: error: buffer(1) is already bound to parameter 'a'\n    kernel void f(device float* a [[buffer(1)]], device float* b [[buffer(1)]]) {}\n                                                               ^",
    );
}

#[test]
fn host_name_not_a_string() {
    check(
        "template <typename T> kernel void f(device T* x [[buffer(0)]]) {}\ntemplate [[host_name(f32)]] [[kernel]] decltype(f<float>) f<float>;\n",
        "bad.metal:2:22: error: host_name expects a string literal\n    template [[host_name(f32)]] [[kernel]] decltype(f<float>) f<float>;\n                         ^",
    );
}

#[test]
fn kernel_attribute_with_arguments() {
    check(
        "[[kernel(2)]] void f(device float* x [[buffer(0)]]) {}\n",
        "bad.metal:1:10: error: '[[kernel]]' takes no arguments\n    [[kernel(2)]] void f(device float* x [[buffer(0)]]) {}\n             ^",
    );
}

#[test]
fn parameter_without_binding() {
    check(
        "kernel void f(device float* x [[buffer(0)]], float s) {}\n",
        "bad.metal:1:52: error: parameter 's' of kernel 'f' needs a binding: [[buffer(i)]] or a built-in attribute\n    kernel void f(device float* x [[buffer(0)]], float s) {}\n                                                       ^",
    );
}

#[test]
fn graphics_builtin_in_kernel() {
    check(
        "kernel void f(uint v [[vertex_id]]) {}\n",
        "bad.metal:1:24: error: '[[vertex_id]]' is not a kernel built-in\n    kernel void f(uint v [[vertex_id]]) {}\n                           ^",
    );
}

#[test]
fn instantiation_without_template() {
    check(
        "template [[host_name(\"g\")]] [[kernel]] decltype(g<float>) g<float>;\n",
        "bad.metal:1:59: error: explicit instantiation of 'g', which is not a kernel template defined before it\n    template [[host_name(\"g\")]] [[kernel]] decltype(g<float>) g<float>;\n                                                              ^",
    );
}

#[test]
fn function_constant_index_not_constant() {
    check(
        "constant bool b [[function_constant(x + 1)]];\n",
        "bad.metal:1:37: error: function constant index must be an integer constant expression\n    constant bool b [[function_constant(x + 1)]];\n                                        ^",
    );
}

#[test]
fn stray_character() {
    check(
        "kernel void f(device float* x [[buffer(0)]]) { x[0] = 1 @ 2; }\n",
        "bad.metal:1:57: error: unexpected character '@'\n    kernel void f(device float* x [[buffer(0)]]) { x[0] = 1 @ 2; }\n                                                            ^",
    );
}

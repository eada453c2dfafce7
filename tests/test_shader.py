"""pymetal.shader: the pure-Python preprocessor, templates and kernel scaffolding."""

import hashlib
import re

import numpy as np
import pytest

import pymetal as pm
from pymetal import shader
from pymetal.shader import (
    COMMON_SNIPPETS,
    ShaderPreprocessor,
    ShaderTemplate,
    compute_shader_hash,
    create_compute_kernel,
)

from mtl_helpers import Bytes, Out, assert_close, grid1d, rng, run


def norm(s):
    return [l.strip() for l in s.strip().splitlines() if l.strip()]


# ------------------------------------------------------------------ ShaderPreprocessor
def test_chaining_returns_self(tmp_path):
    pp = ShaderPreprocessor()
    assert pp.add_include_path(tmp_path) is pp
    assert pp.define("A") is pp
    assert pp.define_many({"B": 2}) is pp
    assert pp.undefine("A") is pp
    assert pp.register_macro_function("F", lambda x: x) is pp
    assert pp.clear_cache() in (pp, None)


def test_define_default_value_and_substitution():
    pp = ShaderPreprocessor().define("N", 16).define("FLAG")
    out = pp.process("int a = N; int b = FLAG; int NN = N_N + N;")
    assert out == "int a = 16; int b = 1; int NN = N_N + 16;"


def test_define_whole_word_only():
    pp = ShaderPreprocessor().define("x", "42")
    out = pp.process("float xx = x + max_x + x_1 + v.x + 1e5f + 0x1F;")
    assert out == "float xx = 42 + max_x + x_1 + v.x + 1e5f + 0x1F;"


def test_define_many_and_undefine():
    pp = ShaderPreprocessor().define_many({"A": 1, "B": "2.5f", "C": "A"})
    assert pp.process("A B C") == "1 2.5f 1"
    pp.undefine("B")
    assert pp.process("A B C") == "1 B 1"
    pp.undefine("NOT_DEFINED")  # no error


def test_source_defines_are_substituted():
    src = "#define TILE 16\nthreadgroup float t[TILE][TILE + 1];"
    out = ShaderPreprocessor().process(src)
    assert "float t[16][16 + 1];" in out


def test_self_referencing_define_terminates():
    pp = ShaderPreprocessor().define("X", "X + 1").define("A", "B").define("B", "A")
    out = pp.process("X A")
    assert out.startswith("X + 1")


def test_invalid_define_name():
    with pytest.raises(ValueError):
        ShaderPreprocessor().define("1abc")


def test_process_defines_false_keeps_names():
    pp = ShaderPreprocessor().define("N", 4)
    assert pp.process("N", process_defines=False) == "N"


def test_conditionals_nested():
    src = """
#ifdef A
a
#ifndef B
a_not_b
#else
a_b
#endif
#else
not_a
#ifdef B
not_a_b
#endif
#endif
end
"""
    assert norm(ShaderPreprocessor().define("A").process(src)) == ["a", "a_not_b", "end"]
    assert norm(ShaderPreprocessor().define("A").define("B").process(src)) == ["a", "a_b", "end"]
    assert norm(ShaderPreprocessor().process(src)) == ["not_a", "end"]
    assert norm(ShaderPreprocessor().define("B").process(src)) == ["not_a", "not_a_b", "end"]


def test_conditionals_see_source_defines():
    src = "#define USE_FAST\n#ifdef USE_FAST\nfast\n#else\nslow\n#endif"
    assert "fast" in norm(ShaderPreprocessor().process(src))
    assert "slow" not in norm(ShaderPreprocessor().process(src))


def test_process_conditionals_false_keeps_directives():
    src = "#ifdef A\nx\n#endif"
    assert ShaderPreprocessor().process(src, process_conditionals=False) == src


def test_unbalanced_conditionals_raise():
    with pytest.raises(SyntaxError):
        ShaderPreprocessor().process("#ifdef A\nx\n")
    with pytest.raises(SyntaxError):
        ShaderPreprocessor().process("x\n#endif\n")


def test_include_quoted_and_angled(tmp_path):
    inc = tmp_path / "inc"
    inc.mkdir()
    (inc / "common.h").write_text("#define SCALE 3.0f\nfloat helper(float x) { return x * SCALE; }")
    (tmp_path / "local.h").write_text("int local_thing;")
    main = tmp_path / "main.metal"
    main.write_text('#include <metal_stdlib>\n#include "local.h"\n#include <common.h>\nkernel void k() {}')
    pp = ShaderPreprocessor([inc])
    out = pp.process_file(main)
    lines = norm(out)
    assert lines[0] == "#include <metal_stdlib>"  # not found: left for the compiler
    assert "int local_thing;" in lines  # found next to the source file
    assert "float helper(float x) { return x * 3.0f; }" in lines  # found in the include path
    assert "kernel void k() {}" in lines


def test_include_via_add_include_path_and_source_file(tmp_path):
    (tmp_path / "a.h").write_text("A_CONTENT")
    pp = ShaderPreprocessor()
    with pytest.raises(FileNotFoundError, match="a.h"):
        pp.process('#include "a.h"')
    pp.add_include_path(tmp_path)
    assert pp.process('#include "a.h"') == "A_CONTENT"
    assert ShaderPreprocessor().process('#include "a.h"', source_file=tmp_path / "x.metal") == "A_CONTENT"


def test_include_disabled(tmp_path):
    (tmp_path / "a.h").write_text("A_CONTENT")
    pp = ShaderPreprocessor([tmp_path])
    assert pp.process('#include "a.h"', process_includes=False) == '#include "a.h"'


def test_missing_include_names_the_file():
    with pytest.raises(FileNotFoundError, match="does_not_exist.h"):
        ShaderPreprocessor().process('#include "does_not_exist.h"\n')


def test_include_cycle_detected(tmp_path):
    (tmp_path / "a.h").write_text('#include "b.h"\nA')
    (tmp_path / "b.h").write_text('#include "a.h"\nB')
    with pytest.raises(RecursionError, match="(?i)cycle"):
        ShaderPreprocessor([tmp_path]).process('#include "a.h"')


def test_include_guards_and_pragma_once(tmp_path):
    (tmp_path / "g.h").write_text("#ifndef G_H\n#define G_H\nguarded\n#endif")
    (tmp_path / "o.h").write_text("#pragma once\nonce")
    src = '#include "g.h"\n#include "g.h"\n#include "o.h"\n#include "o.h"'
    out = norm(ShaderPreprocessor([tmp_path]).process(src))
    assert out.count("guarded") == 1
    assert out.count("once") == 1


def test_conditionals_in_included_file_use_defines(tmp_path):
    (tmp_path / "c.h").write_text("#ifdef FEATURE\nfeature_on\n#else\nfeature_off\n#endif")
    pp = ShaderPreprocessor([tmp_path])
    assert "feature_off" in pp.process('#include "c.h"')
    pp.define("FEATURE")
    assert "feature_on" in pp.process('#include "c.h"')


def test_include_cache_and_clear(tmp_path):
    h = tmp_path / "v.h"
    h.write_text("one")
    pp = ShaderPreprocessor([tmp_path])
    assert pp.process('#include "v.h"') == "one"
    h.write_text("two_two")  # a different size: picked up even without clear_cache
    assert pp.process('#include "v.h"') == "two_two"
    pp.clear_cache()
    assert pp.process('#include "v.h"') == "two_two"


def test_process_file_missing(tmp_path):
    with pytest.raises(FileNotFoundError, match="nope.metal"):
        ShaderPreprocessor().process_file(tmp_path / "nope.metal")


def test_process_file_kwargs(tmp_path):
    f = tmp_path / "k.metal"
    f.write_text("#define V 7\nint x = V;")
    assert "int x = V;" in ShaderPreprocessor().process_file(f, process_defines=False)
    assert "int x = 7;" in ShaderPreprocessor().process_file(str(f))


def test_macro_function():
    pp = ShaderPreprocessor().register_macro_function("SQUARE", lambda x: f"(({x})*({x}))")
    pp.register_macro_function("MAD", lambda a, b, c: f"fma({a}, {b}, {c})")
    out = pp.process("float y = SQUARE(a + 1) + MAD(x, f(1, 2), z); float SQUARE_x = 0;")
    assert out == "float y = ((a + 1)*(a + 1)) + fma(x, f(1, 2), z); float SQUARE_x = 0;"


def test_defines_inside_ifdef_directive_not_substituted():
    pp = ShaderPreprocessor().define("A", "1")
    src = "#ifdef A\nyes A\n#endif"
    assert pp.process(src) == "yes 1"


# ------------------------------------------------------------------ ShaderTemplate
def test_template_render_defaults_and_overrides():
    t = ShaderTemplate("kernel void k(device {T}* a) {{ a[0] = {V}; }}")
    assert t.set_default("T", "float") is t
    assert t.set_defaults({"V": "1.0f"}) is t
    assert t.render() == "kernel void k(device float* a) { a[0] = 1.0f; }"
    assert t.render(T="int", V=3) == "kernel void k(device int* a) { a[0] = 3; }"


def test_template_missing_parameter():
    with pytest.raises(KeyError, match="V"):
        ShaderTemplate("{V}").render()


def test_template_with_preprocessor():
    t = ShaderTemplate("#ifdef DOUBLE\nx = {v} * 2;\n#else\nx = {v};\n#endif\ny = K;")
    pp = ShaderPreprocessor().define("DOUBLE").define("K", 5)
    assert norm(t.render_with_preprocessor(pp, v="a")) == ["x = a * 2;", "y = 5;"]


# ------------------------------------------------------------------ hash, snippets, kernels
def test_compute_shader_hash():
    h = compute_shader_hash("kernel void k() {}")
    assert re.fullmatch(r"[0-9a-f]{64}", h)
    assert h == hashlib.sha256(b"kernel void k() {}").hexdigest()
    assert h == compute_shader_hash("kernel void k() {}")
    assert h != compute_shader_hash("kernel void k() { }")


def test_common_snippets():
    assert {"metal_stdlib", "float_constants", "int_constants"} <= set(COMMON_SNIPPETS)
    assert "#include <metal_stdlib>" in COMMON_SNIPPETS["metal_stdlib"]
    assert "using namespace metal;" in COMMON_SNIPPETS["metal_stdlib"]
    for k, v in COMMON_SNIPPETS.items():
        assert isinstance(v, str) and v.strip(), k


def test_create_compute_kernel_text():
    src = create_compute_kernel(
        "saxpy",
        "y[idx] = a[0] * x[idx] + y[idx];",
        [("x", "float", "read"), ("a", "float", "read"), ("y", "float", "read_write")],
    )
    assert "#include <metal_stdlib>" in src
    assert "kernel void saxpy(" in src
    assert "device const float* x [[buffer(0)]]" in src
    assert "device const float* a [[buffer(1)]]" in src
    assert "device float* y [[buffer(2)]]" in src
    assert "uint idx [[thread_position_in_grid]]" in src
    assert "y[idx] = a[0] * x[idx] + y[idx];" in src
    bare = create_compute_kernel("k", "", [("o", "int", "write")], threads_per_grid=False, include_stdlib=False)
    assert "#include" not in bare
    assert "thread_position_in_grid" not in bare
    assert "device int* o [[buffer(0)]]" in bare


def test_create_compute_kernel_rejects_bad_names():
    with pytest.raises(ValueError):
        create_compute_kernel("bad name", "", [])
    with pytest.raises(ValueError):
        create_compute_kernel("k", "", [("a b", "float", "read")])


def test_shader_module_is_exported():
    assert pm.shader is shader
    for name in ("ShaderPreprocessor", "ShaderTemplate", "compute_shader_hash", "COMMON_SNIPPETS", "create_compute_kernel"):
        assert hasattr(pm.shader, name)


# ------------------------------------------------------------------ generated code runs
def test_generated_kernel_runs(device, tmp_path):
    (tmp_path / "ops.h").write_text("inline float op(float a, float b) { return a * SCALE + b; }\n")
    pp = ShaderPreprocessor([tmp_path]).define("SCALE", "2.0f")
    body = "if (idx < n[0]) out[idx] = op(a[idx], b[idx]) + PI;"
    src = create_compute_kernel(
        "gen_kernel", body, [("a", "float", "read"), ("b", "float", "read"), ("out", "float", "write"), ("n", "uint", "read")]
    )
    src = src.replace("using namespace metal;\n", "using namespace metal;\n" + COMMON_SNIPPETS["float_constants"] + '#include "ops.h"\n')
    src = pp.process(src)
    r = rng(1)
    n = 1000
    a = r.standard_normal(n).astype(np.float32)
    b = r.standard_normal(n).astype(np.float32)
    g, t = grid1d(n, 128)
    _, _, out, _ = run(device, src, "gen_kernel", [a, b, Out(n), np.array([n], np.uint32)], g, t)
    assert_close(out, a.astype(np.float64) * 2 + b + np.pi, 1e-6)


def test_template_kernel_runs(device):
    t = ShaderTemplate(
        COMMON_SNIPPETS["metal_stdlib"]
        + "kernel void tmpl_{T}(device const {T}* a [[buffer(0)]], device {T}* o [[buffer(1)]],"
        " uint i [[thread_position_in_grid]]) {{ o[i] = a[i] * ({T})({K}); }}"
    ).set_default("K", 3)
    src = t.render(T="int")
    a = np.arange(-64, 64, dtype=np.int32)
    _, o = run(device, src, "tmpl_int", [a, Out(128, np.int32)], (2,), (64,))
    np.testing.assert_array_equal(o, a * 3)

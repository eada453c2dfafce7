"""Conformance corpus: every kernel of tests/kernels/*.metal runs on each device and is
compared with a numpy reference."""

import numpy as np
import pytest

import pymetal as pm

from mtl_helpers import Bytes, Out, assert_close, assert_equal, grid1d, kernel_source, library, rng, run

U32 = np.uint32
F32 = np.float32


def src(name):
    return kernel_source(name)


def test_corpus_compiles(device):
    """Every corpus file compiles and lists its kernels."""
    import glob
    import os

    from mtl_helpers import KERNELS, library

    files = sorted(glob.glob(os.path.join(KERNELS, "*.metal")))
    assert len(files) >= 12
    for f in files:
        lib = library(device, open(f).read())
        assert len(lib.function_names) >= 1, f


# ------------------------------------------------------------------ barriers in loops
@pytest.mark.parametrize("n", [1, 1000, 100_000])
def test_tiled_sum(device, n):
    x = rng(10).standard_normal(n).astype(F32)
    groups = 8
    _, partial, _ = run(device, src("reduction.metal"), "tiled_sum", [x, Out(groups), Bytes(n, U32)], (groups,), (256,))
    assert_close(partial.sum(), x.astype(np.float64).sum(), 1e-4)
    owner = (np.arange(n) // 256) % groups
    tpg_x = np.array([x[owner == g].astype(np.float64).sum() for g in range(groups)])
    assert_close(partial, tpg_x, 1e-4 if n > 1 else 0)


@pytest.mark.parametrize("width", [64, 200, 1000])
def test_row_scan(device, width):
    rows = 6
    x = rng(11).integers(-8, 8, (rows, width)).astype(F32)  # small integers: exact sums
    _, out, _ = run(device, src("reduction.metal"), "row_scan", [x, Out((rows, width)), Bytes(width, U32)], (rows,), (128,))
    assert_equal(out, np.cumsum(x, axis=1))


def test_early_exit_counts_as_arrived(device):
    n = 1000  # the last group has 1000 % 64 = 40 active threads
    x = rng(12).standard_normal(n).astype(F32)
    groups = (n + 63) // 64
    _, out, _ = run(device, src("reduction.metal"), "early_exit", [x, Out(n), Bytes(n, U32)], (groups,), (64,))
    padded = np.concatenate([x, np.zeros(groups * 64 - n, F32)]).reshape(groups, 64)
    nxt = np.concatenate([padded[:, 1:], np.zeros((groups, 1), F32)], axis=1)
    assert_close(out, (padded + nxt).ravel()[:n], 1e-6)


@pytest.mark.parametrize("mode", [0, 1, 2])
def test_threadgroup_arrays_in_switch(device, mode):
    x = rng(13).standard_normal(256).astype(F32)
    _, out, _ = run(device, src("reduction.metal"), "switch_tg", [x, Out(256), Bytes(mode, np.int32)], (4,), (64,))
    g = x.reshape(4, 64)
    if mode == 0:
        ref = g[:, ::-1]
    elif mode == 1:
        ref = np.roll(g * 2, -1, axis=1)
    else:
        ref = np.full_like(g, -1)
    assert_equal(out, ref.ravel())


# ------------------------------------------------------------------ SIMD groups
@pytest.mark.parametrize("tpg", [32, 256, 1024])
def test_simd_two_level_sum(device, tpg):
    groups = 4
    x = rng(14).integers(-50, 50, tpg * groups).astype(F32)
    _, out = run(device, src("simd.metal"), "simd_two_level_sum", [x, Out(groups)], (groups,), (tpg,))
    assert_equal(out, x.reshape(groups, tpg).sum(axis=1))


def test_simd_shuffle_down_in_simd_group_0(device):
    tpg, groups = 128, 3
    x = rng(15).integers(-50, 50, tpg * groups).astype(F32)
    _, out = run(device, src("simd.metal"), "simd_shuffle_reduce", [x, Out(tpg * groups)], (groups,), (tpg,))
    ref = np.empty_like(x)
    s = x.reshape(-1, 32)  # simd groups in order
    for k, row in enumerate(s):
        sg = k % (tpg // 32)
        if sg == 0:
            ref[k * 32] = row.sum()
            ref[k * 32 + 1 : k * 32 + 32] = -2.0
        else:
            ref[k * 32 : k * 32 + 32] = row.max()
    assert_equal(out, ref)


def test_simd_prefix_sums(device):
    tpg, groups = 96, 2
    x = rng(16).integers(0, 1000, tpg * groups).astype(U32)
    _, excl, incl = run(
        device, src("simd.metal"), "simd_scan", [x, Out(tpg * groups, U32), Out(tpg * groups, U32)], (groups,), (tpg,)
    )
    rows = x.reshape(-1, 32)
    ref_ex = np.empty_like(rows)
    ref_in = np.empty_like(rows)
    for k, row in enumerate(rows):
        c = np.cumsum(row, dtype=U32)
        if k % (tpg // 32) == 0:
            ref_ex[k] = c - row
            ref_in[k] = c
        else:
            ref_ex[k] = 0xFFFFFFFF
            ref_in[k] = np.cumsum(row * 2, dtype=U32) - row * 2
    assert_equal(excl, ref_ex.ravel())
    assert_equal(incl, ref_in.ravel())


def test_simd_broadcast_and_shuffle(device):
    tpg, groups = 128, 2
    x = rng(17).standard_normal(tpg * groups).astype(F32)
    _, out, shuf = run(
        device, src("simd.metal"), "simd_bcast", [x, Out(tpg * groups), Out(tpg * groups)], (groups,), (tpg,)
    )
    rows = x.reshape(-1, 32)
    ref = np.empty_like(rows)
    for k, row in enumerate(rows):
        sg = k % (tpg // 32)
        ref[k] = row[5] if sg == 0 else row[sg % 32]
    assert_equal(out, ref.ravel())
    lanes = np.arange(32)
    ref_shuf = rows[:, 31 - lanes] + rows[:, lanes ^ 1]
    assert_close(shuf, ref_shuf.ravel(), 1e-7)


def test_simd_sum_partial_threadgroup(device):
    n, tpg = 100, 64  # the second group has 36 threads: a full SIMD group and one of 4 lanes
    x = rng(18).integers(-20, 20, n).astype(F32)
    _, out = run(device, src("simd.metal"), "simd_partial", [x, Out(n)], (n,), (tpg,), mode="threads")
    ref = np.empty_like(x)
    for start in range(0, n, 32):
        end = min(start + 32, n)
        ref[start:end] = x[start:end].sum()
    assert_equal(out, ref)


# ------------------------------------------------------------------ atomics
def test_device_atomic_counters_and_tickets(device):
    n = 65536
    bins = rng(19).integers(0, 8, n).astype(U32)
    counters = np.zeros(8, U32)
    ctr = np.zeros(1, U32)
    c, _, tickets, ctr_out = run(
        device, src("atomics.metal"), "atomic_counters", [counters, bins, Out(n, U32), ctr], *grid1d(n, 256)
    )
    assert_equal(c, np.bincount(bins, minlength=8))
    assert_equal(np.sort(tickets), np.arange(n, dtype=U32))
    assert ctr_out[0] == n


def test_device_atomic_float_add(device):
    n = 32768
    x = rng(20).integers(-4, 5, n).astype(F32)  # integers: the sum is exact in any order
    total = np.zeros(4, F32)
    (t, _) = run(device, src("atomics.metal"), "atomic_float_sum", [total, x], *grid1d(n, 128))
    assert_equal(t, x.reshape(-1, 4).sum(axis=0))


def test_device_atomic_min_max(device):
    n = 20000
    r = rng(21)
    u = r.integers(0, 2**32 - 1, n, dtype=np.uint64).astype(U32)
    s = r.integers(-(2**31), 2**31 - 1, n).astype(np.int32)
    umax, imin, imax, _, _ = run(
        device, src("atomics.metal"), "atomic_minmax",
        [np.zeros(1, U32), np.array([2**31 - 1], np.int32), np.array([-(2**31)], np.int32), u, s],
        (n,), (256,), mode="threads",
    )
    assert umax[0] == u.max()
    assert imin[0] == s.min()
    assert imax[0] == s.max()


def test_device_atomic_bit_ops_and_exchange(device):
    n = 4096
    init_x = 123456789
    ors, ands, subs, xchg, old = run(
        device, src("atomics.metal"), "atomic_bits",
        [np.zeros(1, U32), np.array([0xFFFFFFFF], U32), np.array([1000], np.int32), np.array([init_x], U32), Out(n, U32)],
        *grid1d(n, 256),
    )
    assert ors[0] == (1 << 13) - 1
    assert ands[0] == 0xFFFF0000
    assert subs[0] == 1000 - sum(i % 3 for i in range(n))
    assert_equal(np.sort(np.append(old, xchg)), np.sort(np.append(np.arange(1, n + 1, dtype=U32), U32(init_x))))


def test_device_atomic_compare_exchange(device):
    n = 2048
    factors = np.where(rng(22).random(n) < 0.01, 3, 1).astype(U32)
    (p, _) = run(device, src("atomics.metal"), "atomic_cas_mul", [np.ones(1, U32), factors], *grid1d(n, 256))
    assert int(p[0]) == 3 ** int((factors == 3).sum()) % 2**32


def test_threadgroup_atomic_histogram(device):
    n = 256 * 64
    vals = rng(23).integers(0, 1000, n).astype(U32)
    _, hist = run(device, src("atomics.metal"), "tg_histogram", [vals, np.zeros(16, U32)], *grid1d(n, 256))
    assert_equal(hist, np.bincount(vals % 16, minlength=16))


def test_threadgroup_atomic_float_and_max(device):
    groups, tpg = 16, 256
    x = rng(24).integers(0, 100, groups * tpg).astype(F32)  # non-negative: bit patterns order like values
    _, sums, maxes = run(
        device, src("atomics.metal"), "tg_float_atomics", [x, Out(groups), Out(groups, U32)], (groups,), (tpg,)
    )
    g = x.reshape(groups, tpg)
    assert_equal(sums, g.sum(axis=1))
    assert_equal(maxes.view(F32), g.max(axis=1))


# ------------------------------------------------------------------ non-uniform grids
@pytest.mark.parametrize("grid,group", [((37, 21), (8, 8)), ((100, 3), (32, 4)), ((5, 5), (16, 16))])
def test_non_uniform_threads_per_threadgroup(device, grid, group):
    W, H = grid
    (out,) = run(device, src("nonuniform.metal"), "report_sizes", [Out(W * H * 4, U32)], grid, group, mode="threads")
    out = out.reshape(H, W, 4)
    for y in range(H):
        for x in range(W):
            w = min(group[0], W - (x // group[0]) * group[0])
            h = min(group[1], H - (y // group[1]) * group[1])
            lx, ly = x % group[0], y % group[1]
            assert tuple(out[y, x]) == (w, h, ly * w + lx, (x // group[0]) * 100 + y // group[1]), (x, y)


def test_non_uniform_reduction(device):
    n, tpg = 1000, 128
    x = rng(25).integers(-9, 9, n).astype(F32)
    groups = (n + tpg - 1) // tpg
    _, out = run(device, src("nonuniform.metal"), "nonuniform_sum", [x, Out(groups)], (n,), (tpg,), mode="threads")
    ref = np.array([x[i : i + tpg].sum() for i in range(0, n, tpg)], F32)
    assert_equal(out, ref)


# ------------------------------------------------------------------ half
def test_half_math(device):
    n = 1024
    r = rng(26)
    a = (r.standard_normal(n) * 2).astype(np.float16)
    b = (r.standard_normal(n) * 2).astype(np.float16)
    _, _, out, out_f = run(
        device, src("half.metal"), "half_math", [a, b, Out(n * 4, np.float16), Out(n * 2)], *grid1d(n, 128)
    )
    x, y = a.astype(np.float64), b.astype(np.float64)
    out = out.reshape(n, 4)
    assert_close(out[:, 0], x * y + 1.5, 2e-3, "x*y+1.5h")
    assert_close(out[:, 1], np.abs(x - y), 2e-3, "max-min")
    assert_close(out[:, 2], np.sqrt(np.abs(x)) + 0.25, 2e-3, "sqrt")
    assert_close(out[:, 3], np.clip(x * 2, -1, 1), 2e-3, "clamp")
    out_f = out_f.reshape(n, 2)
    x16, y16 = a.astype(np.float16), b.astype(np.float16)
    assert_close(out_f[:, 0], (x16 * x16).astype(np.float64) + (y16 * y16).astype(np.float64), 2e-3, "half2")
    assert_close(out_f[:, 1], np.exp(x * 0.5), 3e-3, "exp(half)")


def test_half4_vectors(device):
    n = 256
    a = rng(27).uniform(-4, 4, (n, 4)).astype(np.float16)
    _, out, dots = run(device, src("half.metal"), "half4_vec", [a, Out((n, 4), np.float16), Out(n)], *grid1d(n, 64))
    x = a.astype(np.float64)
    assert_close(out, x[:, ::-1] * 2 + 1, 2e-3)
    assert_close(dots, (x * x).sum(axis=1), 3e-3)


# ------------------------------------------------------------------ templates / host_name
MLX_NAMES = ("scale_add_float32", "scale_add_int32", "scale_add_float16", "sum_n_float_4", "sum_n_uchar_3",
             "use_template_helper")
GGML_NAMES = ("kernel_cpy_f32_f32", "kernel_cpy_f16_f32", "kernel_cpy_i16_f32")


def test_both_host_name_styles_in_one_library(device):
    both = src("templates_mlx.metal") + "\n" + src("templates_ggml.metal").replace("#include <metal_stdlib>", "")
    lib = device.new_library_with_source(both)
    assert set(MLX_NAMES + GGML_NAMES) <= set(lib.function_names)


def test_mlx_style_host_name(device):
    s = src("templates_mlx.metal")
    names = set(library(device, s).function_names)
    assert set(MLX_NAMES) <= names
    n = 256
    r = rng(28)
    af = r.standard_normal(n).astype(F32)
    _, of, _ = run(device, s, "scale_add_float32", [af, Out(n), Bytes(2.5, F32)], *grid1d(n, 64))
    assert_close(of, af.astype(np.float64) * 2.5 + 1, 1e-7)
    ai = r.integers(-1000, 1000, n).astype(np.int32)
    _, oi, _ = run(device, s, "scale_add_int32", [ai, Out(n, np.int32), Bytes(-3, np.int32)], *grid1d(n, 64))
    assert_equal(oi, ai * -3 + 1)
    ah = r.uniform(-2, 2, n).astype(np.float16)
    _, oh, _ = run(device, s, "scale_add_float16", [ah, Out(n, np.float16), Bytes(0.5, np.float16)], *grid1d(n, 64))
    assert_close(oh, ah.astype(np.float64) * 0.5 + 1, 2e-3)
    a4 = r.standard_normal(n * 4).astype(F32)
    _, o4 = run(device, s, "sum_n_float_4", [a4, Out(n)], *grid1d(n, 64))
    assert_close(o4, a4.reshape(n, 4).astype(np.float64).sum(axis=1), 1e-6)
    a3 = r.integers(0, 256, n * 3).astype(np.uint8)
    _, o3 = run(device, s, "sum_n_uchar_3", [a3, Out(n)], *grid1d(n, 64))
    assert_equal(o3, a3.reshape(n, 3).sum(axis=1).astype(F32))


def test_ggml_style_host_name(device):
    s = src("templates_ggml.metal")
    assert set(GGML_NAMES) <= set(library(device, s).function_names)
    n = 512
    r = rng(29)
    f = r.standard_normal(n).astype(F32)
    h = r.standard_normal(n).astype(np.float16)
    i16 = r.integers(-30000, 30000, n).astype(np.int16)
    for name, data in (("kernel_cpy_f32_f32", f), ("kernel_cpy_f16_f32", h), ("kernel_cpy_i16_f32", i16)):
        _, out = run(device, s, name, [data, Out(n)], *grid1d(n, 128))
        assert_equal(out, data.astype(F32))


def test_template_helper(device):
    a = np.linspace(-5, 5, 128).astype(F32)
    _, b = run(device, src("templates_mlx.metal"), "use_template_helper", [a, Out(128, np.int32)], (2,), (64,))
    ai = a.astype(np.int32)
    assert_equal(b, ai * ai + (a.astype(np.float64) ** 2 > 10))


# ------------------------------------------------------------------ function constants
@pytest.mark.parametrize(
    "values,expect",
    [
        ({"use_square": True, "offset_value": 3}, lambda x: x * x + 3),
        ({"use_square": False, "offset_value": -2}, lambda x: x - 2),
        ({"use_square": True, "offset_value": 0, "scale_value": 0.5}, lambda x: (x * x) * 0.5),
        ({"use_square": False, "offset_value": 1, "repeat_count": 4}, lambda x: x + 1 + 3),
    ],
    ids=["square", "no_square", "scale_defined", "repeat"],
)
def test_function_constants(device, values, expect):
    x = np.linspace(-3, 3, 256).astype(F32)
    _, out = run(device, src("function_constants.metal"), "fc_kernel", [x, Out(256)], (4,), (64,), constant_values=values)
    assert_close(out, expect(x.astype(np.float64)), 1e-6)


def test_function_constants_by_index(device):
    x = np.linspace(-3, 3, 256).astype(F32)
    _, out = run(device, src("function_constants.metal"), "fc_kernel", [x, Out(256)], (4,), (64,),
                 constant_values={0: True, 1: 5})
    assert_close(out, x.astype(np.float64) ** 2 + 5, 1e-6)


def test_function_constant_specialisations_coexist(device):
    from mtl_helpers import library

    lib = library(device, src("function_constants.metal"))
    f1 = lib.new_function("fc_kernel", constant_values={"use_square": True, "offset_value": 1})
    f2 = lib.new_function("fc_kernel", constant_values={"use_square": False, "offset_value": 1})
    assert f1.name == f2.name == "fc_kernel"
    p1 = device.new_compute_pipeline_state(f1)
    p2 = device.new_compute_pipeline_state(f2)
    x = np.full(64, 3.0, F32)
    bx = device.new_buffer_with_data(x, pm.ResourceStorageModeShared)
    o1 = device.new_buffer(256, pm.ResourceStorageModeShared)
    o2 = device.new_buffer(256, pm.ResourceStorageModeShared)
    cb = device.new_command_queue().command_buffer()
    e = cb.compute_command_encoder()
    for p, o in ((p1, o1), (p2, o2)):
        e.set_compute_pipeline_state(p)
        e.set_buffer(bx, 0, 0)
        e.set_buffer(o, 0, 1)
        e.dispatch_threadgroups(1, 1, 1, 64, 1, 1)
    e.end_encoding()
    cb.commit()
    cb.wait_until_completed()
    assert_equal(np.frombuffer(o1.contents(), F32), 10.0)
    assert_equal(np.frombuffer(o2.contents(), F32), 4.0)


# ------------------------------------------------------------------ struct layout
PARTICLE = np.dtype(
    {"names": ["pos", "vel", "mass", "id"], "formats": [(F32, 3), (F32, 3), F32, U32], "offsets": [0, 16, 32, 36], "itemsize": 48}
)


def test_layout_sizes(device):
    (out,) = run(device, src("struct_layout.metal"), "layout_sizes", [Out(12, U32)], (1,), (1,))
    assert_equal(out, [16, 16, 48, 12, 16, 8, 8, 16, 4, 64, 48, 8])


def test_float3_struct_from_numpy(device):
    n = 100
    r = rng(30)
    ps = np.zeros(n, PARTICLE)
    ps["pos"] = r.standard_normal((n, 3))
    ps["vel"] = r.standard_normal((n, 3))
    ps["mass"] = r.uniform(1, 2, n)
    ps["id"] = np.arange(n)
    raw = ps.view(np.uint8).reshape(n, 48).copy()
    raw[:, 12:16] = 0xAB  # padding bytes must be ignored
    raw[:, 28:32] = 0xCD
    raw[:, 40:48] = 0xEF
    dt = 0.125
    out, _ = run(device, src("struct_layout.metal"), "step_particles", [raw.view(PARTICLE).ravel(), Bytes(dt, F32)], (n,), (32,), mode="threads")
    exp_pos = ps["pos"].astype(np.float64) + ps["vel"].astype(np.float64) * dt
    exp_vel = ps["vel"].astype(np.float64).copy()
    exp_vel[:, 1] -= 9.81 * dt
    assert_close(out["pos"], exp_pos, 1e-6, "pos")
    assert_close(out["vel"], exp_vel, 1e-6, "vel")
    assert_close(out["mass"], ps["mass"] * 2.0, 1e-7, "mass")
    assert_equal(out["id"], ps["id"] * 10 + 7)


def test_packed_float3(device):
    n = 64
    dt = np.dtype({"names": ["p", "w"], "formats": [(F32, 3), F32], "offsets": [0, 12], "itemsize": 16})
    a = np.zeros(n, dt)
    a["p"] = rng(31).standard_normal((n, 3))
    a["w"] = np.arange(n)
    _, out = run(device, src("struct_layout.metal"), "packed_len", [a, Out(n)], (1,), (64,))
    assert_close(out, np.linalg.norm(a["p"].astype(np.float64), axis=1) + a["w"], 1e-6)


def test_float3_buffer_stride_16(device):
    n = 64
    v = np.zeros((n, 4), F32)
    v[:, :3] = rng(32).standard_normal((n, 3))
    v[:, 3] = np.nan  # the fourth lane is padding
    _, out = run(device, src("struct_layout.metal"), "float3_buffer", [v, Out((n, 4))], (1,), (64,))
    p = v[:, :3].astype(np.float64)
    ref = np.cross(p, [0, 0, 1]) + p[:, [2, 0, 1]]
    assert_close(out[:, :3], ref, 1e-6)


# ------------------------------------------------------------------ swizzles
def test_swizzles(device):
    n = 128
    a = rng(33).standard_normal((n, 4)).astype(F32)
    _, out = run(device, src("swizzle.metal"), "swizzles", [a, Out((n * 3, 4))], (2,), (64,))
    out = out.reshape(n, 3, 4)
    x, y, z, w = (a[:, k].astype(np.float64) for k in range(4))
    r = np.stack([2 * z, 2 * w, y + x, (y - x) + x], axis=1)
    s = np.stack([y, x, z, 7 * w], axis=1)
    u = np.stack([z, x * z + y * w, x, x + y + z + w], axis=1)
    assert_close(out[:, 0], r, 1e-6, "r")
    assert_close(out[:, 1], s, 1e-6, "s")
    assert_close(out[:, 2], u, 1e-6, "u")


def test_int_swizzles(device):
    n = 64
    a = rng(34).integers(-1000, 1000, (n, 4)).astype(np.int32)
    _, out = run(device, src("swizzle.metal"), "int_swizzles", [a, Out((n, 4), np.int32)], (1,), (64,))
    x, y, z, w = (a[:, k] for k in range(4))
    ref = np.stack([x + z, x + y, w + x + 1, w + w + 2], axis=1)
    assert_equal(out, ref)


# ------------------------------------------------------------------ threadgroup arguments
@pytest.mark.parametrize("tpg", [64, 128])
def test_threadgroup_argument(device, tpg):
    groups = 4
    x = rng(35).standard_normal(groups * tpg).astype(F32)
    _, out, counts = run(
        device, src("tg_args.metal"), "tg_arg_reverse", [x, Out(groups * tpg), Out(groups, np.int32)],
        (groups,), (tpg,), tg_mem={0: tpg * 4, 1: 16},
    )
    assert_equal(out, x.reshape(groups, tpg)[:, ::-1].ravel())
    assert_equal(counts, np.full(groups, tpg * (tpg - 1) // 2))


def test_threadgroup_argument_and_static_array(device):
    x = rng(36).standard_normal(256).astype(F32)
    _, out = run(device, src("tg_args.metal"), "tg_arg_and_static", [x, Out(256)], (4,), (64,), tg_mem={0: 64 * 8})
    g = x.reshape(4, 64).astype(np.float64)
    ref = g[:, ::-1] - g + np.roll(g * 10, -1, axis=1)
    assert_close(out, ref.ravel(), 1e-6)


# ------------------------------------------------------------------ program-scope constants
def test_constant_arrays(device):
    n = 300
    x = rng(37).standard_normal(n).astype(F32)
    _, out, _ = run(device, src("constants.metal"), "stencil5", [x, Out(n), Bytes(n, U32)], *grid1d(n, 64))
    w = np.array([0.0625, 0.25, 0.375, 0.25, 0.0625])
    lut = np.array([3, 1, 4, 1, 5, 9, 2, 6])
    xp = np.pad(x.astype(np.float64), 2, mode="edge")
    conv = sum(w[k] * xp[k : k + n] for k in range(5))
    i = np.arange(n)
    off = np.where(i % 2 == 0, 1.0 * -1.0, 0.5 * 2.0)
    assert_close(out, conv * 3 + lut[i % 8] + off + 2.0 * -1.0, 1e-6)


# ------------------------------------------------------------------ implicit bindings
def test_implicit_bindings_affine(device):
    n = 1000
    x = rng(38).standard_normal(n).astype(F32)
    r = run(
        device, src("implicit_bindings.metal"), "affine",
        [Bytes(n, np.uint64), Bytes(1.5, F32), Bytes(-0.25, F32), x, Out(n + 24)],
        *grid1d(n + 24, 64),
    )
    out = r[4]
    assert_close(out[:n], x.astype(np.float64) * 1.5 - 0.25, 1e-7)
    assert np.isnan(out[n:]).all()  # threads past dim wrote nothing


def test_implicit_bindings_strided(device):
    base = rng(39).standard_normal((6, 8)).astype(F32)
    t = base.T  # (8, 6) view with strides (1, 8) in elements
    dims = np.array(t.shape, np.uint64)
    strides = np.array([s // 4 for s in t.strides], np.uint64)
    n = t.size
    r = run(
        device, src("implicit_bindings.metal"), "strided_copy",
        [Bytes(2, np.uint64), Bytes(n, np.uint64), dims, strides, base.ravel(), Out(n)],
        *grid1d(n, 64),
    )
    assert_equal(r[5], np.ascontiguousarray(t).ravel())


# ------------------------------------------------------------------ math
def _math_refs(x, y, t):
    f32 = lambda v: np.asarray(v, F32).astype(np.float64)  # noqa: E731
    x3 = f32(x.astype(F32) * F32(3))
    x7 = f32(x.astype(F32) * F32(7))
    x04 = f32(x.astype(F32) * F32(0.4))
    X, Y, T = f32(x), f32(y), f32(t)
    ss = np.clip((X + 1) / 2, 0, 1)
    return [
        np.exp(X), np.log(Y), np.sin(X), np.cos(X), 1 / np.sqrt(Y), X * Y + T, np.clip(X, -0.5, 0.5),
        X + (Y - X) * T, np.sqrt(Y), Y ** f32(1.7), np.tanh(X), np.arctan2(X, Y), np.floor(x3),
        x3 - np.floor(x3), np.exp2(X), np.log2(Y), ss * ss * (3 - 2 * ss), (X >= 0).astype(float),
        np.fmod(x7, f32(1.3)), np.abs(X), np.sign(X), np.minimum(X, Y), np.maximum(X, Y),
        np.sign(x3) * np.floor(np.abs(x3) + 0.5), np.trunc(x3), np.ceil(x3), np.arcsin(T), np.arccos(T),
        np.arctan(X), np.sinh(X), np.cosh(X), np.log10(Y), np.tan(x04),
        np.copysign(Y, X) + np.abs(X) + np.maximum(X, T) + np.minimum(X, T),
    ]


MATH_NAMES = ("exp log sin cos rsqrt fma clamp mix sqrt pow tanh atan2 floor fract exp2 log2 smoothstep step fmod "
              "abs sign min max round trunc ceil asin acos atan sinh cosh log10 tan copysign").split()


def test_math_functions(device):
    n = 4096
    r = rng(40)
    x = r.uniform(-3, 3, n).astype(F32)
    y = r.uniform(0.01, 5, n).astype(F32)
    t = r.uniform(0, 1, n).astype(F32)
    res = run(device, src("math.metal"), "math_funcs", [x, y, t, Out(34 * n), Bytes(n, U32)], *grid1d(n, 256))[3]
    res = res.reshape(34, n)
    failures = []
    for k, (name, ref) in enumerate(zip(MATH_NAMES, _math_refs(x, y, t))):
        try:
            assert_close(res[k], ref, 2e-6, name)
        except AssertionError as e:
            failures.append(str(e))
    assert not failures, "\n".join(failures)


def test_geometric_functions(device):
    n = 256
    r = rng(41)
    a = r.standard_normal((n, 4)).astype(F32)
    b = r.standard_normal((n, 4)).astype(F32)
    _, _, out = run(device, src("math.metal"), "geometry", [a, b, Out((n * 3, 4))], *grid1d(n, 64))
    out = out.reshape(n, 3, 4)
    A, B = a.astype(np.float64), b.astype(np.float64)
    ref0 = np.stack([(A * B).sum(1), np.linalg.norm(A, axis=1), np.linalg.norm(A - B, axis=1), (A[:, :2] ** 2).sum(1)], 1)
    assert_close(out[:, 0], ref0, 2e-6, "dot/length/distance")
    assert_close(out[:, 1], A / np.linalg.norm(A, axis=1, keepdims=True), 2e-6, "normalize")
    assert_close(out[:, 2, :3], np.cross(A[:, :3], B[:, :3]), 2e-6, "cross")
    assert_close(out[:, 2, 3], np.sqrt(np.abs(A[:, 3])), 2e-6, "precise::sqrt")


def test_vector_math(device):
    n = 256
    a = rng(42).uniform(-2, 2, (n, 4)).astype(F32)
    _, out = run(device, src("math.metal"), "vector_math", [a, Out((n * 2, 4))], *grid1d(n, 64))
    out = out.reshape(n, 2, 4)
    A = a.astype(np.float64)
    assert_close(out[:, 0], np.exp(A * 0.5) + np.sin(A) * np.cos(A), 2e-6)
    assert_close(out[:, 1], np.clip(A, -1, 1) + np.minimum(A, 0.25) + np.maximum(A * 2, -0.5), 1e-7)


# ------------------------------------------------------------------ integer functions
def _clz(v):
    v = v.astype(np.uint64)
    out = np.full(v.shape, 32, np.int64)
    for b in range(32):
        out = np.where((v >> np.uint64(b)) & np.uint64(1), 31 - b, out)
    return out


def _ctz(v):
    v = v.astype(np.uint64)
    out = np.full(v.shape, 32, np.int64)
    for b in range(31, -1, -1):
        out = np.where((v >> np.uint64(b)) & np.uint64(1), b, out)
    return out


def _revbits(v):
    v = v.astype(np.uint64)
    out = np.zeros_like(v)
    for b in range(32):
        out |= ((v >> np.uint64(b)) & np.uint64(1)) << np.uint64(31 - b)
    return out


def test_integer_functions(device):
    n = 2048
    r = rng(43)
    a = r.integers(0, 2**32, n, dtype=np.uint64).astype(U32)
    a[:8] = [0, 1, 0x80000000, 0xFFFFFFFF, 2, 0x00010000, 12345, 0x7FFFFFFF]
    b = r.integers(0, 2**32, n, dtype=np.uint64).astype(U32)
    s = r.integers(-(2**31) + 1, 2**31 - 1, n).astype(np.int32)
    s[:4] = [0, -1, 1, -123456]
    out, outs = run(
        device, src("integer.metal"), "int_funcs", [a, b, s, Out(14 * n, U32), Out(6 * n, np.int32), Bytes(n, U32)],
        *grid1d(n, 256),
    )[3:5]
    out = out.reshape(14, n).astype(np.int64)
    outs = outs.reshape(6, n).astype(np.int64)
    A, B, S = a.astype(np.int64), b.astype(np.int64), s.astype(np.int64)
    M = 2**32
    k = B % 32
    B1 = B | 1
    refs = {
        "clz": _clz(a), "ctz": _ctz(a), "popcount": np.array([bin(v).count("1") for v in A]),
        "reverse_bits": _revbits(a).astype(np.int64), "rotate": ((A << k) | (A >> ((32 - k) % 32))) % M,
        "mulhi": np.array([(int(p) * int(q)) >> 32 for p, q in zip(A, B)]),
        "absdiff": np.abs(A - B), "minmax": np.minimum(A, B) ^ np.maximum(A, B), "addsat": np.minimum(A + B, M - 1),
        "subsat": np.maximum(A - B, 0), "clamp": np.clip(A, 1000, 3000000000), "hadd": (A + B) >> 1,
        "abs": np.abs(S) % M, "divmod": (A // B1 + A % B1) % M,
    }
    for row, (name, ref) in enumerate(refs.items()):
        assert_equal(out[row], ref, name)
    tq = np.sign(S) * (np.abs(S) // 7)
    tr = S - 7 * tq
    m1000 = S - 1000 * (np.sign(S) * (np.abs(S) // 1000))
    srefs = {
        "shr": S >> 3, "minmax": np.minimum(S, -5) + np.maximum(S, 7), "clamp": np.clip(S, -1000, 1000),
        "divmod": tq + tr, "clz": np.where(S < 0, 0, _clz(S.astype(np.uint32))), "mad24": m1000 * 3 - 2,
    }
    for row, (name, ref) in enumerate(srefs.items()):
        assert_equal(outs[row], ref, f"signed {name}")


def test_narrow_integer_types(device):
    n = 256
    a = np.arange(n, dtype=np.uint8)
    b = rng(44).integers(-32768, 32767, n).astype(np.int16)
    _, _, out, wide = run(device, src("integer.metal"), "narrow_ints", [a, b, Out(n, np.uint16), Out(n, np.uint64)], *grid1d(n, 64))
    ub = b.view(np.uint16).astype(np.int64)
    assert_equal(out, (a.astype(np.int64) * 3 + ub) % 65536)
    assert_equal(wide, (a.astype(np.uint64) << np.uint64(40)) | ub.astype(np.uint64))


# ------------------------------------------------------------------ as_type, select
def test_as_type(device):
    n = 256
    r = rng(45)
    f = r.standard_normal(n).astype(F32)
    f[:4] = [0.0, -0.0, np.inf, 1.0]
    u = r.integers(0, 2**32, n, dtype=np.uint64).astype(U32)
    u[:3] = [0x3F800000, 0x7F800000, 0x80000000]
    _, _, fb, uf, h2, i2 = run(
        device, src("bits.metal"), "as_type_kernel",
        [f, u, Out(n, U32), Out(n, F32), Out(n, U32), Out((n, 2), np.int32)], *grid1d(n, 64),
    )
    assert_equal(fb, f.view(U32))
    assert_equal(uf.view(U32), u)  # bit-exact, NaNs included
    hh = np.stack([f.astype(np.float16), (-f).astype(np.float16)], axis=1)
    assert_equal(h2, hh.view(U32).ravel())
    assert_equal(i2, np.stack([f, np.ones(n, F32)], axis=1).view(np.int32))


def test_select(device):
    n = 128
    r = rng(46)
    a = r.standard_normal((n, 4)).astype(F32)
    b = r.standard_normal((n, 4)).astype(F32)
    _, _, out, sc = run(device, src("bits.metal"), "select_kernel", [a, b, Out((n * 2, 4)), Out(n)], *grid1d(n, 64))
    out = out.reshape(n, 2, 4)
    assert_equal(out[:, 0], np.maximum(a, b))
    assert_equal(out[:, 1], np.where([True, False, True, False], b, a))
    ref = np.where(a[:, 1] > b[:, 1], b[:, 0], a[:, 0]) + (a > b).any(1) * 1.0 + (a > b).all(1) * 10.0
    assert_close(sc, ref, 1e-7)


# ------------------------------------------------------------------ red-team kernels (rt_*.metal)
# Kernels written in the style of MLX, ggml and candle, checked against float64 numpy.
def bf16_bits(x):
    """float32 -> bfloat16 bit patterns (round to nearest even)."""
    u = np.asarray(x, np.float32).view(np.uint32).astype(np.uint64)
    return ((u + 0x7FFF + ((u >> 16) & 1)) >> 16).astype(np.uint16)


def bf16_value(b):
    return (np.asarray(b, np.uint16).astype(np.uint32) << 16).view(np.float32)


@pytest.mark.parametrize("op", ["Add", "Mul", "Maximum"])
def test_rt_mlx_binary(device, op):
    n = 1000
    r = rng(100)
    a, b = r.standard_normal(n).astype(F32), r.standard_normal(n).astype(F32)
    f = {"Add": np.add, "Mul": np.multiply, "Maximum": np.maximum}[op]
    s = src("rt_mlx_binary.metal")
    _, _, c, _ = run(device, s, f"vv_{op}float32", [a, b, Out(n), Bytes(n, U32)], *grid1d(n, 64))
    assert_close(c, f(a.astype(np.float64), b), 1e-6)
    ah, bh = a.astype(np.float16), b.astype(np.float16)
    _, _, ch, _ = run(device, s, f"vv_{op}float16", [ah, bh, Out(n, np.float16), Bytes(n, U32)], *grid1d(n, 64))
    assert_close(ch, f(ah.astype(np.float64), bh), 2e-3)
    ab, bb = bf16_bits(a), bf16_bits(b)
    _, _, cb, _ = run(device, s, f"vv_{op}bfloat16", [ab, bb, Out(n, np.uint16), Bytes(n, U32)], *grid1d(n, 64))
    assert_close(bf16_value(cb), f(bf16_value(ab).astype(np.float64), bf16_value(bb)), 1e-2)
    ai, bi = r.integers(-1000, 1000, n).astype(np.int32), r.integers(-1000, 1000, n).astype(np.int32)
    _, _, ci, _ = run(device, s, f"vv_{op}int32", [ai, bi, Out(n, np.int32), Bytes(n, U32)], *grid1d(n, 64))
    assert_equal(ci, f(ai, bi).astype(np.int32))
    # general (strided) 2-D: a is transposed, b broadcast along rows
    rows, cols = 5, 7
    A = r.standard_normal((cols, rows)).astype(F32)  # read as A.T
    B = r.standard_normal(cols).astype(F32)
    _, _, C, _, _, _ = run(device, s, f"g_{op}float32",
                           [A, B, Out((rows, cols)), np.array([1, rows], np.int64), np.array([0, 1], np.int64),
                            np.array([rows, cols], np.int32)], (cols, rows), (1, 1))
    assert_close(C, f(A.T.astype(np.float64), B[None, :]), 1e-6)


def test_rt_candle_unary(device):
    from math import erf
    n = 777
    x = rng(101).uniform(-3, 3, n).astype(F32)
    xd = x.astype(np.float64)
    s = src("rt_candle_unary.metal")
    verf = np.vectorize(erf)
    refs = {
        "sqr": xd * xd, "neg": -xd, "exp": np.exp(xd), "tanh": np.tanh(xd),
        "sigmoid": 1 / (1 + np.exp(-xd)), "erf": verf(xd),
        "gelu_erf": xd * (1 + verf(xd / np.sqrt(2))) / 2,
        "gelu": 0.5 * xd * (1 + np.tanh(np.sqrt(2 / np.pi) * (xd + 0.044715 * xd ** 3))),
    }
    for name, ref in refs.items():
        _, _, out = run(device, s, f"{name}_f32", [Bytes(n, np.uint64), x, Out(n)], *grid1d(n, 64))
        assert_close(out, ref, 1e-5, name)
        xh = x.astype(np.float16)
        _, _, oh = run(device, s, f"{name}_f16", [Bytes(n, np.uint64), xh, Out(n, np.float16)], *grid1d(n, 64))
        assert_close(oh, ref, 5e-3, name + " f16")
    # strided: a transposed 2-D view
    rows, cols = 21, 37
    m = rng(102).uniform(0.5, 2, (cols, rows)).astype(F32)
    dims, strides = np.array([rows, cols], np.uint64), np.array([1, rows], np.uint64)
    _, _, _, _, _, out = run(device, s, "recip_f32_strided",
                             [Bytes(rows * cols, np.uint64), Bytes(2, np.uint64), dims, strides, m, Out(rows * cols)],
                             *grid1d(rows * cols, 64))
    assert_close(out, (1 / m.T.astype(np.float64)).ravel(), 1e-6)
    xb = bf16_bits(x)
    _, _, ob = run(device, s, "sigmoid_bf16", [Bytes(n, np.uint64), xb, Out(n, np.uint16)], *grid1d(n, 64))
    assert_close(bf16_value(ob), 1 / (1 + np.exp(-bf16_value(xb).astype(np.float64))), 1e-2)


@pytest.mark.parametrize("cv", [
    {}, {"has_bias": True}, {"has_bias": True, "do_relu": True, "block_n": 3},
    {"do_relu": True, "alpha": 0.5, "block_n": 1}, {20: True, 21: False, 22: 2, 23: -2.0},
])
def test_rt_function_constants_index_exprs(device, cv):
    n = 100
    x = rng(103).standard_normal(n).astype(F32)
    bias = rng(104).standard_normal(8).astype(F32)
    cvals = cv if any(isinstance(k, int) for k in cv) else {"has_bias": False, "do_relu": False, **cv}
    _, _, y, _ = run(device, src("rt_fc_index.metal"), "fc_linear", [x, bias, Out(n), Bytes(n, U32)], (n,), (1,),
                     constant_values=cvals)
    named = {({20: "has_bias", 21: "do_relu", 22: "block_n", 23: "alpha"}.get(k, k)): v for k, v in cvals.items()}
    block = named.get("block_n", 4)
    named.setdefault("has_bias", False)
    named.setdefault("do_relu", False)
    v = x.astype(np.float64)
    if "alpha" in named:
        v = v * named["alpha"]
    if named["has_bias"]:
        v = v + bias[np.arange(n) % 8]
    if named["do_relu"]:
        v = np.maximum(v, 0)
    covered = min(n, n * block)
    assert_close(y[:covered], v[:covered], 1e-6)


@pytest.mark.parametrize("mode", [0, 1, 2])
def test_rt_threadgroup_switch(device, mode):
    tpg, groups = 64, 3
    x = rng(105).standard_normal(tpg * groups).astype(F32)
    _, out, _ = run(device, src("rt_tg_switch.metal"), "tg_modes", [x, Out(x.size), Bytes(mode, np.int32)],
                    (groups,), (tpg,), tg_mem={0: tpg * 4, 1: 16})
    g = x.reshape(groups, tpg).astype(np.float64)
    if mode == 0:
        ref = g[:, ::-1]
    elif mode == 1:
        ref = np.cumsum(g, axis=1)
    else:
        ref = np.repeat((g > 0).sum(axis=1, keepdims=True), tpg, axis=1)
    assert_close(out, ref.ravel(), 1e-5)


def test_rt_atomics(device):
    n = 3000
    x = rng(106).uniform(-5, 5, n).astype(F32)
    gmax = np.zeros(1, U32)
    hist = np.zeros(8, U32)
    gsum = np.zeros(1, F32)
    _, m, h, sm, _ = run(device, src("rt_atomics.metal"), "absmax_hist", [x, gmax, hist, gsum, Bytes(n, U32)],
                         *grid1d(n, 128))
    assert m.view(F32)[0] == np.abs(x).max()
    assert_equal(h, np.bincount(np.clip(np.floor(x + 4).astype(int), 0, 7), minlength=8))
    assert_close(sm, [x.astype(np.float64).sum()], 1e-4)
    xi = rng(107).integers(-1000, 1000, 256).astype(np.int32)
    init = np.array([2**31 - 1, -2**31, 0, 0], np.int32)
    _, o = run(device, src("rt_atomics.metal"), "atomic_minmax_int", [xi, init], (256,), (64,), mode="threads")
    assert o[0] == xi.min() and o[1] == xi.max() and o[2] in xi
    assert o[3] == np.bitwise_or.reduce(1 << (np.arange(256) % 31)).astype(np.int32)


@pytest.mark.parametrize("axis", [1, 32, 1000])
def test_rt_simd_softmax(device, axis):
    rows = 4
    x = rng(108).standard_normal((rows, axis)).astype(F32) * 3
    e = np.exp(x.astype(np.float64) - x.max(axis=1, keepdims=True))
    ref = e / e.sum(axis=1, keepdims=True)
    s = src("rt_simd_softmax.metal")
    _, out, _ = run(device, s, "softmax_looped_float32", [x, Out((rows, axis)), Bytes(axis, np.int32)], (rows,), (256,))
    assert_close(out, ref, 1e-5)
    xh = x.astype(np.float16)
    _, oh, _ = run(device, s, "softmax_looped_float16", [xh, Out((rows, axis), np.float16), Bytes(axis, np.int32)],
                   (rows,), (128,))
    assert_close(oh, ref, 5e-3)


def test_rt_simd_scan(device):
    tpg, groups = 128, 3
    n = tpg * groups
    x = rng(109).integers(-8, 8, n).astype(F32)
    _, pre, shuf, bc, tot = run(device, src("rt_simd_scan.metal"), "simd_ops",
                                [x, Out(n), Out(n), Out(n), Out(groups)], (groups,), (tpg,))
    w = x.reshape(-1, 32)
    assert_equal(pre, np.cumsum(w, axis=1).ravel())
    assert_equal(shuf, np.concatenate([w[:, 1:], w[:, -1:]], axis=1).ravel())
    assert_equal(bc, np.repeat(w[:, 3] + w[:, 0], 32))
    assert_equal(tot, x.reshape(groups, tpg).sum(axis=1))


def test_rt_swizzle_struct(device):
    n = 50
    r = rng(110)
    v = r.standard_normal((n, 4)).astype(F32)
    ptype = np.dtype([("pos", F32, 4), ("vel", F32, 4), ("mass", F32), ("pad", F32, 3)])  # float3 = 16 bytes
    parts = np.zeros(n, ptype)
    parts["pos"][:, :3] = r.standard_normal((n, 3))
    parts["vel"][:, :3] = r.standard_normal((n, 3))
    parts["mass"] = r.uniform(1, 2, n)
    params = np.zeros(1, [("dt", F32), ("count", U32), ("pad", F32, 2), ("tint", F32, 4)])
    params["dt"], params["count"], params["tint"] = 0.1, n, [1, 2, 3, 4]
    _, out, pout, _ = run(device, src("rt_swizzle_struct.metal"), "swizzle_struct",
                          [v, Out((n, 4)), parts.view(np.uint8), params.view(np.uint8)], (n,), (1,), mode="threads")
    vd = v.astype(np.float64)
    w = vd.copy()
    w[:, 0], w[:, 1] = vd[:, 1], vd[:, 0]
    w[:, 2:4] += vd[:, 0:2] * 2
    w[:, 0] *= np.array([0.1, 0.2, 0.3, 0.4])[np.arange(n) % 4]
    w[:, 0:3] = w[:, 2::-1] + 0.5
    t = np.stack([w[:, 0], w[:, 3]], axis=1)
    w[:, 1:3] = t
    ref = w * np.array([1, 2, 3, 4]) + np.array([1, 0, 0, 0])
    assert_close(out, ref, 1e-6)
    p = pout.view(ptype)
    dt = 0.1
    pos = parts["pos"][:, :3].astype(np.float64) + parts["vel"][:, :3] * dt
    vel = parts["vel"][:, :3].astype(np.float64).copy()
    vel[:, 1] -= 9.8 * dt
    pos[:, 0] += 1
    pos[:, 2] -= 1
    assert_close(p["pos"][:, :3], pos, 1e-6)
    assert_close(p["mass"], 0.5 * parts["mass"] * (vel ** 2).sum(axis=1), 1e-5)


def test_rt_traits(device):
    n = 64
    r = rng(111)
    a = r.uniform(-10, 10, n).astype(F32)
    b = r.uniform(-10, 10, n).astype(F32)
    b[::7] = 0
    s = src("rt_traits.metal")
    _, _, out, sums = run(device, s, "traits_f32", [a, b, Out(n), Out(n)], (n,), (1,), mode="threads")
    with np.errstate(divide="ignore"):
        ref = np.where(b == 0, np.finfo(F32).max, a.astype(np.float64) / np.where(b == 0, 1, b))
    assert_close(out, ref, 1e-6)
    assert_close(sums, a.astype(np.float64) + b + 3, 1e-6)
    ai, bi = r.integers(-100, 100, n).astype(np.int32), r.integers(-5, 5, n).astype(np.int32)
    _, _, oi, _ = run(device, s, "traits_i32", [ai, bi, Out(n, np.int32), Out(n)], (n,), (1,), mode="threads")
    q = np.where(bi == 0, 1, bi)
    assert_equal(oi, np.where(bi == 0, 2**31 - 1, np.trunc(ai / q)).astype(np.int32))


def test_rt_matrix(device):
    n = 32
    r = rng(112)
    pts = r.standard_normal((n, 4)).astype(F32)
    xf = np.zeros(1, [("model", F32, (4, 4)), ("normal_mat", F32, (3, 4)), ("hmat", np.float16, (4, 4)),
                      ("pad", np.uint8, 8)])
    model = r.standard_normal((4, 4)).astype(F32)  # columns stored contiguously (column-major)
    nm = r.standard_normal((3, 3)).astype(F32)
    hm = r.standard_normal((4, 4)).astype(np.float16)
    xf["model"], xf["normal_mat"][0, :, :3], xf["hmat"] = model, nm, hm
    _, out, normals, _, hout = run(device, src("rt_matrix.metal"), "transform_points",
                                   [pts, Out((n, 4)), Out((n, 4)), xf.view(np.uint8), Out((n, 4), np.float16)],
                                   (n,), (1,), mode="threads")
    P = pts.astype(np.float64)
    assert_close(out, P @ model.astype(np.float64), 1e-6)       # M*p with M[col] = model[col]
    assert_close(normals[:, :3], P[:, :3] @ nm.T.astype(np.float64), 1e-6)  # transpose(N)*n
    assert_close(hout, P @ hm.astype(np.float64), 5e-3)


def test_rt_simdgroup_matrix(device):
    r = rng(113)
    A = r.integers(-4, 4, (8, 8)).astype(F32)
    B = r.integers(-4, 4, (8, 8)).astype(F32)
    _, _, C = run(device, src("rt_steel_mma.metal"), "mma_8x8", [A, B, Out((8, 8))], (1,), (32,))
    assert_equal(C, A @ B)
    Ah, Bh = A.astype(np.float16), B.astype(np.float16)
    _, _, C2 = run(device, src("rt_steel_mma.metal"), "mma_frag", [Ah, Bh, Out(128)], (1,), (32,))
    ref = 2 * (A @ B + 1)
    assert_equal(C2[:64].reshape(8, 8), ref.T)
    lane = np.arange(32)
    fm = (lane // 4 & 4) + (lane // 2) % 4
    fn = (lane // 4 & 2) * 2 + (lane % 2) * 2
    assert_equal(C2[64:].reshape(32, 2), np.stack([ref[fm, fn], ref[fm, fn + 1]], axis=1))


def test_rt_layernorm_gemm_sort_argmax(device):
    r = rng(114)
    rows, axis = 3, 300
    x = r.standard_normal((rows, axis)).astype(F32)
    w, b = r.standard_normal(axis).astype(F32), r.standard_normal(axis).astype(F32)
    _, _, _, out, _, _ = run(device, src("rt_layernorm.metal"), "layer_norm_loopedfloat32",
                             [x, w, b, Out((rows, axis)), Bytes(1e-5, F32), Bytes(axis, U32)], (rows,), (64,))
    xd = x.astype(np.float64)
    ref = (xd - xd.mean(1, keepdims=True)) / np.sqrt(xd.var(1, keepdims=True) + 1e-5) * w + b
    assert_close(out, ref, 1e-5)
    M, N, K = 37, 29, 45
    A, B = r.standard_normal((M, K)).astype(F32), r.standard_normal((K, N)).astype(F32)
    Cin = r.standard_normal((M, N)).astype(F32)
    prm = np.array([(M, N, K, K, N, N, 1.5, 0.5)], [("M", "i4"), ("N", "i4"), ("K", "i4"), ("lda", "i4"),
                                                   ("ldb", "i4"), ("ldc", "i4"), ("alpha", "f4"), ("beta", "f4")])
    _, _, C, _ = run(device, src("rt_gemv_tiled.metal"), "gemm_f32", [A, B, Cin, prm.view(np.uint8)],
                     ((N + 15) // 16, (M + 15) // 16), (16, 16))
    assert_close(C, 1.5 * (A.astype(np.float64) @ B) + 0.5 * Cin, 1e-5)
    n = 300
    v = r.standard_normal(n).astype(F32)
    _, srt, _ = run(device, src("rt_sort_bitonic.metal"), "block_sort_float32_128", [v, Out(n), Bytes(n, np.int32)],
                    ((n + 127) // 128,), (64,))
    ref = np.concatenate([np.sort(v[i:i + 128]) for i in range(0, n, 128)])
    assert_equal(srt, ref)
    am_x = r.standard_normal((5, 333)).astype(F32)
    am_x[2, 100] = am_x[2, 200] = 50  # ties: first index wins
    _, am, _ = run(device, src("rt_arg_reduce.metal"), "argmax_float32", [am_x, Out(5, U32), Bytes(333, np.uint64)],
                   (5,), (64,))
    assert_equal(am, am_x.argmax(axis=1).astype(U32))


def test_rt_address_space_overloads_and_pp_names(device):
    n = 64
    r = rng(115)
    x = r.standard_normal(2 * n).astype(F32)
    c = np.array([0.25, 0.5], F32)
    v = r.standard_normal((n, 4)).astype(F32)
    _, _, out, _ = run(device, src("rt_as_overloads.metal"), "as_overloads", [x, c, Out(n), v], (1,), (n,))
    pair = x.reshape(n, 2).astype(np.float64).sum(axis=1)
    assert_close(out, pair + 10 * pair + 100 * 0.75 + 1000 * (v.astype(np.float64) ** 2).sum(axis=1), 1e-6)
    m = 50
    inp = r.standard_normal(4 * m + 3).astype(F32)
    span = np.array([3, m, 0], U32)
    _, o, _ = run(device, src("rt_pp_names.metal"), "names_everywhere", [inp, Out(m), span], *grid1d(m, 32))
    w = inp[3:].reshape(m, 4).astype(np.float64)
    assert_close(o, (w ** 2).sum(axis=1), 1e-6)  # mask & 1 -> select picks `length`


def test_rt_struct_fields_named_like_swizzles(device):
    n = 16
    r = rng(116)
    inp = r.standard_normal((2 * n + 1, 4)).astype(F32)
    span = np.array([1, n, 2], U32)
    pdt = np.dtype([("rgb", F32, 4), ("a", F32), ("zw", np.float16, 2), ("pad", np.uint8, 8)])
    px = np.zeros(n, pdt)
    px["rgb"][:, :3] = r.standard_normal((n, 3))
    px["zw"] = r.standard_normal((n, 2))
    cam = np.zeros(1, [("xy", F32, 2), ("wz", F32, 2), ("v", F32, 4)])
    cam["xy"], cam["wz"], cam["v"] = [1, 2], [3, 4], [5, 6, 7, 8]
    _, out, _, pout, _ = run(device, src("rt_swizzle_fields.metal"), "swizzle_fields",
                             [inp, Out((n, 4)), span, px.view(np.uint8), cam.view(np.uint8)], (n,), (1,), mode="threads")
    v = inp[1::2][:n].astype(np.float64)
    c = np.array([1, 2]) + np.array([7, 8]) + np.array([2, 1]) + np.array([3, 4])
    ref = np.concatenate([v[:, 2::-1], np.ones((n, 1))], axis=1) + np.array([*c, *c]) + 1 + 2
    assert_close(out, ref, 1e-6)
    p = pout.view(pdt)
    rgb = px["rgb"][:, :3].astype(np.float64) * 2
    rgb[:, [0, 1]] = rgb[:, [1, 0]]
    rgb[:, 2] += 1
    assert_close(p["rgb"][:, :3], rgb, 1e-6)
    assert_close(p["a"], rgb @ np.array([0.299, 0.587, 0.114]), 1e-6)
    assert_close(p["zw"][:, 0], px["zw"][:, 0].astype(np.float64) + 2, 1e-3)


def test_rt_constant_arrays_and_swizzle_incdec(device):
    h, w = 9, 13
    img = rng(117).standard_normal((h, w)).astype(F32)
    cnt = np.zeros(1, U32)
    _, out, c = run(device, src("rt_conv_incdec.metal"), "conv3", [img, Out((h, w)), cnt], (w, h), (1, 1), mode="threads")
    k = np.array([[1, 2, 1], [2, 4, 2], [1, 2, 1]], np.float64) / 16
    pad = np.pad(img.astype(np.float64), 1, mode="edge")
    ref = sum(k[dy, dx] * pad[dy:dy + h, dx:dx + w] for dy in range(3) for dx in range(3))
    assert_close(out, ref, 1e-6)
    assert c[0] == h * w
    n = 8
    v = rng(118).standard_normal((n, 4)).astype(F32)
    vn, old = run(device, src("rt_conv_incdec.metal"), "swizzle_incdec", [v, Out((n, 4))], (n,), (1,), mode="threads")
    q = v.astype(np.float64).copy()
    a = q[:, [0, 1]].copy()
    q[:, [0, 1]] += 1
    q[:, [2, 3]] += 1
    q[:, [1, 2]] -= 1
    b = q[:, [3, 0]].copy()
    q[:, [3, 0]] -= 1
    q[:, [2, 3]] += 1
    assert_close(vn, q, 1e-6)
    assert_close(old, np.concatenate([a, b], axis=1), 1e-6)


def test_rt_mlx_complex(device):
    n = 40
    r = rng(119)
    a = (r.standard_normal(n) + 1j * r.standard_normal(n)).astype(np.complex64)
    b = (r.standard_normal(n) + 1j * r.standard_normal(n)).astype(np.complex64)
    bf = r.standard_normal(n).astype(F32)
    s = src("rt_complex.metal")
    ad = a.astype(np.complex128)
    _, _, o = run(device, s, "cmul_c64_c64", [a, b, Out(n, np.complex64)], (n,), (1,), mode="threads")
    assert_close(o.view(F32), (ad * b - ad / 2).view(np.float64), 1e-6)
    _, _, o2 = run(device, s, "cmul_c64_f32", [a, bf, Out(n, np.complex64)], (n,), (1,), mode="threads")
    assert_close(o2.view(F32), (ad * bf - ad / 2).view(np.float64), 1e-6)


def test_rt_ggml_simdgroup_mm(device):
    r = rng(120)
    A = r.integers(-4, 4, 64).astype(np.float16)
    B = r.integers(-4, 4, 64).astype(F32)
    _, _, C = run(device, src("rt_ggml_simdgroup_mm.metal"), "mm", [A, B, Out(128)], (1,), (32,),
                  tg_mem={0: 64 * 2 + 64 * 4})
    ref = A.astype(np.float64).reshape(8, 8) @ B.astype(np.float64).reshape(8, 8).T
    assert_equal(C[:64].reshape(8, 8), ref)
    assert_equal(C[64:].reshape(8, 8), ref)


@pytest.mark.parametrize("order", ["asc", "desc"])
def test_rt_ggml_argsort(device, order):
    rows, ncols = 3, 64
    x = rng(121).permutation(rows * ncols).astype(F32).reshape(rows, ncols)  # distinct keys
    _, idx, _ = run(device, src("rt_ggml_argsort.metal"), f"kernel_argsort_f32_i32_{order}",
                    [x, Out((rows, ncols), np.int32), Bytes(ncols, np.int64)], (1, rows), (ncols,), tg_mem={0: ncols * 4})
    ref = np.argsort(x, axis=1) if order == "asc" else np.argsort(-x, axis=1)
    assert_equal(idx, ref.astype(np.int32))
    a = rng(122).standard_normal(64).astype(F32)
    _, b = run(device, src("rt_ggml_argsort.metal"), "scaled_2_2", [a, Out(64)], (64,), (64,), mode="threads")
    assert_close(b, a * 4.0, 1e-7)


@pytest.mark.parametrize("tpg", [64, 256])
def test_rt_threadgroup_arrays_in_helpers(device, tpg):
    groups = 3
    x = rng(123).standard_normal(groups * tpg).astype(F32)
    _, out = run(device, src("rt_tg_helpers.metal"), "twice_reduce", [x, Out(groups * 4)], (groups,), (tpg,))
    g = x.reshape(groups, tpg).astype(np.float64)
    o = out.reshape(groups, 4)
    assert_close(o[:, 0], g.sum(1), 1e-5)
    assert_close(o[:, 1], 2 * g.sum(1), 1e-5)
    assert_equal(o[:, 2], g[:, :64].max(1).astype(F32))  # block_max reads the first two SIMD groups
    assert_equal(o[:, 3], (x.reshape(groups, tpg)[:, :64] * np.float32(100)).astype(np.int32).max(1).astype(F32))

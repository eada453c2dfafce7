"""Helpers shared by the test-suite: compile and run kernels, compare with numpy."""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Sequence

import numpy as np

import pymetal as pm

KERNELS = Path(__file__).parent / "kernels"
SHARED = pm.ResourceStorageModeShared
SEED = 20240607


def rng(seed: int = 0) -> np.random.Generator:
    return np.random.default_rng(SEED + seed)


# --------------------------------------------------------------------------- devices
def device_kind(dev) -> str:
    """"cpu", "cuda", "metal" (or whatever ``Device.backend`` reports)."""
    v = getattr(dev, "backend", None)
    if isinstance(v, str) and v:
        return v.lower()
    n = str(dev.name).lower()
    if "cuda" in n or "nvidia" in n:
        return "cuda"
    if "apple" in n or "metal" in n:
        return "metal"
    return "cpu"


def device_ids(devices: Sequence) -> List[str]:
    kinds = [device_kind(d) for d in devices]
    counts: Dict[str, int] = {}
    ids = []
    for k in kinds:
        n = counts.get(k, 0)
        counts[k] = n + 1
        ids.append(k if (k == "cpu" and kinds.count("cpu") == 1) else f"{k}:{n}")
    return ids


_queues: Dict[int, Any] = {}
_queue_lock = threading.Lock()


def queue_for(device):
    with _queue_lock:
        q = _queues.get(id(device))
        if q is None:
            q = device.new_command_queue()
            _queues[id(device)] = (device, q)
            return q
        return q[1]


# --------------------------------------------------------------------------- compile
def compile_options(defines=None, include_paths=None, fast_math=None):
    """Compile options in whatever form the extension takes (an options object or a dict)."""
    cls = getattr(pm, "CompileOptions", None)
    if cls is not None:
        kw: Dict[str, Any] = {}
        if defines is not None:
            kw["defines"] = dict(defines)
        if include_paths is not None:
            kw["include_paths"] = [str(p) for p in include_paths]
        if fast_math is not None:
            kw["fast_math"] = fast_math
        return cls(**kw)
    d: Dict[str, Any] = {}
    if defines is not None:
        d["defines"] = dict(defines)
    if include_paths is not None:
        d["include_paths"] = [str(p) for p in include_paths]
    if fast_math is not None:
        d["fast_math"] = fast_math
    return d


_lib_cache: Dict[Any, Any] = {}
_pso_cache: Dict[Any, Any] = {}
_cache_lock = threading.Lock()


def kernel_source(name: str) -> str:
    return (KERNELS / name).read_text()


def library(device, source: str, options=None):
    key = (id(device), source, repr(options))
    with _cache_lock:
        lib = _lib_cache.get(key)
    if lib is None:
        if options is None:
            lib = device.new_library_with_source(source)
        else:
            lib = device.new_library_with_source(source, options)
        with _cache_lock:
            _lib_cache[key] = lib
    return lib


def _cv_key(cv):
    if cv is None:
        return None
    return tuple(sorted((str(k), repr(v)) for k, v in cv.items()))


def pipeline(device, source: str, name: str, constant_values=None, options=None):
    key = (id(device), source, name, _cv_key(constant_values), repr(options))
    with _cache_lock:
        pso = _pso_cache.get(key)
    if pso is None:
        lib = library(device, source, options)
        if constant_values is None:
            fn = lib.new_function(name)
        else:
            fn = lib.new_function(name, constant_values=constant_values)
        assert fn is not None, f"kernel {name!r} not found; library has {list(lib.function_names)}"
        pso = device.new_compute_pipeline_state(fn)
        with _cache_lock:
            _pso_cache[key] = pso
    return pso


# --------------------------------------------------------------------------- buffers
def poison(arr: np.ndarray) -> None:
    """Fill with NaN (floating point) or 0xFF bytes (everything else)."""
    if arr.dtype.kind in "fc":
        arr[...] = np.nan
    else:
        arr.view(np.uint8)[...] = 0xFF


def buffer_from(device, arr: np.ndarray):
    arr = np.ascontiguousarray(arr)
    return device.new_buffer_with_data(arr, SHARED)


def empty_buffer(device, nbytes: int, do_poison: bool = True):
    buf = device.new_buffer(int(nbytes), SHARED)
    if do_poison:
        buf.contents()[:] = 0xFF
    return buf


def view(buf, dtype, shape=None) -> np.ndarray:
    dtype = np.dtype(dtype)
    raw = buf.contents()
    if shape is None:
        return raw.view(dtype)
    n = int(np.prod(shape)) if shape != () else 1
    return raw[: n * dtype.itemsize].view(dtype).reshape(shape)


class Out:
    """An output buffer: allocated, poisoned, read back after the run."""

    def __init__(self, shape, dtype=np.float32, fill=None):
        self.shape = tuple(shape) if isinstance(shape, (tuple, list)) else (int(shape),)
        self.dtype = np.dtype(dtype)
        self.fill = fill


class Bytes:
    """Inline constant data passed with ``set_bytes``."""

    def __init__(self, value, dtype=None):
        a = np.asarray(value, dtype=dtype)
        self.data = a.tobytes()


def run(
    device,
    source: str,
    name: str,
    args: Sequence,
    grid,
    group,
    mode: str = "threadgroups",
    constant_values=None,
    options=None,
    tg_mem: Optional[Dict[int, int]] = None,
    queue=None,
) -> List[Optional[np.ndarray]]:
    """Run kernel ``name``; argument i binds to index i.

    ``args`` items: numpy array (uploaded; read back afterwards), :class:`Out` (poisoned output),
    :class:`Bytes` (``set_bytes``), or None (index left unbound). ``grid`` is the threadgroup
    count (mode "threadgroups") or the thread count (mode "threads"); 1-3 dims.
    Returns a list with the read-back array for every buffer argument (None elsewhere).
    """
    pso = pipeline(device, source, name, constant_values, options)
    q = queue if queue is not None else queue_for(device)
    bufs = []
    for a in args:
        if isinstance(a, Out):
            nbytes = int(np.prod(a.shape)) * a.dtype.itemsize
            buf = device.new_buffer(max(nbytes, 1), SHARED)
            v = view(buf, a.dtype, a.shape)
            if a.fill is None:
                poison(v)
            else:
                v[...] = a.fill
            bufs.append((buf, a.dtype, a.shape))
        elif isinstance(a, np.ndarray):
            buf = buffer_from(device, a)
            bufs.append((buf, a.dtype, a.shape))
        else:
            bufs.append(None)
    cb = q.command_buffer()
    enc = cb.compute_command_encoder()
    enc.set_compute_pipeline_state(pso)
    for i, (a, b) in enumerate(zip(args, bufs)):
        if b is not None:
            enc.set_buffer(b[0], 0, i)
        elif isinstance(a, Bytes):
            enc.set_bytes(a.data, i)
    for idx, length in (tg_mem or {}).items():
        enc.set_threadgroup_memory_length(length, idx)
    g = tuple(grid) + (1,) * (3 - len(tuple(grid)))
    t = tuple(group) + (1,) * (3 - len(tuple(group)))
    if mode == "threadgroups":
        enc.dispatch_threadgroups(*g, *t)
    elif mode == "threads":
        enc.dispatch_threads(*g, *t)
    else:
        raise ValueError(mode)
    enc.end_encoding()
    cb.commit()
    cb.wait_until_completed()
    assert cb.status == pm.CommandBufferStatus.Completed, f"status {cb.status}, error {getattr(cb, 'error', None)}"
    out: List[Optional[np.ndarray]] = []
    for b in bufs:
        if b is None:
            out.append(None)
        else:
            buf, dt, shape = b
            out.append(view(buf, dt, shape).copy())
    return out


def commit_1d(device, lib, name: str, buffers: Sequence, n: int, set_bytes=None, tg: int = 64):
    """Dispatch ``n`` threads of kernel ``name`` of ``lib`` (``buffers[i]`` at index i, None
    skipped; ``set_bytes`` maps index -> bytes), commit, wait, and return the command buffer,
    whatever its status (for tests of failing kernels)."""
    pso = device.new_compute_pipeline_state(lib.new_function(name))
    cb = device.new_command_queue().command_buffer()
    enc = cb.compute_command_encoder()
    enc.set_compute_pipeline_state(pso)
    for i, b in enumerate(buffers):
        if b is not None:
            enc.set_buffer(b, 0, i)
    for i, data in (set_bytes or {}).items():
        enc.set_bytes(data, i)
    enc.dispatch_threads(n, 1, 1, tg, 1, 1)
    enc.end_encoding()
    cb.commit()
    cb.wait_until_completed()
    return cb


def grid1d(n: int, tpg: int = 256):
    return ((n + tpg - 1) // tpg,), (tpg,)


# --------------------------------------------------------------------------- comparison
def rel_err(actual, expected) -> float:
    a = np.asarray(actual, dtype=np.float64).ravel()
    e = np.asarray(expected, dtype=np.float64).ravel()
    assert a.shape == e.shape, f"shape {a.shape} != {e.shape}"
    denom = np.linalg.norm(e)
    return float(np.linalg.norm(a - e) / (denom if denom > 0 else 1.0))


def assert_close(actual, expected, rtol: float = 1e-5, what: str = "") -> None:
    """Relative-norm comparison in float64; NaN/inf where numpy has a finite value fails."""
    a = np.asarray(actual, dtype=np.float64)
    e = np.asarray(expected, dtype=np.float64)
    assert a.shape == e.shape, f"{what} shape {a.shape} != {e.shape}"
    fin = np.isfinite(e)
    bad = fin & ~np.isfinite(a)
    assert not bad.any(), (
        f"{what}: {int(bad.sum())} non-finite results where finite expected, first at "
        f"{np.argwhere(bad)[0].tolist()} (got {a[bad].ravel()[:4]}, want {e[bad].ravel()[:4]})"
    )
    np.testing.assert_array_equal(np.isnan(a[~fin]), np.isnan(e[~fin]), err_msg=f"{what}: NaN pattern")
    err = rel_err(a[fin], e[fin])
    if err > rtol:
        diff = np.abs(a - e)
        diff[~fin] = 0
        worst = np.unravel_index(np.argmax(diff), diff.shape)
        raise AssertionError(
            f"{what}: relative error {err:.3g} > {rtol:.1g}; worst at {list(worst)}: got {a[worst]!r}, want {e[worst]!r}"
        )


def assert_equal(actual, expected, what: str = "") -> None:
    np.testing.assert_array_equal(np.asarray(actual), np.asarray(expected), err_msg=what)


def rss_bytes() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")

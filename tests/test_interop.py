"""Zero-copy interop: DLPack (``__dlpack__``/``__dlpack_device__``) and, for CUDA buffers,
``__cuda_array_interface__`` (CuPy, PyTorch).

The numpy tests run on every host device (kDLCPU exports); the CuPy/PyTorch ones need a
CUDA device and the library, and are skipped with the reason shown otherwise.
"""

import gc

import numpy as np
import pytest

import pymetal as pm

from mtl_helpers import device_kind

SHARED = pm.ResourceStorageModeShared
PRIVATE = pm.ResourceStorageModePrivate

ALL = list(pm.copy_all_devices())
HOST = [d for d in ALL if device_kind(d) == "cpu"]
CUDA = [d for d in ALL if device_kind(d) == "cuda"]

NP_DLPACK = hasattr(np, "from_dlpack")  # numpy >= 1.22


def _data(n=64):
    return np.arange(n, dtype=np.float32)


# ------------------------------------------------------------------ host (numpy)
@pytest.mark.skipif(not HOST, reason="no host (cpu) device")
@pytest.mark.skipif(not NP_DLPACK, reason="numpy < 1.22 has no from_dlpack")
def test_numpy_from_dlpack_shares_memory():
    d = HOST[0]
    b = d.new_buffer_with_data(_data())
    assert b.__dlpack_device__() == (1, 0)
    a = np.from_dlpack(b)
    assert a.dtype == np.uint8 and a.shape == (b.length,)
    np.testing.assert_array_equal(a.view(np.float32), _data())
    a.view(np.float32)[3] = 42.0
    assert b.contents().view(np.float32)[3] == 42.0
    b.contents().view(np.float32)[5] = -1.0
    assert a.view(np.float32)[5] == -1.0


@pytest.mark.skipif(not HOST, reason="no host (cpu) device")
@pytest.mark.skipif(not NP_DLPACK, reason="numpy < 1.22 has no from_dlpack")
def test_dlpack_export_keeps_buffer_alive():
    d = HOST[0]
    b = d.new_buffer_with_data(_data(1024))
    a = np.from_dlpack(b)
    del b
    gc.collect()
    # the array still reads the buffer's memory (the capsule holds the buffer)
    np.testing.assert_array_equal(a.view(np.float32), _data(1024))


@pytest.mark.skipif(not HOST, reason="no host (cpu) device")
def test_unconsumed_capsules_are_released():
    d = HOST[0]
    b = d.new_buffer(16)
    for kw in ({}, {"max_version": (1, 0)}, {"stream": None}):
        cap = b.__dlpack__(**kw)
        assert type(cap).__name__ == "PyCapsule"
        del cap  # the capsule destructor calls the deleter once
    gc.collect()


@pytest.mark.skipif(not HOST, reason="no host (cpu) device")
def test_host_buffers_have_no_cuda_array_interface():
    b = HOST[0].new_buffer(16)
    assert not hasattr(b, "__cuda_array_interface__")


@pytest.mark.skipif(not HOST, reason="no host (cpu) device")
def test_dlpack_rejects_copy_and_foreign_device():
    b = HOST[0].new_buffer(16)
    with pytest.raises(BufferError):
        b.__dlpack__(copy=True)
    with pytest.raises(BufferError):
        b.__dlpack__(dl_device=(2, 0))
    b.__dlpack__(dl_device=(1, 0), copy=False)


# ------------------------------------------------------------------ CUDA
def _cuda_device():
    if not CUDA:
        pytest.skip("no CUDA device")
    return CUDA[0]


def _cuda_buffers(d):
    yield d.new_buffer_with_data(_data(), SHARED)
    # Private: fill through a blit from a Shared one
    src = d.new_buffer_with_data(_data(), SHARED)
    dst = d.new_buffer(src.length, PRIVATE)
    q = d.new_command_queue()
    cb = q.command_buffer()
    enc = cb.blit_command_encoder()
    enc.copy_from_buffer(src, 0, dst, 0, src.length)
    enc.end_encoding()
    cb.commit()
    cb.wait_until_completed()
    yield dst


def test_cuda_array_interface_shape():
    d = _cuda_device()
    b = d.new_buffer(256, SHARED)
    cai = b.__cuda_array_interface__
    assert cai["version"] == 3
    assert cai["shape"] == (256,)
    assert cai["typestr"] == "|u1"
    assert cai["strides"] is None
    ptr, ro = cai["data"]
    assert ptr != 0 and ro is False
    dev_type, ordinal = b.__dlpack_device__()
    assert dev_type == 2 and ordinal >= 0


def test_cupy_shares_memory():
    d = _cuda_device()
    cupy = pytest.importorskip("cupy", reason="cupy not importable")
    for b in _cuda_buffers(d):
        a = cupy.asarray(b)
        assert a.data.ptr == b.__cuda_array_interface__["data"][0]
        assert float(a.view(cupy.float32).sum()) == float(_data().sum())
        x = cupy.from_dlpack(b)
        assert x.data.ptr == a.data.ptr
        x.view(cupy.float32)[0] = 7.0
        cupy.cuda.Device().synchronize()
        assert float(a.view(cupy.float32)[0]) == 7.0


def test_torch_shares_memory():
    d = _cuda_device()
    torch = pytest.importorskip("torch", reason="torch not importable")
    if not torch.cuda.is_available():
        pytest.skip("torch has no CUDA")
    for b in _cuda_buffers(d):
        t = torch.as_tensor(b, device="cuda")
        assert t.data_ptr() == b.__cuda_array_interface__["data"][0]
        assert float(t.view(torch.float32).sum()) == float(_data().sum())
        u = torch.utils.dlpack.from_dlpack(b) if not hasattr(torch, "from_dlpack") else torch.from_dlpack(b)
        assert u.data_ptr() == t.data_ptr()
        u.view(torch.float32)[1] = 5.0
        torch.cuda.synchronize()
        assert float(t.view(torch.float32)[1]) == 5.0


def test_torch_dlpack_keeps_buffer_alive():
    d = _cuda_device()
    torch = pytest.importorskip("torch", reason="torch not importable")
    if not torch.cuda.is_available():
        pytest.skip("torch has no CUDA")
    b = d.new_buffer_with_data(_data(), SHARED)
    t = torch.from_dlpack(b)
    del b
    gc.collect()
    assert float(t.view(torch.float32).sum()) == float(_data().sum())

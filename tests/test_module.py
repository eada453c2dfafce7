"""Module-level API: functions, exceptions, constants, enums, value types, submodules."""

import importlib
import os
import subprocess
import sys

import pytest

import pymetal as pm

from mtl_helpers import device_kind


# ------------------------------------------------------------------ functions
def test_version():
    assert pm.__version__ == "0.1.5"


def test_create_system_default_device():
    d = pm.create_system_default_device()
    assert d is not None
    assert isinstance(d.name, str) and d.name
    assert isinstance(d, pm.Device)


def test_copy_all_devices():
    devs = pm.copy_all_devices()
    assert isinstance(devs, list)
    assert len(devs) >= 1
    assert all(isinstance(d, pm.Device) for d in devs)
    names = [d.name for d in devs]
    assert pm.create_system_default_device().name in names
    assert any(device_kind(d) == "cpu" for d in devs), f"no CPU device in {names}"


def test_default_device_identity_is_stable():
    a = pm.create_system_default_device()
    b = pm.create_system_default_device()
    assert a.registry_id == b.registry_id
    assert a.name == b.name


def test_pymetal_device_env_selects_cpu():
    code = "import pymetal as pm; print(pm.create_system_default_device().name)"
    env = dict(os.environ, PYMETAL_DEVICE="cpu")
    r = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    cpu_names = [d.name for d in pm.copy_all_devices() if device_kind(d) == "cpu"]
    assert r.stdout.strip() in cpu_names


@pytest.mark.gpu
def test_cuda_device_present():
    devs = [d for d in pm.copy_all_devices() if device_kind(d) == "cuda"]
    assert devs
    assert all(d.max_threads_per_threadgroup.width == 1024 for d in devs)


# ------------------------------------------------------------------ exceptions
def test_exception_hierarchy():
    from pymetal import exceptions

    assert issubclass(pm.MetalError, Exception)
    for name in ("CompileError", "PipelineError", "ResourceError", "ValidationError"):
        cls = getattr(pm, name)
        assert issubclass(cls, pm.MetalError), name
        assert getattr(exceptions, name) is cls
    assert exceptions.MetalError is pm.MetalError


# ------------------------------------------------------------------ constants
RESOURCE_OPTIONS = {
    "ResourceCPUCacheModeDefaultCache": 0,
    "ResourceCPUCacheModeWriteCombined": 1,
    "ResourceStorageModeShared": 0,
    "ResourceStorageModeManaged": 16,
    "ResourceStorageModePrivate": 32,
    "ResourceStorageModeMemoryless": 48,
    "ResourceHazardTrackingModeUntracked": 256,
}
COLOR_WRITE_MASK = {
    "ColorWriteMaskNone": 0,
    "ColorWriteMaskRed": 8,
    "ColorWriteMaskGreen": 4,
    "ColorWriteMaskBlue": 2,
    "ColorWriteMaskAlpha": 1,
    "ColorWriteMaskAll": 15,
}
INDIRECT = {
    "IndirectCommandTypeDraw": 1,
    "IndirectCommandTypeDrawIndexed": 2,
    "IndirectCommandTypeDrawPatches": 4,
    "IndirectCommandTypeDrawIndexedPatches": 8,
}


@pytest.mark.parametrize("table", [RESOURCE_OPTIONS, COLOR_WRITE_MASK, INDIRECT], ids=["resource", "colormask", "indirect"])
def test_constants_are_plain_ints_with_metal_values(table):
    for name, value in table.items():
        v = getattr(pm, name)
        assert type(v) is int, name
        assert v == value, name
        assert getattr(pm.enums, name) == value, name


# ------------------------------------------------------------------ enums
ENUMS = {
    "StorageMode": "Shared Managed Private Memoryless",
    "CPUCacheMode": "DefaultCache WriteCombined",
    "LoadAction": "DontCare Load Clear",
    "StoreAction": "DontCare Store MultisampleResolve StoreAndMultisampleResolve Unknown CustomSampleDepthStore",
    "CommandBufferStatus": "NotEnqueued Enqueued Committed Scheduled Completed Error",
    "FunctionType": "Vertex Fragment Kernel",
    "PixelFormat": "Invalid RGBA8Unorm RGBA8Unorm_sRGB BGRA8Unorm BGRA8Unorm_sRGB Depth32Float Stencil8 "
    "Depth24Unorm_Stencil8 Depth32Float_Stencil8 R32Float RG32Float RGBA32Float R16Float RG16Float RGBA16Float",
    "PrimitiveType": "Point Line LineStrip Triangle TriangleStrip",
    "IndexType": "UInt16 UInt32",
    "VertexFormat": "Float Float2 Float3 Float4 Int Int2 Int3 Int4 UInt UInt2 UInt3 UInt4",
    "VertexStepFunction": "PerVertex PerInstance",
    "CullMode": "None Front Back",
    "Winding": "Clockwise CounterClockwise",
    "TextureType": "Type1D Type2D Type3D TypeCube Type2DArray",
    "SamplerMinMagFilter": "Nearest Linear",
    "SamplerMipFilter": "NotMipmapped Nearest Linear",
    "SamplerAddressMode": "ClampToEdge MirrorClampToEdge Repeat MirrorRepeat ClampToZero",
    "CompareFunction": "Never Less Equal LessEqual Greater NotEqual GreaterEqual Always",
    "BlendFactor": "Zero One SourceColor OneMinusSourceColor SourceAlpha OneMinusSourceAlpha DestinationColor "
    "OneMinusDestinationColor DestinationAlpha OneMinusDestinationAlpha",
    "BlendOperation": "Add Subtract ReverseSubtract Min Max",
    "StencilOperation": "Keep Zero Replace IncrementClamp DecrementClamp Invert IncrementWrap DecrementWrap",
    "DataType": "None Struct Array Float Float2 Float3 Float4 Int Int2 Int3 Int4 UInt UInt2 UInt3 UInt4 Texture Sampler",
    "BindingAccess": "ReadOnly ReadWrite WriteOnly",
}


@pytest.mark.parametrize("enum_name", sorted(ENUMS))
def test_enum_members(enum_name):
    enum = getattr(pm, enum_name)
    assert getattr(pm.enums, enum_name) is enum
    members = ENUMS[enum_name].split()
    values = []
    for m in members:
        v = getattr(enum, m)
        values.append(v)
        # export_values(): every member name is also a module attribute
        assert hasattr(pm, m), f"pm.{m} (from {enum_name}) missing"
    assert len(set(values)) == len(members), f"{enum_name} members are not distinct"
    for m, v in zip(members, values):
        assert getattr(enum, m) == v


def test_exported_values_of_unique_names():
    assert pm.Shared == pm.StorageMode.Shared
    assert pm.Kernel == pm.FunctionType.Kernel
    assert pm.Clear == pm.LoadAction.Clear
    assert pm.Completed == pm.CommandBufferStatus.Completed
    assert pm.WriteCombined == pm.CPUCacheMode.WriteCombined


def test_command_buffer_status_order():
    s = pm.CommandBufferStatus
    vals = [int(x) for x in (s.NotEnqueued, s.Enqueued, s.Committed, s.Scheduled, s.Completed, s.Error)]
    assert vals == [0, 1, 2, 3, 4, 5]


# ------------------------------------------------------------------ value types
def test_origin():
    o = pm.Origin()
    assert (o.x, o.y, o.z) == (0, 0, 0)
    o = pm.Origin(1, 2, 3)
    assert (o.x, o.y, o.z) == (1, 2, 3)
    o = pm.Origin(x=4, z=6)
    assert (o.x, o.y, o.z) == (4, 0, 6)
    o.y = 9
    assert o.y == 9


def test_size():
    s = pm.Size(16)
    assert (s.width, s.height, s.depth) == (16, 1, 1)
    s = pm.Size(4, 5, 6)
    assert (s.width, s.height, s.depth) == (4, 5, 6)
    s = pm.Size(width=2, height=3)
    assert (s.width, s.height, s.depth) == (2, 3, 1)
    s.depth = 7
    s.width = 8
    assert (s.width, s.depth) == (8, 7)
    with pytest.raises(TypeError):
        pm.Size()


def test_range():
    r = pm.Range(16, 64)
    assert (r.location, r.length) == (16, 64)
    r = pm.Range(location=1, length=2)
    r.length = 10
    r.location = 3
    assert (r.location, r.length) == (3, 10)
    with pytest.raises(TypeError):
        pm.Range(1)


def test_clear_color():
    c = pm.ClearColor(0.1, 0.2, 0.3, 1.0)
    assert c.red == pytest.approx(0.1)
    assert c.green == pytest.approx(0.2)
    assert c.blue == pytest.approx(0.3)
    assert c.alpha == pytest.approx(1.0)
    c.red = 2.5  # outside 0..1 allowed
    c.alpha = -1.0
    assert c.red == pytest.approx(2.5) and c.alpha == pytest.approx(-1.0)
    with pytest.raises(TypeError):
        pm.ClearColor(0.1, 0.2, 0.3)


# ------------------------------------------------------------------ submodules
def test_submodules_importable():
    for name in ("enums", "types", "compute", "graphics", "advanced", "shader", "exceptions"):
        mod = importlib.import_module(f"pymetal.{name}")
        assert getattr(pm, name) is mod


def test_submodule_contents():
    for name in ("Origin", "Size", "Range", "ClearColor"):
        assert getattr(pm.types, name) is getattr(pm, name)
    for name in ("ComputePipelineState", "ComputeCommandEncoder"):
        assert getattr(pm.compute, name) is getattr(pm, name)
    assert pm.advanced.BlitCommandEncoder is pm.BlitCommandEncoder
    for name in ENUMS:
        assert getattr(pm.enums, name) is getattr(pm, name)


def test_phase1_classes_exported():
    for name in (
        "Device", "CommandQueue", "CommandBuffer", "Buffer", "Library", "Function",
        "ComputePipelineState", "ComputeCommandEncoder", "BlitCommandEncoder",
    ):
        assert hasattr(pm, name), name


def test_objects_not_constructible_from_python():
    for name in ("Device", "Buffer", "CommandQueue", "Library"):
        with pytest.raises(TypeError):
            getattr(pm, name)()

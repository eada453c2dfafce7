"""pymetal: Apple's Metal API for Python, on Metal, CUDA and the CPU.

``import pymetal as pm``; ``pm.create_system_default_device()`` picks ``PYMETAL_DEVICE``
(``cpu``, ``cuda``, ``cuda:N``, ``metal``) if set, else the first device.
"""

from . import enums as _enums
from .exceptions import CompileError, MetalError, PipelineError, ResourceError, ValidationError
from .enums import *  # noqa: F401,F403  (the enums and the ResourceOptions/ColorWriteMask/... constants)
from ._native import (
    BlitCommandEncoder,
    Buffer,
    ClearColor,
    CommandBuffer,
    CommandQueue,
    CompileOptions,
    ComputeCommandEncoder,
    ComputePipelineState,
    Device,
    Fence,
    Heap,
    HeapDescriptor,
    Function,
    Library,
    MetalDrawable,
    MetalLayer,
    Origin,
    Range,
    SamplerDescriptor,
    SamplerState,
    Size,
    Texture,
    TextureDescriptor,
    backends,
    # render (pymetal.graphics / pymetal.types)
    DepthStencilDescriptor,
    DepthStencilState,
    RenderCommandEncoder,
    RenderPassAttachmentDescriptor,
    RenderPassColorAttachmentDescriptor,
    RenderPassDepthAttachmentDescriptor,
    RenderPassDescriptor,
    RenderPassStencilAttachmentDescriptor,
    RenderPipelineColorAttachmentDescriptor,
    RenderPipelineDescriptor,
    RenderPipelineState,
    ScissorRect,
    StencilDescriptor,
    VertexAttributeDescriptor,
    VertexBufferLayoutDescriptor,
    VertexDescriptor,
    Viewport,
    copy_all_devices,
    create_system_default_device,
)
from ._native import __version__ as __build_version__  # noqa: E402  (the pymetal-rs crate version)

# The version of the PyMetal API this package implements (the reference package's version).
__version__ = "0.1.5"

from . import types, compute, graphics, advanced  # noqa: E402,F401
from . import shader  # noqa: E402,F401

# As the reference's nanobind export_values(): every enum member is also a module attribute,
# the last registered enum winning a name shared by several (pm.Shared, pm.Kernel, pm.Clear...).
# A class of the same name wins over a member (pm.Texture is the class; DataType.Texture stays
# reachable through its enum).
# Members added beyond the reference's lists do not displace a name the reference exports
# (pm.Invalid stays PixelFormat.Invalid although VertexFormat now has an Invalid too).
_ADDED = {("VertexFormat", "Invalid")}
for _enum in _enums.ALL_ENUMS:
    for _name, _member in _enum.__members__.items():
        if not isinstance(globals().get(_name), type) and (_enum.__name__, _name) not in _ADDED:
            globals()[_name] = _member
del _enum, _name, _member, _ADDED

# No __all__: as with the reference's extension module, `from pymetal import *` exports
# every public name, enum members included.

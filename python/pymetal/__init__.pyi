# Type stub of the pymetal package (the classes live in pymetal._native).
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, Tuple, Union, overload

import numpy as np
import numpy.typing as npt

from . import advanced as advanced
from . import compute as compute
from . import enums as enums
from . import exceptions as exceptions
from . import graphics as graphics
from . import shader as shader
from . import types as types
from .enums import *
from .exceptions import (
    CompileError as CompileError,
    MetalError as MetalError,
    PipelineError as PipelineError,
    ResourceError as ResourceError,
    ValidationError as ValidationError,
)

__version__: str
__build_version__: str

_BytesLike = Union[bytes, bytearray, memoryview, npt.NDArray[Any], Any]
_Define = Union[str, int, float, bool, None]
_CompileOptionsArg = Union[None, "CompileOptions", Mapping[str, Any]]
_ConstantValues = Mapping[Union[str, int], Union[bool, int, float]]

def create_system_default_device() -> Device: ...
def copy_all_devices() -> List[Device]: ...
def backends() -> List[Tuple[str, List[Device]]]: ...

class Origin:
    x: int
    y: int
    z: int
    def __init__(self, x: int = 0, y: int = 0, z: int = 0) -> None: ...

class Size:
    width: int
    height: int
    depth: int
    def __init__(self, width: int, height: int = 1, depth: int = 1) -> None: ...

class Range:
    location: int
    length: int
    def __init__(self, location: int, length: int) -> None: ...

class ClearColor:
    red: float
    green: float
    blue: float
    alpha: float
    def __init__(self, red: float, green: float, blue: float, alpha: float) -> None: ...

class CompileOptions:
    include_paths: List[str]
    fast_math: bool
    file_name: str
    def __init__(
        self,
        defines: Union[Mapping[str, _Define], Sequence[str], None] = None,
        include_paths: Optional[Sequence[str]] = None,
        fast_math: bool = False,
        file_name: Optional[str] = None,
    ) -> None: ...
    @property
    def defines(self) -> Dict[str, str]: ...
    @defines.setter
    def defines(self, value: Union[Mapping[str, _Define], Sequence[str]]) -> None: ...
    def define(self, name: str, value: _Define = None) -> CompileOptions: ...

class Device:
    def new_command_queue(self) -> CommandQueue: ...
    def new_buffer(self, length: int, options: int = 0) -> Buffer: ...
    @overload
    def new_buffer_with_data(self, data: _BytesLike, options: int = 0) -> Buffer: ...
    @overload
    def new_buffer_with_data(self, data: _BytesLike, length: int, options: int) -> Buffer: ...
    def new_library_with_source(self, source: str, options: _CompileOptionsArg = None) -> Library: ...
    def new_compute_pipeline_state(self, function: Function) -> ComputePipelineState: ...
    @property
    def name(self) -> str: ...
    @property
    def max_threads_per_threadgroup(self) -> Size: ...
    @property
    def max_threadgroup_memory_length(self) -> int: ...
    @property
    def is_low_power(self) -> bool: ...
    @property
    def is_headless(self) -> bool: ...
    @property
    def is_removable(self) -> bool: ...
    @property
    def has_unified_memory(self) -> bool: ...
    @property
    def registry_id(self) -> int: ...
    @property
    def recommended_max_working_set_size(self) -> int: ...
    @property
    def max_buffer_length(self) -> int: ...
    @property
    def backend(self) -> str: ...
    @property
    def spec(self) -> str: ...

class CommandQueue:
    def command_buffer(self) -> CommandBuffer: ...
    @property
    def device(self) -> Device: ...
    label: str

class CommandBuffer:
    def compute_command_encoder(self) -> ComputeCommandEncoder: ...
    def blit_command_encoder(self) -> BlitCommandEncoder: ...
    def enqueue(self) -> None: ...
    def commit(self) -> None: ...
    def wait_until_completed(self) -> None: ...
    def wait_until_scheduled(self) -> None: ...
    def add_completed_handler(self, handler: Callable[[CommandBuffer], Any]) -> None: ...
    def add_scheduled_handler(self, handler: Callable[[CommandBuffer], Any]) -> None: ...
    @property
    def status(self) -> CommandBufferStatus: ...
    @property
    def error(self) -> Optional[MetalError]: ...
    @property
    def command_queue(self) -> CommandQueue: ...
    @property
    def device(self) -> Device: ...
    label: str

class ComputeCommandEncoder:
    def set_compute_pipeline_state(self, state: ComputePipelineState) -> None: ...
    def set_buffer(self, buffer: Buffer, offset: int, index: int) -> None: ...
    def set_buffer_offset(self, offset: int, index: int) -> None: ...
    def set_bytes(self, data: _BytesLike, index: int) -> None: ...
    def set_threadgroup_memory_length(self, length: int, index: int) -> None: ...
    def dispatch_threadgroups(
        self,
        threadgroups_x: int,
        threadgroups_y: int,
        threadgroups_z: int,
        threads_x: int,
        threads_y: int,
        threads_z: int,
    ) -> None: ...
    def dispatch_threads(
        self,
        threads_x: int,
        threads_y: int,
        threads_z: int,
        threads_per_group_x: int,
        threads_per_group_y: int,
        threads_per_group_z: int,
    ) -> None: ...
    def end_encoding(self) -> None: ...
    @property
    def command_buffer(self) -> CommandBuffer: ...
    @property
    def device(self) -> Device: ...
    label: str

class BlitCommandEncoder:
    def copy_from_buffer(
        self,
        source_buffer: Buffer,
        source_offset: int,
        destination_buffer: Buffer,
        destination_offset: int,
        size: int,
    ) -> None: ...
    def fill_buffer(self, buffer: Buffer, range: Union[Range, Tuple[int, int]], value: int) -> None: ...
    def synchronize_resource(self, resource: Buffer) -> None: ...
    def end_encoding(self) -> None: ...
    @property
    def command_buffer(self) -> CommandBuffer: ...
    @property
    def device(self) -> Device: ...
    label: str

class Buffer:
    def contents(self) -> npt.NDArray[np.uint8]: ...
    def did_modify_range(self, offset: int, length: int) -> None: ...
    @property
    def length(self) -> int: ...
    @property
    def gpu_address(self) -> int: ...
    @property
    def storage_mode(self) -> StorageMode: ...
    @property
    def resource_options(self) -> int: ...
    @property
    def device(self) -> Device: ...
    label: str
    def __len__(self) -> int: ...

class Library:
    def new_function(self, name: str, constant_values: Optional[_ConstantValues] = None) -> Optional[Function]: ...
    @property
    def function_names(self) -> List[str]: ...
    @property
    def device(self) -> Device: ...
    label: str

class Function:
    @property
    def name(self) -> str: ...
    @property
    def function_type(self) -> FunctionType: ...
    @property
    def library(self) -> Library: ...
    @property
    def device(self) -> Device: ...

class ComputePipelineState:
    @property
    def max_total_threads_per_threadgroup(self) -> int: ...
    @property
    def thread_execution_width(self) -> int: ...
    @property
    def static_threadgroup_memory_length(self) -> int: ...
    @property
    def device(self) -> Device: ...

# Every enum member is also a module attribute (nanobind export_values(); the last
# enum registered wins a shared name). `None` (DataType.None) exists too but cannot be
# declared in a stub.
Shared: StorageMode
Managed: StorageMode
Private: StorageMode
Memoryless: StorageMode
DefaultCache: CPUCacheMode
WriteCombined: CPUCacheMode
DontCare: StoreAction
Load: LoadAction
Clear: LoadAction
Store: StoreAction
MultisampleResolve: StoreAction
StoreAndMultisampleResolve: StoreAction
Unknown: StoreAction
CustomSampleDepthStore: StoreAction
NotEnqueued: CommandBufferStatus
Enqueued: CommandBufferStatus
Committed: CommandBufferStatus
Scheduled: CommandBufferStatus
Completed: CommandBufferStatus
Error: CommandBufferStatus
Vertex: FunctionType
Fragment: FunctionType
Kernel: FunctionType
Invalid: PixelFormat
R16Float: PixelFormat
R32Float: PixelFormat
RG16Float: PixelFormat
RGBA8Unorm: PixelFormat
RGBA8Unorm_sRGB: PixelFormat
BGRA8Unorm: PixelFormat
BGRA8Unorm_sRGB: PixelFormat
RG32Float: PixelFormat
RGBA16Float: PixelFormat
RGBA32Float: PixelFormat
Depth32Float: PixelFormat
Stencil8: PixelFormat
Depth24Unorm_Stencil8: PixelFormat
Depth32Float_Stencil8: PixelFormat
Point: PrimitiveType
Line: PrimitiveType
LineStrip: PrimitiveType
Triangle: PrimitiveType
TriangleStrip: PrimitiveType
UInt16: IndexType
UInt32: IndexType
Float: DataType
Float2: DataType
Float3: DataType
Float4: DataType
Int: DataType
Int2: DataType
Int3: DataType
Int4: DataType
UInt: DataType
UInt2: DataType
UInt3: DataType
UInt4: DataType
PerVertex: VertexStepFunction
PerInstance: VertexStepFunction
Front: CullMode
Back: CullMode
Clockwise: Winding
CounterClockwise: Winding
Type1D: TextureType
Type2D: TextureType
Type2DArray: TextureType
TypeCube: TextureType
Type3D: TextureType
Nearest: SamplerMipFilter
Linear: SamplerMipFilter
NotMipmapped: SamplerMipFilter
ClampToEdge: SamplerAddressMode
MirrorClampToEdge: SamplerAddressMode
Repeat: SamplerAddressMode
MirrorRepeat: SamplerAddressMode
ClampToZero: SamplerAddressMode
Never: CompareFunction
Less: CompareFunction
Equal: CompareFunction
LessEqual: CompareFunction
Greater: CompareFunction
NotEqual: CompareFunction
GreaterEqual: CompareFunction
Always: CompareFunction
Zero: StencilOperation
One: BlendFactor
SourceColor: BlendFactor
OneMinusSourceColor: BlendFactor
SourceAlpha: BlendFactor
OneMinusSourceAlpha: BlendFactor
DestinationColor: BlendFactor
OneMinusDestinationColor: BlendFactor
DestinationAlpha: BlendFactor
OneMinusDestinationAlpha: BlendFactor
Add: BlendOperation
Subtract: BlendOperation
ReverseSubtract: BlendOperation
Min: BlendOperation
Max: BlendOperation
Keep: StencilOperation
Replace: StencilOperation
IncrementClamp: StencilOperation
DecrementClamp: StencilOperation
Invert: StencilOperation
IncrementWrap: StencilOperation
DecrementWrap: StencilOperation
Struct: DataType
Array: DataType
Texture: DataType
Sampler: DataType
ReadOnly: BindingAccess
ReadWrite: BindingAccess
WriteOnly: BindingAccess

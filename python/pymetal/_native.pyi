# Type stub of the extension module pymetal._native (checked with mypy.stubtest).
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, Tuple, Union, final, overload

import numpy as np
from typing_extensions import disjoint_base
import numpy.typing as npt

from .enums import (
    BlendFactor,
    BlendOperation,
    CommandBufferStatus,
    CompareFunction,
    CPUCacheMode,
    FunctionType,
    LoadAction,
    PixelFormat,
    SamplerAddressMode,
    SamplerBorderColor,
    SamplerMinMagFilter,
    SamplerMipFilter,
    StencilOperation,
    StorageMode,
    StoreAction,
    TextureType,
    VertexFormat,
    VertexStepFunction,
)
from .exceptions import MetalError

__version__: str
__all__ = [
    "__version__", "create_system_default_device", "copy_all_devices", "backends", "Device", "CommandQueue",
    "CommandBuffer", "ComputeCommandEncoder", "BlitCommandEncoder", "Buffer", "CompileOptions", "Library",
    "Function", "ComputePipelineState", "Origin", "Size", "Range", "ClearColor",
    "TextureDescriptor", "Texture", "SamplerDescriptor", "SamplerState",
    "RenderPipelineColorAttachmentDescriptor", "RenderPipelineDescriptor", "RenderPipelineState",
    "VertexAttributeDescriptor", "VertexBufferLayoutDescriptor", "VertexDescriptor", "StencilDescriptor",
    "DepthStencilDescriptor", "DepthStencilState", "RenderPassAttachmentDescriptor",
    "RenderPassColorAttachmentDescriptor", "RenderPassDepthAttachmentDescriptor",
    "RenderPassStencilAttachmentDescriptor", "RenderPassDescriptor", "RenderCommandEncoder", "Viewport",
    "ScissorRect", "Fence", "HeapDescriptor", "Heap", "MetalLayer", "MetalDrawable",
]

_BytesLike = Union[bytes, bytearray, memoryview, npt.NDArray[Any], Any]
_Define = Union[str, int, float, bool, None]
_CompileOptionsArg = Union[None, "CompileOptions", Mapping[str, Any]]
_ConstantValues = Mapping[Union[str, int], Union[bool, int, float]]

def create_system_default_device() -> Device: ...
def copy_all_devices() -> List[Device]: ...
def backends() -> List[Tuple[str, List[Device]]]: ...

@final
class Origin:
    x: int
    y: int
    z: int
    def __new__(cls, x: int = 0, y: int = 0, z: int = 0) -> Origin: ...

@final
class Size:
    width: int
    height: int
    depth: int
    def __new__(cls, width: int, height: int = 1, depth: int = 1) -> Size: ...

@final
class Range:
    location: int
    length: int
    def __new__(cls, location: int, length: int) -> Range: ...

@final
class ClearColor:
    red: float
    green: float
    blue: float
    alpha: float
    def __new__(cls, red: float, green: float, blue: float, alpha: float) -> ClearColor: ...

@final
class CompileOptions:
    include_paths: List[str]
    fast_math: bool
    file_name: str
    shader_validation: bool
    def __new__(
        cls,
        defines: Union[Mapping[str, _Define], Sequence[str], None] = None,
        include_paths: Optional[Sequence[str]] = None,
        fast_math: bool = False,
        file_name: Optional[str] = None,
        shader_validation: bool = False,
    ) -> CompileOptions: ...
    @property
    def defines(self) -> Dict[str, str]: ...
    @defines.setter
    def defines(self, value: Union[Mapping[str, _Define], Sequence[str]]) -> None: ...
    def define(self, name: str, value: _Define = None) -> CompileOptions: ...

@final
class Device:
    def new_command_queue(self) -> CommandQueue: ...
    def new_buffer(self, length: int, options: int = 0) -> Buffer: ...
    # new_buffer_with_data(data, options=0) or, as the reference, (data, length, options)
    def new_buffer_with_data(
        self, data: _BytesLike, *args: int, length: Optional[int] = None, options: Optional[int] = None
    ) -> Buffer: ...
    def new_library_with_source(self, source: str, options: _CompileOptionsArg = None) -> Library: ...
    def new_compute_pipeline_state(self, function: Function) -> ComputePipelineState: ...
    def new_texture(self, descriptor: TextureDescriptor) -> Texture: ...
    def new_render_pipeline_state(self, descriptor: RenderPipelineDescriptor) -> RenderPipelineState: ...
    def new_depth_stencil_state(self, descriptor: DepthStencilDescriptor) -> DepthStencilState: ...
    def new_fence(self) -> Fence: ...
    def new_heap(self, descriptor: HeapDescriptor) -> Heap: ...
    def heap_buffer_size_and_align(self, length: int, options: int = 0) -> tuple[int, int]: ...
    def heap_texture_size_and_align(self, descriptor: TextureDescriptor) -> tuple[int, int]: ...
    def new_sampler_state(self, descriptor: SamplerDescriptor) -> SamplerState: ...
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

@final
class CommandQueue:
    def command_buffer(self) -> CommandBuffer: ...
    @property
    def device(self) -> Device: ...
    label: str

@final
class CommandBuffer:
    def compute_command_encoder(self) -> ComputeCommandEncoder: ...
    def blit_command_encoder(self) -> BlitCommandEncoder: ...
    def render_command_encoder(self, descriptor: RenderPassDescriptor) -> RenderCommandEncoder: ...
    def enqueue(self) -> None: ...
    def commit(self) -> None: ...
    def wait_until_completed(self) -> None: ...
    def wait_until_scheduled(self) -> None: ...
    def add_completed_handler(self, handler: Callable[[CommandBuffer], Any]) -> None: ...
    def add_scheduled_handler(self, handler: Callable[[CommandBuffer], Any]) -> None: ...
    def present_drawable(self, drawable: MetalDrawable) -> None: ...
    @property
    def status(self) -> CommandBufferStatus: ...
    @property
    def error(self) -> Optional[MetalError]: ...
    @property
    def command_queue(self) -> CommandQueue: ...
    @property
    def device(self) -> Device: ...
    label: str

@final
class ComputeCommandEncoder:
    def set_compute_pipeline_state(self, state: ComputePipelineState) -> None: ...
    def set_buffer(self, buffer: Buffer, offset: int, index: int) -> None: ...
    def set_buffer_offset(self, offset: int, index: int) -> None: ...
    def set_bytes(self, data: _BytesLike, index: int) -> None: ...
    def set_texture(self, texture: Texture, index: int) -> None: ...
    def set_sampler_state(self, sampler: SamplerState, index: int) -> None: ...
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

@final
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
    def copy_from_texture_to_buffer(
        self,
        source_texture: Texture,
        source_slice: int,
        source_level: int,
        source_origin: Union[Origin, Tuple[int, ...]],
        source_size: Union[Size, Tuple[int, ...]],
        destination_buffer: Buffer,
        destination_offset: int,
        destination_bytes_per_row: int,
        destination_bytes_per_image: int,
    ) -> None: ...
    def copy_from_buffer_to_texture(
        self,
        source_buffer: Buffer,
        source_offset: int,
        source_bytes_per_row: int,
        source_bytes_per_image: int,
        source_size: Union[Size, Tuple[int, ...]],
        destination_texture: Texture,
        destination_slice: int,
        destination_level: int,
        destination_origin: Union[Origin, Tuple[int, ...]],
    ) -> None: ...
    def synchronize_resource(self, resource: Buffer) -> None: ...
    @overload
    def copy_from_texture(
        self,
        source_texture: Texture,
        source_slice: int,
        source_level: int,
        source_origin: Union[Origin, Tuple[int, ...]],
        source_size: Union[Size, Tuple[int, ...]],
        destination_texture: Texture,
        destination_slice: int,
        destination_level: int,
        destination_origin: Union[Origin, Tuple[int, ...]],
    ) -> None: ...
    @overload
    def copy_from_texture(
        self,
        source_texture: Texture,
        source_slice: int,
        source_level: int,
        destination_texture: Texture,
        destination_slice: int,
        destination_level: int,
        slice_count: int,
        level_count: int,
    ) -> None: ...
    @overload
    def copy_from_texture(self, source_texture: Texture, destination_texture: Texture) -> None: ...
    def generate_mipmaps(self, texture: Texture) -> None: ...
    def synchronize_texture(self, texture: Texture, slice: int, level: int) -> None: ...
    def end_encoding(self) -> None: ...
    @property
    def command_buffer(self) -> CommandBuffer: ...
    @property
    def device(self) -> Device: ...
    label: str

@final
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
    # zero-copy interop: CUDA buffers only (AttributeError on host devices)
    @property
    def __cuda_array_interface__(self) -> Dict[str, Any]: ...
    # (2 = kDLCUDA, ordinal) for CUDA buffers, (1 = kDLCPU, 0) for host ones
    def __dlpack_device__(self) -> Tuple[int, int]: ...
    def __dlpack__(
        self,
        stream: Optional[int] = None,
        *,
        max_version: Optional[Tuple[int, int]] = None,
        dl_device: Optional[Tuple[int, int]] = None,
        copy: Optional[bool] = None,
    ) -> Any: ...

@final
class Library:
    def new_function(self, name: str, constant_values: Optional[_ConstantValues] = None) -> Optional[Function]: ...
    @property
    def function_names(self) -> List[str]: ...
    @property
    def device(self) -> Device: ...
    label: str

@final
class Function:
    @property
    def name(self) -> str: ...
    @property
    def function_type(self) -> FunctionType: ...
    @property
    def library(self) -> Library: ...
    @property
    def device(self) -> Device: ...

@final
class ComputePipelineState:
    @property
    def max_total_threads_per_threadgroup(self) -> int: ...
    @property
    def thread_execution_width(self) -> int: ...
    @property
    def static_threadgroup_memory_length(self) -> int: ...
    @property
    def device(self) -> Device: ...


@final
class TextureDescriptor:
    def __init__(self) -> None: ...
    @staticmethod
    def texture2d_descriptor(format: int, width: int, height: int, mipmapped: bool = False) -> TextureDescriptor: ...
    @property
    def texture_type(self) -> Union[TextureType, int]: ...
    @texture_type.setter
    def texture_type(self, v: int) -> None: ...
    @property
    def pixel_format(self) -> Union[PixelFormat, int]: ...
    @pixel_format.setter
    def pixel_format(self, v: int) -> None: ...
    @property
    def storage_mode(self) -> StorageMode: ...
    @storage_mode.setter
    def storage_mode(self, v: int) -> None: ...
    width: int
    height: int
    depth: int
    mipmap_level_count: int
    sample_count: int
    array_length: int
    usage: int

@final
class Texture:
    def replace_region(
        self,
        data: _BytesLike,
        bytes_per_row: int,
        x: int,
        y: int,
        width: int,
        height: int,
        level: int = 0,
        slice: int = 0,
    ) -> None: ...
    def get_bytes(
        self, bytes_per_row: int, x: int, y: int, width: int, height: int, level: int = 0, slice: int = 0
    ) -> bytes: ...
    @property
    def texture_type(self) -> TextureType: ...
    @property
    def pixel_format(self) -> PixelFormat: ...
    @property
    def storage_mode(self) -> StorageMode: ...
    @property
    def width(self) -> int: ...
    @property
    def height(self) -> int: ...
    @property
    def depth(self) -> int: ...
    @property
    def mipmap_level_count(self) -> int: ...
    @property
    def sample_count(self) -> int: ...
    @property
    def array_length(self) -> int: ...
    @property
    def usage(self) -> int: ...
    @property
    def allocated_size(self) -> int: ...
    @property
    def resource_options(self) -> int: ...
    @property
    def cpu_cache_mode(self) -> CPUCacheMode: ...
    @property
    def buffer(self) -> None: ...
    @property
    def parent_texture(self) -> None: ...
    @property
    def parent_relative_level(self) -> int: ...
    @property
    def parent_relative_slice(self) -> int: ...
    @property
    def framebuffer_only(self) -> bool: ...
    @property
    def device(self) -> Device: ...
    label: str

# ---------------------------------------------------------------- render
@final
class RenderPipelineColorAttachmentDescriptor:
    def __init__(self) -> None: ...
    pixel_format: PixelFormat
    blending_enabled: bool
    source_rgb_blend_factor: BlendFactor
    destination_rgb_blend_factor: BlendFactor
    rgb_blend_operation: BlendOperation
    source_alpha_blend_factor: BlendFactor
    destination_alpha_blend_factor: BlendFactor
    alpha_blend_operation: BlendOperation
    write_mask: int

@final
class RenderPipelineDescriptor:
    def __init__(self) -> None: ...
    @staticmethod
    def render_pipeline_descriptor() -> RenderPipelineDescriptor: ...
    def color_attachment(self, index: int) -> RenderPipelineColorAttachmentDescriptor: ...
    def reset(self) -> None: ...
    vertex_function: Optional[Function]
    fragment_function: Optional[Function]
    depth_attachment_pixel_format: PixelFormat
    stencil_attachment_pixel_format: PixelFormat
    vertex_descriptor: Optional[VertexDescriptor]
    label: str

@final
class RenderPipelineState:
    @property
    def label(self) -> str: ...
    @property
    def device(self) -> Device: ...

@final
class VertexAttributeDescriptor:
    def __init__(self) -> None: ...
    format: VertexFormat
    offset: int
    buffer_index: int

@final
class VertexBufferLayoutDescriptor:
    def __init__(self) -> None: ...
    stride: int
    step_function: VertexStepFunction
    step_rate: int

@final
class VertexDescriptor:
    def __init__(self) -> None: ...
    @staticmethod
    def vertex_descriptor() -> VertexDescriptor: ...
    def attribute(self, index: int) -> VertexAttributeDescriptor: ...
    def layout(self, index: int) -> VertexBufferLayoutDescriptor: ...
    def reset(self) -> None: ...

@final
class StencilDescriptor:
    def __init__(self) -> None: ...
    @staticmethod
    def stencil_descriptor() -> StencilDescriptor: ...
    stencil_compare_function: CompareFunction
    stencil_failure_operation: StencilOperation
    depth_failure_operation: StencilOperation
    depth_stencil_pass_operation: StencilOperation
    read_mask: int
    write_mask: int

@final
class DepthStencilDescriptor:
    def __init__(self) -> None: ...
    @staticmethod
    def depth_stencil_descriptor() -> DepthStencilDescriptor: ...
    depth_compare_function: CompareFunction
    depth_write_enabled: bool
    front_face_stencil: StencilDescriptor
    back_face_stencil: StencilDescriptor
    label: str

@final
class DepthStencilState:
    @property
    def label(self) -> str: ...
    @property
    def device(self) -> Device: ...

@disjoint_base
class RenderPassAttachmentDescriptor:
    texture: Optional[Texture]
    level: int
    slice: int
    depth_plane: int
    load_action: LoadAction
    store_action: StoreAction

@final
class RenderPassColorAttachmentDescriptor(RenderPassAttachmentDescriptor):
    @property
    def clear_color(self) -> ClearColor: ...
    @clear_color.setter
    def clear_color(self, value: Union[ClearColor, Tuple[float, float, float, float]]) -> None: ...

@final
class RenderPassDepthAttachmentDescriptor(RenderPassAttachmentDescriptor):
    clear_depth: float

@final
class RenderPassStencilAttachmentDescriptor(RenderPassAttachmentDescriptor):
    clear_stencil: int

@final
class RenderPassDescriptor:
    def __init__(self) -> None: ...
    @staticmethod
    def render_pass_descriptor() -> RenderPassDescriptor: ...
    def color_attachment(self, index: int) -> RenderPassColorAttachmentDescriptor: ...
    @property
    def depth_attachment(self) -> RenderPassDepthAttachmentDescriptor: ...
    @property
    def stencil_attachment(self) -> RenderPassStencilAttachmentDescriptor: ...

@final
class Viewport:
    def __new__(
        cls, origin_x: float, origin_y: float, width: float, height: float, znear: float = 0.0, zfar: float = 1.0
    ) -> Viewport: ...
    origin_x: float
    origin_y: float
    width: float
    height: float
    znear: float
    zfar: float

@final
class ScissorRect:
    def __new__(cls, x: int, y: int, width: int, height: int) -> ScissorRect: ...
    x: int
    y: int
    width: int
    height: int

@final
class RenderCommandEncoder:
    def set_render_pipeline_state(self, state: RenderPipelineState) -> None: ...
    def set_vertex_buffer(self, buffer: Buffer, offset: int, index: int) -> None: ...
    def set_fragment_buffer(self, buffer: Buffer, offset: int, index: int) -> None: ...
    def set_vertex_bytes(self, data: _BytesLike, index: int) -> None: ...
    def set_fragment_bytes(self, data: _BytesLike, index: int) -> None: ...
    def set_vertex_texture(self, texture: Optional[Texture], index: int) -> None: ...
    def set_fragment_texture(self, texture: Optional[Texture], index: int) -> None: ...
    def set_vertex_sampler_state(self, sampler: Any, index: int) -> None: ...
    def set_fragment_sampler_state(self, sampler: Any, index: int) -> None: ...
    def set_depth_stencil_state(self, state: DepthStencilState) -> None: ...
    def set_stencil_reference_value(self, value: int) -> None: ...
    def set_stencil_reference_values(self, front: int, back: int) -> None: ...
    def set_cull_mode(self, mode: int) -> None: ...
    def set_front_facing_winding(self, winding: int) -> None: ...
    def set_triangle_fill_mode(self, mode: int) -> None: ...
    def set_blend_color(self, red: float, green: float, blue: float, alpha: float) -> None: ...
    @overload
    def set_viewport(
        self, origin_x: Viewport, origin_y: None = None, width: None = None, height: None = None,
        znear: float = 0.0, zfar: float = 1.0,
    ) -> None: ...
    @overload
    def set_viewport(
        self, origin_x: float, origin_y: Optional[float] = None, width: Optional[float] = None,
        height: Optional[float] = None, znear: float = 0.0, zfar: float = 1.0,
    ) -> None: ...
    @overload
    def set_scissor_rect(self, x: ScissorRect, y: None = None, width: None = None, height: None = None) -> None: ...
    @overload
    def set_scissor_rect(
        self, x: int, y: Optional[int] = None, width: Optional[int] = None, height: Optional[int] = None
    ) -> None: ...
    def draw_primitives(
        self, primitive_type: int, vertex_start: int, vertex_count: int, instance_count: int = 1, base_instance: int = 0
    ) -> None: ...
    def draw_indexed_primitives(
        self,
        primitive_type: int,
        index_count: int,
        index_type: int,
        index_buffer: Buffer,
        index_buffer_offset: int,
        instance_count: int = 1,
        base_vertex: int = 0,
        base_instance: int = 0,
    ) -> None: ...
    def update_fence(self, fence: Fence) -> None: ...
    def wait_for_fence(self, fence: Fence) -> None: ...
    def end_encoding(self) -> None: ...
    @property
    def command_buffer(self) -> CommandBuffer: ...
    @property
    def device(self) -> Device: ...
    label: str

@final
class Fence:
    @property
    def device(self) -> Device: ...
    label: str

@final
class HeapDescriptor:
    def __init__(self) -> None: ...
    @staticmethod
    def heap_descriptor() -> HeapDescriptor: ...
    size: int
    storage_mode: int
    cpu_cache_mode: int
    type: int

@final
class Heap:
    @property
    def device(self) -> Device: ...
    label: str
    @property
    def size(self) -> int: ...
    @property
    def used_size(self) -> int: ...
    @property
    def current_allocated_size(self) -> int: ...
    @property
    def storage_mode(self) -> int: ...
    @property
    def cpu_cache_mode(self) -> int: ...
    def max_available_size(self, alignment: int) -> int: ...
    def new_buffer(self, length: int, options: Optional[int] = None) -> Optional[Buffer]: ...
    def new_texture(self, descriptor: TextureDescriptor) -> Optional[Texture]: ...

@final
class SamplerDescriptor:
    def __init__(self) -> None: ...
    @staticmethod
    def sampler_descriptor() -> SamplerDescriptor: ...
    min_filter: SamplerMinMagFilter
    mag_filter: SamplerMinMagFilter
    mip_filter: SamplerMipFilter
    s_address_mode: SamplerAddressMode
    t_address_mode: SamplerAddressMode
    r_address_mode: SamplerAddressMode
    border_color: SamplerBorderColor
    compare_function: CompareFunction
    max_anisotropy: int
    normalized_coordinates: bool
    lod_min_clamp: float
    lod_max_clamp: float
    label: str

@final
class SamplerState:
    @property
    def label(self) -> str: ...
    @property
    def device(self) -> Device: ...

@final
class MetalLayer:
    """An offscreen CAMetalLayer; ``last_presented_texture`` is a pymetal addition."""
    def __new__(cls) -> MetalLayer: ...
    @staticmethod
    def layer() -> MetalLayer: ...
    device: Optional[Device]
    @property
    def pixel_format(self) -> PixelFormat: ...
    @pixel_format.setter
    def pixel_format(self, value: int) -> None: ...
    framebuffer_only: bool
    @property
    def drawable_size(self) -> Tuple[float, float]: ...
    @drawable_size.setter
    def drawable_size(self, value: Sequence[float]) -> None: ...
    maximum_drawable_count: int
    label: str
    @property
    def last_presented_texture(self) -> Optional[Texture]: ...
    def next_drawable(self) -> Optional[MetalDrawable]: ...

@final
class MetalDrawable:
    @property
    def texture(self) -> Texture: ...
    @property
    def layer(self) -> MetalLayer: ...
    @property
    def drawable_id(self) -> int: ...
    @property
    def presented_time(self) -> float: ...
    def present(self) -> None: ...

# Type stub of the pymetal package (classes live in pymetal._native).
from . import advanced as advanced
from . import compute as compute
from . import enums as enums
from . import exceptions as exceptions
from . import graphics as graphics
from . import shader as shader
from . import types as types
from ._native import (
    BlitCommandEncoder as BlitCommandEncoder,
    Buffer as Buffer,
    ClearColor as ClearColor,
    CommandBuffer as CommandBuffer,
    CommandQueue as CommandQueue,
    CompileOptions as CompileOptions,
    ComputeCommandEncoder as ComputeCommandEncoder,
    ComputePipelineState as ComputePipelineState,
    Device as Device,
    Fence as Fence,
    Heap as Heap,
    HeapDescriptor as HeapDescriptor,
    Function as Function,
    Library as Library,
    MetalDrawable as MetalDrawable,
    MetalLayer as MetalLayer,
    Origin as Origin,
    Range as Range,
    SamplerDescriptor as SamplerDescriptor,
    SamplerState as SamplerState,
    Size as Size,
    Texture as Texture,
    TextureDescriptor as TextureDescriptor,
    DepthStencilDescriptor as DepthStencilDescriptor,
    DepthStencilState as DepthStencilState,
    RenderCommandEncoder as RenderCommandEncoder,
    RenderPassAttachmentDescriptor as RenderPassAttachmentDescriptor,
    RenderPassColorAttachmentDescriptor as RenderPassColorAttachmentDescriptor,
    RenderPassDepthAttachmentDescriptor as RenderPassDepthAttachmentDescriptor,
    RenderPassDescriptor as RenderPassDescriptor,
    RenderPassStencilAttachmentDescriptor as RenderPassStencilAttachmentDescriptor,
    RenderPipelineColorAttachmentDescriptor as RenderPipelineColorAttachmentDescriptor,
    RenderPipelineDescriptor as RenderPipelineDescriptor,
    RenderPipelineState as RenderPipelineState,
    ScissorRect as ScissorRect,
    StencilDescriptor as StencilDescriptor,
    VertexAttributeDescriptor as VertexAttributeDescriptor,
    VertexBufferLayoutDescriptor as VertexBufferLayoutDescriptor,
    VertexDescriptor as VertexDescriptor,
    Viewport as Viewport,
    backends as backends,
    copy_all_devices as copy_all_devices,
    create_system_default_device as create_system_default_device,
)
from .enums import *
from .enums import ALL_ENUMS as ALL_ENUMS
from .exceptions import (
    CompileError as CompileError,
    MetalError as MetalError,
    PipelineError as PipelineError,
    ResourceError as ResourceError,
    ValidationError as ValidationError,
)

__version__: str
__build_version__: str

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
R8Unorm: PixelFormat
R16Float: PixelFormat
RG8Unorm: PixelFormat
R32Uint: PixelFormat
R32Sint: PixelFormat
R32Float: PixelFormat
RG16Float: PixelFormat
RGBA8Unorm: PixelFormat
RGBA8Unorm_sRGB: PixelFormat
BGRA8Unorm: PixelFormat
BGRA8Unorm_sRGB: PixelFormat
RG32Float: PixelFormat
RGBA16Float: PixelFormat
RGBA32Uint: PixelFormat
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
Constant: VertexStepFunction
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
ClampToBorderColor: SamplerAddressMode
TransparentBlack: SamplerBorderColor
OpaqueBlack: SamplerBorderColor
OpaqueWhite: SamplerBorderColor
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
SourceAlphaSaturated: BlendFactor
BlendColor: BlendFactor
OneMinusBlendColor: BlendFactor
BlendAlpha: BlendFactor
OneMinusBlendAlpha: BlendFactor
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
# Texture: the class (it wins over DataType.Texture)
Sampler: DataType
ReadOnly: BindingAccess
ReadWrite: BindingAccess
WriteOnly: BindingAccess
UChar2: VertexFormat
UChar3: VertexFormat
UChar4: VertexFormat
Char2: VertexFormat
Char3: VertexFormat
Char4: VertexFormat
UChar2Normalized: VertexFormat
UChar3Normalized: VertexFormat
UChar4Normalized: VertexFormat
Char2Normalized: VertexFormat
Char3Normalized: VertexFormat
Char4Normalized: VertexFormat
UShort2: VertexFormat
UShort3: VertexFormat
UShort4: VertexFormat
Short2: VertexFormat
Short3: VertexFormat
Short4: VertexFormat
UShort2Normalized: VertexFormat
UShort3Normalized: VertexFormat
UShort4Normalized: VertexFormat
Short2Normalized: VertexFormat
Short3Normalized: VertexFormat
Short4Normalized: VertexFormat
Half2: VertexFormat
Half3: VertexFormat
Half4: VertexFormat
Int1010102Normalized: VertexFormat
UInt1010102Normalized: VertexFormat
UChar4Normalized_BGRA: VertexFormat
UChar: VertexFormat
Char: VertexFormat
UCharNormalized: VertexFormat
CharNormalized: VertexFormat
UShort: VertexFormat
Short: VertexFormat
UShortNormalized: VertexFormat
ShortNormalized: VertexFormat
Half: VertexFormat

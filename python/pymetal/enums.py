"""Enumerations and constants with Metal's numeric values (pymetal-api.md §3, §4).

Every enum is an ``IntEnum``, so members compare equal to Metal's raw values and can be
passed wherever an int is expected.
"""

from enum import IntEnum, IntFlag

__all__ = [
    "StorageMode", "CPUCacheMode", "LoadAction", "StoreAction", "CommandBufferStatus",
    "FunctionType", "PixelFormat", "PrimitiveType", "IndexType", "VertexFormat",
    "VertexStepFunction", "CullMode", "Winding", "TextureType", "SamplerMinMagFilter",
    "SamplerMipFilter", "SamplerAddressMode", "CompareFunction", "BlendFactor",
    "BlendOperation", "StencilOperation", "DataType", "BindingAccess", "TriangleFillMode",
    "ColorWriteMask", "SamplerBorderColor", "TextureUsage", "TextureUsageUnknown",
    "TextureUsageShaderRead", "TextureUsageShaderWrite", "TextureUsageRenderTarget", "TextureUsagePixelFormatView",
    # ResourceOptions
    "ResourceCPUCacheModeDefaultCache", "ResourceCPUCacheModeWriteCombined",
    "ResourceStorageModeShared", "ResourceStorageModeManaged", "ResourceStorageModePrivate",
    "ResourceStorageModeMemoryless", "ResourceHazardTrackingModeUntracked",
    # ColorWriteMask
    "ColorWriteMaskNone", "ColorWriteMaskRed", "ColorWriteMaskGreen", "ColorWriteMaskBlue",
    "ColorWriteMaskAlpha", "ColorWriteMaskAll",
    # IndirectCommandType
    "IndirectCommandTypeDraw", "IndirectCommandTypeDrawIndexed",
    "IndirectCommandTypeDrawPatches", "IndirectCommandTypeDrawIndexedPatches",
    "ALL_ENUMS",
]

# --- ResourceOptions (MTLResourceOptions bits) ---------------------------------------
ResourceCPUCacheModeDefaultCache = 0
ResourceCPUCacheModeWriteCombined = 1
ResourceStorageModeShared = 0
ResourceStorageModeManaged = 1 << 4
ResourceStorageModePrivate = 2 << 4
ResourceStorageModeMemoryless = 3 << 4
ResourceHazardTrackingModeUntracked = 1 << 8

# --- ColorWriteMask --------------------------------------------------------------------
ColorWriteMaskNone = 0
ColorWriteMaskRed = 0x1 << 3
ColorWriteMaskGreen = 0x1 << 2
ColorWriteMaskBlue = 0x1 << 1
ColorWriteMaskAlpha = 0x1 << 0
ColorWriteMaskAll = 0xF

# --- IndirectCommandType ---------------------------------------------------------------
IndirectCommandTypeDraw = 1 << 0
IndirectCommandTypeDrawIndexed = 1 << 1
IndirectCommandTypeDrawPatches = 1 << 2
IndirectCommandTypeDrawIndexedPatches = 1 << 3


class StorageMode(IntEnum):
    Shared = 0
    Managed = 1
    Private = 2
    Memoryless = 3


class CPUCacheMode(IntEnum):
    DefaultCache = 0
    WriteCombined = 1


class LoadAction(IntEnum):
    DontCare = 0
    Load = 1
    Clear = 2


class StoreAction(IntEnum):
    DontCare = 0
    Store = 1
    MultisampleResolve = 2
    StoreAndMultisampleResolve = 3
    Unknown = 4
    CustomSampleDepthStore = 5


class CommandBufferStatus(IntEnum):
    NotEnqueued = 0
    Enqueued = 1
    Committed = 2
    Scheduled = 3
    Completed = 4
    Error = 5


class FunctionType(IntEnum):
    Vertex = 1
    Fragment = 2
    Kernel = 3


class PixelFormat(IntEnum):
    Invalid = 0
    R8Unorm = 10
    R16Float = 25
    RG8Unorm = 30
    R32Uint = 53
    R32Sint = 54
    R32Float = 55
    RG16Float = 65
    RGBA8Unorm = 70
    RGBA8Unorm_sRGB = 71
    BGRA8Unorm = 80
    BGRA8Unorm_sRGB = 81
    RG32Float = 105
    RGBA16Float = 115
    RGBA32Uint = 123
    RGBA32Float = 125
    Depth32Float = 252
    Stencil8 = 253
    Depth24Unorm_Stencil8 = 255
    Depth32Float_Stencil8 = 260


class PrimitiveType(IntEnum):
    Point = 0
    Line = 1
    LineStrip = 2
    Triangle = 3
    TriangleStrip = 4


class IndexType(IntEnum):
    UInt16 = 0
    UInt32 = 1


VertexFormat = IntEnum(
    "VertexFormat",
    [
        ("Invalid", 0),
        ("UChar2", 1), ("UChar3", 2), ("UChar4", 3), ("Char2", 4), ("Char3", 5), ("Char4", 6),
        ("UChar2Normalized", 7), ("UChar3Normalized", 8), ("UChar4Normalized", 9),
        ("Char2Normalized", 10), ("Char3Normalized", 11), ("Char4Normalized", 12),
        ("UShort2", 13), ("UShort3", 14), ("UShort4", 15), ("Short2", 16), ("Short3", 17), ("Short4", 18),
        ("UShort2Normalized", 19), ("UShort3Normalized", 20), ("UShort4Normalized", 21),
        ("Short2Normalized", 22), ("Short3Normalized", 23), ("Short4Normalized", 24),
        ("Half2", 25), ("Half3", 26), ("Half4", 27),
        ("Float", 28), ("Float2", 29), ("Float3", 30), ("Float4", 31),
        ("Int", 32), ("Int2", 33), ("Int3", 34), ("Int4", 35),
        ("UInt", 36), ("UInt2", 37), ("UInt3", 38), ("UInt4", 39),
        ("Int1010102Normalized", 40), ("UInt1010102Normalized", 41), ("UChar4Normalized_BGRA", 42),
        ("UChar", 45), ("Char", 46), ("UCharNormalized", 47), ("CharNormalized", 48),
        ("UShort", 49), ("Short", 50), ("UShortNormalized", 51), ("ShortNormalized", 52), ("Half", 53),
    ],
    module=__name__,
)


class VertexStepFunction(IntEnum):
    Constant = 0
    PerVertex = 1
    PerInstance = 2


# `None` is a keyword, so enums with a member named None use the functional API.
CullMode = IntEnum("CullMode", [("None", 0), ("Front", 1), ("Back", 2)], module=__name__)


class Winding(IntEnum):
    Clockwise = 0
    CounterClockwise = 1


class TriangleFillMode(IntEnum):
    Fill = 0
    Lines = 1


# Not in ALL_ENUMS (the reference has only the ColorWriteMask* constants, so its members
# are not module attributes); an IntFlag, so masks combine with |.
ColorWriteMask = IntFlag(
    "ColorWriteMask",
    [
        ("None", ColorWriteMaskNone), ("Red", ColorWriteMaskRed), ("Green", ColorWriteMaskGreen),
        ("Blue", ColorWriteMaskBlue), ("Alpha", ColorWriteMaskAlpha), ("All", ColorWriteMaskAll),
    ],
    module=__name__,
)


# MTLTextureUsage bits (TextureDescriptor.usage), as constants and as an IntFlag.
TextureUsageUnknown = 0
TextureUsageShaderRead = 1
TextureUsageShaderWrite = 2
TextureUsageRenderTarget = 4
TextureUsagePixelFormatView = 0x10
TextureUsage = IntFlag(
    "TextureUsage",
    [
        ("Unknown", TextureUsageUnknown), ("ShaderRead", TextureUsageShaderRead),
        ("ShaderWrite", TextureUsageShaderWrite), ("RenderTarget", TextureUsageRenderTarget),
        ("PixelFormatView", TextureUsagePixelFormatView),
    ],
    module=__name__,
)


class TextureType(IntEnum):
    Type1D = 0
    Type2D = 2
    Type2DArray = 3
    TypeCube = 5
    Type3D = 7


class SamplerMinMagFilter(IntEnum):
    Nearest = 0
    Linear = 1


class SamplerMipFilter(IntEnum):
    NotMipmapped = 0
    Nearest = 1
    Linear = 2


class SamplerAddressMode(IntEnum):
    ClampToEdge = 0
    MirrorClampToEdge = 1
    Repeat = 2
    MirrorRepeat = 3
    ClampToZero = 4
    ClampToBorderColor = 5


class SamplerBorderColor(IntEnum):
    TransparentBlack = 0
    OpaqueBlack = 1
    OpaqueWhite = 2


class CompareFunction(IntEnum):
    Never = 0
    Less = 1
    Equal = 2
    LessEqual = 3
    Greater = 4
    NotEqual = 5
    GreaterEqual = 6
    Always = 7


class BlendFactor(IntEnum):
    Zero = 0
    One = 1
    SourceColor = 2
    OneMinusSourceColor = 3
    SourceAlpha = 4
    OneMinusSourceAlpha = 5
    DestinationColor = 6
    OneMinusDestinationColor = 7
    DestinationAlpha = 8
    OneMinusDestinationAlpha = 9
    SourceAlphaSaturated = 10
    BlendColor = 11
    OneMinusBlendColor = 12
    BlendAlpha = 13
    OneMinusBlendAlpha = 14


class BlendOperation(IntEnum):
    Add = 0
    Subtract = 1
    ReverseSubtract = 2
    Min = 3
    Max = 4


class StencilOperation(IntEnum):
    Keep = 0
    Zero = 1
    Replace = 2
    IncrementClamp = 3
    DecrementClamp = 4
    Invert = 5
    IncrementWrap = 6
    DecrementWrap = 7


DataType = IntEnum(
    "DataType",
    [
        ("None", 0), ("Struct", 1), ("Array", 2),
        ("Float", 3), ("Float2", 4), ("Float3", 5), ("Float4", 6),
        ("Int", 29), ("Int2", 30), ("Int3", 31), ("Int4", 32),
        ("UInt", 33), ("UInt2", 34), ("UInt3", 35), ("UInt4", 36),
        ("Texture", 58), ("Sampler", 59),
    ],
    module=__name__,
)


class BindingAccess(IntEnum):
    ReadOnly = 0
    ReadWrite = 1
    WriteOnly = 2


# In the order the reference registers them: export_values() of a later enum overwrites a
# same-named member of an earlier one (DontCare, Nearest, Linear, Zero, Float, None...).
ALL_ENUMS = (
    StorageMode, CPUCacheMode, LoadAction, StoreAction, CommandBufferStatus, FunctionType,
    PixelFormat, PrimitiveType, IndexType, VertexFormat, VertexStepFunction, CullMode,
    Winding, TextureType, SamplerMinMagFilter, SamplerMipFilter, SamplerAddressMode,
    CompareFunction, BlendFactor, BlendOperation, StencilOperation, DataType, BindingAccess,
    SamplerBorderColor,  # pymetal addition (after the reference's enums)
)

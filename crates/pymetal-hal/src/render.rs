//! Render passes: the state a backend needs to draw (validated by `pymetal` first).
//!
//! Raw enum values are Metal's (MTLBlendFactor, MTLCompareFunction, ...), so the object
//! model passes through what Python gave after checking it. The CPU backend draws with the
//! software rasterizer in [`crate::raster`]; vertex and fragment functions are compiled
//! like kernels into `pm_vertex_<k>` / `pm_fragment_<k>` (docs/abi.md, "Render stages").

use std::any::Any;
use std::sync::Arc;

use crate::abi::{PmSampler, MAX_ATTRIBUTES, MAX_COLOR_ATTACHMENTS};
use crate::{Buffer, BufferBinding, PixelFormat, Texture};

/// A Metal enum with its raw values: the variants, `ALL`, and `from_raw` (how the object
/// model turns a value given from Python into the enum, or refuses it).
macro_rules! metal_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident = $value:expr),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        #[repr(u32)]
        pub enum $name {
            $($variant = $value),+
        }
        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            /// The variant with Metal's raw value `v`.
            pub fn from_raw(v: u32) -> Option<$name> {
                Self::ALL.iter().copied().find(|x| *x as u32 == v)
            }
        }
    };
}

metal_enum! {
    /// MTLBlendFactor.
    BlendFactor {
        Zero = 0,
        One = 1,
        SourceColor = 2,
        OneMinusSourceColor = 3,
        SourceAlpha = 4,
        OneMinusSourceAlpha = 5,
        DestinationColor = 6,
        OneMinusDestinationColor = 7,
        DestinationAlpha = 8,
        OneMinusDestinationAlpha = 9,
        SourceAlphaSaturated = 10,
        BlendColor = 11,
        OneMinusBlendColor = 12,
        BlendAlpha = 13,
        OneMinusBlendAlpha = 14,
    }
}

metal_enum! {
    /// MTLBlendOperation.
    BlendOperation {
        Add = 0,
        Subtract = 1,
        ReverseSubtract = 2,
        Min = 3,
        Max = 4,
    }
}

metal_enum! {
    /// MTLCompareFunction.
    CompareFunction {
        Never = 0,
        Less = 1,
        Equal = 2,
        LessEqual = 3,
        Greater = 4,
        NotEqual = 5,
        GreaterEqual = 6,
        Always = 7,
    }
}

metal_enum! {
    /// MTLStencilOperation.
    StencilOperation {
        Keep = 0,
        Zero = 1,
        Replace = 2,
        IncrementClamp = 3,
        DecrementClamp = 4,
        Invert = 5,
        IncrementWrap = 6,
        DecrementWrap = 7,
    }
}

metal_enum! {
    /// MTLPrimitiveType.
    PrimitiveType {
        Point = 0,
        Line = 1,
        LineStrip = 2,
        Triangle = 3,
        TriangleStrip = 4,
    }
}

metal_enum! {
    /// MTLCullMode.
    CullMode {
        None = 0,
        Front = 1,
        Back = 2,
    }
}

metal_enum! {
    /// MTLWinding.
    Winding {
        Clockwise = 0,
        CounterClockwise = 1,
    }
}

metal_enum! {
    /// MTLTriangleFillMode.
    TriangleFillMode {
        Fill = 0,
        Lines = 1,
    }
}

metal_enum! {
    /// MTLLoadAction.
    LoadAction {
        DontCare = 0,
        Load = 1,
        Clear = 2,
    }
}

metal_enum! {
    /// MTLStoreAction (multisample resolves are refused by validation: no MSAA yet).
    StoreAction {
        DontCare = 0,
        Store = 1,
    }
}

/// Blending and write mask of one colour attachment (MTLRenderPipelineColorAttachmentDescriptor).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ColorAttachmentState {
    pub pixel_format: PixelFormat,
    /// MTLColorWriteMask: red 8, green 4, blue 2, alpha 1.
    pub write_mask: u32,
    pub blending_enabled: bool,
    pub source_rgb: BlendFactor,
    pub destination_rgb: BlendFactor,
    pub rgb_operation: BlendOperation,
    pub source_alpha: BlendFactor,
    pub destination_alpha: BlendFactor,
    pub alpha_operation: BlendOperation,
}

/// One `[[attribute(i)]]` of a vertex descriptor.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VertexAttribute {
    /// MTLVertexFormat raw value (Float = 28, Float2 = 29, UChar4Normalized = 9, ...).
    pub format: u32,
    pub offset: u32,
    pub buffer_index: u32,
}

metal_enum! {
    /// MTLVertexStepFunction.
    StepFunction {
        Constant = 0,
        PerVertex = 1,
        PerInstance = 2,
    }
}

/// How vertex buffer `i` is walked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VertexLayout {
    pub stride: u32,
    pub step_function: StepFunction,
    pub step_rate: u32,
}

/// MTLVertexDescriptor: attributes by index, layouts by buffer index.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VertexDescriptor {
    pub attributes: [Option<VertexAttribute>; MAX_ATTRIBUTES],
    pub layouts: [Option<VertexLayout>; MAX_ATTRIBUTES],
}

/// What `Device::new_render_pipeline` compiles and fixes.
pub struct RenderPipelineDesc<'a> {
    pub vertex_library: &'a msl::Library,
    pub vertex_function: &'a str,
    pub vertex_constants: &'a msl::ConstantValues,
    /// None: rasterisation without colour output (depth-only passes).
    pub fragment: Option<(&'a msl::Library, &'a str, &'a msl::ConstantValues)>,
    pub vertex_descriptor: Option<VertexDescriptor>,
    pub color_attachments: [Option<ColorAttachmentState>; MAX_COLOR_ATTACHMENTS],
    pub depth_format: Option<PixelFormat>,
    pub stencil_format: Option<PixelFormat>,
}

/// A compiled render pipeline.
pub trait RenderPipeline: Send + Sync + 'static {
    fn as_any(&self) -> &dyn Any;
}

/// Stencil test and operations of one face.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StencilFace {
    pub compare: CompareFunction,
    pub stencil_failure: StencilOperation,
    pub depth_failure: StencilOperation,
    pub depth_stencil_pass: StencilOperation,
    pub read_mask: u32,
    pub write_mask: u32,
}

impl StencilFace {
    /// Metal's default: always pass, keep everything.
    pub const DEFAULT: StencilFace = StencilFace {
        compare: CompareFunction::Always,
        stencil_failure: StencilOperation::Keep,
        depth_failure: StencilOperation::Keep,
        depth_stencil_pass: StencilOperation::Keep,
        read_mask: 0xFF,
        write_mask: 0xFF,
    };
}

/// MTLDepthStencilState.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DepthStencilState {
    pub depth_compare: CompareFunction,
    pub depth_write: bool,
    pub front: StencilFace,
    pub back: StencilFace,
}

impl DepthStencilState {
    /// What a draw without `set_depth_stencil_state` uses: depth test always passes, no writes.
    pub const DEFAULT: DepthStencilState = DepthStencilState {
        depth_compare: CompareFunction::Always,
        depth_write: false,
        front: StencilFace::DEFAULT,
        back: StencilFace::DEFAULT,
    };
}

/// Resources bound to one stage (vertex or fragment) of a draw, or to a compute dispatch.
#[derive(Clone, Default)]
pub struct StageResources {
    /// Index i = `[[buffer(i)]]`.
    pub buffers: Vec<Option<BufferBinding>>,
    /// Index i = `[[texture(i)]]`.
    pub textures: Vec<Option<Arc<dyn Texture>>>,
    /// Index i = `[[sampler(i)]]`.
    pub samplers: Vec<Option<PmSampler>>,
}

/// MTLViewport.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Viewport {
    pub origin_x: f64,
    pub origin_y: f64,
    pub width: f64,
    pub height: f64,
    pub znear: f64,
    pub zfar: f64,
}

/// MTLScissorRect.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ScissorRect {
    pub x: u32,
    pub y: u32,
    pub width: u32,
    pub height: u32,
}

metal_enum! {
    /// MTLIndexType.
    IndexType {
        UInt16 = 0,
        UInt32 = 1,
    }
}

/// The index buffer of an indexed draw.
#[derive(Clone)]
pub struct IndexBinding {
    pub buffer: Arc<dyn Buffer>,
    pub offset: usize,
    pub index_type: IndexType,
}

/// One draw call with every piece of state it uses.
#[derive(Clone)]
pub struct Draw {
    pub pipeline: Arc<dyn RenderPipeline>,
    pub vertex: StageResources,
    pub fragment: StageResources,
    pub depth_stencil: DepthStencilState,
    /// Stencil reference values, front and back.
    pub stencil_reference: [u32; 2],
    pub cull_mode: CullMode,
    pub front_facing: Winding,
    pub fill_mode: TriangleFillMode,
    pub viewport: Viewport,
    /// None: the whole attachment.
    pub scissor: Option<ScissorRect>,
    pub blend_color: [f32; 4],
    pub primitive: PrimitiveType,
    /// Non-indexed: first vertex and count. Indexed: count indices read from `index`.
    pub vertex_start: u32,
    pub vertex_count: u32,
    pub instance_count: u32,
    pub base_instance: u32,
    /// Indexed draws: the index buffer; `base_vertex` is added to every index.
    pub index: Option<IndexBinding>,
    pub base_vertex: i32,
}

/// One attachment of a pass.
#[derive(Clone)]
pub struct Attachment {
    pub texture: Arc<dyn Texture>,
    pub format: PixelFormat,
    pub level: u32,
    pub slice: u32,
    pub depth_plane: u32,
    pub load: LoadAction,
    pub store: StoreAction,
}

/// A render pass: attachments and their clear values, and the draws in encoding order.
#[derive(Clone)]
pub struct RenderPass {
    pub colors: [Option<(Attachment, [f64; 4])>; MAX_COLOR_ATTACHMENTS],
    pub depth: Option<(Attachment, f64)>,
    pub stencil: Option<(Attachment, u32)>,
    /// Width and height of the render targets (equal for all attachments, checked).
    pub size: [u32; 2],
    pub draws: Vec<Draw>,
}

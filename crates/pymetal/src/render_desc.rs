//! Descriptors of the render API: pipeline (colour attachments, vertex descriptor),
//! depth/stencil and render pass. Plain data with Metal's defaults; enum values are kept
//! raw, as given, so that the object that consumes a descriptor (`Device.
//! new_render_pipeline_state`, `new_depth_stencil_state`, `CommandBuffer.
//! render_command_encoder`) can say what is wrong with them.

use pymetal_hal::abi::{MAX_ATTRIBUTES, MAX_COLOR_ATTACHMENTS};

use crate::library::Function;
use crate::texture::Texture;

/// MTLColorWriteMask bits.
pub mod color_write_mask {
    pub const NONE: u32 = 0;
    pub const RED: u32 = 8;
    pub const GREEN: u32 = 4;
    pub const BLUE: u32 = 2;
    pub const ALPHA: u32 = 1;
    pub const ALL: u32 = 0xF;
}

/// Blending and write mask of one colour attachment of a pipeline
/// (MTLRenderPipelineColorAttachmentDescriptor).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RenderPipelineColorAttachmentDescriptor {
    /// MTLPixelFormat (0 = Invalid: the pipeline writes no such attachment).
    pub pixel_format: u32,
    pub blending_enabled: bool,
    pub source_rgb_blend_factor: u32,
    pub destination_rgb_blend_factor: u32,
    pub rgb_blend_operation: u32,
    pub source_alpha_blend_factor: u32,
    pub destination_alpha_blend_factor: u32,
    pub alpha_blend_operation: u32,
    pub write_mask: u32,
}

impl Default for RenderPipelineColorAttachmentDescriptor {
    /// Metal's defaults: Invalid format, no blending (One, Zero, Add), every channel written.
    fn default() -> Self {
        RenderPipelineColorAttachmentDescriptor {
            pixel_format: 0,
            blending_enabled: false,
            source_rgb_blend_factor: 1,
            destination_rgb_blend_factor: 0,
            rgb_blend_operation: 0,
            source_alpha_blend_factor: 1,
            destination_alpha_blend_factor: 0,
            alpha_blend_operation: 0,
            write_mask: color_write_mask::ALL,
        }
    }
}

/// One `[[attribute(i)]]` of a vertex descriptor (MTLVertexAttributeDescriptor).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct VertexAttributeDescriptor {
    /// MTLVertexFormat (0 = Invalid: not described).
    pub format: u32,
    pub offset: u64,
    pub buffer_index: u64,
}

/// How vertex buffer `i` is walked (MTLVertexBufferLayoutDescriptor).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VertexBufferLayoutDescriptor {
    pub stride: u64,
    /// MTLVertexStepFunction: Constant 0, PerVertex 1, PerInstance 2.
    pub step_function: u32,
    pub step_rate: u64,
}

impl Default for VertexBufferLayoutDescriptor {
    /// Metal's defaults: stride 0, PerVertex, step rate 1.
    fn default() -> Self {
        VertexBufferLayoutDescriptor { stride: 0, step_function: 1, step_rate: 1 }
    }
}

/// Where `[[stage_in]]` attributes come from (MTLVertexDescriptor).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VertexDescriptor {
    pub attributes: [VertexAttributeDescriptor; MAX_ATTRIBUTES],
    pub layouts: [VertexBufferLayoutDescriptor; MAX_ATTRIBUTES],
}

impl Default for VertexDescriptor {
    fn default() -> Self {
        VertexDescriptor {
            attributes: [VertexAttributeDescriptor::default(); MAX_ATTRIBUTES],
            layouts: [VertexBufferLayoutDescriptor::default(); MAX_ATTRIBUTES],
        }
    }
}

impl VertexDescriptor {
    /// Back to the defaults (MTLVertexDescriptor reset).
    pub fn reset(&mut self) {
        *self = VertexDescriptor::default();
    }
}

/// What `Device::new_render_pipeline_state` compiles (MTLRenderPipelineDescriptor).
#[derive(Clone, Default)]
pub struct RenderPipelineDescriptor {
    pub vertex_function: Option<Function>,
    pub fragment_function: Option<Function>,
    pub color_attachments: [RenderPipelineColorAttachmentDescriptor; MAX_COLOR_ATTACHMENTS],
    pub depth_attachment_pixel_format: u32,
    pub stencil_attachment_pixel_format: u32,
    pub vertex_descriptor: Option<VertexDescriptor>,
    pub label: String,
}

/// Stencil test and operations of one face (MTLStencilDescriptor).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StencilDescriptor {
    /// MTLCompareFunction.
    pub stencil_compare_function: u32,
    /// MTLStencilOperation, for each outcome.
    pub stencil_failure_operation: u32,
    pub depth_failure_operation: u32,
    pub depth_stencil_pass_operation: u32,
    pub read_mask: u32,
    pub write_mask: u32,
}

impl Default for StencilDescriptor {
    /// Metal's defaults: Always, Keep everywhere, masks all ones.
    fn default() -> Self {
        StencilDescriptor {
            stencil_compare_function: 7,
            stencil_failure_operation: 0,
            depth_failure_operation: 0,
            depth_stencil_pass_operation: 0,
            read_mask: 0xFFFF_FFFF,
            write_mask: 0xFFFF_FFFF,
        }
    }
}

/// Depth and stencil tests (MTLDepthStencilDescriptor).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DepthStencilDescriptor {
    /// MTLCompareFunction (default Always).
    pub depth_compare_function: u32,
    pub depth_write_enabled: bool,
    pub front_face_stencil: StencilDescriptor,
    pub back_face_stencil: StencilDescriptor,
    pub label: String,
}

impl Default for DepthStencilDescriptor {
    fn default() -> Self {
        DepthStencilDescriptor {
            depth_compare_function: 7,
            depth_write_enabled: false,
            front_face_stencil: StencilDescriptor::default(),
            back_face_stencil: StencilDescriptor::default(),
            label: String::new(),
        }
    }
}

/// The part every render pass attachment shares (MTLRenderPassAttachmentDescriptor).
#[derive(Clone, Debug, PartialEq)]
pub struct RenderPassAttachmentDescriptor {
    pub texture: Option<Texture>,
    pub level: u64,
    pub slice: u64,
    pub depth_plane: u64,
    /// MTLLoadAction (default DontCare).
    pub load_action: u32,
    /// MTLStoreAction.
    pub store_action: u32,
}

impl RenderPassAttachmentDescriptor {
    fn with_store(store_action: u32) -> Self {
        RenderPassAttachmentDescriptor {
            texture: None,
            level: 0,
            slice: 0,
            depth_plane: 0,
            load_action: 0,
            store_action,
        }
    }
}

/// A colour attachment of a pass (MTLRenderPassColorAttachmentDescriptor).
#[derive(Clone, Debug, PartialEq)]
pub struct RenderPassColorAttachmentDescriptor {
    pub base: RenderPassAttachmentDescriptor,
    /// RGBA, default (0, 0, 0, 1).
    pub clear_color: [f64; 4],
}

impl Default for RenderPassColorAttachmentDescriptor {
    /// Metal's defaults: load DontCare, store Store, clear to opaque black.
    fn default() -> Self {
        RenderPassColorAttachmentDescriptor {
            base: RenderPassAttachmentDescriptor::with_store(1),
            clear_color: [0.0, 0.0, 0.0, 1.0],
        }
    }
}

/// The depth attachment of a pass (MTLRenderPassDepthAttachmentDescriptor).
#[derive(Clone, Debug, PartialEq)]
pub struct RenderPassDepthAttachmentDescriptor {
    pub base: RenderPassAttachmentDescriptor,
    /// Default 1.0.
    pub clear_depth: f64,
}

impl Default for RenderPassDepthAttachmentDescriptor {
    /// Metal's defaults: load DontCare, store DontCare, clear depth 1.0.
    fn default() -> Self {
        RenderPassDepthAttachmentDescriptor { base: RenderPassAttachmentDescriptor::with_store(0), clear_depth: 1.0 }
    }
}

/// The stencil attachment of a pass (MTLRenderPassStencilAttachmentDescriptor).
#[derive(Clone, Debug, PartialEq)]
pub struct RenderPassStencilAttachmentDescriptor {
    pub base: RenderPassAttachmentDescriptor,
    /// Default 0.
    pub clear_stencil: u32,
}

impl Default for RenderPassStencilAttachmentDescriptor {
    /// Metal's defaults: load DontCare, store DontCare, clear stencil 0.
    fn default() -> Self {
        RenderPassStencilAttachmentDescriptor { base: RenderPassAttachmentDescriptor::with_store(0), clear_stencil: 0 }
    }
}

/// The attachments of a render pass (MTLRenderPassDescriptor).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RenderPassDescriptor {
    pub color_attachments: [RenderPassColorAttachmentDescriptor; MAX_COLOR_ATTACHMENTS],
    pub depth_attachment: RenderPassDepthAttachmentDescriptor,
    pub stencil_attachment: RenderPassStencilAttachmentDescriptor,
}

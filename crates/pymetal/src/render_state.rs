//! Render pipeline states and depth/stencil states: descriptors are checked here (formats,
//! blend state, the vertex descriptor against the vertex function's `[[stage_in]]`,
//! fragment inputs against vertex outputs), then the backend compiles.

use std::sync::{Arc, Mutex};

use pymetal_hal as hal;
use pymetal_hal::abi::{MAX_ATTRIBUTES, MAX_COLOR_ATTACHMENTS};
use pymetal_hal::render as hr;

use crate::device::Device;
use crate::library::{Function, FunctionType};
use crate::render_desc::{DepthStencilDescriptor, RenderPipelineDescriptor, StencilDescriptor, VertexDescriptor};
use crate::texture::PixelFormat;
use crate::{lock, Classify, ErrorKind};

/// How a vertex attribute's values reach the shader.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AttributeKind {
    /// Float, half, normalised integers: `float`/`half` types.
    Float,
    /// Signed or unsigned integers: integer types.
    Int,
}

/// Bytes, kind and component count of an MTLVertexFormat; None for Invalid and unknown values.
pub fn vertex_format_info(raw: u32) -> Option<(u32, AttributeKind, u32)> {
    use AttributeKind::{Float as F, Int as I};
    Some(match raw {
        1 | 4 => (2, I, 2),        // UChar2, Char2
        2 | 5 => (3, I, 3),        // UChar3, Char3
        3 | 6 => (4, I, 4),        // UChar4, Char4
        7 | 10 => (2, F, 2),       // UChar2Normalized, Char2Normalized
        8 | 11 => (3, F, 3),       // UChar3Normalized, Char3Normalized
        9 | 12 => (4, F, 4),       // UChar4Normalized, Char4Normalized
        13 | 16 => (4, I, 2),      // UShort2, Short2
        14 | 17 => (6, I, 3),      // UShort3, Short3
        15 | 18 => (8, I, 4),      // UShort4, Short4
        19 | 22 | 25 => (4, F, 2), // UShort2Normalized, Short2Normalized, Half2
        20 | 23 | 26 => (6, F, 3), // ...3, Half3
        21 | 24 | 27 => (8, F, 4), // ...4, Half4
        28 => (4, F, 1),           // Float
        29 => (8, F, 2),           // Float2
        30 => (12, F, 3),          // Float3
        31 => (16, F, 4),          // Float4
        32 | 36 => (4, I, 1),      // Int, UInt
        33 | 37 => (8, I, 2),      // Int2, UInt2
        34 | 38 => (12, I, 3),     // Int3, UInt3
        35 | 39 => (16, I, 4),     // Int4, UInt4
        40..=42 => (4, F, 4),      // Int1010102Normalized, UInt1010102Normalized, UChar4Normalized_BGRA
        45 | 46 => (1, I, 1),      // UChar, Char
        47 | 48 => (1, F, 1),      // UCharNormalized, CharNormalized
        49 | 50 => (2, I, 1),      // UShort, Short
        51..=53 => (2, F, 1),      // UShortNormalized, ShortNormalized, Half
        _ => return None,
    })
}

/// Why `Device.new_render_pipeline_state` refused a descriptor or failed to compile.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum NewRenderPipelineError {
    #[error("Failed to create render pipeline: no vertex function (set vertex_function)")]
    MissingVertexFunction,
    #[error(
        "Failed to create render pipeline: {role}_function '{name}' is a {function_type:?} function, not a {role} \
         function"
    )]
    WrongFunctionType { role: &'static str, name: String, function_type: FunctionType },
    #[error("Failed to create render pipeline: {role}_function '{name}' belongs to another device ({other})")]
    WrongDevice { role: &'static str, name: String, other: String },
    #[error("Failed to create render pipeline: {what} pixel format {value} is not a PixelFormat")]
    InvalidPixelFormat { what: String, value: u32 },
    #[error(
        "Failed to create render pipeline: color attachment {index} has pixel format {format:?}, not a color format"
    )]
    NotColorFormat { index: usize, format: PixelFormat },
    #[error("Failed to create render pipeline: depth_attachment_pixel_format {format:?} has no depth")]
    NotDepthFormat { format: PixelFormat },
    #[error("Failed to create render pipeline: stencil_attachment_pixel_format {format:?} has no stencil")]
    NotStencilFormat { format: PixelFormat },
    #[error(
        "Failed to create render pipeline: depth_attachment_pixel_format {depth:?} and \
         stencil_attachment_pixel_format {stencil:?} must be the same combined depth/stencil format"
    )]
    DepthStencilFormats { depth: PixelFormat, stencil: PixelFormat },
    #[error("Failed to create render pipeline: color attachment {index}: {field} {value} is not a {kind}")]
    InvalidBlendValue { index: usize, field: &'static str, value: u32, kind: &'static str },
    #[error("Failed to create render pipeline: color attachment {index}: write_mask {value:#x} has bits other than ColorWriteMaskAll (0xf)")]
    InvalidWriteMask { index: usize, value: u32 },
    #[error("Failed to create render pipeline: color attachment {index}: blending is not supported for the integer format {format:?}")]
    BlendingIntegerFormat { index: usize, format: PixelFormat },
    #[error(
        "Failed to create render pipeline: fragment function '{function}' writes {written} to color({index}), but \
         color attachment {index} has the {format:?} format"
    )]
    FragmentOutputKind { function: String, index: u32, written: &'static str, format: PixelFormat },
    #[error(
        "Failed to create render pipeline: vertex function '{function}' reads [[stage_in]] attribute(s) {attributes:?} \
         but the descriptor has no vertex_descriptor"
    )]
    NoVertexDescriptor { function: String, attributes: Vec<u32> },
    #[error(
        "Failed to create render pipeline: unknown vertex attribute {index}: vertex function '{function}' reads \
         [[attribute({index})]] but vertex_descriptor.attribute({index}).format is Invalid"
    )]
    UnknownVertexAttribute { function: String, index: u32 },
    #[error(
        "Failed to create render pipeline: vertex_descriptor.attribute({index}).format {value} is not a VertexFormat"
    )]
    InvalidVertexFormat { index: usize, value: u32 },
    #[error(
        "Failed to create render pipeline: vertex_descriptor.attribute({index}) has an {format_kind} format but \
         vertex function '{function}' declares it as {shader}"
    )]
    AttributeKindMismatch { index: u32, function: String, format_kind: &'static str, shader: &'static str },
    #[error("Failed to create render pipeline: vertex_descriptor.attribute({index}).buffer_index {value} exceeds maximum (30)")]
    AttributeBufferIndex { index: usize, value: u64 },
    #[error(
        "Failed to create render pipeline: vertex_descriptor.layout({buffer}).step_function {value} is not a \
         VertexStepFunction"
    )]
    InvalidStepFunction { buffer: usize, value: u32 },
    #[error(
        "Failed to create render pipeline: vertex_descriptor.layout({buffer}).stride is {stride}; it must be a \
         non-zero multiple of 4 for buffers walked per vertex or per instance"
    )]
    LayoutStride { buffer: usize, stride: u64 },
    #[error("Failed to create render pipeline: vertex_descriptor.layout({buffer}).step_rate must be greater than 0 for PerInstance")]
    StepRate { buffer: usize },
    #[error(
        "Failed to create render pipeline: vertex_descriptor.attribute({index}) (offset {offset}, {size} bytes) does \
         not fit in the stride ({stride}) of layout({buffer})"
    )]
    AttributeOutsideStride { index: usize, offset: u64, size: u32, stride: u64, buffer: usize },
    #[error(
        "Failed to create render pipeline: vertex function '{function}' uses [[buffer({index})]] for parameter \
         '{param}', which vertex_descriptor also uses for vertex attributes"
    )]
    BufferIndexConflict { function: String, index: u32, param: String },
    #[error(
        "Failed to create render pipeline: fragment input '{varying}' of '{fragment}' has no matching output in \
         vertex function '{vertex}'"
    )]
    MissingVarying { fragment: String, varying: String, vertex: String },
    #[error(
        "Failed to create render pipeline: fragment input '{varying}' of '{fragment}' is {fragment_type} but vertex \
         function '{vertex}' writes {vertex_type}"
    )]
    VaryingMismatch { fragment: String, varying: String, vertex: String, fragment_type: String, vertex_type: String },
    #[error("Failed to create render pipeline: shader compilation failed: {0}")]
    Compile(msl::Diagnostic),
    #[error("Failed to create render pipeline: {0}")]
    Backend(hal::HalError),
}

impl From<hal::HalError> for NewRenderPipelineError {
    fn from(e: hal::HalError) -> Self {
        match e {
            hal::HalError::Compile(d) => NewRenderPipelineError::Compile(d),
            e => NewRenderPipelineError::Backend(e),
        }
    }
}

impl Classify for NewRenderPipelineError {
    fn kind(&self) -> ErrorKind {
        match self {
            NewRenderPipelineError::Compile(_) | NewRenderPipelineError::Backend(_) => ErrorKind::Pipeline,
            _ => ErrorKind::Validation,
        }
    }
}

type E = NewRenderPipelineError;

/// A vertex and fragment function compiled with the pipeline's fixed-function state.
#[derive(Clone)]
pub struct RenderPipelineState(Arc<PipelineInner>);

struct PipelineInner {
    device: Device,
    hal: Arc<dyn hr::RenderPipeline>,
    vertex_function: Function,
    fragment_function: Option<Function>,
    color_formats: [Option<PixelFormat>; MAX_COLOR_ATTACHMENTS],
    depth_format: Option<PixelFormat>,
    stencil_format: Option<PixelFormat>,
    vertex_descriptor: Option<hr::VertexDescriptor>,
    label: String,
}

impl PartialEq for RenderPipelineState {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl std::fmt::Debug for RenderPipelineState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "RenderPipelineState({:?}, label={:?})", self.vertex_function().name(), self.label())
    }
}

fn pixel_format(what: impl Fn() -> String, v: u32) -> Result<Option<PixelFormat>, E> {
    if v == 0 {
        return Ok(None);
    }
    PixelFormat::from_raw(v).map(Some).ok_or_else(|| E::InvalidPixelFormat { what: what(), value: v })
}

fn kind_name(k: msl::ScalarKind) -> &'static str {
    if k.is_float() {
        "floating-point"
    } else {
        "integer"
    }
}

/// Checks the colour attachments; returns their HAL state and formats.
#[allow(clippy::type_complexity)]
fn color_attachments(
    d: &RenderPipelineDescriptor,
) -> Result<([Option<hr::ColorAttachmentState>; MAX_COLOR_ATTACHMENTS], [Option<PixelFormat>; MAX_COLOR_ATTACHMENTS]), E>
{
    let mut states = [None; MAX_COLOR_ATTACHMENTS];
    let mut formats = [None; MAX_COLOR_ATTACHMENTS];
    for (index, a) in d.color_attachments.iter().enumerate() {
        let factor = |field: &'static str, v: u32| {
            hr::BlendFactor::from_raw(v).ok_or(E::InvalidBlendValue { index, field, value: v, kind: "BlendFactor" })
        };
        let op = |field: &'static str, v: u32| {
            hr::BlendOperation::from_raw(v).ok_or(E::InvalidBlendValue {
                index,
                field,
                value: v,
                kind: "BlendOperation",
            })
        };
        let source_rgb = factor("source_rgb_blend_factor", a.source_rgb_blend_factor)?;
        let destination_rgb = factor("destination_rgb_blend_factor", a.destination_rgb_blend_factor)?;
        let source_alpha = factor("source_alpha_blend_factor", a.source_alpha_blend_factor)?;
        let destination_alpha = factor("destination_alpha_blend_factor", a.destination_alpha_blend_factor)?;
        let rgb_operation = op("rgb_blend_operation", a.rgb_blend_operation)?;
        let alpha_operation = op("alpha_blend_operation", a.alpha_blend_operation)?;
        if a.write_mask & !0xF != 0 {
            return Err(E::InvalidWriteMask { index, value: a.write_mask });
        }
        let Some(format) = pixel_format(|| format!("color attachment {index}"), a.pixel_format)? else { continue };
        if format.kind() == hal::FormatKind::DepthStencil {
            return Err(E::NotColorFormat { index, format });
        }
        if a.blending_enabled && format.kind() != hal::FormatKind::Float {
            return Err(E::BlendingIntegerFormat { index, format });
        }
        formats[index] = Some(format);
        states[index] = Some(hr::ColorAttachmentState {
            pixel_format: format,
            write_mask: a.write_mask,
            blending_enabled: a.blending_enabled,
            source_rgb,
            destination_rgb,
            rgb_operation,
            source_alpha,
            destination_alpha,
            alpha_operation,
        });
    }
    Ok((states, formats))
}

/// Checks the vertex descriptor against the vertex function's `[[stage_in]]` attributes.
fn vertex_descriptor(
    vertex: &Function,
    vd: Option<&VertexDescriptor>,
) -> Result<Option<hr::VertexDescriptor>, NewRenderPipelineError> {
    let entry = vertex.entry();
    let function = entry.name.clone();
    let Some(vd) = vd else {
        if entry.io.attributes.is_empty() {
            return Ok(None);
        }
        let attributes = entry.io.attributes.iter().map(|a| a.index).collect();
        return Err(E::NoVertexDescriptor { function, attributes });
    };
    let mut out = hr::VertexDescriptor { attributes: [None; MAX_ATTRIBUTES], layouts: [None; MAX_ATTRIBUTES] };
    for (index, a) in vd.attributes.iter().enumerate() {
        if a.format == 0 {
            continue;
        }
        let (size, _, _) = vertex_format_info(a.format).ok_or(E::InvalidVertexFormat { index, value: a.format })?;
        if a.buffer_index >= MAX_ATTRIBUTES as u64 {
            return Err(E::AttributeBufferIndex { index, value: a.buffer_index });
        }
        let buffer = a.buffer_index as usize;
        let l = &vd.layouts[buffer];
        let step = hr::StepFunction::from_raw(l.step_function)
            .ok_or(E::InvalidStepFunction { buffer, value: l.step_function })?;
        if step != hr::StepFunction::Constant {
            if l.stride == 0 || !l.stride.is_multiple_of(4) || l.stride > u32::MAX as u64 {
                return Err(E::LayoutStride { buffer, stride: l.stride });
            }
            if a.offset + size as u64 > l.stride {
                return Err(E::AttributeOutsideStride { index, offset: a.offset, size, stride: l.stride, buffer });
            }
        }
        if step == hr::StepFunction::PerInstance && l.step_rate == 0 {
            return Err(E::StepRate { buffer });
        }
        let offset = u32::try_from(a.offset).map_err(|_| E::AttributeOutsideStride {
            index,
            offset: a.offset,
            size,
            stride: l.stride,
            buffer,
        })?;
        out.attributes[index] = Some(hr::VertexAttribute { format: a.format, offset, buffer_index: buffer as u32 });
        out.layouts[buffer] = Some(hr::VertexLayout {
            stride: l.stride as u32,
            step_function: step,
            step_rate: l.step_rate.min(u32::MAX as u64) as u32,
        });
    }
    for slot in &entry.io.attributes {
        let i = slot.index as usize;
        let Some(attr) = out.attributes.get(i).copied().flatten() else {
            return Err(E::UnknownVertexAttribute { function, index: slot.index });
        };
        let (_, kind, _) = vertex_format_info(attr.format).unwrap_or((0, AttributeKind::Float, 0));
        if (kind == AttributeKind::Float) != slot.kind.is_float() {
            let format_kind = if kind == AttributeKind::Float { "floating-point" } else { "integer" };
            let shader = kind_name(slot.kind);
            return Err(E::AttributeKindMismatch { index: slot.index, function, format_kind, shader });
        }
    }
    for p in &entry.params {
        if let msl::Binding::Buffer(i) = p.binding {
            if out.layouts.get(i as usize).is_some_and(|l| l.is_some()) {
                return Err(E::BufferIndexConflict { function, index: i, param: p.name.clone() });
            }
        }
    }
    Ok(Some(out))
}

/// Every fragment input must come from a vertex output (by `[[user(name)]]`, else by name).
fn check_varyings(vertex: &Function, fragment: &Function) -> Result<(), E> {
    let (v, f) = (vertex.entry(), fragment.entry());
    for fv in &f.io.varyings {
        // docs/abi.md §5: by `[[user(name)]]` when the fragment input has one, else by member name.
        let found = v.io.varyings.iter().find(|vv| match &fv.user {
            Some(u) => vv.user.as_ref() == Some(u),
            None => vv.name == fv.name,
        });
        let varying = fv.user.clone().unwrap_or_else(|| fv.name.clone());
        let Some(vv) = found else {
            return Err(E::MissingVarying { fragment: f.name.clone(), varying, vertex: v.name.clone() });
        };
        if fv.kind.is_float() != vv.kind.is_float() || fv.components > vv.components {
            let ty = |k: msl::ScalarKind, n: u32| {
                format!("{}{}", format!("{k:?}").to_lowercase(), if n > 1 { n.to_string() } else { String::new() })
            };
            return Err(E::VaryingMismatch {
                fragment: f.name.clone(),
                varying,
                vertex: v.name.clone(),
                fragment_type: ty(fv.kind, fv.components),
                vertex_type: ty(vv.kind, vv.components),
            });
        }
    }
    Ok(())
}

impl RenderPipelineState {
    pub(crate) fn new(device: &Device, d: &RenderPipelineDescriptor) -> Result<RenderPipelineState, E> {
        let vertex = d.vertex_function.clone().ok_or(E::MissingVertexFunction)?;
        for (role, f, want) in [
            ("vertex", Some(&vertex), FunctionType::Vertex),
            ("fragment", d.fragment_function.as_ref(), FunctionType::Fragment),
        ] {
            let Some(f) = f else { continue };
            let name = f.name().to_string();
            if f.function_type() != want {
                return Err(E::WrongFunctionType { role, name, function_type: f.function_type() });
            }
            if f.device() != device {
                return Err(E::WrongDevice { role, name, other: f.device().spec() });
            }
        }
        let (states, color_formats) = color_attachments(d)?;
        let depth_format = pixel_format(|| "depth_attachment".into(), d.depth_attachment_pixel_format)?;
        let stencil_format = pixel_format(|| "stencil_attachment".into(), d.stencil_attachment_pixel_format)?;
        if let Some(f) = depth_format.filter(|f| !f.has_depth()) {
            return Err(E::NotDepthFormat { format: f });
        }
        if let Some(f) = stencil_format.filter(|f| !f.has_stencil()) {
            return Err(E::NotStencilFormat { format: f });
        }
        if let (Some(depth), Some(stencil)) = (depth_format, stencil_format) {
            // A combined format serves both; separate depth and stencil formats cannot be mixed.
            if depth != stencil {
                return Err(E::DepthStencilFormats { depth, stencil });
            }
        }
        if let Some(frag) = &d.fragment_function {
            check_varyings(&vertex, frag)?;
            for c in &frag.entry().io.colors {
                let Some(format) = color_formats.get(c.index as usize).copied().flatten() else { continue };
                let written = match (c.kind.is_float(), format.kind()) {
                    (true, hal::FormatKind::Float) => continue,
                    (false, hal::FormatKind::Uint | hal::FormatKind::Sint) => continue,
                    (true, _) => "floating-point values",
                    (false, _) => "integer values",
                };
                return Err(E::FragmentOutputKind { function: frag.name().into(), index: c.index, written, format });
            }
        }
        let vd = vertex_descriptor(&vertex, d.vertex_descriptor.as_ref())?;
        let vlib = vertex.library().to_msl().map_err(E::Compile)?;
        let flib = match &d.fragment_function {
            Some(f) if f.library() == vertex.library() => None,
            Some(f) => Some(f.library().to_msl().map_err(E::Compile)?),
            None => None,
        };
        let fragment = d.fragment_function.as_ref().map(|f| (flib.as_ref().unwrap_or(&vlib), f.name(), f.constants()));
        let desc = hr::RenderPipelineDesc {
            vertex_library: &vlib,
            vertex_function: vertex.name(),
            vertex_constants: vertex.constants(),
            fragment,
            vertex_descriptor: vd.clone(),
            color_attachments: states,
            depth_format,
            stencil_format,
        };
        let hal = device.hal().new_render_pipeline(&desc)?;
        Ok(RenderPipelineState(Arc::new(PipelineInner {
            device: device.clone(),
            hal,
            vertex_function: vertex.clone(),
            fragment_function: d.fragment_function.clone(),
            color_formats,
            depth_format,
            stencil_format,
            vertex_descriptor: vd,
            label: d.label.clone(),
        })))
    }

    pub fn device(&self) -> &Device {
        &self.0.device
    }
    pub fn hal(&self) -> &Arc<dyn hr::RenderPipeline> {
        &self.0.hal
    }
    pub fn label(&self) -> &str {
        &self.0.label
    }
    pub fn vertex_function(&self) -> &Function {
        &self.0.vertex_function
    }
    pub fn fragment_function(&self) -> Option<&Function> {
        self.0.fragment_function.as_ref()
    }
    pub fn color_formats(&self) -> &[Option<PixelFormat>; MAX_COLOR_ATTACHMENTS] {
        &self.0.color_formats
    }
    pub fn depth_format(&self) -> Option<PixelFormat> {
        self.0.depth_format
    }
    pub fn stencil_format(&self) -> Option<PixelFormat> {
        self.0.stencil_format
    }
    pub fn vertex_descriptor(&self) -> Option<&hr::VertexDescriptor> {
        self.0.vertex_descriptor.as_ref()
    }
}

/// Why `Device.new_depth_stencil_state` refused a descriptor.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum NewDepthStencilStateError {
    #[error("Device.new_depth_stencil_state: {field} {value} is not a CompareFunction")]
    InvalidCompareFunction { field: &'static str, value: u32 },
    #[error("Device.new_depth_stencil_state: {field} {value} is not a StencilOperation")]
    InvalidStencilOperation { field: &'static str, value: u32 },
}

impl Classify for NewDepthStencilStateError {
    fn kind(&self) -> ErrorKind {
        ErrorKind::Validation
    }
}

fn stencil_face(face: &'static str, s: &StencilDescriptor) -> Result<hr::StencilFace, NewDepthStencilStateError> {
    use NewDepthStencilStateError as D;
    let names: [&'static str; 4] = if face == "front" {
        [
            "front_face_stencil.stencil_compare_function",
            "front_face_stencil.stencil_failure_operation",
            "front_face_stencil.depth_failure_operation",
            "front_face_stencil.depth_stencil_pass_operation",
        ]
    } else {
        [
            "back_face_stencil.stencil_compare_function",
            "back_face_stencil.stencil_failure_operation",
            "back_face_stencil.depth_failure_operation",
            "back_face_stencil.depth_stencil_pass_operation",
        ]
    };
    let op = |field: &'static str, value: u32| {
        hr::StencilOperation::from_raw(value).ok_or(D::InvalidStencilOperation { field, value })
    };
    Ok(hr::StencilFace {
        compare: hr::CompareFunction::from_raw(s.stencil_compare_function)
            .ok_or(D::InvalidCompareFunction { field: names[0], value: s.stencil_compare_function })?,
        stencil_failure: op(names[1], s.stencil_failure_operation)?,
        depth_failure: op(names[2], s.depth_failure_operation)?,
        depth_stencil_pass: op(names[3], s.depth_stencil_pass_operation)?,
        read_mask: s.read_mask,
        write_mask: s.write_mask,
    })
}

/// Depth and stencil tests for draws (MTLDepthStencilState).
#[derive(Clone)]
pub struct DepthStencilState(Arc<DepthStencilInner>);

struct DepthStencilInner {
    device: Device,
    state: hr::DepthStencilState,
    label: Mutex<String>,
}

impl PartialEq for DepthStencilState {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl std::fmt::Debug for DepthStencilState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "DepthStencilState({:?})", self.0.state)
    }
}

impl DepthStencilState {
    pub(crate) fn new(device: &Device, d: &DepthStencilDescriptor) -> Result<Self, NewDepthStencilStateError> {
        let depth_compare = hr::CompareFunction::from_raw(d.depth_compare_function).ok_or(
            NewDepthStencilStateError::InvalidCompareFunction {
                field: "depth_compare_function",
                value: d.depth_compare_function,
            },
        )?;
        let state = hr::DepthStencilState {
            depth_compare,
            depth_write: d.depth_write_enabled,
            front: stencil_face("front", &d.front_face_stencil)?,
            back: stencil_face("back", &d.back_face_stencil)?,
        };
        Ok(DepthStencilState(Arc::new(DepthStencilInner {
            device: device.clone(),
            state,
            label: Mutex::new(d.label.clone()),
        })))
    }
    pub fn device(&self) -> &Device {
        &self.0.device
    }
    pub fn state(&self) -> &hr::DepthStencilState {
        &self.0.state
    }
    pub fn label(&self) -> String {
        lock(&self.0.label).clone()
    }
    pub fn set_label(&self, label: &str) {
        *lock(&self.0.label) = label.to_string();
    }
}

impl Device {
    /// Checks `descriptor` and compiles its functions for this device (blocking).
    pub fn new_render_pipeline_state(
        &self,
        descriptor: &RenderPipelineDescriptor,
    ) -> Result<RenderPipelineState, NewRenderPipelineError> {
        RenderPipelineState::new(self, descriptor)
    }

    /// Checks `descriptor` (compare functions, stencil operations).
    pub fn new_depth_stencil_state(
        &self,
        descriptor: &DepthStencilDescriptor,
    ) -> Result<DepthStencilState, NewDepthStencilStateError> {
        DepthStencilState::new(self, descriptor)
    }
}

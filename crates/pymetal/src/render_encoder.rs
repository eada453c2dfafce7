//! The render command encoder: it keeps the current state (pipeline, bindings of both
//! stages, depth/stencil, rasterizer state), checks each call, snapshots the state into a
//! `hal::render::Draw` per draw, and records one `Command::RenderPass` at `end_encoding`.

use std::sync::{Arc, Mutex};

use pymetal_hal as hal;
use pymetal_hal::abi::{MAX_COLOR_ATTACHMENTS, MAX_SAMPLERS};
use pymetal_hal::render as hr;

use crate::command::{CommandBuffer, RecordState};
use crate::device::Device;
use crate::encoder::{EncodeError, MAX_BUFFER_INDEX, MAX_SAMPLER_INDEX, MAX_SET_BYTES, MAX_TEXTURE_INDEX};
use crate::render_state::{DepthStencilState, RenderPipelineState};
use crate::resource::Buffer;
use crate::texture::{PixelFormat, Texture};
use crate::{lock, Classify, ErrorKind};

/// Why a state-setting call of a render encoder was refused.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RenderEncodeError {
    #[error(transparent)]
    Encode(#[from] EncodeError),
    #[error("{method}: texture index {index} exceeds maximum (31)")]
    TextureIndex { method: &'static str, index: u64 },
    #[error("{method}: sampler index {index} exceeds maximum (16)")]
    SamplerIndex { method: &'static str, index: u64 },
    #[error("{method}: {value} is not a {kind}")]
    InvalidEnum { method: &'static str, value: u32, kind: &'static str },
    #[error("{method}: {what} must be {rule} (got {value})")]
    Viewport { method: &'static str, what: &'static str, rule: &'static str, value: f64 },
    #[error(
        "{method}: scissor rect ({x}, {y}, {width}x{height}) exceeds the render pass's size ({}x{})",
        size[0], size[1]
    )]
    ScissorOutside { method: &'static str, x: u64, y: u64, width: u64, height: u64, size: [u32; 2] },
}

impl Classify for RenderEncodeError {
    fn kind(&self) -> ErrorKind {
        ErrorKind::Validation
    }
}

/// Why a draw was refused.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DrawError {
    #[error(transparent)]
    Encode(#[from] EncodeError),
    #[error("{method}: no render pipeline state is set (call set_render_pipeline_state() first)")]
    NoPipeline { method: &'static str },
    #[error("{method}: {value} is not a {kind}")]
    InvalidEnum { method: &'static str, value: u32, kind: &'static str },
    #[error(
        "{method}: the pipeline's color attachment {index} pixel format ({pipeline}) does not match the render \
         pass's ({pass})"
    )]
    ColorFormatMismatch { method: &'static str, index: usize, pipeline: String, pass: String },
    #[error("{method}: the pipeline's {what} pixel format ({pipeline}) does not match the render pass's ({pass})")]
    DepthStencilFormatMismatch { method: &'static str, what: &'static str, pipeline: String, pass: String },
    #[error(
        "{method}: {stage} function '{function}' needs a {kind} at index {index} (parameter '{param}'), but none \
         is set (call set_{stage}_{setter} with index {index})"
    )]
    MissingBinding {
        method: &'static str,
        stage: &'static str,
        function: String,
        kind: &'static str,
        param: String,
        index: u32,
        setter: &'static str,
    },
    #[error(
        "{method}: vertex attribute {attribute} reads vertex buffer {buffer}, but none is set (call \
         set_vertex_buffer with index {buffer})"
    )]
    MissingVertexBuffer { method: &'static str, attribute: usize, buffer: u32 },
    #[error(
        "{method}: vertex attribute {attribute} reads bytes {offset}..{end} of vertex buffer {buffer}, which has \
         {available} bytes from its offset"
    )]
    VertexBufferTooShort {
        method: &'static str,
        attribute: usize,
        buffer: u32,
        offset: u128,
        end: u128,
        available: u64,
    },
    #[error("{method}: {what} {start} + {count} exceeds 4294967295")]
    RangeOverflow { method: &'static str, what: &'static str, start: u64, count: u64 },
    #[error("{method}: index_buffer_offset {offset} must be a multiple of the index size ({size} bytes)")]
    IndexOffsetAlignment { method: &'static str, offset: u64, size: u64 },
    #[error("{method}: the indices (bytes {offset}..{end}) exceed the index buffer's length ({length})")]
    IndexRange { method: &'static str, offset: u64, end: u128, length: usize },
}

impl Classify for DrawError {
    fn kind(&self) -> ErrorKind {
        ErrorKind::Validation
    }
}

fn record_err(method: &'static str, e: RecordState) -> EncodeError {
    match e {
        RecordState::Ended => EncodeError::Ended { method },
        RecordState::Committed => EncodeError::Committed { method },
    }
}

/// Which stage a binding call targets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    Vertex,
    Fragment,
}

impl Stage {
    fn name(self) -> &'static str {
        match self {
            Stage::Vertex => "vertex",
            Stage::Fragment => "fragment",
        }
    }
}

/// Records draws into one render pass (MTLRenderCommandEncoder).
#[derive(Clone)]
pub struct RenderCommandEncoder(Arc<RenderInner>);

impl std::fmt::Debug for RenderCommandEncoder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let [w, h] = self.size();
        write!(f, "RenderCommandEncoder({w}x{h}, label={:?})", self.label())
    }
}

struct RenderInner {
    cb: CommandBuffer,
    id: u64,
    state: Mutex<RenderState>,
}

struct RenderState {
    pass: hr::RenderPass,
    pipeline: Option<RenderPipelineState>,
    vertex: hr::StageResources,
    fragment: hr::StageResources,
    depth_stencil: hr::DepthStencilState,
    stencil_reference: [u32; 2],
    cull_mode: hr::CullMode,
    front_facing: hr::Winding,
    fill_mode: hr::TriangleFillMode,
    viewport: hr::Viewport,
    scissor: Option<hr::ScissorRect>,
    blend_color: [f32; 4],
    label: String,
}

impl RenderState {
    fn stage(&mut self, s: Stage) -> &mut hr::StageResources {
        match s {
            Stage::Vertex => &mut self.vertex,
            Stage::Fragment => &mut self.fragment,
        }
    }
}

fn fmt_format(f: Option<PixelFormat>) -> String {
    f.map_or_else(|| "Invalid".to_string(), |f| format!("{f:?}"))
}

/// Bytes a binding makes available from its offset.
fn available(b: &hal::BufferBinding) -> u64 {
    match b {
        hal::BufferBinding::Buffer { buffer, offset } => (buffer.length() - offset) as u64,
        hal::BufferBinding::Bytes(d) => d.len() as u64,
    }
}

fn truncated<T: Clone>(v: &[Option<T>]) -> Vec<Option<T>> {
    let used = v.iter().rposition(|b| b.is_some()).map_or(0, |i| i + 1);
    v[..used].to_vec()
}

fn primitive(method: &'static str, v: u32) -> Result<hr::PrimitiveType, DrawError> {
    hr::PrimitiveType::from_raw(v).ok_or(DrawError::InvalidEnum { method, value: v, kind: "PrimitiveType" })
}

impl RenderCommandEncoder {
    pub(crate) fn new(cb: CommandBuffer, id: u64, pass: hr::RenderPass) -> Self {
        let [w, h] = pass.size;
        let empty = || hr::StageResources {
            buffers: vec![None; MAX_BUFFER_INDEX as usize + 1],
            textures: vec![None; MAX_TEXTURE_INDEX as usize + 1],
            samplers: vec![None; MAX_SAMPLERS],
        };
        RenderCommandEncoder(Arc::new(RenderInner {
            cb,
            id,
            state: Mutex::new(RenderState {
                pass,
                pipeline: None,
                vertex: empty(),
                fragment: empty(),
                depth_stencil: hr::DepthStencilState::DEFAULT,
                stencil_reference: [0, 0],
                cull_mode: hr::CullMode::None,
                front_facing: hr::Winding::Clockwise,
                fill_mode: hr::TriangleFillMode::Fill,
                viewport: hr::Viewport {
                    origin_x: 0.0,
                    origin_y: 0.0,
                    width: w as f64,
                    height: h as f64,
                    znear: 0.0,
                    zfar: 1.0,
                },
                scissor: None,
                blend_color: [0.0; 4],
                label: String::new(),
            }),
        }))
    }

    pub fn command_buffer(&self) -> &CommandBuffer {
        &self.0.cb
    }
    pub fn label(&self) -> String {
        lock(&self.0.state).label.clone()
    }
    pub fn set_label(&self, label: &str) {
        lock(&self.0.state).label = label.to_string();
    }
    pub fn is_open(&self) -> bool {
        self.0.cb.is_encoder_open(self.0.id)
    }
    /// Width and height of the pass's attachments.
    pub fn size(&self) -> [u32; 2] {
        lock(&self.0.state).pass.size
    }

    fn check_open(&self, method: &'static str) -> Result<(), EncodeError> {
        self.0.cb.with_recording(self.0.id, |_| ()).map_err(|e| record_err(method, e))
    }

    fn check_device(&self, method: &'static str, what: &'static str, dev: &Device) -> Result<(), EncodeError> {
        let this = self.0.cb.device();
        if dev != this {
            return Err(EncodeError::WrongDevice { method, what, other: dev.spec(), this: this.spec() });
        }
        Ok(())
    }

    pub fn set_render_pipeline_state(&self, state: &RenderPipelineState) -> Result<(), EncodeError> {
        let method = "RenderCommandEncoder.set_render_pipeline_state";
        self.check_open(method)?;
        self.check_device(method, "pipeline state", state.device())?;
        lock(&self.0.state).pipeline = Some(state.clone());
        Ok(())
    }

    fn buffer_index(method: &'static str, index: u64) -> Result<(), EncodeError> {
        if index > MAX_BUFFER_INDEX as u64 {
            return Err(EncodeError::BufferIndex { method, index });
        }
        Ok(())
    }

    /// Binds `buffer` from `offset` at `[[buffer(index)]]` of `stage`.
    pub fn set_buffer(&self, stage: Stage, buffer: &Buffer, offset: u64, index: u64) -> Result<(), EncodeError> {
        let method = match stage {
            Stage::Vertex => "RenderCommandEncoder.set_vertex_buffer",
            Stage::Fragment => "RenderCommandEncoder.set_fragment_buffer",
        };
        self.check_open(method)?;
        Self::buffer_index(method, index)?;
        self.check_device(method, "buffer", buffer.device())?;
        if offset >= buffer.length() as u64 {
            return Err(EncodeError::OffsetOutOfBounds { method, offset, length: buffer.length() });
        }
        let binding = hal::BufferBinding::Buffer { buffer: buffer.hal().clone(), offset: offset as usize };
        lock(&self.0.state).stage(stage).buffers[index as usize] = Some(binding);
        Ok(())
    }

    /// Copies `data` (at most 4096 bytes) for `[[buffer(index)]]` of `stage`.
    pub fn set_bytes(&self, stage: Stage, data: &[u8], index: u64) -> Result<(), EncodeError> {
        let method = match stage {
            Stage::Vertex => "RenderCommandEncoder.set_vertex_bytes",
            Stage::Fragment => "RenderCommandEncoder.set_fragment_bytes",
        };
        self.check_open(method)?;
        Self::buffer_index(method, index)?;
        if data.is_empty() {
            return Err(EncodeError::BytesEmpty { method });
        }
        if data.len() > MAX_SET_BYTES {
            return Err(EncodeError::BytesTooLong { method, length: data.len(), max: MAX_SET_BYTES });
        }
        // Padded to 16 bytes as the compute encoder does; vertex fetches are checked against
        // the length given, not the padding.
        let mut bytes = data.to_vec();
        bytes.resize(data.len().next_multiple_of(16), 0);
        lock(&self.0.state).stage(stage).buffers[index as usize] = Some(hal::BufferBinding::Bytes(bytes.into()));
        Ok(())
    }

    /// Binds `texture` at `[[texture(index)]]` of `stage` (None unbinds).
    pub fn set_texture(&self, stage: Stage, texture: Option<&Texture>, index: u64) -> Result<(), RenderEncodeError> {
        let method = match stage {
            Stage::Vertex => "RenderCommandEncoder.set_vertex_texture",
            Stage::Fragment => "RenderCommandEncoder.set_fragment_texture",
        };
        self.check_open(method)?;
        if index > MAX_TEXTURE_INDEX as u64 {
            return Err(RenderEncodeError::TextureIndex { method, index });
        }
        if let Some(t) = texture {
            self.check_device(method, "texture", t.device())?;
        }
        lock(&self.0.state).stage(stage).textures[index as usize] = texture.map(|t| t.hal().clone());
        Ok(())
    }

    /// Binds a sampler at `[[sampler(index)]]` of `stage` (None unbinds).
    pub fn set_sampler_state(
        &self,
        stage: Stage,
        sampler: Option<&crate::SamplerState>,
        index: u64,
    ) -> Result<(), RenderEncodeError> {
        let method = match stage {
            Stage::Vertex => "RenderCommandEncoder.set_vertex_sampler_state",
            Stage::Fragment => "RenderCommandEncoder.set_fragment_sampler_state",
        };
        self.check_open(method)?;
        if index > MAX_SAMPLER_INDEX as u64 {
            return Err(RenderEncodeError::SamplerIndex { method, index });
        }
        if let Some(s) = sampler {
            self.check_device(method, "sampler state", s.device())?;
        }
        if (index as usize) < MAX_SAMPLERS {
            lock(&self.0.state).stage(stage).samplers[index as usize] = sampler.map(|s| s.pm());
        }
        Ok(())
    }

    pub fn set_depth_stencil_state(&self, state: &DepthStencilState) -> Result<(), EncodeError> {
        let method = "RenderCommandEncoder.set_depth_stencil_state";
        self.check_open(method)?;
        self.check_device(method, "depth stencil state", state.device())?;
        lock(&self.0.state).depth_stencil = *state.state();
        Ok(())
    }

    /// The same reference value for front and back faces.
    pub fn set_stencil_reference_value(&self, value: u32) -> Result<(), EncodeError> {
        self.set_stencil_reference_values(value, value)
    }

    pub fn set_stencil_reference_values(&self, front: u32, back: u32) -> Result<(), EncodeError> {
        self.check_open("RenderCommandEncoder.set_stencil_reference_values")?;
        lock(&self.0.state).stencil_reference = [front, back];
        Ok(())
    }

    pub fn set_cull_mode(&self, mode: u32) -> Result<(), RenderEncodeError> {
        let method = "RenderCommandEncoder.set_cull_mode";
        self.check_open(method)?;
        let m = hr::CullMode::from_raw(mode).ok_or(RenderEncodeError::InvalidEnum {
            method,
            value: mode,
            kind: "CullMode",
        })?;
        lock(&self.0.state).cull_mode = m;
        Ok(())
    }

    pub fn set_front_facing_winding(&self, winding: u32) -> Result<(), RenderEncodeError> {
        let method = "RenderCommandEncoder.set_front_facing_winding";
        self.check_open(method)?;
        let w = hr::Winding::from_raw(winding).ok_or(RenderEncodeError::InvalidEnum {
            method,
            value: winding,
            kind: "Winding",
        })?;
        lock(&self.0.state).front_facing = w;
        Ok(())
    }

    pub fn set_triangle_fill_mode(&self, mode: u32) -> Result<(), RenderEncodeError> {
        let method = "RenderCommandEncoder.set_triangle_fill_mode";
        self.check_open(method)?;
        let m = match mode {
            0 => hr::TriangleFillMode::Fill,
            1 => hr::TriangleFillMode::Lines,
            _ => return Err(RenderEncodeError::InvalidEnum { method, value: mode, kind: "TriangleFillMode" }),
        };
        lock(&self.0.state).fill_mode = m;
        Ok(())
    }

    pub fn set_blend_color(&self, red: f32, green: f32, blue: f32, alpha: f32) -> Result<(), EncodeError> {
        self.check_open("RenderCommandEncoder.set_blend_color")?;
        lock(&self.0.state).blend_color = [red, green, blue, alpha];
        Ok(())
    }

    /// The viewport transform (MTLViewport): window origin, size and depth range.
    pub fn set_viewport(&self, v: hr::Viewport) -> Result<(), RenderEncodeError> {
        let method = "RenderCommandEncoder.set_viewport";
        self.check_open(method)?;
        let bad = |what, rule, value| Err(RenderEncodeError::Viewport { method, what, rule, value });
        for (what, value) in [("origin_x", v.origin_x), ("origin_y", v.origin_y)] {
            if !value.is_finite() {
                return bad(what, "finite", value);
            }
        }
        for (what, value) in [("width", v.width), ("height", v.height)] {
            if !(value.is_finite() && value > 0.0) {
                return bad(what, "finite and greater than 0", value);
            }
        }
        for (what, value) in [("znear", v.znear), ("zfar", v.zfar)] {
            if !(0.0..=1.0).contains(&value) {
                return bad(what, "between 0.0 and 1.0", value);
            }
        }
        lock(&self.0.state).viewport = v;
        Ok(())
    }

    /// Fragments outside the rectangle are discarded; it must lie inside the pass.
    pub fn set_scissor_rect(&self, x: u64, y: u64, width: u64, height: u64) -> Result<(), RenderEncodeError> {
        let method = "RenderCommandEncoder.set_scissor_rect";
        self.check_open(method)?;
        let mut st = lock(&self.0.state);
        let size = st.pass.size;
        if x + width > size[0] as u64 || y + height > size[1] as u64 {
            return Err(RenderEncodeError::ScissorOutside { method, x, y, width, height, size });
        }
        st.scissor = Some(hr::ScissorRect { x: x as u32, y: y as u32, width: width as u32, height: height as u32 });
        Ok(())
    }

    /// Draws `vertex_count` vertices from `vertex_start`, `instance_count` times.
    pub fn draw_primitives(
        &self,
        primitive_type: u32,
        vertex_start: u64,
        vertex_count: u64,
        instance_count: u64,
        base_instance: u64,
    ) -> Result<(), DrawError> {
        let method = "RenderCommandEncoder.draw_primitives";
        let ranges = DrawRanges { vertex: Some((vertex_start, vertex_count)), instance_count, base_instance };
        self.draw(method, primitive_type, ranges, None, 0)
    }

    /// Draws `index_count` vertices named by the indices at `index_buffer_offset`.
    #[allow(clippy::too_many_arguments)]
    pub fn draw_indexed_primitives(
        &self,
        primitive_type: u32,
        index_count: u64,
        index_type: u32,
        index_buffer: &Buffer,
        index_buffer_offset: u64,
        instance_count: u64,
        base_vertex: i64,
        base_instance: u64,
    ) -> Result<(), DrawError> {
        let method = "RenderCommandEncoder.draw_indexed_primitives";
        self.check_open(method)?;
        let (it, size) = match index_type {
            0 => (hr::IndexType::UInt16, 2u64),
            1 => (hr::IndexType::UInt32, 4u64),
            _ => return Err(DrawError::InvalidEnum { method, value: index_type, kind: "IndexType" }),
        };
        self.check_device(method, "index buffer", index_buffer.device())?;
        if !index_buffer_offset.is_multiple_of(size) {
            return Err(DrawError::IndexOffsetAlignment { method, offset: index_buffer_offset, size });
        }
        let end = index_buffer_offset as u128 + index_count as u128 * size as u128;
        if end > index_buffer.length() as u128 {
            let (offset, length) = (index_buffer_offset, index_buffer.length());
            return Err(DrawError::IndexRange { method, offset, end, length });
        }
        if index_count > u32::MAX as u64 {
            return Err(DrawError::RangeOverflow { method, what: "index_count", start: 0, count: index_count });
        }
        let base_vertex = i32::try_from(base_vertex).map_err(|_| DrawError::RangeOverflow {
            method,
            what: "base_vertex",
            start: base_vertex.unsigned_abs(),
            count: 0,
        })?;
        let index = hr::IndexBinding {
            buffer: index_buffer.hal().clone(),
            offset: index_buffer_offset as usize,
            index_type: it,
        };
        let ranges = DrawRanges { vertex: None, instance_count, base_instance };
        self.draw_inner(method, primitive_type, ranges, Some((index, index_count as u32)), base_vertex)
    }

    fn draw(
        &self,
        method: &'static str,
        primitive_type: u32,
        ranges: DrawRanges,
        index: Option<(hr::IndexBinding, u32)>,
        base_vertex: i32,
    ) -> Result<(), DrawError> {
        self.check_open(method)?;
        self.draw_inner(method, primitive_type, ranges, index, base_vertex)
    }

    fn draw_inner(
        &self,
        method: &'static str,
        primitive_type: u32,
        r: DrawRanges,
        index: Option<(hr::IndexBinding, u32)>,
        base_vertex: i32,
    ) -> Result<(), DrawError> {
        let primitive = primitive(method, primitive_type)?;
        for (what, start, count) in [
            ("vertex_start + vertex_count", r.vertex.map_or(0, |v| v.0), r.vertex.map_or(0, |v| v.1)),
            ("base_instance + instance_count", r.base_instance, r.instance_count),
        ] {
            if start + count > u32::MAX as u64 + 1 || start > u32::MAX as u64 || count > u32::MAX as u64 {
                return Err(DrawError::RangeOverflow { method, what, start, count });
            }
        }
        let mut st = lock(&self.0.state);
        let pipeline = st.pipeline.clone().ok_or(DrawError::NoPipeline { method })?;
        check_formats(method, &pipeline, &st.pass)?;
        check_bindings(method, &pipeline, &st)?;
        check_vertex_fetches(method, &pipeline, &st.vertex, &r)?;
        let vertex_count = match (&index, r.vertex) {
            (Some((_, n)), _) => *n,
            (None, Some((_, n))) => n as u32,
            (None, None) => 0,
        };
        // Metal draws nothing for zero vertices or instances; no command is recorded.
        if vertex_count == 0 || r.instance_count == 0 {
            return Ok(());
        }
        let draw = hr::Draw {
            pipeline: pipeline.hal().clone(),
            vertex: stage_snapshot(&st.vertex),
            fragment: stage_snapshot(&st.fragment),
            depth_stencil: st.depth_stencil,
            stencil_reference: st.stencil_reference,
            cull_mode: st.cull_mode,
            front_facing: st.front_facing,
            fill_mode: st.fill_mode,
            viewport: st.viewport,
            scissor: st.scissor,
            blend_color: st.blend_color,
            primitive,
            vertex_start: r.vertex.map_or(0, |v| v.0 as u32),
            vertex_count,
            instance_count: r.instance_count as u32,
            base_instance: r.base_instance as u32,
            index: index.map(|(i, _)| i),
            base_vertex,
        };
        st.pass.draws.push(draw);
        Ok(())
    }

    /// Signals `fence` after this pass (nothing to do: passes of a queue run in order here).
    pub fn update_fence(&self, fence: &crate::Fence) -> Result<(), EncodeError> {
        let method = "RenderCommandEncoder.update_fence";
        self.check_open(method)?;
        self.check_device(method, "fence", fence.device())
    }

    /// Waits for `fence` before this pass (already ordered: passes of a queue run in order).
    pub fn wait_for_fence(&self, fence: &crate::Fence) -> Result<(), EncodeError> {
        let method = "RenderCommandEncoder.wait_for_fence";
        self.check_open(method)?;
        self.check_device(method, "fence", fence.device())
    }

    /// Records the pass (with its draws) and closes the encoder.
    pub fn end_encoding(&self) -> Result<(), EncodeError> {
        let method = "RenderCommandEncoder.end_encoding";
        let mut st = lock(&self.0.state);
        let empty =
            hr::RenderPass { colors: Default::default(), depth: None, stencil: None, size: [0, 0], draws: vec![] };
        let pass = std::mem::replace(&mut st.pass, empty);
        let size = pass.size;
        let pushed = self.0.cb.with_recording(self.0.id, |cmds| cmds.push(hal::Command::RenderPass(Box::new(pass))));
        if let Err(e) = pushed {
            // Keep the size so that later calls still report sensible errors.
            st.pass.size = size;
            return Err(record_err(method, e));
        }
        self.0.cb.end_encoder(self.0.id).map_err(|e| record_err(method, e))
    }
}

/// The vertex and instance ranges of a draw (vertex: None for indexed draws).
struct DrawRanges {
    vertex: Option<(u64, u64)>,
    instance_count: u64,
    base_instance: u64,
}

fn stage_snapshot(s: &hr::StageResources) -> hr::StageResources {
    hr::StageResources {
        buffers: truncated(&s.buffers),
        textures: truncated(&s.textures),
        samplers: truncated(&s.samplers),
    }
}

/// The pipeline's attachment formats must be the pass's.
fn check_formats(method: &'static str, p: &RenderPipelineState, pass: &hr::RenderPass) -> Result<(), DrawError> {
    for i in 0..MAX_COLOR_ATTACHMENTS {
        let theirs = pass.colors[i].as_ref().map(|(a, _)| a.format);
        let ours = p.color_formats()[i];
        if ours != theirs {
            return Err(DrawError::ColorFormatMismatch {
                method,
                index: i,
                pipeline: fmt_format(ours),
                pass: fmt_format(theirs),
            });
        }
    }
    for (what, ours, theirs) in [
        ("depth attachment", p.depth_format(), pass.depth.as_ref().map(|(a, _)| a.format)),
        ("stencil attachment", p.stencil_format(), pass.stencil.as_ref().map(|(a, _)| a.format)),
    ] {
        if ours != theirs {
            return Err(DrawError::DepthStencilFormatMismatch {
                method,
                what,
                pipeline: fmt_format(ours),
                pass: fmt_format(theirs),
            });
        }
    }
    Ok(())
}

/// Every buffer, texture and sampler parameter of both functions must be bound.
fn check_bindings(method: &'static str, p: &RenderPipelineState, st: &RenderState) -> Result<(), DrawError> {
    let stages = [
        (Stage::Vertex, Some(p.vertex_function()), &st.vertex),
        (Stage::Fragment, p.fragment_function(), &st.fragment),
    ];
    for (stage, f, res) in stages {
        let Some(f) = f else { continue };
        for param in &f.entry().params {
            let (kind, setter, index, bound) = match param.binding {
                msl::Binding::Buffer(i) => {
                    ("buffer", "buffer", i, res.buffers.get(i as usize).is_some_and(|b| b.is_some()))
                }
                msl::Binding::Texture(i) => {
                    ("texture", "texture", i, res.textures.get(i as usize).is_some_and(|b| b.is_some()))
                }
                msl::Binding::Sampler(i) => {
                    ("sampler", "sampler_state", i, res.samplers.get(i as usize).is_some_and(|b| b.is_some()))
                }
                _ => continue,
            };
            if !bound {
                return Err(DrawError::MissingBinding {
                    method,
                    stage: stage.name(),
                    function: f.name().to_string(),
                    kind,
                    param: param.name.clone(),
                    index,
                    setter,
                });
            }
        }
    }
    Ok(())
}

/// Vertex-descriptor fetches must stay inside the bound vertex buffers. Per-vertex fetches of
/// indexed draws depend on the indices (read when the pass runs); the backend bounds them.
fn check_vertex_fetches(
    method: &'static str,
    p: &RenderPipelineState,
    res: &hr::StageResources,
    r: &DrawRanges,
) -> Result<(), DrawError> {
    let Some(vd) = p.vertex_descriptor() else { return Ok(()) };
    for (attribute, a) in vd.attributes.iter().enumerate() {
        let Some(a) = a else { continue };
        let buffer = a.buffer_index;
        let Some(binding) = res.buffers.get(buffer as usize).and_then(|b| b.as_ref()) else {
            return Err(DrawError::MissingVertexBuffer { method, attribute, buffer });
        };
        let Some(layout) = vd.layouts[buffer as usize] else { continue };
        let size = crate::render_state::vertex_format_info(a.format).map_or(0, |i| i.0) as u128;
        let last: Option<u128> = match layout.step_function {
            hr::StepFunction::Constant => Some(0),
            hr::StepFunction::PerVertex => match r.vertex {
                Some((start, count)) if count > 0 && r.instance_count > 0 => Some((start + count - 1) as u128),
                _ => None,
            },
            hr::StepFunction::PerInstance if r.instance_count > 0 && r.vertex.is_none_or(|v| v.1 > 0) => {
                // Metal fetches instance data at base_instance + i / step_rate; the bound also
                // covers (base_instance + i) / step_rate.
                let rate = layout.step_rate.max(1) as u128;
                let i = (r.instance_count - 1) as u128;
                Some(r.base_instance as u128 + i / rate)
            }
            hr::StepFunction::PerInstance => None,
        };
        let Some(last) = last else { continue };
        let stride = if layout.step_function == hr::StepFunction::Constant { 0 } else { layout.stride as u128 };
        let offset = last * stride + a.offset as u128;
        let end = offset + size;
        // (set_*_bytes data counts with its padding to 16 bytes.)
        let avail = available(binding);
        if end > avail as u128 {
            return Err(DrawError::VertexBufferTooShort { method, attribute, buffer, offset, end, available: avail });
        }
    }
    Ok(())
}

impl CommandBuffer {
    /// A render encoder for the pass `descriptor` describes (checked here).
    pub fn render_command_encoder(
        &self,
        descriptor: &crate::render_desc::RenderPassDescriptor,
    ) -> Result<RenderCommandEncoder, crate::render_pass::NewRenderEncoderError> {
        let method = "CommandBuffer.render_command_encoder";
        let pass = crate::render_pass::build_pass(self, descriptor)?;
        let id = self.open_encoder(method)?;
        Ok(RenderCommandEncoder::new(self.clone(), id, pass))
    }
}

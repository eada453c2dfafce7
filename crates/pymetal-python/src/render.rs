//! RenderPipelineState, DepthStencilState, Viewport, ScissorRect and RenderCommandEncoder
//! (pymetal.graphics).

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;

use crate::command::{encoder_pymethods, labelled_pymethods, CommandBuffer};
use crate::convert;
use crate::device::Device;
use crate::errors::PyResultExt;
use crate::resource::Buffer;
use crate::texture::Texture;

/// A vertex and fragment function compiled with fixed-function state (MTLRenderPipelineState).
#[pyclass(module = "pymetal", frozen)]
pub struct RenderPipelineState {
    pub inner: pymetal::RenderPipelineState,
    pub device: Py<Device>,
}

#[pymethods]
impl RenderPipelineState {
    /// The descriptor's label.
    #[getter]
    fn label(&self) -> String {
        self.inner.label().to_string()
    }
    #[getter]
    fn device(&self, py: Python<'_>) -> Py<Device> {
        self.device.clone_ref(py)
    }
    fn __repr__(&self) -> String {
        format!(
            "<pymetal.RenderPipelineState vertex={:?} label={:?}>",
            self.inner.vertex_function().name(),
            self.inner.label()
        )
    }
}

/// Depth and stencil tests (MTLDepthStencilState).
#[pyclass(module = "pymetal", frozen)]
pub struct DepthStencilState {
    pub inner: pymetal::DepthStencilState,
    pub device: Py<Device>,
}

#[pymethods]
impl DepthStencilState {
    /// The descriptor's label.
    #[getter]
    fn label(&self) -> String {
        self.inner.label()
    }
    #[getter]
    fn device(&self, py: Python<'_>) -> Py<Device> {
        self.device.clone_ref(py)
    }
    fn __repr__(&self) -> String {
        format!("<pymetal.DepthStencilState label={:?}>", self.inner.label())
    }
}

/// The viewport transform (MTLViewport): window origin and size in pixels, depth range.
#[pyclass(module = "pymetal", get_all, set_all, eq, from_py_object)]
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Viewport {
    pub origin_x: f64,
    pub origin_y: f64,
    pub width: f64,
    pub height: f64,
    pub znear: f64,
    pub zfar: f64,
}

#[pymethods]
impl Viewport {
    #[new]
    #[pyo3(signature = (origin_x, origin_y, width, height, znear=0.0, zfar=1.0))]
    fn new(origin_x: f64, origin_y: f64, width: f64, height: f64, znear: f64, zfar: f64) -> Self {
        Viewport { origin_x, origin_y, width, height, znear, zfar }
    }
    fn __repr__(&self) -> String {
        format!(
            "Viewport(origin_x={}, origin_y={}, width={}, height={}, znear={}, zfar={})",
            self.origin_x, self.origin_y, self.width, self.height, self.znear, self.zfar
        )
    }
}

/// A rectangle of pixels (MTLScissorRect).
#[pyclass(module = "pymetal", get_all, set_all, eq, from_py_object)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ScissorRect {
    pub x: u64,
    pub y: u64,
    pub width: u64,
    pub height: u64,
}

#[pymethods]
impl ScissorRect {
    #[new]
    fn new(x: u64, y: u64, width: u64, height: u64) -> Self {
        ScissorRect { x, y, width, height }
    }
    fn __repr__(&self) -> String {
        format!("ScissorRect(x={}, y={}, width={}, height={})", self.x, self.y, self.width, self.height)
    }
}

/// A sampler state argument. Samplers come from `Device.new_sampler_state` (the sampler
/// module); until that module is merged, only None (unbind) is accepted here.
// MERGE: with crate::sampler::SamplerState in the tree, return
// `Some(Box::new(s.get().inner.clone()))` for `obj.cast::<crate::sampler::SamplerState>()`,
// and `impl pymetal::SamplerBinding for pymetal::SamplerState` in the object model.
fn sampler_arg(method: &str, obj: &Bound<'_, PyAny>) -> PyResult<Option<Box<dyn pymetal::SamplerBinding>>> {
    if obj.is_none() {
        return Ok(None);
    }
    Err(PyTypeError::new_err(format!(
        "{method}: sampler must be a pymetal.SamplerState (from Device.new_sampler_state)"
    )))
}

/// Records draws of one render pass (MTLRenderCommandEncoder).
#[pyclass(module = "pymetal", frozen)]
pub struct RenderCommandEncoder {
    pub inner: pymetal::RenderCommandEncoder,
    pub command_buffer: Py<CommandBuffer>,
}

use pymetal::Stage::{Fragment, Vertex};

encoder_pymethods! { RenderCommandEncoder;
    fn set_render_pipeline_state(&self, state: &Bound<'_, RenderPipelineState>) -> PyResult<()> {
        self.inner.set_render_pipeline_state(&state.get().inner).py()
    }
    /// Binds `buffer` from `offset` at the vertex function's `[[buffer(index)]]` (0..31).
    fn set_vertex_buffer(&self, buffer: &Bound<'_, Buffer>, offset: u64, index: u64) -> PyResult<()> {
        self.inner.set_buffer(Vertex, &buffer.get().inner, offset, index).py()
    }
    /// Binds `buffer` from `offset` at the fragment function's `[[buffer(index)]]` (0..31).
    fn set_fragment_buffer(&self, buffer: &Bound<'_, Buffer>, offset: u64, index: u64) -> PyResult<()> {
        self.inner.set_buffer(Fragment, &buffer.get().inner, offset, index).py()
    }
    /// Copies `data` (bytes-like or numpy array, at most 4096 bytes) for the vertex
    /// function's `[[buffer(index)]]`.
    fn set_vertex_bytes(&self, data: &Bound<'_, PyAny>, index: u64) -> PyResult<()> {
        convert::with_bytes(data, |b| self.inner.set_bytes(Vertex, b, index))?.py()
    }
    /// As `set_vertex_bytes`, for the fragment function.
    fn set_fragment_bytes(&self, data: &Bound<'_, PyAny>, index: u64) -> PyResult<()> {
        convert::with_bytes(data, |b| self.inner.set_bytes(Fragment, b, index))?.py()
    }
    /// Binds `texture` (None unbinds) at the vertex function's `[[texture(index)]]` (0..31).
    fn set_vertex_texture(&self, texture: Option<&Bound<'_, Texture>>, index: u64) -> PyResult<()> {
        self.inner.set_texture(Vertex, texture.map(|t| &t.get().inner), index).py()
    }
    /// Binds `texture` (None unbinds) at the fragment function's `[[texture(index)]]` (0..31).
    fn set_fragment_texture(&self, texture: Option<&Bound<'_, Texture>>, index: u64) -> PyResult<()> {
        self.inner.set_texture(Fragment, texture.map(|t| &t.get().inner), index).py()
    }
    /// Binds `sampler` (None unbinds) at the vertex function's `[[sampler(index)]]` (0..16).
    fn set_vertex_sampler_state(&self, sampler: &Bound<'_, PyAny>, index: u64) -> PyResult<()> {
        let s = sampler_arg("RenderCommandEncoder.set_vertex_sampler_state", sampler)?;
        self.inner.set_sampler_state(Vertex, s.as_deref(), index).py()
    }
    /// Binds `sampler` (None unbinds) at the fragment function's `[[sampler(index)]]` (0..16).
    fn set_fragment_sampler_state(&self, sampler: &Bound<'_, PyAny>, index: u64) -> PyResult<()> {
        let s = sampler_arg("RenderCommandEncoder.set_fragment_sampler_state", sampler)?;
        self.inner.set_sampler_state(Fragment, s.as_deref(), index).py()
    }
    fn set_depth_stencil_state(&self, state: &Bound<'_, DepthStencilState>) -> PyResult<()> {
        self.inner.set_depth_stencil_state(&state.get().inner).py()
    }
    /// The stencil reference value of both faces.
    fn set_stencil_reference_value(&self, value: u32) -> PyResult<()> {
        self.inner.set_stencil_reference_value(value).py()
    }
    /// Separate stencil reference values of front and back faces.
    fn set_stencil_reference_values(&self, front: u32, back: u32) -> PyResult<()> {
        self.inner.set_stencil_reference_values(front, back).py()
    }
    /// CullMode.None, Front or Back.
    fn set_cull_mode(&self, mode: u32) -> PyResult<()> {
        self.inner.set_cull_mode(mode).py()
    }
    /// Winding.Clockwise (Metal's default) or CounterClockwise is the front face.
    fn set_front_facing_winding(&self, winding: u32) -> PyResult<()> {
        self.inner.set_front_facing_winding(winding).py()
    }
    /// TriangleFillMode.Fill or Lines.
    fn set_triangle_fill_mode(&self, mode: u32) -> PyResult<()> {
        self.inner.set_triangle_fill_mode(mode).py()
    }
    /// The constant colour of the BlendColor/BlendAlpha factors.
    fn set_blend_color(&self, red: f32, green: f32, blue: f32, alpha: f32) -> PyResult<()> {
        self.inner.set_blend_color(red, green, blue, alpha).py()
    }
    /// `set_viewport(Viewport(...))` or `set_viewport(origin_x, origin_y, width, height,
    /// znear=0.0, zfar=1.0)`.
    #[pyo3(signature = (origin_x, origin_y=None, width=None, height=None, znear=0.0, zfar=1.0))]
    fn set_viewport(
        &self,
        origin_x: &Bound<'_, PyAny>,
        origin_y: Option<f64>,
        width: Option<f64>,
        height: Option<f64>,
        znear: f64,
        zfar: f64,
    ) -> PyResult<()> {
        let v = if let Ok(v) = origin_x.cast::<Viewport>() {
            *v.borrow()
        } else {
            let (Some(y), Some(w), Some(h)) = (origin_y, width, height) else {
                return Err(PyTypeError::new_err(
                    "set_viewport takes a pymetal.Viewport or (origin_x, origin_y, width, height, znear=0.0, zfar=1.0)",
                ));
            };
            Viewport { origin_x: origin_x.extract()?, origin_y: y, width: w, height: h, znear, zfar }
        };
        let v = pymetal::hal::render::Viewport {
            origin_x: v.origin_x,
            origin_y: v.origin_y,
            width: v.width,
            height: v.height,
            znear: v.znear,
            zfar: v.zfar,
        };
        self.inner.set_viewport(v).py()
    }
    /// `set_scissor_rect(ScissorRect(...))` or `set_scissor_rect(x, y, width, height)`.
    #[pyo3(signature = (x, y=None, width=None, height=None))]
    fn set_scissor_rect(
        &self,
        x: &Bound<'_, PyAny>,
        y: Option<u64>,
        width: Option<u64>,
        height: Option<u64>,
    ) -> PyResult<()> {
        let r = if let Ok(r) = x.cast::<ScissorRect>() {
            *r.borrow()
        } else {
            let (Some(y), Some(w), Some(h)) = (y, width, height) else {
                return Err(PyTypeError::new_err("set_scissor_rect takes a pymetal.ScissorRect or (x, y, width, height)"));
            };
            ScissorRect { x: x.extract()?, y, width: w, height: h }
        };
        self.inner.set_scissor_rect(r.x, r.y, r.width, r.height).py()
    }
    /// Draws `vertex_count` vertices from `vertex_start` (PrimitiveType), `instance_count`
    /// times from `base_instance`.
    #[pyo3(signature = (primitive_type, vertex_start, vertex_count, instance_count=1, base_instance=0))]
    fn draw_primitives(
        &self,
        primitive_type: u32,
        vertex_start: u64,
        vertex_count: u64,
        instance_count: u64,
        base_instance: u64,
    ) -> PyResult<()> {
        self.inner.draw_primitives(primitive_type, vertex_start, vertex_count, instance_count, base_instance).py()
    }
    /// Draws `index_count` vertices named by the indices (IndexType) in `index_buffer` from
    /// `index_buffer_offset`; `base_vertex` is added to every index.
    #[pyo3(signature = (
        primitive_type, index_count, index_type, index_buffer, index_buffer_offset,
        instance_count=1, base_vertex=0, base_instance=0
    ))]
    #[allow(clippy::too_many_arguments)]
    fn draw_indexed_primitives(
        &self,
        primitive_type: u32,
        index_count: u64,
        index_type: u32,
        index_buffer: &Bound<'_, Buffer>,
        index_buffer_offset: u64,
        instance_count: u64,
        base_vertex: i64,
        base_instance: u64,
    ) -> PyResult<()> {
        self.inner
            .draw_indexed_primitives(
                primitive_type,
                index_count,
                index_type,
                &index_buffer.get().inner,
                index_buffer_offset,
                instance_count,
                base_vertex,
                base_instance,
            )
            .py()
    }
    /// Signals `fence` once this pass is done.
    fn update_fence(&self, fence: &Bound<'_, crate::fence::Fence>) -> PyResult<()> {
        self.inner.update_fence(&fence.get().inner).py()
    }
    /// Waits for `fence` before this pass runs.
    fn wait_for_fence(&self, fence: &Bound<'_, crate::fence::Fence>) -> PyResult<()> {
        self.inner.wait_for_fence(&fence.get().inner).py()
    }
    fn __repr__(&self) -> String {
        let [w, h] = self.inner.size();
        format!("<pymetal.RenderCommandEncoder {w}x{h} label={:?}>", self.inner.label())
    }
}

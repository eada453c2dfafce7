//! Render descriptors (pymetal.graphics): pipeline, colour attachments, vertex descriptor,
//! depth/stencil. Sub-descriptors are Python objects owned by their parent, so
//! `desc.color_attachment(0) is desc.color_attachment(0)` and changes made through them
//! stick; `to_rust` reads the whole tree when the descriptor is used.

// The reference's static factories are named after their class (render_pass_descriptor()...).
#![allow(clippy::self_named_constructors)]

use pyo3::prelude::*;

use crate::enums;
use crate::errors::validation;
use crate::library::Function;

/// An enum member, or the plain int if the enum has no such member.
pub fn enum_or_int<'py>(py: Python<'py>, class: &str, v: u32) -> PyResult<Bound<'py, PyAny>> {
    match enums::member(py, class, v) {
        Ok(m) => Ok(m),
        Err(_) => Ok(v.into_pyobject(py)?.into_any()),
    }
}

/// Blending and write mask of one colour attachment of a pipeline.
#[pyclass(module = "pymetal")]
pub struct RenderPipelineColorAttachmentDescriptor {
    pub inner: pymetal::RenderPipelineColorAttachmentDescriptor,
}

#[pymethods]
impl RenderPipelineColorAttachmentDescriptor {
    #[new]
    fn new() -> Self {
        RenderPipelineColorAttachmentDescriptor { inner: Default::default() }
    }
    #[getter]
    fn pixel_format<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        enum_or_int(py, "PixelFormat", self.inner.pixel_format)
    }
    #[setter]
    fn set_pixel_format(&mut self, v: u32) {
        self.inner.pixel_format = v;
    }
    #[getter]
    fn blending_enabled(&self) -> bool {
        self.inner.blending_enabled
    }
    #[setter]
    fn set_blending_enabled(&mut self, v: bool) {
        self.inner.blending_enabled = v;
    }
    #[getter]
    fn source_rgb_blend_factor<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        enum_or_int(py, "BlendFactor", self.inner.source_rgb_blend_factor)
    }
    #[setter]
    fn set_source_rgb_blend_factor(&mut self, v: u32) {
        self.inner.source_rgb_blend_factor = v;
    }
    #[getter]
    fn destination_rgb_blend_factor<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        enum_or_int(py, "BlendFactor", self.inner.destination_rgb_blend_factor)
    }
    #[setter]
    fn set_destination_rgb_blend_factor(&mut self, v: u32) {
        self.inner.destination_rgb_blend_factor = v;
    }
    #[getter]
    fn rgb_blend_operation<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        enum_or_int(py, "BlendOperation", self.inner.rgb_blend_operation)
    }
    #[setter]
    fn set_rgb_blend_operation(&mut self, v: u32) {
        self.inner.rgb_blend_operation = v;
    }
    #[getter]
    fn source_alpha_blend_factor<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        enum_or_int(py, "BlendFactor", self.inner.source_alpha_blend_factor)
    }
    #[setter]
    fn set_source_alpha_blend_factor(&mut self, v: u32) {
        self.inner.source_alpha_blend_factor = v;
    }
    #[getter]
    fn destination_alpha_blend_factor<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        enum_or_int(py, "BlendFactor", self.inner.destination_alpha_blend_factor)
    }
    #[setter]
    fn set_destination_alpha_blend_factor(&mut self, v: u32) {
        self.inner.destination_alpha_blend_factor = v;
    }
    #[getter]
    fn alpha_blend_operation<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        enum_or_int(py, "BlendOperation", self.inner.alpha_blend_operation)
    }
    #[setter]
    fn set_alpha_blend_operation(&mut self, v: u32) {
        self.inner.alpha_blend_operation = v;
    }
    /// ColorWriteMask bits (red 8, green 4, blue 2, alpha 1).
    #[getter]
    fn write_mask(&self) -> u32 {
        self.inner.write_mask
    }
    #[setter]
    fn set_write_mask(&mut self, v: u32) {
        self.inner.write_mask = v;
    }
}

/// Checks a sub-descriptor index: `0..count`.
pub fn sub_index(method: &str, index: u64, count: usize) -> PyResult<usize> {
    if index >= count as u64 {
        return Err(validation(format!("{method}: index {index} exceeds maximum ({})", count - 1)));
    }
    Ok(index as usize)
}

/// What a render pipeline should be (MTLRenderPipelineDescriptor).
#[pyclass(module = "pymetal")]
pub struct RenderPipelineDescriptor {
    vertex_function: Option<Py<Function>>,
    fragment_function: Option<Py<Function>>,
    colors: Vec<Py<RenderPipelineColorAttachmentDescriptor>>,
    depth_attachment_pixel_format: u32,
    stencil_attachment_pixel_format: u32,
    vertex_descriptor: Option<Py<VertexDescriptor>>,
    label: String,
}

impl RenderPipelineDescriptor {
    /// The object-model descriptor this tree describes.
    pub fn to_rust(&self, py: Python<'_>) -> pymetal::RenderPipelineDescriptor {
        let mut d = pymetal::RenderPipelineDescriptor {
            vertex_function: self.vertex_function.as_ref().map(|f| f.get().inner.clone()),
            fragment_function: self.fragment_function.as_ref().map(|f| f.get().inner.clone()),
            depth_attachment_pixel_format: self.depth_attachment_pixel_format,
            stencil_attachment_pixel_format: self.stencil_attachment_pixel_format,
            vertex_descriptor: self.vertex_descriptor.as_ref().map(|v| v.borrow(py).to_rust(py)),
            label: self.label.clone(),
            ..Default::default()
        };
        for (i, c) in self.colors.iter().enumerate() {
            d.color_attachments[i] = c.borrow(py).inner.clone();
        }
        d
    }
}

#[pymethods]
impl RenderPipelineDescriptor {
    #[new]
    fn new(py: Python<'_>) -> PyResult<Self> {
        let colors = (0..pymetal::hal::abi::MAX_COLOR_ATTACHMENTS)
            .map(|_| Py::new(py, RenderPipelineColorAttachmentDescriptor::new()))
            .collect::<PyResult<_>>()?;
        Ok(RenderPipelineDescriptor {
            vertex_function: None,
            fragment_function: None,
            colors,
            depth_attachment_pixel_format: 0,
            stencil_attachment_pixel_format: 0,
            vertex_descriptor: None,
            label: String::new(),
        })
    }
    #[staticmethod]
    fn render_pipeline_descriptor(py: Python<'_>) -> PyResult<Self> {
        Self::new(py)
    }
    /// Colour attachment `index` (0..7); the same object each time.
    fn color_attachment(&self, py: Python<'_>, index: u64) -> PyResult<Py<RenderPipelineColorAttachmentDescriptor>> {
        let i = sub_index("RenderPipelineDescriptor.color_attachment", index, self.colors.len())?;
        Ok(self.colors[i].clone_ref(py))
    }
    /// Back to the defaults (the colour attachment objects stay the same).
    fn reset(&mut self, py: Python<'_>) {
        for c in &self.colors {
            c.borrow_mut(py).inner = Default::default();
        }
        self.vertex_function = None;
        self.fragment_function = None;
        self.depth_attachment_pixel_format = 0;
        self.stencil_attachment_pixel_format = 0;
        self.vertex_descriptor = None;
        self.label.clear();
    }
    #[getter]
    fn vertex_function(&self, py: Python<'_>) -> Option<Py<Function>> {
        self.vertex_function.as_ref().map(|f| f.clone_ref(py))
    }
    #[setter]
    fn set_vertex_function(&mut self, f: Option<Py<Function>>) {
        self.vertex_function = f;
    }
    #[getter]
    fn fragment_function(&self, py: Python<'_>) -> Option<Py<Function>> {
        self.fragment_function.as_ref().map(|f| f.clone_ref(py))
    }
    #[setter]
    fn set_fragment_function(&mut self, f: Option<Py<Function>>) {
        self.fragment_function = f;
    }
    #[getter]
    fn depth_attachment_pixel_format<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        enum_or_int(py, "PixelFormat", self.depth_attachment_pixel_format)
    }
    #[setter]
    fn set_depth_attachment_pixel_format(&mut self, v: u32) {
        self.depth_attachment_pixel_format = v;
    }
    #[getter]
    fn stencil_attachment_pixel_format<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        enum_or_int(py, "PixelFormat", self.stencil_attachment_pixel_format)
    }
    #[setter]
    fn set_stencil_attachment_pixel_format(&mut self, v: u32) {
        self.stencil_attachment_pixel_format = v;
    }
    /// The VertexDescriptor (None: the vertex function reads no `[[stage_in]]`).
    #[getter]
    fn vertex_descriptor(&self, py: Python<'_>) -> Option<Py<VertexDescriptor>> {
        self.vertex_descriptor.as_ref().map(|v| v.clone_ref(py))
    }
    #[setter]
    fn set_vertex_descriptor(&mut self, v: Option<Py<VertexDescriptor>>) {
        self.vertex_descriptor = v;
    }
    #[getter]
    fn label(&self) -> String {
        self.label.clone()
    }
    #[setter]
    fn set_label(&mut self, v: String) {
        self.label = v;
    }
}

/// One `[[attribute(i)]]` of a vertex descriptor.
#[pyclass(module = "pymetal")]
pub struct VertexAttributeDescriptor {
    pub inner: pymetal::VertexAttributeDescriptor,
}

#[pymethods]
impl VertexAttributeDescriptor {
    #[new]
    fn new() -> Self {
        VertexAttributeDescriptor { inner: Default::default() }
    }
    /// VertexFormat (Invalid = 0: not described).
    #[getter]
    fn format<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        enum_or_int(py, "VertexFormat", self.inner.format)
    }
    #[setter]
    fn set_format(&mut self, v: u32) {
        self.inner.format = v;
    }
    #[getter]
    fn offset(&self) -> u64 {
        self.inner.offset
    }
    #[setter]
    fn set_offset(&mut self, v: u64) {
        self.inner.offset = v;
    }
    #[getter]
    fn buffer_index(&self) -> u64 {
        self.inner.buffer_index
    }
    #[setter]
    fn set_buffer_index(&mut self, v: u64) {
        self.inner.buffer_index = v;
    }
}

/// How vertex buffer `i` is walked.
#[pyclass(module = "pymetal")]
pub struct VertexBufferLayoutDescriptor {
    pub inner: pymetal::VertexBufferLayoutDescriptor,
}

#[pymethods]
impl VertexBufferLayoutDescriptor {
    #[new]
    fn new() -> Self {
        VertexBufferLayoutDescriptor { inner: Default::default() }
    }
    #[getter]
    fn stride(&self) -> u64 {
        self.inner.stride
    }
    #[setter]
    fn set_stride(&mut self, v: u64) {
        self.inner.stride = v;
    }
    #[getter]
    fn step_function<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        enum_or_int(py, "VertexStepFunction", self.inner.step_function)
    }
    #[setter]
    fn set_step_function(&mut self, v: u32) {
        self.inner.step_function = v;
    }
    #[getter]
    fn step_rate(&self) -> u64 {
        self.inner.step_rate
    }
    #[setter]
    fn set_step_rate(&mut self, v: u64) {
        self.inner.step_rate = v;
    }
}

/// Where `[[stage_in]]` attributes come from (MTLVertexDescriptor).
#[pyclass(module = "pymetal")]
pub struct VertexDescriptor {
    attributes: Vec<Py<VertexAttributeDescriptor>>,
    layouts: Vec<Py<VertexBufferLayoutDescriptor>>,
}

impl VertexDescriptor {
    pub fn to_rust(&self, py: Python<'_>) -> pymetal::VertexDescriptor {
        let mut d = pymetal::VertexDescriptor::default();
        for (i, a) in self.attributes.iter().enumerate() {
            d.attributes[i] = a.borrow(py).inner;
        }
        for (i, l) in self.layouts.iter().enumerate() {
            d.layouts[i] = l.borrow(py).inner;
        }
        d
    }
}

#[pymethods]
impl VertexDescriptor {
    #[new]
    fn new(py: Python<'_>) -> PyResult<Self> {
        let n = pymetal::hal::abi::MAX_ATTRIBUTES;
        Ok(VertexDescriptor {
            attributes: (0..n).map(|_| Py::new(py, VertexAttributeDescriptor::new())).collect::<PyResult<_>>()?,
            layouts: (0..n).map(|_| Py::new(py, VertexBufferLayoutDescriptor::new())).collect::<PyResult<_>>()?,
        })
    }
    #[staticmethod]
    fn vertex_descriptor(py: Python<'_>) -> PyResult<Self> {
        Self::new(py)
    }
    /// Attribute `index` (0..30); the same object each time.
    fn attribute(&self, py: Python<'_>, index: u64) -> PyResult<Py<VertexAttributeDescriptor>> {
        let i = sub_index("VertexDescriptor.attribute", index, self.attributes.len())?;
        Ok(self.attributes[i].clone_ref(py))
    }
    /// The layout of vertex buffer `index` (0..30); the same object each time.
    fn layout(&self, py: Python<'_>, index: u64) -> PyResult<Py<VertexBufferLayoutDescriptor>> {
        let i = sub_index("VertexDescriptor.layout", index, self.layouts.len())?;
        Ok(self.layouts[i].clone_ref(py))
    }
    /// Every attribute and layout back to the defaults.
    fn reset(&self, py: Python<'_>) {
        for a in &self.attributes {
            a.borrow_mut(py).inner = Default::default();
        }
        for l in &self.layouts {
            l.borrow_mut(py).inner = Default::default();
        }
    }
}

/// Stencil test and operations of one face (MTLStencilDescriptor).
#[pyclass(module = "pymetal")]
pub struct StencilDescriptor {
    pub inner: pymetal::StencilDescriptor,
}

#[pymethods]
impl StencilDescriptor {
    #[new]
    fn new() -> Self {
        StencilDescriptor { inner: Default::default() }
    }
    #[staticmethod]
    fn stencil_descriptor() -> Self {
        Self::new()
    }
    #[getter]
    fn stencil_compare_function<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        enum_or_int(py, "CompareFunction", self.inner.stencil_compare_function)
    }
    #[setter]
    fn set_stencil_compare_function(&mut self, v: u32) {
        self.inner.stencil_compare_function = v;
    }
    #[getter]
    fn stencil_failure_operation<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        enum_or_int(py, "StencilOperation", self.inner.stencil_failure_operation)
    }
    #[setter]
    fn set_stencil_failure_operation(&mut self, v: u32) {
        self.inner.stencil_failure_operation = v;
    }
    #[getter]
    fn depth_failure_operation<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        enum_or_int(py, "StencilOperation", self.inner.depth_failure_operation)
    }
    #[setter]
    fn set_depth_failure_operation(&mut self, v: u32) {
        self.inner.depth_failure_operation = v;
    }
    #[getter]
    fn depth_stencil_pass_operation<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        enum_or_int(py, "StencilOperation", self.inner.depth_stencil_pass_operation)
    }
    #[setter]
    fn set_depth_stencil_pass_operation(&mut self, v: u32) {
        self.inner.depth_stencil_pass_operation = v;
    }
    #[getter]
    fn read_mask(&self) -> u32 {
        self.inner.read_mask
    }
    #[setter]
    fn set_read_mask(&mut self, v: u32) {
        self.inner.read_mask = v;
    }
    #[getter]
    fn write_mask(&self) -> u32 {
        self.inner.write_mask
    }
    #[setter]
    fn set_write_mask(&mut self, v: u32) {
        self.inner.write_mask = v;
    }
}

/// Depth and stencil tests (MTLDepthStencilDescriptor).
#[pyclass(module = "pymetal")]
pub struct DepthStencilDescriptor {
    depth_compare_function: u32,
    depth_write_enabled: bool,
    front: Py<StencilDescriptor>,
    back: Py<StencilDescriptor>,
    label: String,
}

impl DepthStencilDescriptor {
    pub fn to_rust(&self, py: Python<'_>) -> pymetal::DepthStencilDescriptor {
        pymetal::DepthStencilDescriptor {
            depth_compare_function: self.depth_compare_function,
            depth_write_enabled: self.depth_write_enabled,
            front_face_stencil: self.front.borrow(py).inner,
            back_face_stencil: self.back.borrow(py).inner,
            label: self.label.clone(),
        }
    }
}

#[pymethods]
impl DepthStencilDescriptor {
    #[new]
    fn new(py: Python<'_>) -> PyResult<Self> {
        let d = pymetal::DepthStencilDescriptor::default();
        Ok(DepthStencilDescriptor {
            depth_compare_function: d.depth_compare_function,
            depth_write_enabled: d.depth_write_enabled,
            front: Py::new(py, StencilDescriptor::new())?,
            back: Py::new(py, StencilDescriptor::new())?,
            label: String::new(),
        })
    }
    #[staticmethod]
    fn depth_stencil_descriptor(py: Python<'_>) -> PyResult<Self> {
        Self::new(py)
    }
    #[getter]
    fn depth_compare_function<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        enum_or_int(py, "CompareFunction", self.depth_compare_function)
    }
    #[setter]
    fn set_depth_compare_function(&mut self, v: u32) {
        self.depth_compare_function = v;
    }
    #[getter]
    fn depth_write_enabled(&self) -> bool {
        self.depth_write_enabled
    }
    #[setter]
    fn set_depth_write_enabled(&mut self, v: bool) {
        self.depth_write_enabled = v;
    }
    #[getter]
    fn front_face_stencil(&self, py: Python<'_>) -> Py<StencilDescriptor> {
        self.front.clone_ref(py)
    }
    #[setter]
    fn set_front_face_stencil(&mut self, v: Py<StencilDescriptor>) {
        self.front = v;
    }
    #[getter]
    fn back_face_stencil(&self, py: Python<'_>) -> Py<StencilDescriptor> {
        self.back.clone_ref(py)
    }
    #[setter]
    fn set_back_face_stencil(&mut self, v: Py<StencilDescriptor>) {
        self.back = v;
    }
    #[getter]
    fn label(&self) -> String {
        self.label.clone()
    }
    #[setter]
    fn set_label(&mut self, v: String) {
        self.label = v;
    }
}

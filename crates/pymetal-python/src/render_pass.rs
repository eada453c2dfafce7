//! RenderPassDescriptor and its attachments (pymetal.graphics). The attachment classes
//! derive from RenderPassAttachmentDescriptor as in the reference; each descriptor owns its
//! attachment objects, so `rp.color_attachment(0) is rp.color_attachment(0)`.

// The reference's static factories are named after their class (render_pass_descriptor()...).
#![allow(clippy::self_named_constructors)]

use pyo3::prelude::*;

use crate::render_desc::{enum_or_int, sub_index};
use crate::texture::Texture;
use crate::types::ClearColor;

/// What every attachment of a pass has: texture, level/slice/depth plane, load/store actions.
#[pyclass(module = "pymetal", subclass)]
pub struct RenderPassAttachmentDescriptor {
    texture: Option<Py<Texture>>,
    level: u64,
    slice: u64,
    depth_plane: u64,
    load_action: u32,
    store_action: u32,
}

impl RenderPassAttachmentDescriptor {
    fn with(d: &pymetal::RenderPassAttachmentDescriptor) -> Self {
        RenderPassAttachmentDescriptor {
            texture: None,
            level: d.level,
            slice: d.slice,
            depth_plane: d.depth_plane,
            load_action: d.load_action,
            store_action: d.store_action,
        }
    }
    fn to_rust(&self) -> pymetal::RenderPassAttachmentDescriptor {
        pymetal::RenderPassAttachmentDescriptor {
            texture: self.texture.as_ref().map(|t| t.get().inner.clone()),
            level: self.level,
            slice: self.slice,
            depth_plane: self.depth_plane,
            load_action: self.load_action,
            store_action: self.store_action,
        }
    }
}

#[pymethods]
impl RenderPassAttachmentDescriptor {
    #[getter]
    fn texture(&self, py: Python<'_>) -> Option<Py<Texture>> {
        self.texture.as_ref().map(|t| t.clone_ref(py))
    }
    #[setter]
    fn set_texture(&mut self, t: Option<Py<Texture>>) {
        self.texture = t;
    }
    #[getter]
    fn level(&self) -> u64 {
        self.level
    }
    #[setter]
    fn set_level(&mut self, v: u64) {
        self.level = v;
    }
    #[getter]
    fn slice(&self) -> u64 {
        self.slice
    }
    #[setter]
    fn set_slice(&mut self, v: u64) {
        self.slice = v;
    }
    #[getter]
    fn depth_plane(&self) -> u64 {
        self.depth_plane
    }
    #[setter]
    fn set_depth_plane(&mut self, v: u64) {
        self.depth_plane = v;
    }
    #[getter]
    fn load_action<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        enum_or_int(py, "LoadAction", self.load_action)
    }
    #[setter]
    fn set_load_action(&mut self, v: u32) {
        self.load_action = v;
    }
    #[getter]
    fn store_action<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        enum_or_int(py, "StoreAction", self.store_action)
    }
    #[setter]
    fn set_store_action(&mut self, v: u32) {
        self.store_action = v;
    }
}

/// A colour attachment of a pass: adds `clear_color`.
#[pyclass(module = "pymetal", extends = RenderPassAttachmentDescriptor)]
pub struct RenderPassColorAttachmentDescriptor {
    clear_color: [f64; 4],
}

#[pymethods]
impl RenderPassColorAttachmentDescriptor {
    #[getter]
    fn clear_color(&self) -> ClearColor {
        let [r, g, b, a] = self.clear_color;
        ClearColor { red: r, green: g, blue: b, alpha: a }
    }
    /// A ClearColor or an (r, g, b, a) tuple.
    #[setter]
    fn set_clear_color(&mut self, c: &Bound<'_, PyAny>) -> PyResult<()> {
        self.clear_color = if let Ok(c) = c.cast::<ClearColor>() {
            let c = c.borrow();
            [c.red, c.green, c.blue, c.alpha]
        } else {
            c.extract::<(f64, f64, f64, f64)>()
                .map_err(|_| {
                    pyo3::exceptions::PyTypeError::new_err("clear_color must be a pymetal.ClearColor or (r, g, b, a)")
                })?
                .into()
        };
        Ok(())
    }
}

/// The depth attachment of a pass: adds `clear_depth`.
#[pyclass(module = "pymetal", extends = RenderPassAttachmentDescriptor)]
pub struct RenderPassDepthAttachmentDescriptor {
    clear_depth: f64,
}

#[pymethods]
impl RenderPassDepthAttachmentDescriptor {
    #[getter]
    fn clear_depth(&self) -> f64 {
        self.clear_depth
    }
    #[setter]
    fn set_clear_depth(&mut self, v: f64) {
        self.clear_depth = v;
    }
}

/// The stencil attachment of a pass: adds `clear_stencil`.
#[pyclass(module = "pymetal", extends = RenderPassAttachmentDescriptor)]
pub struct RenderPassStencilAttachmentDescriptor {
    clear_stencil: u32,
}

#[pymethods]
impl RenderPassStencilAttachmentDescriptor {
    #[getter]
    fn clear_stencil(&self) -> u32 {
        self.clear_stencil
    }
    #[setter]
    fn set_clear_stencil(&mut self, v: u32) {
        self.clear_stencil = v;
    }
}

/// The attachments of a render pass (MTLRenderPassDescriptor).
#[pyclass(module = "pymetal")]
pub struct RenderPassDescriptor {
    colors: Vec<Py<RenderPassColorAttachmentDescriptor>>,
    depth: Py<RenderPassDepthAttachmentDescriptor>,
    stencil: Py<RenderPassStencilAttachmentDescriptor>,
}

impl RenderPassDescriptor {
    pub fn to_rust(&self, py: Python<'_>) -> pymetal::RenderPassDescriptor {
        let mut d = pymetal::RenderPassDescriptor::default();
        for (i, c) in self.colors.iter().enumerate() {
            let c = c.borrow(py);
            d.color_attachments[i] = pymetal::RenderPassColorAttachmentDescriptor {
                base: c.as_super().to_rust(),
                clear_color: c.clear_color,
            };
        }
        let depth = self.depth.borrow(py);
        d.depth_attachment = pymetal::RenderPassDepthAttachmentDescriptor {
            base: depth.as_super().to_rust(),
            clear_depth: depth.clear_depth,
        };
        let st = self.stencil.borrow(py);
        d.stencil_attachment = pymetal::RenderPassStencilAttachmentDescriptor {
            base: st.as_super().to_rust(),
            clear_stencil: st.clear_stencil,
        };
        d
    }
}

#[pymethods]
impl RenderPassDescriptor {
    #[new]
    fn new(py: Python<'_>) -> PyResult<Self> {
        let d = pymetal::RenderPassDescriptor::default();
        let colors = d
            .color_attachments
            .iter()
            .map(|c| {
                let init = PyClassInitializer::from(RenderPassAttachmentDescriptor::with(&c.base))
                    .add_subclass(RenderPassColorAttachmentDescriptor { clear_color: c.clear_color });
                Py::new(py, init)
            })
            .collect::<PyResult<_>>()?;
        let depth = PyClassInitializer::from(RenderPassAttachmentDescriptor::with(&d.depth_attachment.base))
            .add_subclass(RenderPassDepthAttachmentDescriptor { clear_depth: d.depth_attachment.clear_depth });
        let stencil = PyClassInitializer::from(RenderPassAttachmentDescriptor::with(&d.stencil_attachment.base))
            .add_subclass(RenderPassStencilAttachmentDescriptor { clear_stencil: d.stencil_attachment.clear_stencil });
        Ok(RenderPassDescriptor { colors, depth: Py::new(py, depth)?, stencil: Py::new(py, stencil)? })
    }
    #[staticmethod]
    fn render_pass_descriptor(py: Python<'_>) -> PyResult<Self> {
        Self::new(py)
    }
    /// Colour attachment `index` (0..7); the same object each time.
    fn color_attachment(&self, py: Python<'_>, index: u64) -> PyResult<Py<RenderPassColorAttachmentDescriptor>> {
        let i = sub_index("RenderPassDescriptor.color_attachment", index, self.colors.len())?;
        Ok(self.colors[i].clone_ref(py))
    }
    #[getter]
    fn depth_attachment(&self, py: Python<'_>) -> Py<RenderPassDepthAttachmentDescriptor> {
        self.depth.clone_ref(py)
    }
    #[getter]
    fn stencil_attachment(&self, py: Python<'_>) -> Py<RenderPassStencilAttachmentDescriptor> {
        self.stencil.clone_ref(py)
    }
}

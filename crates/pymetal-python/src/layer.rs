//! MetalLayer and MetalDrawable (pymetal.graphics): an offscreen CAMetalLayer. Behaviour and
//! validation live in `pymetal::MetalLayer`; here, Python identity: `drawable.layer is
//! layer`, `layer.device is device`, and one Texture object per pooled texture.

use std::sync::Mutex;

use pyo3::prelude::*;
use pyo3::types::PyWeakrefReference;

use crate::device::{self, Device};
use crate::errors::{blocking, validation, PyResultExt};
use crate::render_desc::enum_or_int;
use crate::texture::Texture;

/// A CAMetalLayer without a window (`MetalLayer.layer()` or `MetalLayer()`). Its drawables
/// come from a pool of `maximum_drawable_count` textures; `last_presented_texture` (our
/// addition) is the image presented last, for offscreen use.
#[pyclass(module = "pymetal", frozen)]
pub struct MetalLayer {
    pub inner: pymetal::MetalLayer,
    /// Weak references to the Python wrappers of its drawables' textures, so that a
    /// recycled texture is the same Python object while any is alive (dead entries are
    /// pruned on insertion; they would otherwise keep the texture memory).
    textures: Mutex<Vec<(pymetal::Texture, Py<PyWeakrefReference>)>>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl MetalLayer {
    fn create() -> Self {
        MetalLayer { inner: pymetal::MetalLayer::new(), textures: Mutex::new(Vec::new()) }
    }

    /// The one Python object of `t` (a texture of this layer's drawables).
    fn texture(&self, py: Python<'_>, t: &pymetal::Texture) -> PyResult<Py<Texture>> {
        let alive = |w: &Py<PyWeakrefReference>| w.bind(py).upgrade();
        if let Some(p) = lock(&self.textures).iter().filter(|(c, _)| c == t).find_map(|(_, w)| alive(w)) {
            return Ok(p.cast_into::<Texture>()?.unbind());
        }
        // Created outside the lock: allocating may run arbitrary Python code (GC).
        let dev = device::wrap(py, t.device())?;
        let p = Bound::new(py, Texture::new(t.clone(), dev))?;
        let weak = PyWeakrefReference::new(&p)?.unbind();
        let mut cache = lock(&self.textures);
        cache.retain(|(_, w)| alive(w).is_some());
        cache.push((t.clone(), weak));
        Ok(p.unbind())
    }
}

#[pymethods]
impl MetalLayer {
    /// A layer with CAMetalLayer's defaults (no device, BGRA8Unorm, framebuffer_only,
    /// drawable_size (0, 0), maximum_drawable_count 3).
    #[new]
    fn new() -> Self {
        MetalLayer::create()
    }
    /// CAMetalLayer's `layer` class method: a new layer.
    #[staticmethod]
    fn layer() -> Self {
        MetalLayer::create()
    }
    #[getter]
    fn device(&self, py: Python<'_>) -> PyResult<Option<Py<Device>>> {
        self.inner.device().map(|d| device::wrap(py, &d)).transpose()
    }
    #[setter]
    fn set_device(&self, device: Option<PyRef<'_, Device>>) {
        self.inner.set_device(device.map(|d| d.inner.clone()))
    }
    #[getter]
    fn pixel_format<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        enum_or_int(py, "PixelFormat", self.inner.pixel_format() as u32)
    }
    /// BGRA8Unorm, BGRA8Unorm_sRGB or RGBA16Float (ValidationError otherwise).
    #[setter]
    fn set_pixel_format(&self, v: i64) -> PyResult<()> {
        let raw =
            u32::try_from(v).map_err(|_| validation(format!("MetalLayer.pixel_format: {v} is not a PixelFormat")))?;
        self.inner.set_pixel_format(raw).py()
    }
    #[getter]
    fn framebuffer_only(&self) -> bool {
        self.inner.framebuffer_only()
    }
    #[setter]
    fn set_framebuffer_only(&self, v: bool) {
        self.inner.set_framebuffer_only(v)
    }
    /// (width, height) in pixels, rounded to integers; (0, 0) until set.
    #[getter]
    fn drawable_size(&self) -> (f64, f64) {
        self.inner.drawable_size()
    }
    #[setter]
    fn set_drawable_size(&self, size: Vec<f64>) -> PyResult<()> {
        match size[..] {
            [w, h] => self.inner.set_drawable_size(w, h).py(),
            _ => Err(validation(format!(
                "MetalLayer.drawable_size: expected (width, height), got {} values",
                size.len()
            ))),
        }
    }
    /// 2 or 3 (default 3).
    #[getter]
    fn maximum_drawable_count(&self) -> u64 {
        self.inner.maximum_drawable_count()
    }
    #[setter]
    fn set_maximum_drawable_count(&self, n: i64) -> PyResult<()> {
        let n = u64::try_from(n)
            .map_err(|_| validation(format!("MetalLayer.maximum_drawable_count: {n} is not supported (use 2 or 3)")))?;
        self.inner.set_maximum_drawable_count(n).py()
    }
    #[getter]
    fn label(&self) -> String {
        self.inner.label()
    }
    #[setter]
    fn set_label(&self, label: &str) {
        self.inner.set_label(label)
    }
    /// The texture of the drawable presented last, None until one was (our addition).
    #[getter]
    fn last_presented_texture(&self, py: Python<'_>) -> PyResult<Option<Py<Texture>>> {
        self.inner.last_presented_texture().map(|t| self.texture(py, &t)).transpose()
    }
    /// A free drawable; None without a device, with a zero drawable side, or when all
    /// `maximum_drawable_count` drawables are out (after waiting up to 1 s, GIL released,
    /// only if a command buffer has one scheduled for presentation).
    fn next_drawable(slf: &Bound<'_, Self>) -> PyResult<Option<MetalDrawable>> {
        let py = slf.py();
        let layer = slf.get().inner.clone();
        let Some(d) = blocking(py, move || layer.next_drawable())? else { return Ok(None) };
        let texture = slf.get().texture(py, d.texture())?;
        Ok(Some(MetalDrawable { inner: d, layer: slf.clone().unbind(), texture }))
    }
    fn __repr__(&self) -> String {
        let (w, h) = self.inner.drawable_size();
        format!("<pymetal.MetalLayer {:?} {}x{} label={:?}>", self.inner.pixel_format(), w, h, self.inner.label())
    }
}

/// A drawable of a MetalLayer (CAMetalDrawable): render into `texture`, then `present()`
/// it or have a command buffer present it (`CommandBuffer.present_drawable`).
#[pyclass(module = "pymetal", frozen)]
pub struct MetalDrawable {
    pub inner: pymetal::MetalDrawable,
    layer: Py<MetalLayer>,
    texture: Py<Texture>,
}

#[pymethods]
impl MetalDrawable {
    #[getter]
    fn texture(&self, py: Python<'_>) -> Py<Texture> {
        self.texture.clone_ref(py)
    }
    #[getter]
    fn layer(&self, py: Python<'_>) -> Py<MetalLayer> {
        self.layer.clone_ref(py)
    }
    /// Positive, increasing with each drawable the layer hands out.
    #[getter]
    fn drawable_id(&self) -> u64 {
        self.inner.drawable_id()
    }
    /// Seconds (monotonic clock) when it was presented; 0.0 until then.
    #[getter]
    fn presented_time(&self) -> f64 {
        self.inner.presented_time()
    }
    /// Presents now: becomes the layer's `last_presented_texture`; its texture returns to
    /// the pool (ValidationError if already presented or scheduled).
    fn present(&self) -> PyResult<()> {
        self.inner.present().py()
    }
    fn __repr__(&self) -> String {
        format!(
            "<pymetal.MetalDrawable id={} presented_time={}>",
            self.inner.drawable_id(),
            self.inner.presented_time()
        )
    }
}

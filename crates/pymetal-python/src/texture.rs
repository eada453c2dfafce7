//! TextureDescriptor and Texture (pymetal.graphics).

use pyo3::prelude::*;
use pyo3::types::PyBytes;

use crate::command::labelled_pymethods;
use crate::convert;
use crate::device::Device;
use crate::enums;
use crate::errors::{validation, PyResultExt};
use crate::types::{Origin, Size};

/// What a texture should be (MTLTextureDescriptor). Values are checked by `Device.new_texture`.
#[pyclass(module = "pymetal")]
#[derive(Clone)]
pub struct TextureDescriptor {
    pub inner: pymetal::TextureDescriptor,
}

fn storage_mode_from(v: u32) -> PyResult<pymetal::StorageMode> {
    Ok(match v {
        0 => pymetal::StorageMode::Shared,
        1 => pymetal::StorageMode::Managed,
        2 => pymetal::StorageMode::Private,
        3 => pymetal::StorageMode::Memoryless,
        _ => return Err(validation(format!("TextureDescriptor.storage_mode: {v} is not a StorageMode"))),
    })
}

#[pymethods]
impl TextureDescriptor {
    /// Metal's defaults: 1×1 RGBA8Unorm Type2D, one mip level, Shared, ShaderRead.
    #[new]
    fn new() -> Self {
        TextureDescriptor { inner: Default::default() }
    }
    /// A 2D texture descriptor, with a full mip chain if `mipmapped`.
    #[staticmethod]
    #[pyo3(signature = (format, width, height, mipmapped=false))]
    fn texture2d_descriptor(format: u32, width: u64, height: u64, mipmapped: bool) -> Self {
        TextureDescriptor { inner: pymetal::TextureDescriptor::texture2d(format, width, height, mipmapped) }
    }
    #[getter]
    fn texture_type<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        enum_or_int(py, "TextureType", self.inner.texture_type)
    }
    #[setter]
    fn set_texture_type(&mut self, v: u32) {
        self.inner.texture_type = v;
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
    fn storage_mode<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        enums::storage_mode(py, self.inner.storage_mode)
    }
    #[setter]
    fn set_storage_mode(&mut self, v: u32) -> PyResult<()> {
        self.inner.storage_mode = storage_mode_from(v)?;
        Ok(())
    }
    #[getter]
    fn width(&self) -> u64 {
        self.inner.width
    }
    #[setter]
    fn set_width(&mut self, v: u64) {
        self.inner.width = v;
    }
    #[getter]
    fn height(&self) -> u64 {
        self.inner.height
    }
    #[setter]
    fn set_height(&mut self, v: u64) {
        self.inner.height = v;
    }
    #[getter]
    fn depth(&self) -> u64 {
        self.inner.depth
    }
    #[setter]
    fn set_depth(&mut self, v: u64) {
        self.inner.depth = v;
    }
    #[getter]
    fn mipmap_level_count(&self) -> u64 {
        self.inner.mipmap_level_count
    }
    #[setter]
    fn set_mipmap_level_count(&mut self, v: u64) {
        self.inner.mipmap_level_count = v;
    }
    #[getter]
    fn sample_count(&self) -> u64 {
        self.inner.sample_count
    }
    #[setter]
    fn set_sample_count(&mut self, v: u64) {
        self.inner.sample_count = v;
    }
    #[getter]
    fn array_length(&self) -> u64 {
        self.inner.array_length
    }
    #[setter]
    fn set_array_length(&mut self, v: u64) {
        self.inner.array_length = v;
    }
    /// TextureUsage bits (ShaderRead 1, ShaderWrite 2, RenderTarget 4, PixelFormatView 16).
    #[getter]
    fn usage(&self) -> u64 {
        self.inner.usage
    }
    #[setter]
    fn set_usage(&mut self, v: u64) {
        self.inner.usage = v;
    }
    fn __repr__(&self) -> String {
        let d = &self.inner;
        format!(
            "<pymetal.TextureDescriptor type={} format={} {}x{}x{} mips={} array_length={}>",
            d.texture_type, d.pixel_format, d.width, d.height, d.depth, d.mipmap_level_count, d.array_length
        )
    }
}

/// An enum member, or the plain int if the enum has no such member.
fn enum_or_int<'py>(py: Python<'py>, class: &str, v: u32) -> PyResult<Bound<'py, PyAny>> {
    match enums::member(py, class, v) {
        Ok(m) => Ok(m),
        Err(_) => Ok(v.into_pyobject(py)?.into_any()),
    }
}

/// Texel memory (MTLTexture). Created by `Device.new_texture`.
#[pyclass(module = "pymetal", frozen, weakref)]
pub struct Texture {
    pub inner: pymetal::Texture,
    device: Py<Device>,
}

impl Texture {
    pub fn new(inner: pymetal::Texture, device: Py<Device>) -> Self {
        Texture { inner, device }
    }
}

labelled_pymethods! { Texture, device = |t| t.device;
    /// Writes `data` (bytes, numpy array, any buffer-protocol object; rows `bytes_per_row`
    /// apart) into the region (x, y, width, height) of mip `level` (and array `slice`).
    #[pyo3(signature = (data, bytes_per_row, x, y, width, height, level=0, slice=0))]
    #[allow(clippy::too_many_arguments)]
    fn replace_region(
        &self,
        data: &Bound<'_, PyAny>,
        bytes_per_row: u64,
        x: u64,
        y: u64,
        width: u64,
        height: u64,
        level: u64,
        slice: u64,
    ) -> PyResult<()> {
        convert::with_bytes(data, |d| {
            self.inner.replace_region([x, y, 0], [width, height, 1], level, slice, d, bytes_per_row, 0)
        })?
        .py()
    }
    /// The bytes of region (x, y, width, height) of mip `level` (and array `slice`), rows
    /// `bytes_per_row` apart.
    #[pyo3(signature = (bytes_per_row, x, y, width, height, level=0, slice=0))]
    #[allow(clippy::too_many_arguments)]
    fn get_bytes<'py>(
        &self,
        py: Python<'py>,
        bytes_per_row: u64,
        x: u64,
        y: u64,
        width: u64,
        height: u64,
        level: u64,
        slice: u64,
    ) -> PyResult<Bound<'py, PyBytes>> {
        let v = self.inner.get_bytes([x, y, 0], [width, height, 1], level, slice, bytes_per_row, 0).py()?;
        Ok(PyBytes::new(py, &v))
    }
    #[getter]
    fn texture_type<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        enums::member(py, "TextureType", self.inner.texture_type() as u32)
    }
    #[getter]
    fn pixel_format<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        enums::member(py, "PixelFormat", self.inner.pixel_format() as u32)
    }
    #[getter]
    fn storage_mode<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        enums::storage_mode(py, self.inner.storage_mode())
    }
    #[getter]
    fn width(&self) -> u64 {
        self.inner.width()
    }
    #[getter]
    fn height(&self) -> u64 {
        self.inner.height()
    }
    #[getter]
    fn depth(&self) -> u64 {
        self.inner.depth()
    }
    #[getter]
    fn mipmap_level_count(&self) -> u64 {
        self.inner.mipmap_level_count()
    }
    #[getter]
    fn sample_count(&self) -> u64 {
        self.inner.sample_count()
    }
    #[getter]
    fn array_length(&self) -> u64 {
        self.inner.array_length()
    }
    #[getter]
    fn usage(&self) -> u64 {
        self.inner.usage()
    }
    /// Bytes the texture occupies (all levels and slices).
    #[getter]
    fn allocated_size(&self) -> u64 {
        self.inner.allocated_size()
    }
    /// ResourceOptions bits equivalent to the storage and CPU cache modes.
    #[getter]
    fn resource_options(&self) -> u64 {
        self.inner.resource_options()
    }
    #[getter]
    fn cpu_cache_mode<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        enums::member(py, "CPUCacheMode", 0)
    }
    /// The buffer a texture view was made from (textures here own their memory: None).
    #[getter]
    fn buffer(&self) -> Option<Py<PyAny>> {
        None
    }
    /// The texture a view was made from (no views here: None).
    #[getter]
    fn parent_texture(&self) -> Option<Py<PyAny>> {
        None
    }
    #[getter]
    fn parent_relative_level(&self) -> u64 {
        0
    }
    #[getter]
    fn parent_relative_slice(&self) -> u64 {
        0
    }
    /// Whether only render passes may use the texture (never here).
    #[getter]
    fn framebuffer_only(&self) -> bool {
        false
    }
    fn __repr__(&self) -> String {
        let t = &self.inner;
        format!(
            "<pymetal.Texture {:?} {:?} {}x{}x{} mips={} label={:?}>",
            t.texture_type(),
            t.pixel_format(),
            t.width(),
            t.height(),
            t.depth(),
            t.mipmap_level_count(),
            t.label()
        )
    }
}

/// An `Origin` or an `(x, y[, z])` tuple.
pub fn origin_arg(o: &Bound<'_, PyAny>) -> PyResult<[u64; 3]> {
    if let Ok(o) = o.cast::<Origin>() {
        let o = o.borrow();
        return Ok([o.x, o.y, o.z]);
    }
    let v: Vec<u64> = o
        .extract()
        .map_err(|_| pyo3::exceptions::PyTypeError::new_err("origin must be a pymetal.Origin or an (x, y, z) tuple"))?;
    match v.as_slice() {
        [x, y] => Ok([*x, *y, 0]),
        [x, y, z] => Ok([*x, *y, *z]),
        _ => Err(pyo3::exceptions::PyTypeError::new_err("origin must be a pymetal.Origin or an (x, y, z) tuple")),
    }
}

/// A `Size` or a `(width, height[, depth])` tuple.
pub fn size_arg(s: &Bound<'_, PyAny>) -> PyResult<[u64; 3]> {
    if let Ok(s) = s.cast::<Size>() {
        let s = s.borrow();
        return Ok([s.width, s.height, s.depth]);
    }
    let v: Vec<u64> = s.extract().map_err(|_| {
        pyo3::exceptions::PyTypeError::new_err("size must be a pymetal.Size or a (width, height, depth) tuple")
    })?;
    match v.as_slice() {
        [w, h] => Ok([*w, *h, 1]),
        [w, h, d] => Ok([*w, *h, *d]),
        _ => {
            Err(pyo3::exceptions::PyTypeError::new_err("size must be a pymetal.Size or a (width, height, depth) tuple"))
        }
    }
}

//! SamplerDescriptor and SamplerState (pymetal.graphics).

use pyo3::prelude::*;

use crate::device::Device;
use crate::enums;
use crate::errors::{validation, PyResultExt};

/// What a sampler should be (MTLSamplerDescriptor). Enum values are checked by
/// `Device.new_sampler_state`.
#[pyclass(module = "pymetal")]
#[derive(Clone)]
pub struct SamplerDescriptor {
    pub inner: pymetal::SamplerDescriptor,
}

/// An enum member, or the plain int if the enum has no such member.
fn enum_or_int<'py>(py: Python<'py>, class: &str, v: u32) -> PyResult<Bound<'py, PyAny>> {
    match enums::member(py, class, v) {
        Ok(m) => Ok(m),
        Err(_) => Ok(v.into_pyobject(py)?.into_any()),
    }
}

/// A raw enum value from Python (negative or huge values are ValidationErrors).
fn raw(field: &str, v: i64) -> PyResult<u32> {
    u32::try_from(v).map_err(|_| validation(format!("SamplerDescriptor.{field}: {v} is not a valid value")))
}

/// The `#[pymethods]` block: the enum-valued fields (getters give enum members) + `$rest`.
macro_rules! enum_fields {
    ($($name:ident, $set:ident, $class:literal;)* ; $($rest:tt)*) => {
        #[pymethods]
        impl SamplerDescriptor {
            $($rest)*
            $(
                #[getter]
                fn $name<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
                    enum_or_int(py, $class, self.inner.$name)
                }
                #[setter]
                fn $set(&mut self, v: i64) -> PyResult<()> {
                    self.inner.$name = raw(stringify!($name), v)?;
                    Ok(())
                }
            )*
        }
    };
}

enum_fields! {
    min_filter, set_min_filter, "SamplerMinMagFilter";
    mag_filter, set_mag_filter, "SamplerMinMagFilter";
    mip_filter, set_mip_filter, "SamplerMipFilter";
    s_address_mode, set_s_address_mode, "SamplerAddressMode";
    t_address_mode, set_t_address_mode, "SamplerAddressMode";
    r_address_mode, set_r_address_mode, "SamplerAddressMode";
    border_color, set_border_color, "SamplerBorderColor";
    compare_function, set_compare_function, "CompareFunction";
    ;
    /// Metal's defaults: nearest filters, not mipmapped, ClampToEdge, normalised coordinates.
    #[new]
    fn new() -> Self {
        SamplerDescriptor { inner: Default::default() }
    }
    /// The reference's factory (the same as `SamplerDescriptor()`).
    #[staticmethod]
    #[allow(clippy::self_named_constructors)]
    fn sampler_descriptor() -> Self {
        SamplerDescriptor { inner: Default::default() }
    }
    #[getter]
    fn max_anisotropy(&self) -> u64 {
        self.inner.max_anisotropy
    }
    #[setter]
    fn set_max_anisotropy(&mut self, v: u64) {
        self.inner.max_anisotropy = v;
    }
    #[getter]
    fn normalized_coordinates(&self) -> bool {
        self.inner.normalized_coordinates
    }
    #[setter]
    fn set_normalized_coordinates(&mut self, v: bool) {
        self.inner.normalized_coordinates = v;
    }
    #[getter]
    fn lod_min_clamp(&self) -> f32 {
        self.inner.lod_min_clamp
    }
    #[setter]
    fn set_lod_min_clamp(&mut self, v: f32) {
        self.inner.lod_min_clamp = v;
    }
    #[getter]
    fn lod_max_clamp(&self) -> f32 {
        self.inner.lod_max_clamp
    }
    #[setter]
    fn set_lod_max_clamp(&mut self, v: f32) {
        self.inner.lod_max_clamp = v;
    }
    #[getter]
    fn label(&self) -> String {
        self.inner.label.clone()
    }
    #[setter]
    fn set_label(&mut self, v: String) {
        self.inner.label = v;
    }
    fn __repr__(&self) -> String {
        let d = &self.inner;
        format!(
            "<pymetal.SamplerDescriptor min={} mag={} mip={} address=({}, {}, {}) normalized={}>",
            d.min_filter,
            d.mag_filter,
            d.mip_filter,
            d.s_address_mode,
            d.t_address_mode,
            d.r_address_mode,
            d.normalized_coordinates
        )
    }
}

/// An immutable sampler (MTLSamplerState). Created by `Device.new_sampler_state`.
#[pyclass(module = "pymetal", frozen, weakref)]
pub struct SamplerState {
    pub inner: pymetal::SamplerState,
    device: Py<Device>,
}

impl SamplerState {
    pub fn new(inner: pymetal::SamplerState, device: Py<Device>) -> Self {
        SamplerState { inner, device }
    }
}

#[pymethods]
impl SamplerState {
    #[getter]
    fn label(&self) -> String {
        self.inner.label()
    }
    #[getter]
    fn device(&self, py: Python<'_>) -> Py<Device> {
        self.device.clone_ref(py)
    }
    fn __repr__(&self) -> String {
        format!("<pymetal.SamplerState label={:?}>", self.inner.label())
    }
}

/// `Device.new_sampler_state` (called from device.rs).
pub fn new_sampler_state(dev: &Bound<'_, Device>, descriptor: &SamplerDescriptor) -> PyResult<SamplerState> {
    let s = dev.get().inner.new_sampler_state(&descriptor.inner).py()?;
    Ok(SamplerState::new(s, dev.clone().unbind()))
}

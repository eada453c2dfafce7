//! Fence (pymetal.advanced).

use pyo3::prelude::*;

use crate::command::labelled_pymethods;
use crate::device::Device;

/// Orders encoders that share resources (MTLFence). Created by `Device.new_fence`.
#[pyclass(module = "pymetal", frozen)]
pub struct Fence {
    pub inner: pymetal::Fence,
    pub device: Py<Device>,
}

labelled_pymethods! { Fence, device = |f| f.device;
    fn __repr__(&self) -> String {
        format!("<pymetal.Fence label={:?}>", self.inner.label())
    }
}

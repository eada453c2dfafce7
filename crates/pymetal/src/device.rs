//! Devices: the list of what this build can reach, the default one (`PYMETAL_DEVICE`),
//! and the factories of every other object.

use std::sync::{Arc, OnceLock};

use pymetal_hal as hal;

use crate::command::{CommandQueue, NewCommandQueueError};
use crate::library::{ComputePipelineState, Function, Library, NewLibraryError, NewPipelineError};
use crate::resource::{Buffer, NewBufferError, ResourceOptions};
use crate::texture::{NewTextureError, Texture, TextureDescriptor};
use crate::{Classify, ErrorKind};

/// The backend a device runs on, as users name it (`PYMETAL_DEVICE`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BackendName {
    Cpu,
    Cuda,
    Metal,
    /// The test backend that runs nothing.
    Noop,
}

impl BackendName {
    pub fn as_str(self) -> &'static str {
        match self {
            BackendName::Cpu => "cpu",
            BackendName::Cuda => "cuda",
            BackendName::Metal => "metal",
            BackendName::Noop => "noop",
        }
    }
}

impl std::fmt::Display for BackendName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A GPU (or the CPU) that runs Metal programs. Cheap to clone; `==` is identity.
#[derive(Clone)]
pub struct Device(Arc<DeviceInner>);

struct DeviceInner {
    hal: Arc<dyn hal::Device>,
    backend: BackendName,
}

impl PartialEq for Device {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}
impl Eq for Device {}

impl std::fmt::Debug for Device {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Device({:?}, {})", self.name(), self.spec())
    }
}

impl Device {
    /// Wraps a backend device. Prefer [`devices`]: it returns one handle per device.
    pub fn from_hal(hal: Arc<dyn hal::Device>) -> Device {
        let backend = if hal.as_any().is::<hal::noop::NoopDevice>() {
            BackendName::Noop
        } else {
            match hal.info().backend {
                hal::BackendKind::Cpu => BackendName::Cpu,
                hal::BackendKind::Cuda => BackendName::Cuda,
                hal::BackendKind::Apple => BackendName::Metal,
            }
        };
        Device(Arc::new(DeviceInner { hal, backend }))
    }

    /// A fresh device of the noop backend (for tests).
    pub fn noop() -> Device {
        Device::from_hal(hal::noop::NoopDevice::new())
    }

    pub fn hal(&self) -> &Arc<dyn hal::Device> {
        &self.0.hal
    }
    pub fn info(&self) -> &hal::DeviceInfo {
        self.0.hal.info()
    }
    pub fn backend(&self) -> BackendName {
        self.0.backend
    }
    /// `cpu`, `cuda:0`, `metal`, `noop`: what `PYMETAL_DEVICE` would name this device.
    pub fn spec(&self) -> String {
        match self.0.backend {
            BackendName::Cuda => format!("cuda:{}", self.info().ordinal),
            b => b.as_str().to_string(),
        }
    }
    pub fn name(&self) -> &str {
        &self.info().name
    }
    /// Per-dimension maximum of threads per threadgroup.
    pub fn max_threads_per_threadgroup(&self) -> [u32; 3] {
        self.info().max_threads_per_threadgroup
    }
    pub fn max_threadgroup_memory_length(&self) -> u32 {
        self.info().max_threadgroup_memory_length
    }
    pub fn max_buffer_length(&self) -> u64 {
        self.info().max_buffer_length
    }

    pub fn new_command_queue(&self) -> Result<CommandQueue, NewCommandQueueError> {
        let q = self.0.hal.new_queue()?;
        Ok(CommandQueue::new(self.clone(), q))
    }

    /// A zero-filled buffer of `length` bytes.
    pub fn new_buffer(&self, length: usize, options: ResourceOptions) -> Result<Buffer, NewBufferError> {
        Buffer::new(self, length, options, "Device.new_buffer")
    }

    /// A buffer holding a copy of `data`.
    pub fn new_buffer_with_data(&self, data: &[u8], options: ResourceOptions) -> Result<Buffer, NewBufferError> {
        let buf = Buffer::new(self, data.len(), options, "Device.new_buffer_with_data")?;
        buf.write_initial(data);
        Ok(buf)
    }

    /// A zero-filled texture as `descriptor` describes (validated first).
    pub fn new_texture(&self, descriptor: &TextureDescriptor) -> Result<Texture, NewTextureError> {
        Texture::new(self, descriptor)
    }

    /// A sampler for `[[sampler(i)]]` (validated; see `crate::sampler`).
    pub fn new_heap(&self, descriptor: &crate::HeapDescriptor) -> Result<crate::Heap, crate::NewHeapError> {
        crate::Heap::new(self, descriptor)
    }

    /// (size, align) a buffer of `length` bytes takes in a heap.
    pub fn heap_buffer_size_and_align(&self, length: u64) -> (u64, u64) {
        crate::heap::buffer_size_and_align(length)
    }

    /// (size, align) a texture takes in a heap; None for an unknown type or pixel format.
    pub fn heap_texture_size_and_align(&self, descriptor: &TextureDescriptor) -> Option<(u64, u64)> {
        crate::heap::texture_size_and_align(descriptor)
    }

    pub fn new_sampler_state(
        &self,
        descriptor: &crate::SamplerDescriptor,
    ) -> Result<crate::SamplerState, crate::NewSamplerError> {
        crate::sampler::SamplerState::new(self, descriptor)
    }

    /// Compiles MSL source: preprocess and reflect (`msl`), then let the backend compile every
    /// entry point once so that errors surface here, as on Metal. Blocking.
    pub fn new_library_with_source(&self, source: &str, options: &msl::Options) -> Result<Library, NewLibraryError> {
        let options = &with_env_validation(options);
        let lib = msl::Library::new(source, options).map_err(NewLibraryError::Compile)?;
        self.0.hal.check_library(&lib)?;
        Ok(Library::new(self.clone(), source.to_string(), options.clone(), lib.reflection))
    }

    /// A library whose reflection is given rather than found (tests; tools with their own
    /// front end). The source is still preprocessed and checked by the backend.
    #[doc(hidden)]
    pub fn new_library_with_reflection(
        &self,
        source: &str,
        options: &msl::Options,
        reflection: msl::Reflection,
    ) -> Result<Library, NewLibraryError> {
        let options = &with_env_validation(options);
        let mut lib = msl::Library::new(source, options).map_err(NewLibraryError::Compile)?;
        lib.reflection = reflection.clone();
        self.0.hal.check_library(&lib)?;
        Ok(Library::new(self.clone(), source.to_string(), options.clone(), reflection))
    }

    /// Compiles `function` for this device (blocking).
    pub fn new_compute_pipeline_state(&self, function: &Function) -> Result<ComputePipelineState, NewPipelineError> {
        ComputePipelineState::new(self, function)
    }
}

/// Why no device could be selected.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SelectDeviceError {
    #[error("PYMETAL_DEVICE={0:?} is not a device name (use cpu, cuda, cuda:N, metal or noop)")]
    UnknownName(String),
    #[error("PYMETAL_DEVICE={requested:?}: no such device here (available: {available})")]
    NotAvailable { requested: String, available: String },
    #[error("no device available")]
    NoDevice,
}

impl Classify for SelectDeviceError {
    fn kind(&self) -> ErrorKind {
        ErrorKind::Device
    }
}

/// Every device of this build, one handle each (stable for the process): real devices in
/// `pymetal_hal::enumerate_devices()` order; the noop device only when there is no other,
/// or when `PYMETAL_DEVICE=noop`.
pub fn devices() -> Vec<Device> {
    static DEVICES: OnceLock<Vec<Device>> = OnceLock::new();
    DEVICES
        .get_or_init(|| {
            let mut out: Vec<Device> = hal::enumerate_devices().into_iter().map(Device::from_hal).collect();
            let want_noop = std::env::var("PYMETAL_DEVICE").map(|v| v.trim() == "noop").unwrap_or(false);
            if out.is_empty() || want_noop {
                out.push(Device::from_hal(hal::noop::NoopDevice::shared()));
            }
            out
        })
        .clone()
}

/// The device `PYMETAL_DEVICE` names (`cpu`, `cuda`, `cuda:N`, `metal`, `noop`), else the
/// first of [`devices`].
pub fn default_device() -> Result<Device, SelectDeviceError> {
    let all = devices();
    let spec = std::env::var("PYMETAL_DEVICE").unwrap_or_default();
    let spec = spec.trim().to_ascii_lowercase();
    if spec.is_empty() {
        return all.into_iter().next().ok_or(SelectDeviceError::NoDevice);
    }
    select(&all, &spec)
}

fn select(all: &[Device], spec: &str) -> Result<Device, SelectDeviceError> {
    let (backend, ordinal) = match spec.split_once(':') {
        Some((b, n)) => (b, Some(n.parse::<u32>().map_err(|_| SelectDeviceError::UnknownName(spec.into()))?)),
        None => (spec, None),
    };
    let backend = match backend {
        "cpu" => BackendName::Cpu,
        "cuda" | "gpu" => BackendName::Cuda,
        "metal" | "apple" | "mps" => BackendName::Metal,
        "noop" => BackendName::Noop,
        _ => return Err(SelectDeviceError::UnknownName(spec.into())),
    };
    all.iter().find(|d| d.backend() == backend && ordinal.is_none_or(|n| d.info().ordinal == n)).cloned().ok_or_else(
        || SelectDeviceError::NotAvailable {
            requested: spec.into(),
            available: all.iter().map(|d| d.spec()).collect::<Vec<_>>().join(", "),
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn select_by_spec() {
        let a = Device::noop();
        let all = vec![a.clone()];
        assert_eq!(select(&all, "noop").unwrap(), a);
        assert!(matches!(select(&all, "cuda:1"), Err(SelectDeviceError::NotAvailable { .. })));
        assert!(matches!(select(&all, "vulkan"), Err(SelectDeviceError::UnknownName(_))));
        assert!(matches!(select(&all, "cuda:x"), Err(SelectDeviceError::UnknownName(_))));
    }
}

/// `options` with shader validation switched on when the environment asks for it for every
/// library: `PYMETAL_SHADER_VALIDATION=1`, or Apple's `MTL_SHADER_VALIDATION=1`.
fn with_env_validation(options: &msl::Options) -> msl::Options {
    let on = |name: &str| std::env::var(name).is_ok_and(|v| !matches!(v.trim(), "" | "0" | "false" | "no" | "off"));
    let mut o = options.clone();
    o.shader_validation |= on("PYMETAL_SHADER_VALIDATION") || on("MTL_SHADER_VALIDATION");
    o
}

//! Buffer: length, label, zero-copy numpy view of the contents, and zero-copy interop
//! with CUDA libraries (`__cuda_array_interface__`, DLPack).

use std::ffi::{c_void, CStr};

use numpy::ndarray::ArrayView1;
use numpy::PyArray1;
use pyo3::exceptions::{PyAttributeError, PyBufferError};
use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::device::Device;
use crate::enums;
use crate::errors::PyResultExt;

/// Device memory (MTLBuffer).
#[pyclass(module = "pymetal", frozen, weakref, subclass)]
pub struct Buffer {
    pub inner: pymetal::Buffer,
    device: Py<Device>,
}

impl Buffer {
    pub fn new(inner: pymetal::Buffer, device: Py<Device>) -> Self {
        Buffer { inner, device }
    }
}

#[pymethods]
impl Buffer {
    /// A writable 1-D uint8 numpy array over the buffer's memory (zero-copy; the array
    /// keeps the buffer alive). Raises ValidationError for Private buffers.
    fn contents<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyArray1<u8>>> {
        let b = &slf.get().inner;
        let ptr = b.contents().py()?;
        // SAFETY: `ptr` points to `length()` bytes that live as long as the buffer; the
        // array's base object is the Buffer, so the memory outlives the array.
        let view = unsafe { ArrayView1::from_shape_ptr(b.length(), ptr as *const u8) };
        // SAFETY: as above: `slf` is the container that owns the memory.
        Ok(unsafe { PyArray1::borrow_from_array(&view, slf.clone().into_any()) })
    }

    /// The CPU wrote `offset..offset+length` of a Managed buffer.
    fn did_modify_range(&self, offset: u64, length: u64) -> PyResult<()> {
        self.inner.did_modify(offset, length).py()
    }

    #[getter]
    fn length(&self) -> usize {
        self.inner.length()
    }
    #[getter]
    fn gpu_address(&self) -> u64 {
        self.inner.gpu_address()
    }
    #[getter]
    fn storage_mode<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        enums::storage_mode(py, self.inner.storage_mode())
    }
    /// The ResourceOptions bits the buffer was made with.
    #[getter]
    fn resource_options(&self) -> u64 {
        self.inner.options().0
    }
    #[getter]
    fn device(&self, py: Python<'_>) -> Py<Device> {
        self.device.clone_ref(py)
    }
    #[getter]
    fn label(&self) -> String {
        self.inner.label()
    }
    #[setter]
    fn set_label(&self, label: &str) {
        self.inner.set_label(label)
    }
    fn __len__(&self) -> usize {
        self.inner.length()
    }

    /// CUDA Array Interface v3 of the buffer's GPU memory, as 1-D uint8 (CUDA devices
    /// only; AttributeError elsewhere). Managed buffers expose their GPU copy. No stream
    /// synchronization is implied: wait for the command buffers that write the buffer first.
    #[getter]
    fn __cuda_array_interface__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let Some((ptr, _ordinal)) = self.inner.hal().device_pointer() else {
            return Err(PyAttributeError::new_err(
                "__cuda_array_interface__: this buffer is not in CUDA memory (use contents() or __dlpack__)",
            ));
        };
        let d = PyDict::new(py);
        d.set_item("version", 3)?;
        d.set_item("shape", (self.inner.length(),))?;
        d.set_item("typestr", "|u1")?;
        d.set_item("data", (ptr, false))?;
        d.set_item("strides", py.None())?;
        d.set_item("descr", vec![("", "|u1")])?;
        d.set_item("stream", py.None())?;
        Ok(d)
    }

    /// (device type, device id) of DLPack: (2 = kDLCUDA, ordinal) for CUDA buffers,
    /// (1 = kDLCPU, 0) for host memory.
    fn __dlpack_device__(&self) -> (i32, i32) {
        let (dev, _) = dl_target(&self.inner);
        (dev.device_type, dev.device_id)
    }

    /// A DLPack capsule of the buffer as 1-D uint8, sharing its memory; the capsule keeps
    /// the buffer alive until the consumer releases it. `stream` is accepted and not
    /// synchronized with (as `__cuda_array_interface__`: wait for writing command buffers
    /// first). `copy=True` is refused (BufferError).
    #[pyo3(signature = (stream=None, *, max_version=None, dl_device=None, copy=None))]
    fn __dlpack__<'py>(
        &self,
        py: Python<'py>,
        stream: Option<Bound<'py, PyAny>>,
        max_version: Option<(u32, u32)>,
        dl_device: Option<(i32, i32)>,
        copy: Option<bool>,
    ) -> PyResult<Bound<'py, PyAny>> {
        if let Some(s) = &stream {
            if s.extract::<i64>().is_err() {
                return Err(PyBufferError::new_err("__dlpack__: stream must be an int or None"));
            }
        }
        let (device, data) = dl_target(&self.inner);
        if copy == Some(true) {
            return Err(PyBufferError::new_err("__dlpack__: copy=True is not supported (exports share memory)"));
        }
        if let Some((t, id)) = dl_device {
            if (t, id) != (device.device_type, device.device_id) {
                return Err(PyBufferError::new_err(format!(
                    "__dlpack__: the buffer lives on DLPack device ({}, {}), not ({t}, {id})",
                    device.device_type, device.device_id
                )));
            }
        }
        let data = match data {
            Some(p) => p,
            None => {
                return Err(PyBufferError::new_err(
                    "__dlpack__: a Private buffer of this device has no address another library can use",
                ))
            }
        };
        let versioned = max_version.is_some_and(|(major, _)| major >= 1);
        dlpack_capsule(py, self.inner.clone(), device, data, versioned)
    }

    fn __repr__(&self) -> String {
        format!("<pymetal.Buffer length={} storage_mode={:?}>", self.inner.length(), self.inner.storage_mode())
    }
}

// ---- DLPack (dlpack.h v1.0 ABI) ----

const KDL_CPU: i32 = 1;
const KDL_CUDA: i32 = 2;
const KDL_UINT: u8 = 1;

#[repr(C)]
#[derive(Clone, Copy)]
struct DLDevice {
    device_type: i32,
    device_id: i32,
}

#[repr(C)]
struct DLDataType {
    code: u8,
    bits: u8,
    lanes: u16,
}

#[repr(C)]
struct DLTensor {
    data: *mut c_void,
    device: DLDevice,
    ndim: i32,
    dtype: DLDataType,
    shape: *mut i64,
    strides: *mut i64,
    byte_offset: u64,
}

#[repr(C)]
struct DLManagedTensor {
    dl_tensor: DLTensor,
    manager_ctx: *mut c_void,
    deleter: Option<unsafe extern "C" fn(*mut DLManagedTensor)>,
}

#[repr(C)]
struct DLPackVersion {
    major: u32,
    minor: u32,
}

#[repr(C)]
struct DLManagedTensorVersioned {
    version: DLPackVersion,
    manager_ctx: *mut c_void,
    deleter: Option<unsafe extern "C" fn(*mut DLManagedTensorVersioned)>,
    flags: u64,
    dl_tensor: DLTensor,
}

/// Owner of one export: the managed tensor (first field, so its address is the box's),
/// the shape it points at, and a reference to the buffer.
#[repr(C)]
struct Export<M> {
    managed: M,
    shape: [i64; 1],
    _buffer: pymetal::Buffer,
}

const NAME: &CStr = c"dltensor";
const NAME_VERSIONED: &CStr = c"dltensor_versioned";

/// The DLPack device of a buffer and the address to export (None: Private host-only).
fn dl_target(b: &pymetal::Buffer) -> (DLDevice, Option<*mut c_void>) {
    match b.hal().device_pointer() {
        Some((ptr, ordinal)) => {
            (DLDevice { device_type: KDL_CUDA, device_id: ordinal as i32 }, Some(ptr as *mut c_void))
        }
        None => (DLDevice { device_type: KDL_CPU, device_id: 0 }, b.contents().ok().map(|p| p as *mut c_void)),
    }
}

fn tensor(device: DLDevice, data: *mut c_void) -> DLTensor {
    DLTensor {
        data,
        device,
        ndim: 1,
        dtype: DLDataType { code: KDL_UINT, bits: 8, lanes: 1 },
        shape: std::ptr::null_mut(), // set once the box is in place
        strides: std::ptr::null_mut(),
        byte_offset: 0,
    }
}

unsafe extern "C" fn delete_export(m: *mut DLManagedTensor) {
    if !m.is_null() {
        // SAFETY: `m` is the first field of a leaked Box<Export<_>>; the deleter runs once.
        drop(unsafe { Box::from_raw((*m).manager_ctx as *mut Export<DLManagedTensor>) });
    }
}

unsafe extern "C" fn delete_export_versioned(m: *mut DLManagedTensorVersioned) {
    if !m.is_null() {
        // SAFETY: as above.
        drop(unsafe { Box::from_raw((*m).manager_ctx as *mut Export<DLManagedTensorVersioned>) });
    }
}

/// Capsule destructor: releases the export unless a consumer took it (and renamed the
/// capsule to `used_dltensor*`, taking over the deleter call).
unsafe extern "C" fn capsule_destructor(cap: *mut ffi::PyObject) {
    // SAFETY: called by Python with the GIL held on a capsule; IsValid/GetPointer with a
    // matching name set no error.
    unsafe {
        if ffi::PyCapsule_IsValid(cap, NAME.as_ptr()) == 1 {
            let m = ffi::PyCapsule_GetPointer(cap, NAME.as_ptr()) as *mut DLManagedTensor;
            if let Some(d) = (*m).deleter {
                d(m);
            }
        } else if ffi::PyCapsule_IsValid(cap, NAME_VERSIONED.as_ptr()) == 1 {
            let m = ffi::PyCapsule_GetPointer(cap, NAME_VERSIONED.as_ptr()) as *mut DLManagedTensorVersioned;
            if let Some(d) = (*m).deleter {
                d(m);
            }
        }
    }
}

fn dlpack_capsule<'py>(
    py: Python<'py>,
    buffer: pymetal::Buffer,
    device: DLDevice,
    data: *mut c_void,
    versioned: bool,
) -> PyResult<Bound<'py, PyAny>> {
    let len = buffer.length() as i64;
    let (ptr, name, free): (*mut c_void, &CStr, Box<dyn FnOnce()>) = if versioned {
        let e = Box::into_raw(Box::new(Export {
            managed: DLManagedTensorVersioned {
                version: DLPackVersion { major: 1, minor: 0 },
                manager_ctx: std::ptr::null_mut(),
                deleter: Some(delete_export_versioned),
                flags: 0,
                dl_tensor: tensor(device, data),
            },
            shape: [len],
            _buffer: buffer,
        }));
        // SAFETY: `e` is a fresh, leaked box; fields are set before it is shared.
        unsafe {
            (*e).managed.manager_ctx = e as *mut c_void;
            (*e).managed.dl_tensor.shape = (*e).shape.as_mut_ptr();
        }
        // SAFETY (closure): only run if the capsule could not be made, so nothing else owns `e`.
        (e as *mut c_void, NAME_VERSIONED, Box::new(move || unsafe { delete_export_versioned(e as *mut _) }))
    } else {
        let e = Box::into_raw(Box::new(Export {
            managed: DLManagedTensor {
                dl_tensor: tensor(device, data),
                manager_ctx: std::ptr::null_mut(),
                deleter: Some(delete_export),
            },
            shape: [len],
            _buffer: buffer,
        }));
        // SAFETY: as above.
        unsafe {
            (*e).managed.manager_ctx = e as *mut c_void;
            (*e).managed.dl_tensor.shape = (*e).shape.as_mut_ptr();
        }
        // SAFETY (closure): as above.
        (e as *mut c_void, NAME, Box::new(move || unsafe { delete_export(e as *mut _) }))
    };
    // SAFETY: `ptr` outlives the capsule (freed by the destructor or the consumer's deleter).
    let cap = unsafe { ffi::PyCapsule_New(ptr, name.as_ptr(), Some(capsule_destructor)) };
    // SAFETY: a new reference or NULL with an exception set.
    match unsafe { Bound::from_owned_ptr_or_err(py, cap) } {
        Ok(c) => Ok(c),
        Err(e) => {
            free();
            Err(e)
        }
    }
}

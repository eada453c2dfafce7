//! The Python buffer protocol for `Buffer` (`memoryview(buf)`, `np.frombuffer(buf)`).
//!
//! pyo3 emits `__getbuffer__` only for abi3 ≥ 3.11, but CPython accepts the
//! `Py_bf_getbuffer` slot in `PyType_FromSpec` since 3.9. So the class exported as
//! `pymetal.Buffer` is a subclass of the pyo3 class, made here with that slot and nothing
//! else (same layout), and every new Buffer object is switched to it (`__class__`).

use std::ffi::{c_int, c_void, CString};
use std::panic::{catch_unwind, AssertUnwindSafe};

use pyo3::exceptions::PyBufferError;
use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::PyType;

use crate::resource::Buffer;

unsafe extern "C" {
    // Part of CPython's stable ABI since 3.11 and exported by every CPython ≥ 3.0.
    fn PyBuffer_FillInfo(
        view: *mut c_void,
        o: *mut ffi::PyObject,
        buf: *mut c_void,
        len: ffi::Py_ssize_t,
        readonly: c_int,
        flags: c_int,
    ) -> c_int;
}

/// `bf_getbuffer`: a writable, contiguous byte view of a Shared/Managed buffer.
unsafe extern "C" fn getbuffer(obj: *mut ffi::PyObject, view: *mut c_void, flags: c_int) -> c_int {
    let r = catch_unwind(AssertUnwindSafe(|| {
        // SAFETY: CPython calls bf_getbuffer with the GIL held.
        let py = unsafe { Python::assume_attached() };
        // SAFETY: `obj` is a live object for the duration of the call.
        let any = unsafe { Bound::from_borrowed_ptr(py, obj) };
        let res: PyResult<(*mut u8, usize)> = (|| {
            let b = any.cast::<Buffer>()?;
            let inner = &b.get().inner;
            let ptr = inner.contents().map_err(|e| PyBufferError::new_err(e.to_string()))?;
            Ok((ptr, inner.length()))
        })();
        match res {
            // SAFETY: `view` is the caller's Py_buffer; the memory lives as long as `obj`,
            // which the view holds a reference to.
            Ok((ptr, len)) => unsafe { PyBuffer_FillInfo(view, obj, ptr.cast(), len as ffi::Py_ssize_t, 0, flags) },
            Err(e) => {
                e.restore(py);
                -1
            }
        }
    }));
    r.unwrap_or(-1)
}

static BUFFER_TYPE: PyOnceLock<Py<PyType>> = PyOnceLock::new();

/// The exported `pymetal.Buffer` class (the subclass with the buffer protocol).
pub fn buffer_type(py: Python<'_>) -> PyResult<&Bound<'_, PyType>> {
    BUFFER_TYPE
        .get_or_try_init(py, || {
            let base = py.get_type::<Buffer>();
            let name = CString::new("pymetal.Buffer").map_err(|e| PyBufferError::new_err(e.to_string()))?;
            let mut slots = [
                ffi::PyType_Slot { slot: ffi::Py_bf_getbuffer, pfunc: getbuffer as *mut c_void },
                ffi::PyType_Slot { slot: ffi::Py_tp_doc, pfunc: c"Device memory (MTLBuffer).".as_ptr() as *mut c_void },
                ffi::PyType_Slot { slot: 0, pfunc: std::ptr::null_mut() },
            ];
            let mut spec = ffi::PyType_Spec {
                name: name.as_ptr(),
                basicsize: 0,
                itemsize: 0,
                flags: ffi::Py_TPFLAGS_DEFAULT as _,
                slots: slots.as_mut_ptr(),
            };
            let bases = pyo3::types::PyTuple::new(py, [base])?;
            // SAFETY: the spec and slots are valid for the call; CPython copies what it keeps
            // (the name is copied into the heap type since 3.x; keep it alive anyway).
            let ty = unsafe { ffi::PyType_FromSpecWithBases(&mut spec, bases.as_ptr()) };
            std::mem::forget(name);
            // SAFETY: a new reference or NULL with an exception set.
            let ty = unsafe { Bound::from_owned_ptr_or_err(py, ty)? };
            Ok(ty.cast_into::<PyType>()?.unbind())
        })
        .map(|t| t.bind(py))
}

/// A new Python Buffer object of the exported class.
pub fn new_buffer(py: Python<'_>, b: Buffer) -> PyResult<Bound<'_, Buffer>> {
    let obj = Bound::new(py, b)?;
    obj.setattr("__class__", buffer_type(py)?)?;
    Ok(obj)
}

//! Conversions from Python values: bytes-like data, compile options, function-constant
//! values, sizes.

use std::path::PathBuf;

use numpy::{PyArray1, PyArrayMethods, PyUntypedArray};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyByteArray, PyBytes, PyDict, PyFloat, PyInt, PyString};

use crate::library::CompileOptions;

/// Calls `f` with the bytes of `obj`: bytes, bytearray, numpy arrays (any dtype, any
/// layout; non-contiguous ones are copied) and anything with the buffer protocol.
pub fn with_bytes<R>(obj: &Bound<'_, PyAny>, f: impl FnOnce(&[u8]) -> R) -> PyResult<R> {
    if let Ok(b) = obj.cast::<PyBytes>() {
        return Ok(f(b.as_bytes()));
    }
    if let Ok(b) = obj.cast::<PyByteArray>() {
        // SAFETY: the GIL is held and `f` runs no Python code, so nothing can resize the
        // bytearray while the slice lives.
        return Ok(f(unsafe { b.as_bytes() }));
    }
    if obj.is_instance_of::<PyString>() {
        return Err(PyTypeError::new_err("expected a bytes-like object or numpy array, not str (encode it first)"));
    }
    let py = obj.py();
    let np = py.import("numpy")?;
    let arr = if obj.cast::<PyUntypedArray>().is_ok() {
        obj.clone()
    } else {
        let mv = py.import("builtins")?.getattr("memoryview")?.call1((obj,)).map_err(|_| {
            PyTypeError::new_err(format!(
                "expected bytes, bytearray, memoryview, a numpy array or an object with the buffer protocol, not {}",
                obj.get_type().name().map(|n| n.to_string()).unwrap_or_default()
            ))
        })?;
        np.getattr("asarray")?.call1((mv,))?
    };
    let flat = np.getattr("ascontiguousarray")?.call1((arr,))?.call_method1("reshape", (-1,))?;
    let u8s = flat.call_method1("view", (np.getattr("uint8")?,))?;
    let u8s = u8s.cast::<PyArray1<u8>>()?;
    let ro = u8s.readonly();
    Ok(f(ro.as_slice()?))
}

/// `options` of `new_library_with_source`: None, a `CompileOptions`, or a dict with keys
/// `defines` (dict or list of names), `include_paths`, `fast_math`, `file_name`,
/// `shader_validation`.
pub fn compile_options(obj: Option<&Bound<'_, PyAny>>) -> PyResult<msl::Options> {
    let Some(obj) = obj.filter(|o| !o.is_none()) else { return Ok(msl::Options::default()) };
    if let Ok(o) = obj.cast::<CompileOptions>() {
        return o.borrow().to_msl();
    }
    let dict = obj
        .cast::<PyDict>()
        .map_err(|_| PyTypeError::new_err("options must be None, a dict or a pymetal.CompileOptions"))?;
    let mut out = msl::Options::default();
    for (k, v) in dict.iter() {
        let key: String = k.extract()?;
        match key.as_str() {
            "defines" | "preprocessor_macros" => out.defines = defines(&v)?,
            "include_paths" => out.include_paths = include_paths(&v)?,
            "fast_math" | "fast_math_enabled" => out.fast_math = v.is_truthy()?,
            "file_name" | "filename" => out.file_name = v.extract()?,
            "shader_validation" => out.shader_validation = v.is_truthy()?,
            _ => {
                return Err(PyValueError::new_err(format!(
                    "unknown compile option {key:?} (expected defines, include_paths, fast_math, file_name, shader_validation)"
                )))
            }
        }
    }
    Ok(out)
}

/// `-D` values: a dict name → value (str, int, float, bool; True is "1") or a list of names.
pub fn defines(v: &Bound<'_, PyAny>) -> PyResult<Vec<(String, String)>> {
    if v.is_none() {
        return Ok(Vec::new());
    }
    if let Ok(d) = v.cast::<PyDict>() {
        return d.iter().map(|(k, v)| Ok((k.extract::<String>()?, define_value(&v)?))).collect();
    }
    let mut out = Vec::new();
    for item in v.try_iter()? {
        let item = item?;
        if let Ok(name) = item.extract::<String>() {
            match name.split_once('=') {
                Some((n, val)) => out.push((n.to_string(), val.to_string())),
                None => out.push((name, "1".to_string())),
            }
        } else {
            let (n, val): (String, Bound<'_, PyAny>) = item.extract()?;
            out.push((n, define_value(&val)?));
        }
    }
    Ok(out)
}

pub fn define_value(v: &Bound<'_, PyAny>) -> PyResult<String> {
    if v.is_none() {
        Ok("1".into())
    } else if let Ok(b) = v.cast::<PyBool>() {
        Ok(if b.is_true() { "1" } else { "0" }.into())
    } else if v.is_instance_of::<PyString>() {
        v.extract()
    } else if v.is_instance_of::<PyInt>() || v.is_instance_of::<PyFloat>() {
        Ok(v.str()?.to_string())
    } else {
        Err(PyTypeError::new_err("a define's value must be str, int, float, bool or None"))
    }
}

pub fn include_paths(v: &Bound<'_, PyAny>) -> PyResult<Vec<PathBuf>> {
    if v.is_none() {
        return Ok(Vec::new());
    }
    if v.is_instance_of::<PyString>() {
        return Ok(vec![v.extract()?]);
    }
    v.try_iter()?.map(|p| p?.extract::<PathBuf>()).collect()
}

/// `constant_values` of `Library.new_function`: a dict name-or-index → bool/int/float.
pub fn constant_values(obj: Option<&Bound<'_, PyAny>>) -> PyResult<Option<msl::ConstantValues>> {
    let Some(obj) = obj.filter(|o| !o.is_none()) else { return Ok(None) };
    let dict = obj
        .cast::<PyDict>()
        .map_err(|_| PyTypeError::new_err("constant_values must be a dict (name or index → value)"))?;
    let mut out = msl::ConstantValues::default();
    for (k, v) in dict.iter() {
        let value = constant_value(&v)?;
        if let Ok(i) = k.extract::<u32>() {
            out.by_index.insert(i, value);
        } else if let Ok(name) = k.extract::<String>() {
            out.by_name.insert(name, value);
        } else {
            return Err(PyTypeError::new_err("constant_values keys must be names (str) or indices (int)"));
        }
    }
    Ok(Some(out))
}

fn constant_value(v: &Bound<'_, PyAny>) -> PyResult<msl::ConstantValue> {
    if let Ok(b) = v.cast::<PyBool>() {
        return Ok(msl::ConstantValue::Bool(b.is_true()));
    }
    if v.is_instance_of::<PyInt>() {
        if let Ok(i) = v.extract::<i64>() {
            return Ok(msl::ConstantValue::Int(i));
        }
        return Ok(msl::ConstantValue::UInt(v.extract::<u64>()?));
    }
    if let Ok(f) = v.extract::<f64>() {
        return Ok(msl::ConstantValue::Float(f));
    }
    Err(PyTypeError::new_err("a function constant's value must be bool, int or float"))
}

/// A grid size argument: `u32`, rejecting values over 2^32-1 with a clear message.
pub fn dim(name: &str, v: u64) -> PyResult<u32> {
    u32::try_from(v).map_err(|_| crate::errors::validation(format!("{name} = {v} exceeds the maximum (4294967295)")))
}

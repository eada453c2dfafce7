//! Value types: Origin, Size, Range, ClearColor (pymetal.types).

use pyo3::prelude::*;

/// A position (MTLOrigin).
#[pyclass(module = "pymetal", get_all, set_all, eq, from_py_object)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Origin {
    pub x: u64,
    pub y: u64,
    pub z: u64,
}

#[pymethods]
impl Origin {
    #[new]
    #[pyo3(signature = (x=0, y=0, z=0))]
    fn new(x: u32, y: u32, z: u32) -> Self {
        Origin { x: x.into(), y: y.into(), z: z.into() }
    }
    fn __repr__(&self) -> String {
        format!("Origin(x={}, y={}, z={})", self.x, self.y, self.z)
    }
}

/// An extent (MTLSize).
#[pyclass(module = "pymetal", get_all, set_all, eq, from_py_object)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Size {
    pub width: u64,
    pub height: u64,
    pub depth: u64,
}

#[pymethods]
impl Size {
    #[new]
    #[pyo3(signature = (width, height=1, depth=1))]
    fn new(width: u64, height: u64, depth: u64) -> Self {
        Size { width, height, depth }
    }
    fn __repr__(&self) -> String {
        format!("Size(width={}, height={}, depth={})", self.width, self.height, self.depth)
    }
}

impl Size {
    pub fn from_array(v: [u32; 3]) -> Self {
        Size { width: v[0].into(), height: v[1].into(), depth: v[2].into() }
    }
}

/// A byte range (NSRange).
#[pyclass(module = "pymetal", get_all, set_all, eq, from_py_object)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Range {
    pub location: u64,
    pub length: u64,
}

#[pymethods]
impl Range {
    #[new]
    fn new(location: u64, length: u64) -> Self {
        Range { location, length }
    }
    fn __repr__(&self) -> String {
        format!("Range(location={}, length={})", self.location, self.length)
    }
}

/// An RGBA clear color (MTLClearColor).
#[pyclass(module = "pymetal", get_all, set_all, eq, from_py_object)]
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ClearColor {
    pub red: f64,
    pub green: f64,
    pub blue: f64,
    pub alpha: f64,
}

#[pymethods]
impl ClearColor {
    #[new]
    fn new(red: f64, green: f64, blue: f64, alpha: f64) -> Self {
        ClearColor { red, green, blue, alpha }
    }
    fn __repr__(&self) -> String {
        format!("ClearColor(red={}, green={}, blue={}, alpha={})", self.red, self.green, self.blue, self.alpha)
    }
}

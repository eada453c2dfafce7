//! NVRTC through our own loader, in cudarc's three layers: [`sys`] (C types and the
//! entry-point table), [`result`] (one `Result` function per call), [`safe`] (search,
//! load once per process, compile with RAII). We do not use cudarc's `nvrtc`: it looks for
//! one soname fixed at build time and panics when it is missing; ours searches the pip
//! wheels and CUDA installs, accepts NVRTC 12 or 13, and reports a missing library or
//! symbol as an error.

pub mod result;
pub mod safe;
pub mod sys;

pub use safe::{CompileFailure, CompileOutput, Nvrtc, SearchEnv};

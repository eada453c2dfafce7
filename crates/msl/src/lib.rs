//! # msl: the Metal Shading Language front end
//!
//! MSL is C++17 plus address spaces, attributes and a standard library. This crate does
//! not compile C++; it finds what is Metal-specific and rewrites it so that a real C++
//! compiler (g++/clang for the CPU, NVRTC for CUDA) does the rest:
//!
//! 1. [`lex`]: source text → preprocessing tokens with locations.
//! 2. [`preprocess`]: our own C preprocessor, with the virtual `<metal_stdlib>` headers,
//!    include paths, `-D` defines and a line map back to the user's files.
//! 3. [`parse`]: entry points (kernel/vertex/fragment, templated `[[host_name]]`
//!    instantiations), their parameters and bindings, function constants → [`Reflection`].
//! 4. [`emit`]: portable C++ for a [`Target`], with one generated `extern "C"` wrapper
//!    per compiled entry point and `#line` directives into the user's source.
//!
//! [`Library::new`] runs 1–3; [`Library::emit`] runs 4.
//! See `docs/abi.md` in the repository for the kernel ABI the wrappers implement.

pub mod diag;
pub mod lex;
pub mod span;

pub use diag::{Diagnostic, Severity};
pub use span::{FileId, Loc, SourceFiles};

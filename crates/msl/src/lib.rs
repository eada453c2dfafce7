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
//! See `docs/abi.md` in the repository for the kernel ABI the wrappers implement, and
//! [`features`] (`crates/msl/FEATURES.md`) for the table of supported MSL features.

pub mod diag;
pub mod lex;

/// The MSL feature support table (`crates/msl/FEATURES.md`).
#[doc = include_str!("../FEATURES.md")]
pub mod features {}
pub mod span;

pub use diag::{Diagnostic, Severity};
pub use span::{FileId, Loc, SourceFiles};
pub mod emit;
pub mod parse;
pub mod prelude;
pub mod preprocess;

pub use emit::{Emitted, EmittedEntry};
pub use parse::{
    AddressSpace, Binding, Builtin, EntryPoint, FunctionConstant, Interpolation, Param, Reflection, ScalarKind, Slot,
    Stage, StageIo, Varying,
};
pub use preprocess::Preprocessed;

use std::collections::BTreeMap;
use std::path::PathBuf;

/// Options of one compile (Metal's MTLCompileOptions, plus include paths).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Options {
    /// Name of the source in diagnostics and `#line` directives.
    pub file_name: String,
    /// `-D NAME=VALUE` (value "1" when given as `-D NAME`).
    pub defines: Vec<(String, String)>,
    pub include_paths: Vec<PathBuf>,
    pub fast_math: bool,
    /// Shader validation (docs/abi.md §6): kernel buffer arguments are bounds-checked and
    /// out-of-bounds accesses are reported through `pm_dispatch.fault` instead of happening.
    pub shader_validation: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            file_name: "<source>".into(),
            defines: Vec::new(),
            include_paths: Vec::new(),
            fast_math: false,
            shader_validation: false,
        }
    }
}

/// What the emitted C++ is compiled for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Target {
    Cpu,
    Cuda,
}

/// A value given for a function constant.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ConstantValue {
    Bool(bool),
    Int(i64),
    UInt(u64),
    Float(f64),
}

/// Function-constant values of one specialisation, by index and by name.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ConstantValues {
    pub by_index: BTreeMap<u32, ConstantValue>,
    pub by_name: BTreeMap<String, ConstantValue>,
}

impl ConstantValues {
    pub fn is_empty(&self) -> bool {
        self.by_index.is_empty() && self.by_name.is_empty()
    }

    /// The value for a constant, looked up by name first, then by index.
    pub fn get(&self, c: &FunctionConstant) -> Option<ConstantValue> {
        self.by_name.get(&c.name).or_else(|| self.by_index.get(&c.index)).copied()
    }
}

/// A preprocessed and reflected MSL library: what `Device.new_library_with_source` keeps.
#[derive(Clone, Debug)]
pub struct Library {
    pub pp: Preprocessed,
    pub reflection: Reflection,
    pub options: Options,
}

impl Library {
    /// Preprocesses and reflects `source`.
    pub fn new(source: &str, options: &Options) -> Result<Library, Diagnostic> {
        let pp = preprocess::preprocess(source, options)?;
        let reflection = parse::reflect(&pp)?;
        let lib = Library { pp, reflection, options: options.clone() };
        emit::validate(&lib)?;
        Ok(lib)
    }

    pub fn entry_point(&self, name: &str) -> Option<&EntryPoint> {
        self.reflection.entry_points.iter().find(|e| e.name == name)
    }

    /// Portable C++ for `target` with wrappers for `entries` and `constants` baked in.
    pub fn emit(&self, target: Target, entries: &[&str], constants: &ConstantValues) -> Result<Emitted, Diagnostic> {
        emit::emit(self, target, entries, constants)
    }
}

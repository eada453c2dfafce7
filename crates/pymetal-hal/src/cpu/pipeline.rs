//! Compute pipelines: MSL library → emitted C++ → loaded module → kernel entry points.
//!
//! Without function-constant values, every kernel of a library is emitted into one
//! translation unit, so `check_library` (at library creation) and every later pipeline of
//! that library share one compiled module (one compile, then in-memory hits). With values,
//! the entry is emitted alone with the constants baked in.

use super::compile::{compile_source, CpuModule};
use super::exec::Kernel;
use crate::{ComputePipeline, HalError};
use std::any::Any;
use std::sync::Arc;

/// A compiled kernel; keeps its module loaded.
pub struct CpuPipeline {
    kernel: Kernel,
    name: String,
    static_tg: u32,
    /// Compiled with shader validation: dispatches get `buffer_len` and a fault block.
    validated: bool,
    _module: Arc<CpuModule>,
}

impl CpuPipeline {
    pub fn new(module: Arc<CpuModule>, kernel: Kernel, name: String) -> Self {
        CpuPipeline { kernel, name, static_tg: 0, validated: false, _module: module }
    }

    /// Marks a pipeline compiled with shader validation.
    pub fn with_validation(mut self, on: bool) -> Self {
        self.validated = on;
        self
    }

    pub fn validated(&self) -> bool {
        self.validated
    }

    /// Sets the static threadgroup memory length reported by the pipeline.
    pub fn with_static_threadgroup_memory(mut self, bytes: u32) -> Self {
        self.static_tg = bytes;
        self
    }

    pub fn kernel(&self) -> Kernel {
        self.kernel
    }

    /// The entry point's host name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// True when the kernel runs on fibers (it can reach a barrier or SIMD-group operation).
    pub fn uses_fibers(&self) -> bool {
        self.kernel.group.is_none()
    }
}

impl ComputePipeline for CpuPipeline {
    fn max_total_threads_per_threadgroup(&self) -> u32 {
        1024
    }
    fn thread_execution_width(&self) -> u32 {
        32
    }
    fn static_threadgroup_memory_length(&self) -> u32 {
        // `pm_static_tg_<k>` of the module: the sizes the C++ compiler gave the declarations
        // reachable from the entry (a lower bound where the emitter could not name a type).
        self.static_tg
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

fn kernel_names(library: &msl::Library) -> Vec<&str> {
    library.reflection.entry_points.iter().filter(|e| e.stage == msl::Stage::Kernel).map(|e| e.name.as_str()).collect()
}

fn compile(
    library: &msl::Library,
    entries: &[&str],
    constants: &msl::ConstantValues,
) -> Result<(Arc<CpuModule>, msl::Emitted), HalError> {
    let emitted = library.emit(msl::Target::Cpu, entries, constants).map_err(HalError::Compile)?;
    let module = compile_source(&emitted.source, library.options.fast_math, Some(&library.pp.files))?;
    Ok((module, emitted))
}

/// Builds the pipeline of `entry` (a kernel of `library`).
pub fn build(library: &msl::Library, entry: &str, constants: &msl::ConstantValues) -> Result<CpuPipeline, HalError> {
    let (module, emitted) = if constants.is_empty() {
        compile(library, &kernel_names(library), constants)?
    } else {
        compile(library, &[entry], constants)?
    };
    let e = emitted
        .entries
        .iter()
        .find(|e| e.name == entry)
        .ok_or_else(|| HalError::Load(format!("the emitted module has no wrapper for kernel '{entry}'")))?;
    let group = match (&e.group_symbol, e.uses_sync) {
        (Some(g), false) => Some(module.entry(g)?),
        _ => None,
    };
    let kernel = Kernel { entry: module.entry(&e.symbol)?, group };
    let static_tg = e.static_tg_symbol.as_deref().and_then(|s| module.static_tg(s)).unwrap_or(0);
    let static_tg = u32::try_from(static_tg).unwrap_or(u32::MAX);
    Ok(CpuPipeline::new(module, kernel, entry.to_string())
        .with_static_threadgroup_memory(static_tg)
        .with_validation(library.options.shader_validation))
}

/// Compiles every kernel of `library` once (errors surface at library creation).
///
/// Function constants without a value are zero-initialised here; if the library has such
/// constants and the compile fails, the failure is not reported now: those kernels are
/// only complete once values are given at pipeline creation, which reports it then.
pub fn check(library: &msl::Library) -> Result<(), HalError> {
    let names = kernel_names(library);
    if names.is_empty() {
        return Ok(());
    }
    let needs_values = library.reflection.function_constants.iter().any(|c| c.default.is_none());
    match compile(library, &names, &msl::ConstantValues::default()) {
        Ok(_) => Ok(()),
        Err(HalError::Compile(_)) if needs_values => Ok(()),
        Err(e) => Err(e),
    }
}

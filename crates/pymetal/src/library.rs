//! Libraries (compiled MSL source), functions (entry points with constant values) and
//! compute pipeline states.

use std::sync::{Arc, Mutex};

use pymetal_hal as hal;

use crate::device::Device;
use crate::{lock, Classify, ErrorKind};

/// Metal's MTLFunctionType.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u32)]
pub enum FunctionType {
    Vertex = 1,
    Fragment = 2,
    Kernel = 3,
}

impl From<msl::Stage> for FunctionType {
    fn from(s: msl::Stage) -> Self {
        match s {
            msl::Stage::Vertex => FunctionType::Vertex,
            msl::Stage::Fragment => FunctionType::Fragment,
            msl::Stage::Kernel => FunctionType::Kernel,
        }
    }
}

/// Why MSL source did not compile.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum NewLibraryError {
    /// An error in the user's source (file:line:col and a caret in the message).
    #[error("Metal shader compilation failed: {0}")]
    Compile(msl::Diagnostic),
    /// The backend could not compile (compiler missing, internal failure).
    #[error("Metal shader compilation failed: {0}")]
    Backend(hal::HalError),
}

impl From<hal::HalError> for NewLibraryError {
    fn from(e: hal::HalError) -> Self {
        match e {
            hal::HalError::Compile(d) => NewLibraryError::Compile(d),
            e => NewLibraryError::Backend(e),
        }
    }
}

impl Classify for NewLibraryError {
    fn kind(&self) -> ErrorKind {
        ErrorKind::Compile
    }
}

/// Why a compute pipeline could not be created.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum NewPipelineError {
    #[error("Failed to create compute pipeline: function '{name}' is a {function_type:?} function, not a kernel")]
    NotAKernel { name: String, function_type: FunctionType },
    #[error("Failed to create compute pipeline: function '{name}' belongs to another device ({other})")]
    WrongDevice { name: String, other: String },
    #[error("Failed to create compute pipeline: shader compilation failed: {0}")]
    Compile(msl::Diagnostic),
    #[error("Failed to create compute pipeline: {0}")]
    Backend(hal::HalError),
}

impl From<hal::HalError> for NewPipelineError {
    fn from(e: hal::HalError) -> Self {
        match e {
            hal::HalError::Compile(d) => NewPipelineError::Compile(d),
            e => NewPipelineError::Backend(e),
        }
    }
}

impl Classify for NewPipelineError {
    fn kind(&self) -> ErrorKind {
        ErrorKind::Pipeline
    }
}

/// A compiled MSL source: its entry points and their reflection. Cheap to clone.
#[derive(Clone)]
pub struct Library(Arc<LibraryInner>);

// `msl::Library` holds `Rc` tokens (not Send), so the library keeps the source, options and
// reflection, and preprocesses again (cheap) whenever a backend needs the tokens.
// TODO: keep one `Arc<msl::Library>` once msl's tokens are Send + Sync.
struct LibraryInner {
    device: Device,
    source: String,
    options: msl::Options,
    reflection: msl::Reflection,
    label: Mutex<String>,
}

impl PartialEq for Library {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl std::fmt::Debug for Library {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Library({:?})", self.function_names())
    }
}

impl Library {
    pub(crate) fn new(device: Device, source: String, options: msl::Options, reflection: msl::Reflection) -> Library {
        Library(Arc::new(LibraryInner { device, source, options, reflection, label: Mutex::new(String::new()) }))
    }

    /// The preprocessed library, made afresh on the calling thread (with this library's
    /// reflection).
    pub fn to_msl(&self) -> Result<msl::Library, msl::Diagnostic> {
        let pp = msl::preprocess::preprocess(&self.0.source, &self.0.options)?;
        Ok(msl::Library { pp, reflection: self.0.reflection.clone(), options: self.0.options.clone() })
    }
    pub fn source(&self) -> &str {
        &self.0.source
    }
    pub fn options(&self) -> &msl::Options {
        &self.0.options
    }
    pub fn reflection(&self) -> &msl::Reflection {
        &self.0.reflection
    }

    pub fn device(&self) -> &Device {
        &self.0.device
    }
    pub fn label(&self) -> String {
        lock(&self.0.label).clone()
    }
    pub fn set_label(&self, label: &str) {
        *lock(&self.0.label) = label.to_string();
    }

    /// Host names of every entry point (kernels, vertex and fragment functions), in source order.
    pub fn function_names(&self) -> Vec<String> {
        self.0.reflection.entry_points.iter().map(|e| e.name.clone()).collect()
    }

    /// The entry point `name` with `constants` for its function constants; None when the
    /// library has no such entry point (as Metal's `newFunctionWithName:` returns nil).
    pub fn new_function(&self, name: &str, constants: Option<msl::ConstantValues>) -> Option<Function> {
        let entry = self.0.reflection.entry_points.iter().find(|e| e.name == name)?.clone();
        Some(Function(Arc::new(FunctionInner {
            library: self.clone(),
            entry,
            constants: constants.unwrap_or_default(),
        })))
    }
}

/// An entry point of a library, specialised with function-constant values.
#[derive(Clone)]
pub struct Function(Arc<FunctionInner>);

struct FunctionInner {
    library: Library,
    entry: msl::EntryPoint,
    constants: msl::ConstantValues,
}

impl std::fmt::Debug for Function {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Function({:?}, {:?})", self.name(), self.function_type())
    }
}

impl Function {
    pub fn name(&self) -> &str {
        &self.0.entry.name
    }
    pub fn function_type(&self) -> FunctionType {
        self.0.entry.stage.into()
    }
    /// The entry point's reflection: parameters and their bindings.
    pub fn entry(&self) -> &msl::EntryPoint {
        &self.0.entry
    }
    pub fn constants(&self) -> &msl::ConstantValues {
        &self.0.constants
    }
    pub fn library(&self) -> &Library {
        &self.0.library
    }
    pub fn device(&self) -> &Device {
        self.0.library.device()
    }
}

/// A compute function compiled for a device.
#[derive(Clone)]
pub struct ComputePipelineState(Arc<PipelineInner>);

struct PipelineInner {
    device: Device,
    function: Function,
    hal: Arc<dyn hal::ComputePipeline>,
}

impl PartialEq for ComputePipelineState {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl std::fmt::Debug for ComputePipelineState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ComputePipelineState({:?})", self.function().name())
    }
}

impl ComputePipelineState {
    pub(crate) fn new(device: &Device, function: &Function) -> Result<ComputePipelineState, NewPipelineError> {
        let name = function.name().to_string();
        if function.function_type() != FunctionType::Kernel {
            return Err(NewPipelineError::NotAKernel { name, function_type: function.function_type() });
        }
        if function.device() != device {
            return Err(NewPipelineError::WrongDevice { name, other: function.device().spec() });
        }
        let lib = function.library().to_msl().map_err(NewPipelineError::Compile)?;
        let hal = device.hal().new_compute_pipeline(&lib, &name, function.constants())?;
        Ok(ComputePipelineState(Arc::new(PipelineInner { device: device.clone(), function: function.clone(), hal })))
    }

    pub fn device(&self) -> &Device {
        &self.0.device
    }
    pub fn function(&self) -> &Function {
        &self.0.function
    }
    pub fn hal(&self) -> &Arc<dyn hal::ComputePipeline> {
        &self.0.hal
    }
    pub fn max_total_threads_per_threadgroup(&self) -> u32 {
        self.0.hal.max_total_threads_per_threadgroup()
    }
    pub fn thread_execution_width(&self) -> u32 {
        self.0.hal.thread_execution_width()
    }
    pub fn static_threadgroup_memory_length(&self) -> u32 {
        self.0.hal.static_threadgroup_memory_length()
    }
}

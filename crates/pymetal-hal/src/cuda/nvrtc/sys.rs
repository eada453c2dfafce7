//! Raw NVRTC: the C types of `nvrtc.h` and a table of the ten entry points we call,
//! resolved from one shared library with `libloading`. Nothing here interprets results.

#![allow(non_snake_case)] // field names are the C entry points, as in nvrtc.h
use std::ffi::{c_char, c_int, c_void};
use std::path::{Path, PathBuf};

/// `nvrtcResult` (0 = NVRTC_SUCCESS).
pub type NvrtcResult = c_int;
pub const NVRTC_SUCCESS: NvrtcResult = 0;
/// `nvrtcProgram`: an opaque handle.
pub type NvrtcProgram = *mut c_void;

pub type VersionFn = unsafe extern "C" fn(major: *mut c_int, minor: *mut c_int) -> NvrtcResult;
pub type CreateProgramFn = unsafe extern "C" fn(
    prog: *mut NvrtcProgram,
    src: *const c_char,
    name: *const c_char,
    num_headers: c_int,
    headers: *const *const c_char,
    include_names: *const *const c_char,
) -> NvrtcResult;
pub type CompileProgramFn =
    unsafe extern "C" fn(prog: NvrtcProgram, num_options: c_int, options: *const *const c_char) -> NvrtcResult;
pub type GetSizeFn = unsafe extern "C" fn(prog: NvrtcProgram, size: *mut usize) -> NvrtcResult;
pub type GetBytesFn = unsafe extern "C" fn(prog: NvrtcProgram, out: *mut c_char) -> NvrtcResult;
pub type DestroyProgramFn = unsafe extern "C" fn(prog: *mut NvrtcProgram) -> NvrtcResult;
pub type GetErrorStringFn = unsafe extern "C" fn(result: NvrtcResult) -> *const c_char;

/// The loaded library and its entry points. The function pointers stay valid as long as
/// `_lib` is alive, which is as long as this struct.
pub struct NvrtcLib {
    _lib: libloading::Library,
    pub path: PathBuf,
    pub nvrtcVersion: VersionFn,
    pub nvrtcCreateProgram: CreateProgramFn,
    pub nvrtcCompileProgram: CompileProgramFn,
    pub nvrtcGetProgramLogSize: GetSizeFn,
    pub nvrtcGetProgramLog: GetBytesFn,
    pub nvrtcGetCUBINSize: GetSizeFn,
    pub nvrtcGetCUBIN: GetBytesFn,
    pub nvrtcGetPTXSize: GetSizeFn,
    pub nvrtcGetPTX: GetBytesFn,
    pub nvrtcDestroyProgram: DestroyProgramFn,
    pub nvrtcGetErrorString: GetErrorStringFn,
}

impl std::fmt::Debug for NvrtcLib {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NvrtcLib").field("path", &self.path).finish_non_exhaustive()
    }
}

/// Why a candidate file could not be used.
#[derive(Debug, Clone)]
pub enum LoadFailure {
    Open(String),
    MissingSymbol(&'static str, String),
}

impl NvrtcLib {
    /// Opens `path` (a file path, or a bare soname for the loader path) and resolves every
    /// entry point.
    ///
    /// # Safety
    /// Loading a shared library runs its initialisers; `path` must name an NVRTC library
    /// (or a file that is not a library at all, which fails cleanly).
    pub unsafe fn open(path: &Path) -> Result<NvrtcLib, LoadFailure> {
        // SAFETY: the caller vouches for the file; failures come back as errors.
        let lib = unsafe { libloading::Library::new(path) }.map_err(|e| LoadFailure::Open(e.to_string()))?;
        macro_rules! sym {
            ($name:literal, $ty:ty) => {{
                // SAFETY: the symbol is declared in nvrtc.h with exactly this signature.
                let s = unsafe { lib.get::<$ty>(concat!($name, "\0").as_bytes()) };
                match s {
                    Ok(s) => *s,
                    Err(e) => return Err(LoadFailure::MissingSymbol($name, e.to_string())),
                }
            }};
        }
        let nvrtcVersion = sym!("nvrtcVersion", VersionFn);
        let nvrtcCreateProgram = sym!("nvrtcCreateProgram", CreateProgramFn);
        let nvrtcCompileProgram = sym!("nvrtcCompileProgram", CompileProgramFn);
        let nvrtcGetProgramLogSize = sym!("nvrtcGetProgramLogSize", GetSizeFn);
        let nvrtcGetProgramLog = sym!("nvrtcGetProgramLog", GetBytesFn);
        let nvrtcGetCUBINSize = sym!("nvrtcGetCUBINSize", GetSizeFn);
        let nvrtcGetCUBIN = sym!("nvrtcGetCUBIN", GetBytesFn);
        let nvrtcGetPTXSize = sym!("nvrtcGetPTXSize", GetSizeFn);
        let nvrtcGetPTX = sym!("nvrtcGetPTX", GetBytesFn);
        let nvrtcDestroyProgram = sym!("nvrtcDestroyProgram", DestroyProgramFn);
        let nvrtcGetErrorString = sym!("nvrtcGetErrorString", GetErrorStringFn);
        Ok(NvrtcLib {
            _lib: lib,
            path: path.to_path_buf(),
            nvrtcVersion,
            nvrtcCreateProgram,
            nvrtcCompileProgram,
            nvrtcGetProgramLogSize,
            nvrtcGetProgramLog,
            nvrtcGetCUBINSize,
            nvrtcGetCUBIN,
            nvrtcGetPTXSize,
            nvrtcGetPTX,
            nvrtcDestroyProgram,
            nvrtcGetErrorString,
        })
    }
}

//! One thin function per NVRTC call, returning `Result` (`NvrtcError` wraps the code).

use super::sys::{self, NvrtcLib, NvrtcProgram};
use std::ffi::{c_char, c_int, CStr, CString};

/// A non-success `nvrtcResult`, with its name from `nvrtcGetErrorString`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NvrtcError {
    pub code: sys::NvrtcResult,
    pub name: String,
}

impl std::fmt::Display for NvrtcError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.name, self.code)
    }
}

impl std::error::Error for NvrtcError {}

fn check(lib: &NvrtcLib, code: sys::NvrtcResult) -> Result<(), NvrtcError> {
    if code == sys::NVRTC_SUCCESS {
        return Ok(());
    }
    // SAFETY: nvrtcGetErrorString accepts any value and returns a static string (or null).
    let p = unsafe { (lib.nvrtcGetErrorString)(code) };
    let name = if p.is_null() {
        format!("NVRTC error {code}")
    } else {
        // SAFETY: non-null static NUL-terminated string owned by NVRTC.
        unsafe { CStr::from_ptr(p) }.to_string_lossy().into_owned()
    };
    Err(NvrtcError { code, name })
}

/// `nvrtcVersion` → (major, minor).
pub fn version(lib: &NvrtcLib) -> Result<(i32, i32), NvrtcError> {
    let (mut major, mut minor): (c_int, c_int) = (0, 0);
    // SAFETY: both out-pointers are valid for writes.
    check(lib, unsafe { (lib.nvrtcVersion)(&mut major, &mut minor) })?;
    Ok((major, minor))
}

/// `nvrtcCreateProgram` without headers.
pub fn create_program(lib: &NvrtcLib, src: &CStr, name: &CStr) -> Result<NvrtcProgram, NvrtcError> {
    let mut prog: NvrtcProgram = std::ptr::null_mut();
    // SAFETY: src/name are valid C strings for the call; zero headers with null arrays is allowed.
    check(lib, unsafe {
        (lib.nvrtcCreateProgram)(&mut prog, src.as_ptr(), name.as_ptr(), 0, std::ptr::null(), std::ptr::null())
    })?;
    Ok(prog)
}

/// `nvrtcCompileProgram`.
///
/// # Safety
/// `prog` must be a live program from [`create_program`].
pub unsafe fn compile_program(lib: &NvrtcLib, prog: NvrtcProgram, options: &[CString]) -> Result<(), NvrtcError> {
    let ptrs: Vec<*const c_char> = options.iter().map(|o| o.as_ptr()).collect();
    // SAFETY: prog is live (caller); ptrs point into `options`, which outlives the call.
    check(lib, unsafe { (lib.nvrtcCompileProgram)(prog, ptrs.len() as c_int, ptrs.as_ptr()) })
}

/// Reads one of the program's outputs through its size/get pair.
///
/// # Safety
/// `prog` must be a live program; `size_fn`/`get_fn` must be a matching pair of `lib`.
unsafe fn get_bytes(
    lib: &NvrtcLib,
    prog: NvrtcProgram,
    size_fn: sys::GetSizeFn,
    get_fn: sys::GetBytesFn,
) -> Result<Vec<u8>, NvrtcError> {
    let mut size = 0usize;
    // SAFETY: prog is live (caller); size is a valid out-pointer.
    check(lib, unsafe { size_fn(prog, &mut size) })?;
    let mut buf = vec![0u8; size];
    if size > 0 {
        // SAFETY: buf has exactly `size` writable bytes, as NVRTC requires.
        check(lib, unsafe { get_fn(prog, buf.as_mut_ptr() as *mut c_char) })?;
    }
    Ok(buf)
}

/// The compile log, without its trailing NUL.
///
/// # Safety
/// `prog` must be a live program.
pub unsafe fn program_log(lib: &NvrtcLib, prog: NvrtcProgram) -> Result<String, NvrtcError> {
    // SAFETY: forwarded precondition; the pair matches.
    let mut b = unsafe { get_bytes(lib, prog, lib.nvrtcGetProgramLogSize, lib.nvrtcGetProgramLog) }?;
    while b.last() == Some(&0) {
        b.pop();
    }
    Ok(String::from_utf8_lossy(&b).into_owned())
}

/// The CUBIN of a program compiled for a real `sm_XY` architecture.
///
/// # Safety
/// `prog` must be a live, successfully compiled program.
pub unsafe fn cubin(lib: &NvrtcLib, prog: NvrtcProgram) -> Result<Vec<u8>, NvrtcError> {
    // SAFETY: forwarded precondition; the pair matches.
    unsafe { get_bytes(lib, prog, lib.nvrtcGetCUBINSize, lib.nvrtcGetCUBIN) }
}

/// The PTX (NUL-terminated, as `cuModuleLoadData` wants it).
///
/// # Safety
/// `prog` must be a live, successfully compiled program.
pub unsafe fn ptx(lib: &NvrtcLib, prog: NvrtcProgram) -> Result<Vec<u8>, NvrtcError> {
    // SAFETY: forwarded precondition; the pair matches.
    let mut b = unsafe { get_bytes(lib, prog, lib.nvrtcGetPTXSize, lib.nvrtcGetPTX) }?;
    if b.last() != Some(&0) {
        b.push(0);
    }
    Ok(b)
}

/// `nvrtcDestroyProgram`.
///
/// # Safety
/// `prog` must be live and is dangling afterwards.
pub unsafe fn destroy_program(lib: &NvrtcLib, mut prog: NvrtcProgram) -> Result<(), NvrtcError> {
    // SAFETY: prog is live (caller).
    check(lib, unsafe { (lib.nvrtcDestroyProgram)(&mut prog) })
}

//! MSL → C++ (msl::emit) → NVRTC → CUBIN for the device's own `sm_XY` → CUmodule.
//!
//! Compiled images are memoised per device and cached on disk under
//! `<cache>/cuda/<sha256>.cubin`, keyed by the source, the options, NVRTC's version and the
//! architecture. NVRTC errors are mapped back to the user's file and line through the
//! `#line` directives of the emitted source.

use super::device::{check, DeviceShared};
use super::nvrtc::{CompileFailure, Nvrtc};
use crate::{ComputePipeline, HalError};
use cudarc::driver::sys::{self, CUfunction_attribute as FnAttr};
use sha2::{Digest, Sha256};
use std::any::Any;
use std::ffi::{c_int, c_void, CString};
use std::path::PathBuf;
use std::sync::atomic::{AtomicPtr, AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// Name of the translation unit in NVRTC's log (user code carries its own `#line` names).
const TU_NAME: &str = "pymetal_generated.cu";
/// Dynamic shared memory available without opting in.
pub(crate) const DEFAULT_DYN_SMEM: u32 = 48 * 1024;

/// The cache directory: `$PYMETAL_CACHE_DIR`, else `$XDG_CACHE_HOME/pymetal`, else
/// `~/.cache/pymetal` (the CPU backend's rule), plus `cuda/`.
pub fn cache_dir() -> Option<PathBuf> {
    let var = |n: &str| std::env::var_os(n).filter(|v| !v.is_empty()).map(PathBuf::from);
    let base = var("PYMETAL_CACHE_DIR")
        .or_else(|| var("XDG_CACHE_HOME").map(|p| p.join("pymetal")))
        .or_else(|| var("HOME").map(|p| p.join(".cache/pymetal")))?;
    Some(base.join("cuda"))
}

/// sha256 over everything that changes the CUBIN.
pub fn cache_key(source: &str, options: &[String], nvrtc_version: (i32, i32), arch: &str) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(b"pymetal-cuda-cubin-v1\0");
    h.update(source.as_bytes());
    h.update(b"\0");
    for o in options {
        h.update(o.as_bytes());
        h.update(b"\n");
    }
    h.update(format!("\0nvrtc {}.{}\0{arch}", nvrtc_version.0, nvrtc_version.1).as_bytes());
    h.finalize().into()
}

fn hex(key: &[u8; 32]) -> String {
    key.iter().map(|b| format!("{b:02x}")).collect()
}

/// A compiled image, loaded lazily into the device's current context generation.
pub(crate) struct CompiledModule {
    cubin: Vec<u8>,
    /// NUL-terminated PTX, kept only where the driver can JIT it (NVRTC not newer).
    ptx: Option<Vec<u8>>,
    symbols: Vec<String>,
    loaded: Mutex<Option<Loaded>>,
}

struct Loaded {
    gen: u64,
    _module: sys::CUmodule,
    functions: Vec<sys::CUfunction>,
}

// SAFETY: module and function handles are usable from any thread of the process.
unsafe impl Send for Loaded {}

impl CompiledModule {
    /// The function for entry `index`, loading the module into generation `gen` if needed.
    /// Call with the device's gate held and its context current.
    fn function(&self, gen: u64, index: usize) -> Result<sys::CUfunction, HalError> {
        let mut slot = self.loaded.lock().map_err(|_| HalError::Load("module lock poisoned".into()))?;
        if index >= self.symbols.len() {
            return Err(HalError::Load(format!("the compiled module has no entry point #{index}")));
        }
        if let Some(l) = slot.as_ref().filter(|l| l.gen == gen) {
            return Ok(l.functions[index]);
        }
        let module = self.load_image()?;
        let mut functions = Vec::with_capacity(self.symbols.len());
        for s in &self.symbols {
            let name = CString::new(s.as_str()).map_err(|_| HalError::Load(format!("bad symbol {s}")))?;
            let mut f: sys::CUfunction = std::ptr::null_mut();
            // SAFETY: module is loaded; name is a valid C string; f is a valid out-pointer.
            check(unsafe { sys::cuModuleGetFunction(&mut f, module, name.as_ptr()) })
                .map_err(|e| HalError::Load(format!("kernel {s} not found in the compiled module: {e}")))?;
            functions.push(f);
        }
        let f = functions[index];
        // An old generation's module died with its context; nothing to unload.
        *slot = Some(Loaded { gen, _module: module, functions });
        Ok(f)
    }

    fn load_image(&self) -> Result<sys::CUmodule, HalError> {
        let mut module: sys::CUmodule = std::ptr::null_mut();
        // SAFETY: cubin is a complete ELF image produced by NVRTC; out-pointer valid.
        let r = check(unsafe { sys::cuModuleLoadData(&mut module, self.cubin.as_ptr() as *const c_void) });
        match (r, &self.ptx) {
            (Ok(()), _) => Ok(module),
            (Err(e), Some(ptx)) => {
                // SAFETY: NUL-terminated PTX text.
                check(unsafe { sys::cuModuleLoadData(&mut module, ptx.as_ptr() as *const c_void) })
                    .map_err(|e2| HalError::Load(format!("the CUBIN did not load ({e}), nor the PTX ({e2})")))?;
                Ok(module)
            }
            (Err(e), None) => Err(HalError::Load(format!(
                "the CUBIN did not load: {e}. If NVRTC is newer than the driver, update the NVIDIA driver \
                 or install an NVRTC no newer than it (pip install nvidia-cuda-nvrtc-cu12 / set PYMETAL_NVRTC)"
            ))),
        }
    }
}

/// Emits `entries`, compiles (memo → disk cache → NVRTC) and returns the module.
pub(crate) fn compile_entries(
    dev: &DeviceShared,
    library: &msl::Library,
    entries: &[&str],
    constants: &msl::ConstantValues,
) -> Result<Arc<CompiledModule>, HalError> {
    // The same request again (a pipeline after `check_library`, the same source loaded
    // twice) skips emitting and hashing the ~150 KB translation unit.
    let request = request_key(library, entries, constants);
    if let Some(m) = dev.requests.lock().ok().and_then(|m| m.get(&request).cloned()) {
        return Ok(m);
    }
    let emitted = library.emit(msl::Target::Cuda, entries, constants).map_err(HalError::Compile)?;
    let symbols: Vec<String> = emitted.entries.iter().map(|e| e.symbol.clone()).collect();
    let module = compile_source(dev, &emitted.source, symbols, library.options.fast_math, &|log| {
        diagnostic_from_log(log, library)
    })?;
    if let Ok(mut m) = dev.requests.lock() {
        m.insert(request, module.clone());
    }
    Ok(module)
}

/// Identifies what `compile_entries` would emit: every source file the preprocessor read,
/// the options, the entries and the constant values (valid within this build of pymetal).
fn request_key(library: &msl::Library, entries: &[&str], constants: &msl::ConstantValues) -> [u8; 32] {
    let mut h = Sha256::new();
    let mut field = |b: &[u8]| {
        h.update((b.len() as u64).to_le_bytes());
        h.update(b);
    };
    for (_, f) in library.pp.files.iter() {
        field(f.name.as_bytes());
        field(f.text.as_bytes());
    }
    let o = &library.options;
    field(
        format!("{:?}{:?}{}{}{}", o.defines, o.include_paths, o.file_name, o.fast_math, o.shader_validation).as_bytes(),
    );
    for e in entries {
        field(e.as_bytes());
    }
    field(format!("{constants:?}").as_bytes());
    h.finalize().into()
}

/// Compiles a complete CUDA C++ translation unit (memo → disk cache → NVRTC); `on_error`
/// turns a failed compile's log into a diagnostic.
pub(crate) fn compile_source(
    dev: &DeviceShared,
    source: &str,
    symbols: Vec<String>,
    fast_math: bool,
    on_error: &dyn Fn(&str) -> msl::Diagnostic,
) -> Result<Arc<CompiledModule>, HalError> {
    let nvrtc = Nvrtc::get().map_err(HalError::CompilerUnavailable)?;
    let (ma, mi) = dev.compute_capability;
    let arch = format!("sm_{ma}{mi}");
    let mut options = vec![
        "-default-device".to_string(),
        "-std=c++17".to_string(),
        format!("--gpu-architecture={arch}"),
        "-w".to_string(),
    ];
    if fast_math {
        options.push("--use_fast_math".into());
    }
    let key = cache_key(source, &options, nvrtc.version, &arch);
    if let Some(m) = dev.modules.lock().ok().and_then(|m| m.get(&key).cloned()) {
        return Ok(m);
    }
    let file = cache_dir().map(|d| d.join(format!("{}.cubin", hex(&key))));
    let cached = file.as_ref().and_then(|f| std::fs::read(f).ok()).filter(|b| b.len() > 4 && &b[..4] == b"\x7fELF");
    let module = match cached {
        Some(cubin) => CompiledModule { cubin, ptx: None, symbols, loaded: Mutex::new(None) },
        None => {
            let want_ptx = nvrtc.version_number() <= dev.driver_version;
            let out = nvrtc.compile(source, TU_NAME, &options, want_ptx).map_err(|f| match f {
                CompileFailure::Source { log } => HalError::Compile(on_error(&log)),
                CompileFailure::Call { step, err } => HalError::CompilerUnavailable(format!(
                    "NVRTC ({}) failed in {step}: {err}",
                    nvrtc.lib.path.display()
                )),
                CompileFailure::Input(m) => HalError::CompilerUnavailable(format!("NVRTC input: {m}")),
            })?;
            if let Some(f) = &file {
                store(f, &out.cubin);
            }
            CompiledModule { cubin: out.cubin, ptx: out.ptx, symbols, loaded: Mutex::new(None) }
        }
    };
    let module = Arc::new(module);
    if let Ok(mut m) = dev.modules.lock() {
        m.insert(key, module.clone());
    }
    Ok(module)
}

/// Writes `bytes` atomically (temp file + rename); failures only cost a recompile.
fn store(path: &std::path::Path, bytes: &[u8]) {
    let Some(dir) = path.parent() else { return };
    if std::fs::create_dir_all(dir).is_err() {
        return;
    }
    let tmp = dir.join(format!(".tmp-{}-{:?}", std::process::id(), std::thread::current().id()));
    if std::fs::write(&tmp, bytes).is_ok() && std::fs::rename(&tmp, path).is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
}

/// Compiles every kernel of the library in one translation unit (errors surface at
/// library creation, and the cache is warm for the pipelines).
pub(crate) fn check_library(dev: &DeviceShared, library: &msl::Library) -> Result<(), HalError> {
    let names = kernel_names(library);
    if names.is_empty() {
        return Ok(());
    }
    compile_entries(dev, library, &names, &msl::ConstantValues::default()).map(|_| ())
}

/// The kernels of a library, in the order `check_library` compiles them.
fn kernel_names(library: &msl::Library) -> Vec<&str> {
    library.reflection.entry_points.iter().filter(|e| e.stage == msl::Stage::Kernel).map(|e| e.name.as_str()).collect()
}

/// A compiled compute entry point.
pub struct CudaPipeline {
    device: Arc<DeviceShared>,
    module: Arc<CompiledModule>,
    /// The entry's position among the module's symbols.
    index: usize,
    pub(crate) name: String,
    fn_gen: AtomicU64,
    func: AtomicPtr<sys::CUfunc_st>,
    /// The dynamic shared memory limit set on the function (48 KB until raised).
    dyn_smem_limit: AtomicU32,
    max_threads: u32,
    static_smem: u32,
    /// Compiled with shader validation: launches pass `buffer_len` and a fault block.
    pub(crate) validated: bool,
}

// SAFETY: the function handle is usable from any thread; the rest is atomics or immutable.
unsafe impl Send for CudaPipeline {}
// SAFETY: as above.
unsafe impl Sync for CudaPipeline {}

impl CudaPipeline {
    pub(crate) fn new(
        dev: &Arc<DeviceShared>,
        library: &msl::Library,
        entry: &str,
        constants: &msl::ConstantValues,
    ) -> Result<CudaPipeline, HalError> {
        // Without constants, the module `check_library` compiled at library creation holds
        // this kernel already: reuse it (one NVRTC run per library, not one per pipeline).
        let names = kernel_names(library);
        let pipeline = match names.iter().position(|n| *n == entry).filter(|_| constants.is_empty()) {
            Some(index) => {
                let module = compile_entries(dev, library, &names, constants)?;
                Self::from_module(dev, module, index, entry)
            }
            None => {
                let module = compile_entries(dev, library, &[entry], constants)?;
                Self::from_module(dev, module, 0, entry)
            }
        };
        pipeline.map(|p| CudaPipeline { validated: library.options.shader_validation, ..p })
    }

    /// A pipeline of entry `index` of an already compiled module.
    pub(crate) fn from_module(
        dev: &Arc<DeviceShared>,
        module: Arc<CompiledModule>,
        index: usize,
        entry: &str,
    ) -> Result<CudaPipeline, HalError> {
        let _g = dev.gate.read().map_err(|_| HalError::Device("device lock poisoned".into()))?;
        dev.make_current().map_err(|e| HalError::Device(format!("cuCtxSetCurrent: {e}")))?;
        let gen = dev.generation();
        let f = module.function(gen, index)?;
        let attr = |a: FnAttr| -> i32 {
            let mut v: c_int = 0;
            // SAFETY: valid out-pointer and loaded function.
            if check(unsafe { sys::cuFuncGetAttribute(&mut v, a, f) }).is_ok() {
                v
            } else {
                0
            }
        };
        let max_threads = (attr(FnAttr::CU_FUNC_ATTRIBUTE_MAX_THREADS_PER_BLOCK) as u32).clamp(1, 1024);
        let static_smem = attr(FnAttr::CU_FUNC_ATTRIBUTE_SHARED_SIZE_BYTES).max(0) as u32;
        Ok(CudaPipeline {
            device: dev.clone(),
            module,
            index,
            name: entry.to_string(),
            fn_gen: AtomicU64::new(gen),
            func: AtomicPtr::new(f),
            dyn_smem_limit: AtomicU32::new(DEFAULT_DYN_SMEM),
            max_threads,
            static_smem,
            validated: false,
        })
    }

    /// The function for the current generation, ready for `dyn_smem` bytes of dynamic
    /// shared memory. Call with the gate held and the context current.
    pub(crate) fn function_for_launch(&self, gen: u64, dyn_smem: u32) -> Result<sys::CUfunction, String> {
        let mut f = self.func.load(Ordering::Acquire);
        if self.fn_gen.load(Ordering::Acquire) != gen {
            f = self.module.function(gen, self.index).map_err(|e| e.to_string())?;
            self.func.store(f, Ordering::Release);
            self.fn_gen.store(gen, Ordering::Release);
            self.dyn_smem_limit.store(DEFAULT_DYN_SMEM, Ordering::Release);
        }
        if dyn_smem > self.dyn_smem_limit.load(Ordering::Acquire) {
            let attr = FnAttr::CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES;
            // SAFETY: f is a loaded function of the current context.
            check(unsafe { sys::cuFuncSetAttribute(f, attr, dyn_smem as c_int) }).map_err(|e| {
                format!(
                    "kernel {}: {dyn_smem} bytes of threadgroup memory exceed what the GPU allows ({} bytes): {e}",
                    self.name, self.device.max_dyn_smem
                )
            })?;
            self.dyn_smem_limit.fetch_max(dyn_smem, Ordering::AcqRel);
        }
        Ok(f)
    }
}

impl ComputePipeline for CudaPipeline {
    fn max_total_threads_per_threadgroup(&self) -> u32 {
        self.max_threads
    }

    fn thread_execution_width(&self) -> u32 {
        32
    }

    fn static_threadgroup_memory_length(&self) -> u32 {
        self.static_smem
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// One `FILE(LINE): error: MESSAGE` line of an NVRTC log.
#[derive(Debug, PartialEq)]
struct LogEntry<'a> {
    file: &'a str,
    line: u32,
    severity: &'a str,
    message: &'a str,
}

fn parse_log_line(l: &str) -> Option<LogEntry<'_>> {
    let close = l.find("): ")?;
    let open = l[..close].rfind('(')?;
    let line: u32 = l[open + 1..close].parse().ok()?;
    let rest = &l[close + 3..];
    let colon = rest.find(": ")?;
    let severity = rest[..colon].trim();
    if !(severity.contains("error") || severity.contains("warning") || severity == "remark") {
        return None;
    }
    Some(LogEntry { file: &l[..open], line, severity, message: rest[colon + 2..].trim() })
}

/// Column (1-based) of the caret, translated from NVRTC's echo of the line to the line
/// as written in the user's file.
fn caret_column(echo: &str, caret: &str, source_line: &str) -> Option<u32> {
    let idx = caret.find('^')?;
    if !caret[..idx].chars().all(char::is_whitespace) {
        return None;
    }
    let lead = |s: &str| s.len() - s.trim_start().len();
    let col = idx as i64 - lead(echo) as i64 + lead(source_line) as i64 + 1;
    Some(col.max(1) as u32)
}

/// Turns an NVRTC log into one diagnostic in the user's source: the first error is the
/// message, later errors become notes.
pub(crate) fn diagnostic_from_log(log: &str, library: &msl::Library) -> msl::Diagnostic {
    let lines: Vec<&str> = log.lines().collect();
    let files = &library.pp.files;
    let user_file = |name: &str| files.iter().find(|(_, f)| !f.is_system && f.name == name).map(|(id, _)| id);
    let mut main: Option<msl::Diagnostic> = None;
    let mut notes = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        let Some(e) = parse_log_line(l) else { continue };
        if !e.severity.contains("error") {
            continue;
        }
        if main.is_some() {
            if notes.len() < 8 {
                notes.push(format!("{}:{}: {}: {}", e.file, e.line, e.severity, e.message));
            }
            continue;
        }
        let echo = lines.get(i + 1).copied().filter(|s| parse_log_line(s).is_none()).unwrap_or("");
        let caret = lines.get(i + 2).copied().unwrap_or("");
        let d = match user_file(e.file) {
            Some(id) => {
                let src = files.line_text(id, e.line).unwrap_or("");
                let col =
                    caret_column(echo, caret, src).unwrap_or_else(|| (src.len() - src.trim_start().len()) as u32 + 1);
                msl::Diagnostic::error_at(files, msl::Loc::new(id, e.line, col), e.message)
            }
            None => {
                let col = caret_column(echo, caret, echo.trim_start()).unwrap_or(1);
                msl::Diagnostic::error_raw(e.file, e.line, col, echo.trim(), e.message).with_note(
                    "note: this error is in C++ that pymetal generated, not in your source; please report it",
                )
            }
        };
        main = Some(d);
    }
    match main {
        Some(mut d) => {
            d.notes.extend(notes);
            d
        }
        None => msl::Diagnostic::error_raw(
            library.options.file_name.clone(),
            0,
            0,
            "",
            format!("CUDA compilation failed:\n{}", log.trim()),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_nvrtc_lines() {
        let e = parse_log_line("kernels.metal(12): error: identifier \"foo\" is undefined").unwrap();
        assert_eq!(
            e,
            LogEntry { file: "kernels.metal", line: 12, severity: "error", message: "identifier \"foo\" is undefined" }
        );
        let e = parse_log_line("<source>(3): catastrophic error: cannot open source file \"x.h\"").unwrap();
        assert_eq!((e.file, e.line, e.severity), ("<source>", 3, "catastrophic error"));
        assert!(parse_log_line("1 error detected in the compilation of \"x.cu\".").is_none());
        assert!(parse_log_line("      x = f(a): b;").is_none());
    }

    #[test]
    fn caret_maps_to_user_column() {
        // NVRTC indents its echo; the user's line has 4 spaces of indentation.
        assert_eq!(caret_column("      y = foo + 1;", "          ^", "    y = foo + 1;"), Some(9));
        assert_eq!(caret_column("x", "no caret", "x"), None);
    }

    #[test]
    fn log_to_diagnostic_in_user_file() {
        let src = "#include <metal_stdlib>\nkernel void k(device float* a [[buffer(0)]]) {\n    a[0] = foo;\n}\n";
        let opts = msl::Options { file_name: "k.metal".into(), ..Default::default() };
        let Ok(lib) = msl::Library::new(src, &opts) else { return }; // front end still being written
        let log = "k.metal(3): error: identifier \"foo\" is undefined\n      a[0] = foo;\n             ^\n\n\
                   k.metal(3): error: another\n\n2 errors detected in the compilation of \"pymetal_generated.cu\".\n";
        let d = diagnostic_from_log(log, &lib);
        assert_eq!((d.file.as_str(), d.line), ("k.metal", 3));
        if !d.source_line.is_empty() {
            assert_eq!(d.source_line, "    a[0] = foo;");
            assert_eq!(d.col, 12);
        }
        assert_eq!(d.message, "identifier \"foo\" is undefined");
        assert_eq!(d.notes, vec!["k.metal:3: error: another".to_string()]);
    }

    #[test]
    fn cache_key_changes_with_every_input() {
        let o = vec!["-w".to_string()];
        let k = cache_key("src", &o, (13, 0), "sm_90");
        assert_eq!(k, cache_key("src", &o, (13, 0), "sm_90"));
        assert_ne!(k, cache_key("src2", &o, (13, 0), "sm_90"));
        assert_ne!(k, cache_key("src", &[], (13, 0), "sm_90"));
        assert_ne!(k, cache_key("src", &o, (12, 9), "sm_90"));
        assert_ne!(k, cache_key("src", &o, (13, 0), "sm_80"));
        assert_eq!(hex(&k).len(), 64);
    }
}

//! Safe NVRTC: finding and loading the library once per process ([`Nvrtc::get`]), and
//! compiling a translation unit ([`Nvrtc::compile`]) with the program freed on every path.

use super::result::{self, NvrtcError};
use super::sys::{LoadFailure, NvrtcLib, NvrtcProgram};
use std::ffi::CString;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

/// Library file names, best first.
pub const NAMES: [&str; 3] = ["libnvrtc.so.13", "libnvrtc.so.12", "libnvrtc.so"];

/// What the search looks at; [`SearchEnv::from_process`] reads the real environment, tests
/// build one over a fake directory tree (`root` is prefixed to every absolute path).
#[derive(Clone, Debug, Default)]
pub struct SearchEnv {
    pub pymetal_nvrtc: Option<PathBuf>,
    /// `$PYMETAL_SITE_PACKAGES`, colon-separated, set by the Python layer.
    pub site_packages: Vec<PathBuf>,
    /// `$VIRTUAL_ENV`, `$CONDA_PREFIX`: prefixes with `lib/python3*/site-packages`.
    pub prefixes: Vec<PathBuf>,
    /// `$CUDA_HOME`, `$CUDA_PATH`.
    pub cuda_homes: Vec<PathBuf>,
    pub home: Option<PathBuf>,
    pub root: PathBuf,
}

fn env_path(name: &str) -> Option<PathBuf> {
    std::env::var_os(name).filter(|v| !v.is_empty()).map(PathBuf::from)
}

impl SearchEnv {
    pub fn from_process() -> SearchEnv {
        let site_packages = std::env::var_os("PYMETAL_SITE_PACKAGES")
            .map(|v| std::env::split_paths(&v).filter(|p| !p.as_os_str().is_empty()).collect())
            .unwrap_or_default();
        SearchEnv {
            pymetal_nvrtc: env_path("PYMETAL_NVRTC"),
            site_packages,
            prefixes: ["VIRTUAL_ENV", "CONDA_PREFIX"].iter().filter_map(|n| env_path(n)).collect(),
            cuda_homes: ["CUDA_HOME", "CUDA_PATH"].iter().filter_map(|n| env_path(n)).collect(),
            home: env_path("HOME"),
            root: PathBuf::from("/"),
        }
    }

    fn abs(&self, p: &str) -> PathBuf {
        self.root.join(p.trim_start_matches('/'))
    }
}

/// Entries of `dir` whose name starts with `prefix`, newest-looking first (reverse
/// lexicographic: `python3.12` before `python3.11`, `cuda-13.0` before `cuda-12.9`).
fn glob_prefix(dir: &Path, prefix: &str) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = match std::fs::read_dir(dir) {
        Ok(rd) => rd
            .filter_map(|e| e.ok())
            .filter(|e| e.file_name().to_string_lossy().starts_with(prefix))
            .map(|e| e.path())
            .collect(),
        Err(_) => Vec::new(),
    };
    out.sort();
    out.reverse();
    out
}

/// The directories searched, in order (existing or not; duplicates removed).
pub fn search_dirs(env: &SearchEnv) -> Vec<PathBuf> {
    let mut sp: Vec<PathBuf> = env.site_packages.clone();
    for prefix in &env.prefixes {
        for py in glob_prefix(&prefix.join("lib"), "python3") {
            sp.push(py.join("site-packages"));
        }
    }
    for (base, leaf) in [
        ("/usr/local/lib", "dist-packages"),
        ("/usr/local/lib", "site-packages"),
        ("/usr/lib", "dist-packages"),
        ("/usr/lib", "site-packages"),
    ] {
        for py in glob_prefix(&env.abs(base), "python3") {
            sp.push(py.join(leaf));
        }
    }
    if let Some(home) = &env.home {
        for py in glob_prefix(&home.join(".local/lib"), "python3") {
            sp.push(py.join("site-packages"));
        }
    }
    let mut dirs = Vec::new();
    for s in sp {
        dirs.push(s.join("nvidia/cu13/lib"));
        dirs.push(s.join("nvidia/cuda_nvrtc/lib"));
    }
    for h in &env.cuda_homes {
        dirs.push(h.join("lib64"));
        dirs.push(h.join("lib"));
    }
    let local = env.abs("/usr/local");
    dirs.push(local.join("cuda/lib64"));
    for c in glob_prefix(&local, "cuda") {
        dirs.push(c.join("lib64"));
    }
    let mut seen = std::collections::HashSet::new();
    dirs.retain(|d| seen.insert(d.clone()));
    dirs
}

/// Files to try, in order: `$PYMETAL_NVRTC` alone if set; else every existing
/// `dir/name` of [`search_dirs`] × [`NAMES`], then the bare names for the loader path.
pub fn candidates(env: &SearchEnv) -> Vec<PathBuf> {
    if let Some(p) = &env.pymetal_nvrtc {
        return vec![p.clone()];
    }
    let mut out = Vec::new();
    for d in search_dirs(env) {
        for n in NAMES {
            let f = d.join(n);
            if f.is_file() {
                out.push(f);
            }
        }
    }
    out.extend(NAMES.iter().map(PathBuf::from));
    out
}

/// A loaded NVRTC and its version.
#[derive(Debug)]
pub struct Nvrtc {
    pub lib: NvrtcLib,
    pub version: (i32, i32),
    /// `libnvrtc-builtins` preloaded from the same folder, so that NVRTC finds it.
    _builtins: Vec<libloading::Library>,
}

/// Preloads `libnvrtc-builtins.so*` next to an NVRTC given by path: NVRTC opens it by
/// soname, which the loader satisfies from an already-loaded object.
fn preload_builtins(nvrtc: &Path) -> Vec<libloading::Library> {
    let Some(dir) = nvrtc.parent().filter(|d| !d.as_os_str().is_empty()) else { return Vec::new() };
    let mut out = Vec::new();
    for f in glob_prefix(dir, "libnvrtc-builtins.so") {
        if f.to_string_lossy().ends_with(".alt.so") || f.to_string_lossy().contains(".alt.") {
            continue;
        }
        // SAFETY: a library NVRTC itself would load; a failure is ignored (NVRTC reports it).
        if let Ok(l) = unsafe { libloading::Library::new(&f) } {
            out.push(l);
        }
    }
    out
}

/// The fix printed with every "NVRTC not found" error.
pub const INSTALL_HINT: &str = "install it with `pip install nvidia-cuda-nvrtc` (CUDA 13) or \
`pip install nvidia-cuda-nvrtc-cu12`, or set PYMETAL_NVRTC to the path of libnvrtc.so";

/// Loads NVRTC from the first candidate that works.
pub fn load(env: &SearchEnv) -> Result<Nvrtc, String> {
    let mut tried = Vec::new();
    for c in candidates(env) {
        // SAFETY: candidates are files named libnvrtc*; a bad file fails to open cleanly.
        match unsafe { NvrtcLib::open(&c) } {
            Ok(lib) => {
                let builtins = preload_builtins(&c);
                match result::version(&lib) {
                    Ok(version) => return Ok(Nvrtc { lib, version, _builtins: builtins }),
                    Err(e) => tried.push(format!("{}: nvrtcVersion failed: {e}", c.display())),
                }
            }
            Err(LoadFailure::Open(e)) => {
                if c.is_absolute() || env.pymetal_nvrtc.is_some() {
                    tried.push(format!("{}: {e}", c.display()));
                }
            }
            Err(LoadFailure::MissingSymbol(s, e)) => tried.push(format!("{}: missing symbol {s} ({e})", c.display())),
        }
    }
    let mut msg = String::from("the CUDA backend needs NVRTC (libnvrtc.so.13 or .12), which was not found");
    if let Some(p) = &env.pymetal_nvrtc {
        msg += &format!(" at PYMETAL_NVRTC={}", p.display());
    } else {
        msg += "; searched the nvidia pip wheels (nvidia/cu13/lib, nvidia/cuda_nvrtc/lib) in \
            PYMETAL_SITE_PACKAGES and the usual site-packages, CUDA_HOME/CUDA_PATH, \
            /usr/local/cuda*/lib64 and the loader path";
    }
    if !tried.is_empty() {
        msg += &format!(" (tried: {})", tried.join("; "));
    }
    msg += &format!(". To fix: {INSTALL_HINT}.");
    Err(msg)
}

static GLOBAL: OnceLock<Result<Arc<Nvrtc>, String>> = OnceLock::new();

/// Why compiling failed.
#[derive(Debug)]
pub enum CompileFailure {
    /// The source has errors: the log says which.
    Source { log: String },
    /// An NVRTC call failed outside of the source's fault (`step` names it).
    Call { step: &'static str, err: NvrtcError },
    /// Bad input to NVRTC (an interior NUL).
    Input(String),
}

/// The result of a successful compile.
#[derive(Debug, Default)]
pub struct CompileOutput {
    pub cubin: Vec<u8>,
    pub ptx: Option<Vec<u8>>,
    pub log: String,
}

/// An NVRTC program, destroyed on drop.
struct Program<'a> {
    lib: &'a NvrtcLib,
    prog: NvrtcProgram,
}

impl Drop for Program<'_> {
    fn drop(&mut self) {
        // SAFETY: prog came from create_program and is destroyed only here.
        let _ = unsafe { result::destroy_program(self.lib, self.prog) };
    }
}

impl Nvrtc {
    /// The process-wide NVRTC, loaded on first use from [`SearchEnv::from_process`].
    pub fn get() -> Result<Arc<Nvrtc>, String> {
        GLOBAL.get_or_init(|| load(&SearchEnv::from_process()).map(Arc::new)).clone()
    }

    /// NVRTC's version as CUDA numbers it (13.0 → 13000), to compare with the driver's.
    pub fn version_number(&self) -> i32 {
        self.version.0 * 1000 + self.version.1 * 10
    }

    /// Compiles `src` (named `name` in the log) with `options`; CUBIN always (the options
    /// must name a real `sm_XY`), PTX too when `want_ptx`.
    pub fn compile(
        &self,
        src: &str,
        name: &str,
        options: &[String],
        want_ptx: bool,
    ) -> Result<CompileOutput, CompileFailure> {
        let lib = &self.lib;
        let csrc = CString::new(src).map_err(|_| CompileFailure::Input("source contains a NUL byte".into()))?;
        let cname = CString::new(name).map_err(|_| CompileFailure::Input("name contains a NUL byte".into()))?;
        let copts: Vec<CString> = options
            .iter()
            .map(|o| CString::new(o.as_str()))
            .collect::<Result<_, _>>()
            .map_err(|_| CompileFailure::Input("option contains a NUL byte".into()))?;
        let prog = result::create_program(lib, &csrc, &cname)
            .map_err(|err| CompileFailure::Call { step: "nvrtcCreateProgram", err })?;
        let prog = Program { lib, prog };
        // SAFETY: prog is live until `prog` drops at the end of this function.
        let compiled = unsafe { result::compile_program(lib, prog.prog, &copts) };
        // SAFETY: as above.
        let log = unsafe { result::program_log(lib, prog.prog) }.unwrap_or_default();
        match compiled {
            Ok(()) => {}
            // NVRTC_ERROR_COMPILATION = 6: errors in the source.
            Err(e) if e.code == 6 => return Err(CompileFailure::Source { log }),
            Err(err) => {
                if !log.trim().is_empty() {
                    return Err(CompileFailure::Source { log });
                }
                return Err(CompileFailure::Call { step: "nvrtcCompileProgram", err });
            }
        }
        // SAFETY: compiled successfully and still live.
        let cubin = unsafe { result::cubin(lib, prog.prog) }
            .map_err(|err| CompileFailure::Call { step: "nvrtcGetCUBIN", err })?;
        let ptx = if want_ptx {
            // SAFETY: as above.
            Some(
                unsafe { result::ptx(lib, prog.prog) }
                    .map_err(|err| CompileFailure::Call { step: "nvrtcGetPTX", err })?,
            )
        } else {
            None
        };
        Ok(CompileOutput { cubin, ptx, log })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn touch(p: &Path) {
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, b"not a library").unwrap();
    }

    fn tmp(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("pm-nvrtc-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    #[test]
    fn search_order_over_fake_tree() {
        let root = tmp("order");
        let sp = root.join("venv-sp");
        touch(&sp.join("nvidia/cuda_nvrtc/lib/libnvrtc.so.12"));
        touch(&sp.join("nvidia/cu13/lib/libnvrtc.so.13"));
        touch(&root.join("usr/local/lib/python3.12/dist-packages/nvidia/cu13/lib/libnvrtc.so.13"));
        touch(&root.join("home/u/.local/lib/python3.11/site-packages/nvidia/cu13/lib/libnvrtc.so.13"));
        touch(&root.join("opt/cuda/lib64/libnvrtc.so"));
        touch(&root.join("usr/local/cuda-12.9/lib64/libnvrtc.so.12"));
        touch(&root.join("usr/local/cuda-13.0/lib64/libnvrtc.so.13"));
        let env = SearchEnv {
            pymetal_nvrtc: None,
            site_packages: vec![sp.clone()],
            prefixes: vec![],
            cuda_homes: vec![root.join("opt/cuda")],
            home: Some(root.join("home/u")),
            root: root.clone(),
        };
        let got: Vec<String> = candidates(&env)
            .iter()
            .map(|p| p.strip_prefix(&root).map(|q| q.display().to_string()).unwrap_or(p.display().to_string()))
            .collect();
        assert_eq!(
            got,
            vec![
                "venv-sp/nvidia/cu13/lib/libnvrtc.so.13",
                "venv-sp/nvidia/cuda_nvrtc/lib/libnvrtc.so.12",
                "usr/local/lib/python3.12/dist-packages/nvidia/cu13/lib/libnvrtc.so.13",
                "home/u/.local/lib/python3.11/site-packages/nvidia/cu13/lib/libnvrtc.so.13",
                "opt/cuda/lib64/libnvrtc.so",
                "usr/local/cuda-13.0/lib64/libnvrtc.so.13",
                "usr/local/cuda-12.9/lib64/libnvrtc.so.12",
                "libnvrtc.so.13",
                "libnvrtc.so.12",
                "libnvrtc.so",
            ]
        );
        let _ = std::fs::remove_dir_all(&root);
    }

    #[test]
    fn explicit_path_only_and_clear_error() {
        let root = tmp("explicit");
        let bogus = root.join("libnvrtc.so.13");
        touch(&bogus);
        let env = SearchEnv { pymetal_nvrtc: Some(bogus.clone()), root: root.clone(), ..Default::default() };
        assert_eq!(candidates(&env), vec![bogus.clone()]);
        let err = load(&env).unwrap_err();
        assert!(err.contains("PYMETAL_NVRTC"), "{err}");
        assert!(err.contains("pip install nvidia-cuda-nvrtc"), "{err}");
        assert!(err.contains(&bogus.display().to_string()), "{err}");
        let _ = std::fs::remove_dir_all(&root);
    }

    #[test]
    fn missing_everywhere_is_an_error_not_a_panic() {
        let root = tmp("missing");
        let env = SearchEnv { root: root.clone(), ..Default::default() };
        // The bare names may exist on a machine with CUDA; only check there is no panic.
        if let Err(e) = load(&env) {
            assert!(e.contains("searched"), "{e}");
        }
        let _ = std::fs::remove_dir_all(&root);
    }
}

//! `mslc`: the MSL front end from the command line, for debugging and CI.
//!
//! ```text
//! mslc [--target cpu|cuda] [-I DIR] [-D NAME[=VALUE]] [--entry NAME]... [--validate] [--reflect] [--compile] FILE.metal
//! ```
//! Prints the generated C++ (all kernels by default), or the reflection with `--reflect`;
//! `--compile` also compiles the CPU translation unit with `$PYMETAL_CXX` or the first of
//! `c++`, `g++`, `clang++` on `PATH`. Errors go to stderr as `FILE:LINE:COL: error: ...`
//! with the source line and a caret; the exit status is then 1. `--validate` emits the
//! shader-validation form (bounds-checked buffer arguments, docs/abi.md §6).

use msl::{diag, Binding, ConstantValues, Diagnostic, Library, Options, Stage, Target};
use std::path::PathBuf;
use std::process::{Command, ExitCode};

const USAGE: &str =
    "usage: mslc [--target cpu|cuda] [-I DIR] [-D NAME[=VALUE]] [--entry NAME]... [--validate] [--reflect] [--compile] FILE.metal";

struct Args {
    target: Target,
    opts: Options,
    entries: Vec<String>,
    reflect: bool,
    compile: bool,
    file: PathBuf,
}

fn parse_args(mut it: impl Iterator<Item = String>) -> Result<Args, String> {
    let mut target = Target::Cpu;
    let mut opts = Options::default();
    let mut entries = Vec::new();
    let (mut reflect, mut compile) = (false, false);
    let mut file = None;
    while let Some(a) = it.next() {
        let mut value = |name: &str| it.next().ok_or_else(|| format!("{name} needs a value"));
        match a.as_str() {
            "--target" => {
                target = match value("--target")?.as_str() {
                    "cpu" => Target::Cpu,
                    "cuda" => Target::Cuda,
                    t => return Err(format!("unknown target '{t}' (cpu or cuda)")),
                }
            }
            "-I" => opts.include_paths.push(value("-I")?.into()),
            "-D" => opts.defines.push(define(&value("-D")?)),
            "--entry" => entries.push(value("--entry")?),
            "--reflect" => reflect = true,
            "--validate" => opts.shader_validation = true,
            "--compile" => compile = true,
            "-h" | "--help" => return Err(USAGE.into()),
            s if s.starts_with("-I") && s.len() > 2 => opts.include_paths.push(s[2..].into()),
            s if s.starts_with("-D") && s.len() > 2 => opts.defines.push(define(&s[2..])),
            s if s.starts_with('-') && s.len() > 1 => return Err(format!("unknown option '{s}'\n{USAGE}")),
            s => {
                if file.replace(PathBuf::from(s)).is_some() {
                    return Err(format!("only one input file is allowed\n{USAGE}"));
                }
            }
        }
    }
    let file = file.ok_or_else(|| USAGE.to_string())?;
    opts.file_name = file.display().to_string();
    Ok(Args { target, opts, entries, reflect, compile, file })
}

fn define(s: &str) -> (String, String) {
    match s.split_once('=') {
        Some((n, v)) => (n.to_string(), v.to_string()),
        None => (s.to_string(), "1".to_string()),
    }
}

fn main() -> ExitCode {
    match std::panic::catch_unwind(run) {
        Ok(Ok(())) => ExitCode::SUCCESS,
        Ok(Err(msg)) => {
            eprintln!("{msg}");
            ExitCode::FAILURE
        }
        Err(_) => {
            eprintln!("mslc: internal error (please report it with the input file)");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), String> {
    let args = parse_args(std::env::args().skip(1)).map_err(|e| format!("mslc: {e}"))?;
    let bytes = std::fs::read(&args.file).map_err(|e| format!("mslc: cannot read {}: {e}", args.file.display()))?;
    let src = String::from_utf8_lossy(&bytes);
    let lib = Library::new(&src, &args.opts).map_err(|d| d.to_string())?;
    if args.reflect {
        print!("{}", reflection_text(&lib));
        return Ok(());
    }
    let names: Vec<&str> = if args.entries.is_empty() {
        // Render stages are emitted for the CPU only.
        let all = args.target == Target::Cpu;
        lib.reflection
            .entry_points
            .iter()
            .filter(|e| all || e.stage == Stage::Kernel)
            .map(|e| e.name.as_str())
            .collect()
    } else {
        args.entries.iter().map(|s| s.as_str()).collect()
    };
    let emitted = lib.emit(args.target, &names, &ConstantValues::default()).map_err(|d| d.to_string())?;
    if args.compile {
        let emitted = if args.target == Target::Cpu {
            emitted
        } else {
            lib.emit(Target::Cpu, &names, &ConstantValues::default()).map_err(|d| d.to_string())?
        };
        compile(&lib, &emitted.source)?;
        return Ok(());
    }
    print!("{}", emitted.source);
    Ok(())
}

fn reflection_text(lib: &Library) -> String {
    let mut s = String::new();
    for e in &lib.reflection.entry_points {
        s.push_str(&format!(
            "{:?} {} = {} (line {}){}\n",
            e.stage,
            e.name,
            e.function,
            e.loc.line,
            if e.uses_sync { " uses_sync" } else { "" }
        ));
        for p in &e.params {
            let b = match p.binding {
                Binding::Buffer(i) => format!("buffer({i})"),
                Binding::Texture(i) => format!("texture({i})"),
                Binding::Sampler(i) => format!("sampler({i})"),
                Binding::Threadgroup(i) => format!("threadgroup({i})"),
                Binding::Builtin(b) => b.name().to_string(),
                Binding::StageIn => "stage_in".into(),
                Binding::None => "-".into(),
            };
            s.push_str(&format!(
                "  {b:<32} {}: {} [{:?}{}]\n",
                p.name,
                p.type_text,
                p.address_space,
                if p.is_const { ", const" } else { "" }
            ));
        }
        // Vertex/fragment: the stage interface (attributes, varyings, outputs).
        s.push_str(&e.io.to_string());
    }
    for c in &lib.reflection.function_constants {
        let d = c.default.as_ref().map(|d| format!(" = {d}")).unwrap_or_default();
        s.push_str(&format!("function_constant({}) {} {}{d}\n", c.index, c.type_text, c.name));
    }
    s
}

fn find_cxx() -> Option<String> {
    if let Ok(c) = std::env::var("PYMETAL_CXX") {
        if !c.is_empty() {
            return Some(c);
        }
    }
    let path = std::env::var_os("PATH")?;
    ["c++", "g++", "clang++"]
        .into_iter()
        .find(|c| std::env::split_paths(&path).any(|d| d.join(c).is_file()))
        .map(str::to_string)
}

fn compile(lib: &Library, source: &str) -> Result<(), String> {
    let cxx = find_cxx().ok_or("mslc: no C++ compiler found (set PYMETAL_CXX)")?;
    let dir = std::env::temp_dir();
    let stem = format!("mslc-{}-{}", std::process::id(), unique());
    let cpp = dir.join(format!("{stem}.cpp"));
    let obj = dir.join(format!("{stem}.o"));
    std::fs::write(&cpp, source).map_err(|e| format!("mslc: cannot write {}: {e}", cpp.display()))?;
    let result = Command::new(&cxx).args(["-std=c++17", "-O1", "-fPIC", "-w", "-c", "-o"]).arg(&obj).arg(&cpp).output();
    let keep = std::env::var_os("PYMETAL_DEBUG").is_some_and(|v| v == "1");
    if !keep {
        let _ = std::fs::remove_file(&cpp);
    } else {
        eprintln!("mslc: generated C++ kept at {}", cpp.display());
    }
    let _ = std::fs::remove_file(&obj);
    let out = result.map_err(|e| format!("mslc: cannot run {cxx}: {e}"))?;
    if out.status.success() {
        return Ok(());
    }
    let stderr = String::from_utf8_lossy(&out.stderr);
    let diags: Vec<Diagnostic> = diag::parse_compiler_output(&stderr, &lib.pp.files)
        .into_iter()
        .filter(|d| d.severity == msl::Severity::Error)
        .collect();
    if diags.is_empty() {
        let tail: String =
            stderr.lines().rev().take(30).collect::<Vec<_>>().into_iter().rev().collect::<Vec<_>>().join("\n");
        return Err(format!("{}: error: the C++ compiler failed:\n{tail}", lib.options.file_name));
    }
    Err(diag::render_all(&diags))
}

fn unique() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    let t = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.subsec_nanos()).unwrap_or(0);
    N.fetch_add(1, Ordering::Relaxed) ^ u64::from(t) << 8
}

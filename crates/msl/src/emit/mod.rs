//! Rewriting to portable C++ (docs/abi.md §2): the prelude, the user's rewritten tokens
//! with `#line` directives, and one generated wrapper per requested entry point.

mod keywords;
mod out;
mod rewrite;
mod stage;
mod wrapper;

pub(crate) use keywords::{is_address_space, is_std_attribute};
pub(crate) use wrapper::template_map;

use crate::parse::{self, Stage};
use crate::{ConstantValues, Diagnostic, Library, Target};

/// One compiled entry point of an [`Emitted`] translation unit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EmittedEntry {
    /// The host name.
    pub name: String,
    /// `pm_entry_<k>` (kernels), `pm_vertex_<k>` / `pm_fragment_<k>` (render stages, CPU).
    pub symbol: String,
    /// `pm_group_<k>` (CPU, when no barrier or SIMD-group operation is reachable).
    pub group_symbol: Option<String>,
    pub uses_sync: bool,
    /// `pm_static_tg_<k>` (CPU): the entry's static threadgroup memory in bytes (docs/abi.md §2).
    pub static_tg_symbol: Option<String>,
}

/// A complete C++ translation unit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Emitted {
    pub source: String,
    pub entries: Vec<EmittedEntry>,
}

/// The line that separates the prelude from the user's code in [`Emitted::source`].
pub const USER_CODE_MARKER: &str = "// ---- pymetal: user code ----\n";

/// Emits the translation unit for `target` with wrappers for `entries` (host names).
pub fn emit(
    lib: &Library,
    target: Target,
    entries: &[&str],
    constants: &ConstantValues,
) -> Result<Emitted, Diagnostic> {
    let an = parse::analyze(&lib.pp)?;
    let mut eps = Vec::new();
    let mut indices = Vec::new();
    for name in entries {
        let Some(ep) = an.reflection.entry_points.iter().find(|e| e.name == *name) else {
            let mut d =
                Diagnostic::error_raw(&lib.options.file_name, 0, 0, "", format!("no entry point named '{name}'"));
            let names: Vec<&str> = an.reflection.entry_points.iter().map(|e| e.name.as_str()).collect();
            if !names.is_empty() {
                d = d.with_note(format!("note: entry points: {}", names.join(", ")));
            }
            return Err(d);
        };
        if ep.stage != Stage::Kernel && target != Target::Cpu {
            return Err(Diagnostic::error_at(
                &lib.pp.files,
                ep.loc,
                format!(
                    "'{}' is a {} function: render stages run on the CPU backend only (the CUDA backend runs kernels)",
                    ep.name,
                    if ep.stage == Stage::Vertex { "vertex" } else { "fragment" }
                ),
            ));
        }
        let why = if ep.stage == Stage::Kernel { wrapper::unsupported(ep) } else { stage::unsupported(ep) };
        if let Some(why) = why {
            return Err(Diagnostic::error_at(&lib.pp.files, ep.loc, why));
        }
        eps.push(ep);
        indices.extend(an.reflection.entry_points.iter().position(|e| e.name == *name));
    }
    let validation = lib.options.shader_validation;
    let mut rw = rewrite::Rewriter::new(&lib.pp, &an, target, constants, &indices, validation);
    rw.run()?;
    let user = std::mem::replace(&mut rw.out.s, String::new());

    // Kernels that never name a texture or sampler type skip texture.h (about 15% of the
    // compile time of a small kernel).
    let textures =
        lib.pp.tokens.iter().any(|t| t.kind == crate::lex::TokenKind::Ident && keywords::is_texture_name(&t.text));
    let mut source = if textures { String::new() } else { "#define PM_NO_TEXTURES 1\n".to_string() };
    if validation {
        source.push_str("#define PM_SHADER_VALIDATION 1\n");
    }
    source.push_str(&crate::prelude::source(target));
    if !source.ends_with('\n') {
        source.push('\n');
    }
    source.push_str(USER_CODE_MARKER);
    source.push_str(&user);
    let mut w = String::new();
    w.push_str(wrapper::HELPERS);
    if validation {
        w.push_str(wrapper::CHECKED_HELPERS);
    }
    match target {
        // The prelude's target_cpu.h defines the current-thread pointer; older preludes did not.
        Target::Cpu if !source.contains("pm_cur") => w.push_str(wrapper::CPU_CUR),
        Target::Cpu => {}
        Target::Cuda => {
            w.push_str(wrapper::CUDA_SMEM);
            w.push_str(wrapper::CUDA_HELPERS);
        }
    }
    let mut out_entries = Vec::new();
    for (k, ep) in eps.iter().enumerate() {
        let file = lib.pp.files.name(ep.loc.file);
        if ep.stage != Stage::Kernel {
            let mem = an.io_members.get(indices[k]).cloned().unwrap_or_default();
            let symbol = stage::wrapper(&mut w, k, ep, &mem, file);
            out_entries.push(EmittedEntry {
                name: ep.name.clone(),
                symbol,
                group_symbol: None,
                uses_sync: false,
                static_tg_symbol: None,
            });
            continue;
        }
        wrapper::wrapper(&mut w, k, ep, target, file, validation);
        out_entries.push(EmittedEntry {
            name: ep.name.clone(),
            symbol: format!("pm_entry_{k}"),
            group_symbol: (target == Target::Cpu && !ep.uses_sync && !validation).then(|| format!("pm_group_{k}")),
            uses_sync: ep.uses_sync,
            static_tg_symbol: wrapper::static_tg(&mut w, k, ep, &an, &lib.pp.tokens, indices[k], target),
        });
    }
    source.push_str("#line 1 \"<pymetal wrapper>\"\n");
    source.push_str(&w);
    Ok(Emitted { source, entries: out_entries })
}

/// Runs the rewrite once without emitting, to report its errors early (at library creation).
pub fn validate(lib: &Library) -> Result<(), Diagnostic> {
    let an = parse::analyze(&lib.pp)?;
    let constants = ConstantValues::default();
    let mut rw = rewrite::Rewriter::new(&lib.pp, &an, Target::Cpu, &constants, &[], lib.options.shader_validation);
    rw.run()
}

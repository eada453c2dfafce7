//! CPU render pipelines: vertex and fragment functions compiled like kernels into
//! `pm_vertex_<k>` / `pm_fragment_<k>`, the varying map between them, and the fixed-function
//! state, packed as a [`RasterProgram`] for the software rasterizer.

use super::compile::{compile_source, CpuModule};
use crate::raster::{RasterProgram, VaryingRoute};
use crate::render::{RenderPipeline, RenderPipelineDesc};
use crate::HalError;
use std::any::Any;
use std::sync::Arc;

/// A compiled render pipeline; keeps its modules loaded.
pub struct CpuRenderPipeline {
    pub program: RasterProgram,
    _modules: Vec<Arc<CpuModule>>,
}

impl CpuRenderPipeline {
    /// A pipeline from stage functions that follow the ABI directly (tests, tools).
    pub fn from_program(program: RasterProgram) -> Result<CpuRenderPipeline, HalError> {
        check_program(&program)?;
        Ok(CpuRenderPipeline { program, _modules: Vec::new() })
    }
}

impl RenderPipeline for CpuRenderPipeline {
    fn as_any(&self) -> &dyn Any {
        self
    }
}

fn check_program(p: &RasterProgram) -> Result<(), HalError> {
    if p.vertex_out_words < 5 {
        return Err(HalError::Device("a vertex output has at least 5 words (position, point size)".into()));
    }
    for r in &p.varyings {
        if r.src_word < 5 || r.components == 0 || r.components > 4 || r.src_word + r.components > p.vertex_out_words {
            return Err(HalError::Device(format!(
                "varying route {r:?} lies outside the vertex output of {} words",
                p.vertex_out_words
            )));
        }
    }
    Ok(())
}

fn stage<'l>(lib: &'l msl::Library, name: &str, want: msl::Stage) -> Result<&'l msl::EntryPoint, HalError> {
    let what = if want == msl::Stage::Vertex { "vertex" } else { "fragment" };
    let e = lib
        .entry_point(name)
        .ok_or_else(|| HalError::Device(format!("the library has no {what} function named '{name}'")))?;
    if e.stage != want {
        return Err(HalError::Device(format!("'{name}' is not a {what} function")));
    }
    Ok(e)
}

/// Emits and compiles `entries` of `lib`; returns the module and each entry's symbol.
fn compile(
    lib: &msl::Library,
    entries: &[&str],
    constants: &msl::ConstantValues,
) -> Result<(Arc<CpuModule>, Vec<String>), HalError> {
    let emitted = lib.emit(msl::Target::Cpu, entries, constants).map_err(HalError::Compile)?;
    let module = compile_source(&emitted.source, lib.options.fast_math, Some(&lib.pp.files))?;
    let symbols = entries
        .iter()
        .map(|name| {
            emitted
                .entries
                .iter()
                .find(|e| e.name == *name)
                .map(|e| e.symbol.clone())
                .ok_or_else(|| HalError::Load(format!("the emitted module has no wrapper for '{name}'")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok((module, symbols))
}

/// Varying j of the fragment ← the vertex output varying of the same `[[user(name)]]`, else
/// of the same member name.
pub fn varying_routes(
    vertex: &msl::StageIo,
    fragment: &msl::StageIo,
    names: (&str, &str),
) -> Result<Vec<VaryingRoute>, HalError> {
    let mut words = Vec::with_capacity(vertex.varyings.len());
    let mut w = 5u32;
    for v in &vertex.varyings {
        words.push(w);
        w += v.components;
    }
    fragment
        .varyings
        .iter()
        .map(|f| {
            let found = match &f.user {
                Some(u) => vertex.varyings.iter().position(|v| v.user.as_deref() == Some(u.as_str())),
                None => None,
            }
            .or_else(|| vertex.varyings.iter().position(|v| v.user.is_none() && v.name == f.name))
            .or_else(|| vertex.varyings.iter().position(|v| v.name == f.name));
            let Some(k) = found else {
                return Err(HalError::Device(format!(
                    "fragment function '{}' input '{}' has no matching output in vertex function '{}'",
                    names.1,
                    f.user.as_deref().unwrap_or(&f.name),
                    names.0
                )));
            };
            let v = &vertex.varyings[k];
            if v.components < f.components {
                return Err(HalError::Device(format!(
                    "fragment input '{}' has {} components but the vertex output has {}",
                    f.name, f.components, v.components
                )));
            }
            Ok(VaryingRoute { src_word: words[k], components: f.components, interpolation: f.interpolation })
        })
        .collect()
}

/// `Device::new_render_pipeline` of the CPU device.
pub fn build(desc: &RenderPipelineDesc<'_>) -> Result<CpuRenderPipeline, HalError> {
    let ventry = stage(desc.vertex_library, desc.vertex_function, msl::Stage::Vertex)?;
    let fentry = match desc.fragment {
        Some((lib, name, _)) => Some(stage(lib, name, msl::Stage::Fragment)?),
        None => None,
    };
    let mut modules = Vec::new();
    let (vertex, fragment) = match desc.fragment {
        // Same library and constants: one translation unit for both stages.
        Some((flib, fname, fconst)) if std::ptr::eq(flib, desc.vertex_library) && fconst == desc.vertex_constants => {
            let (m, s) = compile(flib, &[desc.vertex_function, fname], fconst)?;
            let r = (m.vertex_fn(&s[0])?, Some(m.fragment_fn(&s[1])?));
            modules.push(m);
            r
        }
        other => {
            let (m, s) = compile(desc.vertex_library, &[desc.vertex_function], desc.vertex_constants)?;
            let v = m.vertex_fn(&s[0])?;
            modules.push(m);
            let f = match other {
                Some((flib, fname, fconst)) => {
                    let (m, s) = compile(flib, &[fname], fconst)?;
                    let f = m.fragment_fn(&s[0])?;
                    modules.push(m);
                    Some(f)
                }
                None => None,
            };
            (v, f)
        }
    };
    let vio = &ventry.io;
    let (varyings, color_outputs, writes_depth) = match (fentry, desc.fragment) {
        (Some(f), Some((_, fname, _))) => {
            let routes = varying_routes(vio, &f.io, (desc.vertex_function, fname))?;
            let mask = f.io.colors.iter().filter(|c| c.index < 8).fold(0u8, |m, c| m | (1 << c.index));
            (routes, mask, f.io.writes_depth)
        }
        _ => (Vec::new(), 0, false),
    };
    let program = RasterProgram {
        vertex,
        fragment,
        vertex_out_words: 5 + vio.varyings.iter().map(|v| v.components).sum::<u32>(),
        varyings,
        color_outputs,
        writes_depth,
        vertex_descriptor: desc.vertex_descriptor.clone(),
        colors: desc.color_attachments,
        depth_format: desc.depth_format,
        stencil_format: desc.stencil_format,
    };
    check_program(&program)?;
    Ok(CpuRenderPipeline { program, _modules: modules })
}

#[cfg(test)]
mod tests {
    use super::*;
    use msl::{Interpolation, ScalarKind, StageIo, Varying};

    fn var(name: &str, user: Option<&str>, components: u32, interpolation: Interpolation) -> Varying {
        Varying { name: name.into(), user: user.map(Into::into), kind: ScalarKind::Float, components, interpolation }
    }

    #[test]
    fn fragment_varyings_match_by_user_name_then_member_name() {
        let vertex = StageIo {
            varyings: vec![
                var("uv", None, 2, Interpolation::Perspective),
                var("tint", Some("col"), 4, Interpolation::Perspective),
                var("id", None, 1, Interpolation::Flat),
            ],
            ..Default::default()
        };
        let fragment = StageIo {
            varyings: vec![
                var("id", None, 1, Interpolation::Flat),
                var("colour", Some("col"), 3, Interpolation::NoPerspective),
                var("uv", None, 2, Interpolation::Perspective),
            ],
            ..Default::default()
        };
        let r = varying_routes(&vertex, &fragment, ("vs", "fs")).expect("routes");
        let got: Vec<(u32, u32, Interpolation)> =
            r.iter().map(|r| (r.src_word, r.components, r.interpolation)).collect();
        assert_eq!(
            got,
            vec![
                (11, 1, Interpolation::Flat),
                (7, 3, Interpolation::NoPerspective),
                (5, 2, Interpolation::Perspective)
            ]
        );
    }

    #[test]
    fn unmatched_or_wider_fragment_inputs_are_errors() {
        let vertex = StageIo { varyings: vec![var("uv", None, 2, Interpolation::Perspective)], ..Default::default() };
        let missing =
            StageIo { varyings: vec![var("normal", None, 3, Interpolation::Perspective)], ..Default::default() };
        let e = varying_routes(&vertex, &missing, ("vs", "fs")).unwrap_err().to_string();
        assert!(e.contains("'normal'") && e.contains("'vs'") && e.contains("'fs'"), "{e}");
        let wider = StageIo { varyings: vec![var("uv", None, 4, Interpolation::Perspective)], ..Default::default() };
        assert!(varying_routes(&vertex, &wider, ("vs", "fs")).is_err());
    }
}

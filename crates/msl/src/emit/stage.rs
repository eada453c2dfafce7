//! The CPU wrappers of vertex and fragment functions (docs/abi.md §5): `pm_vertex_<k>` and
//! `pm_fragment_<k>` shade a batch in one counted loop. Every member of the interface is
//! converted explicitly, by the scalar kind reflection found (`parse::io`), so the loop body
//! is plain loads, the user's (inlined) function and plain stores.

use super::keywords::is_swizzle;
use super::wrapper::function_expr;
use crate::parse::io::{IoMembers, Member, Role};
use crate::{Binding, Builtin, EntryPoint, ScalarKind, Stage};
use std::fmt::Write;

/// Why a vertex/fragment entry point cannot be emitted for the CPU, if it cannot.
pub(crate) fn unsupported(ep: &EntryPoint) -> Option<String> {
    for p in &ep.params {
        let why = match p.binding {
            Binding::Threadgroup(_) => "threadgroup memory is not available to render stages",
            Binding::None => "parameters of render stages need [[buffer(i)]], [[texture(i)]], [[sampler(i)]], [[stage_in]] or a built-in",
            Binding::Builtin(b) if b.stage() != Some(ep.stage) => "not a built-in of this stage",
            _ => continue,
        };
        return Some(format!("parameter '{}' of '{}': {why}", p.name, ep.name));
    }
    None
}

/// The member as the rewritten source names it (data members named like swizzles are renamed).
fn field(name: &str) -> String {
    if is_swizzle(name) {
        format!("{name}_pm_f")
    } else {
        name.to_string()
    }
}

/// `base.member` or `base` itself for the return value.
fn access(base: &str, m: &Member) -> String {
    if m.name.is_empty() {
        base.to_string()
    } else {
        format!("{base}.{}", field(&m.name))
    }
}

/// Component `j` of the value `v` (a scalar has one).
fn comp(v: &str, m: &Member, j: u32) -> String {
    if m.components == 1 {
        v.to_string()
    } else {
        format!("{v}[{j}]")
    }
}

/// An input component from the 32-bit word `w`: an `unsigned` expression, or a `float`
/// one when `w_is_float`.
fn from_word(kind: ScalarKind, w: &str, w_is_float: bool) -> String {
    if w_is_float {
        return if kind.is_float() {
            w.to_string()
        } else {
            from_word(kind, &format!("__builtin_bit_cast(unsigned, {w})"), false)
        };
    }
    match kind {
        ScalarKind::Float | ScalarKind::Half => format!("__builtin_bit_cast(float, {w})"),
        ScalarKind::Int | ScalarKind::Short | ScalarKind::Char => format!("(int)({w})"),
        ScalarKind::Bool => format!("(({w}) != 0u)"),
        _ => format!("(unsigned)({w})"),
    }
}

/// The 32-bit word (an `unsigned` expression) of an output component `x`.
fn to_word(kind: ScalarKind, x: &str) -> String {
    match kind {
        ScalarKind::Float | ScalarKind::Half => format!("__builtin_bit_cast(unsigned, (float)({x}))"),
        ScalarKind::Int | ScalarKind::Short | ScalarKind::Char => format!("(unsigned)(int)({x})"),
        ScalarKind::Bool => format!("(unsigned)(bool)({x})"),
        _ => format!("(unsigned)({x})"),
    }
}

/// `lhs = T(c0, c1, ...)` with each component built from the word `word(j)`.
fn assign(out: &mut String, lhs: &str, m: &Member, word: impl Fn(u32) -> String, w_is_float: bool) {
    let parts: Vec<String> = (0..m.components).map(|j| from_word(m.kind, &word(j), w_is_float)).collect();
    let _ = writeln!(out, "    {lhs} = decltype({lhs})({});", parts.join(", "));
}

/// Offsets (in words) of each varying in a vertex output (after position and point size)
/// or a fragment input.
fn varying_offsets(ep: &EntryPoint, first: u32) -> Vec<u32> {
    let mut at = first;
    ep.io
        .varyings
        .iter()
        .map(|v| {
            let o = at;
            at += v.components;
            o
        })
        .collect()
}

/// Arguments of the call: buffers from hoisted base pointers, textures/samplers from the
/// dispatch, the stage_in struct, built-ins from the batch.
fn call_args(ep: &EntryPoint) -> String {
    let mut args = Vec::new();
    for (i, p) in ep.params.iter().enumerate() {
        let ty = format!("pm_wrap::arg_t<pm_F, {i}>");
        let bare = format!("pm_wrap::bare<{ty}>::type");
        let a = match p.binding {
            Binding::Buffer(b) => format!("pm_wrap::buf<{ty}>::get(pm_b{b})"),
            Binding::Texture(t) => format!("{ty}(&d->textures[{t}])"),
            Binding::Sampler(s) => format!("{ty}(d->samplers[{s}])"),
            Binding::StageIn => "pm_in".to_string(),
            Binding::Builtin(b) => match b {
                Builtin::VertexId => format!("pm_wrap::bi_t<{ty}>::make(pm_vid[pm_i], 0u, 0u)"),
                Builtin::InstanceId => format!("pm_wrap::bi_t<{ty}>::make(pm_iid[pm_i], 0u, 0u)"),
                Builtin::BaseVertex => format!("pm_wrap::bi_t<{ty}>::make(pm_bv, 0u, 0u)"),
                Builtin::BaseInstance => format!("pm_wrap::bi_t<{ty}>::make(pm_bi, 0u, 0u)"),
                Builtin::Position => format!("{bare}(pm_p[0], pm_p[1], pm_p[2], pm_p[3])"),
                Builtin::FrontFacing => format!("{bare}(pm_ff[pm_i] != 0u)"),
                Builtin::PrimitiveId => format!("{bare}(pm_pid[pm_i])"),
                Builtin::PointCoord => format!("{bare}(pm_pc[pm_i * 2u], pm_pc[pm_i * 2u + 1u])"),
                Builtin::SampleId => format!("{bare}(0u)"),
                _ => format!("{bare}()"),
            },
            _ => format!("{bare}()"),
        };
        args.push(a);
    }
    args.join(", ")
}

/// The pointer locals the loop reads: buffer bases (read once: the function's stores could
/// alias the dispatch block as far as the compiler knows).
fn buffer_locals(out: &mut String, ep: &EntryPoint) {
    let mut seen = Vec::new();
    for p in &ep.params {
        if let Binding::Buffer(b) = p.binding {
            if !seen.contains(&b) {
                seen.push(b);
                let _ = writeln!(out, "  unsigned char *const pm_b{b} = (unsigned char *)d->buffers[{b}];");
            }
        }
    }
}

/// The stage_in local, when the function has one.
fn stage_in_local(out: &mut String, ep: &EntryPoint) -> bool {
    match ep.params.iter().position(|p| p.binding == Binding::StageIn) {
        Some(i) => {
            let _ = writeln!(out, "    pm_wrap::bare<pm_wrap::arg_t<pm_F, {i}>>::type pm_in{{}};");
            true
        }
        None => false,
    }
}

/// The call of the user's function, located at its declaration for compiler messages.
fn call(out: &mut String, f: &str, ep: &EntryPoint, mem: &IoMembers, call_site: &str) {
    let args = call_args(ep);
    let r = if mem.returns { "auto pm_r = " } else { "" };
    let _ = write!(out, "{call_site}    {r}{f}({args});\n#line 1 \"<pymetal wrapper>\"\n");
}

/// Emits `pm_vertex_<k>` or `pm_fragment_<k>` for `ep`; returns the symbol.
pub(crate) fn wrapper(out: &mut String, k: usize, ep: &EntryPoint, mem: &IoMembers, file: &str) -> String {
    let f = function_expr(&ep.function);
    let f = if f.starts_with("::") { f } else { format!("::{f}") };
    let line = ep.loc.line.max(1);
    let file = file.replace('\\', "\\\\").replace('"', "\\\"");
    let call_site = format!("#line {line} \"{file}\"\n");
    let _ = writeln!(out, "// entry {k}: {} ({:?})", ep.name, ep.stage);
    if ep.stage == Stage::Vertex {
        vertex(out, k, ep, mem, &f, &call_site)
    } else {
        fragment(out, k, ep, mem, &f, &call_site)
    }
}

fn vertex(out: &mut String, k: usize, ep: &EntryPoint, mem: &IoMembers, f: &str, call_site: &str) -> String {
    let sym = format!("pm_vertex_{k}");
    // `flatten`: the function (and what it calls) is inlined into the loop.
    let _ = write!(
        out,
        "extern \"C\" __attribute__((flatten)) void {sym}(const pm_dispatch *d, pm_vertex_batch *b);\n\
         extern \"C\" void {sym}(const pm_dispatch *d, pm_vertex_batch *b) {{\n  \
         (void)d;\n  using pm_F = decltype({f});\n  \
         const unsigned pm_n = b->count;\n  \
         const unsigned *const pm_vid = b->vertex_id;\n  \
         const unsigned *const pm_iid = b->instance_id;\n  \
         const unsigned pm_bv = b->base_vertex, pm_bi = b->base_instance;\n  \
         const unsigned *const pm_attr = b->attributes;\n  \
         const unsigned pm_as = b->attr_stride;\n  \
         float *const pm_out = b->out;\n  \
         const unsigned pm_os = b->out_stride;\n  \
         (void)pm_vid; (void)pm_iid; (void)pm_bv; (void)pm_bi; (void)pm_attr; (void)pm_as;\n"
    );
    buffer_locals(out, ep);
    out.push_str("  for (unsigned pm_i = 0; pm_i < pm_n; ++pm_i) {\n");
    if stage_in_local(out, ep) {
        out.push_str("    const unsigned *const pm_a = pm_attr + (unsigned long)pm_i * pm_as;\n");
        for m in &mem.inputs {
            if let Role::Attribute(a) = m.role {
                let lhs = access("pm_in", m);
                assign(out, &lhs, m, |j| format!("pm_a[{}]", a * 4 + j), false);
            }
        }
    }
    call(out, f, ep, mem, call_site);
    out.push_str("    float *const pm_o = pm_out + (unsigned long)pm_i * pm_os;\n");
    let offsets = varying_offsets(ep, 5);
    let mut wrote_position = false;
    let mut wrote_size = false;
    for m in &mem.outputs {
        let v = access("pm_r", m);
        let first = match m.role {
            Role::Position => {
                wrote_position = true;
                0
            }
            Role::PointSize => {
                wrote_size = true;
                4
            }
            Role::Varying(i) => offsets.get(i).copied().unwrap_or(5),
            _ => continue,
        };
        for j in 0..m.components {
            let x = comp(&v, m, j);
            let value = if m.kind.is_float() {
                format!("(float)({x})")
            } else {
                format!("__builtin_bit_cast(float, {})", to_word(m.kind, &x))
            };
            let _ = writeln!(out, "    pm_o[{}] = {value};", first + j);
        }
    }
    if !wrote_position {
        out.push_str("    pm_o[0] = 0.0f; pm_o[1] = 0.0f; pm_o[2] = 0.0f; pm_o[3] = 0.0f;\n");
    }
    if !wrote_size {
        out.push_str("    pm_o[4] = 1.0f;\n");
    }
    out.push_str("  }\n}\n");
    sym
}

fn fragment(out: &mut String, k: usize, ep: &EntryPoint, mem: &IoMembers, f: &str, call_site: &str) -> String {
    let sym = format!("pm_fragment_{k}");
    let _ = write!(
        out,
        "extern \"C\" __attribute__((flatten)) void {sym}(const pm_dispatch *d, pm_fragment_batch *b);\n\
         extern \"C\" void {sym}(const pm_dispatch *d, pm_fragment_batch *b) {{\n  \
         (void)d;\n  using pm_F = decltype({f});\n  \
         const unsigned pm_n = b->count;\n  \
         const float *const pm_pos = b->position;\n  \
         const float *const pm_var = b->varyings;\n  \
         const unsigned pm_is = b->in_stride;\n  \
         const unsigned *const pm_ff = b->front_facing;\n  \
         const unsigned *const pm_pid = b->primitive_id;\n  \
         const float *const pm_pc = b->point_coord;\n  \
         unsigned *const pm_col = b->color;\n  \
         float *const pm_dep = b->depth;\n  \
         unsigned *const pm_dis = b->discarded;\n  \
         bool &pm_discard = ::metal::detail::pm_discarded;\n  \
         (void)pm_pos; (void)pm_var; (void)pm_is; (void)pm_ff; (void)pm_pid; (void)pm_pc; (void)pm_col; (void)pm_dep;\n"
    );
    buffer_locals(out, ep);
    out.push_str(
        "  for (unsigned pm_i = 0; pm_i < pm_n; ++pm_i) {\n    \
         const float *const pm_v = pm_var + (unsigned long)pm_i * pm_is;\n    \
         const float *const pm_p = pm_pos + (unsigned long)pm_i * 4u;\n    \
         (void)pm_v; (void)pm_p;\n",
    );
    let offsets = varying_offsets(ep, 0);
    if stage_in_local(out, ep) {
        for m in &mem.inputs {
            let lhs = access("pm_in", m);
            match m.role {
                Role::Varying(i) => {
                    let o = offsets.get(i).copied().unwrap_or(0);
                    assign(out, &lhs, m, |j| format!("pm_v[{}]", o + j), true);
                }
                Role::Builtin(Builtin::Position) => {
                    let _ = writeln!(out, "    {lhs} = decltype({lhs})(pm_p[0], pm_p[1], pm_p[2], pm_p[3]);");
                }
                Role::Builtin(Builtin::FrontFacing) => {
                    let _ = writeln!(out, "    {lhs} = decltype({lhs})(pm_ff[pm_i] != 0u);");
                }
                Role::Builtin(Builtin::PrimitiveId) => {
                    let _ = writeln!(out, "    {lhs} = decltype({lhs})(pm_pid[pm_i]);");
                }
                Role::Builtin(Builtin::PointCoord) => {
                    let _ = writeln!(out, "    {lhs} = decltype({lhs})(pm_pc[pm_i * 2u], pm_pc[pm_i * 2u + 1u]);");
                }
                Role::Builtin(Builtin::SampleId) => {
                    let _ = writeln!(out, "    {lhs} = decltype({lhs})(0u);");
                }
                _ => {}
            }
        }
    }
    out.push_str("    pm_discard = false;\n");
    call(out, f, ep, mem, call_site);
    out.push_str("    unsigned *const pm_c = pm_col + (unsigned long)pm_i * 32u;\n    (void)pm_c;\n");
    for m in &mem.outputs {
        let v = access("pm_r", m);
        match m.role {
            Role::Color(c) => {
                let index = ep.io.colors.get(c).map(|s| s.index).unwrap_or(0);
                for j in 0..4 {
                    let word = if j < m.components {
                        to_word(m.kind, &comp(&v, m, j))
                    } else if j < 3 {
                        "0u".to_string()
                    } else if m.kind.is_float() {
                        "0x3F800000u".to_string()
                    } else {
                        "1u".to_string()
                    };
                    let _ = writeln!(out, "    pm_c[{}] = {word};", index * 4 + j);
                }
            }
            Role::Depth => {
                let _ = writeln!(out, "    pm_dep[pm_i] = (float)({v});");
            }
            _ => {}
        }
    }
    out.push_str("    pm_dis[pm_i] = pm_discard ? 1u : 0u;\n  }\n}\n");
    sym
}

//! Stage interfaces of vertex and fragment functions (`EntryPoint::io`, docs/abi.md §5):
//! the members of `[[stage_in]]` structs and of returned structs, with their attributes,
//! plus what the emitter needs to fill and read them ([`IoMembers`]).

use super::scan::{attr_end, attrs, ident, is_p, split_commas, Attr, NONE};
use super::{Binding, Builtin, EntryPoint, Interpolation, ScalarKind, Slot, Stage, StageIo, Varying};
use crate::lex::{Token, TokenKind};
use crate::preprocess::Preprocessed;
use crate::Diagnostic;

/// A `struct`/`class` defined at namespace scope.
#[derive(Clone, Debug)]
pub(crate) struct StructDef {
    /// Qualified name (`ns::VertexOut`).
    pub qual: String,
    /// Token indices of the body's `{` and `}`.
    pub body: (usize, usize),
}

/// Where one value of the stage interface comes from or goes to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Role {
    /// Vertex `[[stage_in]]` member `[[attribute(index)]]`.
    Attribute(u32),
    /// Vertex output / fragment input: `io.varyings[i]`.
    Varying(usize),
    /// Fragment `[[stage_in]]` member that is a built-in (`[[position]]`, `[[front_facing]]`, ...).
    Builtin(Builtin),
    Position,
    PointSize,
    /// Fragment output `io.colors[i]`.
    Color(usize),
    Depth,
}

/// One member the emitted wrapper fills (inputs) or reads (outputs).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Member {
    /// The member name ("" for the return value itself).
    pub name: String,
    pub kind: ScalarKind,
    pub components: u32,
    pub role: Role,
}

/// The members of an entry point's stage interface, for the emitter.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct IoMembers {
    /// Members of the `[[stage_in]]` struct that the wrapper sets.
    pub inputs: Vec<Member>,
    /// Values the wrapper reads from the result.
    pub outputs: Vec<Member>,
    /// The function returns something other than `void`.
    pub returns: bool,
}

/// A parsed type: `void`, a scalar or vector, a struct, or something else (its spelling).
enum Ty {
    Void,
    Vector(ScalarKind, u32),
    Struct(usize),
    Other(String),
}

/// A data member of a struct.
struct Field {
    name: String,
    at: usize,
    ty: Ty,
    attrs: Vec<Attr>,
    array: bool,
}

pub(crate) struct IoCx<'a> {
    pub pp: &'a Preprocessed,
    pub toks: &'a [Token],
    pub m: &'a [usize],
    pub structs: &'a [StructDef],
    /// Integer constants for attribute indices.
    pub eval: &'a dyn Fn(usize, usize) -> Option<i64>,
}

/// Where an entry point is declared: its return type's tokens, its parameter list's
/// parentheses and the namespace it is in (for struct lookup).
pub(crate) struct Decl {
    pub ret: (usize, usize),
    pub paren: Option<(usize, usize)>,
    pub ns: String,
    /// Template parameter name → argument text (an instantiation of a template).
    pub subst: Vec<(String, String)>,
}

impl IoCx<'_> {
    fn err(&self, i: usize, msg: impl Into<String>) -> Diagnostic {
        let loc = self.toks.get(i).or(self.toks.last()).map(|t| t.loc).unwrap_or_default();
        Diagnostic::error_at(&self.pp.files, loc, msg)
    }

    fn close(&self, i: usize) -> usize {
        self.m.get(i).copied().unwrap_or(NONE)
    }

    /// The stage interface of vertex/fragment entry point `ep` declared at `decl`.
    pub fn stage_io(&self, ep: &EntryPoint, decl: &Decl) -> Result<(StageIo, IoMembers), Diagnostic> {
        let mut io = StageIo::default();
        let mut mem = IoMembers::default();
        let at = decl.ret.1.min(self.toks.len().saturating_sub(1));
        // The [[stage_in]] parameter.
        if let Some(si) = ep.params.iter().position(|p| p.binding == Binding::StageIn) {
            let (lo, hi) = self.param_tokens(decl, si).unwrap_or((at, at));
            let ty = self.parse_type(lo, hi, &decl.ns, &decl.subst);
            let Ty::Struct(s) = ty else {
                let what = match ty {
                    Ty::Other(t) => format!("'{t}'"),
                    _ => "not a struct".into(),
                };
                return Err(self.err(
                    lo,
                    format!(
                        "the [[stage_in]] parameter '{}' of '{}' must be a struct ({what})",
                        ep.params[si].name, ep.name
                    ),
                ));
            };
            for f in self.fields(s)? {
                match ep.stage {
                    Stage::Vertex => self.vertex_input(&f, s, &mut io, &mut mem)?,
                    _ => self.fragment_input(&f, s, &mut io, &mut mem)?,
                }
            }
        }
        let ret = self.parse_type(decl.ret.0, decl.ret.1, &decl.ns, &decl.subst);
        mem.returns = !matches!(ret, Ty::Void);
        match (ep.stage, ret) {
            (_, Ty::Void) => {}
            (Stage::Vertex, Ty::Vector(ScalarKind::Float, 4)) => {
                mem.outputs.push(member("", ScalarKind::Float, 4, Role::Position));
            }
            (Stage::Vertex, Ty::Struct(s)) => {
                for f in self.fields(s)? {
                    self.vertex_output(&f, s, &mut io, &mut mem)?;
                }
                if !mem.outputs.iter().any(|m| m.role == Role::Position) {
                    return Err(self.err(
                        self.structs[s].body.0,
                        format!(
                            "the output struct '{}' of vertex function '{}' has no [[position]] member",
                            self.structs[s].qual, ep.name
                        ),
                    ));
                }
            }
            (Stage::Fragment, Ty::Vector(kind, n)) => {
                io.colors.push(Slot { index: 0, kind, components: n });
                mem.outputs.push(member("", kind, n, Role::Color(0)));
            }
            (Stage::Fragment, Ty::Struct(s)) => {
                for f in self.fields(s)? {
                    self.fragment_output(&f, s, &mut io, &mut mem)?;
                }
            }
            (stage, ty) => {
                let t = match ty {
                    Ty::Other(t) => t,
                    Ty::Vector(k, n) => format!("{k:?}{n}").to_lowercase(),
                    _ => String::new(),
                };
                let want = if stage == Stage::Vertex {
                    "a vertex function returns float4, a struct with a [[position]] member, or void"
                } else {
                    "a fragment function returns a scalar or vector (color 0), a struct of [[color(n)]] / [[depth(...)]] members, or void"
                };
                return Err(
                    self.err(decl.ret.0.min(at), format!("unsupported return type '{t}' of '{}': {want}", ep.name))
                );
            }
        }
        Ok((io, mem))
    }

    /// The tokens of parameter `index` (attributes included).
    fn param_tokens(&self, decl: &Decl, index: usize) -> Option<(usize, usize)> {
        let (p, pe) = decl.paren?;
        let segs: Vec<(usize, usize)> = split_commas(self.toks, self.m, p + 1, pe)
            .into_iter()
            .filter(|&(lo, hi)| !(hi <= lo || hi == lo + 1 && self.toks[lo].is_ident("void")))
            .collect();
        let (lo, hi) = *segs.get(index)?;
        // Drop the parameter name (the last identifier) and a default argument.
        let hi = (lo..hi).find(|&j| self.toks[j].is_punct("=")).unwrap_or(hi);
        let mut end = hi;
        let mut j = lo;
        // (`end` stays `hi` for an unnamed parameter.)
        while j < hi {
            if let Some(e) = attr_end(self.toks, self.m, j) {
                j = e + 1;
                continue;
            }
            // A declarator name follows a type word, `&`, `*` or `>` (not `::`).
            let named = j > lo
                && (self.toks[j - 1].kind == TokenKind::Ident
                    || ["&", "&&", "*", ">", ">>"].iter().any(|p| self.toks[j - 1].is_punct(p)));
            if self.toks[j].kind == TokenKind::Ident && named {
                end = j;
            }
            j += 1;
        }
        Some((lo, end))
    }

    /// Parses the type in `[lo, hi)`, skipping attributes, qualifiers, references and
    /// declaration specifiers; names in `subst` (template parameters) are replaced.
    fn parse_type(&self, lo: usize, hi: usize, ns: &str, subst: &[(String, String)]) -> Ty {
        let toks = self.toks;
        let mut words: Vec<Token> = Vec::new();
        let mut j = lo;
        while j < hi.min(toks.len()) {
            if let Some(e) = attr_end(toks, self.m, j) {
                j = e + 1;
                continue;
            }
            let t = &toks[j];
            if t.is_ident("__attribute__") {
                let e = self.close(j + 1);
                j = if e != NONE && e > j { e + 1 } else { j + 1 };
                continue;
            }
            let skip = matches!(
                &*t.text,
                "const"
                    | "volatile"
                    | "thread"
                    | "device"
                    | "constant"
                    | "static"
                    | "inline"
                    | "extern"
                    | "constexpr"
                    | "typename"
                    | "struct"
                    | "class"
                    | "vertex"
                    | "fragment"
                    | "kernel"
                    | "__forceinline__"
            ) && t.kind == TokenKind::Ident
                || t.is_punct("&")
                || t.is_punct("&&");
            match subst.iter().find(|(n, _)| t.kind == TokenKind::Ident && **n == *t.text) {
                Some((_, arg)) => match crate::lex::lex(arg, t.loc.file) {
                    Ok(ts) => words.extend(ts.into_iter().filter(|t| !t.is_ident("const"))),
                    Err(_) => words.push(t.clone()),
                },
                None if !skip => words.push(t.clone()),
                None => {}
            }
            j += 1;
        }
        // Namespace prefixes of library types.
        let mut w: &[Token] = &words;
        if w.first().is_some_and(|t| t.is_punct("::")) {
            w = &w[1..];
        }
        if w.len() >= 2 && (w[0].is_ident("metal") || w[0].is_ident("simd")) && w[1].is_punct("::") {
            w = &w[2..];
        }
        let text: String = w.iter().map(|t| &*t.text).collect::<Vec<_>>().join(" ");
        if text == "void" {
            return Ty::Void;
        }
        if let Some((k, n)) = scalar_type(&text) {
            return Ty::Vector(k, n);
        }
        let compact: String = w.iter().map(|t| &*t.text).collect();
        match self.find_struct(&compact, ns) {
            Some(s) => Ty::Struct(s),
            None => Ty::Other(text),
        }
    }

    fn find_struct(&self, name: &str, ns: &str) -> Option<usize> {
        if name.is_empty() || name.contains('<') {
            return None;
        }
        // From the innermost enclosing namespace outwards, then anywhere (a unique suffix).
        let mut scope = ns.to_string();
        loop {
            let q = if scope.is_empty() { name.to_string() } else { format!("{scope}::{name}") };
            if let Some(i) = self.structs.iter().rposition(|s| s.qual == q) {
                return Some(i);
            }
            if scope.is_empty() {
                break;
            }
            scope = scope.rsplit_once("::").map(|(a, _)| a.to_string()).unwrap_or_default();
        }
        let suffix = format!("::{name}");
        let hits: Vec<usize> =
            self.structs.iter().enumerate().filter(|(_, s)| s.qual.ends_with(&suffix)).map(|(i, _)| i).collect();
        (hits.len() == 1).then(|| hits[0])
    }

    /// The data members of struct `s`, in declaration order.
    fn fields(&self, s: usize) -> Result<Vec<Field>, Diagnostic> {
        let toks = self.toks;
        let (open, close) = self.structs[s].body;
        let mut out = Vec::new();
        let mut start = open + 1;
        let mut j = open + 1;
        let mut function = false;
        let mut init = false;
        while j < close {
            if let Some(e) = attr_end(toks, self.m, j) {
                j = e + 1;
                continue;
            }
            let t = &toks[j];
            if t.is_punct("=") {
                init = true;
            }
            if t.is_punct("(") && !init {
                function = true;
            }
            if t.is_punct("{") || t.is_punct("(") || t.is_punct("[") {
                let e = self.close(j);
                let body = t.is_punct("{") && function;
                j = if e != NONE && e > j { e + 1 } else { j + 1 };
                if body {
                    // A member function with a body: no `;` follows.
                    start = j;
                    function = false;
                    init = false;
                }
                continue;
            }
            if t.is_punct(";") {
                if !function {
                    self.member_decl(start, j, s, &mut out)?;
                }
                function = false;
                init = false;
                start = j + 1;
            }
            j += 1;
        }
        Ok(out)
    }

    /// One member declaration `[lo, hi)` (without the `;`).
    fn member_decl(&self, mut lo: usize, hi: usize, s: usize, out: &mut Vec<Field>) -> Result<(), Diagnostic> {
        let toks = self.toks;
        // Access specifiers.
        while lo + 1 < hi
            && matches!(ident(toks.get(lo)), Some("public" | "private" | "protected"))
            && is_p(toks.get(lo + 1), ":")
        {
            lo += 2;
        }
        if lo >= hi
            || matches!(
                ident(toks.get(lo)),
                Some(
                    "static"
                        | "using"
                        | "typedef"
                        | "template"
                        | "friend"
                        | "struct"
                        | "class"
                        | "union"
                        | "enum"
                        | "constexpr"
                        | "static_assert"
                )
            )
        {
            return Ok(());
        }
        let segs = split_commas(toks, self.m, lo, hi);
        let mut type_range = (lo, lo);
        for (n, &(slo, shi)) in segs.iter().enumerate() {
            let mut list = Vec::new();
            let mut plain = Vec::new();
            let mut j = slo;
            while j < shi {
                if let Some(e) = attr_end(toks, self.m, j) {
                    list.extend(attrs(toks, self.m, j, e));
                    j = e + 1;
                    continue;
                }
                if toks[j].is_punct("=") || toks[j].is_punct(":") && !is_p(toks.get(j + 1), ":") {
                    break;
                }
                plain.push(j);
                let e = self.close(j);
                j = if e != NONE && e > j && toks[j].is_punct("[") { e + 1 } else { j + 1 };
            }
            let array = plain.iter().any(|&i| toks[i].is_punct("["));
            let plain: Vec<usize> = plain.into_iter().filter(|&i| !toks[i].is_punct("[")).collect();
            let Some(pos) = plain.iter().rposition(|&i| toks[i].kind == TokenKind::Ident) else {
                return Err(self.err(slo, format!("cannot read this member of struct '{}'", self.structs[s].qual)));
            };
            let name_at = plain[pos];
            if n == 0 {
                if pos == 0 {
                    return Err(self.err(name_at, format!("member '{}' has no type", toks[name_at].text)));
                }
                type_range = (plain[0], name_at);
            }
            // Pointers are never stage values; keep them as an unsupported type.
            let pointer = plain[..pos].iter().any(|&i| toks[i].is_punct("*"));
            let ty = if pointer {
                Ty::Other(format!("{} *", crate::lex::spell(&toks[type_range.0..type_range.1])))
            } else {
                self.parse_type(type_range.0, type_range.1, "", &[])
            };
            let ty = match ty {
                Ty::Struct(_) | Ty::Void => Ty::Other(crate::lex::spell(&toks[type_range.0..type_range.1])),
                t => t,
            };
            out.push(Field { name: toks[name_at].text.to_string(), at: name_at, ty, attrs: list, array });
        }
        Ok(())
    }

    /// The scalar kind and width of field `f`, or an error naming the struct.
    fn value_type(&self, f: &Field, s: usize, role: &str) -> Result<(ScalarKind, u32), Diagnostic> {
        if f.array {
            return Err(
                self.err(f.at, format!("member '{}' of '{}': arrays cannot be {role}", f.name, self.structs[s].qual))
            );
        }
        match &f.ty {
            Ty::Vector(k, n) => Ok((*k, *n)),
            Ty::Other(t) => Err(self.err(
                f.at,
                format!(
                    "member '{}' of '{}' has type '{t}', which cannot be {role} (scalars and vectors of \
                     float, half, int, uint, short, ushort, char, uchar, bool only)",
                    f.name, self.structs[s].qual
                ),
            )),
            _ => Err(self.err(f.at, format!("member '{}' of '{}' has no usable type", f.name, self.structs[s].qual))),
        }
    }

    fn index_arg(&self, a: &Attr, max: u32) -> Result<u32, Diagnostic> {
        let (lo, hi) = a.args.ok_or_else(|| self.err(a.at, format!("'[[{}]]' needs an index", a.name)))?;
        let v = (self.eval)(lo, hi)
            .ok_or_else(|| self.err(lo, format!("{} index must be an integer constant expression", a.name)))?;
        u32::try_from(v)
            .ok()
            .filter(|&v| v <= max)
            .ok_or_else(|| self.err(lo, format!("{} index {v} is out of range (0..={max})", a.name)))
    }

    fn user_name(&self, a: &Attr) -> Result<String, Diagnostic> {
        let (lo, hi) = a.args.ok_or_else(|| self.err(a.at, "'[[user]]' needs a name: [[user(NAME)]]"))?;
        let s: String = self.toks[lo..hi].iter().map(|t| &*t.text).collect();
        if s.is_empty() {
            return Err(self.err(a.at, "'[[user]]' needs a name: [[user(NAME)]]"));
        }
        Ok(s)
    }

    /// A varying (vertex output or fragment input) with its interpolation attributes.
    fn varying(&self, f: &Field, s: usize, role: &str, io: &mut StageIo) -> Result<Member, Diagnostic> {
        let (kind, n) = self.value_type(f, s, role)?;
        let mut user = None;
        let mut interp = None;
        for a in &f.attrs {
            let i = match a.name.as_str() {
                "user" => {
                    user = Some(self.user_name(a)?);
                    continue;
                }
                "flat" => Interpolation::Flat,
                "center_perspective" | "centroid_perspective" | "sample_perspective" => Interpolation::Perspective,
                "center_no_perspective" | "centroid_no_perspective" | "sample_no_perspective" => {
                    Interpolation::NoPerspective
                }
                "invariant" => continue,
                n => {
                    return Err(self.err(
                        a.at,
                        format!("'[[{n}]]' is not valid on member '{}' ({role}) of '{}'", f.name, self.structs[s].qual),
                    ))
                }
            };
            if interp.is_some_and(|p| p != i) {
                return Err(self.err(a.at, format!("member '{}' has two interpolation attributes", f.name)));
            }
            interp = Some(i);
        }
        let interpolation =
            if !kind.is_float() { Interpolation::Flat } else { interp.unwrap_or(Interpolation::Perspective) };
        io.varyings.push(Varying { name: f.name.clone(), user, kind, components: n, interpolation });
        Ok(member(&f.name, kind, n, Role::Varying(io.varyings.len() - 1)))
    }

    fn vertex_input(&self, f: &Field, s: usize, io: &mut StageIo, mem: &mut IoMembers) -> Result<(), Diagnostic> {
        let Some(a) = f.attrs.iter().find(|a| a.name == "attribute") else {
            return Err(self.err(
                f.at,
                format!(
                    "member '{}' of the vertex [[stage_in]] struct '{}' needs [[attribute(n)]]",
                    f.name, self.structs[s].qual
                ),
            ));
        };
        let index = self.index_arg(a, 30)?;
        let (kind, n) = self.value_type(f, s, "a vertex attribute")?;
        if io.attributes.iter().any(|x| x.index == index) {
            return Err(self.err(a.at, format!("[[attribute({index})]] is used twice in '{}'", self.structs[s].qual)));
        }
        io.attributes.push(Slot { index, kind, components: n });
        mem.inputs.push(member(&f.name, kind, n, Role::Attribute(index)));
        Ok(())
    }

    fn fragment_input(&self, f: &Field, s: usize, io: &mut StageIo, mem: &mut IoMembers) -> Result<(), Diagnostic> {
        for a in &f.attrs {
            let b = match a.name.as_str() {
                "position" => Some(Builtin::Position),
                "front_facing" => Some(Builtin::FrontFacing),
                "primitive_id" => Some(Builtin::PrimitiveId),
                "point_coord" => Some(Builtin::PointCoord),
                "sample_id" => Some(Builtin::SampleId),
                // Vertex-only outputs in a struct shared with the vertex function: left unset.
                "point_size" | "clip_distance" => return Ok(()),
                "color"
                | "attribute"
                | "depth"
                | "sample_mask"
                | "render_target_array_index"
                | "viewport_array_index" => {
                    return Err(self.err(
                        a.at,
                        format!(
                            "'[[{}]]' on member '{}' of a fragment [[stage_in]] struct is not supported",
                            a.name, f.name
                        ),
                    ))
                }
                _ => None,
            };
            if let Some(b) = b {
                let (kind, n) = self.value_type(f, s, "a fragment input")?;
                mem.inputs.push(member(&f.name, kind, n, Role::Builtin(b)));
                return Ok(());
            }
        }
        let m = self.varying(f, s, "a fragment input", io)?;
        mem.inputs.push(m);
        Ok(())
    }

    fn vertex_output(&self, f: &Field, s: usize, io: &mut StageIo, mem: &mut IoMembers) -> Result<(), Diagnostic> {
        for a in &f.attrs {
            match a.name.as_str() {
                "position" => {
                    let t = self.value_type(f, s, "a position")?;
                    if t != (ScalarKind::Float, 4) {
                        return Err(self.err(f.at, format!("the [[position]] member '{}' must be a float4", f.name)));
                    }
                    mem.outputs.push(member(&f.name, ScalarKind::Float, 4, Role::Position));
                    return Ok(());
                }
                "point_size" => {
                    let t = self.value_type(f, s, "a point size")?;
                    if t.1 != 1 || !t.0.is_float() {
                        return Err(self.err(f.at, format!("the [[point_size]] member '{}' must be a float", f.name)));
                    }
                    io.writes_point_size = true;
                    mem.outputs.push(member(&f.name, t.0, 1, Role::PointSize));
                    return Ok(());
                }
                // Clip distances are not applied by the rasterizer; not a varying either.
                "clip_distance" => return Ok(()),
                "render_target_array_index" | "viewport_array_index" | "color" | "depth" | "attribute" => {
                    return Err(self
                        .err(a.at, format!("'[[{}]]' on vertex output member '{}' is not supported", a.name, f.name)))
                }
                _ => {}
            }
        }
        let m = self.varying(f, s, "a vertex output", io)?;
        mem.outputs.push(m);
        Ok(())
    }

    fn fragment_output(&self, f: &Field, s: usize, io: &mut StageIo, mem: &mut IoMembers) -> Result<(), Diagnostic> {
        let mut color = None;
        let mut depth = false;
        for a in &f.attrs {
            match a.name.as_str() {
                "color" => color = Some(self.index_arg(a, 7)?),
                "index" => {
                    if self.index_arg(a, 1)? != 0 {
                        return Err(self.err(a.at, "dual-source blending ([[index(1)]]) is not supported"));
                    }
                }
                "depth" => {
                    let ok = a.args.is_some_and(|(lo, hi)| {
                        hi == lo + 1 && matches!(&*self.toks[lo].text, "any" | "greater" | "less")
                    });
                    if !ok {
                        return Err(self.err(a.at, "expected [[depth(any)]], [[depth(greater)]] or [[depth(less)]]"));
                    }
                    depth = true;
                }
                "invariant" => {}
                n => {
                    return Err(
                        self.err(a.at, format!("'[[{n}]]' on fragment output member '{}' is not supported", f.name))
                    )
                }
            }
        }
        if depth {
            let t = self.value_type(f, s, "a depth output")?;
            if t.1 != 1 || !t.0.is_float() {
                return Err(self.err(f.at, format!("the [[depth]] member '{}' must be a float", f.name)));
            }
            io.writes_depth = true;
            mem.outputs.push(member(&f.name, t.0, 1, Role::Depth));
            return Ok(());
        }
        let Some(index) = color else {
            return Err(self.err(
                f.at,
                format!(
                    "member '{}' of fragment output struct '{}' needs [[color(n)]] or [[depth(...)]]",
                    f.name, self.structs[s].qual
                ),
            ));
        };
        let (kind, n) = self.value_type(f, s, "a colour output")?;
        if io.colors.iter().any(|c| c.index == index) {
            return Err(self.err(f.at, format!("[[color({index})]] is written twice")));
        }
        io.colors.push(Slot { index, kind, components: n });
        mem.outputs.push(member(&f.name, kind, n, Role::Color(io.colors.len() - 1)));
        Ok(())
    }
}

fn member(name: &str, kind: ScalarKind, components: u32, role: Role) -> Member {
    Member { name: name.to_string(), kind, components, role }
}

/// `float4`, `packed_half3`, `vector_int2`, `uint`, `unsigned int`, `vec<float, 4>` → kind, width.
fn scalar_type(text: &str) -> Option<(ScalarKind, u32)> {
    let multi = match text {
        "unsigned" | "unsigned int" => Some((ScalarKind::Uint, 1)),
        "signed" | "signed int" => Some((ScalarKind::Int, 1)),
        "unsigned short" | "unsigned short int" => Some((ScalarKind::Ushort, 1)),
        "short int" | "signed short" => Some((ScalarKind::Short, 1)),
        "unsigned char" => Some((ScalarKind::Uchar, 1)),
        "signed char" => Some((ScalarKind::Char, 1)),
        _ => None,
    };
    if multi.is_some() {
        return multi;
    }
    // vec<T, N> / packed_vec<T, N>
    if let Some(rest) = text.strip_prefix("vec <").or_else(|| text.strip_prefix("packed_vec <")) {
        let inner = rest.strip_suffix('>')?.trim();
        let (e, n) = inner.rsplit_once(',')?;
        let (k, one) = scalar_type(e.trim())?;
        let n: u32 = n.trim().parse().ok()?;
        return (one == 1 && (2..=4).contains(&n)).then_some((k, n));
    }
    let base = ["packed_", "vector_", "simd_"].iter().find_map(|p| text.strip_prefix(p)).unwrap_or(text);
    const KINDS: [(&str, ScalarKind); 9] = [
        ("float", ScalarKind::Float),
        ("half", ScalarKind::Half),
        ("int", ScalarKind::Int),
        ("uint", ScalarKind::Uint),
        ("short", ScalarKind::Short),
        ("ushort", ScalarKind::Ushort),
        ("char", ScalarKind::Char),
        ("uchar", ScalarKind::Uchar),
        ("bool", ScalarKind::Bool),
    ];
    for (name, k) in KINDS {
        if let Some(suffix) = base.strip_prefix(name) {
            let n = match suffix {
                "" if base == text => 1,
                "2" => 2,
                "3" => 3,
                "4" => 4,
                _ => continue,
            };
            return Some((k, n));
        }
    }
    None
}

fn kind_name(k: ScalarKind, n: u32) -> String {
    let base = match k {
        ScalarKind::Float => "float",
        ScalarKind::Half => "half",
        ScalarKind::Int => "int",
        ScalarKind::Uint => "uint",
        ScalarKind::Short => "short",
        ScalarKind::Ushort => "ushort",
        ScalarKind::Char => "char",
        ScalarKind::Uchar => "uchar",
        ScalarKind::Bool => "bool",
    };
    if n == 1 {
        base.to_string()
    } else {
        format!("{base}{n}")
    }
}

/// One line per value, indented by two spaces (`mslc --reflect`, golden tests).
impl std::fmt::Display for StageIo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for a in &self.attributes {
            writeln!(f, "  in  attribute({}) {}", a.index, kind_name(a.kind, a.components))?;
        }
        if self.writes_point_size {
            writeln!(f, "  out point_size")?;
        }
        for v in &self.varyings {
            let user = v.user.as_ref().map(|u| format!(" user({u})")).unwrap_or_default();
            let interp = match v.interpolation {
                Interpolation::Perspective => "perspective",
                Interpolation::NoPerspective => "no_perspective",
                Interpolation::Flat => "flat",
            };
            writeln!(f, "  varying {} {}{user} {interp}", kind_name(v.kind, v.components), v.name)?;
        }
        for c in &self.colors {
            writeln!(f, "  out color({}) {}", c.index, kind_name(c.kind, c.components))?;
        }
        if self.writes_depth {
            writeln!(f, "  out depth")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::scalar_type;
    use crate::ScalarKind::*;

    #[test]
    fn scalar_type_names() {
        assert_eq!(scalar_type("float4"), Some((Float, 4)));
        assert_eq!(scalar_type("packed_half3"), Some((Half, 3)));
        assert_eq!(scalar_type("vector_uint2"), Some((Uint, 2)));
        assert_eq!(scalar_type("simd_float4"), Some((Float, 4)));
        assert_eq!(scalar_type("unsigned int"), Some((Uint, 1)));
        assert_eq!(scalar_type("vec < float , 3 >"), Some((Float, 3)));
        assert_eq!(scalar_type("bool"), Some((Bool, 1)));
        assert_eq!(scalar_type("packed_float"), None);
        assert_eq!(scalar_type("float4x4"), None);
        assert_eq!(scalar_type("float5"), None);
    }
}

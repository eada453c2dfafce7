//! The token rewrite of the user's code (docs/abi.md §2): address spaces by context,
//! `threadgroup` declarations, program-scope and function constants, MSL type names,
//! swizzles, half literals, stage keywords, Metal attributes and pragmas.

use super::keywords::{
    is_address_space, is_constexpr_scalar, is_msl_template, is_msl_type, is_std_attribute, is_swizzle,
};
use super::out::Out;
use crate::lex::{Token, TokenKind};
use crate::parse::scan::{attr_end, attrs, ident, is_id, is_p, split_commas, NONE};
use crate::parse::Analysis;
use crate::preprocess::Preprocessed;
use crate::{ConstantValue, ConstantValues, Diagnostic, Target};
use std::collections::{HashMap, HashSet};

/// Threadgroup declaration sites per translation unit (`PM_MAX_TG_SITES` in pm_abi.h).
const MAX_TG_SITES: u32 = 128;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Scope {
    Namespace,
    Class,
    Body,
    Init,
}

pub(crate) struct Rewriter<'a> {
    pp: &'a Preprocessed,
    toks: &'a [Token],
    m: &'a [usize],
    an: &'a Analysis,
    target: Target,
    constants: &'a ConstantValues,
    pub out: Out<'a>,
    next_site: u32,
    /// Names the `using pm_tg_t_<n>` aliases (unique even where site ids are shared).
    next_alias: u32,
    removed: HashMap<usize, usize>,
    /// Sorted token ranges of bodies reachable from the emitted entry points.
    live: Vec<(usize, usize)>,
    fc_at: HashMap<usize, usize>,
    /// Names usable in constant expressions (function constants, constexpr constants).
    constexpr_names: HashSet<String>,
    scopes: Vec<Scope>,
    /// Per scope: data members named like swizzles (`float2 xy;`) of a class scope. They are
    /// renamed `<name>_pm_f` (declaration and bare uses inside the class) and get accessors
    /// `<name>()` / `<name>_ref()`, which is what `s.xy` becomes.
    swz_fields: Vec<Vec<String>>,
    paren: i32,
    /// Last significant (emitted or consumed) token.
    prev: Option<usize>,
    pending_ns: bool,
    /// Shader validation: `(type start, '*')` of kernel buffer pointers, whose type becomes
    /// `::pm_chk::ptr<T>` (see `Analysis::checked_decls`); empty without validation.
    checked_open: HashSet<usize>,
    checked_star: HashSet<usize>,
}

impl<'a> Rewriter<'a> {
    /// `entries`: indices of the entry points being emitted; threadgroup declarations they
    /// can reach get distinct site ids, all others (never run) share site 0.
    pub fn new(
        pp: &'a Preprocessed,
        an: &'a Analysis,
        target: Target,
        constants: &'a ConstantValues,
        entries: &[usize],
        validation: bool,
    ) -> Self {
        let checked = if validation { an.checked_decls.as_slice() } else { &[] };
        let mut removed: HashMap<usize, usize> = an.removed.iter().copied().collect();
        removed.extend(duplicate_members(&pp.tokens, &an.matching));
        removed.extend(duplicate_functions(&pp.tokens, &an.matching));
        Rewriter {
            pp,
            toks: &pp.tokens,
            m: &an.matching,
            an,
            target,
            constants,
            out: Out::new(&pp.files),
            next_site: 0,
            next_alias: 0,
            removed,
            live: an.reachable_ranges(entries),
            fc_at: an.fconsts.iter().enumerate().map(|(i, f)| (f.lo, i)).collect(),
            constexpr_names: an.reflection.function_constants.iter().map(|f| f.name.clone()).collect(),
            scopes: vec![Scope::Namespace],
            swz_fields: vec![Vec::new()],
            paren: 0,
            prev: None,
            pending_ns: false,
            checked_open: checked.iter().map(|d| d.0).collect(),
            checked_star: checked.iter().map(|d| d.1).collect(),
        }
    }

    fn err(&self, i: usize, msg: impl Into<String>) -> Diagnostic {
        let loc = self.toks.get(i).or(self.toks.last()).map(|t| t.loc).unwrap_or_default();
        Diagnostic::error_at(&self.pp.files, loc, msg)
    }

    fn scope(&self) -> Scope {
        self.scopes.last().copied().unwrap_or(Scope::Namespace)
    }

    fn close(&self, i: usize) -> usize {
        self.m.get(i).copied().unwrap_or(NONE)
    }

    /// Rewrites the whole translation unit.
    pub fn run(&mut self) -> Result<(), Diagnostic> {
        self.range(0, self.toks.len())?;
        self.out.newline();
        Ok(())
    }

    fn range(&mut self, lo: usize, hi: usize) -> Result<(), Diagnostic> {
        let mut i = lo;
        while i < hi {
            i = self.one(i)?.max(i + 1);
        }
        Ok(())
    }

    fn emit(&mut self, i: usize) {
        let t = &self.toks[i];
        self.out.token(&t.text, t.loc, t.space_before);
        self.prev = Some(i);
    }

    fn emit_text(&mut self, text: &str, i: usize) {
        let t = &self.toks[i];
        self.out.token(text, t.loc, t.space_before);
    }

    /// Rewrites the token at `i`; returns the index of the next token to look at.
    fn one(&mut self, i: usize) -> Result<usize, Diagnostic> {
        if let Some(&e) = self.removed.get(&i) {
            self.prev = Some(e.saturating_sub(1));
            return Ok(e);
        }
        if let Some(&f) = self.fc_at.get(&i) {
            return self.function_constant(f);
        }
        if self.checked_star.contains(&i) {
            self.emit_text(">", i);
            self.prev = Some(i);
            return Ok(i + 1);
        }
        if self.checked_open.contains(&i) {
            self.emit_text("::pm_chk::ptr<", i);
        }
        let toks = self.toks;
        let t = &toks[i];
        match t.kind {
            TokenKind::Pragma => {
                self.pragma(i);
                Ok(i + 1)
            }
            TokenKind::Number => {
                match half_literal(&t.text) {
                    Some(h) => {
                        self.emit_text(&h, i);
                        self.prev = Some(i);
                    }
                    None => self.emit(i),
                }
                Ok(i + 1)
            }
            // A directive the preprocessor left (only while it is a placeholder): dropped.
            TokenKind::Punct if t.line_start && t.is_punct("#") => {
                let mut j = i + 1;
                while toks.get(j).is_some_and(|t| !t.line_start) {
                    j += 1;
                }
                Ok(j)
            }
            TokenKind::Punct => self.punct(i),
            TokenKind::Ident => self.ident(i),
            TokenKind::Other => Err(self.err(i, format!("unexpected character '{}'", t.text.escape_default()))),
            _ => {
                self.emit(i);
                Ok(i + 1)
            }
        }
    }

    fn punct(&mut self, i: usize) -> Result<usize, Diagnostic> {
        let toks = self.toks;
        let t = &toks[i];
        match &*t.text {
            "[" => {
                if let Some(e) = attr_end(toks, self.m, i) {
                    let list = attrs(toks, self.m, i, e);
                    if !list.is_empty() && list.iter().all(|a| is_std_attribute(&a.name)) {
                        for j in i..=e {
                            self.emit(j);
                        }
                    }
                    return Ok(e + 1);
                }
            }
            "{" => {
                let s = self.classify_brace();
                self.scopes.push(s);
                let fields = if s == Scope::Class { swizzle_fields(toks, self.m, i) } else { Vec::new() };
                self.swz_fields.push(fields);
                self.pending_ns = false;
            }
            "}" => {
                if self.scopes.len() > 1 {
                    self.scopes.pop();
                    let fields = self.swz_fields.pop().unwrap_or_default();
                    if !fields.is_empty() {
                        let mut acc = String::from("public:");
                        for f in &fields {
                            acc.push_str(&format!(
                                " PM_INLINE auto &{f}() {{ return {f}_pm_f; }} PM_INLINE const auto &{f}() const {{ return {f}_pm_f; }} PM_INLINE auto &{f}_ref() {{ return {f}_pm_f; }}"
                            ));
                        }
                        self.emit_text(&acc, i);
                    }
                }
            }
            "(" => self.paren += 1,
            ")" => self.paren -= 1,
            ";" => self.pending_ns = false,
            "." | "->" => {
                if let Some(name) = ident(toks.get(i + 1)).filter(|n| is_swizzle(n)) {
                    if !is_p(toks.get(i + 2), "(") {
                        let lvalue = toks.get(i + 2).is_some_and(|n| {
                            n.kind == TokenKind::Punct
                                && matches!(
                                    &*n.text,
                                    "=" | "+="
                                        | "-="
                                        | "*="
                                        | "/="
                                        | "%="
                                        | "&="
                                        | "|="
                                        | "^="
                                        | "<<="
                                        | ">>="
                                        | "++"
                                        | "--"
                                )
                        }) || prefix_incremented(toks, self.m, i);
                        self.emit(i);
                        let text = if lvalue { format!("{name}_ref()") } else { format!("{name}()") };
                        self.emit_text(&text, i + 1);
                        self.prev = Some(i + 1);
                        return Ok(i + 2);
                    }
                }
            }
            _ => {}
        }
        self.emit(i);
        Ok(i + 1)
    }

    fn classify_brace(&self) -> Scope {
        if self.scope() == Scope::Body {
            return Scope::Body;
        }
        if self.pending_ns {
            return Scope::Namespace;
        }
        let Some(mut p) = self.prev else { return Scope::Class };
        // Skip trailing qualifiers of a member function.
        loop {
            let t = &self.toks[p];
            let skip = t.kind == TokenKind::Ident
                && (matches!(&*t.text, "const" | "noexcept" | "override" | "final" | "mutable" | "volatile")
                    || is_address_space(&t.text));
            if !skip || p == 0 {
                break;
            }
            p -= 1;
        }
        let t = &self.toks[p];
        if t.kind == TokenKind::Str {
            return Scope::Namespace;
        }
        if t.is_punct(")") {
            return Scope::Body;
        }
        if t.kind == TokenKind::Punct && matches!(&*t.text, "=" | "," | "(" | "{" | "[" | "return") {
            return Scope::Init;
        }
        Scope::Class
    }

    fn stmt_start(&self) -> bool {
        match self.prev.and_then(|p| self.toks.get(p)) {
            None => true,
            Some(t) => t.kind == TokenKind::Punct && matches!(&*t.text, ";" | "{" | "}" | ":"),
        }
    }

    fn ident(&mut self, i: usize) -> Result<usize, Diagnostic> {
        let toks = self.toks;
        let t = &toks[i];
        let name = &*t.text;
        let member = i > 0 && matches!(&*toks[i - 1].text, "." | "->" | "::") && toks[i - 1].kind == TokenKind::Punct;
        if member {
            self.emit(i);
            return Ok(i + 1);
        }
        if is_swizzle(name) && self.swz_fields.iter().any(|f| f.iter().any(|n| n == name)) {
            self.emit_text(&format!("{name}_pm_f"), i);
            self.prev = Some(i);
            return Ok(i + 1);
        }
        match name {
            "namespace" if self.scope() != Scope::Body => self.pending_ns = true,
            "kernel" | "vertex" | "fragment"
                if self.scope() != Scope::Body
                    && self.paren == 0
                    && toks
                        .get(i + 1)
                        .is_some_and(|n| n.kind == TokenKind::Ident || n.is_punct("[") || n.is_punct("::")) =>
            {
                return Ok(i + 1);
            }
            "threadgroup" if self.scope() == Scope::Body && self.paren == 0 && self.stmt_start() => {
                return self.tg_decl(i);
            }
            "constant" if self.scope() == Scope::Namespace && self.paren == 0 && self.stmt_start() => {
                return self.program_constant(i);
            }
            n if is_address_space(n) && self.is_qualifier(i) => return Ok(i + 1),
            "is_function_constant_defined"
                if is_p(toks.get(i + 1), "(") && ident(toks.get(i + 2)).is_some() && is_p(toks.get(i + 3), ")") =>
            {
                let c = &toks[i + 2].text;
                let defined = self
                    .an
                    .reflection
                    .function_constants
                    .iter()
                    .find(|f| &*f.name == &**c)
                    .is_some_and(|f| self.constants.get(f).is_some());
                self.emit_text(if defined { "true" } else { "false" }, i);
                self.prev = Some(i + 3);
                return Ok(i + 4);
            }
            n if is_msl_type(n) || is_msl_template(n) && is_p(toks.get(i + 1), "<") => {
                self.emit_text(&format!("::metal::{n}"), i);
                self.prev = Some(i);
                return Ok(i + 1);
            }
            _ => {}
        }
        self.emit(i);
        Ok(i + 1)
    }

    /// An address-space keyword used as a qualifier (dropped): followed by a type, or
    /// trailing a member function's parameter list.
    fn is_qualifier(&self, i: usize) -> bool {
        let next = self.toks.get(i + 1);
        if next.is_some_and(|n| n.kind == TokenKind::Ident || n.is_punct("::")) {
            return true;
        }
        let p = i.checked_sub(1).and_then(|p| self.toks.get(p));
        let pp = i.checked_sub(2).and_then(|p| self.toks.get(p));
        p.is_some_and(|p| p.is_punct(")"))
            || p.is_some_and(|p| p.is_ident("const")) && pp.is_some_and(|p| p.is_punct(")"))
    }

    /// The `;` ending the declaration that starts at `i`, skipping bracket groups (and
    /// brace groups when `braces`).
    fn find_semi(&self, i: usize, braces: bool) -> Option<usize> {
        let mut j = i;
        while let Some(t) = self.toks.get(j) {
            if t.is_punct(";") {
                return Some(j);
            }
            if t.is_punct("}") || t.is_punct("{") && !braces {
                return None;
            }
            let e = self.close(j);
            j = if e != NONE && e > j { e + 1 } else { j + 1 };
        }
        None
    }

    /// `threadgroup T x[N], y;` in a body.
    fn tg_decl(&mut self, i: usize) -> Result<usize, Diagnostic> {
        let toks = self.toks;
        let Some(semi) = self.find_semi(i + 1, true) else {
            return Err(self.err(i, "expected ';' after a threadgroup declaration"));
        };
        let segs = split_commas(toks, self.m, i + 1, semi);
        let mut ty = (i + 1, i + 1);
        let mut decls = Vec::new();
        for (n, &(lo, full_hi)) in segs.iter().enumerate() {
            let eq = (lo..full_hi).find(|&j| toks[j].is_punct("="));
            let hi = eq.unwrap_or(full_hi);
            // The declarator name: an identifier followed by `[` or ending the declarator.
            let name = (lo..hi).rev().find(|&j| {
                toks[j].kind == TokenKind::Ident
                    && (j + 1 == hi || is_p(toks.get(j + 1), "["))
                    && !is_p(toks.get(j.wrapping_sub(1)), "::")
                    && (j > lo || n > 0)
            });
            let Some(name) = name.filter(|&j| (lo..j).all(|k| self.close(k) == NONE || self.close(k) < j)) else {
                return Err(self.err(lo, "expected a name in this threadgroup declaration"));
            };
            if n == 0 {
                ty = (lo, name);
                let pointer = toks[lo..name]
                    .iter()
                    .rev()
                    .find(|t| !t.is_ident("const"))
                    .is_some_and(|t| t.is_punct("*") || t.is_punct("&") || t.is_punct("&&"));
                if pointer {
                    // A pointer or reference to threadgroup memory: just a qualifier.
                    return Ok(i + 1);
                }
            } else if name != lo {
                return Err(self.err(lo, "unsupported declarator in a threadgroup declaration"));
            }
            if let Some(eq) = eq {
                return Err(self.err(eq, "threadgroup variables cannot have initializers"));
            }
            decls.push((name, hi));
        }
        let live = self.live.iter().any(|&(lo, hi)| lo <= i && i < hi);
        for (name, hi) in decls {
            let site = if live { self.next_site } else { 0 };
            if site >= MAX_TG_SITES {
                return Err(self.err(
                    i,
                    format!("too many threadgroup declarations reachable from the emitted entry points (at most {MAX_TG_SITES}); emit fewer entry points at a time"),
                ));
            }
            if live {
                self.next_site += 1;
            }
            let alias = self.next_alias;
            self.next_alias += 1;
            self.emit_text(&format!("using pm_tg_t_{alias} ="), i);
            self.range(ty.0, ty.1)?;
            self.range(name + 1, hi)?;
            let var = self.toks[name].text.clone();
            self.emit_text(&format!("; PM_TG_VAR({site}, pm_tg_t_{alias}, {var});"), name);
        }
        self.prev = Some(semi);
        Ok(semi + 1)
    }

    /// Program-scope `constant T x = ...;`.
    fn program_constant(&mut self, i: usize) -> Result<usize, Diagnostic> {
        let toks = self.toks;
        let Some(semi) = self.find_semi(i + 1, true) else {
            // `constant` before something with a body: a qualifier.
            return Ok(i + 1);
        };
        let is_fn = (i + 1..semi).any(|j| {
            toks[j].is_punct("(")
                && ident(toks.get(j - 1)).is_some_and(|n| n != "decltype" && n != "sizeof")
                && !(i + 1..j).any(|k| toks[k].is_punct("="))
        });
        if is_fn {
            return Ok(i + 1);
        }
        if (i + 1..semi).any(|j| toks[j].is_ident("constexpr")) {
            if !(i + 1..semi).any(|j| toks[j].is_ident("static")) {
                self.emit_text("static", i);
            }
            return Ok(i + 1);
        }
        // `constant [const] SCALAR NAME = init;` with a constant initializer.
        let mut j = i + 1;
        while is_id(toks.get(j), "const") {
            j += 1;
        }
        let scalar = ident(toks.get(j)).is_some_and(is_constexpr_scalar) || is_id(toks.get(j), "unsigned");
        let mut k = j + 1;
        while ident(toks.get(k)).is_some_and(|n| matches!(n, "int" | "long" | "short" | "char")) {
            k += 1;
        }
        let name = ident(toks.get(k));
        let simple = scalar && name.is_some() && is_p(toks.get(k + 1), "=") && k + 2 < semi;
        let constant_init = simple
            && toks[k + 2..semi].iter().all(|t| match t.kind {
                TokenKind::Number | TokenKind::Char => half_literal(&t.text).is_none(),
                TokenKind::Punct => t.text.as_ref() != "{",
                TokenKind::Ident => {
                    matches!(&*t.text, "true" | "false" | "sizeof" | "static_cast" | "is_function_constant_defined")
                        || is_constexpr_scalar(&t.text)
                        || self.constexpr_names.contains(&*t.text)
                }
                _ => false,
            });
        if constant_init {
            if let Some(n) = name {
                self.constexpr_names.insert(n.to_string());
            }
            self.emit_text("static constexpr", i);
        } else {
            self.emit_text("PM_CONSTANT", i);
        }
        Ok(i + 1)
    }

    fn function_constant(&mut self, f: usize) -> Result<usize, Diagnostic> {
        let d = self.an.fconsts[f].clone();
        let Some(fc) = self.an.reflection.function_constants.get(d.index) else { return Ok(d.hi) };
        let toks = self.toks;
        let scalar = d.ty.1 == d.ty.0 + 1 && ident(toks.get(d.ty.0)).is_some_and(is_constexpr_scalar);
        self.emit_text(if scalar { "static constexpr" } else { "PM_CONSTANT" }, d.lo);
        self.range(d.ty.0, d.ty.1)?;
        self.emit(d.name_at);
        let value = self.constants.get(fc);
        match (value, d.init) {
            (Some(v), _) => {
                let text = format!("= {};", constant_literal(v));
                self.emit_text(&text, d.name_at);
            }
            (None, Some((lo, hi))) => {
                self.emit_text("=", d.name_at);
                self.range(lo, hi)?;
                self.emit_text(";", d.name_at);
            }
            (None, None) => self.emit_text("{};", d.name_at),
        }
        self.prev = Some(d.hi.saturating_sub(1));
        Ok(d.hi)
    }

    fn pragma(&mut self, i: usize) {
        let t = &self.toks[i];
        let body = t.text.trim();
        let disable = body.contains("disable") || body.starts_with("nounroll") || body.contains("unroll(1)");
        let unroll = !disable
            && (body == "unroll"
                || body.starts_with("unroll ")
                || body.starts_with("unroll(")
                || body.starts_with("GCC unroll")
                || body.starts_with("clang loop") && body.contains("unroll"));
        // A loop pragma must be followed by a loop, or g++ rejects it.
        let next_loop = self.toks[i + 1..]
            .iter()
            .find(|t| t.kind != TokenKind::Pragma)
            .is_some_and(|t| matches!(&*t.text, "for" | "while" | "do") && t.kind == TokenKind::Ident);
        if unroll && next_loop {
            let text = match self.target {
                Target::Cpu => "#pragma GCC unroll 16",
                Target::Cuda => "#pragma unroll",
            };
            self.out.directive_line(text, t.loc);
        }
    }
}

/// `1.0h` → `::metal::half(1.0f)`; `None` for other numbers.
pub(crate) fn half_literal(text: &str) -> Option<String> {
    if text.starts_with("0x") || text.starts_with("0X") {
        return None;
    }
    let body = text.strip_suffix(['h', 'H'])?;
    if body.is_empty() || !body.bytes().all(|c| c.is_ascii_digit() || matches!(c, b'.' | b'e' | b'E' | b'+' | b'-')) {
        return None;
    }
    let f = if body.contains(['.', 'e', 'E']) { format!("{body}f") } else { format!("{body}.0f") };
    Some(format!("::metal::half({f})"))
}

/// A C++ literal for a function-constant value.
pub(crate) fn constant_literal(v: ConstantValue) -> String {
    match v {
        ConstantValue::Bool(b) => b.to_string(),
        ConstantValue::Int(i) if i == i64::MIN => "(-9223372036854775807LL - 1)".into(),
        ConstantValue::Int(i) => format!("{i}LL"),
        ConstantValue::UInt(u) => format!("{u}ULL"),
        ConstantValue::Float(f) if f.is_nan() => "__builtin_nan(\"\")".into(),
        ConstantValue::Float(f) if f.is_infinite() => {
            if f > 0.0 {
                "__builtin_inf()".into()
            } else {
                "(-__builtin_inf())".into()
            }
        }
        ConstantValue::Float(f) => format!("{f:?}"),
    }
}

/// Member functions of classes with address-space-qualified members (`T f() threadgroup`)
/// whose signatures coincide once the qualifiers are dropped: every copy after the first,
/// as ranges `[start, end)` to leave out (ARCHITECTURE §3 rule 11).
fn duplicate_members(toks: &[Token], m: &[usize]) -> Vec<(usize, usize)> {
    let close = |i: usize| m.get(i).copied().unwrap_or(NONE);
    // Class bodies holding a trailing qualifier: the enclosing `{` of `) threadgroup`.
    let mut classes = Vec::new();
    for i in 1..toks.len() {
        let t = &toks[i];
        if t.kind != TokenKind::Ident || !is_address_space(&t.text) {
            continue;
        }
        let p = &toks[i - 1];
        let trailing = p.is_punct(")") || p.is_ident("const") && i >= 2 && toks[i - 2].is_punct(")");
        if !trailing {
            continue;
        }
        // Walk back to the enclosing `{`, jumping over closed groups.
        let mut j = i - 1;
        let mut steps = 0usize;
        let open = loop {
            steps += 1;
            if steps > 100_000 {
                break None;
            }
            let t = &toks[j];
            if t.is_punct("}") || t.is_punct(")") || t.is_punct("]") {
                let o = close(j);
                if o == NONE || o >= j {
                    break None;
                }
                j = o;
            } else if t.is_punct("{") {
                break Some(j);
            }
            if j == 0 {
                break None;
            }
            j -= 1;
        };
        if let Some(o) = open {
            if !classes.contains(&o) {
                classes.push(o);
            }
        }
    }
    let mut out = Vec::new();
    for lo in classes {
        let hi = close(lo);
        if hi == NONE || hi <= lo {
            continue;
        }
        let mut seen: HashSet<String> = HashSet::new();
        let mut start = lo + 1;
        let mut j = lo + 1;
        while j < hi {
            let t = &toks[j];
            let end = if t.is_punct(";") {
                Some((j, j + 1))
            } else if t.is_punct("{") {
                let e = close(j);
                if e == NONE || e <= j || e > hi {
                    break;
                }
                Some((j, e + 1))
            } else if t.is_punct(":") && j > 0 && matches!(&*toks[j - 1].text, "public" | "private" | "protected") {
                start = j + 1;
                j += 1;
                continue;
            } else {
                None
            };
            match end {
                Some((sig_end, member_end)) => {
                    let sig: Vec<&str> = toks[start..sig_end]
                        .iter()
                        .filter(|t| !(t.kind == TokenKind::Ident && is_address_space(&t.text)))
                        .map(|t| &*t.text)
                        .collect();
                    if sig.contains(&"(") && !seen.insert(sig.join(" ")) {
                        out.push((start, member_end));
                    }
                    j = member_end;
                    start = j;
                }
                None => {
                    let e = close(j);
                    j = if (t.is_punct("(") || t.is_punct("[")) && e != NONE && e > j && e < hi {
                        e + 1
                    } else {
                        j + 1
                    };
                }
            }
        }
    }
    out
}

/// Function definitions at namespace scope that differ from an earlier one only in address
/// spaces (`f(const device T*)` + `f(const threadgroup T*)` with the same body): once the
/// qualifiers are dropped they would be redefinitions, so every copy after the first is left
/// out, as ranges `[start, end)`. Overloads whose bodies differ are kept (the C++ compiler
/// then reports the redefinition at the user's line).
fn duplicate_functions(toks: &[Token], m: &[usize]) -> Vec<(usize, usize)> {
    let close = |i: usize| m.get(i).copied().unwrap_or(NONE);
    let strip = |r: &[Token]| -> (String, bool) {
        let mut had = false;
        let mut v: Vec<&str> = Vec::with_capacity(r.len());
        for t in r {
            if t.kind == TokenKind::Ident && is_address_space(&t.text) {
                had = true;
            } else {
                v.push(&t.text);
            }
        }
        (v.join(" "), had)
    };
    let mut out = Vec::new();
    let mut seen: HashSet<String> = HashSet::new();
    let mut ranges = vec![(0usize, toks.len())];
    let mut budget = 0usize;
    while let Some((lo, hi)) = ranges.pop() {
        let mut start = lo;
        let mut j = lo;
        while j < hi {
            budget += 1;
            if budget > 10_000_000 {
                return out;
            }
            let t = &toks[j];
            if t.is_punct(";") || t.is_punct("}") {
                j += 1;
                start = j;
                continue;
            }
            if t.is_punct("(") || t.is_punct("[") {
                let e = close(j);
                j = if e != NONE && e > j && e < hi { e + 1 } else { j + 1 };
                continue;
            }
            if !t.is_punct("{") {
                j += 1;
                continue;
            }
            let e = close(j);
            if e == NONE || e <= j || e >= hi {
                break;
            }
            let head = &toks[start..j];
            if head.iter().any(|t| t.is_ident("namespace")) {
                ranges.push((j + 1, e));
            } else if head.iter().any(|t| t.is_punct("(")) && !head.iter().any(|t| t.is_punct("=")) {
                let (sig, had) = strip(head);
                if had {
                    let (body, _) = strip(&toks[j..=e]);
                    if !seen.insert(format!("{lo} {sig} {body}")) {
                        out.push((start, e + 1));
                    }
                }
            }
            j = e + 1;
            start = j;
        }
    }
    out
}

/// Data members named like swizzles in the class body opened at `lo` (top level of the body
/// only): `float2 xy;`, `uint rgb[3], zw = 0;`, `half xy : 4;`. Static members, typedefs,
/// using-declarations and enumerators are not data members and are left alone.
fn swizzle_fields(toks: &[Token], m: &[usize], lo: usize) -> Vec<String> {
    let close = |i: usize| m.get(i).copied().unwrap_or(NONE);
    let hi = close(lo);
    let mut out: Vec<String> = Vec::new();
    if hi == NONE || hi <= lo {
        return out;
    }
    // An enum body holds enumerators, not members.
    let mut k = lo;
    while k > 0 && !matches!(&*toks[k - 1].text, ";" | "{" | "}") {
        k -= 1;
        if toks[k].is_ident("enum") {
            return out;
        }
    }
    let mut start = lo + 1;
    let mut j = lo + 1;
    let mut has_paren = false;
    while j < hi {
        let t = &toks[j];
        if t.is_punct(";") {
            j += 1;
            start = j;
            has_paren = false;
            continue;
        }
        if t.is_punct(":") && j > 0 && matches!(&*toks[j - 1].text, "public" | "private" | "protected") {
            j += 1;
            start = j;
            continue;
        }
        if t.is_punct("(") || t.is_punct("[") || t.is_punct("{") {
            let e = close(j);
            if e == NONE || e <= j || e >= hi {
                break;
            }
            if t.is_punct("(") {
                has_paren = true;
            }
            let fn_body = t.is_punct("{") && has_paren;
            j = e + 1;
            if fn_body {
                start = j;
                has_paren = false;
            }
            continue;
        }
        if t.kind == TokenKind::Ident && is_swizzle(&t.text) && !has_paren && j > start {
            let head = &toks[start];
            let skip_head = head.kind == TokenKind::Ident
                && matches!(
                    &*head.text,
                    "static" | "typedef" | "using" | "enum" | "friend" | "struct" | "class" | "union" | "template"
                );
            let prev = &toks[j - 1];
            let prev_ok = (prev.kind == TokenKind::Ident && !matches!(&*prev.text, "return" | "case" | "goto"))
                || (prev.kind == TokenKind::Punct && matches!(&*prev.text, ">" | "*" | "&" | ","));
            let next_ok = toks
                .get(j + 1)
                .is_some_and(|n| n.kind == TokenKind::Punct && matches!(&*n.text, ";" | "," | "[" | "=" | "{" | ":"));
            if !skip_head && prev_ok && next_ok && !out.iter().any(|n| n == &*t.text) {
                out.push(t.text.to_string());
            }
        }
        j += 1;
    }
    out
}

/// Whether the postfix expression ending before the `.`/`->` at `dot` is the operand of a
/// prefix `++`/`--` (`++v.xy`, `--p->c[i].zw`).
fn prefix_incremented(toks: &[Token], m: &[usize], dot: usize) -> bool {
    let mut k = dot;
    let mut steps = 0;
    while k > 0 && steps < 10_000 {
        steps += 1;
        let t = &toks[k - 1];
        if t.kind == TokenKind::Ident {
            k -= 1;
        } else if t.is_punct("]") || t.is_punct(")") {
            let o = m.get(k - 1).copied().unwrap_or(NONE);
            if o == NONE || o >= k - 1 {
                return false;
            }
            k = o;
            continue;
        } else {
            return false;
        }
        // an identifier was taken: a further `.`, `->` or `::` continues the expression
        match toks.get(k.wrapping_sub(1)) {
            Some(p) if k > 0 && (p.is_punct(".") || p.is_punct("->") || p.is_punct("::")) => k -= 1,
            Some(p) if k > 0 => return p.is_punct("++") || p.is_punct("--"),
            _ => return false,
        }
    }
    false
}

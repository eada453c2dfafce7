//! The declaration walk behind [`super::reflect`]; also tells the emitter which token
//! ranges are explicit kernel instantiations and function-constant declarations.

use super::io::{Decl, IoCx, IoMembers, StructDef};
use super::scan::{angle_close, attr_end, attrs, ident, is_id, is_p, match_brackets, spell_compact, NONE};
use super::{EntryPoint, FunctionConstant, Param, Reflection, Stage};
use crate::lex::{Token, TokenKind};
use crate::preprocess::Preprocessed;
use crate::Diagnostic;
use std::cell::RefCell;
use std::collections::{HashMap, HashSet};

// Entry-point parameters: bindings, address spaces, built-ins.
mod params;

/// Reflection plus what the emitter needs to know about token ranges.
#[derive(Clone, Debug, Default)]
pub(crate) struct Analysis {
    pub reflection: Reflection,
    /// Bracket matching (see [`match_brackets`]).
    pub matching: Vec<usize>,
    /// Token ranges `[lo, hi)` dropped from the output (explicit kernel instantiations).
    pub removed: Vec<(usize, usize)>,
    /// Function-constant declarations, replaced by `constexpr` definitions.
    pub fconsts: Vec<FcDecl>,
    /// Function and class bodies (the call graph by names).
    pub units: Vec<Unit>,
    /// Per entry point (same order): its function's unit and the names in its template arguments.
    pub entry_roots: Vec<(Option<usize>, Vec<String>)>,
    /// Per entry point (same order): the members of its stage interface (vertex/fragment).
    pub io_members: Vec<IoMembers>,
    /// Kernel buffer parameters declared as a plain pointer (`device const T* p`): the token
    /// starting the type and the `*`. Shader validation makes their type a checked pointer.
    pub checked_decls: Vec<(usize, usize)>,
}

impl Analysis {
    /// Token ranges of the bodies that the given entry points can reach (by names, conservatively).
    pub fn reachable_ranges(&self, entries: &[usize]) -> Vec<(usize, usize)> {
        let mut seen = vec![false; self.units.len()];
        let mut work: Vec<usize> = Vec::new();
        let mut names: Vec<&str> = Vec::new();
        for &e in entries {
            if let Some((unit, extra)) = self.entry_roots.get(e) {
                work.extend(unit.iter().copied());
                names.extend(extra.iter().map(|s| s.as_str()));
            }
        }
        let mut by_name: HashMap<&str, Vec<usize>> = HashMap::new();
        for (i, u) in self.units.iter().enumerate() {
            for d in &u.defines {
                by_name.entry(d.as_str()).or_default().push(i);
            }
        }
        for n in names {
            work.extend(by_name.get(n).into_iter().flatten().copied());
        }
        while let Some(u) = work.pop() {
            if std::mem::replace(&mut seen[u], true) {
                continue;
            }
            for n in &self.units[u].idents {
                work.extend(by_name.get(n.as_str()).into_iter().flatten().copied().filter(|&v| !seen[v]));
            }
        }
        let mut r: Vec<(usize, usize)> =
            seen.iter().enumerate().filter(|(_, s)| **s).map(|(i, _)| self.units[i].range).collect();
        r.sort_unstable();
        r
    }
}

/// `constant T name [[function_constant(i)]];` spanning tokens `[lo, hi)`.
#[derive(Clone, Debug)]
pub(crate) struct FcDecl {
    pub lo: usize,
    pub hi: usize,
    /// The type's tokens.
    pub ty: (usize, usize),
    /// Index into `Reflection::function_constants`.
    pub index: usize,
    /// The name token.
    pub name_at: usize,
    /// The initializer's tokens after `=`, if any.
    pub init: Option<(usize, usize)>,
}

const MAX_NESTING: u32 = 64;

/// Runs the declaration walk.
pub(crate) fn analyze(pp: &Preprocessed) -> Result<Analysis, Diagnostic> {
    let toks = &pp.tokens;
    let m = match_brackets(toks).map_err(|(i, msg)| error(pp, i, msg))?;
    let mut s = Scanner {
        pp,
        toks,
        m: &m,
        units: Vec::new(),
        templates: Vec::new(),
        pending: Vec::new(),
        fconsts: Vec::new(),
        fcs: Vec::new(),
        removed: Vec::new(),
        int_consts: HashMap::new(),
        ns: Vec::new(),
        structs: Vec::new(),
        checked_decls: RefCell::new(Vec::new()),
    };
    s.decl_list(0, toks.len(), 0)?;
    let checked_decls = s.checked_decls.take();
    let (entry_points, removed, fconsts, function_constants, units, entry_roots, io_members) = s.finish()?;
    Ok(Analysis {
        reflection: Reflection { entry_points, function_constants },
        matching: m,
        removed,
        fconsts,
        units,
        entry_roots,
        io_members,
        checked_decls,
    })
}

fn error(pp: &Preprocessed, i: usize, msg: impl Into<String>) -> Diagnostic {
    let loc = pp.tokens.get(i).or(pp.tokens.last()).map(|t| t.loc).unwrap_or_default();
    Diagnostic::error_at(&pp.files, loc, msg)
}

/// A function or class body for the call graph.
#[derive(Clone, Debug)]
pub(crate) struct Unit {
    pub defines: Vec<String>,
    pub idents: HashSet<String>,
    /// Token range of the body.
    pub range: (usize, usize),
}

/// A function template with a body: a kernel template (`stage` set, params read at once),
/// or a plain one that an instantiation marked `kernel` may turn into an entry point.
struct KernelTemplate {
    name: String,
    qual: String,
    stage: Option<Stage>,
    params: Option<Vec<Param>>,
    paren: (usize, usize),
    unit: Option<usize>,
    /// The return type's tokens and the namespace (stage interfaces).
    ret: (usize, usize),
    ns: String,
}

struct Pending {
    ep: EntryPoint,
    unit: Option<usize>,
    extra: Vec<String>,
    at: usize,
    /// Where the function is declared (vertex and fragment functions: their interface).
    decl: Option<Decl>,
}

struct Scanner<'a> {
    pp: &'a Preprocessed,
    toks: &'a [Token],
    m: &'a [usize],
    units: Vec<Unit>,
    templates: Vec<KernelTemplate>,
    pending: Vec<Pending>,
    fconsts: Vec<FcDecl>,
    fcs: Vec<FunctionConstant>,
    removed: Vec<(usize, usize)>,
    int_consts: HashMap<String, i64>,
    ns: Vec<String>,
    structs: Vec<StructDef>,
    /// See [`Analysis::checked_decls`] (filled while parameters are parsed, which is `&self`).
    checked_decls: RefCell<Vec<(usize, usize)>>,
}

type Finished = (
    Vec<EntryPoint>,
    Vec<(usize, usize)>,
    Vec<FcDecl>,
    Vec<FunctionConstant>,
    Vec<Unit>,
    Vec<(Option<usize>, Vec<String>)>,
    Vec<IoMembers>,
);

impl<'a> Scanner<'a> {
    fn err(&self, i: usize, msg: impl Into<String>) -> Diagnostic {
        error(self.pp, i, msg)
    }

    fn close(&self, i: usize) -> usize {
        self.m.get(i).copied().unwrap_or(NONE)
    }

    fn text(&self, i: usize) -> &str {
        self.toks.get(i).map(|t| &*t.text).unwrap_or("")
    }

    /// Declarations of a namespace-scope region `[lo, hi)`.
    fn decl_list(&mut self, lo: usize, hi: usize, depth: u32) -> Result<(), Diagnostic> {
        if depth > MAX_NESTING {
            return Err(self.err(lo, "namespaces nested too deeply"));
        }
        let toks = self.toks;
        let mut i = lo;
        while i < hi {
            let t = &toks[i];
            if t.kind == TokenKind::Pragma || t.is_punct(";") {
                i += 1;
                continue;
            }
            if t.is_ident("namespace") {
                let mut j = i + 1;
                let mut names = Vec::new();
                while j < hi && !is_p(toks.get(j), "{") && !is_p(toks.get(j), ";") && !is_p(toks.get(j), "=") {
                    if let Some(n) = ident(toks.get(j)) {
                        if n != "inline" {
                            names.push(n.to_string());
                        }
                    }
                    j += 1;
                }
                if is_p(toks.get(j), "{") {
                    let e = self.close(j);
                    if e == NONE || e > hi {
                        return Err(self.err(j, "unbalanced '{'"));
                    }
                    let n = names.len();
                    self.ns.extend(names);
                    self.decl_list(j + 1, e, depth + 1)?;
                    self.ns.truncate(self.ns.len() - n);
                    i = e + 1;
                } else {
                    i = self.skip_to_semi(j, hi) + 1;
                }
                continue;
            }
            if t.is_ident("extern")
                && toks.get(i + 1).is_some_and(|t| t.kind == TokenKind::Str)
                && is_p(toks.get(i + 2), "{")
            {
                let e = self.close(i + 2);
                if e == NONE || e > hi {
                    return Err(self.err(i + 2, "unbalanced '{'"));
                }
                self.decl_list(i + 3, e, depth + 1)?;
                i = e + 1;
                continue;
            }
            i = self.declaration(i, hi)?;
        }
        Ok(())
    }

    fn skip_to_semi(&self, mut j: usize, hi: usize) -> usize {
        while j < hi && !is_p(self.toks.get(j), ";") {
            let e = self.close(j);
            j = if e != NONE && e > j && self.toks[j].text.as_ref() != "}" { e + 1 } else { j + 1 };
        }
        j.min(hi)
    }

    /// One declaration starting at `start`; returns the index after it.
    fn declaration(&mut self, start: usize, hi: usize) -> Result<usize, Diagnostic> {
        let toks = self.toks;
        let mut k = start;
        let mut is_template = false;
        while is_id(toks.get(k), "template") && is_p(toks.get(k + 1), "<") {
            match angle_close(toks, self.m, k + 1, hi) {
                Some(c) => {
                    k = c + 1;
                    is_template = true;
                }
                None => return Ok(self.skip_to_semi(k, hi) + 1),
            }
        }
        if is_id(toks.get(start), "template") && !is_template {
            let semi = self.skip_to_semi(start, hi);
            if semi < hi {
                self.instantiation(start, semi)?;
            }
            return Ok(semi + 1);
        }
        let mut j = k;
        let mut fn_paren = NONE;
        let mut saw_eq = false;
        let mut class_kw = NONE;
        while j < hi {
            if let Some(e) = attr_end(toks, self.m, j) {
                j = e + 1;
                continue;
            }
            let t = &toks[j];
            if t.kind == TokenKind::Punct {
                match &*t.text {
                    "(" | "[" => {
                        if t.is_punct("(")
                            && fn_paren == NONE
                            && !saw_eq
                            && class_kw == NONE
                            && self.is_declarator_paren(j)
                        {
                            fn_paren = j;
                        }
                        let e = self.close(j);
                        j = if e != NONE && e > j { e + 1 } else { j + 1 };
                        continue;
                    }
                    "=" if !is_id(toks.get(j.wrapping_sub(1)), "operator") => saw_eq = true,
                    ";" => {
                        self.decl_no_body(k, j, fn_paren, is_template)?;
                        return Ok(j + 1);
                    }
                    "{" => {
                        let e = self.close(j);
                        if e == NONE || e <= j {
                            return Err(self.err(j, "unbalanced '{'"));
                        }
                        if fn_paren != NONE && class_kw == NONE && !saw_eq {
                            self.function_def(k, fn_paren, Some((j, e)), is_template)?;
                            return Ok(e + 1);
                        }
                        if class_kw != NONE && !saw_eq {
                            self.class_body(class_kw, j, e);
                        }
                        j = e + 1;
                        continue;
                    }
                    "}" => return Ok(j + 1),
                    _ => {}
                }
            } else if fn_paren == NONE
                && class_kw == NONE
                && matches!(&*t.text, "struct" | "class" | "union" | "enum")
                && t.kind == TokenKind::Ident
            {
                class_kw = j;
            }
            j += 1;
        }
        Ok(hi)
    }

    fn is_declarator_paren(&self, j: usize) -> bool {
        let Some(prev) = j.checked_sub(1).and_then(|p| self.toks.get(p)) else { return false };
        match prev.kind {
            TokenKind::Ident => !matches!(
                &*prev.text,
                "decltype"
                    | "__attribute__"
                    | "alignas"
                    | "sizeof"
                    | "alignof"
                    | "noexcept"
                    | "throw"
                    | "static_assert"
                    | "__declspec"
                    | "typeof"
                    | "__typeof__"
            ),
            TokenKind::Punct => prev.is_punct(">") || prev.is_punct(">>"),
            _ => false,
        }
    }

    /// Identifiers in `[lo, hi)`.
    fn idents(&self, lo: usize, hi: usize) -> HashSet<String> {
        self.toks[lo.min(self.toks.len())..hi.min(self.toks.len())]
            .iter()
            .filter(|t| t.kind == TokenKind::Ident)
            .map(|t| t.text.to_string())
            .collect()
    }

    fn class_body(&mut self, kw: usize, lo: usize, hi: usize) {
        let mut defines = Vec::new();
        // The class name: the identifier after the keyword (past attributes and `class` of `enum class`).
        let mut n = kw + 1;
        while n < lo {
            if let Some(e) = attr_end(self.toks, self.m, n) {
                n = e + 1;
                continue;
            }
            if let Some(name) = ident(self.toks.get(n)) {
                if !matches!(name, "class" | "struct" | "alignas") {
                    defines.push(name.to_string());
                    break;
                }
            }
            n += 1;
        }
        // Member functions: identifiers right before a `(` at the body's level.
        let mut j = lo + 1;
        while j < hi {
            let t = &self.toks[j];
            if t.is_punct("(") && self.is_declarator_paren(j) {
                if let Some(name) = ident(self.toks.get(j - 1)) {
                    defines.push(name.to_string());
                }
            }
            let e = self.close(j);
            j = if e != NONE && e > j && !t.is_punct(")") && !t.is_punct("]") && !t.is_punct("}") {
                e + 1
            } else {
                j + 1
            };
        }
        // Structs for stage interfaces; `typedef struct { ... } Name;` names it after the body.
        if matches!(ident(self.toks.get(kw)), Some("struct" | "class")) {
            let name = defines.first().cloned().or_else(|| {
                let after = ident(self.toks.get(hi + 1)).filter(|_| is_p(self.toks.get(hi + 2), ";"));
                after.filter(|_| is_id(self.toks.get(kw.wrapping_sub(1)), "typedef")).map(|n| n.to_string())
            });
            if let Some(name) = name {
                self.structs.push(StructDef { qual: self.qualified(&name), body: (lo, hi) });
            }
        }
        let idents = self.idents(lo, hi);
        self.units.push(Unit { defines, idents, range: (lo, hi) });
    }

    /// A declaration without a body: function constants and program-scope constants.
    fn decl_no_body(&mut self, k: usize, semi: usize, fn_paren: usize, _is_template: bool) -> Result<(), Diagnostic> {
        if !is_id(self.toks.get(k), "constant") || fn_paren != NONE {
            return Ok(());
        }
        let toks = self.toks;
        let mut j = k + 1;
        while j < semi {
            if let Some(e) = attr_end(toks, self.m, j) {
                let list = attrs(toks, self.m, j, e);
                if let Some(a) = list.iter().find(|a| a.name == "function_constant") {
                    return self.function_constant(k, j, e, semi, a.at, a.args);
                }
                j = e + 1;
                continue;
            }
            j += 1;
        }
        // `constant int N = 4;`: remember integer values for index expressions.
        if semi >= k + 4 && toks[k + 2..semi].iter().position(|t| t.is_punct("=")) == Some(1) {
            if let Some(name) = ident(toks.get(k + 2)) {
                let name = name.to_string();
                if let Some(v) = self.eval(k + 4, semi) {
                    self.int_consts.insert(name, v);
                }
            }
        }
        Ok(())
    }

    fn eval(&self, lo: usize, hi: usize) -> Option<i64> {
        let consts = &self.int_consts;
        super::scan::eval_int(self.toks.get(lo..hi)?, &|n| consts.get(n).copied())
    }

    fn function_constant(
        &mut self,
        k: usize,
        attr_lo: usize,
        attr_hi: usize,
        semi: usize,
        at: usize,
        args: Option<(usize, usize)>,
    ) -> Result<(), Diagnostic> {
        let toks = self.toks;
        let name_at = attr_lo.wrapping_sub(1);
        let Some(name) = ident(toks.get(name_at)).filter(|_| name_at > k + 1) else {
            return Err(self.err(attr_lo, "expected 'constant TYPE NAME [[function_constant(INDEX)]]'"));
        };
        let Some((alo, ahi)) = args else {
            return Err(self.err(at, "function_constant needs an index: [[function_constant(INDEX)]]"));
        };
        let index = self
            .eval(alo, ahi)
            .ok_or_else(|| self.err(alo, "function constant index must be an integer constant expression"))?;
        let index = u32::try_from(index)
            .ok()
            .filter(|&i| i <= 65535)
            .ok_or_else(|| self.err(alo, format!("function constant index {index} is out of range (0..=65535)")))?;
        if let Some(prev) = self.fcs.iter().find(|f| f.name == name) {
            return Err(self.err(name_at, format!("function constant '{}' is already declared", prev.name)));
        }
        let init = (is_p(toks.get(attr_hi + 1), "=") && attr_hi + 2 <= semi).then_some((attr_hi + 2, semi));
        let default = init.map(|(lo, hi)| spell_compact(&toks[lo..hi]));
        let fc = FunctionConstant {
            name: name.to_string(),
            index,
            type_text: spell_compact(&toks[k + 1..name_at]),
            default,
        };
        self.fconsts.push(FcDecl { lo: k, hi: semi + 1, ty: (k + 1, name_at), index: self.fcs.len(), name_at, init });
        self.fcs.push(fc);
        Ok(())
    }

    /// Name index of the declarator whose parameter list opens at `paren`.
    fn declarator_name(&self, paren: usize) -> Option<usize> {
        let p = paren.checked_sub(1)?;
        let t = self.toks.get(p)?;
        if t.kind == TokenKind::Ident {
            return Some(p);
        }
        // `f<T>(`: back to the matching `<`.
        let mut depth = 0i32;
        let mut j = p;
        loop {
            let t = self.toks.get(j)?;
            match &*t.text {
                ">" if t.kind == TokenKind::Punct => depth += 1,
                ">>" if t.kind == TokenKind::Punct => depth += 2,
                "<" if t.kind == TokenKind::Punct => {
                    depth -= 1;
                    if depth <= 0 {
                        let n = j.checked_sub(1)?;
                        return ident(self.toks.get(n)).map(|_| n);
                    }
                }
                ")" | "]" => {
                    let o = self.close(j);
                    if o == NONE || o >= j {
                        return None;
                    }
                    j = o;
                }
                ";" | "{" | "}" => return None,
                _ => {}
            }
            j = j.checked_sub(1)?;
        }
    }

    /// `A::B::` before the name at `n`: the index where the qualified name starts.
    fn qual_start(&self, n: usize) -> usize {
        let mut s = n;
        while s >= 2 && is_p(self.toks.get(s - 1), "::") && ident(self.toks.get(s - 2)).is_some() {
            s -= 2;
        }
        s
    }

    fn qualified(&self, name: &str) -> String {
        let mut q = self.ns.join("::");
        if !q.is_empty() {
            q.push_str("::");
        }
        q.push_str(name);
        q
    }

    fn function_def(
        &mut self,
        k: usize,
        paren: usize,
        body: Option<(usize, usize)>,
        is_template: bool,
    ) -> Result<(), Diagnostic> {
        let pe = self.close(paren);
        let Some(name_at) = self.declarator_name(paren) else { return Ok(()) };
        let name = self.text(name_at).to_string();
        let qs = self.qual_start(name_at);
        let unit = body.map(|(_, e)| {
            let idents = self.idents(paren, e);
            self.units.push(Unit { defines: vec![name.clone()], idents, range: (paren, e) });
            self.units.len() - 1
        });
        let (stage, host_name) = self.stage_of(k, qs, false)?;
        if let (None, Some(_), true) = (stage, body, is_template) {
            if pe != NONE && pe > paren {
                let qual = self.qualified(&spell_compact(&self.toks[qs..=name_at]));
                let paren = (paren, pe);
                let ns = self.ns.join("::");
                let ret = (k, qs);
                self.templates.push(KernelTemplate { name, qual, stage: None, params: None, paren, unit, ret, ns });
            }
            return Ok(());
        }
        let (Some(stage), Some(_)) = (stage, body) else { return Ok(()) };
        if stage == Stage::Kernel && !self.returns_void(k, qs) {
            return Err(self.err(name_at, format!("kernel function '{name}' must return void")));
        }
        if pe == NONE || pe <= paren {
            return Err(self.err(paren, "unbalanced '('"));
        }
        let params = self.params(paren, pe, stage, &name)?;
        let qual = self.qualified(&spell_compact(&self.toks[qs..=name_at]));
        let ns = self.ns.join("::");
        if is_template {
            let paren = (paren, pe);
            let ret = (k, qs);
            self.templates.push(KernelTemplate {
                name,
                qual,
                stage: Some(stage),
                params: Some(params),
                paren,
                unit,
                ret,
                ns,
            });
        } else {
            let ep = EntryPoint {
                name: host_name.unwrap_or_else(|| name.clone()),
                function: qual,
                stage,
                params,
                loc: self.toks[name_at].loc,
                uses_sync: false,
                io: Default::default(),
            };
            let decl = Some(Decl { ret: (k, qs), paren: Some((paren, pe)), ns, subst: Vec::new() });
            self.pending.push(Pending { ep, unit, extra: Vec::new(), at: name_at, decl });
        }
        Ok(())
    }

    fn returns_void(&self, lo: usize, hi: usize) -> bool {
        let mut void = false;
        let mut j = lo;
        while j < hi {
            if let Some(e) = attr_end(self.toks, self.m, j) {
                j = e + 1;
                continue;
            }
            let t = &self.toks[j];
            if t.is_ident("__attribute__") {
                let e = self.close(j + 1);
                j = if e != NONE && e > j { e + 1 } else { j + 1 };
                continue;
            }
            if t.is_ident("void") {
                void = true;
            } else if t.is_punct("*") || t.is_punct("&") {
                return false;
            }
            j += 1;
        }
        void
    }

    /// Stage and host name from the declaration prefix `[lo, hi)`.
    fn stage_of(&self, lo: usize, hi: usize, inst: bool) -> Result<(Option<Stage>, Option<String>), Diagnostic> {
        let toks = self.toks;
        let mut stage = None;
        let mut host = None;
        let mut unknown = None;
        let mut j = lo;
        while j < hi {
            if let Some(e) = attr_end(toks, self.m, j) {
                for a in attrs(toks, self.m, j, e) {
                    match a.name.as_str() {
                        "kernel" | "vertex" | "fragment" => {
                            if let Some((alo, _)) = a.args {
                                return Err(self.err(alo, format!("'[[{}]]' takes no arguments", a.name)));
                            }
                            stage = Some(stage_named(&a.name));
                        }
                        "host_name" => host = Some(self.host_name(&a)?),
                        n if crate::emit::is_std_attribute(n) => {}
                        "visible"
                        | "stitchable"
                        | "max_total_threads_per_threadgroup"
                        | "early_fragment_tests"
                        | "patch"
                        | "object"
                        | "mesh"
                        | "required_threads_per_threadgroup" => {}
                        _ => unknown = unknown.or(Some(a)),
                    }
                }
                j = e + 1;
                continue;
            }
            if let Some(n @ ("kernel" | "vertex" | "fragment")) = ident(toks.get(j)) {
                stage = Some(stage_named(n));
            }
            j += 1;
        }
        if let (Some(_), Some(a)) = (stage.or(host.as_ref().map(|_| Stage::Kernel)), unknown) {
            let what = if inst { "explicit instantiation" } else { "entry point" };
            return Err(self.err(a.at, format!("unknown attribute '{}' on an {what}", a.name)));
        }
        Ok((stage, host))
    }

    fn host_name(&self, a: &super::scan::Attr) -> Result<String, Diagnostic> {
        let Some((lo, hi)) = a.args else {
            return Err(self.err(a.at, "host_name needs a string: [[host_name(\"name\")]]"));
        };
        let mut s = String::new();
        for t in &self.toks[lo..hi] {
            if t.kind != TokenKind::Str || !t.text.starts_with('"') || t.text.len() < 2 {
                return Err(self.err(lo, "host_name expects a string literal"));
            }
            s.push_str(&t.text[1..t.text.len() - 1]);
        }
        if s.is_empty() {
            return Err(self.err(lo, "host_name must not be empty"));
        }
        Ok(s)
    }

    /// `template [[host_name("n")]] [[kernel]] decltype(f<T>) f<T>;` and the typedef style.
    fn instantiation(&mut self, start: usize, semi: usize) -> Result<(), Diagnostic> {
        let toks = self.toks;
        // The declarator: a template-id followed by `(` or ending the declaration.
        let mut j = start + 1;
        let mut paren = None;
        while j < semi {
            if let Some(e) = attr_end(toks, self.m, j) {
                j = e + 1;
                continue;
            }
            if toks[j].is_punct("(") {
                if is_p(toks.get(j - 1), ">") || is_p(toks.get(j - 1), ">>") {
                    paren = Some(j);
                    break;
                }
                let e = self.close(j);
                j = if e != NONE && e > j { e + 1 } else { j + 1 };
                continue;
            }
            j += 1;
        }
        let id_end = paren.map_or(semi.wrapping_sub(1), |p| p - 1);
        let Some(name_at) = self.declarator_name(id_end + 1).filter(|&n| n > start) else { return Ok(()) };
        if !(is_p(toks.get(id_end), ">") || is_p(toks.get(id_end), ">>")) {
            return Ok(());
        }
        let qs = self.qual_start(name_at);
        let (inst_stage, host) = self.stage_of(start + 1, qs, true)?;
        let name = self.text(name_at).to_string();
        let tpl = self.templates.iter().rposition(|t| t.name == name);
        let stage = inst_stage.or_else(|| tpl.and_then(|i| self.templates[i].stage));
        let Some(stage) = stage else { return Ok(()) };
        let params = match (tpl, paren) {
            (Some(i), _) => match &self.templates[i].params {
                Some(p) => p.clone(),
                None => {
                    let (p, pe) = self.templates[i].paren;
                    self.params(p, pe, stage, &name)?
                }
            },
            (None, Some(p)) => {
                let pe = self.close(p);
                if pe == NONE || pe <= p {
                    return Err(self.err(p, "unbalanced '('"));
                }
                self.params(p, pe, stage, &name)?
            }
            (None, None) => {
                return Err(self.err(
                    name_at,
                    format!("explicit instantiation of '{name}', which is not a kernel template defined before it"),
                ))
            }
        };
        let id_text = spell_compact(&toks[qs..=id_end]);
        // A name qualified in the instantiation wins; else the template's namespace.
        let function = match tpl {
            Some(i) if qs == name_at => {
                let t = &self.templates[i];
                let prefix = t.qual.strip_suffix(&name).unwrap_or("");
                format!("{prefix}{id_text}")
            }
            _ => self.qualified(&id_text),
        };
        let extra = self.idents(name_at + 1, id_end + 1).into_iter().collect();
        let ep = EntryPoint {
            name: host.unwrap_or_else(|| function.clone()),
            function,
            stage,
            params,
            loc: toks[start].loc,
            uses_sync: false,
            io: Default::default(),
        };
        let unit = tpl.and_then(|i| self.templates[i].unit);
        // A full signature in the instantiation names the concrete types; else the template's.
        let decl = match tpl {
            Some(_) if paren.is_some() => Decl {
                ret: (start + 1, qs),
                paren: paren.map(|p| (p, self.close(p))),
                ns: self.ns.join("::"),
                subst: Vec::new(),
            },
            Some(i) => {
                let t = &self.templates[i];
                // The template's parameters name the instantiation's arguments in its types.
                let subst = crate::emit::template_map(toks, self.m, t.paren.0, &ep.function);
                Decl { ret: t.ret, paren: Some(t.paren), ns: t.ns.clone(), subst }
            }
            None => Decl {
                ret: (start + 1, qs),
                paren: paren.map(|p| (p, self.close(p))),
                ns: self.ns.join("::"),
                subst: Vec::new(),
            },
        };
        self.pending.push(Pending { ep, unit, extra, at: start, decl: Some(decl) });
        self.removed.push((start, semi + 1));
        Ok(())
    }

    fn finish(mut self) -> Result<Finished, Diagnostic> {
        // Stage interfaces of vertex and fragment functions.
        let mut io_members = Vec::new();
        {
            let eval = |lo: usize, hi: usize| self.eval(lo, hi);
            let cx = IoCx { pp: self.pp, toks: self.toks, m: self.m, structs: &self.structs, eval: &eval };
            for p in &self.pending {
                match (&p.decl, p.ep.stage) {
                    (Some(d), Stage::Vertex | Stage::Fragment) => io_members.push(Some(cx.stage_io(&p.ep, d)?)),
                    _ => io_members.push(None),
                }
            }
        }
        for (p, io) in self.pending.iter_mut().zip(&mut io_members) {
            if let Some((io, _)) = io {
                p.ep.io = std::mem::take(io);
            }
        }
        let io_members: Vec<IoMembers> = io_members.into_iter().map(|m| m.map(|m| m.1).unwrap_or_default()).collect();
        // Units that reach a synchronising call, by fixpoint over names.
        let mut sync: Vec<bool> = self.units.iter().map(|u| u.idents.iter().any(|n| is_sync_primitive(n))).collect();
        let mut names: HashSet<&str> = HashSet::new();
        loop {
            for (u, s) in self.units.iter().zip(&sync) {
                if *s {
                    names.extend(u.defines.iter().map(|d| d.as_str()));
                }
            }
            let mut changed = false;
            for (u, s) in self.units.iter().zip(sync.iter_mut()) {
                if !*s && u.idents.iter().any(|n| names.contains(n.as_str())) {
                    *s = true;
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }
        let mut entries: Vec<EntryPoint> = Vec::new();
        let mut roots = Vec::new();
        for p in self.pending {
            if let Some(prev) = entries.iter().find(|e| e.name == p.ep.name) {
                return Err(error(
                    self.pp,
                    p.at,
                    format!("duplicate entry point name '{}' (first defined at line {})", p.ep.name, prev.loc.line),
                ));
            }
            let mut ep = p.ep;
            ep.uses_sync = p.unit.is_some_and(|u| sync.get(u).copied().unwrap_or(true))
                || p.extra.iter().any(|n| is_sync_primitive(n) || names.contains(n.as_str()));
            entries.push(ep);
            roots.push((p.unit, p.extra));
        }
        Ok((entries, self.removed, self.fconsts, self.fcs, self.units, roots, io_members))
    }
}

fn stage_named(n: &str) -> Stage {
    match n {
        "vertex" => Stage::Vertex,
        "fragment" => Stage::Fragment,
        _ => Stage::Kernel,
    }
}

/// Barriers, SIMD-group and quad-group collectives, `simdgroup_*` matrix operations.
pub(crate) fn is_sync_primitive(n: &str) -> bool {
    const SIMD_OPS: [&str; 16] = [
        "sum",
        "product",
        "min",
        "max",
        "and",
        "or",
        "xor",
        "shuffle",
        "broadcast",
        "prefix_",
        "ballot",
        "all",
        "any",
        "is_first",
        "active_threads_mask",
        "vote",
    ];
    n == "threadgroup_barrier"
        || n.starts_with("simdgroup_")
        || n.starts_with("quad_")
        || n.strip_prefix("simd_").is_some_and(|r| SIMD_OPS.iter().any(|p| r.starts_with(p)))
}

//! Directives: conditionals, `#define`/`#undef`, `#include`, `#error`, `#line`,
//! `#pragma`, and the predefined macros.

use super::macros::{Builtin, Macro};
use super::{expr, Cond, PTok, Pp};
use crate::lex::{self, Token, TokenKind};
use crate::span::Loc;
use crate::Diagnostic;
use std::rc::Rc;

/// Predefined object-like macros.
const PREDEFINED: &str = "\
#define __METAL_VERSION__ 310
#define __METAL__ 1
#define __HAVE_BFLOAT__ 1
#define __cplusplus 201703L
#define __PYMETAL__ 1
#define __DATE__ \"Jan  1 2025\"
#define __TIME__ \"00:00:00\"
";

/// Presumed files created by `#line` keep a shifted copy of the text (for diagnostics'
/// source lines) only up to this many times.
const MAX_REMAP_TEXTS: usize = 64;

impl Pp<'_> {
    /// Defines the built-in macros and the user's `-D` definitions.
    pub(crate) fn predefine(&mut self) -> Result<(), Diagnostic> {
        let id = self.files.add("<built-in>", PREDEFINED, true);
        let toks = self.lex_text(PREDEFINED, id)?;
        self.define_lines(&toks)?;
        for (name, b) in [("__LINE__", Builtin::Line), ("__FILE__", Builtin::File), ("__COUNTER__", Builtin::Counter)] {
            let name: Rc<str> = name.into();
            let sym = self.sym(&name);
            let m =
                Macro { name: name.clone(), sym, params: None, variadic: false, body: Vec::new(), builtin: Some(b) };
            self.macros.insert(name, Rc::new(m));
        }
        if self.opts.defines.is_empty() {
            return Ok(());
        }
        let clean = |s: &str| s.replace(['\n', '\r'], " ");
        let mut text = String::new();
        for (name, value) in &self.opts.defines {
            // The trailing space keeps a final backslash from splicing lines.
            text.push_str(&format!("#define {} {} \n", clean(name), clean(value)));
        }
        let id = self.files.add("<command line>", text.as_str(), true);
        let toks = self.lex_text(&text, id)?;
        self.define_lines(&toks)
    }

    /// Runs `#define` on each line of `toks`.
    fn define_lines(&mut self, toks: &[Token]) -> Result<(), Diagnostic> {
        let mut i = 0;
        while i < toks.len() {
            let mut j = i + 1;
            while toks.get(j).is_some_and(|t| !t.line_start) {
                j += 1;
            }
            let line = toks.get(i..j).unwrap_or(&[]);
            if let Some(h) = line.first() {
                self.define(line.get(2..).unwrap_or(&[]), h.loc)?;
            }
            i = j;
        }
        Ok(())
    }

    /// Runs one directive line (starting with `#`). Returns a pragma token to output.
    pub(crate) fn directive(&mut self, line: &[Token], allow_include: bool) -> Result<Option<Token>, Diagnostic> {
        let Some(hash) = line.first() else { return Ok(None) };
        let at = hash.loc;
        let Some(name_tok) = line.get(1) else { return Ok(None) };
        let rest = line.get(2..).unwrap_or(&[]);
        let active = self.active();
        if name_tok.kind == TokenKind::Number {
            // GNU line marker `# 33 "file"`.
            if active {
                self.line_directive(line.get(1..).unwrap_or(&[]), hash)?;
            }
            return Ok(None);
        }
        if name_tok.kind != TokenKind::Ident {
            if active {
                return Err(self.err(name_tok.loc, "invalid preprocessing directive"));
            }
            return Ok(None);
        }
        match &*name_tok.text {
            "if" => {
                let v = if active { self.eval_if(rest, hash)? } else { false };
                self.push_cond(at, "if", v, active);
            }
            "ifdef" | "ifndef" => {
                let kind = if &*name_tok.text == "ifdef" { "ifdef" } else { "ifndef" };
                let v = if active { self.defined_test(rest, name_tok)? == (kind == "ifdef") } else { false };
                self.push_cond(at, kind, v, active);
            }
            "elif" | "elifdef" | "elifndef" => {
                let d = &*name_tok.text;
                let Some(c) = self.frames.last().and_then(|f| f.conds.last()) else {
                    return Err(self.err(at, format!("#{d} without #if")));
                };
                if c.seen_else {
                    return Err(self.err(at, format!("#{d} after #else")));
                }
                let v = if c.taken {
                    false
                } else if d == "elif" {
                    self.eval_if(rest, hash)?
                } else {
                    self.defined_test(rest, name_tok)? == (d == "elifdef")
                };
                if let Some(c) = self.frames.last_mut().and_then(|f| f.conds.last_mut()) {
                    c.active = v;
                    c.taken |= v;
                }
            }
            "else" => {
                let Some(c) = self.frames.last_mut().and_then(|f| f.conds.last_mut()) else {
                    return Err(self.err(at, "#else without #if"));
                };
                if c.seen_else {
                    return Err(self.err(at, "#else after #else"));
                }
                c.seen_else = true;
                c.active = !c.taken;
                c.taken = true;
            }
            "endif" => {
                if self.frames.last_mut().and_then(|f| f.conds.pop()).is_none() {
                    return Err(self.err(at, "#endif without #if"));
                }
            }
            _ if !active => {}
            "define" => self.define(rest, at)?,
            "undef" => match rest.first() {
                Some(t) if t.kind == TokenKind::Ident => {
                    if &*t.text == "defined" {
                        return Err(self.err(t.loc, "'defined' cannot be used as a macro name"));
                    }
                    self.macros.remove(&*t.text);
                }
                Some(t) => return Err(self.err(t.loc, "macro names must be identifiers")),
                None => return Err(self.err(at, "no macro name given in #undef directive")),
            },
            "include" | "include_next" => self.include(rest, hash, allow_include, false)?,
            "import" => self.include(rest, hash, allow_include, true)?,
            "error" => {
                let msg = lex::spell(rest);
                return Err(self.err(at, if msg.is_empty() { "#error".to_string() } else { msg }));
            }
            "warning" | "ident" | "sccs" => {}
            "line" => self.line_directive(rest, hash)?,
            "pragma" => return self.pragma(rest, hash),
            other => return Err(self.err(name_tok.loc, format!("invalid preprocessing directive #{other}"))),
        }
        Ok(None)
    }

    fn push_cond(&mut self, loc: Loc, kind: &'static str, value: bool, parent_active: bool) {
        if let Some(f) = self.frames.last_mut() {
            f.conds.push(Cond { loc, kind, active: value, taken: value || !parent_active, seen_else: false });
        }
    }

    /// Whether the macro named by `#ifdef X` is defined.
    fn defined_test(&self, rest: &[Token], d: &Token) -> Result<bool, Diagnostic> {
        match rest.first() {
            Some(t) if t.kind == TokenKind::Ident => Ok(self.is_defined(&t.text)),
            Some(t) => Err(self.err(t.loc, "macro names must be identifiers")),
            None => Err(self.err(d.loc, format!("no macro name given in #{} directive", d.text))),
        }
    }

    /// Evaluates an `#if`/`#elif` expression.
    fn eval_if(&mut self, rest: &[Token], hash: &Token) -> Result<bool, Diagnostic> {
        if rest.is_empty() {
            return Err(self.err(hash.loc, "#if with no expression"));
        }
        self.if_mode = true;
        let toks = rest.iter().cloned().map(PTok::new).collect();
        let r = self.expand_list(toks, hash);
        self.if_mode = false;
        let toks: Vec<Token> = r?.into_iter().map(|p| p.tok).collect();
        expr::eval(&toks, hash.loc, self.limits.max_nesting).map_err(|(loc, msg)| self.err(loc, msg))
    }

    /// `#line N "file"` (and `# N "file"`): `toks` starts at the number.
    fn line_directive(&mut self, toks: &[Token], hash: &Token) -> Result<(), Diagnostic> {
        let at = hash.loc;
        let toks = self.expand_tokens(toks, hash)?;
        let Some(n) = toks.first() else {
            return Err(self.err(at, "#line directive requires a positive integer argument"));
        };
        if n.kind != TokenKind::Number || !n.text.bytes().all(|b| b.is_ascii_digit()) {
            return Err(self.err(n.loc, "#line directive requires a simple digit sequence"));
        }
        let Some(line) = n.text.parse::<u64>().ok().filter(|v| *v <= 2_147_483_647) else {
            return Err(self.err(n.loc, "line number out of range in #line directive"));
        };
        let name = match toks.get(1) {
            Some(t) if t.kind == TokenKind::Str && t.text.starts_with('"') => {
                Some(t.text.get(1..t.text.len().saturating_sub(1)).unwrap_or("").replace("\\\\", "\\"))
            }
            Some(t) => return Err(self.err(t.loc, "invalid filename in #line directive")),
            None => None,
        };
        let Some(frame) = self.frames.last() else { return Ok(()) };
        let delta = line as i64 - (frame.directive_end_line as i64 + 1);
        let cur = frame.remap.map_or(frame.file, |(f, _)| f);
        let name = name.unwrap_or_else(|| self.files.name(cur).to_string());
        let orig = frame.file;
        if delta == 0 && name == self.files.name(orig) {
            if let Some(f) = self.frames.last_mut() {
                f.remap = None;
            }
            return Ok(());
        }
        let text = if self.remap_texts < MAX_REMAP_TEXTS {
            self.remap_texts += 1;
            shift_text(self.files.get(orig).map_or("", |f| f.text.as_str()), delta)
        } else {
            String::new()
        };
        let is_system = self.files.get(orig).is_some_and(|f| f.is_system);
        let id = self.files.add(name, text, is_system);
        if let Some(f) = self.frames.last_mut() {
            f.remap = Some((id, delta));
        }
        Ok(())
    }

    /// `#pragma BODY` / `_Pragma("BODY")`: `once` and `push_macro`/`pop_macro` are handled
    /// here; anything else becomes a [`TokenKind::Pragma`] token (macros expanded after the
    /// first word, so `#pragma unroll N` sees N's value).
    pub(crate) fn pragma(&mut self, body: &[Token], at: &Token) -> Result<Option<Token>, Diagnostic> {
        let Some(first) = body.first() else { return Ok(None) };
        if first.is_ident("once") {
            if let Some(c) = self.frames.last().and_then(|f| f.canon.clone()) {
                self.once.insert(c);
            }
            return Ok(None);
        }
        if first.is_ident("push_macro") || first.is_ident("pop_macro") {
            let name = body.get(2).filter(|t| t.kind == TokenKind::Str).map(|t| t.text.trim_matches('"').to_string());
            if let Some(name) = name {
                if first.is_ident("push_macro") {
                    let m = self.macros.get(name.as_str()).cloned();
                    self.pushed_macros.entry(name).or_default().push(m);
                } else if let Some(m) = self.pushed_macros.get_mut(&name).and_then(Vec::pop) {
                    match m {
                        Some(m) => {
                            self.macros.insert(m.name.clone(), m);
                        }
                        None => {
                            self.macros.remove(name.as_str());
                        }
                    }
                }
            }
            return Ok(None);
        }
        let mut toks = vec![first.clone()];
        toks.extend(self.expand_tokens(body.get(1..).unwrap_or(&[]), at)?);
        let text = lex::spell(&toks);
        Ok(Some(Token {
            kind: TokenKind::Pragma,
            text: text.into(),
            loc: at.loc,
            space_before: false,
            line_start: true,
        }))
    }
}

/// `text` moved down by `delta` lines (up when negative).
fn shift_text(text: &str, delta: i64) -> String {
    if delta >= 0 {
        if delta > 1_000_000 {
            return String::new();
        }
        let mut s = "\n".repeat(delta as usize);
        s.push_str(text);
        return s;
    }
    let mut rest = text;
    for _ in 0..delta.unsigned_abs() {
        match rest.find('\n') {
            Some(i) => rest = rest.get(i + 1..).unwrap_or(""),
            None => return String::new(),
        }
    }
    rest.to_string()
}

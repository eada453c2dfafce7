//! Macro definitions and expansion (Prosser's hide-set algorithm).

use super::{PTok, Pp};
use crate::lex::{self, Token, TokenKind};
use crate::span::Loc;
use crate::Diagnostic;
use std::rc::Rc;

/// Macros computed at each use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Builtin {
    Line,
    File,
    Counter,
}

/// A pre-parsed element of a replacement list.
#[derive(Clone, Debug)]
pub(crate) enum Body {
    Tok(Token),
    /// A parameter (index, space before it).
    Param(usize, bool),
    /// `#param` (index, space before the `#`).
    Stringize(usize, bool),
    /// `##`.
    Paste,
    /// `__VA_OPT__( … )`.
    VaOpt(Vec<Body>),
    /// GNU `, ## __VA_ARGS__`: the comma disappears when the variable arguments are empty.
    CommaVa(Token, usize),
}

#[derive(Debug)]
pub(crate) struct Macro {
    pub name: Rc<str>,
    pub sym: u32,
    /// `None` for object-like macros.
    pub params: Option<Vec<Rc<str>>>,
    pub variadic: bool,
    pub body: Vec<Body>,
    pub builtin: Option<Builtin>,
}

enum Item {
    Tok(PTok),
    Placemarker,
    Paste,
}

/// Identifiers that `#if` treats as operators (and `defined` reports as defined).
pub(crate) const IF_OPERATORS: [&str; 10] = [
    "__has_include",
    "__has_include_next",
    "__has_attribute",
    "__has_cpp_attribute",
    "__has_builtin",
    "__has_feature",
    "__has_extension",
    "__has_warning",
    "__has_declspec_attribute",
    "__has_c_attribute",
];

impl Pp<'_> {
    /// `#define` (the tokens after `define`).
    pub(crate) fn define(&mut self, toks: &[Token], at: Loc) -> Result<(), Diagnostic> {
        let Some(name) = toks.first() else {
            return Err(self.err(at, "no macro name given in #define directive"));
        };
        if name.kind != TokenKind::Ident {
            return Err(self.err(name.loc, "macro names must be identifiers"));
        }
        if &*name.text == "defined" {
            return Err(self.err(name.loc, "'defined' cannot be used as a macro name"));
        }
        let mut i = 1;
        let mut params = None;
        let mut variadic = false;
        if toks.get(1).is_some_and(|t| t.is_punct("(") && !t.space_before) {
            let mut ps: Vec<Rc<str>> = Vec::new();
            i = 2;
            loop {
                let Some(t) = toks.get(i) else {
                    return Err(self.err(name.loc, "missing ')' in macro parameter list"));
                };
                if t.is_punct(")") && ps.is_empty() {
                    i += 1;
                    break;
                }
                if t.is_punct("...") {
                    variadic = true;
                    ps.push("__VA_ARGS__".into());
                    i += 1;
                    if !toks.get(i).is_some_and(|t| t.is_punct(")")) {
                        return Err(self.err(t.loc, "missing ')' after '...' in macro parameter list"));
                    }
                    i += 1;
                    break;
                }
                if t.kind != TokenKind::Ident || &*t.text == "__VA_ARGS__" {
                    return Err(self.err(t.loc, "expected a parameter name in macro parameter list"));
                }
                if ps.contains(&t.text) {
                    return Err(self.err(t.loc, format!("duplicate macro parameter '{}'", t.text)));
                }
                ps.push(t.text.clone());
                i += 1;
                match toks.get(i) {
                    Some(n) if n.is_punct(")") => {
                        i += 1;
                        break;
                    }
                    Some(n) if n.is_punct(",") => i += 1,
                    Some(n) if n.is_punct("...") => {
                        variadic = true;
                        i += 1;
                        if !toks.get(i).is_some_and(|t| t.is_punct(")")) {
                            return Err(self.err(n.loc, "missing ')' after '...' in macro parameter list"));
                        }
                        i += 1;
                        break;
                    }
                    Some(n) => return Err(self.err(n.loc, "expected ',' or ')' in macro parameter list")),
                    None => return Err(self.err(t.loc, "missing ')' in macro parameter list")),
                }
            }
            params = Some(ps);
        }
        let body_toks = toks.get(i..).unwrap_or(&[]);
        let mut body = self.parse_body(body_toks, params.as_deref(), variadic, false)?;
        if variadic {
            body = gnu_comma(body, params.as_ref().map_or(0, |p| p.len().saturating_sub(1)));
        }
        let sym = self.sym(&name.text);
        let m = Macro { name: name.text.clone(), sym, params, variadic, body, builtin: None };
        self.macros.insert(name.text.clone(), Rc::new(m));
        Ok(())
    }

    fn parse_body(
        &self,
        toks: &[Token],
        params: Option<&[Rc<str>]>,
        variadic: bool,
        in_va_opt: bool,
    ) -> Result<Vec<Body>, Diagnostic> {
        let find = |t: &Token| -> Option<usize> {
            if t.kind != TokenKind::Ident {
                return None;
            }
            params?.iter().position(|p| **p == *t.text)
        };
        let mut out = Vec::with_capacity(toks.len());
        let mut i = 0;
        while let Some(t) = toks.get(i) {
            if t.is_punct("##") {
                if out.is_empty() || i + 1 == toks.len() {
                    return Err(self.err(t.loc, "'##' cannot appear at either end of a macro expansion"));
                }
                if matches!(out.last(), Some(Body::Paste)) {
                    return Err(self.err(t.loc, "'##' cannot follow '##'"));
                }
                out.push(Body::Paste);
                i += 1;
                continue;
            }
            if params.is_some() && t.is_punct("#") {
                match toks.get(i + 1).and_then(find) {
                    Some(p) => {
                        out.push(Body::Stringize(p, t.space_before));
                        i += 2;
                        continue;
                    }
                    None => return Err(self.err(t.loc, "'#' is not followed by a macro parameter")),
                }
            }
            if variadic && t.is_ident("__VA_OPT__") {
                if in_va_opt {
                    return Err(self.err(t.loc, "__VA_OPT__ may not appear in a __VA_OPT__ operand"));
                }
                if !toks.get(i + 1).is_some_and(|t| t.is_punct("(")) {
                    return Err(self.err(t.loc, "missing '(' after __VA_OPT__"));
                }
                let mut depth = 0usize;
                let mut j = i + 2;
                loop {
                    let Some(u) = toks.get(j) else {
                        return Err(self.err(t.loc, "unterminated __VA_OPT__"));
                    };
                    if u.is_punct("(") {
                        depth += 1;
                    } else if u.is_punct(")") {
                        if depth == 0 {
                            break;
                        }
                        depth -= 1;
                    }
                    j += 1;
                }
                let inner = self.parse_body(toks.get(i + 2..j).unwrap_or(&[]), params, variadic, true)?;
                out.push(Body::VaOpt(inner));
                i = j + 1;
                continue;
            }
            if let Some(p) = find(t) {
                out.push(Body::Param(p, t.space_before));
            } else {
                out.push(Body::Tok(t.clone()));
            }
            i += 1;
        }
        Ok(out)
    }

    /// Handles one token: expands it if it names a macro (pushing the expansion onto `stack`
    /// for rescanning and returning `None`), or returns it for output.
    pub(crate) fn step(&mut self, t: PTok, stack: &mut Vec<PTok>, from_file: bool) -> Result<Option<PTok>, Diagnostic> {
        if t.tok.kind != TokenKind::Ident {
            return Ok(Some(t));
        }
        if self.if_mode {
            let name = &*t.tok.text;
            if name == "defined" {
                return self.op_defined(t, stack, from_file).map(Some);
            }
            if IF_OPERATORS.contains(&name) {
                return self.op_has(t, stack, from_file).map(Some);
            }
        }
        if &*t.tok.text == "_Pragma" {
            return self.op_pragma(t, stack, from_file);
        }
        let Some(m) = self.macros.get(&*t.tok.text).cloned() else { return Ok(Some(t)) };
        if self.hs.contains(t.hs, m.sym) {
            return Ok(Some(t));
        }
        if let Some(b) = m.builtin {
            return Ok(Some(self.builtin(b, t)));
        }
        let (args, hs) = if m.params.is_some() {
            let is_call = match stack.last() {
                Some(n) => n.tok.is_punct("("),
                None => from_file && self.peek_file_lparen(),
            };
            if !is_call {
                return Ok(Some(t));
            }
            let (args, rparen_hs) = self.collect_args(&m, &t.tok, stack, from_file)?;
            let common = self.hs.intersect(t.hs, rparen_hs);
            (args, self.hs.add(common, m.sym))
        } else {
            (Vec::new(), self.hs.add(t.hs, m.sym))
        };
        let res = self.subst(&m, &args, hs, &t.tok)?;
        if res.is_empty() {
            if from_file && t.tok.line_start {
                self.carry_line_start = true;
            }
            return Ok(None);
        }
        if stack.len() + res.len() > self.limits.max_pending_tokens {
            return Err(self.err(t.tok.loc, format!("macro expansion too large while expanding '{}'", m.name)));
        }
        stack.extend(res.into_iter().rev());
        Ok(None)
    }

    /// Reads `( args )` after the name of a function-like macro.
    fn collect_args(
        &mut self,
        m: &Macro,
        name: &Token,
        stack: &mut Vec<PTok>,
        from_file: bool,
    ) -> Result<(Vec<Vec<PTok>>, u32), Diagnostic> {
        let unterminated =
            |pp: &Self| pp.err(name.loc, format!("unterminated argument list invoking macro '{}'", m.name));
        // The `(` (already seen).
        if self.next_token(stack, from_file)?.is_none() {
            return Err(unterminated(self));
        }
        let nparams = m.params.as_ref().map_or(0, |p| p.len());
        let mut args: Vec<Vec<PTok>> = vec![Vec::new()];
        let mut depth = 0usize;
        let rparen_hs;
        loop {
            let Some(t) = self.next_token(stack, from_file)? else { return Err(unterminated(self)) };
            if t.tok.kind == TokenKind::Punct {
                match &*t.tok.text {
                    "(" => depth += 1,
                    ")" if depth == 0 => {
                        rparen_hs = t.hs;
                        break;
                    }
                    ")" => depth -= 1,
                    "," if depth == 0 && !(m.variadic && args.len() >= nparams) => {
                        args.push(Vec::new());
                        continue;
                    }
                    _ => {}
                }
            }
            if let Some(a) = args.last_mut() {
                a.push(t);
            }
        }
        if nparams == 0 {
            if args.len() == 1 && args.iter().all(|a| a.is_empty()) {
                return Ok((Vec::new(), rparen_hs));
            }
            return Err(self.err(name.loc, format!("macro '{}' takes no arguments", m.name)));
        }
        if args.len() + 1 == nparams && m.variadic {
            args.push(Vec::new());
        }
        if args.len() < nparams {
            return Err(self.err(
                name.loc,
                format!("macro '{}' requires {} arguments, but only {} given", m.name, nparams, args.len()),
            ));
        }
        if args.len() > nparams {
            return Err(self.err(
                name.loc,
                format!("macro '{}' passed {} arguments, but takes just {}", m.name, args.len(), nparams),
            ));
        }
        Ok((args, rparen_hs))
    }

    fn charge(&mut self, n: usize, inv: &Token, name: &str) -> Result<(), Diagnostic> {
        self.work += n as u64 + 1;
        if self.work > self.limits.max_expansion_work {
            return Err(self.err(
                inv.loc,
                format!(
                    "macro expansion too large (more than {} tokens) while expanding '{}'",
                    self.limits.max_expansion_work, name
                ),
            ));
        }
        Ok(())
    }

    /// The replacement of one invocation, with hide set `hs` added and located at `inv`.
    fn subst(&mut self, m: &Macro, args: &[Vec<PTok>], hs: u32, inv: &Token) -> Result<Vec<PTok>, Diagnostic> {
        let mut expanded: Vec<Option<Vec<PTok>>> = vec![None; args.len()];
        let mut items = Vec::with_capacity(m.body.len());
        self.subst_into(m, &m.body, args, &mut expanded, &mut items, inv)?;
        if items.iter().any(|i| matches!(i, Item::Paste)) {
            items = self.paste_all(items, inv)?;
        }
        let mut out = Vec::with_capacity(items.len());
        for it in items {
            if let Item::Tok(mut p) = it {
                p.hs = self.hs.union(p.hs, hs);
                p.tok.loc = inv.loc;
                if p.tok.line_start {
                    p.tok.line_start = false;
                    p.tok.space_before = true;
                }
                out.push(p);
            }
        }
        if let Some(first) = out.first_mut() {
            first.tok.space_before = inv.space_before;
            first.tok.line_start = inv.line_start;
        }
        Ok(out)
    }

    fn subst_into(
        &mut self,
        m: &Macro,
        body: &[Body],
        args: &[Vec<PTok>],
        expanded: &mut [Option<Vec<PTok>>],
        items: &mut Vec<Item>,
        inv: &Token,
    ) -> Result<(), Diagnostic> {
        self.charge(body.len(), inv, &m.name)?;
        for (i, b) in body.iter().enumerate() {
            match b {
                Body::Tok(t) => items.push(Item::Tok(PTok::new(t.clone()))),
                Body::Paste => items.push(Item::Paste),
                Body::Stringize(p, space) => {
                    let arg = args.get(*p).map_or(&[][..], |a| a);
                    let mut t = stringize(arg, inv.loc);
                    t.space_before = *space;
                    items.push(Item::Tok(PTok::new(t)));
                }
                Body::Param(p, space) => {
                    let pasted = (i > 0 && matches!(body.get(i - 1), Some(Body::Paste)))
                        || matches!(body.get(i + 1), Some(Body::Paste));
                    let arg = args.get(*p).map_or(&[][..], |a| a);
                    let toks: &[PTok] = if pasted || arg.is_empty() {
                        arg
                    } else {
                        if expanded.get(*p).is_some_and(|e| e.is_none()) {
                            let e = self.expand_list(arg.to_vec(), inv)?;
                            if let Some(slot) = expanded.get_mut(*p) {
                                *slot = Some(e);
                            }
                        }
                        expanded.get(*p).and_then(|e| e.as_deref()).unwrap_or(&[])
                    };
                    if toks.is_empty() {
                        if pasted {
                            items.push(Item::Placemarker);
                        }
                        continue;
                    }
                    self.charge(toks.len(), inv, &m.name)?;
                    let start = items.len();
                    items.extend(toks.iter().cloned().map(Item::Tok));
                    if let Some(Item::Tok(f)) = items.get_mut(start) {
                        f.tok.space_before = *space;
                        f.tok.line_start = false;
                    }
                }
                Body::VaOpt(inner) => {
                    let va = args.last().is_some_and(|a| !a.is_empty());
                    if va {
                        self.subst_into(m, inner, args, expanded, items, inv)?;
                    } else {
                        items.push(Item::Placemarker);
                    }
                }
                Body::CommaVa(comma, p) => {
                    let arg = args.get(*p).map_or(&[][..], |a| a);
                    if !arg.is_empty() {
                        self.charge(arg.len(), inv, &m.name)?;
                        items.push(Item::Tok(PTok::new(comma.clone())));
                        items.extend(arg.iter().cloned().map(Item::Tok));
                    }
                }
            }
        }
        Ok(())
    }

    fn paste_all(&mut self, items: Vec<Item>, inv: &Token) -> Result<Vec<Item>, Diagnostic> {
        let mut res: Vec<Item> = Vec::with_capacity(items.len());
        let mut it = items.into_iter();
        while let Some(x) = it.next() {
            if !matches!(x, Item::Paste) {
                res.push(x);
                continue;
            }
            let lhs = res.pop();
            let rhs = it.next();
            match (lhs, rhs) {
                (Some(Item::Tok(a)), Some(Item::Tok(b))) => {
                    let t = self.glue(a, &b, inv)?;
                    res.push(Item::Tok(t));
                }
                (Some(Item::Placemarker) | Some(Item::Paste) | None, Some(r)) => res.push(r),
                (Some(l), _) => res.push(l),
                (None, None) => {}
            }
        }
        Ok(res)
    }

    /// `a ## b`: the spellings joined and lexed again; must be one token.
    fn glue(&self, a: PTok, b: &PTok, inv: &Token) -> Result<PTok, Diagnostic> {
        let text = format!("{}{}", a.tok.text, b.tok.text);
        let bad = || {
            self.err(
                inv.loc,
                format!("pasting \"{}\" and \"{}\" does not give a valid preprocessing token", a.tok.text, b.tok.text),
            )
        };
        if a.tok.kind == TokenKind::Pragma || b.tok.kind == TokenKind::Pragma {
            return Err(bad());
        }
        let Ok(mut v) = lex::lex(&text, a.tok.loc.file) else { return Err(bad()) };
        if v.len() != 1 {
            return Err(bad());
        }
        let Some(t) = v.pop() else { return Err(bad()) };
        let tok =
            Token { kind: t.kind, text: t.text, loc: a.tok.loc, space_before: a.tok.space_before, line_start: false };
        Ok(PTok { tok, hs: a.hs })
    }

    /// Fully macro-expands `toks` on their own (a macro argument, an `#if` line).
    pub(crate) fn expand_list(&mut self, toks: Vec<PTok>, inv: &Token) -> Result<Vec<PTok>, Diagnostic> {
        if !toks.iter().any(|t| t.tok.kind == TokenKind::Ident) {
            return Ok(toks);
        }
        if self.depth >= self.limits.max_nesting {
            return Err(self.err(inv.loc, "macro invocations nested too deeply"));
        }
        self.depth += 1;
        let mut stack: Vec<PTok> = toks;
        stack.reverse();
        let mut out = Vec::with_capacity(stack.len());
        let r = (|| {
            while let Some(t) = stack.pop() {
                if let Some(t) = self.step(t, &mut stack, false)? {
                    out.push(t);
                }
            }
            Ok(())
        })();
        self.depth -= 1;
        r.map(|()| out)
    }

    /// [`Pp::expand_list`] for plain tokens.
    pub(crate) fn expand_tokens(&mut self, toks: &[Token], at: &Token) -> Result<Vec<Token>, Diagnostic> {
        let v = self.expand_list(toks.iter().cloned().map(PTok::new).collect(), at)?;
        Ok(v.into_iter().map(|p| p.tok).collect())
    }

    fn builtin(&mut self, b: Builtin, t: PTok) -> PTok {
        let inv = &t.tok;
        let (kind, text) = match b {
            Builtin::Line => (TokenKind::Number, inv.loc.line.to_string()),
            Builtin::File => (TokenKind::Str, quote(self.files.name(inv.loc.file))),
            Builtin::Counter => {
                self.counter += 1;
                (TokenKind::Number, (self.counter - 1).to_string())
            }
        };
        let tok =
            Token { kind, text: text.into(), loc: inv.loc, space_before: inv.space_before, line_start: inv.line_start };
        PTok { tok, hs: t.hs }
    }

    /// `defined X` / `defined(X)` in `#if`.
    fn op_defined(&mut self, t: PTok, stack: &mut Vec<PTok>, from_file: bool) -> Result<PTok, Diagnostic> {
        let loc = t.tok.loc;
        let mut n = self.next_token(stack, from_file)?;
        let paren = n.as_ref().is_some_and(|n| n.tok.is_punct("("));
        if paren {
            n = self.next_token(stack, from_file)?;
        }
        let Some(n) = n.filter(|n| n.tok.kind == TokenKind::Ident) else {
            return Err(self.err(loc, "macro names must be identifiers"));
        };
        if paren && !self.next_token(stack, from_file)?.is_some_and(|c| c.tok.is_punct(")")) {
            return Err(self.err(loc, "missing ')' after 'defined'"));
        }
        let v = self.is_defined(&n.tok.text);
        Ok(number_like(&t.tok, v as u64))
    }

    pub(crate) fn is_defined(&self, name: &str) -> bool {
        self.macros.contains_key(name) || IF_OPERATORS.contains(&name)
    }

    /// `__has_include(…)` and the `__has_attribute(…)` family (always 0) in `#if`.
    fn op_has(&mut self, t: PTok, stack: &mut Vec<PTok>, from_file: bool) -> Result<PTok, Diagnostic> {
        let loc = t.tok.loc;
        let what = t.tok.text.clone();
        if !self.next_token(stack, from_file)?.is_some_and(|p| p.tok.is_punct("(")) {
            return Err(self.err(loc, format!("missing '(' after '{what}'")));
        }
        let mut inner = Vec::new();
        let mut depth = 0usize;
        loop {
            let Some(n) = self.next_token(stack, from_file)? else {
                return Err(self.err(loc, format!("missing ')' after '{what}'")));
            };
            if n.tok.is_punct("(") {
                depth += 1;
            } else if n.tok.is_punct(")") {
                if depth == 0 {
                    break;
                }
                depth -= 1;
            }
            inner.push(n.tok);
        }
        if !what.starts_with("__has_include") {
            return Ok(number_like(&t.tok, 0));
        }
        let name = match super::headers::header_name(&inner) {
            Some(n) => Some(n),
            None => {
                let was = std::mem::replace(&mut self.if_mode, false);
                let e = self.expand_tokens(&inner, &t.tok);
                self.if_mode = was;
                super::headers::header_name(&e?)
            }
        };
        let Some((name, angle)) = name else {
            return Err(self.err(loc, format!("expected a header name in '{what}'")));
        };
        let found = !name.is_empty() && self.find_include(&name, angle).is_some();
        Ok(number_like(&t.tok, found as u64))
    }

    /// `_Pragma("…")`.
    fn op_pragma(&mut self, t: PTok, stack: &mut Vec<PTok>, from_file: bool) -> Result<Option<PTok>, Diagnostic> {
        let loc = t.tok.loc;
        let bad = |pp: &Self| pp.err(loc, "_Pragma takes a parenthesized string literal");
        let is_call = match stack.last() {
            Some(n) => n.tok.is_punct("("),
            None => from_file && self.peek_file_lparen(),
        };
        if !is_call {
            return Err(bad(self));
        }
        self.next_token(stack, from_file)?;
        let Some(s) = self.next_token(stack, from_file)?.filter(|s| s.tok.kind == TokenKind::Str) else {
            return Err(bad(self));
        };
        if !self.next_token(stack, from_file)?.is_some_and(|c| c.tok.is_punct(")")) {
            return Err(bad(self));
        }
        let body = destringize(&s.tok.text);
        let toks = lex::lex(&body, loc.file).map_err(|e| self.err(loc, format!("in _Pragma: {}", e.message)))?;
        let toks: Vec<Token> = toks
            .into_iter()
            .map(|mut x| {
                x.loc = loc;
                x
            })
            .collect();
        let p = self.pragma(&toks, &t.tok)?;
        Ok(p.map(PTok::new))
    }
}

/// Rewrites `, ## <va-param>` into [`Body::CommaVa`].
fn gnu_comma(body: Vec<Body>, va: usize) -> Vec<Body> {
    let mut out: Vec<Body> = Vec::with_capacity(body.len());
    let mut i = 0;
    while i < body.len() {
        if let (Some(Body::Tok(t)), Some(Body::Paste), Some(Body::Param(p, _))) =
            (body.get(i), body.get(i + 1), body.get(i + 2))
        {
            if t.is_punct(",") && *p == va {
                out.push(Body::CommaVa(t.clone(), va));
                i += 3;
                continue;
            }
        }
        match body.get(i) {
            Some(Body::VaOpt(inner)) => out.push(Body::VaOpt(gnu_comma(inner.clone(), va))),
            Some(b) => out.push(b.clone()),
            None => {}
        }
        i += 1;
    }
    out
}

/// A number token `v` standing where `t` was.
fn number_like(t: &Token, v: u64) -> PTok {
    let tok = Token {
        kind: TokenKind::Number,
        text: v.to_string().into(),
        loc: t.loc,
        space_before: t.space_before,
        line_start: t.line_start,
    };
    PTok::new(tok)
}

/// `"…"` with `\` and `"` escaped.
pub(crate) fn quote(s: &str) -> String {
    let mut q = String::with_capacity(s.len() + 2);
    q.push('"');
    for c in s.chars() {
        if c == '"' || c == '\\' {
            q.push('\\');
        }
        if c == '\n' {
            q.push_str("\\n");
            continue;
        }
        q.push(c);
    }
    q.push('"');
    q
}

/// `#arg`.
fn stringize(arg: &[PTok], loc: Loc) -> Token {
    let mut s = String::from("\"");
    for (i, t) in arg.iter().enumerate() {
        if i > 0 && (t.tok.space_before || t.tok.line_start) {
            s.push(' ');
        }
        if matches!(t.tok.kind, TokenKind::Str | TokenKind::Char) {
            for c in t.tok.text.chars() {
                if c == '"' || c == '\\' {
                    s.push('\\');
                }
                s.push(c);
            }
        } else {
            s.push_str(&t.tok.text);
        }
    }
    s.push('"');
    Token::new(TokenKind::Str, s, loc)
}

/// The text of a string literal with its prefix, quotes and `\"`/`\\` escapes removed.
fn destringize(lit: &str) -> String {
    let inner = match lit.find('"') {
        Some(i) => lit.get(i + 1..).unwrap_or(""),
        None => "",
    };
    let inner = inner.strip_suffix('"').unwrap_or(inner);
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some(n @ ('"' | '\\')) => out.push(n),
                Some(n) => {
                    out.push('\\');
                    out.push(n);
                }
                None => out.push('\\'),
            }
        } else {
            out.push(c);
        }
    }
    out
}

//! The C preprocessor.
//!
//! Supports `#include "…"`/`<…>` (include paths, then the virtual Metal headers, which
//! produce no tokens: the emitter prepends the real prelude as C++), include guards and
//! `#pragma once`, object-like and function-like macros (variadic, `__VA_OPT__`, GNU
//! `, ## __VA_ARGS__`, `#`, `##`), `#if`/`#elif` with full integer constant expressions,
//! `#error`, `#line`, `#pragma`/`_Pragma` (kept as [`TokenKind::Pragma`] tokens),
//! `__LINE__`/`__FILE__`/`__COUNTER__` and the Metal predefined macros.
//!
//! Macro expansion follows Prosser's algorithm (the one the C standard describes): every
//! token carries a *hide set* of the macros it came out of, and a macro whose name token
//! has that macro in its hide set is not expanded again ("painted blue"). The result of an
//! expansion is pushed back onto the input and rescanned together with the rest of it.
//!
//! Every output token keeps the [`Loc`] it came from; tokens made by a macro expansion
//! take the location of the (outermost) invocation's name token. Work is bounded by
//! [`Limits`], so no input can make the preprocessor hang or exhaust memory.
//!
//! Files: `mod.rs` (driver, file frames, hide sets), `macros.rs` (definitions and
//! expansion), `directives.rs`, `expr.rs` (`#if` expressions), `headers.rs` (includes).

mod directives;
mod expr;
mod headers;
mod macros;

pub use headers::VIRTUAL_HEADERS;

use crate::lex::{self, Token, TokenKind};
use crate::span::{FileId, Loc};
use crate::{Diagnostic, Options, SourceFiles};
use macros::Macro;
use std::collections::{HashMap, HashSet};
use std::hash::BuildHasherDefault;
use std::path::PathBuf;
use std::rc::Rc;

/// The preprocessed translation unit: tokens with locations in `files`.
///
/// `files` holds the user's source as [`FileId`] 0, then the built-in and command-line
/// definitions, included files and the presumed files that `#line` directives create.
#[derive(Clone, Debug, Default)]
pub struct Preprocessed {
    pub files: SourceFiles,
    pub tokens: Vec<Token>,
}

impl Preprocessed {
    /// Spells the tokens back as text: a new line where a token starts a line, one space
    /// where the source had whitespace (or where two tokens would otherwise fuse), and
    /// every pragma on its own line as `#pragma BODY`. Used by the golden tests and for
    /// debugging.
    pub fn to_text(&self) -> String {
        let mut s = String::new();
        let mut prev: Option<&Token> = None;
        for t in &self.tokens {
            let at_line_start = s.is_empty() || s.ends_with('\n');
            if t.kind == TokenKind::Pragma {
                if !at_line_start {
                    s.push('\n');
                }
                s.push_str("#pragma ");
                s.push_str(&t.text);
                s.push('\n');
                prev = None;
                continue;
            }
            if !at_line_start {
                if t.line_start {
                    s.push('\n');
                } else if t.space_before || prev.is_some_and(|p| needs_space(p, t)) {
                    s.push(' ');
                }
            }
            s.push_str(&t.text);
            prev = Some(t);
        }
        if !s.is_empty() && !s.ends_with('\n') {
            s.push('\n');
        }
        s
    }
}

/// True when `a` immediately followed by `b` would lex differently (`+` `+` → `++`,
/// `a` `b` → `ab`, `/` `/` → a comment): a re-speller must put a space between them.
pub fn needs_space(a: &Token, b: &Token) -> bool {
    let (Some(x), Some(y)) = (a.text.chars().last(), b.text.chars().next()) else { return false };
    let word = |c: char| c.is_alphanumeric() || c == '_' || !c.is_ascii();
    if word(x) && word(y) {
        return true;
    }
    match (a.kind, b.kind) {
        (TokenKind::Ident, TokenKind::Str | TokenKind::Char) => true,
        (TokenKind::Number, _) => {
            matches!(y, '.' | '\'') || matches!(y, '+' | '-') && matches!(x, 'e' | 'E' | 'p' | 'P')
        }
        (TokenKind::Punct, TokenKind::Number) => x == '.',
        (TokenKind::Punct, TokenKind::Punct) | (TokenKind::Punct, TokenKind::Other) => {
            let joined = format!("{}{}", a.text, b.text);
            match lex::lex(&joined, 0) {
                Ok(v) => v.first().map(|t| &*t.text) != Some(&*a.text),
                Err(_) => true,
            }
        }
        _ => false,
    }
}

/// Bounds on the work of one preprocessing run; exceeding one is a located error.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Tokens in the output.
    pub max_output_tokens: usize,
    /// Tokens produced by macro substitutions, in total (bounds exponential expansions).
    pub max_expansion_work: u64,
    /// Tokens waiting to be rescanned at any one time.
    pub max_pending_tokens: usize,
    pub max_include_depth: usize,
    /// `#include`s entered in total (bounds includes that fan out exponentially).
    pub max_includes: usize,
    /// Nesting of macro invocations in arguments and of `#if` sub-expressions.
    pub max_nesting: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_output_tokens: 20_000_000,
            max_expansion_work: 50_000_000,
            max_pending_tokens: 10_000_000,
            max_include_depth: 200,
            max_includes: 100_000,
            max_nesting: 256,
        }
    }
}

/// Preprocesses `src` (named `opts.file_name`) with the default [`Limits`].
pub fn preprocess(src: &str, opts: &Options) -> Result<Preprocessed, Diagnostic> {
    preprocess_with_limits(src, opts, &Limits::default())
}

/// [`preprocess`] with explicit limits.
pub fn preprocess_with_limits(src: &str, opts: &Options, limits: &Limits) -> Result<Preprocessed, Diagnostic> {
    let mut pp = Pp::new(opts, *limits);
    let main = pp.files.add(opts.file_name.clone(), src, false);
    let toks = pp.lex_text(src, main)?;
    pp.predefine()?;
    let (dir, canon) = headers::main_dir(&opts.file_name);
    pp.frames.push(Frame::new(main, toks, dir, canon));
    let tokens = pp.run()?;
    Ok(Preprocessed { files: pp.files, tokens })
}

/// A token during expansion: the token and its hide set.
#[derive(Clone, Debug)]
pub(crate) struct PTok {
    pub tok: Token,
    pub hs: u32,
}

impl PTok {
    fn new(tok: Token) -> Self {
        PTok { tok, hs: 0 }
    }
}

/// One open `#if` group.
#[derive(Clone, Debug)]
struct Cond {
    loc: Loc,
    /// `if`, `ifdef` or `ifndef`, for the "unterminated" message.
    kind: &'static str,
    /// Tokens of the current branch are kept.
    active: bool,
    /// A branch was taken already (or the enclosing group is skipped): later branches are not.
    taken: bool,
    seen_else: bool,
}

/// A file being read.
struct Frame {
    file: FileId,
    toks: Rc<Vec<Token>>,
    pos: usize,
    conds: Vec<Cond>,
    /// Directory for `#include "…"` relative to this file.
    dir: Option<PathBuf>,
    /// Canonical path (for `#pragma once`).
    canon: Option<PathBuf>,
    /// After `#line`: presumed file and line offset.
    remap: Option<(FileId, i64)>,
    /// Physical line of the last token of the directive being handled.
    directive_end_line: u32,
}

impl Frame {
    fn new(file: FileId, toks: Rc<Vec<Token>>, dir: Option<PathBuf>, canon: Option<PathBuf>) -> Self {
        Frame { file, toks, pos: 0, conds: Vec::new(), dir, canon, remap: None, directive_end_line: 0 }
    }

    fn active(&self) -> bool {
        self.conds.last().is_none_or(|c| c.active)
    }

    /// The token with its location mapped through `#line`.
    fn map(&self, t: &Token) -> Token {
        let mut t = t.clone();
        if let Some((file, delta)) = self.remap {
            t.loc.file = file;
            t.loc.line = (t.loc.line as i64 + delta).clamp(1, u32::MAX as i64) as u32;
        }
        t
    }
}

pub(crate) type FxMap<K, V> = HashMap<K, V, BuildHasherDefault<lex::FxHasher>>;

/// Interned hide sets: sorted sets of macro symbols; id 0 is the empty set.
#[derive(Default)]
pub(crate) struct HideSets {
    sets: Vec<Rc<[u32]>>,
    index: FxMap<Rc<[u32]>, u32>,
    add_cache: FxMap<(u32, u32), u32>,
    union_cache: FxMap<(u32, u32), u32>,
    inter_cache: FxMap<(u32, u32), u32>,
}

impl HideSets {
    fn new() -> Self {
        let mut h = HideSets::default();
        h.intern(Vec::new());
        h
    }

    fn set(&self, h: u32) -> &[u32] {
        self.sets.get(h as usize).map_or(&[], |s| s)
    }

    pub fn contains(&self, h: u32, sym: u32) -> bool {
        h != 0 && self.set(h).binary_search(&sym).is_ok()
    }

    fn intern(&mut self, v: Vec<u32>) -> u32 {
        if let Some(&id) = self.index.get(v.as_slice()) {
            return id;
        }
        let rc: Rc<[u32]> = v.into();
        let id = self.sets.len() as u32;
        self.sets.push(rc.clone());
        self.index.insert(rc, id);
        id
    }

    pub fn add(&mut self, h: u32, sym: u32) -> u32 {
        if self.contains(h, sym) {
            return h;
        }
        if let Some(&r) = self.add_cache.get(&(h, sym)) {
            return r;
        }
        let mut v = self.set(h).to_vec();
        let at = v.partition_point(|&s| s < sym);
        v.insert(at, sym);
        let r = self.intern(v);
        self.add_cache.insert((h, sym), r);
        r
    }

    pub fn union(&mut self, a: u32, b: u32) -> u32 {
        if a == b || b == 0 {
            return a;
        }
        if a == 0 {
            return b;
        }
        if let Some(&r) = self.union_cache.get(&(a, b)) {
            return r;
        }
        let mut v: Vec<u32> = self.set(a).iter().chain(self.set(b)).copied().collect();
        v.sort_unstable();
        v.dedup();
        let r = self.intern(v);
        self.union_cache.insert((a, b), r);
        r
    }

    pub fn intersect(&mut self, a: u32, b: u32) -> u32 {
        if a == b {
            return a;
        }
        if a == 0 || b == 0 {
            return 0;
        }
        if let Some(&r) = self.inter_cache.get(&(a, b)) {
            return r;
        }
        let sb = self.set(b);
        let v: Vec<u32> = self.set(a).iter().copied().filter(|s| sb.binary_search(s).is_ok()).collect();
        let r = self.intern(v);
        self.inter_cache.insert((a, b), r);
        r
    }
}

/// The preprocessor's state.
pub(crate) struct Pp<'o> {
    opts: &'o Options,
    limits: Limits,
    files: SourceFiles,
    frames: Vec<Frame>,
    macros: FxMap<Rc<str>, Rc<Macro>>,
    syms: FxMap<Rc<str>, u32>,
    hs: HideSets,
    loaded: HashMap<PathBuf, headers::Loaded>,
    once: HashSet<PathBuf>,
    pushed_macros: HashMap<String, Vec<Option<Rc<Macro>>>>,
    counter: u64,
    work: u64,
    depth: usize,
    /// Expanding an `#if` line: `defined` and `__has_include` are operators.
    if_mode: bool,
    /// The next output token starts a line (after a pragma or an empty expansion at a line start).
    carry_line_start: bool,
    remap_texts: usize,
    includes: usize,
}

impl<'o> Pp<'o> {
    fn new(opts: &'o Options, limits: Limits) -> Self {
        Pp {
            opts,
            limits,
            files: SourceFiles::new(),
            frames: Vec::new(),
            macros: FxMap::default(),
            syms: FxMap::default(),
            hs: HideSets::new(),
            loaded: HashMap::new(),
            once: HashSet::new(),
            pushed_macros: HashMap::new(),
            counter: 0,
            work: 0,
            depth: 0,
            if_mode: false,
            carry_line_start: false,
            remap_texts: 0,
            includes: 0,
        }
    }

    fn err(&self, loc: Loc, msg: impl Into<String>) -> Diagnostic {
        Diagnostic::error_at(&self.files, loc, msg)
    }

    fn lex_text(&self, text: &str, id: FileId) -> Result<Rc<Vec<Token>>, Diagnostic> {
        lex::lex(text, id).map(Rc::from).map_err(|e| self.err(e.loc, e.message))
    }

    fn active(&self) -> bool {
        self.frames.last().is_none_or(Frame::active)
    }

    /// The main loop: reads the files, runs directives, expands macros.
    fn run(&mut self) -> Result<Vec<Token>, Diagnostic> {
        let hint = self.frames.first().map_or(0, |f| f.toks.len());
        let mut out: Vec<Token> = Vec::with_capacity(hint + hint / 2);
        let mut pending: Vec<PTok> = Vec::new();
        loop {
            let t = match pending.pop() {
                Some(t) => t,
                None => match self.next_file_token(true)? {
                    Some(t) => PTok::new(t),
                    None => {
                        self.pop_frame()?;
                        if self.frames.is_empty() {
                            break;
                        }
                        continue;
                    }
                },
            };
            if let Some(t) = self.step(t, &mut pending, true)? {
                let mut t = t.tok;
                if self.carry_line_start {
                    t.line_start = true;
                    self.carry_line_start = false;
                }
                if t.kind == TokenKind::Pragma {
                    t.line_start = true;
                    self.carry_line_start = true;
                }
                if out.len() >= self.limits.max_output_tokens {
                    return Err(self.err(
                        t.loc,
                        format!("preprocessed output too large (more than {} tokens)", self.limits.max_output_tokens),
                    ));
                }
                out.push(t);
            }
        }
        Ok(out)
    }

    fn pop_frame(&mut self) -> Result<(), Diagnostic> {
        if let Some(f) = self.frames.pop() {
            if let Some(c) = f.conds.first() {
                return Err(self.err(c.loc, format!("unterminated #{}", c.kind)));
            }
        }
        Ok(())
    }

    /// The next token of the innermost file that survives conditionals, running directives
    /// on the way; `None` at the end of that file (the caller decides whether to leave it).
    fn next_file_token(&mut self, allow_include: bool) -> Result<Option<Token>, Diagnostic> {
        loop {
            let Some(frame) = self.frames.last_mut() else { return Ok(None) };
            let Some(t) = frame.toks.get(frame.pos) else { return Ok(None) };
            if t.line_start && t.is_punct("#") {
                let start = frame.pos;
                let mut end = start + 1;
                while frame.toks.get(end).is_some_and(|t| !t.line_start) {
                    end += 1;
                }
                let line: Vec<Token> = frame.toks.get(start..end).unwrap_or(&[]).iter().map(|t| frame.map(t)).collect();
                frame.directive_end_line = frame.toks.get(end - 1).map_or(0, |t| t.loc.line);
                frame.pos = end;
                if let Some(p) = self.directive(&line, allow_include)? {
                    return Ok(Some(p));
                }
                continue;
            }
            if !frame.active() {
                frame.pos += 1;
                while frame.toks.get(frame.pos).is_some_and(|t| !t.line_start) {
                    frame.pos += 1;
                }
                continue;
            }
            let tok = frame.map(t);
            frame.pos += 1;
            return Ok(Some(tok));
        }
    }

    /// True when the next token of the current file is `(` (not looking past directives).
    fn peek_file_lparen(&self) -> bool {
        self.frames.last().and_then(|f| f.toks.get(f.pos)).is_some_and(|t| t.is_punct("("))
    }

    /// The next token from `stack`, then (when `from_file`) from the current file.
    fn next_token(&mut self, stack: &mut Vec<PTok>, from_file: bool) -> Result<Option<PTok>, Diagnostic> {
        if let Some(t) = stack.pop() {
            return Ok(Some(t));
        }
        if from_file {
            return Ok(self.next_file_token(false)?.map(PTok::new));
        }
        Ok(None)
    }

    /// The symbol number of a macro name (for hide sets).
    fn sym(&mut self, name: &Rc<str>) -> u32 {
        if let Some(&s) = self.syms.get(name) {
            return s;
        }
        let s = self.syms.len() as u32;
        self.syms.insert(name.clone(), s);
        s
    }
}

#[cfg(test)]
mod tests;

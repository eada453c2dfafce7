//! `#include`: header names, search, the virtual Metal headers, loading and include guards.

use super::{Frame, Pp};
use crate::lex::{Token, TokenKind};
use crate::span::{FileId, Loc};
use crate::Diagnostic;
use std::path::{Path, PathBuf};
use std::rc::Rc;

/// Headers that `#include <…>` finds without any include path. They produce no tokens:
/// the emitter prepends the real `metal_stdlib` prelude as C++.
pub const VIRTUAL_HEADERS: [&str; 20] = [
    "metal_stdlib",
    "metal_math",
    "metal_atomic",
    "metal_simdgroup",
    "metal_simdgroup_matrix",
    "metal_integer",
    "metal_common",
    "metal_compute",
    "metal_geometric",
    "metal_relational",
    "metal_texture",
    "metal_graphics",
    "metal_pack",
    "metal_limits",
    "metal_types",
    "metal_numeric",
    "metal_matrix",
    "metal_uniform",
    "metal_logging",
    "simd/simd.h",
];

/// Files larger than this are refused.
const MAX_FILE_BYTES: u64 = 256 << 20;

/// Where an include was found.
pub(crate) enum Found {
    Virtual,
    File(PathBuf),
}

/// A file read once and kept for later includes.
pub(crate) struct Loaded {
    file: FileId,
    toks: Rc<Vec<Token>>,
    /// The macro of a classic `#ifndef G … #endif` include guard around the whole file.
    guard: Option<Rc<str>>,
}

/// Directory and canonical path of the main source, when its name is a path.
pub(crate) fn main_dir(name: &str) -> (Option<PathBuf>, Option<PathBuf>) {
    if name.is_empty() || name.starts_with('<') {
        return (None, None);
    }
    let p = Path::new(name);
    let dir = p.parent().map(Path::to_path_buf);
    let canon = std::fs::canonicalize(p).ok();
    (dir, canon)
}

/// `"name"` → (name, false), `< tokens >` → (name, true).
pub(crate) fn header_name(toks: &[Token]) -> Option<(String, bool)> {
    let first = toks.first()?;
    if first.kind == TokenKind::Str && first.text.starts_with('"') {
        let s = first.text.strip_prefix('"')?.strip_suffix('"')?;
        return Some((s.to_string(), false));
    }
    if first.is_punct("<") {
        let mut s = String::new();
        for (i, t) in toks.iter().skip(1).enumerate() {
            if t.is_punct(">") {
                return Some((s, true));
            }
            if i > 0 && t.space_before {
                s.push(' ');
            }
            s.push_str(&t.text);
        }
    }
    None
}

fn is_file(p: &Path) -> bool {
    std::fs::metadata(p).is_ok_and(|m| m.is_file())
}

/// The macro of an include guard wrapping all of `toks`, if there is one.
fn detect_guard(toks: &[Token]) -> Option<Rc<str>> {
    let is_dir = |i: usize, name: &str| {
        toks.get(i).is_some_and(|t| t.line_start && t.is_punct("#"))
            && toks.get(i + 1).is_some_and(|t| !t.line_start && t.is_ident(name))
    };
    if !is_dir(0, "ifndef") {
        return None;
    }
    let guard = toks.get(2).filter(|t| t.kind == TokenKind::Ident && !t.line_start)?.text.clone();
    let mut depth = 1usize;
    let mut i = 3;
    while i < toks.len() {
        if toks.get(i).is_some_and(|t| t.line_start && t.is_punct("#")) {
            let name = toks.get(i + 1).filter(|t| !t.line_start && t.kind == TokenKind::Ident);
            match name.map(|t| &*t.text) {
                Some("if" | "ifdef" | "ifndef") => depth += 1,
                Some("elif" | "else" | "elifdef" | "elifndef") if depth == 1 => return None,
                Some("endif") => {
                    depth -= 1;
                    if depth == 0 {
                        // Nothing may follow the closing #endif's line.
                        let mut j = i + 1;
                        while toks.get(j).is_some_and(|t| !t.line_start) {
                            j += 1;
                        }
                        return (j == toks.len()).then_some(guard);
                    }
                }
                _ => {}
            }
        }
        i += 1;
    }
    None
}

impl Pp<'_> {
    /// Searches for an include: for `"…"` the including file's directory first, then the
    /// include paths, then the virtual headers.
    pub(crate) fn find_include(&self, name: &str, angle: bool) -> Option<Found> {
        if !angle {
            if let Some(dir) = self.frames.last().and_then(|f| f.dir.as_ref()) {
                let p = dir.join(name);
                if is_file(&p) {
                    return Some(Found::File(p));
                }
            }
        }
        for d in &self.opts.include_paths {
            let p = d.join(name);
            if is_file(&p) {
                return Some(Found::File(p));
            }
        }
        if VIRTUAL_HEADERS.contains(&name) {
            return Some(Found::Virtual);
        }
        None
    }

    /// `#include` / `#import` (the tokens after the directive name).
    pub(crate) fn include(
        &mut self,
        rest: &[Token],
        hash: &Token,
        allow: bool,
        import: bool,
    ) -> Result<(), Diagnostic> {
        let at = hash.loc;
        if !allow {
            return Err(self.err(at, "#include is not allowed inside macro arguments"));
        }
        let name = match header_name(rest) {
            Some(n) => Some(n),
            None => {
                let e = self.expand_tokens(rest, hash)?;
                header_name(&e)
            }
        };
        let Some((name, angle)) = name else {
            return Err(self.err(at, "#include expects \"FILENAME\" or <FILENAME>"));
        };
        if name.is_empty() {
            return Err(self.err(at, "empty filename in #include"));
        }
        if self.frames.len() >= self.limits.max_include_depth {
            return Err(self
                .err(at, format!("#include nested too deeply (more than {} levels)", self.limits.max_include_depth)));
        }
        self.includes += 1;
        if self.includes > self.limits.max_includes {
            return Err(self.err(at, format!("too many #include operations (more than {})", self.limits.max_includes)));
        }
        match self.find_include(&name, angle) {
            None => {
                let shown = if angle { format!("<{name}>") } else { format!("\"{name}\"") };
                Err(self.err(at, format!("file not found: {shown}")))
            }
            Some(Found::Virtual) => Ok(()),
            Some(Found::File(path)) => self.enter_file(path, at, import),
        }
    }

    fn enter_file(&mut self, path: PathBuf, at: Loc, import: bool) -> Result<(), Diagnostic> {
        let canon = std::fs::canonicalize(&path).unwrap_or_else(|_| path.clone());
        if self.once.contains(&canon) {
            return Ok(());
        }
        if !self.loaded.contains_key(&canon) {
            let loaded = self.load(&path, at)?;
            self.loaded.insert(canon.clone(), loaded);
        }
        let Some(l) = self.loaded.get(&canon) else { return Ok(()) };
        if l.guard.as_ref().is_some_and(|g| self.macros.contains_key(g)) {
            return Ok(());
        }
        let (file, toks) = (l.file, l.toks.clone());
        if import {
            self.once.insert(canon.clone());
        }
        let dir = path.parent().map(Path::to_path_buf);
        self.frames.push(Frame::new(file, toks, dir, Some(canon)));
        Ok(())
    }

    fn load(&mut self, path: &Path, at: Loc) -> Result<Loaded, Diagnostic> {
        let shown = path.display().to_string();
        let meta = std::fs::metadata(path).map_err(|e| self.err(at, format!("cannot read '{shown}': {e}")))?;
        if meta.len() > MAX_FILE_BYTES {
            return Err(self.err(at, format!("'{shown}' is too large to include")));
        }
        let bytes = std::fs::read(path).map_err(|e| self.err(at, format!("cannot read '{shown}': {e}")))?;
        let text = match String::from_utf8(bytes) {
            Ok(s) => s,
            Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
        };
        let file = self.files.add(shown, text.as_str(), false);
        let toks = self.lex_text(&text, file)?;
        let guard = detect_guard(&toks);
        Ok(Loaded { file, toks, guard })
    }
}

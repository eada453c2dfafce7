//! The output writer: places tokens on the lines (and near the columns) they came from,
//! writing `#line` directives whenever the output moves elsewhere than the natural next
//! line, so that C++ compiler errors point into the user's source.

use crate::parse::scan::needs_space;
use crate::span::{FileId, Loc, SourceFiles};

/// Lines skipped with plain newlines before a `#line` directive is cheaper.
const MAX_GAP: u32 = 8;

pub(crate) struct Out<'a> {
    pub s: String,
    files: &'a SourceFiles,
    file: Option<FileId>,
    line: u32,
    col: u32,
}

impl<'a> Out<'a> {
    pub fn new(files: &'a SourceFiles) -> Self {
        Out { s: String::new(), files, file: None, line: 0, col: 0 }
    }

    fn directive(&mut self, loc: Loc) {
        if self.col > 0 {
            self.s.push('\n');
        }
        let name = escape(self.files.name(loc.file));
        self.s.push_str(&format!("#line {} \"{}\"\n", loc.line, name));
        self.file = Some(loc.file);
        self.line = loc.line;
        self.col = 0;
    }

    /// Moves the output to `loc`'s line (without padding).
    fn go(&mut self, loc: Loc) {
        if self.file == Some(loc.file) && loc.line == self.line {
            return;
        }
        if self.file == Some(loc.file) && loc.line > self.line && loc.line - self.line <= MAX_GAP {
            for _ in self.line..loc.line {
                self.s.push('\n');
            }
            self.line = loc.line;
            self.col = 0;
        } else {
            self.directive(loc);
        }
    }

    /// Writes `text` as if it stood at `loc`.
    pub fn token(&mut self, text: &str, loc: Loc, space_before: bool) {
        if text.is_empty() {
            return;
        }
        self.go(loc);
        let want = loc.col.saturating_sub(1);
        if self.col < want {
            let pad = (want - self.col) as usize;
            self.s.extend(std::iter::repeat_n(' ', pad));
            self.col = want;
        } else if self.col > 0 && (space_before || needs_space(&self.s, text)) {
            self.s.push(' ');
            self.col += 1;
        }
        self.s.push_str(text);
        self.col += text.chars().count() as u32;
        if let Some(n) = text.rfind('\n') {
            // Multi-line generated text: we are no longer where the map says.
            self.line += text.matches('\n').count() as u32;
            self.col = text[n + 1..].chars().count() as u32;
            self.file = None;
        }
    }

    /// A directive line (`#pragma ...`) belonging to `loc`'s line.
    pub fn directive_line(&mut self, text: &str, loc: Loc) {
        if self.col > 0 {
            self.s.push('\n');
            self.line += 1;
            self.col = 0;
        }
        self.go(loc);
        self.s.push_str(text);
        self.s.push('\n');
        self.line += 1;
    }

    /// Ends the current line.
    pub fn newline(&mut self) {
        if self.col > 0 {
            self.s.push('\n');
            self.line += 1;
            self.col = 0;
        }
    }
}

fn escape(name: &str) -> String {
    name.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', " ")
}

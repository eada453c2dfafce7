//! Diagnostics: a message with a location in the user's source, rendered as
//! `FILE:LINE:COL: error: message`, the source line, and a caret under the column.

use crate::span::{Loc, SourceFiles};
use std::fmt;

/// How bad a diagnostic is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Severity {
    Error,
    Warning,
    Note,
}

impl Severity {
    fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "note",
        }
    }
}

/// A located message, already resolved against the source files so that it can be
/// displayed (and carried across threads and into Python) on its own.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    pub message: String,
    /// File name as the user knows it (`<source>`, `kernels.metal`, an include path).
    pub file: String,
    pub line: u32,
    pub col: u32,
    /// The offending source line (empty when unknown).
    pub source_line: String,
    /// Further lines printed after the caret.
    pub notes: Vec<String>,
}

impl Diagnostic {
    /// An error at `loc`, resolving file name and source line from `files`.
    pub fn error_at(files: &SourceFiles, loc: Loc, message: impl Into<String>) -> Self {
        Self::at(files, loc, Severity::Error, message)
    }

    pub fn at(files: &SourceFiles, loc: Loc, severity: Severity, message: impl Into<String>) -> Self {
        Diagnostic {
            severity,
            message: message.into(),
            file: files.name(loc.file).to_string(),
            line: loc.line,
            col: loc.col,
            source_line: files.line_text(loc.file, loc.line).unwrap_or("").to_string(),
            notes: Vec::new(),
        }
    }

    /// An error with a location given directly (for messages of an external compiler).
    pub fn error_raw(
        file: impl Into<String>,
        line: u32,
        col: u32,
        source_line: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Diagnostic {
            severity: Severity::Error,
            message: message.into(),
            file: file.into(),
            line,
            col,
            source_line: source_line.into(),
            notes: Vec::new(),
        }
    }

    pub fn with_note(mut self, note: impl Into<String>) -> Self {
        self.notes.push(note.into());
        self
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}: {}: {}", self.file, self.line, self.col, self.severity.as_str(), self.message)?;
        if !self.source_line.is_empty() {
            // Tabs are kept in the padding so the caret lines up in a terminal.
            let pad: String = self
                .source_line
                .chars()
                .take(self.col.saturating_sub(1) as usize)
                .map(|c| if c == '\t' { '\t' } else { ' ' })
                .collect();
            write!(f, "\n    {}\n    {}^", self.source_line, pad)?;
        }
        for note in &self.notes {
            write!(f, "\n{note}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Diagnostic {}

/// Several diagnostics from one run (the first is the one that stopped it).
pub fn render_all(diags: &[Diagnostic]) -> String {
    diags.iter().map(|d| d.to_string()).collect::<Vec<_>>().join("\n")
}

/// Parses a C++ compiler's messages (`file:line:col: error: msg` from g++/clang,
/// `file(line): error: msg` from NVRTC) into diagnostics, filling the source line from
/// `files` where the file is one of ours. `note:` lines are attached to the previous
/// diagnostic; lines in other formats are ignored.
pub fn parse_compiler_output(stderr: &str, files: &SourceFiles) -> Vec<Diagnostic> {
    let mut out: Vec<Diagnostic> = Vec::new();
    for line in stderr.lines() {
        let Some((file, lno, col, sev, msg)) = parse_line(line) else { continue };
        let source_line = files
            .iter()
            .find(|(_, f)| f.name == file && !f.is_system)
            .and_then(|(id, _)| files.line_text(id, lno))
            .unwrap_or("")
            .to_string();
        match sev {
            "note" => {
                if let Some(last) = out.last_mut() {
                    last.notes.push(format!("{file}:{lno}:{col}: note: {msg}"));
                }
            }
            _ => out.push(Diagnostic {
                severity: if sev == "warning" { Severity::Warning } else { Severity::Error },
                message: msg.to_string(),
                file: file.to_string(),
                line: lno,
                col,
                source_line,
                notes: Vec::new(),
            }),
        }
    }
    out
}

fn parse_line(line: &str) -> Option<(&str, u32, u32, &str, &str)> {
    for sev in ["fatal error", "error", "warning", "note"] {
        let tag = format!(": {sev}: ");
        let Some(p) = line.find(&tag) else { continue };
        let head = &line[..p];
        let msg = &line[p + tag.len()..];
        let sev = if sev == "fatal error" { "error" } else { sev };
        // NVRTC: `file(line)`.
        if let Some(h) = head.strip_suffix(')') {
            if let Some(o) = h.rfind('(') {
                if let Ok(l) = h[o + 1..].parse() {
                    return Some((&h[..o], l, 1, sev, msg));
                }
            }
        }
        // g++/clang: `file:line:col` or `file:line`.
        let mut parts = head.rsplitn(3, ':');
        let a = parts.next()?;
        let b = parts.next();
        let c = parts.next();
        return match (a.parse::<u32>(), b.and_then(|b| b.parse::<u32>().ok()), c) {
            (Ok(col), Some(l), Some(f)) => Some((f, l, col, sev, msg)),
            (Ok(l), _, _) => {
                let f = head.rsplit_once(':').map(|(f, _)| f)?;
                Some((f, l, 1, sev, msg))
            }
            _ => None,
        };
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compiler_output() {
        let mut files = SourceFiles::new();
        files.add("k.metal", "line one\n  float x = y;\n", false);
        let diags = parse_compiler_output(
            "In file included from x:\nk.metal:2:13: error: 'y' was not declared in this scope\nk.metal:1:1: note: here\n\
             /tmp/a.cpp:10:2: warning: w\nk.metal(2): error: nvrtc says\n",
            &files,
        );
        assert_eq!(diags.len(), 3);
        assert_eq!(diags[0].line, 2);
        assert_eq!(diags[0].col, 13);
        assert_eq!(diags[0].source_line, "  float x = y;");
        assert_eq!(diags[0].notes.len(), 1);
        assert_eq!(diags[1].severity, Severity::Warning);
        assert_eq!(diags[2].message, "nvrtc says");
        assert!(diags[0].to_string().contains("k.metal:2:13: error: 'y' was not declared"));
    }
}

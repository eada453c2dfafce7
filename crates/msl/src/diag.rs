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

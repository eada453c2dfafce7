//! C++ compiler messages → one `msl::Diagnostic` located in the user's source.
//!
//! The emitted C++ carries `#line` directives, so g++/clang already name the user's file
//! and line; `msl::diag::parse_compiler_output` parses them and draws the caret from the
//! library's `SourceFiles`. Here we pick the diagnostic to report: the first error in a
//! user (non-system) file, else the first error; the other errors follow as notes.

use msl::{Diagnostic, Severity, SourceFiles};
use std::path::Path;

/// At most this many further errors are attached as notes.
const MAX_NOTES: usize = 8;

/// Builds the diagnostic for a failed compile of `source` (written to `cpp`).
pub fn compiler_diagnostic(stderr: &str, files: Option<&SourceFiles>, cpp: &Path, source: &str) -> Diagnostic {
    let empty = SourceFiles::new();
    let files = files.unwrap_or(&empty);
    let mut errors: Vec<Diagnostic> =
        msl::diag::parse_compiler_output(stderr, files).into_iter().filter(|d| d.severity == Severity::Error).collect();
    let cpp_name = cpp.to_string_lossy();
    for d in errors.iter_mut().filter(|d| d.source_line.is_empty() && d.file == cpp_name) {
        d.source_line = source.split('\n').nth(d.line.saturating_sub(1) as usize).unwrap_or("").to_string();
    }
    let is_user = |d: &Diagnostic| files.iter().any(|(_, f)| f.name == d.file && !f.is_system);
    let Some(p) = errors.iter().position(is_user).or(if errors.is_empty() { None } else { Some(0) }) else {
        let lines: Vec<&str> = stderr.lines().collect();
        let tail = lines[lines.len().saturating_sub(20)..].join("\n");
        return Diagnostic::error_raw("<c++>", 0, 0, "", "the C++ compiler failed").with_note(tail);
    };
    let mut d = errors.remove(p);
    let more = errors.len().saturating_sub(MAX_NOTES);
    for other in errors.iter().take(MAX_NOTES) {
        d = d.with_note(format!("{}:{}:{}: error: {}", other.file, other.line, other.col, other.message));
    }
    if more > 0 {
        d = d.with_note(format!("... and {more} more errors"));
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks_user_file_and_line() {
        let mut files = SourceFiles::new();
        files.add("metal_stdlib", "x", true);
        files.add("k.metal", "kernel void f() {\n  int y = z;\n}", false);
        let err = "metal_stdlib:1:1: error: bad\nk.metal:2:11: error: 'z' was not declared\n";
        let d = compiler_diagnostic(err, Some(&files), Path::new("/t/x.cpp"), "");
        assert_eq!((d.file.as_str(), d.line, d.col), ("k.metal", 2, 11));
        assert_eq!(d.source_line, "  int y = z;");
        assert_eq!(d.notes.len(), 1);
    }

    #[test]
    fn raw_source_lines() {
        let d = compiler_diagnostic("/t/x.cpp:2:3: error: oops\n", None, Path::new("/t/x.cpp"), "a\nbcd\n");
        assert_eq!((d.line, d.source_line.as_str()), (2, "bcd"));
        let d = compiler_diagnostic("collect2: ld returned 1\n", None, Path::new("/t/x.cpp"), "");
        assert_eq!(d.line, 0);
        assert!(d.notes[0].contains("collect2"));
    }
}

//! C++ compiler messages → `msl::Diagnostic` located in the user's source.
//!
//! The emitted C++ carries `#line` directives, so g++/clang already name the user's file
//! and line; we look the line text up in the library's `SourceFiles` to draw the caret.
//! The first error in a user (non-system) file becomes the diagnostic; the other errors
//! follow as notes.

use msl::{Diagnostic, SourceFiles};
use std::path::Path;

/// At most this many further errors are attached as notes.
const MAX_NOTES: usize = 8;

struct Message<'a> {
    file: &'a str,
    line: u32,
    col: u32,
    text: &'a str,
}

/// Parses `file:line[:col]: error: text` (also `fatal error:`).
fn parse_line(line: &str) -> Option<Message<'_>> {
    let (head, text) = [": fatal error: ", ": error: "].iter().find_map(|m| line.split_once(m))?;
    let mut parts = head.rsplitn(3, ':');
    let a = parts.next()?;
    let b = parts.next()?;
    match (b.trim().parse::<u32>(), a.trim().parse::<u32>()) {
        (Ok(line_no), Ok(col)) => Some(Message { file: parts.next()?, line: line_no, col, text }),
        (Err(_), Ok(line_no)) => {
            // `file:line: error:` without a column: `b` belongs to the file name.
            let file_end = head.len() - a.len() - 1;
            Some(Message { file: &head[..file_end], line: line_no, col: 1, text })
        }
        _ => None,
    }
}

/// Builds the diagnostic for a failed compile of `source` (written to `cpp`).
pub fn compiler_diagnostic(stderr: &str, files: Option<&SourceFiles>, cpp: &Path, source: &str) -> Diagnostic {
    let msgs: Vec<Message<'_>> = stderr.lines().filter_map(parse_line).collect();
    let cpp_name = cpp.to_string_lossy();
    let user_file = |name: &str| files.and_then(|fs| fs.iter().find(|(_, f)| f.name == name && !f.is_system));
    let line_of = |m: &Message<'_>| -> String {
        if let Some((id, _)) = user_file(m.file) {
            return files.and_then(|fs| fs.line_text(id, m.line)).unwrap_or("").to_string();
        }
        if m.file == cpp_name {
            return source.split('\n').nth(m.line.saturating_sub(1) as usize).unwrap_or("").to_string();
        }
        String::new()
    };
    let primary =
        msgs.iter().position(|m| user_file(m.file).is_some()).or(if msgs.is_empty() { None } else { Some(0) });
    let Some(p) = primary else {
        let tail: Vec<&str> = stderr.lines().rev().take(20).collect::<Vec<_>>().into_iter().rev().collect();
        return Diagnostic::error_raw("<c++>", 0, 0, "", "the C++ compiler failed").with_note(tail.join("\n"));
    };
    let m = &msgs[p];
    let mut d = Diagnostic::error_raw(m.file, m.line, m.col, line_of(m), m.text);
    for (i, other) in msgs.iter().enumerate().filter(|(i, _)| *i != p).take(MAX_NOTES) {
        let _ = i;
        d = d.with_note(format!("{}:{}:{}: error: {}", other.file, other.line, other.col, other.text));
    }
    if msgs.len() > MAX_NOTES + 1 {
        d = d.with_note(format!("... and {} more errors", msgs.len() - MAX_NOTES - 1));
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_gcc_lines() {
        let m = parse_line("<source>:5:12: error: 'foo' was not declared in this scope").unwrap();
        assert_eq!((m.file, m.line, m.col, m.text), ("<source>", 5, 12, "'foo' was not declared in this scope"));
        let m = parse_line("/tmp/a b.cpp:7: error: x").unwrap();
        assert_eq!((m.file, m.line, m.col), ("/tmp/a b.cpp", 7, 1));
        assert!(parse_line("In file included from x.h:3:").is_none());
    }

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
}

//! The lexer: C++ preprocessing tokens with locations.
//!
//! Comments become whitespace, backslash-newline splices are removed (locations still
//! point at the physical lines), and every token records whether whitespace preceded it
//! and whether it starts a line, which is all the preprocessor needs to find directives
//! and to stringize. It never fails: a stray byte becomes an [`TokenKind::Other`] token that
//! later stages report with its location; an unterminated comment or string is an error
//! reported by [`lex`].

use crate::span::{FileId, Loc};
use std::collections::HashSet;
use std::hash::{BuildHasherDefault, Hasher};
use std::rc::Rc;

/// What kind of preprocessing token.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TokenKind {
    Ident,
    /// A pp-number: `1`, `1.5f`, `0x1p-3`, `2.0h`, `1'000`.
    Number,
    /// A string literal including quotes and any prefix.
    Str,
    /// A character literal including quotes and any prefix.
    Char,
    /// An operator or punctuator (`+=`, `::`, `[[`, is two `[`).
    Punct,
    /// A `#pragma` (or `_Pragma`) that survived preprocessing; `text` is the pragma's body
    /// (`unroll 4`, `clang loop unroll(full)`).
    Pragma,
    /// A byte that is not part of any C++ token.
    Other,
}

/// A preprocessing token. `text` is shared so macro expansion copies cheaply.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Token {
    pub kind: TokenKind,
    pub text: Rc<str>,
    pub loc: Loc,
    /// Whitespace (or a comment) came before this token on its line.
    pub space_before: bool,
    /// First token of a (logical) line.
    pub line_start: bool,
}

impl Token {
    pub fn new(kind: TokenKind, text: impl Into<Rc<str>>, loc: Loc) -> Self {
        Token { kind, text: text.into(), loc, space_before: false, line_start: false }
    }

    pub fn is_punct(&self, p: &str) -> bool {
        self.kind == TokenKind::Punct && &*self.text == p
    }

    pub fn is_ident(&self, name: &str) -> bool {
        self.kind == TokenKind::Ident && &*self.text == name
    }
}

/// An error the lexer cannot recover from (unterminated comment or literal).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LexError {
    pub loc: Loc,
    pub message: String,
}

const PUNCTS: [&str; 48] = [
    "%:%:", "...", "<<=", ">>=", "->*", "<=>", "::", "->", "++", "--", "<<", ">>", "<=", ">=", "==", "!=", "&&", "||",
    "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", "##", ".*", "{", "}", "[", "]", "(", ")", ";", ":", "?", ".", "+",
    "-", "*", "/", "%", "^", "&", "|", "~", "!",
];
const PUNCTS_TAIL: [&str; 5] = ["=", "<", ">", ",", "#"];

/// Splits `src` into tokens. Locations use `file`.
pub fn lex(src: &str, file: FileId) -> Result<Vec<Token>, LexError> {
    Lexer::new(src, file).run()
}

struct Lexer<'a> {
    /// Source bytes with splices still in place.
    bytes: &'a [u8],
    pos: usize,
    line: u32,
    col: u32,
    file: FileId,
    /// Token texts seen so far: repeated identifiers and punctuators share one allocation.
    interned: HashSet<Rc<str>, BuildHasherDefault<FxHasher>>,
}

/// FxHash: a fast hasher for short keys (token texts, symbols).
#[derive(Default, Clone, Copy)]
pub struct FxHasher(u64);

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut h = self.0;
        for chunk in bytes.chunks(8) {
            let mut b = [0u8; 8];
            b[..chunk.len()].copy_from_slice(chunk);
            h = (h.rotate_left(5) ^ u64::from_le_bytes(b)).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
        }
        self.0 = h;
    }
    fn write_u8(&mut self, i: u8) {
        self.write_u64(i as u64);
    }
    fn write_u32(&mut self, i: u32) {
        self.write_u64(i as u64);
    }
    fn write_u64(&mut self, i: u64) {
        self.0 = (self.0.rotate_left(5) ^ i).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
    fn write_usize(&mut self, i: usize) {
        self.write_u64(i as u64);
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

impl<'a> Lexer<'a> {
    fn new(src: &'a str, file: FileId) -> Self {
        Lexer { bytes: src.as_bytes(), pos: 0, line: 1, col: 1, file, interned: HashSet::default() }
    }

    fn loc(&self) -> Loc {
        Loc::new(self.file, self.line, self.col)
    }

    /// Skips any backslash-newline splices at the current position.
    fn skip_splices(&mut self) {
        if self.bytes.get(self.pos) != Some(&b'\\') {
            return;
        }
        loop {
            let b = self.bytes;
            let p = self.pos;
            if p + 1 < b.len() && b[p] == b'\\' && b[p + 1] == b'\n' {
                self.pos += 2;
            } else if p + 2 < b.len() && b[p] == b'\\' && b[p + 1] == b'\r' && b[p + 2] == b'\n' {
                self.pos += 3;
            } else {
                return;
            }
            self.line += 1;
            self.col = 1;
        }
    }

    fn peek(&mut self) -> Option<u8> {
        self.skip_splices();
        self.bytes.get(self.pos).copied()
    }

    /// The byte after the current one, looking through splices.
    fn peek2(&mut self) -> Option<u8> {
        self.skip_splices();
        let save = (self.pos, self.line, self.col);
        self.pos += 1;
        self.col += 1;
        let r = self.peek();
        (self.pos, self.line, self.col) = save;
        r
    }

    fn bump(&mut self) -> Option<u8> {
        let c = self.peek()?;
        self.pos += 1;
        if c == b'\n' {
            self.line += 1;
            self.col = 1;
        } else {
            self.col += 1;
        }
        Some(c)
    }

    fn run(mut self) -> Result<Vec<Token>, LexError> {
        let mut out = Vec::with_capacity(self.bytes.len() / 4);
        let mut text = String::new();
        // A UTF-8 byte order mark is not part of the text.
        if self.bytes.starts_with(b"\xEF\xBB\xBF") {
            self.pos = 3;
        }
        let mut line_start = true;
        let mut space = false;
        while let Some(c) = self.peek() {
            match c {
                b'\n' => {
                    self.bump();
                    line_start = true;
                    space = false;
                    continue;
                }
                b' ' | b'\t' | b'\r' | 0x0b | 0x0c => {
                    self.pos += 1;
                    self.col += 1;
                    space = true;
                    continue;
                }
                b'/' if self.peek2() == Some(b'/') => {
                    loop {
                        // Fast scan to the end of the line or a backslash (maybe a splice).
                        while let Some(&b) = self.bytes.get(self.pos) {
                            if b == b'\n' || b == b'\\' {
                                break;
                            }
                            self.pos += 1;
                            self.col += 1;
                        }
                        match self.peek() {
                            None | Some(b'\n') => break,
                            Some(_) => {
                                self.pos += 1;
                                self.col += 1;
                            }
                        }
                    }
                    space = true;
                    continue;
                }
                b'/' if self.peek2() == Some(b'*') => {
                    let start = self.loc();
                    self.bump();
                    self.bump();
                    loop {
                        match self.bump() {
                            None => return Err(LexError { loc: start, message: "unterminated comment".into() }),
                            Some(b'*') if self.peek() == Some(b'/') => {
                                self.bump();
                                break;
                            }
                            _ => {}
                        }
                    }
                    space = true;
                    continue;
                }
                _ => {}
            }
            let loc = self.loc();
            text.clear();
            let kind = self.token(&mut text)?;
            let text = self.intern(&text);
            out.push(Token { kind, text, loc, space_before: space, line_start });
            line_start = false;
            space = false;
        }
        Ok(out)
    }

    fn intern(&mut self, text: &str) -> Rc<str> {
        if let Some(r) = self.interned.get(text) {
            return r.clone();
        }
        let r: Rc<str> = text.into();
        if text.len() <= 64 {
            self.interned.insert(r.clone());
        }
        r
    }

    /// Lexes one token into `text` (empty on entry).
    fn token(&mut self, text: &mut String) -> Result<TokenKind, LexError> {
        let start = self.loc();
        let c = self.peek().unwrap_or(0);
        if c.is_ascii_alphabetic() || c == b'_' || c >= 0x80 && self.utf8_ident_start() {
            loop {
                // Fast path: a run of identifier bytes (non-ASCII characters are taken whole).
                let from = self.pos;
                let mut end = from;
                let mut chars = 0u32;
                while let Some(&b) = self.bytes.get(end) {
                    if !(b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80) {
                        break;
                    }
                    if !(0x80..0xC0).contains(&b) {
                        chars += 1;
                    }
                    end += 1;
                }
                match std::str::from_utf8(self.bytes.get(from..end).unwrap_or(&[])) {
                    Ok(chunk) => text.push_str(chunk),
                    Err(_) => text.push_str(&String::from_utf8_lossy(self.bytes.get(from..end).unwrap_or(&[]))),
                }
                self.pos = end;
                self.col += chars;
                let before = self.pos;
                self.skip_splices();
                if self.pos == before {
                    break;
                }
            }
            // String/char literal prefixes: u8"..", L'..', u"..", U"..".
            if matches!(text.as_str(), "u8" | "u" | "U" | "L") {
                if let Some(q @ (b'"' | b'\'')) = self.peek() {
                    return self.quoted(q, text, start);
                }
            }
            return Ok(TokenKind::Ident);
        }
        if c.is_ascii_digit() || c == b'.' && self.peek2().is_some_and(|d| d.is_ascii_digit()) {
            while let Some(c) = self.peek() {
                let last = text.as_bytes().last().copied();
                let sign = (c == b'+' || c == b'-')
                    && (matches!(last, Some(b'e' | b'E')) && !is_hex(text) || matches!(last, Some(b'p' | b'P')));
                let body = c.is_ascii_alphanumeric() || c == b'.' || c == b'_';
                if sign || body || c == b'\'' && self.peek2().is_some_and(|d| d.is_ascii_alphanumeric()) {
                    self.take_char(text);
                } else {
                    break;
                }
            }
            return Ok(TokenKind::Number);
        }
        if c == b'"' || c == b'\'' {
            return self.quoted(c, text, start);
        }
        self.skip_splices();
        let rest = self.bytes.get(self.pos..).unwrap_or(&[]);
        // Punctuators never span a splice in practice; compare raw bytes.
        if let Some(p) = punct_at(rest) {
            self.pos += p.len();
            self.col += p.len() as u32;
            text.push_str(p);
            return Ok(TokenKind::Punct);
        }
        self.take_char(text);
        Ok(TokenKind::Other)
    }

    /// True when the byte at the cursor starts a non-ASCII character (allowed in identifiers).
    fn utf8_ident_start(&self) -> bool {
        true
    }

    /// Appends one (possibly multi-byte) character to `text`.
    fn take_char(&mut self, text: &mut String) {
        let Some(c) = self.peek() else { return };
        let len = utf8_len(c);
        let end = (self.pos + len).min(self.bytes.len());
        match std::str::from_utf8(self.bytes.get(self.pos..end).unwrap_or(&[])) {
            Ok(chunk) => text.push_str(chunk),
            Err(_) => text.push('\u{fffd}'),
        }
        self.pos = end;
        if c == b'\n' {
            self.line += 1;
            self.col = 1;
        } else {
            self.col += 1;
        }
    }

    fn quoted(&mut self, q: u8, text: &mut String, start: Loc) -> Result<TokenKind, LexError> {
        let save = (self.pos, self.line, self.col);
        let prefix = text.len();
        self.take_char(text);
        loop {
            match self.peek() {
                None | Some(b'\n') if q == b'\'' => {
                    // A lone apostrophe (`#error don't`, prose in `#if 0`): like clang, lex it as
                    // a stray character and let later stages complain if it matters.
                    (self.pos, self.line, self.col) = save;
                    text.truncate(prefix);
                    if !text.is_empty() {
                        return Ok(TokenKind::Ident);
                    }
                    self.take_char(text);
                    return Ok(TokenKind::Other);
                }
                None | Some(b'\n') => {
                    let what = if q == b'"' { "string literal" } else { "character literal" };
                    return Err(LexError { loc: start, message: format!("unterminated {what}") });
                }
                Some(b'\\') => {
                    self.take_char(text);
                    if self.peek().is_some_and(|c| c != b'\n') {
                        self.take_char(text);
                    }
                }
                Some(c) => {
                    self.take_char(text);
                    if c == q {
                        break;
                    }
                }
            }
        }
        Ok(if q == b'"' { TokenKind::Str } else { TokenKind::Char })
    }
}

/// The longest punctuator at the start of `rest`.
fn punct_at(rest: &[u8]) -> Option<&'static str> {
    let c = *rest.first()?;
    PUNCTS.iter().chain(PUNCTS_TAIL.iter()).copied().find(|p| {
        let pb = p.as_bytes();
        pb.first() == Some(&c) && rest.len() >= pb.len() && pb.iter().zip(rest).all(|(a, b)| a == b)
    })
}

fn is_hex(text: &str) -> bool {
    text.starts_with("0x") || text.starts_with("0X")
}

fn utf8_len(first: u8) -> usize {
    match first {
        0xF0..=0xFF => 4,
        0xE0..=0xEF => 3,
        0xC0..=0xDF => 2,
        _ => 1,
    }
}

/// Spells tokens back as source text, separating them where needed (used for
/// stringizing, `#error` messages and debugging).
pub fn spell(tokens: &[Token]) -> String {
    let mut s = String::new();
    for (i, t) in tokens.iter().enumerate() {
        if i > 0 && t.space_before {
            s.push(' ');
        }
        s.push_str(&t.text);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(src: &str) -> Vec<(TokenKind, String)> {
        lex(src, 0).unwrap().into_iter().map(|t| (t.kind, t.text.to_string())).collect()
    }

    #[test]
    fn basic_tokens() {
        use TokenKind::*;
        assert_eq!(
            kinds("a+=1.5f; x>>=2 ... [[buffer(0)]] 2.0h 1e-3 0x1p+4 'c' \"s\\\"\""),
            vec![
                (Ident, "a".into()),
                (Punct, "+=".into()),
                (Number, "1.5f".into()),
                (Punct, ";".into()),
                (Ident, "x".into()),
                (Punct, ">>=".into()),
                (Number, "2".into()),
                (Punct, "...".into()),
                (Punct, "[".into()),
                (Punct, "[".into()),
                (Ident, "buffer".into()),
                (Punct, "(".into()),
                (Number, "0".into()),
                (Punct, ")".into()),
                (Punct, "]".into()),
                (Punct, "]".into()),
                (Number, "2.0h".into()),
                (Number, "1e-3".into()),
                (Number, "0x1p+4".into()),
                (Char, "'c'".into()),
                (Str, "\"s\\\"\"".into()),
            ]
        );
    }

    #[test]
    fn locations_comments_and_splices() {
        let toks = lex("a /* x\n y */ b\n#define X \\\n  1\n// c\nc", 3).unwrap();
        let v: Vec<_> = toks.iter().map(|t| (t.text.to_string(), t.loc.line, t.loc.col, t.line_start)).collect();
        assert_eq!(
            v,
            vec![
                ("a".into(), 1, 1, true),
                ("b".into(), 2, 7, false),
                ("#".into(), 3, 1, true),
                ("define".into(), 3, 2, false),
                ("X".into(), 3, 9, false),
                ("1".into(), 4, 3, false),
                ("c".into(), 6, 1, true),
            ]
        );
        assert!(toks.iter().all(|t| t.loc.file == 3));
    }

    #[test]
    fn errors_and_garbage() {
        assert!(lex("/* open", 0).is_err());
        assert!(lex("\"open\n", 0).is_err());
        let t = lex("#error don't\nu8'x\n", 0).unwrap();
        assert_eq!(t[2].text.as_ref(), "don");
        assert_eq!((t[3].kind, t[3].text.as_ref()), (TokenKind::Other, "'"));
        assert_eq!((t[5].kind, t[5].text.as_ref(), t[5].line_start), (TokenKind::Ident, "u8", true));
        assert_eq!(t[6].kind, TokenKind::Other);
        let t = lex("a @ $ \u{0} é", 0).unwrap();
        assert_eq!(t[1].kind, TokenKind::Other);
        assert_eq!(t.len(), 5);
        let t = lex("\u{feff}#x", 0).unwrap();
        assert_eq!((t[0].text.as_ref(), t[0].line_start, t[0].loc.col), ("#", true, 1));
    }
}

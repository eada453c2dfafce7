//! Token-level helpers shared by reflection and emission: bracket matching, angle-bracket
//! groups, `[[attribute]]` lists, compact spelling and an integer constant evaluator.

use crate::lex::{Token, TokenKind};

/// No matching bracket.
pub(crate) const NONE: usize = usize::MAX;

pub(crate) fn is_p(t: Option<&Token>, p: &str) -> bool {
    t.is_some_and(|t| t.is_punct(p))
}

pub(crate) fn is_id(t: Option<&Token>, name: &str) -> bool {
    t.is_some_and(|t| t.is_ident(name))
}

pub(crate) fn ident(t: Option<&Token>) -> Option<&str> {
    t.filter(|t| t.kind == TokenKind::Ident).map(|t| &*t.text)
}

/// For every `(`, `[`, `{` the index of its closer and back; [`NONE`] for other tokens.
/// On imbalance: the index of the offending token and a message.
pub(crate) fn match_brackets(toks: &[Token]) -> Result<Vec<usize>, (usize, String)> {
    let mut m = vec![NONE; toks.len()];
    let mut stack: Vec<usize> = Vec::new();
    for (i, t) in toks.iter().enumerate() {
        if t.kind != TokenKind::Punct {
            continue;
        }
        let open = match &*t.text {
            "(" | "[" | "{" => {
                stack.push(i);
                continue;
            }
            ")" => "(",
            "]" => "[",
            "}" => "{",
            _ => continue,
        };
        match stack.pop() {
            Some(o) if &*toks[o].text == open => {
                m[o] = i;
                m[i] = o;
            }
            Some(o) => {
                let close = closer(&toks[o].text);
                let l = toks[i].loc;
                return Err((
                    o,
                    format!(
                        "unbalanced '{}': expected '{close}' before '{}' at {}:{}",
                        toks[o].text, t.text, l.line, l.col
                    ),
                ));
            }
            None => return Err((i, format!("unexpected '{}' without a matching '{open}'", t.text))),
        }
    }
    if let Some(o) = stack.pop() {
        return Err((o, format!("unbalanced '{}': no matching '{}'", toks[o].text, closer(&toks[o].text))));
    }
    Ok(m)
}

fn closer(open: &str) -> &'static str {
    match open {
        "(" => ")",
        "[" => "]",
        _ => "}",
    }
}

/// Given `<` at `i`, the index of the token that closes it (`>` or a `>>` whose second
/// half closes it), skipping bracket groups. `None` when a `;`, `{`, `}` or closer ends the
/// search first.
pub(crate) fn angle_close(toks: &[Token], m: &[usize], i: usize, hi: usize) -> Option<usize> {
    let mut depth: i32 = 0;
    let mut j = i;
    while j < hi.min(toks.len()) {
        let t = &toks[j];
        if t.kind == TokenKind::Punct {
            match &*t.text {
                "<" => depth += 1,
                ">" => depth -= 1,
                ">>" => depth -= 2,
                "(" | "[" => {
                    let e = m.get(j).copied().unwrap_or(NONE);
                    if e == NONE || e <= j {
                        return None;
                    }
                    j = e;
                }
                ";" | "{" | "}" | ")" | "]" => return None,
                _ => {}
            }
            if depth <= 0 {
                return Some(j);
            }
        }
        j += 1;
    }
    None
}

/// If `[[` starts at `i`, the index of the final `]`.
pub(crate) fn attr_end(toks: &[Token], m: &[usize], i: usize) -> Option<usize> {
    if !is_p(toks.get(i), "[") || !is_p(toks.get(i + 1), "[") {
        return None;
    }
    let outer = *m.get(i)?;
    let inner = *m.get(i + 1)?;
    if outer != NONE && inner != NONE && outer == inner + 1 {
        Some(outer)
    } else {
        None
    }
}

/// One attribute of a `[[...]]` list: `name` or `ns::name(args)`.
#[derive(Clone, Debug)]
pub(crate) struct Attr {
    pub name: String,
    /// Index of the name token.
    pub at: usize,
    /// Token range of the arguments inside the parentheses, if any.
    pub args: Option<(usize, usize)>,
}

/// The attributes of the `[[...]]` starting at `i` (ending at `end`).
pub(crate) fn attrs(toks: &[Token], m: &[usize], i: usize, end: usize) -> Vec<Attr> {
    let mut out = Vec::new();
    let mut j = i + 2;
    let stop = end.saturating_sub(1);
    while j < stop {
        // Skip a namespace prefix.
        while ident(toks.get(j)).is_some() && is_p(toks.get(j + 1), "::") {
            j += 2;
        }
        let Some(name) = ident(toks.get(j)) else {
            j += 1;
            continue;
        };
        let at = j;
        let mut args = None;
        j += 1;
        if is_p(toks.get(j), "(") {
            let e = m.get(j).copied().unwrap_or(NONE);
            if e != NONE && e > j && e < stop {
                args = Some((j + 1, e));
                j = e + 1;
            }
        }
        out.push(Attr { name: name.to_string(), at, args });
        // To the next comma.
        while j < stop && !is_p(toks.get(j), ",") {
            let e = m.get(j).copied().unwrap_or(NONE);
            j = if e != NONE && e > j { e + 1 } else { j + 1 };
        }
        j += 1;
    }
    out
}

/// Spells tokens with spaces only where needed to keep them apart.
pub(crate) fn spell_compact(toks: &[Token]) -> String {
    let mut s = String::new();
    for t in toks {
        if needs_space(&s, &t.text) {
            s.push(' ');
        }
        s.push_str(&t.text);
    }
    s
}

/// Whether a space is needed between output ending in `prev` and `next`.
pub(crate) fn needs_space(prev: &str, next: &str) -> bool {
    let (Some(a), Some(b)) = (prev.chars().last(), next.chars().next()) else { return false };
    let word = |c: char| c.is_alphanumeric() || c == '_' || !c.is_ascii();
    const OPS: &str = "+-*/%<>=&|^!:.#~?";
    // The trailing identifier or number of `prev`.
    let tail_start = prev.rfind(|c: char| !(word(c) || c == '.')).map_or(0, |p| p + 1);
    let tail = &prev[tail_start..];
    let number = tail.starts_with(|c: char| c.is_ascii_digit() || c == '.') && tail.len() > usize::from(tail == ".");
    (word(a) || a == '"' || a == '\'') && (word(b) || b == '"' || b == '\'')
        || number && (b == '.' || word(b))
        || number && matches!(a, 'e' | 'E' | 'p' | 'P') && matches!(b, '+' | '-')
        || OPS.contains(a) && OPS.contains(b)
        || a == '.' && b.is_ascii_digit()
}

/// Splits `[lo, hi)` at commas outside brackets and angle brackets (`<` after an
/// identifier or `>` opens one).
pub(crate) fn split_commas(toks: &[Token], m: &[usize], lo: usize, hi: usize) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = lo;
    let mut angle: i32 = 0;
    let mut j = lo;
    while j < hi {
        let t = &toks[j];
        if t.kind == TokenKind::Punct {
            match &*t.text {
                "(" | "[" | "{" => {
                    let e = m.get(j).copied().unwrap_or(NONE);
                    if e != NONE && e > j && e < hi {
                        j = e;
                    }
                }
                "<" if j > lo && (toks[j - 1].kind == TokenKind::Ident || toks[j - 1].is_punct(">")) => angle += 1,
                ">" if angle > 0 => angle -= 1,
                ">>" if angle > 0 => angle = (angle - 2).max(0),
                "," if angle == 0 => {
                    out.push((start, j));
                    start = j + 1;
                }
                _ => {}
            }
        }
        j += 1;
    }
    if start < hi || !out.is_empty() {
        out.push((start, hi));
    }
    out
}

/// Evaluates an integer constant expression (literals, `+ - * / % << >> & | ^ ~ ! && ||`,
/// comparisons, `?:`, parentheses, `true`/`false`, names through `lookup`).
pub(crate) fn eval_int(toks: &[Token], lookup: &dyn Fn(&str) -> Option<i64>) -> Option<i64> {
    let mut p = Eval { toks, pos: 0, lookup, depth: 0 };
    let v = p.ternary()?;
    (p.pos == toks.len()).then_some(v)
}

struct Eval<'a> {
    toks: &'a [Token],
    pos: usize,
    lookup: &'a dyn Fn(&str) -> Option<i64>,
    depth: u32,
}

const BINOPS: [(&str, u8); 18] = [
    ("||", 1),
    ("&&", 2),
    ("|", 3),
    ("^", 4),
    ("&", 5),
    ("==", 6),
    ("!=", 6),
    ("<", 7),
    (">", 7),
    ("<=", 7),
    (">=", 7),
    ("<<", 8),
    (">>", 8),
    ("+", 9),
    ("-", 9),
    ("*", 10),
    ("/", 10),
    ("%", 10),
];

impl Eval<'_> {
    fn peek(&self) -> Option<&Token> {
        self.toks.get(self.pos)
    }

    fn ternary(&mut self) -> Option<i64> {
        self.depth += 1;
        if self.depth > 64 {
            return None;
        }
        let c = self.binary(1)?;
        let r = if is_p(self.peek(), "?") {
            self.pos += 1;
            let a = self.ternary()?;
            if !is_p(self.peek(), ":") {
                return None;
            }
            self.pos += 1;
            let b = self.ternary()?;
            Some(if c != 0 { a } else { b })
        } else {
            Some(c)
        };
        self.depth -= 1;
        r
    }

    fn binary(&mut self, min: u8) -> Option<i64> {
        let mut lhs = self.unary()?;
        loop {
            let Some(t) = self.peek() else { break };
            if t.kind != TokenKind::Punct {
                break;
            }
            let Some(&(op, prec)) = BINOPS.iter().find(|(o, _)| *o == &*t.text) else { break };
            if prec < min {
                break;
            }
            self.pos += 1;
            let rhs = self.binary(prec + 1)?;
            lhs = match op {
                "||" => ((lhs != 0) || (rhs != 0)) as i64,
                "&&" => ((lhs != 0) && (rhs != 0)) as i64,
                "|" => lhs | rhs,
                "^" => lhs ^ rhs,
                "&" => lhs & rhs,
                "==" => (lhs == rhs) as i64,
                "!=" => (lhs != rhs) as i64,
                "<" => (lhs < rhs) as i64,
                ">" => (lhs > rhs) as i64,
                "<=" => (lhs <= rhs) as i64,
                ">=" => (lhs >= rhs) as i64,
                "<<" => lhs.checked_shl(u32::try_from(rhs).ok()?)?,
                ">>" => lhs.checked_shr(u32::try_from(rhs).ok()?)?,
                "+" => lhs.checked_add(rhs)?,
                "-" => lhs.checked_sub(rhs)?,
                "*" => lhs.checked_mul(rhs)?,
                "/" => lhs.checked_div(rhs)?,
                _ => lhs.checked_rem(rhs)?,
            };
        }
        Some(lhs)
    }

    fn unary(&mut self) -> Option<i64> {
        self.depth += 1;
        if self.depth > 64 {
            return None;
        }
        let t = self.peek()?.clone();
        self.pos += 1;
        let r = match t.kind {
            TokenKind::Number => parse_int(&t.text),
            TokenKind::Char => {
                let b = t.text.as_bytes();
                (b.len() == 3).then(|| i64::from(b[1]))
            }
            TokenKind::Ident => match &*t.text {
                "true" => Some(1),
                "false" => Some(0),
                name => (self.lookup)(name),
            },
            TokenKind::Punct => match &*t.text {
                "(" => {
                    let v = self.ternary()?;
                    if !is_p(self.peek(), ")") {
                        return None;
                    }
                    self.pos += 1;
                    Some(v)
                }
                "-" => self.unary()?.checked_neg(),
                "+" => self.unary(),
                "~" => Some(!self.unary()?),
                "!" => Some((self.unary()? == 0) as i64),
                _ => None,
            },
            _ => None,
        };
        self.depth -= 1;
        r
    }
}

/// Parses an integer literal with C suffixes and `'` separators.
pub(crate) fn parse_int(text: &str) -> Option<i64> {
    let s: String = text.chars().filter(|&c| c != '\'').collect();
    let s = s.trim_end_matches(['u', 'U', 'l', 'L']);
    let (digits, radix) = if let Some(h) = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        (h, 16)
    } else if let Some(b) = s.strip_prefix("0b").or_else(|| s.strip_prefix("0B")) {
        (b, 2)
    } else if s.len() > 1 && s.starts_with('0') {
        (&s[1..], 8)
    } else {
        (s, 10)
    };
    u64::from_str_radix(digits, radix).ok().map(|v| v as i64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lex::lex;

    fn ev(s: &str) -> Option<i64> {
        let t = lex(s, 0).unwrap();
        eval_int(&t, &|n| (n == "BASE").then_some(100))
    }

    #[test]
    fn eval() {
        assert_eq!(ev("1 + 2 * 3"), Some(7));
        assert_eq!(ev("(BASE + 1) << 1"), Some(202));
        assert_eq!(ev("0x10u | 1"), Some(17));
        assert_eq!(ev("-3 + 5 > 1 ? 4 : 5"), Some(4));
        assert_eq!(ev("1 / 0"), None);
        assert_eq!(ev("x"), None);
        assert_eq!(ev("1 +"), None);
        assert_eq!(ev(&"(".repeat(500)), None);
    }

    #[test]
    fn brackets() {
        let t = lex("f(a[1]{}) }", 0).unwrap();
        assert!(match_brackets(&t).is_err());
        let t = lex("f(a[1]{})", 0).unwrap();
        let m = match_brackets(&t).unwrap();
        assert_eq!(m[1], 8);
    }
}

//! `#if` integer constant expressions, evaluated in `intmax_t`/`uintmax_t` (64-bit) with
//! C's usual arithmetic conversions, short-circuiting and every operator but assignment.
//!
//! The input is already macro-expanded, with `defined`/`__has_include` replaced by 0/1;
//! remaining identifiers are 0 (`true` is 1).

use crate::lex::{Token, TokenKind};
use crate::span::Loc;

type Res<T> = Result<T, (Loc, String)>;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Val {
    v: u64,
    unsigned: bool,
}

impl Val {
    fn signed(v: i64) -> Val {
        Val { v: v as u64, unsigned: false }
    }
    fn bool(b: bool) -> Val {
        Val::signed(b as i64)
    }
    fn truthy(self) -> bool {
        self.v != 0
    }
}

/// Evaluates `toks`; `at` locates errors at the end of the line.
pub(crate) fn eval(toks: &[Token], at: Loc, max_depth: usize) -> Result<bool, (Loc, String)> {
    if toks.is_empty() {
        return Err((at, "#if with no expression".into()));
    }
    let mut p = Parser { toks, pos: 0, at, depth: 0, max_depth };
    let v = p.comma(true)?;
    if let Some(t) = p.toks.get(p.pos) {
        return Err((t.loc, format!("missing binary operator before token \"{}\"", t.text)));
    }
    Ok(v.truthy())
}

struct Parser<'a> {
    toks: &'a [Token],
    pos: usize,
    at: Loc,
    depth: usize,
    max_depth: usize,
}

fn binop(t: &Token) -> Option<(u8, &str)> {
    if t.kind != TokenKind::Punct {
        return None;
    }
    let p = match &*t.text {
        "||" => 3,
        "&&" => 4,
        "|" => 5,
        "^" => 6,
        "&" => 7,
        "==" | "!=" => 8,
        "<" | ">" | "<=" | ">=" => 9,
        "<<" | ">>" => 10,
        "+" | "-" => 11,
        "*" | "/" | "%" => 12,
        _ => return None,
    };
    Some((p, &*t.text))
}

impl<'a> Parser<'a> {
    fn peek(&self) -> Option<&'a Token> {
        self.toks.get(self.pos)
    }

    fn peek_punct(&self, p: &str) -> bool {
        self.peek().is_some_and(|t| t.is_punct(p))
    }

    fn loc(&self) -> Loc {
        self.peek().map_or(self.at, |t| t.loc)
    }

    fn enter(&mut self) -> Res<()> {
        self.depth += 1;
        if self.depth > self.max_depth {
            return Err((self.loc(), "expression nested too deeply in #if".into()));
        }
        Ok(())
    }

    fn expect(&mut self, p: &str) -> Res<()> {
        if self.peek_punct(p) {
            self.pos += 1;
            return Ok(());
        }
        let msg = match self.peek() {
            Some(t) => format!("expected '{p}' in preprocessor expression, found \"{}\"", t.text),
            None => format!("expected '{p}' in preprocessor expression"),
        };
        Err((self.loc(), msg))
    }

    fn comma(&mut self, ev: bool) -> Res<Val> {
        let mut v = self.cond(ev)?;
        while self.peek_punct(",") {
            self.pos += 1;
            v = self.cond(ev)?;
        }
        Ok(v)
    }

    fn cond(&mut self, ev: bool) -> Res<Val> {
        self.enter()?;
        let c = self.binary(3, ev)?;
        let r = if self.peek_punct("?") {
            self.pos += 1;
            let a = self.comma(ev && c.truthy())?;
            self.expect(":")?;
            let b = self.cond(ev && !c.truthy())?;
            let pick = if c.truthy() { a } else { b };
            Val { v: pick.v, unsigned: a.unsigned || b.unsigned }
        } else {
            c
        };
        self.depth -= 1;
        Ok(r)
    }

    fn binary(&mut self, min: u8, ev: bool) -> Res<Val> {
        let mut lhs = self.unary(ev)?;
        while let Some((prec, op)) = self.peek().and_then(binop) {
            if prec < min {
                break;
            }
            let op_loc = self.loc();
            self.pos += 1;
            lhs = match op {
                "&&" => {
                    let rhs = self.binary(prec + 1, ev && lhs.truthy())?;
                    Val::bool(lhs.truthy() && rhs.truthy())
                }
                "||" => {
                    let rhs = self.binary(prec + 1, ev && !lhs.truthy())?;
                    Val::bool(lhs.truthy() || rhs.truthy())
                }
                _ => {
                    let rhs = self.binary(prec + 1, ev)?;
                    apply(op, lhs, rhs, ev).map_err(|m| (op_loc, m))?
                }
            };
        }
        Ok(lhs)
    }

    fn unary(&mut self, ev: bool) -> Res<Val> {
        self.enter()?;
        let r = self.unary_inner(ev);
        self.depth -= 1;
        r
    }

    fn unary_inner(&mut self, ev: bool) -> Res<Val> {
        let Some(t) = self.peek() else {
            return Err((self.at, "expected value in preprocessor expression".into()));
        };
        let loc = t.loc;
        self.pos += 1;
        match t.kind {
            TokenKind::Number => number(&t.text).map_err(|m| (loc, m)),
            TokenKind::Char => char_lit(&t.text).map_err(|m| (loc, m)),
            TokenKind::Ident => Ok(Val::bool(&*t.text == "true")),
            TokenKind::Punct => match &*t.text {
                "+" => self.unary(ev),
                "-" => {
                    let v = self.unary(ev)?;
                    Ok(Val { v: v.v.wrapping_neg(), unsigned: v.unsigned })
                }
                "~" => {
                    let v = self.unary(ev)?;
                    Ok(Val { v: !v.v, unsigned: v.unsigned })
                }
                "!" => {
                    let v = self.unary(ev)?;
                    Ok(Val::bool(!v.truthy()))
                }
                "(" => {
                    let v = self.comma(ev)?;
                    self.expect(")")?;
                    Ok(v)
                }
                other => Err((loc, format!("token \"{other}\" is not valid in preprocessor expressions"))),
            },
            TokenKind::Str => Err((loc, "string literal is not valid in preprocessor expressions".into())),
            TokenKind::Pragma => Err((loc, "_Pragma is not valid in preprocessor expressions".into())),
            TokenKind::Other => Err((loc, format!("token \"{}\" is not valid in preprocessor expressions", t.text))),
        }
    }
}

fn apply(op: &str, a: Val, b: Val, ev: bool) -> Result<Val, String> {
    let u = a.unsigned || b.unsigned;
    let (x, y) = (a.v, b.v);
    let (sx, sy) = (x as i64, y as i64);
    let arith = |v: u64| Val { v, unsigned: u };
    Ok(match op {
        "*" => arith(x.wrapping_mul(y)),
        "/" | "%" => {
            if y == 0 {
                if ev {
                    return Err(format!(
                        "{} by zero in preprocessor expression",
                        if op == "/" { "division" } else { "remainder" }
                    ));
                }
                arith(0)
            } else if u {
                arith(if op == "/" { x / y } else { x % y })
            } else if op == "/" {
                arith(sx.wrapping_div(sy) as u64)
            } else {
                arith(sx.wrapping_rem(sy) as u64)
            }
        }
        "+" => arith(x.wrapping_add(y)),
        "-" => arith(x.wrapping_sub(y)),
        "<<" | ">>" => {
            // The result has the (promoted) type of the left operand.
            let count = if b.unsigned { y.min(64) as i64 } else { sy.clamp(-64, 64) };
            let left = (op == "<<") == (count >= 0);
            let n = count.unsigned_abs();
            let v = if left {
                if n >= 64 {
                    0
                } else {
                    x << n
                }
            } else if a.unsigned {
                if n >= 64 {
                    0
                } else {
                    x >> n
                }
            } else {
                (sx >> n.min(63)) as u64
            };
            Val { v, unsigned: a.unsigned }
        }
        "<" | ">" | "<=" | ">=" => {
            let ord = if u { x.cmp(&y) } else { sx.cmp(&sy) };
            Val::bool(match op {
                "<" => ord.is_lt(),
                ">" => ord.is_gt(),
                "<=" => ord.is_le(),
                _ => ord.is_ge(),
            })
        }
        "==" => Val::bool(x == y),
        "!=" => Val::bool(x != y),
        "&" => arith(x & y),
        "^" => arith(x ^ y),
        "|" => arith(x | y),
        _ => return Err(format!("unknown operator '{op}'")),
    })
}

/// An integer literal with C++ suffixes and digit separators.
fn number(text: &str) -> Result<Val, String> {
    let s: String = text.chars().filter(|&c| c != '\'').collect();
    let lower = s.to_ascii_lowercase();
    let (digits, radix) = if let Some(d) = lower.strip_prefix("0x") {
        (d, 16)
    } else if let Some(d) = lower.strip_prefix("0b") {
        (d, 2)
    } else if lower.len() > 1 && lower.starts_with('0') {
        (&lower[1..], 8)
    } else {
        (lower.as_str(), 10)
    };
    let float = if radix == 16 { digits.contains(['.', 'p']) } else { digits.contains(['.', 'e']) };
    if float {
        return Err(format!("floating constant \"{text}\" in preprocessor expression"));
    }
    let split = digits.find(|c: char| !c.is_digit(radix.max(10))).unwrap_or(digits.len());
    let (num, suffix) = digits.split_at(split);
    if !matches!(suffix, "" | "u" | "l" | "ul" | "lu" | "ll" | "ull" | "llu" | "z" | "uz" | "zu") {
        return Err(format!("invalid suffix on integer constant \"{text}\""));
    }
    if num.is_empty() && radix != 8 {
        return Err(format!("invalid integer constant \"{text}\""));
    }
    let mut v: u64 = 0;
    for c in num.chars() {
        let Some(d) = c.to_digit(radix) else {
            return Err(format!("invalid digit '{c}' in integer constant \"{text}\""));
        };
        v = v
            .checked_mul(radix as u64)
            .and_then(|v| v.checked_add(d as u64))
            .ok_or_else(|| format!("integer constant \"{text}\" is too large"))?;
    }
    Ok(Val { v, unsigned: suffix.contains('u') || v > i64::MAX as u64 })
}

/// A character literal: `'a'`, `'\n'`, `'\x41'`, `'ab'` (multi-character), `L'x'`, `u'x'`.
fn char_lit(text: &str) -> Result<Val, String> {
    let q = text.find('\'').ok_or_else(|| "invalid character constant".to_string())?;
    let prefix = text.get(..q).unwrap_or("");
    let body = text.get(q + 1..).and_then(|b| b.strip_suffix('\'')).unwrap_or("");
    let mut vals: Vec<u32> = Vec::new();
    let mut chars = body.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            if prefix.is_empty() || prefix == "u8" {
                let mut buf = [0u8; 4];
                vals.extend(c.encode_utf8(&mut buf).bytes().map(u32::from));
            } else {
                vals.push(c as u32);
            }
            continue;
        }
        let Some(e) = chars.next() else { return Err("invalid escape in character constant".into()) };
        let v = match e {
            'n' => 10,
            't' => 9,
            'r' => 13,
            'a' => 7,
            'b' => 8,
            'f' => 12,
            'v' => 11,
            'e' => 27,
            '0'..='7' => {
                let mut v = e as u32 - '0' as u32;
                for _ in 0..2 {
                    match chars.peek().and_then(|c| c.to_digit(8)) {
                        Some(d) => {
                            v = v * 8 + d;
                            chars.next();
                        }
                        None => break,
                    }
                }
                v
            }
            'x' | 'u' | 'U' => {
                let mut v: u32 = 0;
                let mut n = 0;
                while let Some(d) = chars.peek().and_then(|c| c.to_digit(16)) {
                    v = v.wrapping_mul(16).wrapping_add(d);
                    chars.next();
                    n += 1;
                }
                if n == 0 {
                    return Err("\\x used with no following hex digits".into());
                }
                v
            }
            other => other as u32,
        };
        vals.push(v);
    }
    let Some(&first) = vals.first() else { return Err("empty character constant".into()) };
    let v = match prefix {
        "" | "u8" => {
            if vals.len() == 1 {
                (first as u8) as i8 as i64
            } else {
                vals.iter().fold(0u32, |acc, &c| (acc << 8) | (c & 0xff)) as i32 as i64
            }
        }
        "u" => (first & 0xffff) as i64,
        "L" => first as i32 as i64,
        _ => first as i64,
    };
    Ok(Val::signed(v))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lex::lex;

    fn ev(s: &str) -> Result<bool, String> {
        let toks = lex(s, 0).map_err(|e| e.message)?;
        eval(&toks, Loc::default(), 256).map_err(|(_, m)| m)
    }

    #[test]
    fn arithmetic_and_precedence() {
        assert_eq!(ev("1 + 2 * 3 == 7"), Ok(true));
        assert_eq!(ev("(1 + 2) * 3 == 9"), Ok(true));
        assert_eq!(ev("10 / 3 == 3 && 10 % 3 == 1"), Ok(true));
        assert_eq!(ev("-7 / 2 == -3 && -7 % 2 == -1"), Ok(true));
        assert_eq!(ev("1 << 4 == 16 && 256 >> 4 == 16"), Ok(true));
        assert_eq!(ev("-1 >> 63 == -1"), Ok(true));
        assert_eq!(ev("(6 & 3) == 2 && (6 | 3) == 7 && (6 ^ 3) == 5"), Ok(true));
        assert_eq!(ev("~0 == -1 && !0 && !!5"), Ok(true));
        assert_eq!(ev("1 ? 2 : 3"), Ok(true));
        assert_eq!(ev("0 ? 2 : 0"), Ok(false));
        assert_eq!(ev("(0, 1)"), Ok(true));
        assert_eq!(ev("1 < 2 && 2 <= 2 && 3 > 2 && 3 >= 3 && 1 != 2"), Ok(true));
        assert_eq!(ev("0x10 == 16 && 010 == 8 && 0b101 == 5 && 1'000 == 1000"), Ok(true));
        assert_eq!(ev("201703L >= 201402L && 10ull == 10"), Ok(true));
        assert_eq!(ev("true && !false"), Ok(true));
        assert_eq!(ev("undefined_name"), Ok(false));
    }

    #[test]
    fn unsigned_conversions() {
        assert_eq!(ev("-1 < 0"), Ok(true));
        assert_eq!(ev("-1 < 0u"), Ok(false));
        assert_eq!(ev("-1 > 0u"), Ok(true));
        assert_eq!(ev("0xffffffffffffffff == -1"), Ok(true));
        assert_eq!(ev("18446744073709551615 > 0"), Ok(true));
        assert_eq!(ev("(1 ? -1 : 0u) > 0"), Ok(true));
        assert_eq!(ev("-9223372036854775807 - 1 < 0"), Ok(true));
        assert_eq!(ev("(-9223372036854775807 - 1) / -1 < 0"), Ok(true));
    }

    #[test]
    fn chars() {
        assert_eq!(ev("'a' == 97 && '\\n' == 10 && '\\x41' == 65 && '\\0' == 0 && '\\'' == 39"), Ok(true));
        assert_eq!(ev("'\\377' < 0 && 'ab' == 24930 && L'x' == 120 && u'\\xffff' == 65535"), Ok(true));
    }

    #[test]
    fn errors() {
        assert!(ev("1 / 0").unwrap_err().contains("division by zero"));
        assert!(ev("1 % 0").unwrap_err().contains("by zero"));
        assert_eq!(ev("0 && 1 / 0"), Ok(false));
        assert_eq!(ev("1 || 1 / 0"), Ok(true));
        assert_eq!(ev("1 ? 1 : 1 / 0"), Ok(true));
        assert!(ev("1.5").unwrap_err().contains("floating"));
        assert!(ev("(1").is_err());
        assert!(ev("1 +").is_err());
        assert!(ev("1 2").unwrap_err().contains("missing binary operator"));
        assert!(ev("\"s\"").is_err());
        assert!(ev("x = 1").is_err());
        assert!(ev("99999999999999999999").unwrap_err().contains("too large"));
        assert!(ev("1 ? 2").is_err());
        assert!(ev("12abc").is_err());
        assert!(ev("''").is_err());
        let deep = format!("{}1{}", "(".repeat(5000), ")".repeat(5000));
        assert!(ev(&deep).unwrap_err().contains("nested too deeply"));
        let minus = format!("{}1", "- ".repeat(5000));
        assert!(ev(&minus).is_err());
    }
}

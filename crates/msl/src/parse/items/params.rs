//! Entry-point parameters: what each binds (`[[buffer(i)]]`, built-ins, `[[stage_in]]`, ...),
//! its address space and type, with located errors for misuse.

use super::Scanner;
use crate::lex::{Token, TokenKind};
use crate::parse::scan::{attr_end, attrs, is_p, split_commas, NONE};
use crate::parse::{AddressSpace, Binding, Builtin, Param, Stage};
use crate::Diagnostic;

impl Scanner<'_> {
    pub(super) fn params(&self, paren: usize, pe: usize, stage: Stage, fname: &str) -> Result<Vec<Param>, Diagnostic> {
        let toks = self.toks;
        let segs = split_commas(toks, self.m, paren + 1, pe);
        let mut out: Vec<(Param, usize, bool, Kind)> = Vec::new();
        for (lo, hi) in segs {
            if hi <= lo || hi == lo + 1 && toks[lo].is_ident("void") {
                continue;
            }
            let mut rest = Vec::new();
            let mut list = Vec::new();
            let mut j = lo;
            while j < hi {
                if let Some(e) = attr_end(toks, self.m, j) {
                    list.extend(attrs(toks, self.m, j, e));
                    j = e + 1;
                    continue;
                }
                if toks[j].is_punct("=") {
                    break;
                }
                let e = self.close(j);
                if e != NONE && e > j && e < hi {
                    rest.extend(j..=e);
                    j = e + 1;
                } else {
                    rest.push(j);
                    j += 1;
                }
            }
            let sig: Vec<usize> = rest
                .iter()
                .copied()
                .filter(|&i| {
                    !(toks[i].kind == TokenKind::Ident
                        && (toks[i].is_ident("const") || crate::emit::is_address_space(&toks[i].text)))
                })
                .collect();
            let (name, name_at) = match rest.last() {
                Some(&l)
                    if sig.len() >= 2
                        && toks[l].kind == TokenKind::Ident
                        && !is_p(toks.get(l.wrapping_sub(1)), "::") =>
                {
                    (toks[l].text.to_string(), Some(l))
                }
                _ => (String::new(), None),
            };
            // Array parameters `T x[N]`: name before the brackets.
            let (name, name_at) = match (name_at, rest.iter().rposition(|&i| toks[i].is_punct("["))) {
                (None, Some(b)) if b > 0 && toks[rest[b - 1]].kind == TokenKind::Ident => {
                    (toks[rest[b - 1]].text.to_string(), Some(rest[b - 1]))
                }
                _ => (name, name_at),
            };
            let ty: Vec<Token> = rest.iter().filter(|&&i| Some(i) != name_at).map(|&i| toks[i].clone()).collect();
            let mut space = AddressSpace::None;
            let mut is_const = false;
            let mut indirect = false;
            let mut kind = Kind::Other;
            let mut first_type = true;
            for t in &ty {
                match (&*t.text, t.kind) {
                    ("device", TokenKind::Ident) => space = first_space(space, AddressSpace::Device),
                    ("constant", TokenKind::Ident) => space = first_space(space, AddressSpace::Constant),
                    ("threadgroup" | "threadgroup_imageblock", TokenKind::Ident) => {
                        space = first_space(space, AddressSpace::Threadgroup)
                    }
                    ("thread", TokenKind::Ident) => space = first_space(space, AddressSpace::Thread),
                    ("const", TokenKind::Ident) => is_const = true,
                    ("*" | "&" | "&&", TokenKind::Punct) => indirect = true,
                    (n, TokenKind::Ident) if first_type && n != "metal" && n != "volatile" => {
                        first_type = false;
                        if n.starts_with("texture") || n.starts_with("depth") {
                            kind = Kind::Texture;
                        } else if n == "sampler" {
                            kind = Kind::Sampler;
                        }
                    }
                    _ => {}
                }
            }
            if space == AddressSpace::Constant {
                is_const = true;
            }
            let at = name_at.unwrap_or(lo);
            let mut binding = Binding::None;
            let mut explicit = false;
            for a in &list {
                let b = match a.name.as_str() {
                    "buffer" | "texture" | "sampler" | "threadgroup" => {
                        let (alo, ahi) = a.args.ok_or_else(|| {
                            self.err(a.at, format!("'[[{}]]' needs an index: [[{}(INDEX)]]", a.name, a.name))
                        })?;
                        let max = match a.name.as_str() {
                            "buffer" => 30,
                            "texture" => 127,
                            "sampler" => 15,
                            _ => 31,
                        };
                        let v = self.eval(alo, ahi).ok_or_else(|| {
                            self.err(alo, format!("{} index must be an integer constant expression", a.name))
                        })?;
                        let idx = u32::try_from(v).ok().filter(|&v| v <= max).ok_or_else(|| {
                            self.err(alo, format!("{} index {v} is out of range (0..={max})", a.name))
                        })?;
                        match a.name.as_str() {
                            "buffer" => Binding::Buffer(idx),
                            "texture" => Binding::Texture(idx),
                            "sampler" => Binding::Sampler(idx),
                            _ => Binding::Threadgroup(idx),
                        }
                    }
                    "stage_in" => Binding::StageIn,
                    "thread_execution_width" => Binding::Builtin(Builtin::ThreadsPerSimdgroup),
                    n => match Builtin::from_name(n) {
                        Some(b) if stage == Stage::Kernel && b.is_graphics() => {
                            return Err(self.err(a.at, format!("'[[{n}]]' is not a kernel built-in")))
                        }
                        Some(b) if stage != Stage::Kernel && b.stage() != Some(stage) => {
                            let s = if stage == Stage::Vertex { "vertex" } else { "fragment" };
                            return Err(self.err(a.at, format!("'[[{n}]]' is not a {s} function built-in")));
                        }
                        Some(b) => Binding::Builtin(b),
                        None if crate::emit::is_std_attribute(n) || n == "function_constant" => continue,
                        None if stage != Stage::Kernel => continue,
                        None => {
                            let who = if name.is_empty() { String::new() } else { format!(" '{name}'") };
                            return Err(self
                                .err(a.at, format!("unknown attribute '{n}' on parameter{who} of kernel '{fname}'")));
                        }
                    },
                };
                if explicit {
                    return Err(self.err(a.at, format!("parameter '{name}' has more than one binding attribute")));
                }
                explicit = true;
                binding = b;
            }
            if let Some(prev) = out.iter().find(|(p, _, ex, _)| *ex && p.binding == binding && indexed(binding)) {
                return Err(
                    self.err(at, format!("{} is already bound to parameter '{}'", describe(binding), prev.0.name))
                );
            }
            let type_text = crate::lex::spell(&ty);
            let kind = if kind == Kind::Other && indirect || kind == Kind::Other && space != AddressSpace::None {
                match space {
                    AddressSpace::Device | AddressSpace::Constant => Kind::Buffer,
                    AddressSpace::Threadgroup => Kind::Tg,
                    _ => Kind::Other,
                }
            } else {
                kind
            };
            let buffer = matches!(binding, Binding::Buffer(_)) || binding == Binding::None && kind == Kind::Buffer;
            if stage == Stage::Kernel && buffer {
                let body = self.body_after(pe);
                if let Some(decl) = plain_pointer(toks, &rest, name_at).filter(|_| {
                    name_at.is_some_and(|n| body.is_some_and(|(lo, hi)| only_accessed(toks, &toks[n].text, lo, hi)))
                }) {
                    self.checked_decls.borrow_mut().push(decl);
                }
            }
            out.push((Param { name, type_text, address_space: space, is_const, binding }, at, explicit, kind));
        }
        // Implicit bindings: the next free index of each kind, in declaration order.
        let mut next = [0u32; 4];
        for i in 0..out.len() {
            if out[i].2 {
                continue;
            }
            let kind = out[i].3;
            let slot = match kind {
                Kind::Buffer => 0,
                Kind::Texture => 1,
                Kind::Sampler => 2,
                Kind::Tg => 3,
                Kind::Other => {
                    if stage == Stage::Kernel {
                        let p = &out[i].0;
                        return Err(self.err(
                            out[i].1,
                            format!(
                                "parameter '{}' of kernel '{fname}' needs a binding: [[buffer(i)]] or a built-in attribute",
                                p.name
                            ),
                        ));
                    }
                    continue;
                }
            };
            let make = |n: u32| match slot {
                0 => Binding::Buffer(n),
                1 => Binding::Texture(n),
                2 => Binding::Sampler(n),
                _ => Binding::Threadgroup(n),
            };
            while out.iter().any(|(p, _, ex, _)| *ex && p.binding == make(next[slot])) {
                next[slot] += 1;
            }
            out[i].0.binding = make(next[slot]);
            next[slot] += 1;
        }
        Ok(out.into_iter().map(|(p, ..)| p).collect())
    }
}

impl Scanner<'_> {
    /// The body `{ ... }` of the function whose parameter list closes at `pe`, as the token
    /// range strictly inside the braces.
    fn body_after(&self, pe: usize) -> Option<(usize, usize)> {
        let mut j = pe + 1;
        while j < self.toks.len() {
            if self.toks[j].is_punct("{") {
                let e = self.close(j);
                return (e != NONE && e > j).then_some((j + 1, e));
            }
            if self.toks[j].is_punct(";") {
                return None;
            }
            j += 1;
        }
        None
    }
}

/// Whether every use of `name` in `lo..hi` only accesses through it or moves it (`p[i]`,
/// `p->m`, `*p`, `p += k`, `p++`, ...). Such a parameter can become a checked pointer; one
/// that is passed on, copied or compared stays a raw pointer, since a checked pointer would
/// not match a template parameter `device T*` of the function it is passed to.
fn only_accessed(toks: &[Token], name: &str, lo: usize, hi: usize) -> bool {
    (lo..hi).filter(|&j| toks[j].kind == TokenKind::Ident && &*toks[j].text == name).all(|j| {
        let prev = toks.get(j.wrapping_sub(1)).map(|t| &*t.text).unwrap_or("");
        let prev2 = toks.get(j.wrapping_sub(2));
        let next = toks.get(j + 1).map(|t| &*t.text).unwrap_or("");
        let member = matches!(prev, "." | "->" | "::");
        // `*p` as a unary dereference: the `*` follows an operator or opens an expression.
        let deref = prev == "*"
            && prev2
                .is_some_and(|t| t.kind == TokenKind::Punct && !matches!(&*t.text, ")" | "]") || t.is_ident("return"));
        member
            || matches!(next, "[" | "->" | "+=" | "-=" | "++" | "--")
            || matches!(prev, "++" | "--") && !matches!(next, "." | "(")
            || deref && !matches!(next, "(" | ".")
    })
}

/// `(first type token, '*')` of a parameter declared `[space] [const] T *name` with its tokens
/// contiguous (no attribute inside the type), one level of pointer, and not to an atomic
/// (the atomic functions take the raw pointer type).
fn plain_pointer(toks: &[Token], rest: &[usize], name_at: Option<usize>) -> Option<(usize, usize)> {
    let name = name_at?;
    let (&first, ty) = (rest.first()?, &rest[..rest.iter().position(|&i| i == name)?]);
    let star = *ty.last()?;
    let contiguous = ty.iter().enumerate().all(|(k, &i)| i == first + k) && star + 1 == name;
    let one_star = ty.iter().filter(|&&i| toks[i].kind == TokenKind::Punct).all(|&i| {
        i == star || toks[i].is_punct("::") || toks[i].is_punct("<") || toks[i].is_punct(">") || toks[i].is_punct(",")
    });
    let atomic = ty.iter().any(|&i| toks[i].kind == TokenKind::Ident && toks[i].text.contains("atomic"));
    (toks[star].is_punct("*") && contiguous && one_star && !atomic && first < star).then_some((first, star))
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    Buffer,
    Texture,
    Sampler,
    Tg,
    Other,
}

fn first_space(cur: AddressSpace, new: AddressSpace) -> AddressSpace {
    if cur == AddressSpace::None {
        new
    } else {
        cur
    }
}

fn indexed(b: Binding) -> bool {
    matches!(b, Binding::Buffer(_) | Binding::Texture(_) | Binding::Sampler(_) | Binding::Threadgroup(_))
}

fn describe(b: Binding) -> String {
    match b {
        Binding::Buffer(i) => format!("buffer({i})"),
        Binding::Texture(i) => format!("texture({i})"),
        Binding::Sampler(i) => format!("sampler({i})"),
        Binding::Threadgroup(i) => format!("threadgroup({i})"),
        Binding::Builtin(b) => b.name().to_string(),
        Binding::StageIn => "stage_in".into(),
        Binding::None => "none".into(),
    }
}

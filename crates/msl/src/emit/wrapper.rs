//! The generated `extern "C"` wrappers (docs/abi.md §2): one per requested entry point,
//! building every argument from the dispatch and calling the user's function.

use super::keywords::{is_msl_template, is_msl_type};
use super::rewrite::half_literal;
use crate::lex::{self, TokenKind};
use crate::parse::scan::needs_space;
use crate::{Binding, Builtin, EntryPoint, Target};
use std::fmt::Write;

/// Helper templates shared by all wrappers of a translation unit.
pub(crate) const HELPERS: &str = r#"#if defined(PM_TARGET_CUDA)
#define PM_WRAP_FN __device__ __forceinline__
#else
#define PM_WRAP_FN inline
#endif
namespace pm_wrap {
template <unsigned I, class... A> struct pick;
template <class T, class... A> struct pick<0, T, A...> { using type = T; };
template <unsigned I, class T, class... A> struct pick<I, T, A...> { using type = typename pick<I - 1, A...>::type; };
template <class F> struct fn;
template <class R, class... A> struct fn<R(A...)> { template <unsigned I> using arg = typename pick<I, A...>::type; };
template <class F, unsigned I> using arg_t = typename fn<F>::template arg<I>;
template <class T> struct bare { using type = T; };
template <class T> struct bare<const T> { using type = T; };
template <class T> struct bare<volatile T> { using type = T; };
template <class T> struct bare<const volatile T> { using type = T; };
template <class T> struct bare<T &> { using type = typename bare<T>::type; };
/* Buffer and threadgroup arguments: pointers, references, or values copied out. */
template <class P> struct buf { static PM_WRAP_FN P get(unsigned char *p) { return *reinterpret_cast<P *>(p); } };
template <class T> struct buf<T *> { static PM_WRAP_FN T *get(unsigned char *p) { return reinterpret_cast<T *>(p); } };
template <class T> struct buf<T *const> { static PM_WRAP_FN T *get(unsigned char *p) { return reinterpret_cast<T *>(p); } };
template <class T> struct buf<T &> { static PM_WRAP_FN T &get(unsigned char *p) { return *reinterpret_cast<T *>(p); } };
/* Built-ins in the type the user declared: scalars take x, vectors x, y(, z). */
template <class T> struct bi { static PM_WRAP_FN T make(unsigned x, unsigned, unsigned) { return T(x); } };
template <class E> struct bi<::metal::vec<E, 2>> {
  static PM_WRAP_FN ::metal::vec<E, 2> make(unsigned x, unsigned y, unsigned) { return ::metal::vec<E, 2>(E(x), E(y)); }
};
template <class E> struct bi<::metal::vec<E, 3>> {
  static PM_WRAP_FN ::metal::vec<E, 3> make(unsigned x, unsigned y, unsigned z) { return ::metal::vec<E, 3>(E(x), E(y), E(z)); }
};
template <class E> struct bi<::metal::vec<E, 4>> {
  static PM_WRAP_FN ::metal::vec<E, 4> make(unsigned x, unsigned y, unsigned z) { return ::metal::vec<E, 4>(E(x), E(y), E(z), E(0)); }
};
template <class P> using bi_t = bi<typename bare<P>::type>;
} // namespace pm_wrap
"#;

/// Shader validation (docs/abi.md §6): buffer arguments built with their bound length.
/// Checked pointers (`pm_chk::ptr<T>`, see checked.h) check every access; references and
/// values must be bound whole (else they read the scratch area); other pointers pass as is.
pub(crate) const CHECKED_HELPERS: &str = r#"namespace pm_wrap {
template <class P> struct chk {
  static PM_WRAP_FN P get(unsigned char *p, const unsigned long long *len, unsigned b, const ::pm_chk::ctx *c) {
    return buf<P>::get(::pm_chk::whole(p, sizeof(typename bare<P>::type), len ? len[b] : ~0ull, b, c));
  }
};
template <class T> struct chk<T *> {
  static PM_WRAP_FN T *get(unsigned char *p, const unsigned long long *, unsigned, const ::pm_chk::ctx *) { return reinterpret_cast<T *>(p); }
};
template <class T> struct chk<T *const> : chk<T *> {};
template <class T> struct chk<::pm_chk::ptr<T>> {
  static PM_WRAP_FN ::pm_chk::ptr<T> get(unsigned char *p, const unsigned long long *len, unsigned b, const ::pm_chk::ctx *c) {
    return ::pm_chk::ptr<T>(reinterpret_cast<T *>(p), len ? len[b] : ~0ull, b, c);
  }
};
} // namespace pm_wrap
"#;

/// The CPU's current-thread pointer, unless the prelude defines it.
pub(crate) const CPU_CUR: &str = r#"#ifndef PM_HAVE_CUR
namespace metal { namespace detail { thread_local ::pm_cpu_thread *pm_cur = nullptr; } }
#endif
"#;

pub(crate) const CUDA_SMEM: &str = "extern __shared__ __align__(16) unsigned char pm_dyn_smem[];\n";

/// Expressions for the dispatch geometry on one target.
struct Geo {
    tid: [&'static str; 3],
    group: [&'static str; 3],
    pos: [&'static str; 3],
    size: [&'static str; 3],
    full: [&'static str; 3],
    threads: [&'static str; 3],
    groups: [&'static str; 3],
    flat: &'static str,
    count: &'static str,
}

const CPU: Geo = Geo {
    tid: ["t->tid[0]", "t->tid[1]", "t->tid[2]"],
    group: ["t->group[0]", "t->group[1]", "t->group[2]"],
    pos: [
        "t->group[0] * d->tg_size[0] + t->tid[0]",
        "t->group[1] * d->tg_size[1] + t->tid[1]",
        "t->group[2] * d->tg_size[2] + t->tid[2]",
    ],
    size: ["t->tg_size[0]", "t->tg_size[1]", "t->tg_size[2]"],
    full: ["d->tg_size[0]", "d->tg_size[1]", "d->tg_size[2]"],
    threads: ["d->threads[0]", "d->threads[1]", "d->threads[2]"],
    groups: ["d->threadgroups[0]", "d->threadgroups[1]", "d->threadgroups[2]"],
    flat: "t->flat",
    count: "(t->tg_size[0] * t->tg_size[1] * t->tg_size[2])",
};

/// The CPU plain loop (`pm_group_<k>`): every built-in is a local value of the loop, so that
/// the innermost loop (over the grid x position) is a clean counted loop g++ can vectorise.
const CPU_LOOP: Geo = Geo {
    tid: ["pm_tx", "pm_ty", "pm_tz"],
    group: ["pm_gx", "pm_gy", "pm_gz"],
    pos: ["pm_px", "pm_py", "pm_pz"],
    size: ["pm_sx", "pm_sy", "pm_sz"],
    full: ["pm_fx", "pm_fy", "pm_fz"],
    threads: ["pm_nx", "pm_ny", "pm_nz"],
    groups: ["pm_Gx", "pm_Gy", "pm_Gz"],
    flat: "pm_flat",
    count: "(pm_sx * pm_sy * pm_sz)",
};

const CUDA: Geo = Geo {
    tid: ["threadIdx.x", "threadIdx.y", "threadIdx.z"],
    group: ["pm_gx", "pm_gy", "pm_gz"],
    pos: ["pm_px", "pm_py", "pm_pz"],
    size: ["pm_sx", "pm_sy", "pm_sz"],
    full: ["d.tg_size[0]", "d.tg_size[1]", "d.tg_size[2]"],
    threads: ["d.threads[0]", "d.threads[1]", "d.threads[2]"],
    groups: ["d.threadgroups[0]", "d.threadgroups[1]", "d.threadgroups[2]"],
    flat: "pm_flat",
    count: "(pm_sx * pm_sy * pm_sz)",
};

/// The function expression with MSL type names qualified (`f<float4>` → `f<::metal::float4>`).
pub(crate) fn function_expr(function: &str) -> String {
    let Ok(toks) = lex::lex(function, 0) else { return function.to_string() };
    let mut s = String::new();
    for (i, t) in toks.iter().enumerate() {
        let after_member = i > 0 && matches!(&*toks[i - 1].text, "::" | "." | "->");
        let text = match t.kind {
            TokenKind::Ident
                if !after_member
                    && (is_msl_type(&t.text)
                        || is_msl_template(&t.text) && toks.get(i + 1).is_some_and(|n| n.is_punct("<"))) =>
            {
                format!("::metal::{}", t.text)
            }
            TokenKind::Ident if crate::emit::is_address_space(&t.text) => continue,
            TokenKind::Number => half_literal(&t.text).unwrap_or_else(|| t.text.to_string()),
            _ => t.text.to_string(),
        };
        if needs_space(&s, &text) {
            s.push(' ');
        }
        s.push_str(&text);
    }
    s
}

fn builtin(b: Builtin, g: &Geo) -> Option<[String; 3]> {
    use Builtin::*;
    let v = |a: [&str; 3]| Some(a.map(|s| s.to_string()));
    let s = |x: String| Some([x, "0u".into(), "0u".into()]);
    match b {
        ThreadPositionInGrid => v(g.pos),
        ThreadPositionInThreadgroup => v(g.tid),
        ThreadgroupPositionInGrid => v(g.group),
        ThreadsPerThreadgroup => v(g.size),
        DispatchThreadsPerThreadgroup => v(g.full),
        ThreadsPerGrid | GridSize => v(g.threads),
        ThreadgroupsPerGrid => v(g.groups),
        GridOrigin => v(["0u", "0u", "0u"]),
        ThreadIndexInThreadgroup => s(g.flat.into()),
        ThreadIndexInSimdgroup => s(format!("{} % 32u", g.flat)),
        SimdgroupIndexInThreadgroup => s(format!("{} / 32u", g.flat)),
        SimdgroupsPerThreadgroup => s(format!("({} + 31u) / 32u", g.count)),
        ThreadsPerSimdgroup => s("32u".into()),
        ThreadIndexInQuadgroup => s(format!("{} % 4u", g.flat)),
        QuadgroupIndexInThreadgroup => s(format!("{} / 4u", g.flat)),
        QuadgroupsPerThreadgroup => s(format!("({} + 3u) / 4u", g.count)),
        _ => None,
    }
}

/// Why an entry point's parameter cannot be passed by the `target` backend, if it cannot.
pub(crate) fn unsupported(ep: &EntryPoint) -> Option<String> {
    for p in &ep.params {
        let why = match p.binding {
            // The dispatch's table has 32 entries (pm_abi.h PM_MAX_TEXTURES).
            Binding::Texture(t) if t >= 32 => "texture index exceeds 31, the most a dispatch binds",
            Binding::StageIn => "[[stage_in]] is not supported by this backend yet",
            Binding::Builtin(b) if b.is_graphics() => "graphics built-ins are not supported by this backend yet",
            Binding::None => "parameters without a binding are not supported",
            _ => continue,
        };
        return Some(format!("parameter '{}' of '{}': {why}", p.name, ep.name));
    }
    None
}

/// The wrapper(s) of entry `k`. `file` and `line` locate the kernel for the call line.
/// The argument list of the call of the user's function, built from the geometry `g`.
/// `hoisted`: buffer and threadgroup-argument base pointers are the locals `pm_b<i>` / `pm_t<i>`
/// (the CPU plain loop reads them once per group).
/// A `[[texture(i)]]` / `[[sampler(i)]]` argument of type `ty` from the dispatch's tables
/// (docs/abi.md §4; null tables are allowed); `d` is `d->` or `d.`. Kernels and render
/// stages both bind them this way.
pub(crate) fn resource_arg(binding: Binding, ty: &str, d: &str) -> String {
    match binding {
        Binding::Texture(t) => format!("::metal::detail::pm_texture_arg<{ty}>({d}textures, {t}u)"),
        Binding::Sampler(s) => format!("::metal::detail::pm_sampler_arg<{ty}>({d}samplers, {s}u)"),
        _ => format!("{ty}()"),
    }
}

/// `checked`: buffer arguments through `pm_wrap::chk` (shader validation; the wrapper
/// declares the thread's `pm_v` context).
fn call_args(ep: &EntryPoint, target: Target, g: &Geo, hoisted: bool, checked: bool) -> String {
    let d = if target == Target::Cpu { "d->" } else { "d." };
    let mut args = Vec::new();
    for (i, p) in ep.params.iter().enumerate() {
        let ty = format!("pm_wrap::arg_t<pm_F, {i}>");
        let a = match p.binding {
            Binding::Buffer(b) if checked => {
                format!("pm_wrap::chk<{ty}>::get((unsigned char *){d}buffers[{b}], {d}buffer_len, {b}u, &pm_v)")
            }
            Binding::Buffer(b) if hoisted => format!("pm_wrap::buf<{ty}>::get(pm_b{b})"),
            Binding::Threadgroup(b) if hoisted => format!("pm_wrap::buf<{ty}>::get(pm_t{b})"),
            Binding::Buffer(b) => format!("pm_wrap::buf<{ty}>::get((unsigned char *){d}buffers[{b}])"),
            Binding::Threadgroup(b) => match target {
                Target::Cpu => format!("pm_wrap::buf<{ty}>::get(t->arena + d->tg_arg_offset[{b}])"),
                Target::Cuda => format!("pm_wrap::buf<{ty}>::get(pm_dyn_smem + d.tg_arg_offset[{b}])"),
            },
            Binding::Builtin(b) => match builtin(b, g) {
                Some([x, y, z]) => format!("pm_wrap::bi_t<{ty}>::make({x}, {y}, {z})"),
                None => format!("{ty}()"),
            },
            Binding::Texture(_) | Binding::Sampler(_) => resource_arg(p.binding, &ty, d),
            _ => format!("{ty}()"),
        };
        args.push(a);
    }
    args.join(", ")
}

/// The CPU plain loop `pm_group_<k>`: all threads of group `t->group` (clipped size
/// `t->tg_size`; when the kernel uses no per-group built-in, `t->tg_size[0]` may span a run of
/// consecutive groups along x, which the runtime learns from a probe call). Built-ins are locals; the innermost loop runs over the grid x position
/// itself (`pm_bx + t->tg_size[0]` cannot wrap: the runtime rejects grids past 2^32 - 1), so
/// g++ sees a counted loop with affine indices and vectorises kernels like `c[i] = a[i] + b[i]`.
/// Buffer and threadgroup base pointers are read once: a kernel's stores could otherwise alias
/// the dispatch block as far as the compiler knows.
/// `flatten`: the kernel (and what it calls) is inlined into the loop even where g++'s size
/// heuristics would keep a call (a call in the loop body prevents any vectorisation).
fn cpu_group_loop(out: &mut String, k: usize, ep: &EntryPoint, f: &str, call_site: &str) {
    let args = call_args(ep, Target::Cpu, &CPU_LOOP, true, false);
    let mut bufs: Vec<u32> = Vec::new();
    let mut tgs: Vec<u32> = Vec::new();
    for p in &ep.params {
        match p.binding {
            Binding::Buffer(b) if !bufs.contains(&b) => bufs.push(b),
            Binding::Threadgroup(b) if !tgs.contains(&b) => tgs.push(b),
            _ => {}
        }
    }
    // Built-ins that are the same whichever group a thread is in: a call may then cover a run
    // of consecutive groups along x (one longer loop). The runtime asks by calling with a zero
    // `t->tg_size[0]` (never a real group); the answer is `t->flat = 1`.
    let span_ok = ep.params.iter().all(|p| match p.binding {
        Binding::Builtin(b) => matches!(
            b,
            Builtin::ThreadPositionInGrid
                | Builtin::ThreadsPerGrid
                | Builtin::GridSize
                | Builtin::ThreadgroupsPerGrid
                | Builtin::DispatchThreadsPerThreadgroup
                | Builtin::GridOrigin
        ),
        _ => true,
    });
    let probe = if span_ok { "  if (t->tg_size[0] == 0) { t->flat = 1u; return; }\n" } else { "" };
    let _ = write!(
        out,
        "extern \"C\" __attribute__((flatten)) void pm_group_{k}(const pm_dispatch *d, pm_cpu_thread *t);\n\
         extern \"C\" void pm_group_{k}(const pm_dispatch *d, pm_cpu_thread *t) {{\n  \
         ::metal::detail::pm_cur = t;\n{probe}  \
         const unsigned pm_gx = t->group[0], pm_gy = t->group[1], pm_gz = t->group[2];\n  \
         const unsigned pm_sx = t->tg_size[0], pm_sy = t->tg_size[1], pm_sz = t->tg_size[2];\n  \
         const unsigned pm_fx = d->tg_size[0], pm_fy = d->tg_size[1], pm_fz = d->tg_size[2];\n  \
         const unsigned pm_nx = d->threads[0], pm_ny = d->threads[1], pm_nz = d->threads[2];\n  \
         const unsigned pm_Gx = d->threadgroups[0], pm_Gy = d->threadgroups[1], pm_Gz = d->threadgroups[2];\n  \
         const unsigned pm_bx = pm_gx * pm_fx, pm_by = pm_gy * pm_fy, pm_bz = pm_gz * pm_fz;\n  \
         const unsigned pm_ex = pm_bx + pm_sx;\n  \
         (void)pm_sy; (void)pm_nx; (void)pm_ny; (void)pm_nz; (void)pm_Gx; (void)pm_Gy; (void)pm_Gz;\n"
    );
    for b in &bufs {
        let _ = writeln!(out, "  unsigned char *const pm_b{b} = (unsigned char *)d->buffers[{b}];");
    }
    for b in &tgs {
        let _ = writeln!(out, "  unsigned char *const pm_t{b} = t->arena + d->tg_arg_offset[{b}];");
    }
    let _ = write!(
        out,
        "  using pm_F = decltype({f});\n  \
         for (unsigned pm_tz = 0; pm_tz < pm_sz; ++pm_tz) {{\n    \
         const unsigned pm_pz = pm_bz + pm_tz;\n    \
         for (unsigned pm_ty = 0; pm_ty < pm_sy; ++pm_ty) {{\n      \
         const unsigned pm_py = pm_by + pm_ty;\n      \
         const unsigned pm_row = (pm_tz * pm_sy + pm_ty) * pm_sx;\n      \
         (void)pm_pz; (void)pm_py; (void)pm_row;\n\
         #pragma GCC ivdep\n      \
         for (unsigned pm_px = pm_bx; pm_px < pm_ex; ++pm_px) {{\n        \
         const unsigned pm_tx = pm_px - pm_bx;\n        \
         const unsigned pm_flat = pm_row + pm_tx;\n        \
         (void)pm_tx; (void)pm_flat;\n{call_site}  {f}({args});\n#line 1 \"<pymetal wrapper>\"\n      }}\n    }}\n  }}\n}}\n"
    );
}

/// `validation`: buffer arguments are checked (docs/abi.md §6); on the CPU there is then no
/// plain loop (`pm_group_<k>`), only the per-thread entry.
pub(crate) fn wrapper(out: &mut String, k: usize, ep: &EntryPoint, target: Target, file: &str, validation: bool) {
    let g = if target == Target::Cpu { &CPU } else { &CUDA };
    // Fully qualified, so that a kernel named like a metal function (`transpose`) is not
    // ambiguous with it under `using namespace metal;`.
    let f = function_expr(&ep.function);
    let f = if f.starts_with("::") { f } else { format!("::{f}") };
    let call_args = call_args(ep, target, g, false, validation);
    let line = ep.loc.line.max(1);
    let file = file.replace('\\', "\\\\").replace('"', "\\\"");
    let call_site = format!("#line {line} \"{file}\"\n");
    let call = format!("{call_site}  {f}({call_args});\n#line 1 \"<pymetal wrapper>\"\n");
    let _ = writeln!(out, "// entry {k}: {}", ep.name);
    match target {
        Target::Cpu => {
            let ctx = if validation {
                format!("  const ::pm_chk::ctx pm_v = {{d->fault, {{{}, {}, {}}}}};\n", g.pos[0], g.pos[1], g.pos[2])
            } else {
                String::new()
            };
            let _ = write!(
                out,
                "static inline void pm_call_{k}(const pm_dispatch *d, pm_cpu_thread *t) {{\n  (void)d; (void)t;\n{ctx}  using pm_F = decltype({f});\n{call}}}\n\
                 extern \"C\" void pm_entry_{k}(const pm_dispatch *d, pm_cpu_thread *t) {{\n  ::metal::detail::pm_cur = t;\n  pm_call_{k}(d, t);\n}}\n"
            );
            if !ep.uses_sync && !validation {
                cpu_group_loop(out, k, ep, &f, &call_site);
            }
        }
        Target::Cuda => {
            let (mut locals, call) = cuda_constant_locals(ep, &call);
            if validation {
                locals.insert_str(0, "  const ::pm_chk::ctx pm_v = {d.fault, {pm_px, pm_py, pm_pz}};\n");
            }
            // No clipping: edge groups are launched apart with blocks of their clipped size
            // (docs/abi.md §2), so a kernel costs what the same hand-written CUDA costs.
            let _ = write!(
                out,
                "extern \"C\" __global__ void pm_entry_{k}(const __grid_constant__ pm_dispatch d) {{\n  \
                 const unsigned pm_gx = blockIdx.x + d.group_offset[0];\n  \
                 const unsigned pm_gy = blockIdx.y + d.group_offset[1];\n  \
                 const unsigned pm_gz = blockIdx.z + d.group_offset[2];\n  \
                 const unsigned pm_px = pm_gx * d.tg_size[0] + threadIdx.x;\n  \
                 const unsigned pm_py = pm_gy * d.tg_size[1] + threadIdx.y;\n  \
                 const unsigned pm_pz = pm_gz * d.tg_size[2] + threadIdx.z;\n  \
                 const unsigned pm_sx = blockDim.x, pm_sy = blockDim.y, pm_sz = blockDim.z;\n  \
                 (void)pm_sz;\n  \
                 const unsigned pm_flat = threadIdx.x + pm_sx * (threadIdx.y + pm_sy * threadIdx.z);\n  \
                 (void)pm_flat;\n  using pm_F = decltype({f});\n{locals}{call}}}\n"
            );
        }
    }
}

/// CUDA: `constant T&` buffer arguments of at most 256 bytes (not arrays) are passed as a
/// reference to a local copy (`pm_wrap::cval`): `constant` memory is read-only during a
/// dispatch, so the copy is equivalent, and the value then lives in registers instead of
/// being reloaded after every store the compiler cannot prove unrelated. The copy is read
/// with non-coherent loads (`ld.global.nc`), which the compiler issues first thing instead
/// of after the grid check (measured: 1.5-2% of a streaming kernel). Returns the local
/// declarations and the call with those arguments replaced.
fn cuda_constant_locals(ep: &EntryPoint, call: &str) -> (String, String) {
    let mut locals = String::new();
    let mut args = call.to_string();
    for (i, p) in ep.params.iter().enumerate() {
        if let (Binding::Buffer(b), crate::parse::AddressSpace::Constant) = (p.binding, p.address_space) {
            let get = format!("pm_wrap::buf<pm_wrap::arg_t<pm_F, {i}>>::get((unsigned char *)d.buffers[{b}])");
            if args.contains(&get) {
                let inline = if b < 8 {
                    format!("d.inline_words[{b}], (d.inline_mask >> {b}u) & 1u")
                } else {
                    "nullptr, 0u".to_string()
                };
                let _ = writeln!(
                    locals,
                    "  pm_wrap::cval<pm_wrap::arg_t<pm_F, {i}>>::type pm_c{i} = \
                     pm_wrap::cval<pm_wrap::arg_t<pm_F, {i}>>::load((unsigned char *)d.buffers[{b}], {inline});"
                );
                args = args.replacen(&get, &format!("pm_c{i}"), 1);
            }
        }
    }
    (locals, args)
}

/// CUDA helpers used by the wrappers.
pub(crate) const CUDA_HELPERS: &str = r#"namespace pm_wrap {
/* `constant` buffer arguments: small references become a copy held by the wrapper. */
template <bool C, class A, class B> struct if_ { using type = A; };
template <class A, class B> struct if_<false, A, B> { using type = B; };
template <class T> struct alignas(T) words { unsigned w[sizeof(T) / 4]; };
template <class T> static __device__ __forceinline__ T ldnc(const unsigned char *p) {
  words<T> r;
#pragma unroll
  for (unsigned k = 0; k < sizeof(T) / 4; ++k) asm("ld.global.nc.u32 %0, [%1];" : "=r"(r.w[k]) : "l"(p + 4 * k));
  return *reinterpret_cast<const T *>(&r);
}
template <class T> static __device__ __forceinline__ T from_words(const unsigned *w) {
  words<T> r;
#pragma unroll
  for (unsigned k = 0; k < sizeof(T) / 4; ++k) r.w[k] = w[k];
  return *reinterpret_cast<const T *>(&r);
}
/* `inl`/`has_inl`: the launch parameters' copy of the set_bytes data at this index (pm_abi.h
   PM_INLINE_SLOTS), used when present and the value fits. */
template <class P> struct cval {
  using type = P;
  static __device__ __forceinline__ P load(unsigned char *p, const unsigned *, unsigned) { return buf<P>::get(p); }
};
template <class T> struct cval<T &> {
  static constexpr bool copy = sizeof(T) <= 256;
  using type = typename if_<copy, typename bare<T>::type, T &>::type;
  static __device__ __forceinline__ type load(unsigned char *p, const unsigned *inl, unsigned has_inl) {
    if constexpr (copy && sizeof(T) % 4 == 0 && alignof(T) >= 4) {
      using V = typename bare<T>::type;
      if constexpr (sizeof(T) <= 4 * PM_INLINE_WORDS) {
        if (has_inl) return from_words<V>(inl);
      }
      return ldnc<V>(p);
    } else {
      return *reinterpret_cast<T *>(p);
    }
  }
};
template <class T, unsigned N> struct cval<T (&)[N]> {
  using type = T (&)[N];
  static __device__ __forceinline__ type load(unsigned char *p, const unsigned *, unsigned) { return *reinterpret_cast<T (*)[N]>(p); }
};
} // namespace pm_wrap
"#;

/// CPU: `extern "C" unsigned long long pm_static_tg_<k>(void)`, the bytes of static
/// threadgroup memory entry `k` declares (docs/abi.md §2): for each `threadgroup T x[N];`
/// reachable from the entry, `sizeof(T[N])` rounded up to 16, evaluated at namespace scope.
/// A declaration whose type names something not known to be visible there (a local
/// constant, a class member, a template parameter of a helper or one that cannot be mapped
/// to the entry's template arguments) is left out; the value is then a lower bound (the
/// generated function says so in a comment). Returns the symbol (CPU only).
pub(crate) fn static_tg(
    out: &mut String,
    k: usize,
    ep: &EntryPoint,
    an: &crate::parse::Analysis,
    toks: &[lex::Token],
    entry_index: usize,
    target: Target,
) -> Option<String> {
    if target != Target::Cpu {
        return None;
    }
    let (terms, skipped) = static_tg_terms(ep, an, toks, entry_index);
    let sym = format!("pm_static_tg_{k}");
    let _ = writeln!(
        out,
        "// entry {k}: static threadgroup memory{}",
        match skipped {
            0 => String::new(),
            n => format!(" (lower bound: {n} declaration(s) not sized)"),
        }
    );
    let _ = write!(out, "extern \"C\" unsigned long long {sym}(void) {{\n  return 0ull");
    for t in &terms {
        let _ = write!(out, "\n    + ((sizeof({t}) + 15ull) & ~15ull)");
    }
    out.push_str(";\n}\n");
    Some(sym)
}

/// The type texts of the threadgroup declarations reachable from entry `entry_index`
/// (qualified, template arguments substituted) and the number of declarations left out.
fn static_tg_terms(
    ep: &EntryPoint,
    an: &crate::parse::Analysis,
    toks: &[lex::Token],
    entry_index: usize,
) -> (Vec<String>, usize) {
    use crate::parse::scan::{angle_close, split_commas, NONE};
    let m = &an.matching;
    let close = |j: usize| m.get(j).copied().unwrap_or(NONE);
    let is_p = |j: usize, p: &str| toks.get(j).is_some_and(|t| t.is_punct(p));
    let is_id = |j: usize| toks.get(j).is_some_and(|t| t.kind == TokenKind::Ident);

    // Names declared at global namespace scope (brace depth 0, outside template heads).
    let mut globals: std::collections::HashSet<&str> = std::collections::HashSet::new();
    let mut depth = 0i32;
    let mut paren = 0i32;
    let mut j = 0;
    while j < toks.len() {
        let t = &toks[j];
        if t.is_ident("template") && is_p(j + 1, "<") {
            if let Some(e) = angle_close(toks, m, j + 1, toks.len()) {
                j = e + 1;
                continue;
            }
        }
        match &*t.text {
            "{" if t.kind == TokenKind::Punct => depth += 1,
            "}" if t.kind == TokenKind::Punct => depth -= 1,
            "(" if t.kind == TokenKind::Punct => paren += 1,
            ")" if t.kind == TokenKind::Punct => paren -= 1,
            _ => {}
        }
        if depth == 0 && paren == 0 && t.kind == TokenKind::Ident && j > 0 {
            let prev = &toks[j - 1];
            let tag = ["struct", "class", "union", "enum"].iter().any(|k| prev.is_ident(k));
            let declared = !(prev.is_punct("::") || prev.is_punct(".") || prev.is_punct("->"))
                && (["=", ";", "[", "{"].iter().any(|p| is_p(j + 1, p)) || is_p(j + 1, "[["));
            if tag || declared {
                globals.insert(&t.text);
            }
        }
        j += 1;
    }
    for f in &an.reflection.function_constants {
        globals.insert(&f.name);
    }

    // The entry's own unit and its template parameters → the entry's template arguments.
    let entry_unit = an.entry_roots.get(entry_index).and_then(|r| r.0);
    let entry_map = entry_unit.map(|u| template_map(toks, m, an.units[u].range.0, &ep.function)).unwrap_or_default();

    let mut seen = std::collections::HashSet::new();
    let mut terms = Vec::new();
    let mut skipped = 0;
    for (lo, hi) in an.reachable_ranges(&[entry_index]) {
        for i in lo..hi.min(toks.len()) {
            if !toks[i].is_ident("threadgroup") || i == 0 || !seen.insert(i) {
                continue;
            }
            if ![";", "{", "}"].iter().any(|p| is_p(i - 1, p)) {
                continue;
            }
            // The enclosing function: the innermost unit holding `i`.
            let unit = an
                .units
                .iter()
                .enumerate()
                .filter(|(_, u)| u.range.0 <= i && i < u.range.1)
                .min_by_key(|(_, u)| u.range.1 - u.range.0);
            let Some((u, unit)) = unit else { continue };
            let own = if Some(u) == entry_unit { entry_map.clone() } else { Vec::new() };
            let params = template_params(toks, m, unit.range.0);
            // The declaration `threadgroup T x[N], y[M];`, as the rewriter reads it.
            let mut semi = i + 1;
            while semi < toks.len() && !toks[semi].is_punct(";") {
                let e = close(semi);
                semi = if e != NONE && e > semi { e + 1 } else { semi + 1 };
            }
            if semi >= toks.len() {
                continue;
            }
            let segs = split_commas(toks, m, i + 1, semi);
            let mut base = (i + 1, i + 1);
            for (n, &(slo, shi)) in segs.iter().enumerate() {
                if (slo..shi).any(|j| toks[j].is_punct("=")) {
                    break;
                }
                let name = (slo..shi).rev().find(|&j| {
                    is_id(j)
                        && (j + 1 == shi || is_p(j + 1, "["))
                        && !is_p(j.wrapping_sub(1), "::")
                        && (j > slo || n > 0)
                });
                let Some(name) = name else { break };
                if n == 0 {
                    base = (slo, name);
                    let pointer = toks[slo..name]
                        .iter()
                        .rev()
                        .find(|t| !t.is_ident("const"))
                        .is_some_and(|t| t.is_punct("*") || t.is_punct("&") || t.is_punct("&&"));
                    if pointer {
                        break;
                    }
                }
                let ty: Vec<usize> = (base.0..base.1).chain(name + 1..shi).collect();
                match type_text(toks, &ty, &own, &params, &globals, unit.range.0, i) {
                    Some(t) => terms.push(t),
                    None => skipped += 1,
                }
            }
        }
    }
    (terms, skipped)
}

/// The names of the template parameters of the function whose parameter list opens at
/// `paren` (empty when it is not a template), with whether each is a type parameter.
fn template_params(toks: &[lex::Token], m: &[usize], paren: usize) -> Vec<(String, bool)> {
    use crate::parse::scan::{angle_close, split_commas};
    let mut j = paren;
    let head = loop {
        if j == 0 {
            return Vec::new();
        }
        j -= 1;
        let t = &toks[j];
        if t.is_punct(";") || t.is_punct("{") || t.is_punct("}") {
            return Vec::new();
        }
        if t.is_ident("template") && toks.get(j + 1).is_some_and(|n| n.is_punct("<")) {
            match angle_close(toks, m, j + 1, paren) {
                Some(e) => break (j + 2, e),
                None => return Vec::new(),
            }
        }
    };
    split_commas(toks, m, head.0, head.1)
        .into_iter()
        .filter_map(|(lo, hi)| {
            let hi = (lo..hi).find(|&k| toks[k].is_punct("=")).unwrap_or(hi);
            let name = (lo..hi).rev().find(|&k| toks[k].kind == TokenKind::Ident)?;
            let is_type = name > lo && (toks[lo].is_ident("typename") || toks[lo].is_ident("class"));
            Some((toks[name].text.to_string(), is_type))
        })
        .collect()
}

/// Template parameter name → argument text, from the entry's `function` (`f<float, 4>`).
/// Parameters that cannot be mapped (packs, template template parameters, defaults) are
/// left out.
pub(crate) fn template_map(toks: &[lex::Token], m: &[usize], paren: usize, function: &str) -> Vec<(String, String)> {
    use crate::parse::scan::{angle_close, match_brackets, split_commas};
    let params = template_params(toks, m, paren);
    if params.is_empty() {
        return Vec::new();
    }
    let Ok(ft) = lex::lex(function, 0) else { return Vec::new() };
    let Ok(fm) = match_brackets(&ft) else { return Vec::new() };
    let Some(open) = (1..ft.len()).find(|&j| ft[j].is_punct("<") && ft[j - 1].kind == TokenKind::Ident) else {
        return Vec::new();
    };
    let Some(end) = angle_close(&ft, &fm, open, ft.len()) else { return Vec::new() };
    let args = split_commas(&ft, &fm, open + 1, end);
    let mut map = Vec::new();
    for ((name, is_type), (lo, hi)) in params.into_iter().zip(args) {
        if name.is_empty() || (lo..hi).any(|j| ft[j].is_punct("...")) {
            return Vec::new();
        }
        let text = ft[lo..hi].iter().map(|t| t.text.to_string()).collect::<Vec<_>>().join(" ");
        map.push((name, if is_type { text } else { format!("({text})") }));
    }
    map
}

/// The namespace-scope spelling of a threadgroup declaration's type (token indices `ty`),
/// or `None` when a name in it may not be visible there (see [`static_tg`]).
fn type_text(
    toks: &[lex::Token],
    ty: &[usize],
    own: &[(String, String)],
    params: &[(String, bool)],
    globals: &std::collections::HashSet<&str>,
    fn_lo: usize,
    site: usize,
) -> Option<String> {
    const CXX: &[&str] = &[
        "unsigned",
        "signed",
        "int",
        "char",
        "short",
        "long",
        "float",
        "double",
        "bool",
        "void",
        "const",
        "volatile",
        "sizeof",
        "alignof",
        "true",
        "false",
        "metal",
        "threadgroup",
        "device",
        "constant",
        "thread",
    ];
    // A name declared in the function before the site (a parameter, a local) shadows globals.
    let local = |name: &str| {
        (fn_lo..site).any(|j| {
            toks[j].is_ident(name)
                && j > 0
                && (toks[j - 1].kind == TokenKind::Ident
                    || ["*", "&", "&&", ">", ">>"].iter().any(|p| toks[j - 1].is_punct(p)))
        })
    };
    let mut s = String::new();
    for (n, &j) in ty.iter().enumerate() {
        let t = &toks[j];
        let after_scope = n > 0 && toks[ty[n - 1]].is_punct("::");
        let text = if t.kind != TokenKind::Ident || after_scope && n > 1 && toks[ty[n - 2]].is_ident("metal") {
            t.text.to_string()
        } else if let Some((_, a)) = own.iter().find(|(p, _)| **p == *t.text) {
            a.clone()
        } else if after_scope || params.iter().any(|(p, _)| **p == *t.text) {
            return None;
        } else if CXX.contains(&&*t.text)
            || is_msl_type(&t.text)
            || is_msl_template(&t.text)
            || globals.contains(&*t.text) && !local(&t.text)
        {
            t.text.to_string()
        } else {
            return None;
        };
        s.push_str(&text);
        s.push(' ');
    }
    Some(function_expr(s.trim_end()))
}

#[cfg(test)]
mod static_tg_tests {
    use crate::{ConstantValues, Library, Options, Target};

    fn body(src: &str, entry: &str) -> String {
        let lib = Library::new(src, &Options { file_name: "t.metal".into(), ..Options::default() }).unwrap();
        let e = lib.emit(Target::Cpu, &[entry], &ConstantValues::default()).unwrap();
        assert_eq!(e.entries[0].static_tg_symbol.as_deref(), Some("pm_static_tg_0"));
        let at = e.source.find("// entry 0: static threadgroup memory").unwrap();
        e.source[at..].to_string()
    }

    #[test]
    fn sizes_of_reachable_declarations() {
        let src = "constant int W = 17;\n\
            template <typename U> U th(U v) { threadgroup U q[8]; q[0] = v; return q[0]; }\n\
            inline float h(float v) { threadgroup float hh[W]; hh[0] = v; return hh[0]; }\n\
            inline float unused(float v) { threadgroup float u[99]; u[0] = v; return u[0]; }\n\
            template <typename T, int N> kernel void k(device T* o [[buffer(0)]], constant int& L [[buffer(1)]]) {\n\
              threadgroup T s[N * 2], t; threadgroup float* p = nullptr; threadgroup float loc[sizeof(L)];\n\
              o[0] = s[0] + t + h(o[0]) + th(o[0]); }\n\
            template [[host_name(\"k4\")]] kernel void k<half, 2 + 2>(device half*, constant int&);\n";
        let b = body(src, "k4");
        assert!(b.contains("lower bound: 2 declaration(s)"), "{b}");
        assert!(b.contains("sizeof(::metal::half[(2+2)*2])"), "{b}");
        assert!(b.contains("sizeof(::metal::half)"), "{b}");
        assert!(b.contains("sizeof(float[W])"), "{b}");
        assert!(!b.contains("99"), "{b}");
    }

    #[test]
    fn cuda_has_no_symbol() {
        let lib = Library::new(
            "kernel void a(device float* o [[buffer(0)]]) { threadgroup float x[4]; o[0] = x[0]; }",
            &Options::default(),
        )
        .unwrap();
        let e = lib.emit(Target::Cuda, &["a"], &ConstantValues::default()).unwrap();
        assert_eq!(e.entries[0].static_tg_symbol, None);
        assert!(!e.source.contains("pm_static_tg_"));
    }
}

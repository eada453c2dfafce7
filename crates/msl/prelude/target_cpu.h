// target_cpu.h: the CPU (g++/clang) execution hooks of the prelude. Only this file and
// target_cuda.h differ between targets; everything else is written once on top of the
// names defined here (docs/abi.md §2).
#ifndef PM_TARGET_CPU_H
#define PM_TARGET_CPU_H

#define PM_INLINE inline
#define PM_DEVICE
#define PM_CONSTANT static const
#define PM_FN(f) __builtin_##f      /* accurate float math: PM_FN(sinf)(x) */
#define PM_FASTFN(f) __builtin_##f  /* fast:: variants (same on the CPU) */
#define PM_BIT_CAST(T, x) __builtin_bit_cast(T, x)
#define PM_EXP10F(x) __builtin_powf(10.0f, (x))
#define PM_FAST_EXP10F(x) __builtin_powf(10.0f, (x))
#define PM_RSQRTF(x) (1.0f / __builtin_sqrtf(x))
#define PM_FAST_DIVIDEF(a, b) ((a) / (b))
#define PM_UNROLL _Pragma("GCC unroll 16")

/* `threadgroup T x;` in a body: a reference into this group's static arena. */
#define PM_TG_VAR(site, T, name) \
    T &name = *reinterpret_cast<T *>(::metal::detail::tg_alloc((site), sizeof(T), alignof(T)))

namespace metal {
namespace detail {

/* The running GPU thread, set by the generated wrapper (and restored after every sync). */
static thread_local ::pm_cpu_thread *pm_cur = nullptr;

inline unsigned char *tg_alloc(unsigned site, unsigned size, unsigned align) {
    ::pm_cpu_tg_static *s = pm_cur->tg_static;
    unsigned off = s->site_offset[site];
    if (off == 0xFFFFFFFFu) {
        off = (s->used + (align - 1u)) & ~(align - 1u);
        if ((unsigned long)off + size > s->capacity) {
            s->overflow = 1;
            return s->base;
        }
        s->site_offset[site] = off;
        s->used = off + size;
    }
    return s->base + off;
}

/* scope 0: threadgroup, 1: SIMD group. */
PM_INLINE void sync_hook(unsigned scope) {
    ::pm_cpu_thread *t = pm_cur;
    if (t && t->sync) {
        t->sync(t->sched, t, scope);
        pm_cur = t;
    }
}
PM_INLINE void threadgroup_barrier_hook() { sync_hook(0); }
PM_INLINE void simdgroup_barrier_hook() { sync_hook(1); }

/* ---- float <-> half/bfloat bits (runtime path; types.h has the constexpr path) ---- */
#if defined(__FLT16_MAX__) && !defined(PM_NO_FLOAT16)
PM_INLINE unsigned short f32_to_f16(float f) { return __builtin_bit_cast(unsigned short, (_Float16)f); }
PM_INLINE float f16_to_f32(unsigned short h) { return (float)__builtin_bit_cast(_Float16, h); }
#define PM_HAVE_F16_HOOKS 1
#endif

/* ---- bit operations ---- */
PM_INLINE unsigned clz32(unsigned x) { return x ? (unsigned)__builtin_clz(x) : 32u; }
PM_INLINE unsigned clz64(unsigned long x) { return x ? (unsigned)__builtin_clzl(x) : 64u; }
PM_INLINE unsigned ctz32(unsigned x) { return x ? (unsigned)__builtin_ctz(x) : 32u; }
PM_INLINE unsigned ctz64(unsigned long x) { return x ? (unsigned)__builtin_ctzl(x) : 64u; }
PM_INLINE unsigned popc32(unsigned x) { return (unsigned)__builtin_popcount(x); }
PM_INLINE unsigned popc64(unsigned long x) { return (unsigned)__builtin_popcountl(x); }
PM_INLINE unsigned long umulhi64(unsigned long a, unsigned long b) {
    return (unsigned long)(((unsigned __int128)a * b) >> 64);
}
PM_INLINE long smulhi64(long a, long b) { return (long)(((__int128)a * b) >> 64); }

/* ---- atomics: relaxed order, as Metal's atomics are ---- */
template <class T> PM_INLINE T atomic_load_raw(T *p) { return __atomic_load_n(p, __ATOMIC_RELAXED); }
template <class T> PM_INLINE void atomic_store_raw(T *p, T v) { __atomic_store_n(p, v, __ATOMIC_RELAXED); }
template <class T> PM_INLINE T atomic_exchange_raw(T *p, T v) { return __atomic_exchange_n(p, v, __ATOMIC_RELAXED); }
template <class T> PM_INLINE bool atomic_cas_raw(T *p, T *expected, T desired) {
    return __atomic_compare_exchange_n(p, expected, desired, false, __ATOMIC_RELAXED, __ATOMIC_RELAXED);
}
template <class T> PM_INLINE T atomic_add_raw(T *p, T v) { return __atomic_fetch_add(p, v, __ATOMIC_RELAXED); }
template <class T> PM_INLINE T atomic_sub_raw(T *p, T v) { return __atomic_fetch_sub(p, v, __ATOMIC_RELAXED); }
template <class T> PM_INLINE T atomic_and_raw(T *p, T v) { return __atomic_fetch_and(p, v, __ATOMIC_RELAXED); }
template <class T> PM_INLINE T atomic_or_raw(T *p, T v) { return __atomic_fetch_or(p, v, __ATOMIC_RELAXED); }
template <class T> PM_INLINE T atomic_xor_raw(T *p, T v) { return __atomic_fetch_xor(p, v, __ATOMIC_RELAXED); }
/* float add, integer min/max: compare-exchange loops in atomic.h (declared, never used) */
template <class T> T atomic_min_raw(T *p, T v);
template <class T> T atomic_max_raw(T *p, T v);
#define PM_ATOMIC_FLOAT_ADD_NATIVE 0
#define PM_ATOMIC_MINMAX_NATIVE 0
PM_INLINE void atomic_fence_hook() { __atomic_thread_fence(__ATOMIC_SEQ_CST); }

/* ---- SIMD group: one exchange through simd_scratch per collective ---- */
PM_INLINE unsigned simd_lane() {
    ::pm_cpu_thread *t = pm_cur;
    return t ? t->flat % PM_SIMD_WIDTH : 0u;
}
/* Lanes that take part: a thread with no scheduler (null sync) is a SIMD group of one. */
PM_INLINE unsigned simd_active() {
    ::pm_cpu_thread *t = pm_cur;
    return (t && t->sync) ? *t->simd_live : (1u << simd_lane());
}

/* Publishes `v`, waits for the SIMD group, calls f(read) where read(l) is lane l's value,
   waits again (so the scratch area can be reused), restores pm_cur. */
template <class T, class F> PM_INLINE auto simd_exchange(const T &v, F f) -> decltype(f(v, 0u, 0u)) {
    static_assert(sizeof(T) <= PM_SIMD_SLOT, "SIMD-group value too large");
    ::pm_cpu_thread *t = pm_cur;
    unsigned lane = simd_lane();
    if (!t || !t->sync) return f(v, lane, 1u << lane);
    __builtin_memcpy(t->simd_scratch + lane * PM_SIMD_SLOT, &v, sizeof(T));
    t->sync(t->sched, t, 1);
    pm_cur = t;
    unsigned live = *t->simd_live;
    auto r = f(v, lane, live);
    t->sync(t->sched, t, 1);
    pm_cur = t;
    return r;
}
template <class T> PM_INLINE T simd_read(unsigned l) {
    T r;
    __builtin_memcpy(&r, pm_cur->simd_scratch + (l % PM_SIMD_WIDTH) * PM_SIMD_SLOT, sizeof(T));
    return r;
}

template <class T> struct shuffle_fn {
    unsigned src;
    PM_INLINE T operator()(const T &v, unsigned lane, unsigned live) const {
        return (src % PM_SIMD_WIDTH == lane || !(live >> (src % PM_SIMD_WIDTH) & 1u)) ? v : simd_read<T>(src);
    }
};
/* Value of lane `src` (absolute lane index). */
template <class T> PM_INLINE T simd_shuffle_raw(const T &v, unsigned src) { return simd_exchange(v, shuffle_fn<T>{src}); }

template <class T, class Op> struct reduce_fn {
    Op op;
    unsigned width;
    int mode; /* 0 reduce, 1 inclusive scan, 2 exclusive scan */
    PM_INLINE T operator()(const T &v, unsigned lane, unsigned live) const {
        unsigned base = lane & ~(width - 1u);
        unsigned end = mode == 0 ? base + width : (mode == 1 ? lane + 1u : lane);
        T acc = Op::template identity<T>();
        bool first = true;
        for (unsigned l = base; l < end; ++l) {
            if (!(live >> l & 1u)) continue;
            T x = l == lane ? v : simd_read<T>(l);
            acc = first ? x : op(acc, x);
            first = false;
        }
        return acc;
    }
};
/* Reduction / scans over the active lanes of each `width`-lane segment (32 or 4). */
template <class T, class Op> PM_INLINE T simd_reduce_raw(const T &v, Op op, unsigned width) {
    return simd_exchange(v, reduce_fn<T, Op>{op, width, 0});
}
template <class T, class Op> PM_INLINE T simd_scan_raw(const T &v, Op op, unsigned width, bool inclusive) {
    return simd_exchange(v, reduce_fn<T, Op>{op, width, inclusive ? 1 : 2});
}

struct ballot_fn {
    PM_INLINE unsigned operator()(const unsigned &, unsigned, unsigned live) const {
        unsigned m = 0;
        for (unsigned l = 0; l < PM_SIMD_WIDTH; ++l)
            if ((live >> l & 1u) && simd_read<unsigned>(l)) m |= 1u << l;
        return m;
    }
};
PM_INLINE unsigned simd_ballot_raw(bool p) {
    ::pm_cpu_thread *t = pm_cur;
    if (!t || !t->sync) return p ? 1u << simd_lane() : 0u;
    return simd_exchange((unsigned)p, ballot_fn{});
}

} // namespace detail

/* ---- fragment functions ---- */
namespace detail {
/* Set by discard_fragment(); the generated pm_fragment_<k> wrapper clears it before each
   fragment and stores it in pm_fragment_batch::discarded (docs/abi.md §5). */
static thread_local bool pm_discarded = false;
} // namespace detail
/* The fragment keeps running (its outputs are ignored), unlike on a GPU. */
PM_INLINE void discard_fragment() { detail::pm_discarded = true; }
} // namespace metal

#endif // PM_TARGET_CPU_H

// target_cuda.h: the CUDA (NVRTC, -default-device) execution hooks of the prelude.
// Only this file and target_cpu.h differ between targets (docs/abi.md §2). No CUDA
// headers: NVRTC declares the device intrinsics used here itself.
#ifndef PM_TARGET_CUDA_H
#define PM_TARGET_CUDA_H

#define PM_INLINE inline
#define PM_DEVICE __device__
#define PM_CONSTANT static __device__ const
#define PM_FN(f) ::f          /* accurate float math: PM_FN(sinf)(x) */
#define PM_FASTFN(f) ::__##f  /* fast:: intrinsics: __sinf, __expf, ... */
#define PM_BIT_CAST(T, x) __builtin_bit_cast(T, x)
#define PM_EXP10F(x) ::exp10f(x)
#define PM_FAST_EXP10F(x) ::__exp10f(x)
#define PM_RSQRTF(x) ::rsqrtf(x)
#define PM_FAST_DIVIDEF(a, b) ::__fdividef((a), (b))
#define PM_UNROLL _Pragma("unroll")

/* `threadgroup T x;` in a body. */
#define PM_TG_VAR(site, T, name) __shared__ T name

namespace metal {
namespace detail {

PM_INLINE void threadgroup_barrier_hook() { __syncthreads(); }
PM_INLINE void simdgroup_barrier_hook() { __syncwarp(__activemask()); }

/* ---- float <-> half bits through PTX ---- */
/* The f16 result is widened to a 32-bit integer inside the asm: handing the 16-bit register
   itself back to C++ let the compiler treat it as an f16 value later, so `(unsigned char)h`
   became a float-to-int conversion (1.5 -> 1) in byte stores (seen on an H200, CUDA 13). */
PM_INLINE unsigned short f32_to_f16(float f) {
    unsigned r;
    asm("{ .reg .b16 t; cvt.rn.f16.f32 t, %1; cvt.u32.u16 %0, t; }" : "=r"(r) : "f"(f));
    return (unsigned short)r;
}
PM_INLINE float f16_to_f32(unsigned short h) {
    float f;
    asm("cvt.f32.f16 %0, %1;" : "=f"(f) : "h"(h));
    return f;
}
#define PM_HAVE_F16_HOOKS 1

/* ---- bit operations ---- */
PM_INLINE unsigned clz32(unsigned x) { return (unsigned)__clz((int)x); }
PM_INLINE unsigned clz64(unsigned long x) { return (unsigned)__clzll((long long)x); }
PM_INLINE unsigned ctz32(unsigned x) { return x ? (unsigned)__ffs((int)x) - 1u : 32u; }
PM_INLINE unsigned ctz64(unsigned long x) { return x ? (unsigned)__ffsll((long long)x) - 1u : 64u; }
PM_INLINE unsigned popc32(unsigned x) { return (unsigned)__popc(x); }
PM_INLINE unsigned popc64(unsigned long x) { return (unsigned)__popcll((unsigned long long)x); }
PM_INLINE unsigned long umulhi64(unsigned long a, unsigned long b) {
    return (unsigned long)__umul64hi((unsigned long long)a, (unsigned long long)b);
}
PM_INLINE long smulhi64(long a, long b) { return (long)__mul64hi((long long)a, (long long)b); }

/* ---- atomics ---- */
/* CUDA's atomics take int, unsigned, unsigned long long (and float for add/exch);
   8-byte long/ulong go through unsigned long long. */
template <class T> struct cu_word { typedef T type; };
template <> struct cu_word<long> { typedef unsigned long long type; };
template <> struct cu_word<unsigned long> { typedef unsigned long long type; };
#define PM_CU_P(p) reinterpret_cast<typename cu_word<T>::type *>(p)
#define PM_CU_V(v) (typename cu_word<T>::type)(v)

template <class T> PM_INLINE T atomic_load_raw(T *p) { return *(volatile T *)p; }
template <class T> PM_INLINE void atomic_store_raw(T *p, T v) { *(volatile T *)p = v; }
template <class T> PM_INLINE T atomic_exchange_raw(T *p, T v) { return (T)atomicExch(PM_CU_P(p), PM_CU_V(v)); }
PM_INLINE float atomic_exchange_raw(float *p, float v) { return atomicExch(p, v); }
template <class T> PM_INLINE bool atomic_cas_raw(T *p, T *expected, T desired) {
    T old = (T)atomicCAS(PM_CU_P(p), PM_CU_V(*expected), PM_CU_V(desired));
    bool ok = old == *expected;
    *expected = old;
    return ok;
}
template <class T> PM_INLINE T atomic_add_raw(T *p, T v) { return (T)atomicAdd(PM_CU_P(p), PM_CU_V(v)); }
PM_INLINE float atomic_add_raw(float *p, float v) { return atomicAdd(p, v); }
template <class T> PM_INLINE T atomic_sub_raw(T *p, T v) { return (T)atomicAdd(PM_CU_P(p), PM_CU_V(-v)); }
template <class T> PM_INLINE T atomic_and_raw(T *p, T v) { return (T)atomicAnd(PM_CU_P(p), PM_CU_V(v)); }
template <class T> PM_INLINE T atomic_or_raw(T *p, T v) { return (T)atomicOr(PM_CU_P(p), PM_CU_V(v)); }
template <class T> PM_INLINE T atomic_xor_raw(T *p, T v) { return (T)atomicXor(PM_CU_P(p), PM_CU_V(v)); }
PM_INLINE int atomic_min_raw(int *p, int v) { return atomicMin(p, v); }
PM_INLINE unsigned atomic_min_raw(unsigned *p, unsigned v) { return atomicMin(p, v); }
PM_INLINE long atomic_min_raw(long *p, long v) { return (long)atomicMin((long long *)p, (long long)v); }
PM_INLINE unsigned long atomic_min_raw(unsigned long *p, unsigned long v) {
    return (unsigned long)atomicMin((unsigned long long *)p, (unsigned long long)v);
}
PM_INLINE int atomic_max_raw(int *p, int v) { return atomicMax(p, v); }
PM_INLINE unsigned atomic_max_raw(unsigned *p, unsigned v) { return atomicMax(p, v); }
PM_INLINE long atomic_max_raw(long *p, long v) { return (long)atomicMax((long long *)p, (long long)v); }
PM_INLINE unsigned long atomic_max_raw(unsigned long *p, unsigned long v) {
    return (unsigned long)atomicMax((unsigned long long *)p, (unsigned long long)v);
}
#undef PM_CU_P
#undef PM_CU_V
#define PM_ATOMIC_FLOAT_ADD_NATIVE 1
#define PM_ATOMIC_MINMAX_NATIVE 1
PM_INLINE void atomic_fence_hook() { __threadfence(); }

/* ---- SIMD group = warp ---- */
PM_INLINE unsigned simd_lane() {
    unsigned l;
    asm("mov.u32 %0, %%laneid;" : "=r"(l));
    return l;
}
PM_INLINE unsigned simd_active() { return __activemask(); }

/* Shuffles any trivially copyable T as 32-bit words. mode 0: from lane `arg`,
   1: up by arg, 2: down by arg, 3: xor arg; `width` as in __shfl_*_sync. */
template <class T> PM_INLINE T shfl(const T &v, unsigned arg, int mode, unsigned mask, int width = 32) {
    constexpr int W = (int)((sizeof(T) + 3) / 4);
    union U {
        T t;
        unsigned w[W];
    } u;
    u.w[W - 1] = 0;
    u.t = v;
    for (int i = 0; i < W; ++i) {
        if (mode == 0) u.w[i] = __shfl_sync(mask, u.w[i], (int)arg, width);
        else if (mode == 1) u.w[i] = __shfl_up_sync(mask, u.w[i], arg, width);
        else if (mode == 2) u.w[i] = __shfl_down_sync(mask, u.w[i], arg, width);
        else u.w[i] = __shfl_xor_sync(mask, u.w[i], (int)arg, width);
    }
    return u.t;
}

/* Value of lane `src`; a lane that is not active gives the caller's own value (as on the CPU). */
template <class T> PM_INLINE T simd_shuffle_raw(const T &v, unsigned src) {
    unsigned mask = __activemask();
    T r = shfl(v, src, 0, mask);
    return (mask >> (src & 31u)) & 1u ? r : v;
}

template <class T, class Op> PM_INLINE T simd_reduce_raw(T v, Op op, unsigned width) {
    unsigned mask = __activemask();
    if (mask == 0xFFFFFFFFu) {
        for (unsigned off = width / 2; off; off >>= 1) v = op(v, shfl(v, off, 3, mask));
        return v;
    }
    unsigned base = simd_lane() & ~(width - 1u);
    T acc = Op::template identity<T>();
    bool first = true;
    for (unsigned l = base; l < base + width; ++l) {
        if (!(mask >> l & 1u)) continue;
        T x = shfl(v, l, 0, mask);
        acc = first ? x : op(acc, x);
        first = false;
    }
    return acc;
}

template <class T, class Op> PM_INLINE T simd_scan_raw(T v, Op op, unsigned width, bool inclusive) {
    unsigned mask = __activemask();
    unsigned lane = simd_lane();
    unsigned idx = lane & (width - 1u);
    if (mask == 0xFFFFFFFFu) {
        for (unsigned off = 1; off < width; off <<= 1) {
            T y = shfl(v, off, 1, mask, (int)width);
            if (idx >= off) v = op(y, v);
        }
        if (inclusive) return v;
        T y = shfl(v, 1u, 1, mask, (int)width);
        return idx == 0 ? Op::template identity<T>() : y;
    }
    unsigned base = lane - idx;
    unsigned end = inclusive ? lane + 1u : lane;
    T acc = Op::template identity<T>();
    bool first = true;
    for (unsigned l = base; l < base + width; ++l) {
        if (!(mask >> l & 1u)) continue;
        T x = shfl(v, l, 0, mask);
        if (l < end) {
            acc = first ? x : op(acc, x);
            first = false;
        }
    }
    return acc;
}

PM_INLINE unsigned simd_ballot_raw(bool p) { return __ballot_sync(__activemask(), p); }

} // namespace detail
/* Render stages run on the CPU only; this keeps fragment code compilable for CUDA. */
PM_INLINE void discard_fragment() {}
} // namespace metal

#endif // PM_TARGET_CUDA_H

// atomic.h: <metal_atomic>: atomic<T> for int, uint, long, ulong, float and bool, the
// atomic_*_explicit functions (one set serves device and threadgroup objects: address
// spaces are erased) and atomic_thread_fence. Metal's atomics are relaxed.
#ifndef PM_ATOMIC_H
#define PM_ATOMIC_H

namespace metal {

enum memory_order {
    memory_order_relaxed = 0,
    memory_order_acquire = 2,
    memory_order_release = 3,
    memory_order_acq_rel = 4,
    memory_order_seq_cst = 5,
};

template <class T> struct atomic {
    T pm_v;
};
typedef atomic<int> atomic_int;
typedef atomic<uint> atomic_uint;
typedef atomic<bool> atomic_bool;
typedef atomic<float> atomic_float;
typedef atomic<ulong> atomic_ulong;
typedef atomic<long> atomic_long;

namespace detail {
/* the integer that holds T's bits (floats are stored and compared as bits) */
template <class T> using abits_t = conditional_t<is_same_v<T, float>, uint, T>;
template <class T> PM_INLINE abits_t<T> *aptr(volatile atomic<T> *o) { return (abits_t<T> *)(&o->pm_v); }
template <class T> PM_INLINE abits_t<T> to_bits(T v) { return PM_BIT_CAST(abits_t<T>, v); }
template <class T> PM_INLINE T from_bits(abits_t<T> v) { return PM_BIT_CAST(T, v); }

/* read-modify-write by compare-exchange; `f` maps the old value of T to the new one */
template <class T, class F> PM_INLINE T rmw(volatile atomic<T> *o, F f) {
    if constexpr (sizeof(T) < 4) {
        /* sub-word (bool): work on the aligned 32-bit word that contains it */
        uint *w = (uint *)((uintptr_t)(&o->pm_v) & ~(uintptr_t)3);
        uint sh = (uint)((uintptr_t)(&o->pm_v) & 3) * 8u, mask = ((1u << (sizeof(T) * 8)) - 1u) << sh;
        uint old = atomic_load_raw(w);
        for (;;) {
            T cur = PM_BIT_CAST(T, (unsigned char)((old & mask) >> sh));
            uint nw = (old & ~mask) | ((uint)PM_BIT_CAST(unsigned char, f(cur)) << sh);
            if (atomic_cas_raw(w, &old, nw)) return cur;
        }
    } else {
        abits_t<T> *p = aptr(o);
        abits_t<T> old = atomic_load_raw(p);
        while (!atomic_cas_raw(p, &old, to_bits(f(from_bits<T>(old))))) {
        }
        return from_bits<T>(old);
    }
}
template <class T> struct f_set { T v; PM_INLINE T operator()(T) const { return v; } };
template <class T> struct f_add { T v; PM_INLINE T operator()(T a) const { return a + v; } };
template <class T> struct f_sub { T v; PM_INLINE T operator()(T a) const { return a - v; } };
template <class T> struct f_and { T v; PM_INLINE T operator()(T a) const { return T(a & v); } };
template <class T> struct f_or { T v; PM_INLINE T operator()(T a) const { return T(a | v); } };
template <class T> struct f_xor { T v; PM_INLINE T operator()(T a) const { return T(a ^ v); } };
template <class T> struct f_min { T v; PM_INLINE T operator()(T a) const { return v < a ? v : a; } };
template <class T> struct f_max { T v; PM_INLINE T operator()(T a) const { return a < v ? v : a; } };
template <class T> constexpr bool native_int_v = sizeof(T) >= 4 && is_integral_v<T>;
} // namespace detail

template <class T>
PM_INLINE void atomic_store_explicit(volatile atomic<T> *o, detail::type_identity_t<T> v, memory_order = memory_order_relaxed) {
    if constexpr (sizeof(T) < 4) detail::rmw(o, detail::f_set<T>{v});
    else detail::atomic_store_raw(detail::aptr(o), detail::to_bits(v));
}
template <class T> PM_INLINE T atomic_load_explicit(volatile atomic<T> *o, memory_order = memory_order_relaxed) {
    if constexpr (sizeof(T) < 4) return detail::rmw(o, [](T a) { return a; });
    else return detail::from_bits<T>(detail::atomic_load_raw(detail::aptr(o)));
}
template <class T>
PM_INLINE T atomic_exchange_explicit(volatile atomic<T> *o, detail::type_identity_t<T> v, memory_order = memory_order_relaxed) {
    if constexpr (sizeof(T) < 4) return detail::rmw(o, detail::f_set<T>{v});
    else return detail::from_bits<T>(detail::atomic_exchange_raw(detail::aptr(o), detail::to_bits(v)));
}
template <class T>
PM_INLINE bool atomic_compare_exchange_weak_explicit(volatile atomic<T> *o, detail::type_identity_t<T> *expected,
                                                     detail::type_identity_t<T> desired, memory_order = memory_order_relaxed,
                                                     memory_order = memory_order_relaxed) {
    if constexpr (sizeof(T) < 4) {
        T want = *expected;
        bool ok = false;
        T old = detail::rmw(o, [&](T a) { ok = a == want; return ok ? desired : a; });
        *expected = old;
        return ok;
    } else {
        detail::abits_t<T> e = detail::to_bits(*expected);
        bool ok = detail::atomic_cas_raw(detail::aptr(o), &e, detail::to_bits(desired));
        *expected = detail::from_bits<T>(e);
        return ok;
    }
}
template <class T>
PM_INLINE bool atomic_compare_exchange_strong_explicit(volatile atomic<T> *o, detail::type_identity_t<T> *expected,
                                                       detail::type_identity_t<T> desired, memory_order s = memory_order_relaxed,
                                                       memory_order f = memory_order_relaxed) {
    return atomic_compare_exchange_weak_explicit(o, expected, desired, s, f);
}

#define PM_ATOMIC_RMW(name, F, NATIVE)                                                             \
    template <class T>                                                                             \
    PM_INLINE T atomic_fetch_##name##_explicit(volatile atomic<T> *o, detail::type_identity_t<T> v, \
                                               memory_order = memory_order_relaxed) {              \
        if constexpr (NATIVE) return detail::atomic_##name##_raw((T *)(&o->pm_v), v);              \
        else return detail::rmw(o, detail::F<T>{v});                                               \
    }
PM_ATOMIC_RMW(add, f_add, detail::native_int_v<T> || (PM_ATOMIC_FLOAT_ADD_NATIVE && is_same_v<T, float>))
PM_ATOMIC_RMW(sub, f_sub, detail::native_int_v<T>)
PM_ATOMIC_RMW(and, f_and, detail::native_int_v<T>)
PM_ATOMIC_RMW(or, f_or, detail::native_int_v<T>)
PM_ATOMIC_RMW(xor, f_xor, detail::native_int_v<T>)
PM_ATOMIC_RMW(min, f_min, PM_ATOMIC_MINMAX_NATIVE && detail::native_int_v<T>)
PM_ATOMIC_RMW(max, f_max, PM_ATOMIC_MINMAX_NATIVE && detail::native_int_v<T>)
#undef PM_ATOMIC_RMW

PM_INLINE void atomic_thread_fence(mem_flags, memory_order, thread_scope = thread_scope_device) {
    detail::atomic_fence_hook();
}

} // namespace metal

#endif // PM_ATOMIC_H

// relational.h: isnan, isinf, isfinite, isnormal, signbit, isordered, isunordered, all,
// any, select (vector comparisons themselves are operators in vec.h).
#ifndef PM_RELATIONAL_H
#define PM_RELATIONAL_H

namespace metal {
namespace detail {
PM_INLINE constexpr unsigned fbits(float x) { return PM_BIT_CAST(unsigned, x); }
} // namespace detail

#define PM_REL1(name, EXPR)                                                                        \
    template <class A, class R = detail::b_t<A>, class = detail::f1_t<A>> PM_INLINE R name(A a_) { \
        PM_EW1(R, name) {                                                                          \
            unsigned u = detail::fbits(float(a_));                                                 \
            (void)u;                                                                               \
            return EXPR;                                                                           \
        }                                                                                          \
    }
PM_REL1(isnan, (u & 0x7FFFFFFFu) > 0x7F800000u)
PM_REL1(isinf, (u & 0x7FFFFFFFu) == 0x7F800000u)
PM_REL1(isfinite, (u & 0x7FFFFFFFu) < 0x7F800000u)
PM_REL1(signbit, (u >> 31) != 0u)
PM_REL1(isnormal, (u & 0x7FFFFFFFu) < 0x7F800000u &&
                      !(PM_BIT_CAST(float, u & 0x7FFFFFFFu) < float(numeric_limits<detail::f1_t<A>>::min())))
#undef PM_REL1

template <class A, class B, class R = detail::b_t<typename detail::com2<A, B>::type>> PM_INLINE R isordered(A a_, B b_) {
    PM_EW2(R, isordered) { return float(a_) == float(a_) && float(b_) == float(b_); }
}
template <class A, class B, class R = detail::b_t<typename detail::com2<A, B>::type>>
PM_INLINE R isunordered(A a_, B b_) {
    PM_EW2(R, isunordered) { return !(float(a_) == float(a_) && float(b_) == float(b_)); }
}

template <class T, int N> PM_INLINE bool all(const vec<T, N> &v) {
    bool r = true;
    for (int i = 0; i < N; ++i) r = r && bool(v[i]);
    return r;
}
template <class T, int N> PM_INLINE bool any(const vec<T, N> &v) {
    bool r = false;
    for (int i = 0; i < N; ++i) r = r || bool(v[i]);
    return r;
}
PM_INLINE bool all(bool b) { return b; }
PM_INLINE bool any(bool b) { return b; }

/* select(a, b, c): c ? b : a, per component when c is a bool vector */
template <class A, class B, class C, class R = typename detail::com2<A, B>::type>
PM_INLINE R select(const A &a_, const B &b_, const C &c_) {
    if constexpr (is_vector_v<R> && is_vector_v<C>) {
        static_assert(vec_elements<C>::value == vec_elements<R>::value, "select: sizes differ");
        R r_;
        for (int i = 0; i < vec_elements<R>::value; ++i) r_[i] = c_[i] ? detail::el(b_, i) : detail::el(a_, i);
        return r_;
    } else {
        return c_ ? R(b_) : R(a_);
    }
}

} // namespace metal

#endif // PM_RELATIONAL_H

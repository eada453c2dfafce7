// common.h: <metal_common> (clamp, mix, saturate, sign, smoothstep, step) and the
// functions shared by floats and integers (min, max, min3, max3, median3, abs).
#ifndef PM_COMMON_H
#define PM_COMMON_H

namespace metal {

PM_MF3(mix, x + (y - x) * z)
PM_MF1(saturate, PM_FN(fminf)(PM_FN(fmaxf)(x, 0.0f), 1.0f))
PM_MF1(sign, x > 0.0f ? 1.0f : (x < 0.0f ? -1.0f : (x == x ? x : 0.0f)))
PM_MF2(step, y < x ? 0.0f : 1.0f)
namespace detail {
PM_INLINE float smoothstep_f(float e0, float e1, float x) {
    float t = PM_FN(fminf)(PM_FN(fmaxf)((x - e0) / (e1 - e0), 0.0f), 1.0f);
    return t * t * (3.0f - 2.0f * t);
}
} // namespace detail
PM_MF3(smoothstep, detail::smoothstep_f(x, y, z))
#undef PM_MF1
#undef PM_MF2
#undef PM_MF3

namespace detail {
template <class T> PM_INLINE T iabs(T x) {
    if constexpr (is_signed_v<T>) return x < T(0) ? T(-x) : x;
    else return x;
}
} // namespace detail

/* min/max/clamp/...: floats follow fmin/fmax (a NaN operand is ignored), integers compare
   in their own type. */
#define PM_CF1(name, FEXPR, IEXPR)                                                                 \
    template <class A> PM_INLINE detail::a1_t<A> name(A a_) {                                      \
        typedef detail::a1_t<A> R;                                                                 \
        PM_EW1(R, name) {                                                                          \
            if constexpr (is_floating_point_v<R>) {                                                \
                float x = float(a_);                                                               \
                return R(FEXPR);                                                                   \
            } else {                                                                               \
                R x = R(a_);                                                                       \
                return R(IEXPR);                                                                   \
            }                                                                                      \
        }                                                                                          \
    }
#define PM_CF2(name, FEXPR, IEXPR)                                                                 \
    template <class A, class B> PM_INLINE detail::a2_t<A, B> name(A a_, B b_) {                    \
        typedef detail::a2_t<A, B> R;                                                              \
        PM_EW2(R, name) {                                                                          \
            if constexpr (is_floating_point_v<R>) {                                                \
                float x = float(a_), y = float(b_);                                                \
                return R(FEXPR);                                                                   \
            } else {                                                                               \
                R x = R(a_), y = R(b_);                                                            \
                return R(IEXPR);                                                                   \
            }                                                                                      \
        }                                                                                          \
    }
#define PM_CF3(name, FEXPR, IEXPR)                                                                 \
    template <class A, class B, class C> PM_INLINE detail::a3_t<A, B, C> name(A a_, B b_, C c_) {  \
        typedef detail::a3_t<A, B, C> R;                                                           \
        PM_EW3(R, name) {                                                                          \
            if constexpr (is_floating_point_v<R>) {                                                \
                float x = float(a_), y = float(b_), z = float(c_);                                 \
                return R(FEXPR);                                                                   \
            } else {                                                                               \
                R x = R(a_), y = R(b_), z = R(c_);                                                 \
                return R(IEXPR);                                                                   \
            }                                                                                      \
        }                                                                                          \
    }
#define PM_IMIN(a, b) ((b) < (a) ? (b) : (a))
#define PM_IMAX(a, b) ((a) < (b) ? (b) : (a))
PM_CF1(abs, PM_FN(fabsf)(x), detail::iabs(x))
PM_CF2(min, PM_FN(fminf)(x, y), PM_IMIN(x, y))
PM_CF2(max, PM_FN(fmaxf)(x, y), PM_IMAX(x, y))
PM_CF3(clamp, PM_FN(fminf)(PM_FN(fmaxf)(x, y), z), PM_IMIN(PM_IMAX(x, y), z))
PM_CF3(min3, PM_FN(fminf)(PM_FN(fminf)(x, y), z), PM_IMIN(PM_IMIN(x, y), z))
PM_CF3(max3, PM_FN(fmaxf)(PM_FN(fmaxf)(x, y), z), PM_IMAX(PM_IMAX(x, y), z))
PM_CF3(median3, detail::fmedian3_f(x, y, z), PM_IMAX(PM_IMIN(x, y), PM_IMIN(PM_IMAX(x, y), z)))
#undef PM_IMIN
#undef PM_IMAX
#undef PM_CF1
#undef PM_CF2
#undef PM_CF3

} // namespace metal

#endif // PM_COMMON_H

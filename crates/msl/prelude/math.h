// math.h: <metal_math> over float, half and bfloat scalars and vectors, in metal:: (accurate)
// and metal::fast:: (fast intrinsics where the target has them); metal::precise:: is filled
// with using-declarations at the end of geometric.h. half/bfloat compute in float.
#ifndef PM_MATH_H
#define PM_MATH_H

namespace metal {
namespace detail {
/* sin(pi*x) with exact zeros at integers: reduce to [-1,1], fold into [-0.5,0.5] */
PM_INLINE float sinpi_f(float x) {
    float y = x - 2.0f * PM_FN(rintf)(x * 0.5f);
    float a = y < 0.0f ? -y : y;
    if (a > 0.5f) a = 1.0f - a;
    float s = PM_FN(sinf)(M_PI_F * a);
    return y < 0.0f ? -s : s;
}
PM_INLINE float cospi_f(float x) {
    float y = x - 2.0f * PM_FN(rintf)(x * 0.5f);
    float a = y < 0.0f ? -y : y; /* cos(pi*a), a in [0,1] */
    return PM_FN(sinf)(M_PI_F * (0.5f - a));
}
PM_INLINE float fract_f(float x) {
    float f = x - PM_FN(floorf)(x);
    return f < 0x1.fffffep-1f ? f : (f == f ? 0x1.fffffep-1f : f);
}
PM_INLINE float maxmag_f(float x, float y) {
    float ax = PM_FN(fabsf)(x), ay = PM_FN(fabsf)(y);
    return ax > ay ? x : (ay > ax ? y : PM_FN(fmaxf)(x, y));
}
PM_INLINE float minmag_f(float x, float y) {
    float ax = PM_FN(fabsf)(x), ay = PM_FN(fabsf)(y);
    return ax < ay ? x : (ay < ax ? y : PM_FN(fminf)(x, y));
}
PM_INLINE float fmedian3_f(float a, float b, float c) {
    return PM_FN(fmaxf)(PM_FN(fminf)(a, b), PM_FN(fminf)(PM_FN(fmaxf)(a, b), c));
}
} // namespace detail

/* One template per function: scalars (float, half, bfloat; integers and double as float)
   and vectors of float, half, bfloat. x, y, z are the arguments as float. */
#define PM_MF1(name, EXPR)                                                                         \
    template <class A> PM_INLINE detail::f1_t<A> name(A a_) {                                      \
        typedef detail::f1_t<A> R;                                                                 \
        PM_EW1(R, name) {                                                                          \
            float x = float(a_);                                                                   \
            return R(EXPR);                                                                        \
        }                                                                                          \
    }
#define PM_MF2(name, EXPR)                                                                         \
    template <class A, class B> PM_INLINE detail::f2_t<A, B> name(A a_, B b_) {                    \
        typedef detail::f2_t<A, B> R;                                                              \
        PM_EW2(R, name) {                                                                          \
            float x = float(a_), y = float(b_);                                                    \
            return R(EXPR);                                                                        \
        }                                                                                          \
    }
#define PM_MF3(name, EXPR)                                                                         \
    template <class A, class B, class C> PM_INLINE detail::f3_t<A, B, C> name(A a_, B b_, C c_) {  \
        typedef detail::f3_t<A, B, C> R;                                                           \
        PM_EW3(R, name) {                                                                          \
            float x = float(a_), y = float(b_), z = float(c_);                                     \
            return R(EXPR);                                                                        \
        }                                                                                          \
    }

/* the functions that fast:: implements differently */
#define PM_MATH_VARIANTS(FN, EXP10, DIV)                                                           \
    PM_MF1(cos, FN(cosf)(x))                                                                       \
    PM_MF1(sin, FN(sinf)(x))                                                                       \
    PM_MF1(tan, FN(tanf)(x))                                                                       \
    PM_MF1(exp, FN(expf)(x))                                                                       \
    PM_MF1(exp10, EXP10(x))                                                                        \
    PM_MF1(log, FN(logf)(x))                                                                       \
    PM_MF1(log2, FN(log2f)(x))                                                                     \
    PM_MF1(log10, FN(log10f)(x))                                                                   \
    PM_MF2(pow, FN(powf)(x, y))                                                                    \
    PM_MF2(powr, FN(powf)(x, y))                                                                   \
    PM_MF2(divide, DIV(x, y))

#define PM_DIV(a, b) ((a) / (b))
PM_MATH_VARIANTS(PM_FN, PM_EXP10F, PM_DIV)
#undef PM_DIV

PM_MF1(acos, PM_FN(acosf)(x))
PM_MF1(acosh, PM_FN(acoshf)(x))
PM_MF1(asin, PM_FN(asinf)(x))
PM_MF1(asinh, PM_FN(asinhf)(x))
PM_MF1(atan, PM_FN(atanf)(x))
PM_MF1(atanh, PM_FN(atanhf)(x))
PM_MF1(ceil, PM_FN(ceilf)(x))
PM_MF1(cosh, PM_FN(coshf)(x))
PM_MF1(cospi, detail::cospi_f(x))
PM_MF1(exp2, PM_FN(exp2f)(x))
PM_MF1(fabs, PM_FN(fabsf)(x))
PM_MF1(floor, PM_FN(floorf)(x))
PM_MF1(fract, detail::fract_f(x))
PM_MF1(logb, PM_FN(logbf)(x))
PM_MF1(rint, PM_FN(rintf)(x))
PM_MF1(round, PM_FN(roundf)(x))
PM_MF1(rsqrt, PM_RSQRTF(x))
PM_MF1(sinh, PM_FN(sinhf)(x))
PM_MF1(sinpi, detail::sinpi_f(x))
PM_MF1(sqrt, PM_FN(sqrtf)(x))
PM_MF1(tanh, PM_FN(tanhf)(x))
PM_MF1(tanpi, detail::sinpi_f(x) / detail::cospi_f(x))
PM_MF1(trunc, PM_FN(truncf)(x))
PM_MF2(atan2, PM_FN(atan2f)(x, y))
PM_MF2(copysign, PM_FN(copysignf)(x, y))
PM_MF2(fdim, PM_FN(fdimf)(x, y))
PM_MF2(fmax, PM_FN(fmaxf)(x, y))
PM_MF2(fmin, PM_FN(fminf)(x, y))
PM_MF2(fmod, PM_FN(fmodf)(x, y))
PM_MF2(nextafter, PM_FN(nextafterf)(x, y))
PM_MF2(maxmag, detail::maxmag_f(x, y))
PM_MF2(minmag, detail::minmag_f(x, y))
PM_MF3(fma, PM_FN(fmaf)(x, y, z))
PM_MF3(fmax3, PM_FN(fmaxf)(PM_FN(fmaxf)(x, y), z))
PM_MF3(fmin3, PM_FN(fminf)(PM_FN(fminf)(x, y), z))
PM_MF3(fmedian3, detail::fmedian3_f(x, y, z))

/* frexp(x, exponent&): exponent is int or an int vector of x's size */
template <class A> PM_INLINE detail::f1_t<A> frexp(A a_, detail::int_shape_t<A> &e) {
    typedef detail::f1_t<A> R;
    if constexpr (is_vector_v<R>) {
        R r_;
        for (int i = 0; i < vec_elements<R>::value; ++i) r_[i] = frexp(a_[i], e[i]);
        return r_;
    } else {
        int ex = 0;
        float m = PM_FN(frexpf)(float(a_), &ex);
        e = ex;
        return R(m);
    }
}
template <class A, class K> PM_INLINE detail::f1_t<A> ldexp(A a_, K b_) {
    typedef detail::f1_t<A> R;
    PM_EW2(R, ldexp) { return R(PM_FN(ldexpf)(float(a_), int(b_))); }
}
template <class A> PM_INLINE detail::int_shape_t<detail::f1_t<A>> ilogb(A a_) {
    typedef detail::int_shape_t<detail::f1_t<A>> R;
    PM_EW1(R, ilogb) { return PM_FN(ilogbf)(float(a_)); }
}
/* modf(x, integral_part&) returns the fractional part */
template <class A> PM_INLINE detail::f1_t<A> modf(A a_, detail::f1_t<A> &ip) {
    typedef detail::f1_t<A> R;
    if constexpr (is_vector_v<R>) {
        R r_;
        for (int i = 0; i < vec_elements<R>::value; ++i) r_[i] = modf(a_[i], ip[i]);
        return r_;
    } else {
        float i = 0.0f, f = PM_FN(modff)(float(a_), &i);
        ip = R(i);
        return R(f);
    }
}
/* sincos(x, cos&) returns sin(x) */
template <class A> PM_INLINE detail::f1_t<A> sincos(A a_, detail::f1_t<A> &c) {
    typedef detail::f1_t<A> R;
    if constexpr (is_vector_v<R>) {
        R r_;
        for (int i = 0; i < vec_elements<R>::value; ++i) r_[i] = sincos(a_[i], c[i]);
        return r_;
    } else {
        float x = float(a_), s = PM_FN(sinf)(x), co = PM_FN(cosf)(x); /* merged into sincos by the compiler */
        c = R(co);
        return R(s);
    }
}
/* nan(code): a quiet NaN; uint gives float, ushort gives half */
PM_INLINE float nan(uint code) { return PM_BIT_CAST(float, 0x7FC00000u | (code & 0x3FFFFFu)); }
PM_INLINE half nan(ushort code) { return half(detail::bits_tag{}, (ushort)(0x7E00u | (code & 0x1FFu))); }
template <int N> PM_INLINE vec<float, N> nan(vec<uint, N> code) {
    vec<float, N> r;
    for (int i = 0; i < N; ++i) r[i] = nan(code[i]);
    return r;
}
template <int N> PM_INLINE vec<half, N> nan(vec<ushort, N> code) {
    vec<half, N> r;
    for (int i = 0; i < N; ++i) r[i] = nan(code[i]);
    return r;
}

namespace fast {
PM_MATH_VARIANTS(PM_FASTFN, PM_FAST_EXP10F, PM_FAST_DIVIDEF)
} // namespace fast

#undef PM_MATH_VARIANTS

} // namespace metal

#endif // PM_MATH_H

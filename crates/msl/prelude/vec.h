// vec.h: vec<T,N> for N = 2, 3, 4 with Metal's sizes and alignments (sizeof(float3) == 16),
// packed vectors, swizzle member functions (gen/swizzles.h), constructors, operators,
// the vector type names and as_type.
#ifndef PM_VEC_H
#define PM_VEC_H

#include "gen/swizzles.h"

namespace metal {
namespace detail {
template <class T, int N> struct packed_vec;
template <class U> using scalar_en = enable_if_t<is_arithmetic_v<U>, int>;

/* lvalue proxy for .xy_ref() and friends: components i0.. of the element array e */
template <class T, int A, int B, int C = -1, int D = -1> struct swz_ref {
    T *e;
    static constexpr int K = 2 + (C >= 0) + (D >= 0);
    typedef vec<T, K> V;
    PM_INLINE V get() const {
        V r;
        r[0] = e[A];
        r[1] = e[B];
        if constexpr (K > 2) r[2] = e[C];
        if constexpr (K > 3) r[3] = e[D];
        return r;
    }
    PM_INLINE void set(const V &v) const {
        e[A] = v[0];
        e[B] = v[1];
        if constexpr (K > 2) e[C] = v[2];
        if constexpr (K > 3) e[D] = v[3];
    }
    PM_INLINE operator V() const { return get(); }
    PM_INLINE swz_ref &operator=(const V &v) {
        set(v);
        return *this;
    }
    PM_INLINE swz_ref &operator=(const swz_ref &o) {
        set(o.get());
        return *this;
    }
#define PM_SWZ_OP(op)                                                                              \
    PM_INLINE swz_ref &operator op##=(const V & v) {                                               \
        set(get() op v);                                                                           \
        return *this;                                                                              \
    }
    PM_SWZ_OP(+) PM_SWZ_OP(-) PM_SWZ_OP(*) PM_SWZ_OP(/) PM_SWZ_OP(%)
    PM_SWZ_OP(&) PM_SWZ_OP(|) PM_SWZ_OP(^) PM_SWZ_OP(<<) PM_SWZ_OP(>>)
#undef PM_SWZ_OP
    PM_INLINE swz_ref &operator++() {
        set(get() + V(T(1)));
        return *this;
    }
    PM_INLINE swz_ref &operator--() {
        set(get() - V(T(1)));
        return *this;
    }
    PM_INLINE V operator++(int) {
        V o = get();
        set(o + V(T(1)));
        return o;
    }
    PM_INLINE V operator--(int) {
        V o = get();
        set(o - V(T(1)));
        return o;
    }
};
} // namespace detail

#define PM_VEC_INDEX                                                                               \
    PM_INLINE constexpr T &operator[](int i) { return pm_e[i]; }                                   \
    PM_INLINE constexpr const T &operator[](int i) const { return pm_e[i]; }

template <class T> struct alignas(sizeof(T) * 2) vec<T, 2> {
    union {
        struct { T x, y; };
        struct { T r, g; };
        T pm_e[2];
    };
    vec() = default;
    template <class U, detail::scalar_en<U> = 0> PM_INLINE constexpr vec(U s) : x(T(s)), y(T(s)) {}
    PM_INLINE constexpr vec(T a0, T a1) : x(a0), y(a1) {}
    template <class U> PM_INLINE constexpr explicit vec(const vec<U, 2> &o) : x(T(o.x)), y(T(o.y)) {}
    PM_INLINE constexpr vec(const detail::packed_vec<T, 2> &p) : x(p.x), y(p.y) {}
    PM_VEC_INDEX
    PM_SWIZZLES_2
};

template <class T> struct alignas(sizeof(T) * 4) vec<T, 3> {
    union {
        struct { T x, y, z; };
        struct { T r, g, b; };
        T pm_e[3];
    };
    vec() = default;
    template <class U, detail::scalar_en<U> = 0> PM_INLINE constexpr vec(U s) : x(T(s)), y(T(s)), z(T(s)) {}
    PM_INLINE constexpr vec(T a0, T a1, T a2) : x(a0), y(a1), z(a2) {}
    PM_INLINE constexpr vec(const vec<T, 2> &a, T b) : x(a.x), y(a.y), z(b) {}
    PM_INLINE constexpr vec(T a, const vec<T, 2> &b) : x(a), y(b.x), z(b.y) {}
    template <class U>
    PM_INLINE constexpr explicit vec(const vec<U, 3> &o) : x(T(o.x)), y(T(o.y)), z(T(o.z)) {}
    PM_INLINE constexpr vec(const detail::packed_vec<T, 3> &p) : x(p.x), y(p.y), z(p.z) {}
    PM_VEC_INDEX
    PM_SWIZZLES_3
};

template <class T> struct alignas(sizeof(T) * 4) vec<T, 4> {
    union {
        struct { T x, y, z, w; };
        struct { T r, g, b, a; };
        T pm_e[4];
    };
    vec() = default;
    template <class U, detail::scalar_en<U> = 0>
    PM_INLINE constexpr vec(U s) : x(T(s)), y(T(s)), z(T(s)), w(T(s)) {}
    PM_INLINE constexpr vec(T a0, T a1, T a2, T a3) : x(a0), y(a1), z(a2), w(a3) {}
    PM_INLINE constexpr vec(const vec<T, 2> &a, T b, T c) : x(a.x), y(a.y), z(b), w(c) {}
    PM_INLINE constexpr vec(T a, const vec<T, 2> &b, T c) : x(a), y(b.x), z(b.y), w(c) {}
    PM_INLINE constexpr vec(T a, T b, const vec<T, 2> &c) : x(a), y(b), z(c.x), w(c.y) {}
    PM_INLINE constexpr vec(const vec<T, 2> &a, const vec<T, 2> &b) : x(a.x), y(a.y), z(b.x), w(b.y) {}
    PM_INLINE constexpr vec(const vec<T, 3> &a, T b) : x(a.x), y(a.y), z(a.z), w(b) {}
    PM_INLINE constexpr vec(T a, const vec<T, 3> &b) : x(a), y(b.x), z(b.y), w(b.z) {}
    template <class U>
    PM_INLINE constexpr explicit vec(const vec<U, 4> &o) : x(T(o.x)), y(T(o.y)), z(T(o.z)), w(T(o.w)) {}
    PM_INLINE constexpr vec(const detail::packed_vec<T, 4> &p) : x(p.x), y(p.y), z(p.z), w(p.w) {}
    PM_VEC_INDEX
    PM_SWIZZLES_4
};

namespace detail {
/* Packed vectors: tight layout (alignment of T), convert to and from vec. */
template <class T> struct packed_vec<T, 2> {
    union {
        struct { T x, y; };
        struct { T r, g; };
        T pm_e[2];
    };
    packed_vec() = default;
    PM_INLINE constexpr packed_vec(T a0, T a1) : x(a0), y(a1) {}
    PM_INLINE constexpr packed_vec(const vec<T, 2> &v) : x(v.x), y(v.y) {}
    PM_VEC_INDEX
    PM_SWIZZLES_2
};
template <class T> struct packed_vec<T, 3> {
    union {
        struct { T x, y, z; };
        struct { T r, g, b; };
        T pm_e[3];
    };
    packed_vec() = default;
    PM_INLINE constexpr packed_vec(T a0, T a1, T a2) : x(a0), y(a1), z(a2) {}
    PM_INLINE constexpr packed_vec(const vec<T, 3> &v) : x(v.x), y(v.y), z(v.z) {}
    PM_VEC_INDEX
    PM_SWIZZLES_3
};
template <class T> struct packed_vec<T, 4> {
    union {
        struct { T x, y, z, w; };
        struct { T r, g, b, a; };
        T pm_e[4];
    };
    packed_vec() = default;
    PM_INLINE constexpr packed_vec(T a0, T a1, T a2, T a3) : x(a0), y(a1), z(a2), w(a3) {}
    PM_INLINE constexpr packed_vec(const vec<T, 4> &v) : x(v.x), y(v.y), z(v.z), w(v.w) {}
    PM_VEC_INDEX
    PM_SWIZZLES_4
};

template <class T> PM_INLINE T el(const T &a, int) { return a; }
template <class T, int N> PM_INLINE T el(const vec<T, N> &a, int i) { return a[i]; }
} // namespace detail
#undef PM_VEC_INDEX

// ---- operators -------------------------------------------------------------------------
#define PM_VEC_BINOP(op)                                                                           \
    template <class T, int N> PM_INLINE vec<T, N> operator op(const vec<T, N> &a, const vec<T, N> &b) { \
        vec<T, N> r;                                                                               \
        for (int i = 0; i < N; ++i) r[i] = T(a[i] op b[i]);                                        \
        return r;                                                                                  \
    }                                                                                              \
    template <class T, int N, class U, detail::scalar_en<U> = 0>                                   \
    PM_INLINE vec<T, N> operator op(const vec<T, N> &a, U s) {                                     \
        vec<T, N> r;                                                                               \
        T b = T(s);                                                                                \
        for (int i = 0; i < N; ++i) r[i] = T(a[i] op b);                                           \
        return r;                                                                                  \
    }                                                                                              \
    template <class T, int N, class U, detail::scalar_en<U> = 0>                                   \
    PM_INLINE vec<T, N> operator op(U s, const vec<T, N> &b) {                                     \
        vec<T, N> r;                                                                               \
        T a = T(s);                                                                                \
        for (int i = 0; i < N; ++i) r[i] = T(a op b[i]);                                           \
        return r;                                                                                  \
    }                                                                                              \
    template <class T, int N> PM_INLINE vec<T, N> &operator op##=(vec<T, N> & a, const vec<T, N> &b) { \
        for (int i = 0; i < N; ++i) a[i] = T(a[i] op b[i]);                                        \
        return a;                                                                                  \
    }                                                                                              \
    template <class T, int N, class U, detail::scalar_en<U> = 0>                                   \
    PM_INLINE vec<T, N> &operator op##=(vec<T, N> & a, U s) {                                      \
        T b = T(s);                                                                                \
        for (int i = 0; i < N; ++i) a[i] = T(a[i] op b);                                           \
        return a;                                                                                  \
    }                                                                                              \
    template <class T, int N> PM_INLINE vec<T, N> operator op(const detail::packed_vec<T, N> &a, const vec<T, N> &b) { \
        return vec<T, N>(a) op b;                                                                  \
    }                                                                                              \
    template <class T, int N> PM_INLINE vec<T, N> operator op(const vec<T, N> &a, const detail::packed_vec<T, N> &b) { \
        return a op vec<T, N>(b);                                                                  \
    }                                                                                              \
    template <class T, int N>                                                                      \
    PM_INLINE vec<T, N> operator op(const detail::packed_vec<T, N> &a, const detail::packed_vec<T, N> &b) { \
        return vec<T, N>(a) op vec<T, N>(b);                                                       \
    }                                                                                              \
    template <class T, int N, class U, detail::scalar_en<U> = 0>                                   \
    PM_INLINE vec<T, N> operator op(const detail::packed_vec<T, N> &a, U s) {                      \
        return vec<T, N>(a) op s;                                                                  \
    }                                                                                              \
    template <class T, int N, class U, detail::scalar_en<U> = 0>                                   \
    PM_INLINE vec<T, N> operator op(U s, const detail::packed_vec<T, N> &b) {                      \
        return s op vec<T, N>(b);                                                                  \
    }                                                                                              \
    template <class T, int N, class X>                                                             \
    PM_INLINE detail::packed_vec<T, N> &operator op##=(detail::packed_vec<T, N> & a, const X & b) { \
        return a = vec<T, N>(a) op b;                                                              \
    }
PM_VEC_BINOP(+)
PM_VEC_BINOP(-)
PM_VEC_BINOP(*)
PM_VEC_BINOP(/)
PM_VEC_BINOP(%)
PM_VEC_BINOP(&)
PM_VEC_BINOP(|)
PM_VEC_BINOP(^)
PM_VEC_BINOP(<<)
PM_VEC_BINOP(>>)
#undef PM_VEC_BINOP

/* comparisons and logical operators give bool vectors */
#define PM_VEC_CMP(op)                                                                             \
    template <class T, int N> PM_INLINE vec<bool, N> operator op(const vec<T, N> &a, const vec<T, N> &b) { \
        vec<bool, N> r;                                                                            \
        for (int i = 0; i < N; ++i) r[i] = a[i] op b[i];                                           \
        return r;                                                                                  \
    }                                                                                              \
    template <class T, int N, class U, detail::scalar_en<U> = 0>                                   \
    PM_INLINE vec<bool, N> operator op(const vec<T, N> &a, U s) {                                  \
        vec<bool, N> r;                                                                            \
        T b = T(s);                                                                                \
        for (int i = 0; i < N; ++i) r[i] = a[i] op b;                                              \
        return r;                                                                                  \
    }                                                                                              \
    template <class T, int N, class U, detail::scalar_en<U> = 0>                                   \
    PM_INLINE vec<bool, N> operator op(U s, const vec<T, N> &b) {                                  \
        vec<bool, N> r;                                                                            \
        T a = T(s);                                                                                \
        for (int i = 0; i < N; ++i) r[i] = a op b[i];                                              \
        return r;                                                                                  \
    }
PM_VEC_CMP(==)
PM_VEC_CMP(!=)
PM_VEC_CMP(<)
PM_VEC_CMP(<=)
PM_VEC_CMP(>)
PM_VEC_CMP(>=)
PM_VEC_CMP(&&)
PM_VEC_CMP(||)
#undef PM_VEC_CMP

#define PM_VEC_UNARY(op, R)                                                                        \
    template <class T, int N> PM_INLINE vec<R, N> operator op(const vec<T, N> &a) {                \
        vec<R, N> r;                                                                               \
        for (int i = 0; i < N; ++i) r[i] = R(op a[i]);                                             \
        return r;                                                                                  \
    }
PM_VEC_UNARY(-, T)
PM_VEC_UNARY(+, T)
PM_VEC_UNARY(~, T)
PM_VEC_UNARY(!, bool)
#undef PM_VEC_UNARY
template <class T, int N> PM_INLINE vec<T, N> &operator++(vec<T, N> &a) { return a += T(1); }
template <class T, int N> PM_INLINE vec<T, N> &operator--(vec<T, N> &a) { return a -= T(1); }
template <class T, int N> PM_INLINE vec<T, N> operator++(vec<T, N> &a, int) {
    vec<T, N> r = a;
    a += T(1);
    return r;
}
template <class T, int N> PM_INLINE vec<T, N> operator--(vec<T, N> &a, int) {
    vec<T, N> r = a;
    a -= T(1);
    return r;
}

// ---- names -----------------------------------------------------------------------------
#define PM_VEC_NAMES(S, T)                                                                         \
    typedef vec<T, 2> S##2;                                                                        \
    typedef vec<T, 3> S##3;                                                                        \
    typedef vec<T, 4> S##4;                                                                        \
    typedef detail::packed_vec<T, 2> packed_##S##2;                                                \
    typedef detail::packed_vec<T, 3> packed_##S##3;                                                \
    typedef detail::packed_vec<T, 4> packed_##S##4;
PM_VEC_NAMES(bool, bool)
PM_VEC_NAMES(char, char)
PM_VEC_NAMES(uchar, uchar)
PM_VEC_NAMES(short, short)
PM_VEC_NAMES(ushort, ushort)
PM_VEC_NAMES(int, int)
PM_VEC_NAMES(uint, uint)
PM_VEC_NAMES(long, long)
PM_VEC_NAMES(ulong, ulong)
PM_VEC_NAMES(half, half)
PM_VEC_NAMES(bfloat, bfloat)
PM_VEC_NAMES(float, float)
#undef PM_VEC_NAMES

/* Reinterprets the bits of x as T (same size). */
template <class T, class U> PM_INLINE constexpr T as_type(const U &x) {
    static_assert(sizeof(T) == sizeof(U), "as_type: types differ in size");
    return PM_BIT_CAST(T, x);
}

// ---- result types of the function families (math, common, integer, relational) ---------
namespace detail {
/* common type of two scalars under MSL's conversions (float wins over half/bfloat/ints) */
template <class A, class B, class = void> struct scal2 {};
template <class A, class B>
struct scal2<A, B, enable_if_t<is_arithmetic_v<A> && is_arithmetic_v<B>>> {
    static constexpr int fa = flt_info<A>::kind, fb = flt_info<B>::kind;
    typedef conditional_t<is_same_v<A, B>, A,
            conditional_t<fa == 1 || fb == 1 || fa == 4 || fb == 4 || (fa != 0 && fb != 0), float,
            conditional_t<fa != 0, A, conditional_t<fb != 0, B, decltype(A() + B())>>>> type;
};
/* common type of scalars/vectors: a vector wins, its element type is kept */
template <class A, class B> struct com2 : scal2<A, B> {};
template <class T, int N, class B> struct com2<vec<T, N>, B> {
    typedef enable_if_t<is_arithmetic_v<B>, vec<T, N>> type;
};
template <class A, class T, int N> struct com2<A, vec<T, N>> {
    typedef enable_if_t<is_arithmetic_v<A>, vec<T, N>> type;
};
template <class T, int N> struct com2<vec<T, N>, vec<T, N>> { typedef vec<T, N> type; };
template <class A, class B, class C> using com3_t = typename com2<typename com2<A, B>::type, C>::type;

/* float functions: float/half/bfloat scalars and vectors (integers and double give float) */
template <class T, class = void> struct fres {};
template <class T> struct fres<T, enable_if_t<is_arithmetic_v<T> && !is_same_v<T, bool>>> {
    typedef conditional_t<flt_info<T>::kind == 2 || flt_info<T>::kind == 3, T, float> type;
};
template <class T, int N>
struct fres<vec<T, N>, enable_if_t<flt_info<T>::kind >= 1 && flt_info<T>::kind <= 3>> { typedef vec<T, N> type; };
template <class X> using f1_t = typename fres<X>::type;
template <class A, class B> using f2_t = typename fres<typename com2<A, B>::type>::type;
template <class A, class B, class C> using f3_t = typename fres<com3_t<A, B, C>>::type;

/* integer functions: integer scalars and vectors (no bool) */
template <class T, class = void> struct ires {};
template <class T> struct ires<T, enable_if_t<is_integral_v<T> && !is_same_v<T, bool>>> { typedef T type; };
template <class T, int N> struct ires<vec<T, N>> : ires<T> { typedef vec<T, N> type; };
template <class X> using i1_t = typename ires<X>::type;
template <class A, class B> using i2_t = typename ires<typename com2<A, B>::type>::type;
template <class A, class B, class C> using i3_t = typename ires<com3_t<A, B, C>>::type;

/* min/max/clamp/abs: any arithmetic scalar or vector (double gives float) */
template <class T, class = void> struct ares {};
template <class T> struct ares<T, enable_if_t<is_arithmetic_v<T> && !is_same_v<T, bool>>> {
    typedef conditional_t<flt_info<T>::kind == 4, float, T> type;
};
template <class T, int N> struct ares<vec<T, N>> : ares<T> { typedef vec<T, N> type; };
template <class X> using a1_t = typename ares<X>::type;
template <class A, class B> using a2_t = typename ares<typename com2<A, B>::type>::type;
template <class A, class B, class C> using a3_t = typename ares<com3_t<A, B, C>>::type;

/* bool or bool vector with the shape of X */
template <class X> struct bres { typedef bool type; };
template <class T, int N> struct bres<vec<T, N>> { typedef vec<bool, N> type; };
template <class X> using b_t = typename bres<X>::type;
/* int (or int vector) with the shape of X */
template <class X> struct ishape { typedef int type; };
template <class T, int N> struct ishape<vec<T, N>> { typedef vec<int, N> type; };
template <class X> using int_shape_t = typename ishape<X>::type;
} // namespace detail

/* Elementwise function bodies: if R is a vector, recurse per component, else run the
   scalar statements that follow (which see the arguments as a_, b_, c_). */
#define PM_EW1(R, name)                                                                            \
    if constexpr (is_vector_v<R>) {                                                                \
        R r_;                                                                                      \
        for (int i = 0; i < vec_elements<R>::value; ++i) r_[i] = (name)(a_[i]);                      \
        return r_;                                                                                 \
    } else
#define PM_EW2(R, name)                                                                            \
    if constexpr (is_vector_v<R>) {                                                                \
        R r_;                                                                                      \
        for (int i = 0; i < vec_elements<R>::value; ++i) r_[i] = (name)(detail::el(a_, i), detail::el(b_, i)); \
        return r_;                                                                                 \
    } else
#define PM_EW3(R, name)                                                                            \
    if constexpr (is_vector_v<R>) {                                                                \
        R r_;                                                                                      \
        for (int i = 0; i < vec_elements<R>::value; ++i)                                           \
            r_[i] = (name)(detail::el(a_, i), detail::el(b_, i), detail::el(c_, i));                 \
        return r_;                                                                                 \
    } else

} // namespace metal

#endif // PM_VEC_H

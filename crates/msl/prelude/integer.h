// integer.h: <metal_integer> over the integer scalars and vectors (min, max, clamp, abs,
// min3, max3, median3 are in common.h and cover integers too).
#ifndef PM_INTEGER_H
#define PM_INTEGER_H

namespace metal {
namespace detail {
template <class T> constexpr unsigned bits_of = sizeof(T) * 8u;
template <class T> PM_INLINE unsigned clz_of(T x) {
    typedef make_unsigned_t<T> U;
    if constexpr (sizeof(T) == 8) return clz64((unsigned long)(U)x);
    else return clz32((unsigned)(U)x) - (32u - bits_of<T>);
}
template <class T> PM_INLINE unsigned ctz_of(T x) {
    typedef make_unsigned_t<T> U;
    if constexpr (sizeof(T) == 8) return ctz64((unsigned long)(U)x);
    else {
        unsigned c = ctz32((unsigned)(U)x);
        return c < bits_of<T> ? c : bits_of<T>;
    }
}
template <class T> PM_INLINE unsigned popcount_of(T x) {
    typedef make_unsigned_t<T> U;
    if constexpr (sizeof(T) == 8) return popc64((unsigned long)(U)x);
    else return popc32((unsigned)(U)x);
}
PM_INLINE unsigned long brev64(unsigned long r) {
    r = ((r >> 1) & 0x5555555555555555ul) | ((r & 0x5555555555555555ul) << 1);
    r = ((r >> 2) & 0x3333333333333333ul) | ((r & 0x3333333333333333ul) << 2);
    r = ((r >> 4) & 0x0F0F0F0F0F0F0F0Ful) | ((r & 0x0F0F0F0F0F0F0F0Ful) << 4);
    r = ((r >> 8) & 0x00FF00FF00FF00FFul) | ((r & 0x00FF00FF00FF00FFul) << 8);
    r = ((r >> 16) & 0x0000FFFF0000FFFFul) | ((r & 0x0000FFFF0000FFFFul) << 16);
    return (r >> 32) | (r << 32);
}
/* high half of x*y */
template <class T> PM_INLINE T mulhi_of(T x, T y) {
    if constexpr (sizeof(T) == 8) {
        if constexpr (is_signed_v<T>) return (T)smulhi64((long)x, (long)y);
        else return (T)umulhi64((unsigned long)x, (unsigned long)y);
    } else if constexpr (is_signed_v<T>) {
        return (T)(((long)x * (long)y) >> bits_of<T>);
    } else {
        return (T)(((unsigned long)x * (unsigned long)y) >> bits_of<T>);
    }
}
template <class T> PM_INLINE T addsat_of(T x, T y) {
    typedef make_unsigned_t<T> U;
    T r = (T)((U)x + (U)y);
    if constexpr (is_signed_v<T>) {
        if ((x < 0) == (y < 0) && (r < 0) != (x < 0)) r = x < 0 ? numeric_limits<T>::min() : numeric_limits<T>::max();
    } else if (r < x) {
        r = numeric_limits<T>::max();
    }
    return r;
}
template <class T> PM_INLINE T subsat_of(T x, T y) {
    typedef make_unsigned_t<T> U;
    T r = (T)((U)x - (U)y);
    if constexpr (is_signed_v<T>) {
        if ((x < 0) != (y < 0) && (r < 0) != (x < 0)) r = x < 0 ? numeric_limits<T>::min() : numeric_limits<T>::max();
    } else if (y > x) {
        r = 0;
    }
    return r;
}
} // namespace detail

/* x, y, z: the arguments converted to the result's element type R */
#define PM_IF1(name, EXPR)                                                                         \
    template <class A> PM_INLINE detail::i1_t<A> name(A a_) {                                      \
        typedef detail::i1_t<A> R;                                                                 \
        PM_EW1(R, name) {                                                                          \
            R x = R(a_);                                                                           \
            return R(EXPR);                                                                        \
        }                                                                                          \
    }
#define PM_IF2(name, EXPR)                                                                         \
    template <class A, class B> PM_INLINE detail::i2_t<A, B> name(A a_, B b_) {                    \
        typedef detail::i2_t<A, B> R;                                                              \
        PM_EW2(R, name) {                                                                          \
            R x = R(a_), y = R(b_);                                                                \
            return R(EXPR);                                                                        \
        }                                                                                          \
    }
#define PM_IF3(name, EXPR)                                                                         \
    template <class A, class B, class C> PM_INLINE detail::i3_t<A, B, C> name(A a_, B b_, C c_) {  \
        typedef detail::i3_t<A, B, C> R;                                                           \
        PM_EW3(R, name) {                                                                          \
            R x = R(a_), y = R(b_), z = R(c_);                                                     \
            return R(EXPR);                                                                        \
        }                                                                                          \
    }
PM_IF1(clz, detail::clz_of(x))
PM_IF1(ctz, detail::ctz_of(x))
PM_IF1(popcount, detail::popcount_of(x))
PM_IF1(reverse_bits, (make_unsigned_t<R>)(detail::brev64((unsigned long)(make_unsigned_t<R>)x) >> (64u - detail::bits_of<R>)))
PM_IF2(absdiff, x > y ? (make_unsigned_t<R>)x - (make_unsigned_t<R>)y : (make_unsigned_t<R>)y - (make_unsigned_t<R>)x)
PM_IF2(addsat, detail::addsat_of(x, y))
PM_IF2(subsat, detail::subsat_of(x, y))
PM_IF2(hadd, (x >> 1) + (y >> 1) + (x & y & 1))
PM_IF2(rhadd, (x >> 1) + (y >> 1) + ((x | y) & 1))
PM_IF2(mul24, x * y)
PM_IF2(mulhi, detail::mulhi_of(x, y))
PM_IF2(rotate, (make_unsigned_t<R>)(((make_unsigned_t<R>)x << ((unsigned)y % detail::bits_of<R>)) |
                                    ((make_unsigned_t<R>)x >> ((detail::bits_of<R> - (unsigned)y % detail::bits_of<R>) % detail::bits_of<R>))))
PM_IF3(mad24, x * y + z)
PM_IF3(madhi, detail::mulhi_of(x, y) + z)
PM_IF3(madsat, detail::addsat_of(R(x * y), z))
#undef PM_IF1
#undef PM_IF2
#undef PM_IF3

/* extract_bits(x, offset, bits): signed types sign-extend the field */
template <class A> PM_INLINE detail::i1_t<A> extract_bits(A a_, uint offset, uint bits) {
    typedef detail::i1_t<A> R;
    if constexpr (is_vector_v<R>) {
        R r_;
        for (int i = 0; i < vec_elements<R>::value; ++i) r_[i] = extract_bits(a_[i], offset, bits);
        return r_;
    } else {
        if (bits == 0) return R(0);
        typedef make_unsigned_t<R> U;
        constexpr unsigned W = detail::bits_of<R>;
        U v = (U)((U)a_ << (W - offset - bits));
        if constexpr (is_signed_v<R>) return R(R(v) >> (W - bits));
        else return R(v >> (W - bits));
    }
}
template <class A, class B> PM_INLINE detail::i1_t<A> insert_bits(A base, B insert, uint offset, uint bits) {
    typedef detail::i1_t<A> R;
    if constexpr (is_vector_v<R>) {
        R r_;
        for (int i = 0; i < vec_elements<R>::value; ++i) r_[i] = insert_bits(base[i], detail::el(insert, i), offset, bits);
        return r_;
    } else {
        if (bits == 0) return base;
        typedef make_unsigned_t<R> U;
        constexpr unsigned W = detail::bits_of<R>;
        U mask = (U)((U)(~(U)0) >> (W - bits)) << offset;
        return R(((U)base & (U)~mask) | (((U)insert << offset) & mask));
    }
}

} // namespace metal

#endif // PM_INTEGER_H

// simdgroup_matrix.h: simdgroup_matrix<T, 8, 8> (simdgroup_float8x8, _half8x8, _bfloat8x8)
// with simdgroup_load / simdgroup_store / simdgroup_multiply(_accumulate) and
// thread_elements(). Every lane keeps the whole 8x8 matrix; lane l owns the two elements
// Metal gives it (row fm, columns fn and fn+1, below). Loads and products keep all copies
// equal; thread_elements() marks the matrix dirty, and the next product first gathers each
// lane's two elements from their owners (one SIMD-group shuffle per lane). Stores write only
// the lane's own elements, so the 32 lanes together write the matrix once.
#ifndef PM_SIMDGROUP_MATRIX_H
#define PM_SIMDGROUP_MATRIX_H

namespace metal {
namespace detail {
PM_INLINE unsigned sgm_row(unsigned lane) { return ((lane / 4u) & 4u) + ((lane / 2u) % 4u); }
PM_INLINE unsigned sgm_col(unsigned lane) { return ((lane / 4u) & 2u) * 2u + (lane % 2u) * 2u; }
} // namespace detail

template <class T, int Cols, int Rows> struct simdgroup_matrix {
    static_assert(Cols == 8 && Rows == 8, "only 8x8 SIMD-group matrices exist");
    typedef T element_type;
    /* row-major pairs: element (r, c) is e[r * 4 + c / 2][c % 2] */
    vec<T, 2> e[32];
    bool dirty;
    PM_INLINE T &at(int i) { return e[i / 2][i % 2]; }
    PM_INLINE const T &at(int i) const { return e[i / 2][i % 2]; }
    PM_INLINE simdgroup_matrix() : dirty(false) {
        for (int i = 0; i < 64; ++i) at(i) = T(0);
    }
    /* Metal: a diagonal matrix with `v` on the diagonal. */
    PM_INLINE explicit simdgroup_matrix(T v) : dirty(false) {
        for (int i = 0; i < 64; ++i) at(i) = (i / 8 == i % 8) ? v : T(0);
    }
    static PM_INLINE unsigned own(unsigned l) { return (detail::sgm_row(l) * 8 + detail::sgm_col(l)) / 2; }
    PM_INLINE vec<T, 2> &thread_elements() {
        dirty = true;
        return e[own(detail::simd_lane() % 32u)];
    }
    PM_INLINE const vec<T, 2> &thread_elements() const { return e[own(detail::simd_lane() % 32u)]; }
    /* Makes every lane's copy whole again after thread_elements() writes. */
    PM_INLINE void gather() {
        if (!dirty) return;
        unsigned base = detail::simd_lane() & ~31u;
        const vec<T, 2> mine = e[own(detail::simd_lane() % 32u)];
        for (unsigned l = 0; l < 32u; ++l) e[own(l)] = detail::simd_shuffle_raw(mine, base + l);
        dirty = false;
    }
};

typedef simdgroup_matrix<float, 8, 8> simdgroup_float8x8;
typedef simdgroup_matrix<half, 8, 8> simdgroup_half8x8;
typedef simdgroup_matrix<bfloat, 8, 8> simdgroup_bfloat8x8;

template <class T, int C, int R = C> PM_INLINE simdgroup_matrix<T, C, R> make_filled_simdgroup_matrix(const T v) {
    simdgroup_matrix<T, C, R> m;
    for (int i = 0; i < 64; ++i) m.at(i) = v;
    return m;
}

template <class T, int C, int R, class U>
PM_INLINE void simdgroup_load(simdgroup_matrix<T, C, R> &m, const U *src, ulong elements_per_row = C,
                              ulong2 origin = ulong2(0, 0), bool transpose = false) {
    const U *p = src + origin.y * elements_per_row + origin.x;
    for (int r = 0; r < 8; ++r)
        for (int c = 0; c < 8; ++c)
            m.at(r * 8 + c) = T(transpose ? p[c * elements_per_row + r] : p[r * elements_per_row + c]);
    m.dirty = false;
}

template <class T, int C, int R, class U>
PM_INLINE void simdgroup_store(const simdgroup_matrix<T, C, R> &m, U *dst, ulong elements_per_row = C,
                               ulong2 origin = ulong2(0, 0), bool transpose = false) {
    U *p = dst + origin.y * elements_per_row + origin.x;
    unsigned l = detail::simd_lane() % 32u;
    unsigned r = detail::sgm_row(l);
    for (unsigned c = detail::sgm_col(l); c < detail::sgm_col(l) + 2u; ++c) {
        if (transpose) p[c * elements_per_row + r] = U(m.at(r * 8 + c));
        else p[r * elements_per_row + c] = U(m.at(r * 8 + c));
    }
}

template <class T, class TA, class TB, class TC>
PM_INLINE void simdgroup_multiply_accumulate(simdgroup_matrix<T, 8, 8> &d, simdgroup_matrix<TA, 8, 8> a,
                                             simdgroup_matrix<TB, 8, 8> b, simdgroup_matrix<TC, 8, 8> c) {
    a.gather();
    b.gather();
    c.gather();
    for (int i = 0; i < 8; ++i)
        for (int j = 0; j < 8; ++j) {
            float s = float(c.at(i * 8 + j));
            for (int k = 0; k < 8; ++k) s += float(a.at(i * 8 + k)) * float(b.at(k * 8 + j));
            d.at(i * 8 + j) = T(s);
        }
    d.dirty = false;
}

template <class T, class TA, class TB>
PM_INLINE void simdgroup_multiply(simdgroup_matrix<T, 8, 8> &d, simdgroup_matrix<TA, 8, 8> a,
                                  simdgroup_matrix<TB, 8, 8> b) {
    simdgroup_multiply_accumulate(d, a, b, simdgroup_matrix<T, 8, 8>(T(0)));
}
} // namespace metal

#endif // PM_SIMDGROUP_MATRIX_H

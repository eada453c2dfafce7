// matrix.h: matrix<T, Cols, Rows> (column-major, m[i] is column i), the floatCxR / halfCxR /
// bfloatCxR names, products, transpose, determinant; and metal::array<T, N>.
#ifndef PM_MATRIX_H
#define PM_MATRIX_H

namespace metal {
namespace detail {
template <class T, class... A> constexpr bool all_same_v = (is_same_v<T, A> && ...);
template <class... A> constexpr bool all_scalar_v = (is_arithmetic_v<A> && ...);
} // namespace detail

template <class T, int C, int R> struct matrix {
    typedef vec<T, R> column_type;
    column_type columns[C];

    matrix() = default;
    /* a scalar fills the diagonal */
    PM_INLINE explicit matrix(T d) {
        for (int c = 0; c < C; ++c) {
            columns[c] = column_type(T(0));
            if (c < R) columns[c][c] = d;
        }
    }
    template <class... V, enable_if_t<sizeof...(V) == C && detail::all_same_v<column_type, V...>, int> = 0>
    PM_INLINE constexpr matrix(const V &...cols) : columns{cols...} {}
    /* C*R scalars, column by column */
    template <class... S, enable_if_t<(sizeof...(S) == C * R) && (C * R > 1) && detail::all_scalar_v<S...>, int> = 0>
    PM_INLINE matrix(S... s) {
        const T e[C * R] = {T(s)...};
        for (int c = 0; c < C; ++c)
            for (int r = 0; r < R; ++r) columns[c][r] = e[c * R + r];
    }
    template <class U> PM_INLINE explicit matrix(const matrix<U, C, R> &o) {
        for (int c = 0; c < C; ++c) columns[c] = column_type(o.columns[c]);
    }
    PM_INLINE column_type &operator[](int i) { return columns[i]; }
    PM_INLINE const column_type &operator[](int i) const { return columns[i]; }
};

template <class T, int C, int R> PM_INLINE matrix<T, C, R> operator+(const matrix<T, C, R> &a, const matrix<T, C, R> &b) {
    matrix<T, C, R> m;
    for (int c = 0; c < C; ++c) m[c] = a[c] + b[c];
    return m;
}
template <class T, int C, int R> PM_INLINE matrix<T, C, R> operator-(const matrix<T, C, R> &a, const matrix<T, C, R> &b) {
    matrix<T, C, R> m;
    for (int c = 0; c < C; ++c) m[c] = a[c] - b[c];
    return m;
}
template <class T, int C, int R> PM_INLINE matrix<T, C, R> operator-(const matrix<T, C, R> &a) {
    matrix<T, C, R> m;
    for (int c = 0; c < C; ++c) m[c] = -a[c];
    return m;
}
template <class T, int C, int R, class U, detail::scalar_en<U> = 0>
PM_INLINE matrix<T, C, R> operator*(const matrix<T, C, R> &a, U s) {
    matrix<T, C, R> m;
    for (int c = 0; c < C; ++c) m[c] = a[c] * T(s);
    return m;
}
template <class T, int C, int R, class U, detail::scalar_en<U> = 0>
PM_INLINE matrix<T, C, R> operator*(U s, const matrix<T, C, R> &a) {
    return a * s;
}
/* matrix * column vector */
template <class T, int C, int R> PM_INLINE vec<T, R> operator*(const matrix<T, C, R> &m, const vec<T, C> &v) {
    vec<T, R> r = m[0] * v[0];
    for (int c = 1; c < C; ++c) r += m[c] * v[c];
    return r;
}
/* row vector * matrix */
template <class T, int C, int R> PM_INLINE vec<T, C> operator*(const vec<T, R> &v, const matrix<T, C, R> &m) {
    vec<T, C> r;
    for (int c = 0; c < C; ++c) r[c] = dot(v, m[c]);
    return r;
}
template <class T, int K, int C, int R>
PM_INLINE matrix<T, K, R> operator*(const matrix<T, C, R> &a, const matrix<T, K, C> &b) {
    matrix<T, K, R> m;
    for (int k = 0; k < K; ++k) m[k] = a * b[k];
    return m;
}
template <class T, int C, int R> PM_INLINE matrix<T, C, R> &operator+=(matrix<T, C, R> &a, const matrix<T, C, R> &b) {
    return a = a + b;
}
template <class T, int C, int R> PM_INLINE matrix<T, C, R> &operator-=(matrix<T, C, R> &a, const matrix<T, C, R> &b) {
    return a = a - b;
}
template <class T, int C, class X> PM_INLINE matrix<T, C, C> &operator*=(matrix<T, C, C> &a, const X &b) {
    return a = a * b;
}
template <class T, int C, int R> PM_INLINE bool operator==(const matrix<T, C, R> &a, const matrix<T, C, R> &b) {
    for (int c = 0; c < C; ++c)
        if (!all(a[c] == b[c])) return false;
    return true;
}
template <class T, int C, int R> PM_INLINE bool operator!=(const matrix<T, C, R> &a, const matrix<T, C, R> &b) {
    return !(a == b);
}

template <class T, int C, int R> PM_INLINE matrix<T, R, C> transpose(const matrix<T, C, R> &a) {
    matrix<T, R, C> m;
    for (int c = 0; c < C; ++c)
        for (int r = 0; r < R; ++r) m[r][c] = a[c][r];
    return m;
}
template <class T> PM_INLINE T determinant(const matrix<T, 2, 2> &m) { return m[0][0] * m[1][1] - m[1][0] * m[0][1]; }
template <class T> PM_INLINE T determinant(const matrix<T, 3, 3> &m) {
    return dot(m[0], cross(m[1], m[2]));
}
template <class T> PM_INLINE T determinant(const matrix<T, 4, 4> &m) {
    T s = T(0);
    for (int c = 0; c < 4; ++c) {
        /* cofactor expansion along row 0 */
        int k = 0;
        vec<T, 3> col[3];
        for (int j = 0; j < 4; ++j)
            if (j != c) col[k++] = vec<T, 3>(m[j][1], m[j][2], m[j][3]);
        T minor = dot(col[0], cross(col[1], col[2]));
        s += (c & 1) ? T(-m[c][0] * minor) : T(m[c][0] * minor);
    }
    return s;
}

#define PM_MAT_NAMES(S)                                                                            \
    typedef matrix<S, 2, 2> S##2x2;                                                                \
    typedef matrix<S, 2, 3> S##2x3;                                                                \
    typedef matrix<S, 2, 4> S##2x4;                                                                \
    typedef matrix<S, 3, 2> S##3x2;                                                                \
    typedef matrix<S, 3, 3> S##3x3;                                                                \
    typedef matrix<S, 3, 4> S##3x4;                                                                \
    typedef matrix<S, 4, 2> S##4x2;                                                                \
    typedef matrix<S, 4, 3> S##4x3;                                                                \
    typedef matrix<S, 4, 4> S##4x4;
PM_MAT_NAMES(float)
PM_MAT_NAMES(half)
PM_MAT_NAMES(bfloat)
#undef PM_MAT_NAMES

/* metal::array: an aggregate like std::array */
template <class T, size_t N> struct array {
    T pm_elems[N ? N : 1];
    PM_INLINE T &operator[](size_t i) { return pm_elems[i]; }
    PM_INLINE constexpr const T &operator[](size_t i) const { return pm_elems[i]; }
    PM_INLINE constexpr size_t size() const { return N; }
    PM_INLINE constexpr size_t max_size() const { return N; }
    PM_INLINE constexpr bool empty() const { return N == 0; }
    PM_INLINE T *data() { return pm_elems; }
    PM_INLINE const T *data() const { return pm_elems; }
    PM_INLINE T *begin() { return pm_elems; }
    PM_INLINE const T *begin() const { return pm_elems; }
    PM_INLINE T *end() { return pm_elems + N; }
    PM_INLINE const T *end() const { return pm_elems + N; }
    PM_INLINE T &front() { return pm_elems[0]; }
    PM_INLINE const T &front() const { return pm_elems[0]; }
    PM_INLINE T &back() { return pm_elems[N - 1]; }
    PM_INLINE const T &back() const { return pm_elems[N - 1]; }
};

} // namespace metal

#endif // PM_MATRIX_H

// geometric.h: <metal_geometric> (dot, cross, distance, length, normalize, faceforward,
// reflect, refract), then the using-declarations that complete metal::fast and
// metal::precise.
#ifndef PM_GEOMETRIC_H
#define PM_GEOMETRIC_H

namespace metal {

template <class T, int N> PM_INLINE T dot(const vec<T, N> &a, const vec<T, N> &b) {
    if constexpr (is_integral_v<T>) {
        T s = T(0);
        for (int i = 0; i < N; ++i) s += a[i] * b[i];
        return s;
    } else {
        float s = float(a[0]) * float(b[0]);
        for (int i = 1; i < N; ++i) s = PM_FN(fmaf)(float(a[i]), float(b[i]), s);
        return T(s);
    }
}
template <class T> PM_INLINE vec<T, 3> cross(const vec<T, 3> &a, const vec<T, 3> &b) {
    return vec<T, 3>(a.y * b.z - a.z * b.y, a.z * b.x - a.x * b.z, a.x * b.y - a.y * b.x);
}
template <class T, int N> PM_INLINE T length_squared(const vec<T, N> &a) { return dot(a, a); }
template <class T, int N> PM_INLINE T length(const vec<T, N> &a) { return T(PM_FN(sqrtf)(float(dot(a, a)))); }
template <class T, int N> PM_INLINE T distance(const vec<T, N> &a, const vec<T, N> &b) { return length(a - b); }
template <class T, int N> PM_INLINE T distance_squared(const vec<T, N> &a, const vec<T, N> &b) {
    return length_squared(a - b);
}
template <class T, int N> PM_INLINE vec<T, N> normalize(const vec<T, N> &a) {
    float inv = PM_RSQRTF(float(dot(a, a)));
    vec<T, N> r;
    for (int i = 0; i < N; ++i) r[i] = T(float(a[i]) * inv);
    return r;
}
template <class T, int N>
PM_INLINE vec<T, N> faceforward(const vec<T, N> &n, const vec<T, N> &i, const vec<T, N> &nref) {
    return float(dot(nref, i)) < 0.0f ? n : -n;
}
template <class T, int N> PM_INLINE vec<T, N> reflect(const vec<T, N> &i, const vec<T, N> &n) {
    return i - T(2) * dot(n, i) * n;
}
template <class T, int N, class E> PM_INLINE vec<T, N> refract(const vec<T, N> &i, const vec<T, N> &n, E eta_) {
    float eta = float(eta_), d = float(dot(n, i));
    float k = 1.0f - eta * eta * (1.0f - d * d);
    if (k < 0.0f) return vec<T, N>(T(0));
    return i * T(eta) - T(eta * d + PM_FN(sqrtf)(k)) * n;
}

#define PM_USE(f) using ::metal::f;
#define PM_SHARED_MATH(U)                                                                          \
    U(acos) U(acosh) U(asin) U(asinh) U(atan) U(atanh) U(atan2) U(ceil) U(copysign) U(cosh)        \
    U(cospi) U(exp2) U(fabs) U(abs) U(fdim) U(floor) U(fma) U(fmax) U(fmin) U(fmax3) U(fmin3)      \
    U(fmedian3) U(fmod) U(fract) U(frexp) U(ilogb) U(ldexp) U(logb) U(modf) U(nextafter) U(rint)   \
    U(round) U(rsqrt) U(sinh) U(sincos) U(sinpi) U(sqrt) U(tanh) U(tanpi) U(trunc) U(isnan)        \
    U(isinf) U(isfinite) U(isnormal) U(signbit) U(nan) U(maxmag) U(minmag) U(max) U(min) U(max3)   \
    U(min3) U(median3) U(clamp) U(mix) U(saturate) U(sign) U(smoothstep) U(step) U(dot) U(cross)   \
    U(distance) U(distance_squared) U(length) U(length_squared) U(normalize) U(faceforward)        \
    U(reflect) U(refract)
namespace fast {
PM_SHARED_MATH(PM_USE)
} // namespace fast
namespace precise {
PM_SHARED_MATH(PM_USE)
PM_USE(cos) PM_USE(sin) PM_USE(tan) PM_USE(exp) PM_USE(exp10) PM_USE(log) PM_USE(log2) PM_USE(log10)
PM_USE(pow) PM_USE(powr) PM_USE(divide)
} // namespace precise
#undef PM_SHARED_MATH
#undef PM_USE

} // namespace metal

#endif // PM_GEOMETRIC_H

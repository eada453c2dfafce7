// simd.h: SIMD-group (32 lanes) and quad-group (4 lanes) functions, written once on the
// target hooks simd_lane, simd_active, simd_shuffle_raw, simd_reduce_raw, simd_scan_raw
// and simd_ballot_raw. Values may be scalars or vectors (up to PM_SIMD_SLOT bytes).
#ifndef PM_SIMD_H
#define PM_SIMD_H

namespace metal {
namespace detail {
template <class T> using sc_t = make_scalar_t<T>;
struct op_add {
    template <class T> PM_INLINE T operator()(const T &a, const T &b) const { return a + b; }
    template <class T> static PM_INLINE T identity() { return T(sc_t<T>(0)); }
};
struct op_mul {
    template <class T> PM_INLINE T operator()(const T &a, const T &b) const { return a * b; }
    template <class T> static PM_INLINE T identity() { return T(sc_t<T>(1)); }
};
struct op_min {
    template <class T> PM_INLINE T operator()(const T &a, const T &b) const { return ::metal::min(a, b); }
    template <class T> static PM_INLINE T identity() {
        typedef numeric_limits<sc_t<T>> L;
        return T(L::has_infinity ? L::infinity() : L::max());
    }
};
struct op_max {
    template <class T> PM_INLINE T operator()(const T &a, const T &b) const { return ::metal::max(a, b); }
    template <class T> static PM_INLINE T identity() {
        typedef numeric_limits<sc_t<T>> L;
        return T(L::has_infinity ? -L::infinity() : L::lowest());
    }
};
struct op_and {
    template <class T> PM_INLINE T operator()(const T &a, const T &b) const { return a & b; }
    template <class T> static PM_INLINE T identity() { return T(sc_t<T>(~sc_t<T>(0))); }
};
struct op_or {
    template <class T> PM_INLINE T operator()(const T &a, const T &b) const { return a | b; }
    template <class T> static PM_INLINE T identity() { return T(sc_t<T>(0)); }
};
struct op_xor {
    template <class T> PM_INLINE T operator()(const T &a, const T &b) const { return a ^ b; }
    template <class T> static PM_INLINE T identity() { return T(sc_t<T>(0)); }
};
template <class T> struct fill_pair {
    T data, fill;
};
/* lane within a W-lane segment (W = 32 or 4) -> absolute lane */
PM_INLINE unsigned seg_lane(unsigned W, unsigned i) { return (simd_lane() & ~(W - 1u)) | (i & (W - 1u)); }
template <class T> PM_INLINE T seg_shuffle(const T &v, unsigned W, unsigned i) { return simd_shuffle_raw(v, seg_lane(W, i)); }
template <class T> PM_INLINE T shuffle_up_w(const T &v, unsigned W, unsigned d) {
    unsigned i = simd_lane() & (W - 1u);
    return seg_shuffle(v, W, i >= d ? i - d : i);
}
template <class T> PM_INLINE T shuffle_down_w(const T &v, unsigned W, unsigned d) {
    unsigned i = simd_lane() & (W - 1u);
    return seg_shuffle(v, W, i + d < W ? i + d : i);
}
template <class T> PM_INLINE T fill_up_w(const T &data, const T &fill, unsigned W, unsigned d, unsigned m) {
    unsigned i = simd_lane() & (W - 1u), j = i % m, base = i - j;
    bool from_data = j >= d;
    fill_pair<T> got = seg_shuffle(fill_pair<T>{data, fill}, W, from_data ? base + j - d : base + j - d + m);
    return from_data ? got.data : got.fill;
}
template <class T> PM_INLINE T fill_down_w(const T &data, const T &fill, unsigned W, unsigned d, unsigned m) {
    unsigned i = simd_lane() & (W - 1u), j = i % m, base = i - j;
    bool from_data = j + d < m;
    fill_pair<T> got = seg_shuffle(fill_pair<T>{data, fill}, W, from_data ? base + j + d : base + j + d - m);
    return from_data ? got.data : got.fill;
}
PM_INLINE unsigned seg_active(unsigned W) {
    unsigned lane = simd_lane(), m = W == 32u ? 0xFFFFFFFFu : ((1u << W) - 1u) << (lane & ~(W - 1u));
    return simd_active() & m;
}
PM_INLINE unsigned first_active(unsigned W) { return ctz32(seg_active(W)); }
} // namespace detail

/* the result of simd_ballot / simd_active_threads_mask */
struct simd_vote {
    typedef ulong vote_t;
    vote_t pm_v, pm_active;
    PM_INLINE constexpr explicit simd_vote(vote_t v = 0) : pm_v(v), pm_active(0xFFFFFFFFul) {}
    PM_INLINE constexpr simd_vote(vote_t v, vote_t active) : pm_v(v), pm_active(active) {}
    PM_INLINE constexpr explicit operator vote_t() const { return pm_v; }
    PM_INLINE constexpr bool all() const { return (pm_v & pm_active) == pm_active; }
    PM_INLINE constexpr bool any() const { return pm_v != 0; }
};
struct quad_vote {
    typedef ushort vote_t;
    vote_t pm_v, pm_active;
    PM_INLINE constexpr explicit quad_vote(vote_t v = 0) : pm_v(v), pm_active(0xF) {}
    PM_INLINE constexpr quad_vote(vote_t v, vote_t active) : pm_v(v), pm_active(active) {}
    PM_INLINE constexpr explicit operator vote_t() const { return pm_v; }
    PM_INLINE constexpr bool all() const { return (pm_v & pm_active) == pm_active; }
    PM_INLINE constexpr bool any() const { return pm_v != 0; }
};

/* P: simd or quad; W: lanes */
#define PM_GROUP_FNS(P, W, VOTE)                                                                   \
    template <class T> PM_INLINE T P##_sum(T v) { return detail::simd_reduce_raw(v, detail::op_add{}, W); } \
    template <class T> PM_INLINE T P##_product(T v) { return detail::simd_reduce_raw(v, detail::op_mul{}, W); } \
    template <class T> PM_INLINE T P##_min(T v) { return detail::simd_reduce_raw(v, detail::op_min{}, W); } \
    template <class T> PM_INLINE T P##_max(T v) { return detail::simd_reduce_raw(v, detail::op_max{}, W); } \
    template <class T> PM_INLINE T P##_and(T v) { return detail::simd_reduce_raw(v, detail::op_and{}, W); } \
    template <class T> PM_INLINE T P##_or(T v) { return detail::simd_reduce_raw(v, detail::op_or{}, W); } \
    template <class T> PM_INLINE T P##_xor(T v) { return detail::simd_reduce_raw(v, detail::op_xor{}, W); } \
    template <class T> PM_INLINE T P##_prefix_inclusive_sum(T v) {                                 \
        return detail::simd_scan_raw(v, detail::op_add{}, W, true);                                \
    }                                                                                              \
    template <class T> PM_INLINE T P##_prefix_exclusive_sum(T v) {                                 \
        return detail::simd_scan_raw(v, detail::op_add{}, W, false);                               \
    }                                                                                              \
    template <class T> PM_INLINE T P##_prefix_inclusive_product(T v) {                             \
        return detail::simd_scan_raw(v, detail::op_mul{}, W, true);                                \
    }                                                                                              \
    template <class T> PM_INLINE T P##_prefix_exclusive_product(T v) {                             \
        return detail::simd_scan_raw(v, detail::op_mul{}, W, false);                               \
    }                                                                                              \
    template <class T> PM_INLINE T P##_shuffle(T v, ushort lane) { return detail::seg_shuffle(v, W, lane); } \
    template <class T> PM_INLINE T P##_broadcast(T v, ushort lane) { return detail::seg_shuffle(v, W, lane); } \
    template <class T> PM_INLINE T P##_broadcast_first(T v) {                                      \
        return detail::simd_shuffle_raw(v, detail::first_active(W));                               \
    }                                                                                              \
    template <class T> PM_INLINE T P##_shuffle_up(T v, ushort d) { return detail::shuffle_up_w(v, W, d); } \
    template <class T> PM_INLINE T P##_shuffle_down(T v, ushort d) { return detail::shuffle_down_w(v, W, d); } \
    template <class T> PM_INLINE T P##_shuffle_xor(T v, ushort m) {                                \
        return detail::seg_shuffle(v, W, (detail::simd_lane() & (W - 1u)) ^ m);                   \
    }                                                                                              \
    template <class T> PM_INLINE T P##_shuffle_rotate_up(T v, ushort d) {                          \
        return detail::seg_shuffle(v, W, (detail::simd_lane() + W - (d % W)) % W);                \
    }                                                                                              \
    template <class T> PM_INLINE T P##_shuffle_rotate_down(T v, ushort d) {                        \
        return detail::seg_shuffle(v, W, (detail::simd_lane() + d) % W);                           \
    }                                                                                              \
    template <class T> PM_INLINE T P##_shuffle_and_fill_up(T data, T fill, ushort d) {             \
        return detail::fill_up_w(data, fill, W, d, W);                                             \
    }                                                                                              \
    template <class T> PM_INLINE T P##_shuffle_and_fill_up(T data, T fill, ushort d, ushort modulo) { \
        return detail::fill_up_w(data, fill, W, d, modulo);                                        \
    }                                                                                              \
    template <class T> PM_INLINE T P##_shuffle_and_fill_down(T data, T fill, ushort d) {           \
        return detail::fill_down_w(data, fill, W, d, W);                                           \
    }                                                                                              \
    template <class T> PM_INLINE T P##_shuffle_and_fill_down(T data, T fill, ushort d, ushort modulo) { \
        return detail::fill_down_w(data, fill, W, d, modulo);                                      \
    }                                                                                              \
    PM_INLINE VOTE P##_ballot(bool p) {                                                            \
        unsigned sh = W == 32u ? 0u : (detail::simd_lane() & ~(W - 1u));                           \
        return VOTE(VOTE::vote_t((detail::simd_ballot_raw(p) & detail::seg_active(W)) >> sh),      \
                    VOTE::vote_t(detail::seg_active(W) >> sh));                                    \
    }                                                                                              \
    PM_INLINE VOTE P##_active_threads_mask() {                                                     \
        unsigned sh = W == 32u ? 0u : (detail::simd_lane() & ~(W - 1u));                           \
        return VOTE(VOTE::vote_t(detail::seg_active(W) >> sh), VOTE::vote_t(detail::seg_active(W) >> sh)); \
    }                                                                                              \
    PM_INLINE bool P##_all(bool p) { return P##_ballot(p).all(); }                                 \
    PM_INLINE bool P##_any(bool p) { return P##_ballot(p).any(); }                                 \
    PM_INLINE bool P##_is_first() { return detail::simd_lane() == detail::first_active(W); }       \
    PM_INLINE bool P##_is_helper_thread() { return false; }
PM_GROUP_FNS(simd, 32u, simd_vote)
PM_GROUP_FNS(quad, 4u, quad_vote)
#undef PM_GROUP_FNS

} // namespace metal

#endif // PM_SIMD_H

// texel.h: texel addressing, decoding and encoding, and filtered sampling over a
// pm_texture (pm_abi.h). The conversions are exactly those of pymetal-hal/src/format.rs
// (a texel as four 32-bit words: float bits for normalised/float formats, integer bits for
// integer formats; unorm x/255 on read, clamp + round-to-nearest on write; sRGB decoded on
// read and encoded on write; half round-to-nearest-even; missing channels 0, alpha 1).
// Sampling follows the Metal/GL rules (docs/abi.md §4). No standard headers.
#ifndef PM_TEXEL_H
#define PM_TEXEL_H

namespace metal {
namespace detail {

enum : unsigned {
    PF_R8Unorm = 10,
    PF_R16Float = 25,
    PF_RG8Unorm = 30,
    PF_R32Uint = 53,
    PF_R32Sint = 54,
    PF_R32Float = 55,
    PF_RG16Float = 65,
    PF_RGBA8Unorm = 70,
    PF_RGBA8Unorm_sRGB = 71,
    PF_BGRA8Unorm = 80,
    PF_BGRA8Unorm_sRGB = 81,
    PF_RG32Float = 105,
    PF_RGBA16Float = 115,
    PF_RGBA32Uint = 123,
    PF_RGBA32Float = 125,
    PF_Depth32Float = 252,
    PF_Stencil8 = 253,
    PF_Depth24Unorm_Stencil8 = 255,
    PF_Depth32Float_Stencil8 = 260
};

/* 0: float (normalised, float, depth), 1: unsigned integer (and stencil), 2: signed integer */
PM_INLINE int tx_kind(unsigned f) {
    return (f == PF_R32Uint || f == PF_RGBA32Uint || f == PF_Stencil8) ? 1 : (f == PF_R32Sint ? 2 : 0);
}
PM_INLINE bool tx_has_alpha(unsigned f) {
    return f == PF_RGBA8Unorm || f == PF_RGBA8Unorm_sRGB || f == PF_BGRA8Unorm || f == PF_BGRA8Unorm_sRGB ||
           f == PF_RGBA16Float || f == PF_RGBA32Uint || f == PF_RGBA32Float;
}

PM_INLINE unsigned tx_fbits(float v) { return PM_BIT_CAST(unsigned, v); }
PM_INLINE float tx_bitsf(unsigned v) { return PM_BIT_CAST(float, v); }
PM_INLINE unsigned tx_ld32(const unsigned char *p) {
    return unsigned(p[0]) | unsigned(p[1]) << 8 | unsigned(p[2]) << 16 | unsigned(p[3]) << 24;
}
PM_INLINE void tx_st32(unsigned char *p, unsigned v) {
    p[0] = (unsigned char)v;
    p[1] = (unsigned char)(v >> 8);
    p[2] = (unsigned char)(v >> 16);
    p[3] = (unsigned char)(v >> 24);
}
PM_INLINE float tx_unorm8(unsigned char v) { return float(v) / 255.0f; }
/* Clamps to [0, 1] and rounds to the nearest of the 256 levels (NaN -> 0). */
PM_INLINE unsigned char tx_to_unorm8(float x) {
    x = x != x ? 0.0f : (x < 0.0f ? 0.0f : (x > 1.0f ? 1.0f : x));
    return (unsigned char)(x * 255.0f + 0.5f);
}
PM_INLINE float tx_srgb_to_linear(float c) {
    return c <= 0.04045f ? c / 12.92f : PM_FN(powf)((c + 0.055f) / 1.055f, 2.4f);
}
PM_INLINE float tx_linear_to_srgb(float l) {
    l = l != l ? 0.0f : (l < 0.0f ? 0.0f : (l > 1.0f ? 1.0f : l));
    return l <= 0.0031308f ? l * 12.92f : 1.055f * PM_FN(powf)(l, 1.0f / 2.4f) - 0.055f;
}
PM_INLINE unsigned tx_half(const unsigned char *t, int i) {
    return tx_fbits(h2f((unsigned short)(t[2 * i] | t[2 * i + 1] << 8)));
}
PM_INLINE void tx_put_half(unsigned char *t, int i, unsigned w) {
    unsigned short h = f2h(tx_bitsf(w));
    t[2 * i] = (unsigned char)h;
    t[2 * i + 1] = (unsigned char)(h >> 8);
}

/* One texel of format f at t as four words (format.rs PixelFormat::read). */
PM_INLINE void tx_decode(unsigned f, const unsigned char *t, unsigned w[4]) {
    const unsigned one = 0x3f800000u;
    w[0] = w[1] = w[2] = 0;
    w[3] = tx_kind(f) == 0 ? one : 1u;
    switch (f) {
    case PF_R8Unorm: w[0] = tx_fbits(tx_unorm8(t[0])); break;
    case PF_RG8Unorm:
        for (int i = 0; i < 2; ++i) w[i] = tx_fbits(tx_unorm8(t[i]));
        break;
    case PF_RGBA8Unorm:
        for (int i = 0; i < 4; ++i) w[i] = tx_fbits(tx_unorm8(t[i]));
        break;
    case PF_RGBA8Unorm_sRGB:
        for (int i = 0; i < 3; ++i) w[i] = tx_fbits(tx_srgb_to_linear(tx_unorm8(t[i])));
        w[3] = tx_fbits(tx_unorm8(t[3]));
        break;
    case PF_BGRA8Unorm:
        for (int i = 0; i < 3; ++i) w[i] = tx_fbits(tx_unorm8(t[2 - i]));
        w[3] = tx_fbits(tx_unorm8(t[3]));
        break;
    case PF_BGRA8Unorm_sRGB:
        for (int i = 0; i < 3; ++i) w[i] = tx_fbits(tx_srgb_to_linear(tx_unorm8(t[2 - i])));
        w[3] = tx_fbits(tx_unorm8(t[3]));
        break;
    case PF_R16Float: w[0] = tx_half(t, 0); break;
    case PF_RG16Float:
        for (int i = 0; i < 2; ++i) w[i] = tx_half(t, i);
        break;
    case PF_RGBA16Float:
        for (int i = 0; i < 4; ++i) w[i] = tx_half(t, i);
        break;
    case PF_R32Float:
    case PF_Depth32Float:
    case PF_Depth32Float_Stencil8:
    case PF_R32Uint:
    case PF_R32Sint: w[0] = tx_ld32(t); break;
    case PF_RG32Float:
        for (int i = 0; i < 2; ++i) w[i] = tx_ld32(t + 4 * i);
        break;
    case PF_RGBA32Float:
    case PF_RGBA32Uint:
        for (int i = 0; i < 4; ++i) w[i] = tx_ld32(t + 4 * i);
        break;
    case PF_Stencil8: w[0] = t[0]; break;
    case PF_Depth24Unorm_Stencil8: w[0] = tx_fbits(float(tx_ld32(t) & 0xFFFFFFu) / 16777215.0f); break;
    default: break;
    }
}

/* Stores four words into the texel at t (format.rs PixelFormat::write). */
PM_INLINE void tx_encode(unsigned f, const unsigned w[4], unsigned char *t) {
    switch (f) {
    case PF_R8Unorm: t[0] = tx_to_unorm8(tx_bitsf(w[0])); break;
    case PF_RG8Unorm:
        for (int i = 0; i < 2; ++i) t[i] = tx_to_unorm8(tx_bitsf(w[i]));
        break;
    case PF_RGBA8Unorm:
        for (int i = 0; i < 4; ++i) t[i] = tx_to_unorm8(tx_bitsf(w[i]));
        break;
    case PF_RGBA8Unorm_sRGB:
        for (int i = 0; i < 3; ++i) t[i] = tx_to_unorm8(tx_linear_to_srgb(tx_bitsf(w[i])));
        t[3] = tx_to_unorm8(tx_bitsf(w[3]));
        break;
    case PF_BGRA8Unorm:
        for (int i = 0; i < 3; ++i) t[i] = tx_to_unorm8(tx_bitsf(w[2 - i]));
        t[3] = tx_to_unorm8(tx_bitsf(w[3]));
        break;
    case PF_BGRA8Unorm_sRGB:
        for (int i = 0; i < 3; ++i) t[i] = tx_to_unorm8(tx_linear_to_srgb(tx_bitsf(w[2 - i])));
        t[3] = tx_to_unorm8(tx_bitsf(w[3]));
        break;
    case PF_R16Float: tx_put_half(t, 0, w[0]); break;
    case PF_RG16Float:
        for (int i = 0; i < 2; ++i) tx_put_half(t, i, w[i]);
        break;
    case PF_RGBA16Float:
        for (int i = 0; i < 4; ++i) tx_put_half(t, i, w[i]);
        break;
    case PF_R32Float:
    case PF_Depth32Float:
    case PF_Depth32Float_Stencil8:
    case PF_R32Uint:
    case PF_R32Sint: tx_st32(t, w[0]); break;
    case PF_RG32Float:
        for (int i = 0; i < 2; ++i) tx_st32(t + 4 * i, w[i]);
        break;
    case PF_RGBA32Float:
    case PF_RGBA32Uint:
        for (int i = 0; i < 4; ++i) tx_st32(t + 4 * i, w[i]);
        break;
    case PF_Stencil8: t[0] = (unsigned char)w[0]; break;
    case PF_Depth24Unorm_Stencil8: {
        float x = tx_bitsf(w[0]);
        x = x != x ? 0.0f : (x < 0.0f ? 0.0f : (x > 1.0f ? 1.0f : x));
        unsigned d = (unsigned)PM_FN(roundf)(x * 16777215.0f);
        tx_st32(t, (tx_ld32(t) & 0xFF000000u) | d);
        break;
    }
    default: break;
    }
}

/* Size of level l along axis k (0 width, 1 height, 2 depth). */
PM_INLINE unsigned tx_size(const pm_texture *t, unsigned l, int k) {
    unsigned v = k == 0 ? t->width : (k == 1 ? t->height : t->depth);
    v = l < 32u ? v >> l : 0u;
    return v ? v : 1u;
}
PM_INLINE bool tx_ok(const pm_texture *t) { return t != nullptr && t->data != nullptr; }

/* Address of texel (x, y, z) of `slice` at level l, or null when outside the texture. */
PM_INLINE unsigned char *tx_addr(const pm_texture *t, unsigned x, unsigned y, unsigned z, unsigned slice,
                                 unsigned l) {
    if (!tx_ok(t) || l >= t->mip_levels || l >= PM_MAX_MIP_LEVELS || slice >= t->slices) return nullptr;
    unsigned w = tx_size(t, l, 0), h = tx_size(t, l, 1), d = tx_size(t, l, 2);
    if (x >= w || y >= h || z >= d) return nullptr;
    unsigned long long i = ((((unsigned long long)slice * d + z) * h + y) * w + x);
    return t->data + t->level_offset[l] + i * t->bytes_per_pixel;
}

/* Reads a texel as words; zeros (alpha 0) outside the texture or when nothing is bound. */
PM_INLINE void tx_load(const pm_texture *t, unsigned x, unsigned y, unsigned z, unsigned slice, unsigned l,
                       unsigned w[4]) {
    const unsigned char *p = tx_addr(t, x, y, z, slice, l);
    if (p)
        tx_decode(t->format, p, w);
    else
        w[0] = w[1] = w[2] = w[3] = 0;
}
PM_INLINE void tx_store(const pm_texture *t, unsigned x, unsigned y, unsigned z, unsigned slice, unsigned l,
                        const unsigned w[4]) {
    unsigned char *p = tx_addr(t, x, y, z, slice, l);
    if (p) tx_encode(t->format, w, p);
}

/* Words <-> vec<T, 4>. Float formats hold float bits, integer formats integers. */
template <class T> PM_INLINE vec<T, 4> tx_to_vec(unsigned f, const unsigned w[4]) {
    vec<T, 4> r;
    int k = tx_kind(f);
    for (int i = 0; i < 4; ++i) {
        if (k == 0)
            r[i] = T(tx_bitsf(w[i]));
        else if (k == 2)
            r[i] = T(int(w[i]));
        else
            r[i] = T(w[i]);
    }
    return r;
}
template <class T> PM_INLINE void tx_from_vec(unsigned f, vec<T, 4> v, unsigned w[4]) {
    int k = tx_kind(f);
    for (int i = 0; i < 4; ++i) {
        if (k == 0)
            w[i] = tx_fbits(float(v[i]));
        else if (k == 2)
            w[i] = unsigned(int(v[i]));
        else
            w[i] = unsigned(v[i]);
    }
}

/* The border texel of address modes clamp_to_zero / clamp_to_border, as words. */
PM_INLINE void tx_border(const pm_texture *t, const sampler &s, int mode, unsigned w[4]) {
    /* clamp_to_zero: transparent black with alpha, opaque black without (Metal's rule) */
    unsigned b = mode == 4 ? (tx_has_alpha(t->format) ? 0u : 1u) : s.pm_border_color;
    float c = b == 2 ? 1.0f : 0.0f, a = b == 0 ? 0.0f : 1.0f;
    if (tx_kind(t->format) == 0) {
        w[0] = w[1] = w[2] = tx_fbits(c);
        w[3] = tx_fbits(a);
    } else {
        w[0] = w[1] = w[2] = unsigned(c);
        w[3] = unsigned(a);
    }
}

/* Applies address mode `mode` to integer texel coordinate i of an axis of n texels;
   -1 means the border texel. */
PM_INLINE long long tx_wrap(long long i, long long n, unsigned mode) {
    switch (mode) {
    case 1: /* mirror_clamp_to_edge */
        if (i < 0) i = -1 - i;
        return i >= n ? n - 1 : i;
    case 2: /* repeat */
        i %= n;
        return i < 0 ? i + n : i;
    case 3: { /* mirrored_repeat */
        long long m = i % (2 * n);
        if (m < 0) m += 2 * n;
        return m >= n ? 2 * n - 1 - m : m;
    }
    case 4:
    case 5: return (i < 0 || i >= n) ? -1 : i;
    default: return i < 0 ? 0 : (i >= n ? n - 1 : i);
    }
}

PM_INLINE float tx_floor(float x) { return PM_FN(floorf)(x); }
/* A coordinate made safe for integer conversion (NaN -> 0, huge values clamped). */
PM_INLINE float tx_sane(float x) { return x != x ? 0.0f : (x < -1e9f ? -1e9f : (x > 1e9f ? 1e9f : x)); }

PM_INLINE bool tx_compare(unsigned func, float ref, float d) {
    switch (func) {
    case 1: return ref < d;
    case 2: return ref == d;
    case 3: return ref <= d;
    case 4: return ref > d;
    case 5: return ref != d;
    case 6: return ref >= d;
    case 7: return true;
    default: return false;
    }
}

/* Samples one level: `dims` coordinates c (normalised or pixel per the sampler), `linear`
   filtering or nearest; `cmp` >= 0: depth comparison against *ref instead of colours.
   Result as words (float bits for float formats). */
PM_INLINE void tx_sample_level(const pm_texture *t, const sampler &s, int dims, const float *c, unsigned slice,
                               unsigned l, bool linear, const int *off, const float *ref, unsigned out[4]) {
    long long i0[3] = {0, 0, 0}, i1[3] = {0, 0, 0};
    float a[3] = {0.0f, 0.0f, 0.0f};
    bool lin = linear && tx_kind(t->format) == 0;
    for (int k = 0; k < dims; ++k) {
        float n = float(tx_size(t, l, k));
        float u = tx_sane(s.pm_normalized ? c[k] * n : c[k]);
        if (lin) u -= 0.5f;
        float f = tx_floor(u);
        a[k] = lin ? u - f : 0.0f;
        long long b = (long long)f + off[k];
        i0[k] = tx_wrap(b, (long long)n, s.pm_address[k]);
        i1[k] = tx_wrap(b + 1, (long long)n, s.pm_address[k]);
    }
    int corners = lin ? 1 << dims : 1;
    float acc[4] = {0.0f, 0.0f, 0.0f, 0.0f};
    for (int q = 0; q < corners; ++q) {
        float wgt = 1.0f;
        long long p[3] = {0, 0, 0};
        int border = -1;
        for (int k = 0; k < dims; ++k) {
            bool hi = (q >> k) & 1;
            p[k] = hi ? i1[k] : i0[k];
            wgt *= hi ? a[k] : 1.0f - a[k];
            if (p[k] < 0) border = int(s.pm_address[k]);
        }
        unsigned w[4];
        if (border >= 0)
            tx_border(t, s, border, w);
        else
            tx_load(t, unsigned(p[0]), unsigned(p[1]), unsigned(p[2]), slice, l, w);
        if (!lin && ref == nullptr) {
            for (int i = 0; i < 4; ++i) out[i] = w[i];
            return;
        }
        if (ref != nullptr) {
            acc[0] += wgt * (tx_compare(s.pm_compare, *ref, tx_bitsf(w[0])) ? 1.0f : 0.0f);
        } else {
            for (int i = 0; i < 4; ++i) acc[i] += wgt * tx_bitsf(w[i]);
        }
    }
    if (ref != nullptr) acc[1] = acc[2] = 0.0f, acc[3] = 1.0f;
    for (int i = 0; i < 4; ++i) out[i] = tx_fbits(acc[i]);
}

/* Full sample: LOD selection, mip filtering, then tx_sample_level. */
PM_INLINE void tx_sample(const pm_texture *t, const sampler &s, int dims, const float *c, unsigned slice,
                         const tx_opts &o, const float *ref, unsigned out[4]) {
    if (!tx_ok(t) || t->mip_levels == 0) {
        out[0] = out[1] = out[2] = out[3] = 0;
        return;
    }
    if (slice >= t->slices) slice = t->slices - 1;
    /* Kernels have no derivatives: the implicit LOD is 0; bias adds to it. */
    float lod = o.mode == 0 ? 0.0f : o.lod;
    float lo = s.pm_lod_min > o.min_clamp ? s.pm_lod_min : o.min_clamp;
    lod = lod != lod ? 0.0f : lod;
    lod = lod < lo ? lo : (lod > s.pm_lod_max ? s.pm_lod_max : lod);
    bool linear = (lod > 0.0f ? s.pm_min_filter : s.pm_mag_filter) == 1;
    int last = int(t->mip_levels > PM_MAX_MIP_LEVELS ? PM_MAX_MIP_LEVELS : t->mip_levels) - 1;
    if (lod < 0.0f) lod = 0.0f;
    if (lod > float(last)) lod = float(last);
    unsigned l0 = 0, l1 = 0;
    float frac = 0.0f;
    if (s.pm_mip_filter == 1) {
        /* GL: nearest level ceil(lod + 1/2) - 1, or 0 for lod <= 1/2 */
        l0 = l1 = lod <= 0.5f ? 0u : unsigned(PM_FN(ceilf)(lod + 0.5f)) - 1u;
    } else if (s.pm_mip_filter == 2 && tx_kind(t->format) == 0) {
        l0 = unsigned(tx_floor(lod));
        l1 = l0 + 1 > unsigned(last) ? unsigned(last) : l0 + 1;
        frac = lod - float(l0);
    } else if (s.pm_mip_filter == 2) {
        l0 = l1 = lod <= 0.5f ? 0u : unsigned(PM_FN(ceilf)(lod + 0.5f)) - 1u;
    }
    tx_sample_level(t, s, dims, c, slice, l0, linear, o.off, ref, out);
    if (l1 != l0 && frac > 0.0f) {
        unsigned w[4];
        tx_sample_level(t, s, dims, c, slice, l1, linear, o.off, ref, w);
        for (int i = 0; i < 4; ++i) out[i] = tx_fbits(tx_bitsf(out[i]) * (1.0f - frac) + tx_bitsf(w[i]) * frac);
    }
}

/* Cube map: the face and 2D coordinates [0, 1] of direction (x, y, z) (GL's major-axis
   table; ties prefer x, then y). Faces are +X -X +Y -Y +Z -Z. */
PM_INLINE unsigned tx_cube_face(float x, float y, float z, float st[2]) {
    float ax = x < 0 ? -x : x, ay = y < 0 ? -y : y, az = z < 0 ? -z : z;
    float sc, tc, ma;
    unsigned face;
    if (ax >= ay && ax >= az) {
        face = x >= 0 ? 0u : 1u;
        sc = x >= 0 ? -z : z;
        tc = -y;
        ma = ax;
    } else if (ay >= az) {
        face = y >= 0 ? 2u : 3u;
        sc = x;
        tc = y >= 0 ? z : -z;
        ma = ay;
    } else {
        face = z >= 0 ? 4u : 5u;
        sc = z >= 0 ? x : -x;
        tc = -y;
        ma = az;
    }
    ma = ma > 0.0f ? ma : 1.0f;
    st[0] = (sc / ma + 1.0f) * 0.5f;
    st[1] = (tc / ma + 1.0f) * 0.5f;
    return face;
}

/* Gather: component `comp` of the four texels bilinear filtering at level 0 would use, in
   the order (i0, j1), (i1, j1), (i1, j0), (i0, j0). */
PM_INLINE void tx_gather(const pm_texture *t, const sampler &s, const float *c, unsigned slice, const int *off,
                         int comp, unsigned out[4]) {
    out[0] = out[1] = out[2] = out[3] = 0;
    if (!tx_ok(t)) return;
    if (slice >= t->slices) slice = t->slices - 1;
    long long i0[2], i1[2];
    for (int k = 0; k < 2; ++k) {
        float n = float(tx_size(t, 0, k));
        float u = tx_sane(s.pm_normalized ? c[k] * n : c[k]) - 0.5f;
        long long b = (long long)tx_floor(u) + off[k];
        i0[k] = tx_wrap(b, (long long)n, s.pm_address[k]);
        i1[k] = tx_wrap(b + 1, (long long)n, s.pm_address[k]);
    }
    const long long xs[4] = {i0[0], i1[0], i1[0], i0[0]}, ys[4] = {i1[1], i1[1], i0[1], i0[1]};
    for (int q = 0; q < 4; ++q) {
        unsigned w[4];
        if (xs[q] < 0 || ys[q] < 0)
            tx_border(t, s, int(s.pm_address[xs[q] < 0 ? 0 : 1]), w);
        else
            tx_load(t, unsigned(xs[q]), unsigned(ys[q]), 0, slice, 0, w);
        out[q] = w[comp & 3];
    }
}

/* Converts a words result of format f to element type T (scalar). */
template <class T> PM_INLINE T tx_scalar(unsigned f, unsigned w) {
    int k = tx_kind(f);
    return k == 0 ? T(tx_bitsf(w)) : (k == 2 ? T(int(w)) : T(w));
}

template <class T> struct tx_elem_ok {
    static constexpr bool value = is_same_v<T, float> || is_same_v<T, half> || is_same_v<T, int> ||
                                  is_same_v<T, uint> || is_same_v<T, short> || is_same_v<T, ushort>;
};
} // namespace detail
} // namespace metal

#endif // PM_TEXEL_H

// texture.h: Metal's texture types (texture1d, texture1d_array, texture2d, texture2d_array,
// texture3d, texturecube, depth2d, depth2d_array) over a `const pm_texture *` (pm_abi.h),
// with read / write / sample / gather / sample_compare and the size queries. Texel
// conversions and sampling are in texel.h. Reads outside the texture (or of an unbound one)
// give zeros and writes there are dropped (undefined behaviour on Apple GPUs). The access
// qualifier is accepted but not enforced. No standard headers.
#ifndef PM_TEXTURE_H
#define PM_TEXTURE_H

#include "sampler.h"
#include "texel.h"

namespace metal {
namespace detail {
template <class U> using tx_int_en = enable_if_t<is_integral_v<U>, int>;

struct tex_base {
    const pm_texture *pm_t;
    PM_INLINE tex_base() : pm_t(nullptr) {}
    PM_INLINE explicit tex_base(const pm_texture *t) : pm_t(t) {}
    PM_INLINE uint pm_size(int k, uint lod) const {
        return tx_ok(pm_t) && lod < pm_t->mip_levels ? tx_size(pm_t, lod, k) : 0u;
    }
    PM_INLINE uint get_num_mip_levels() const { return tx_ok(pm_t) ? pm_t->mip_levels : 0u; }
    PM_INLINE unsigned pm_format() const { return pm_t ? pm_t->format : 0u; }
    template <class T> PM_INLINE vec<T, 4> pm_read(uint x, uint y, uint z, uint slice, uint lod) const {
        unsigned w[4];
        tx_load(pm_t, x, y, z, slice, lod, w);
        return tx_to_vec<T>(pm_format(), w);
    }
    template <class V> PM_INLINE void pm_write(vec<V, 4> v, uint x, uint y, uint z, uint slice, uint lod) const {
        if (!tx_ok(pm_t)) return;
        unsigned w[4];
        tx_from_vec<V>(pm_t->format, v, w);
        tx_store(pm_t, x, y, z, slice, lod, w);
    }
    template <class T> PM_INLINE vec<T, 4> pm_sample(const sampler &s, int dims, const float *c, uint slice,
                                                     const tx_opts &o) const {
        unsigned w[4];
        tx_sample(pm_t, s, dims, c, slice, o, nullptr, w);
        return tx_to_vec<T>(pm_format(), w);
    }
    template <class T> PM_INLINE vec<T, 4> pm_gather(const sampler &s, const float *c, uint slice, vec<int, 2> off,
                                                     component comp) const {
        unsigned w[4];
        int o[2] = {off[0], off[1]};
        tx_gather(pm_t, s, c, slice, o, int(comp), w);
        vec<T, 4> r;
        for (int i = 0; i < 4; ++i) r[i] = tx_scalar<T>(pm_format(), w[i]);
        return r;
    }
    template <class T> PM_INLINE T pm_compare(const sampler &s, const float *c, uint slice, float ref,
                                              const tx_opts &o) const {
        unsigned w[4];
        tx_sample(pm_t, s, 2, c, slice, o, &ref, w);
        return T(tx_bitsf(w[0]));
    }
    PM_INLINE uint pm_slices() const { return tx_ok(pm_t) ? pm_t->slices : 0u; }
};
template <class F> PM_INLINE void tx_coords(const vec<F, 2> &v, float c[3]) {
    c[0] = float(v[0]);
    c[1] = float(v[1]);
    c[2] = 0.0f;
}
template <class F> PM_INLINE void tx_coords(const vec<F, 3> &v, float c[3]) {
    c[0] = float(v[0]);
    c[1] = float(v[1]);
    c[2] = float(v[2]);
}
} // namespace detail

#define PM_TEX_CTORS(name)                                                                         \
    PM_INLINE name() : detail::tex_base() {}                                                       \
    PM_INLINE explicit name(const pm_texture *t) : detail::tex_base(t) {}                          \
    static_assert(detail::tx_elem_ok<T>::value, "texture element type must be float, half, int, uint, short or ushort");

template <class T, access a = access::sample> struct texture1d : detail::tex_base {
    PM_TEX_CTORS(texture1d)
    template <class U, detail::tx_int_en<U> = 0> PM_INLINE vec<T, 4> read(U x, uint lod = 0) const {
        return pm_read<T>(uint(x), 0, 0, 0, lod);
    }
    template <class V, class U, detail::tx_int_en<U> = 0>
    PM_INLINE void write(vec<V, 4> v, U x, uint lod = 0) const {
        pm_write(v, uint(x), 0, 0, 0, lod);
    }
    PM_INLINE vec<T, 4> sample(const sampler &s, float x) const {
        float c[3] = {x, 0.0f, 0.0f};
        return pm_sample<T>(s, 1, c, 0, detail::tx_opts());
    }
    PM_INLINE uint get_width(uint lod = 0) const { return pm_size(0, lod); }
};

template <class T, access a = access::sample> struct texture1d_array : detail::tex_base {
    PM_TEX_CTORS(texture1d_array)
    template <class U, detail::tx_int_en<U> = 0> PM_INLINE vec<T, 4> read(U x, uint array, uint lod = 0) const {
        return pm_read<T>(uint(x), 0, 0, array, lod);
    }
    template <class V, class U, detail::tx_int_en<U> = 0>
    PM_INLINE void write(vec<V, 4> v, U x, uint array, uint lod = 0) const {
        pm_write(v, uint(x), 0, 0, array, lod);
    }
    PM_INLINE vec<T, 4> sample(const sampler &s, float x, uint array) const {
        float c[3] = {x, 0.0f, 0.0f};
        return pm_sample<T>(s, 1, c, array, detail::tx_opts());
    }
    PM_INLINE uint get_width(uint lod = 0) const { return pm_size(0, lod); }
    PM_INLINE uint get_array_size() const { return pm_slices(); }
};

template <class T, access a = access::sample> struct texture2d : detail::tex_base {
    PM_TEX_CTORS(texture2d)
    template <class U> PM_INLINE vec<T, 4> read(vec<U, 2> p, uint lod = 0) const {
        return pm_read<T>(uint(p[0]), uint(p[1]), 0, 0, lod);
    }
    template <class V, class U> PM_INLINE void write(vec<V, 4> v, vec<U, 2> p, uint lod = 0) const {
        pm_write(v, uint(p[0]), uint(p[1]), 0, 0, lod);
    }
    template <class F, class... O> PM_INLINE vec<T, 4> sample(const sampler &s, vec<F, 2> p, O... o) const {
        float c[3];
        detail::tx_coords(p, c);
        return pm_sample<T>(s, 2, c, 0, detail::tx_opts::of(o...));
    }
    template <class F>
    PM_INLINE vec<T, 4> gather(const sampler &s, vec<F, 2> p, vec<int, 2> offset = vec<int, 2>(0),
                               component comp = component::x) const {
        float c[3];
        detail::tx_coords(p, c);
        return pm_gather<T>(s, c, 0, offset, comp);
    }
    PM_INLINE uint get_width(uint lod = 0) const { return pm_size(0, lod); }
    PM_INLINE uint get_height(uint lod = 0) const { return pm_size(1, lod); }
};

template <class T, access a = access::sample> struct texture2d_array : detail::tex_base {
    PM_TEX_CTORS(texture2d_array)
    template <class U> PM_INLINE vec<T, 4> read(vec<U, 2> p, uint array, uint lod = 0) const {
        return pm_read<T>(uint(p[0]), uint(p[1]), 0, array, lod);
    }
    template <class V, class U> PM_INLINE void write(vec<V, 4> v, vec<U, 2> p, uint array, uint lod = 0) const {
        pm_write(v, uint(p[0]), uint(p[1]), 0, array, lod);
    }
    template <class F, class... O>
    PM_INLINE vec<T, 4> sample(const sampler &s, vec<F, 2> p, uint array, O... o) const {
        float c[3];
        detail::tx_coords(p, c);
        return pm_sample<T>(s, 2, c, array, detail::tx_opts::of(o...));
    }
    template <class F>
    PM_INLINE vec<T, 4> gather(const sampler &s, vec<F, 2> p, uint array, vec<int, 2> offset = vec<int, 2>(0),
                               component comp = component::x) const {
        float c[3];
        detail::tx_coords(p, c);
        return pm_gather<T>(s, c, array, offset, comp);
    }
    PM_INLINE uint get_width(uint lod = 0) const { return pm_size(0, lod); }
    PM_INLINE uint get_height(uint lod = 0) const { return pm_size(1, lod); }
    PM_INLINE uint get_array_size() const { return pm_slices(); }
};

template <class T, access a = access::sample> struct texture3d : detail::tex_base {
    PM_TEX_CTORS(texture3d)
    template <class U> PM_INLINE vec<T, 4> read(vec<U, 3> p, uint lod = 0) const {
        return pm_read<T>(uint(p[0]), uint(p[1]), uint(p[2]), 0, lod);
    }
    template <class V, class U> PM_INLINE void write(vec<V, 4> v, vec<U, 3> p, uint lod = 0) const {
        pm_write(v, uint(p[0]), uint(p[1]), uint(p[2]), 0, lod);
    }
    template <class F, class... O> PM_INLINE vec<T, 4> sample(const sampler &s, vec<F, 3> p, O... o) const {
        float c[3];
        detail::tx_coords(p, c);
        return pm_sample<T>(s, 3, c, 0, detail::tx_opts::of(o...));
    }
    PM_INLINE uint get_width(uint lod = 0) const { return pm_size(0, lod); }
    PM_INLINE uint get_height(uint lod = 0) const { return pm_size(1, lod); }
    PM_INLINE uint get_depth(uint lod = 0) const { return pm_size(2, lod); }
};

/* Faces are slices 0..5 (+X -X +Y -Y +Z -Z); sampling picks the face by the major axis of
   the direction and samples it with clamp_to_edge in normalised coordinates. */
template <class T, access a = access::sample> struct texturecube : detail::tex_base {
    PM_TEX_CTORS(texturecube)
    template <class U> PM_INLINE vec<T, 4> read(vec<U, 2> p, uint face, uint lod = 0) const {
        return pm_read<T>(uint(p[0]), uint(p[1]), 0, face, lod);
    }
    template <class V, class U> PM_INLINE void write(vec<V, 4> v, vec<U, 2> p, uint face, uint lod = 0) const {
        pm_write(v, uint(p[0]), uint(p[1]), 0, face, lod);
    }
    template <class F, class... O> PM_INLINE vec<T, 4> sample(const sampler &s, vec<F, 3> dir, O... o) const {
        float c[3];
        unsigned face = detail::tx_cube_face(float(dir[0]), float(dir[1]), float(dir[2]), c);
        sampler fs = s;
        fs.pm_normalized = 1;
        fs.pm_address[0] = fs.pm_address[1] = 0;
        return pm_sample<T>(fs, 2, c, face, detail::tx_opts::of(o...));
    }
    PM_INLINE uint get_width(uint lod = 0) const { return pm_size(0, lod); }
    PM_INLINE uint get_height(uint lod = 0) const { return pm_size(1, lod); }
};

template <class T, access a = access::sample> struct depth2d : detail::tex_base {
    PM_TEX_CTORS(depth2d)
    template <class U> PM_INLINE T read(vec<U, 2> p, uint lod = 0) const {
        return pm_read<T>(uint(p[0]), uint(p[1]), 0, 0, lod)[0];
    }
    template <class U> PM_INLINE void write(T v, vec<U, 2> p, uint lod = 0) const {
        pm_write(vec<T, 4>(v, T(0), T(0), T(1)), uint(p[0]), uint(p[1]), 0, 0, lod);
    }
    template <class F, class... O> PM_INLINE T sample(const sampler &s, vec<F, 2> p, O... o) const {
        float c[3];
        detail::tx_coords(p, c);
        return pm_sample<T>(s, 2, c, 0, detail::tx_opts::of(o...))[0];
    }
    /* Compares compare_value against each texel (pass = 1) with the sampler's compare
       function, then filters the results. */
    template <class F, class... O>
    PM_INLINE T sample_compare(const sampler &s, vec<F, 2> p, float compare_value, O... o) const {
        float c[3];
        detail::tx_coords(p, c);
        return pm_compare<T>(s, c, 0, compare_value, detail::tx_opts::of(o...));
    }
    template <class F> PM_INLINE vec<T, 4> gather(const sampler &s, vec<F, 2> p, vec<int, 2> offset = vec<int, 2>(0)) const {
        float c[3];
        detail::tx_coords(p, c);
        return pm_gather<T>(s, c, 0, offset, component::x);
    }
    PM_INLINE uint get_width(uint lod = 0) const { return pm_size(0, lod); }
    PM_INLINE uint get_height(uint lod = 0) const { return pm_size(1, lod); }
};

template <class T, access a = access::sample> struct depth2d_array : detail::tex_base {
    PM_TEX_CTORS(depth2d_array)
    template <class U> PM_INLINE T read(vec<U, 2> p, uint array, uint lod = 0) const {
        return pm_read<T>(uint(p[0]), uint(p[1]), 0, array, lod)[0];
    }
    template <class F, class... O> PM_INLINE T sample(const sampler &s, vec<F, 2> p, uint array, O... o) const {
        float c[3];
        detail::tx_coords(p, c);
        return pm_sample<T>(s, 2, c, array, detail::tx_opts::of(o...))[0];
    }
    template <class F, class... O>
    PM_INLINE T sample_compare(const sampler &s, vec<F, 2> p, uint array, float compare_value, O... o) const {
        float c[3];
        detail::tx_coords(p, c);
        return pm_compare<T>(s, c, array, compare_value, detail::tx_opts::of(o...));
    }
    PM_INLINE uint get_width(uint lod = 0) const { return pm_size(0, lod); }
    PM_INLINE uint get_height(uint lod = 0) const { return pm_size(1, lod); }
    PM_INLINE uint get_array_size() const { return pm_slices(); }
};
#undef PM_TEX_CTORS

template <class X> PM_INLINE bool is_null_texture(const X &t) { return !detail::tx_ok(t.pm_t); }

namespace detail {
/* Wrapper helpers (msl emit): a [[texture(i)]] / [[sampler(i)]] argument of the declared
   parameter type P from the dispatch's tables (null tables: unbound, reads give zeros). */
template <class P> PM_INLINE remove_cv_t<remove_reference_t<P>> pm_texture_arg(const pm_texture *tab, unsigned i) {
    return remove_cv_t<remove_reference_t<P>>(tab ? tab + i : nullptr);
}
template <class P> PM_INLINE remove_cv_t<remove_reference_t<P>> pm_sampler_arg(const pm_sampler *tab, unsigned i) {
    typedef remove_cv_t<remove_reference_t<P>> S;
    if (tab) return S(tab[i]);
    return S();
}
} // namespace detail
} // namespace metal

#endif // PM_TEXTURE_H

// sampler.h: Metal's `sampler` (constexpr samplers with any subset of the sampler arguments
// in any order, and runtime samplers from a pm_sampler), the sampling option types
// (level, bias, min_lod_clamp, component) and access qualifiers. Enum values are Metal's
// raw API values (pm_abi.h), so a runtime pm_sampler and a constexpr sampler mean the same.
// No standard headers (NVRTC has none).
#ifndef PM_SAMPLER_H
#define PM_SAMPLER_H

namespace metal {

enum class access { sample, read, write, read_write };

enum class coord : unsigned { normalized = 0, pixel = 1 };
enum class filter : unsigned { nearest = 0, linear = 1 };
enum class min_filter : unsigned { nearest = 0, linear = 1 };
enum class mag_filter : unsigned { nearest = 0, linear = 1 };
enum class mip_filter : unsigned { none = 0, nearest = 1, linear = 2 };
#define PM_ADDRESS_ENUM(name)                                                                      \
    enum class name : unsigned {                                                                   \
        clamp_to_edge = 0,                                                                         \
        mirror_clamp_to_edge = 1,                                                                  \
        repeat = 2,                                                                                \
        mirrored_repeat = 3,                                                                       \
        clamp_to_zero = 4,                                                                         \
        clamp_to_border = 5                                                                        \
    };
PM_ADDRESS_ENUM(address)
PM_ADDRESS_ENUM(s_address)
PM_ADDRESS_ENUM(t_address)
PM_ADDRESS_ENUM(r_address)
#undef PM_ADDRESS_ENUM
enum class border_color : unsigned { transparent_black = 0, opaque_black = 1, opaque_white = 2 };
/* `none` has no MTLCompareFunction; it is stored as never (sample_compare then gives 0). */
enum class compare_func : unsigned {
    none = 0,
    never = 0,
    less = 1,
    equal = 2,
    less_equal = 3,
    greater = 4,
    not_equal = 5,
    greater_equal = 6,
    always = 7
};
struct max_anisotropy {
    unsigned value;
    constexpr explicit max_anisotropy(int v) : value(unsigned(v < 1 ? 1 : v)) {}
};
struct lod_clamp {
    float min_v, max_v;
    constexpr lod_clamp(float lo, float hi) : min_v(lo), max_v(hi) {}
};

/* Sampling options. */
struct level {
    float lod;
    constexpr explicit level(float l) : lod(l) {}
};
struct bias {
    float value;
    constexpr explicit bias(float b) : value(b) {}
};
struct min_lod_clamp {
    float value;
    constexpr explicit min_lod_clamp(float v) : value(v) {}
};
enum class component { x = 0, y = 1, z = 2, w = 3 };

struct sampler {
    unsigned pm_min_filter, pm_mag_filter, pm_mip_filter;
    unsigned pm_address[3];
    unsigned pm_border_color, pm_normalized, pm_compare, pm_anisotropy;
    float pm_lod_min, pm_lod_max;

    /* Metal's defaults: normalized coordinates, nearest filters, clamp_to_edge. */
    constexpr sampler()
        : pm_min_filter(0), pm_mag_filter(0), pm_mip_filter(0), pm_address{0, 0, 0}, pm_border_color(0),
          pm_normalized(1), pm_compare(0), pm_anisotropy(1), pm_lod_min(0.0f), pm_lod_max(FLT_MAX) {}
    /* A runtime sampler ([[sampler(i)]]). A null pointer gives the default sampler. */
    PM_INLINE sampler(const pm_sampler &p)
        : pm_min_filter(p.min_filter), pm_mag_filter(p.mag_filter), pm_mip_filter(p.mip_filter),
          pm_address{p.address[0], p.address[1], p.address[2]}, pm_border_color(p.border_color),
          pm_normalized(p.normalized_coordinates), pm_compare(p.compare_function),
          pm_anisotropy(p.max_anisotropy), pm_lod_min(p.lod_min_clamp), pm_lod_max(p.lod_max_clamp) {}
    template <class A0, class... A> constexpr explicit sampler(A0 a0, A... a) : sampler() {
        pm_set(a0);
        (pm_set(a), ...);
    }

    constexpr void pm_set(coord c) { pm_normalized = c == coord::normalized ? 1u : 0u; }
    constexpr void pm_set(filter f) { pm_min_filter = pm_mag_filter = unsigned(f); }
    constexpr void pm_set(min_filter f) { pm_min_filter = unsigned(f); }
    constexpr void pm_set(mag_filter f) { pm_mag_filter = unsigned(f); }
    constexpr void pm_set(mip_filter f) { pm_mip_filter = unsigned(f); }
    constexpr void pm_set(address a) { pm_address[0] = pm_address[1] = pm_address[2] = unsigned(a); }
    constexpr void pm_set(s_address a) { pm_address[0] = unsigned(a); }
    constexpr void pm_set(t_address a) { pm_address[1] = unsigned(a); }
    constexpr void pm_set(r_address a) { pm_address[2] = unsigned(a); }
    constexpr void pm_set(border_color b) { pm_border_color = unsigned(b); }
    constexpr void pm_set(compare_func c) { pm_compare = unsigned(c); }
    constexpr void pm_set(max_anisotropy m) { pm_anisotropy = m.value; }
    constexpr void pm_set(lod_clamp l) {
        pm_lod_min = l.min_v;
        pm_lod_max = l.max_v;
    }
};

namespace detail {
/* The options of one sample call, gathered from the trailing arguments in any order. */
struct tx_opts {
    int mode = 0; /* 0: implicit LOD (0 in kernels), 1: level(lod), 2: bias(lod) */
    float lod = 0.0f;
    float min_clamp = 0.0f;
    int off[3] = {0, 0, 0};
    PM_INLINE void add(level l) {
        mode = 1;
        lod = l.lod;
    }
    PM_INLINE void add(bias b) {
        mode = 2;
        lod = b.value;
    }
    PM_INLINE void add(min_lod_clamp m) { min_clamp = m.value; }
    template <class I> PM_INLINE void add(vec<I, 2> o) {
        off[0] = int(o[0]);
        off[1] = int(o[1]);
    }
    template <class I> PM_INLINE void add(vec<I, 3> o) {
        off[0] = int(o[0]);
        off[1] = int(o[1]);
        off[2] = int(o[2]);
    }
    template <class... O> PM_INLINE static tx_opts of(O... o) {
        tx_opts r;
        (r.add(o), ...);
        return r;
    }
};
} // namespace detail

} // namespace metal

#endif // PM_SAMPLER_H

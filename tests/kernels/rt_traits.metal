// static_assert, if constexpr, type traits, enable_if_t, numeric_limits, template <typename T, int N> with vec<T,N>.
#include <metal_stdlib>
using namespace metal;

template <typename T, int N>
METAL_FUNC T hsum(vec<T, N> v) {
    static_assert(N >= 2 && N <= 4, "bad width");
    T s = T(0);
    _Pragma("clang loop unroll(full)")
    for (int k = 0; k < N; ++k) s += v[k];
    return s;
}

template <typename T>
METAL_FUNC metal::enable_if_t<metal::is_floating_point_v<T>, T> safe_div(T a, T b) {
    return b == T(0) ? metal::numeric_limits<T>::max() : a / b;
}

template <typename T>
METAL_FUNC metal::enable_if_t<metal::is_integral_v<T>, T> safe_div(T a, T b) {
    return b == 0 ? metal::numeric_limits<T>::max() : a / b;
}

template <typename T>
[[kernel]] void traits_kernel(device const T* a [[buffer(0)]],
                              device const T* b [[buffer(1)]],
                              device T* out [[buffer(2)]],
                              device float* sums [[buffer(3)]],
                              uint i [[thread_position_in_grid]]) {
    static_assert(sizeof(T) <= 4, "small types only");
    if constexpr (metal::is_same_v<T, float>) {
        out[i] = safe_div(a[i], b[i]) + T(0);
    } else if constexpr (metal::is_same_v<T, half>) {
        out[i] = T(safe_div(float(a[i]), float(b[i])));
    } else {
        out[i] = safe_div(a[i], b[i]);
    }
    vec<float, 4> v4 = vec<float, 4>(float(a[i]), float(b[i]), 1.0f, 2.0f);
    vec<float, 2> v2 = v4.xy;
    sums[i] = hsum<float, 4>(v4) + hsum(v2) * 0.0f;
}

template [[host_name("traits_f32")]] [[kernel]] decltype(traits_kernel<float>) traits_kernel<float>;
template [[host_name("traits_f16")]] [[kernel]] decltype(traits_kernel<half>) traits_kernel<half>;
template [[host_name("traits_i32")]] [[kernel]] decltype(traits_kernel<int>) traits_kernel<int>;
template [[host_name("traits_u16")]] [[kernel]] decltype(traits_kernel<ushort>) traits_kernel<ushort>;

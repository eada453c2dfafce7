// Templated kernels instantiated MLX style, with [[host_name]] through a macro.
#include <metal_stdlib>
using namespace metal;

// ---- MLX style: a macro expanding to template [[host_name(name)]] [[kernel]] decltype(f<T>) f<T>;
template <typename T>
[[kernel]] void scale_add(device const T* a [[buffer(0)]],
                          device T* out [[buffer(1)]],
                          constant T& s [[buffer(2)]],
                          uint i [[thread_position_in_grid]])
{
    out[i] = a[i] * s + T(1);
}

#define instantiate_kernel(name, func, ...) \
  template [[host_name(                     \
      name)]] [[kernel]] decltype(func<__VA_ARGS__>) func<__VA_ARGS__>;

instantiate_kernel("scale_add_float32", scale_add, float)
instantiate_kernel("scale_add_int32", scale_add, int)
instantiate_kernel("scale_add_float16", scale_add, half)

// Two template parameters, one of them a value.
template <typename T, int N>
[[kernel]] void sum_n(device const T* a [[buffer(0)]],
                      device float* out [[buffer(1)]],
                      uint i [[thread_position_in_grid]])
{
    float s = 0.0f;
    for (int k = 0; k < N; ++k) s += float(a[i * N + k]);
    out[i] = s;
}

instantiate_kernel("sum_n_float_4", sum_n, float, 4)
instantiate_kernel("sum_n_uchar_3", sum_n, uchar, 3)

// Templated helper functions called from a plain kernel.
template <typename T>
inline T square(T x) { return x * x; }

kernel void use_template_helper(device const float* a [[buffer(0)]],
                                device int* b [[buffer(1)]],
                                uint i [[thread_position_in_grid]])
{
    b[i] = square<int>(int(a[i])) + int(square(a[i]) > 10.0f);
}

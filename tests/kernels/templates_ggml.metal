// Templated kernels instantiated ggml style: typedef decltype(...) t; template [[host_name("n")]] kernel t f<T>;
#include <metal_stdlib>
using namespace metal;

// ---- ggml style: typedef decltype(...) t; template [[host_name("n")]] kernel t f<T>;
template <typename T>
kernel void kernel_cpy(device const char* src [[buffer(0)]],
                       device float* dst [[buffer(1)]],
                       uint tpig [[thread_position_in_grid]])
{
    dst[tpig] = float(((device const T*)src)[tpig]);
}

typedef decltype(kernel_cpy<float>) kernel_cpy_t;

template [[host_name("kernel_cpy_f32_f32")]] kernel kernel_cpy_t kernel_cpy<float>;
template [[host_name("kernel_cpy_f16_f32")]] kernel kernel_cpy_t kernel_cpy<half>;
template [[host_name("kernel_cpy_i16_f32")]] kernel kernel_cpy_t kernel_cpy<short>;


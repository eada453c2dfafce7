// ggml-style: typedef decltype, then template [[host_name]] kernel.
#include <metal_stdlib>

template<typename T>
kernel void kernel_get_rows(device const void * src0, device T * dst, uint tgpig[[threadgroup_position_in_grid]]) {
}

typedef decltype(kernel_get_rows<float>) get_rows_t;

template [[host_name("kernel_get_rows_f32")]]  kernel get_rows_t kernel_get_rows<float>;
template [[host_name("kernel_get_rows_f16")]]  kernel get_rows_t kernel_get_rows<half>;

#define INST_MUL_MV(NAME, T0, T1) \
typedef decltype(kernel_mul_mv<T0, T1>) NAME##_t; \
template [[host_name("kernel_" #NAME)]] kernel NAME##_t kernel_mul_mv<T0, T1>;

INST_MUL_MV(mul_mv_f32_f32, float, float)
INST_MUL_MV(mul_mv_f16_f32, half, float)

// ggml-style: typedef decltype + template [[host_name]] kernel kernel_x_t kernel_x<...>;
#include <metal_stdlib>
using namespace metal;

#define N_SIMDWIDTH 32
#define QK4_0 32

typedef struct {
    half d;
    uint8_t qs[QK4_0 / 2];
} block_q4_0;

typedef struct {
    int32_t ne00;
    int32_t ne01;
    uint64_t nb01;
    float eps;
} ggml_metal_kargs_norm;

template <typename T>
kernel void kernel_scale_impl(
        constant ggml_metal_kargs_norm & args,
        device const char * src0,
        device       char * dst,
        uint tgpig[[threadgroup_position_in_grid]],
        ushort tpitg[[thread_position_in_threadgroup]],
        ushort ntg[[threads_per_threadgroup]]) {
    device const T * x = (device const T *) (src0 + tgpig*args.nb01);
    device       T * y = (device       T *) (dst  + tgpig*args.nb01);
    for (int i00 = tpitg; i00 < args.ne00; i00 += ntg) {
        y[i00] = x[i00] * (T) args.eps;
    }
}

typedef decltype(kernel_scale_impl<float>) kernel_scale_t;

template [[host_name("kernel_scale_f32")]] kernel kernel_scale_t kernel_scale_impl<float>;
template [[host_name("kernel_scale_f16")]] kernel kernel_scale_t kernel_scale_impl<half>;

static inline void dequantize_q4_0(device const block_q4_0 * xb, short il, thread float4x4 & reg) {
    device const uint16_t * qs = ((device const uint16_t *)xb + 1);
    const float d1 = il ? (xb->d / 16.h) : xb->d;
    const float d2 = d1 / 256.f;
    const float md = -8.h * xb->d;
    const ushort mask0 = il ? 0x00F0 : 0x000F;
    const ushort mask1 = mask0 << 8;
    float4x4 reg_f;
    for (int i = 0; i < 8; i++) {
        reg_f[i/2][2*(i%2) + 0] = d1 * (qs[i] & mask0) + md;
        reg_f[i/2][2*(i%2) + 1] = d2 * (qs[i] & mask1) + md;
    }
    reg = reg_f;
}

template <typename block_q, short nl, void (*dequantize_func)(device const block_q *, short, thread float4x4 &)>
kernel void kernel_get_rows_q(
        device const void * src0,
        device       float * dst,
        constant   int32_t & ne00,
        uint tgpig[[threadgroup_position_in_grid]],
        uint tiitg[[thread_index_in_threadgroup]],
        uint3 tptg [[threads_per_threadgroup]]) {
    const int64_t i = tgpig;
    for (int64_t ind = tiitg; ind < ne00/16; ind += tptg.x) {
        float4x4 temp;
        dequantize_func(((device const block_q *) src0) + i*(ne00/QK4_0) + ind/nl, ind%nl, temp);
        *(((device float4x4 *) (dst + i*ne00)) + ind) = temp;
    }
}

typedef decltype(kernel_get_rows_q<block_q4_0, 2, dequantize_q4_0>) get_rows_q_t;
template [[host_name("kernel_get_rows_q4_0")]] kernel get_rows_q_t kernel_get_rows_q<block_q4_0, 2, dequantize_q4_0>;

kernel void kernel_sum_rows(
        device const float * src0,
        device       float * dst,
        constant  int64_t & ne00,
        uint3 tpig[[thread_position_in_grid]]) {
    device const float * src_row = src0 + tpig.x*ne00;
    float row_sum = 0;
    for (int64_t i0 = 0; i0 < ne00; i0++) {
        row_sum += src_row[i0];
    }
    dst[tpig.x] = row_sum;
}

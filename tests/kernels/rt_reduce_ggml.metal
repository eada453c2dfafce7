// ggml-style reduction: simd_sum + threadgroup buffer via [[threadgroup(0)]], shmem_f32 naming.
#include <metal_stdlib>
using namespace metal;

typedef struct {
    int32_t ne00;
    float   eps;
} kargs_rms;

kernel void kernel_rms_norm(
        constant kargs_rms & args,
        device const char * src0,
        device       char * dst,
        threadgroup float * shmem_f32 [[threadgroup(0)]],
        uint   tgpig[[threadgroup_position_in_grid]],
        ushort tpitg[[thread_position_in_threadgroup]],
        ushort sgitg[[simdgroup_index_in_threadgroup]],
        ushort tiisg[[thread_index_in_simdgroup]],
        ushort   ntg[[threads_per_threadgroup]]) {
    if (sgitg == 0) {
        shmem_f32[tiisg] = 0.0f;
    }
    device const float4 * x = (device const float4 *) (src0 + tgpig*args.ne00*sizeof(float));
    float sumf = 0.0f;
    for (int i00 = tpitg; i00 < args.ne00/4; i00 += ntg) {
        sumf += dot(x[i00], x[i00]);
    }
    sumf = simd_sum(sumf);
    threadgroup_barrier(mem_flags::mem_threadgroup);
    if (tiisg == 0) {
        shmem_f32[sgitg] = sumf;
    }
    threadgroup_barrier(mem_flags::mem_threadgroup);
    sumf = shmem_f32[tiisg];
    sumf = simd_sum(sumf);
    const float mean  = sumf/args.ne00;
    const float scale = 1.0f/sqrt(mean + args.eps);
    device float4 * y = (device float4 *) (dst + tgpig*args.ne00*sizeof(float));
    for (int i00 = tpitg; i00 < args.ne00/4; i00 += ntg) {
        y[i00] = x[i00] * scale;
    }
}

template<typename T0, typename T1>
kernel void kernel_cpy(
        device const void * src0,
        device       void * dst,
        constant uint & n,
        uint tpig[[thread_position_in_grid]]) {
    if (tpig >= n) return;
    ((device T1 *) dst)[tpig] = (T1) ((device const T0 *) src0)[tpig];
}

typedef decltype(kernel_cpy<float, float>) kernel_cpy_t;

template [[host_name("kernel_cpy_f32_f32")]]  kernel kernel_cpy_t kernel_cpy<float,  float>;
template [[host_name("kernel_cpy_f32_f16")]]  kernel kernel_cpy_t kernel_cpy<float,  half>;
template [[host_name("kernel_cpy_f16_f32")]]  kernel kernel_cpy_t kernel_cpy<half,   float>;
template [[host_name("kernel_cpy_f32_bf16")]] kernel kernel_cpy_t kernel_cpy<float,  bfloat>;

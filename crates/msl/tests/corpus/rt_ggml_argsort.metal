// ggml-style argsort: enum non-type template parameter, typedef'd instantiations; [[kernel, max_total_threads_per_threadgroup(...)]].
#include <metal_stdlib>
using namespace metal;
typedef enum { GGML_SORT_ORDER_ASC, GGML_SORT_ORDER_DESC } ggml_sort_order;
template<ggml_sort_order order>
kernel void kernel_argsort_f32_i32(device const float * x, device int32_t * dst, constant int64_t & ncols,
        threadgroup int32_t * shmem_i32 [[threadgroup(0)]],
        uint3 tgpig[[threadgroup_position_in_grid]], uint3 tpitg[[thread_position_in_threadgroup]]) {
    int col = tpitg[0];
    int row = tgpig[1];
    if (col >= ncols) return;
    device const float * x_row = x + row * ncols;
    threadgroup int32_t * dst_row = shmem_i32;
    dst_row[col] = col;
    threadgroup_barrier(mem_flags::mem_threadgroup);
    for (int k = 2; k <= ncols; k *= 2) {
        for (int j = k / 2; j > 0; j /= 2) {
            int ixj = col ^ j;
            if (ixj > col) {
                if ((col & k) == 0) {
                    if (order == GGML_SORT_ORDER_ASC ? x_row[dst_row[col]] > x_row[dst_row[ixj]] : x_row[dst_row[col]] < x_row[dst_row[ixj]]) {
                        int32_t t = dst_row[col]; dst_row[col] = dst_row[ixj]; dst_row[ixj] = t;
                    }
                } else {
                    if (order == GGML_SORT_ORDER_ASC ? x_row[dst_row[col]] < x_row[dst_row[ixj]] : x_row[dst_row[col]] > x_row[dst_row[ixj]]) {
                        int32_t t = dst_row[col]; dst_row[col] = dst_row[ixj]; dst_row[ixj] = t;
                    }
                }
            }
            threadgroup_barrier(mem_flags::mem_threadgroup);
        }
    }
    dst[row * ncols + col] = dst_row[col];
}
typedef decltype(kernel_argsort_f32_i32<GGML_SORT_ORDER_ASC>) argsort_t;
template [[host_name("kernel_argsort_f32_i32_asc")]]  kernel argsort_t kernel_argsort_f32_i32<GGML_SORT_ORDER_ASC>;
template [[host_name("kernel_argsort_f32_i32_desc")]] kernel argsort_t kernel_argsort_f32_i32<GGML_SORT_ORDER_DESC>;

template <typename T, int WM, int WN>
[[kernel, max_total_threads_per_threadgroup(WM * WN * 32)]] void scaled(
    const device T* a [[buffer(0)]], device T* b [[buffer(1)]], uint i [[thread_position_in_grid]]) {
  b[i] = a[i] * T(WM * WN);
}
template [[host_name("scaled_2_2")]] [[kernel]] decltype(scaled<float, 2, 2>) scaled<float, 2, 2>;

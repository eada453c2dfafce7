// Parameters without binding attributes take the next free index of their kind, in
// declaration order (candle style).
#include <metal_stdlib>
using namespace metal;

kernel void affine(constant size_t &dim,
                   constant float &mul,
                   constant float &add,
                   device const float *input,
                   device float *output,
                   uint id [[thread_position_in_grid]])
{
    if (id >= dim) {
        return;
    }
    output[id] = input[id] * mul + add;
}

kernel void strided_copy(constant size_t &num_dims,
                         constant size_t &dim,
                         constant size_t *dims,
                         constant size_t *strides,
                         device const float *input,
                         device float *output,
                         uint tid [[thread_position_in_grid]])
{
    if (tid >= dim) return;
    size_t idx = tid;
    size_t offset = 0;
    for (size_t d = 0; d < num_dims; ++d) {
        size_t i = num_dims - 1 - d;
        offset += (idx % dims[i]) * strides[i];
        idx /= dims[i];
    }
    output[tid] = input[offset];
}

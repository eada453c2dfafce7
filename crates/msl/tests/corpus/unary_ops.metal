// Candle-style unary kernels: implicit bindings, typedef-style instantiation through macros.
#include <metal_stdlib>
using namespace metal;

template <typename T> METAL_FUNC T sqr(T x) { return x * x; }
template <typename T> METAL_FUNC T neg(T x) { return -x; }

template <typename T, T (*F)(T)>
kernel void unary(constant size_t &dim, device const T *in, device T *out, uint tid [[thread_position_in_grid]]) {
    if (tid >= dim) {
        return;
    }
    out[tid] = F(in[tid]);
}

#define UNARY(NAME, T, FN) \
typedef decltype(unary<T, FN<T>>) unary_##NAME##_t; \
template [[host_name(#NAME)]] kernel unary_##NAME##_t unary<T, FN<T>>;

UNARY(sqr_f32, float, sqr)
UNARY(neg_f32, float, neg)
UNARY(sqr_f16, half, sqr)

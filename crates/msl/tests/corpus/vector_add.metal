// Element-wise binary ops over several types, instantiated by a macro (MLX style).
#include <metal_stdlib>
using namespace metal;

template <typename T, typename Op>
[[kernel]] void binary_vv(device const T* a [[buffer(0)]],
                          device const T* b [[buffer(1)]],
                          device T* out [[buffer(2)]],
                          constant uint& n [[buffer(3)]],
                          uint gid [[thread_position_in_grid]]) {
  if (gid < n) {
    out[gid] = Op()(a[gid], b[gid]);
  }
}

struct Add { template <typename T> T operator()(T x, T y) { return x + y; } };
struct Mul { template <typename T> T operator()(T x, T y) { return x * y; } };

#define instantiate_binary(name, T, Op) \
  template [[host_name(#name "_" #T)]] [[kernel]] decltype(binary_vv<T, Op>) binary_vv<T, Op>;

instantiate_binary(add, float, Add)
instantiate_binary(add, half, Add)
instantiate_binary(mul, float, Mul)
instantiate_binary(mul, int, Mul)

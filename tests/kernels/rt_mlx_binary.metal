// MLX-style binary ops with nested instantiation macros and ## name building.
#include <metal_stdlib>
using namespace metal;

struct Add { template <typename T> T operator()(T x, T y) { return x + y; } };
struct Mul { template <typename T> T operator()(T x, T y) { return x * y; } };
struct Maximum {
  template <typename T>
  metal::enable_if_t<metal::is_integral_v<T>, T> operator()(T x, T y) { return metal::max(x, y); }
  template <typename T>
  metal::enable_if_t<!metal::is_integral_v<T>, T> operator()(T x, T y) {
    if (metal::isnan(x)) return x;
    return x > y ? x : y;
  }
};

template <typename T, typename U, typename Op>
[[kernel]] void binary_vv(
    device const T* a [[buffer(0)]],
    device const T* b [[buffer(1)]],
    device U* c [[buffer(2)]],
    constant uint& size [[buffer(3)]],
    uint index [[thread_position_in_grid]]) {
  if (index >= size) return;
  c[index] = Op()(a[index], b[index]);
}

template <typename T, typename U, typename Op>
[[kernel]] void binary_g(
    device const T* a [[buffer(0)]],
    device const T* b [[buffer(1)]],
    device U* c [[buffer(2)]],
    constant const int64_t* a_strides [[buffer(3)]],
    constant const int64_t* b_strides [[buffer(4)]],
    constant const int* shape [[buffer(5)]],
    uint2 index [[thread_position_in_grid]],
    uint2 grid_dim [[threads_per_grid]]) {
  int64_t a_idx = index.x * a_strides[1] + index.y * a_strides[0];
  int64_t b_idx = index.x * b_strides[1] + index.y * b_strides[0];
  if (int(index.x) >= shape[1] || int(index.y) >= shape[0]) return;
  size_t out_idx = index.x + (size_t)grid_dim.x * index.y;
  c[out_idx] = Op()(a[a_idx], b[b_idx]);
}

#define instantiate_kernel(name, func, ...) \
  template [[host_name(name)]] [[kernel]] decltype(func<__VA_ARGS__>) func<__VA_ARGS__>;

#define instantiate_binary(op, tname, itype, otype)                      \
  instantiate_kernel("vv_" #op #tname, binary_vv, itype, otype, op)      \
  instantiate_kernel("g_" #op #tname, binary_g, itype, otype, op)

#define instantiate_binary_all(op)              \
  instantiate_binary(op, float32, float, float) \
  instantiate_binary(op, float16, half, half)   \
  instantiate_binary(op, bfloat16, bfloat, bfloat) \
  instantiate_binary(op, int32, int, int)

instantiate_binary_all(Add)
instantiate_binary_all(Mul)
instantiate_binary_all(Maximum)

// MLX-style kernel instantiation through macros.
#include <metal_stdlib>
#include <metal_simdgroup>
using namespace metal;

#define METAL_FUNC inline __attribute__((always_inline))

template <typename T>
[[kernel]] void copy_s(
    device const T* src [[buffer(0)]],
    device T* dst [[buffer(1)]],
    uint index [[thread_position_in_grid]]) {
  dst[index] = src[0];
}

#define instantiate_kernel(name, func, ...) \
  template [[host_name(                     \
      name)]] [[kernel]] decltype(func<__VA_ARGS__>) func<__VA_ARGS__>;

#define instantiate_copy(tname, type) \
  instantiate_kernel("copy_s_" #tname, copy_s, type)

instantiate_copy(float32, float)
instantiate_copy(float16, half)
instantiate_kernel("copy2_" "bool_", copy_s, bool)

#define instantiate_binary_all(op, tname, itype, otype)            \
  instantiate_kernel("ss_" #op #tname, binary_ss, itype, otype, op) \
  instantiate_kernel("vv_" #op #tname, binary_vv, itype, otype, op)

instantiate_binary_all(Add, float32, float, float)

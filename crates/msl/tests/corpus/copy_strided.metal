// Strided copy: constant pointer arguments, namespaced helpers, if constexpr, type traits.
#include <metal_stdlib>
using namespace metal;

namespace util {
template <typename IdxT = int64_t>
METAL_FUNC IdxT elem_to_loc(uint elem, constant const int* shape, constant const int64_t* strides, int ndim) {
  IdxT loc = 0;
  for (int i = ndim - 1; i >= 0 && elem > 0; --i) {
    loc += (elem % shape[i]) * IdxT(strides[i]);
    elem /= shape[i];
  }
  return loc;
}
}  // namespace util

template <typename T, typename U>
[[kernel]] void copy_g(device const T* src [[buffer(0)]],
                       device U* dst [[buffer(1)]],
                       constant const int* shape [[buffer(2)]],
                       constant const int64_t* strides [[buffer(3)]],
                       constant int& ndim [[buffer(4)]],
                       uint index [[thread_position_in_grid]]) {
  auto loc = util::elem_to_loc(index, shape, strides, ndim);
  if constexpr (metal::is_same_v<T, U>) {
    dst[index] = src[loc];
  } else {
    dst[index] = static_cast<U>(src[loc]);
  }
}

template [[host_name("copy_g_f32_f32")]] [[kernel]] decltype(copy_g<float, float>) copy_g<float, float>;
template [[host_name("copy_g_f32_f16")]] [[kernel]] decltype(copy_g<float, half>) copy_g<float, half>;

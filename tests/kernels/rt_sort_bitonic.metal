// Bitonic sort in threadgroup memory with a templated comparator and swap helper.
#include <metal_stdlib>
using namespace metal;

template <typename T>
struct LessThan {
  static constexpr constant T init = metal::numeric_limits<T>::max();
  METAL_FUNC bool operator()(T a, T b) const { return a < b; }
};

template <typename T>
METAL_FUNC void thread_swap(thread T& a, thread T& b) {
  T w = a;
  a = b;
  b = w;
}

template <typename T, int N_PER_BLOCK, typename Op = LessThan<T>>
[[kernel]] void block_sort(
    const device T* inp [[buffer(0)]],
    device T* out [[buffer(1)]],
    constant int& size [[buffer(2)]],
    uint3 tid [[threadgroup_position_in_grid]],
    uint3 lid [[thread_position_in_threadgroup]]) {
  threadgroup T tgp_vals[N_PER_BLOCK];
  Op op;
  for (int i = lid.x; i < N_PER_BLOCK; i += 64) {
    int g = tid.x * N_PER_BLOCK + i;
    tgp_vals[i] = g < size ? inp[g] : Op::init;
  }
  threadgroup_barrier(mem_flags::mem_threadgroup);
  for (int k = 2; k <= N_PER_BLOCK; k <<= 1) {
    for (int j = k >> 1; j > 0; j >>= 1) {
      for (int i = lid.x; i < N_PER_BLOCK; i += 64) {
        int ixj = i ^ j;
        if (ixj > i) {
          bool up = (i & k) == 0;
          T a = tgp_vals[i], b = tgp_vals[ixj];
          if (op(b, a) == up) {
            thread_swap(a, b);
            tgp_vals[i] = a;
            tgp_vals[ixj] = b;
          }
        }
      }
      threadgroup_barrier(mem_flags::mem_threadgroup);
    }
  }
  for (int i = lid.x; i < N_PER_BLOCK; i += 64) {
    int g = tid.x * N_PER_BLOCK + i;
    if (g < size) out[g] = tgp_vals[i];
  }
}

#define instantiate_block_sort(tname, itype, n) \
  template [[host_name("block_sort_" #tname "_" #n)]] [[kernel]] \
  decltype(block_sort<itype, n>) block_sort<itype, n>;

#define instantiate_block_sort_sizes(tname, itype) \
  instantiate_block_sort(tname, itype, 128)        \
  instantiate_block_sort(tname, itype, 256)

instantiate_block_sort_sizes(float32, float)
instantiate_block_sort_sizes(int32, int)
instantiate_block_sort_sizes(uint16, ushort)

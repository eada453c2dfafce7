#line 2 "features.metal"
using namespace metal;

static constexpr int BLOCK = 64;
PM_CONSTANT float scale_tbl[4] = {1.0f, 0.5f, 0.25f, 0.125f};
PM_CONSTANT ::metal::half hscale = ::metal::half(0.5f);
static constexpr bool has_bias = true;
static constexpr ::metal::uint n_iter = 3ULL;
static constexpr bool use_bias = true                           && has_bias;

struct Particle {
    ::metal::float3 pos;
    ::metal::float3 vel;
    ::metal::half4 color;
};

inline float block_sum(            float* shared, ::metal::uint lid, ::metal::uint n) {
    for (::metal::uint s = n / 2; s > 0; s >>= 1) {
        if (lid < s) shared[lid] += shared[lid + s];
        threadgroup_barrier(mem_flags::mem_threadgroup);
    }
    return shared[0];
}

       void reduce(       const float* in              ,
                          ::metal::atomic_float* out     ,
                   ::metal::uint tid                   ,
                   ::metal::ushort lid                       ,
                   ::metal::uint2 tg_size                   )
{
    using pm_tg_t_0 = float  [BLOCK] ; PM_TG_VAR(0, pm_tg_t_0, partial); using pm_tg_t_1 = float[2][BLOCK] ; PM_TG_VAR(1, pm_tg_t_1, extra);
    using pm_tg_t_2 = ::metal::atomic_uint ; PM_TG_VAR(2, pm_tg_t_2, counter);
    partial[lid] = in[tid] * scale_tbl[tid % 4];
    threadgroup_barrier(mem_flags::mem_threadgroup);
    float s = block_sum(partial, lid, tg_size.x);
    if (lid == 0) atomic_fetch_add_explicit(out, s, memory_order_relaxed);
}

       void particles(       Particle* ps,          float& dt, ::metal::uint id                   )
{
    Particle p = ps[id];
    p.pos.xy_ref() += p.vel.xy() * dt;
    p.pos.z = p.pos.z + ::metal::half(1.0f);
    ::metal::float2 v = p.vel.yx();
    p.color.rgb_ref() = ::metal::half3(v.x, v.y, ::metal::half(16.f));
#pragma unroll
    for (int i = 0; i < 4; ++i) { p.vel *= 0.5f; }
    if (use_bias) { p.pos += ::metal::float3(1.0f); }
    ps[id] = p;
}

template <typename T, int N>
       void scale(       T* x              , ::metal::uint i                   ) {
    x[i] = x[i] * T(N);
}
typedef decltype(scale<float, 2>) scale_t;




struct Box {
  float v[4] = {0, 0, 0, 0};
  float get(int i)             { return v[i]; }

  float get(int i) const        { return v[i]; }

  constexpr Box()             = default;

};
struct Other {
  float get(int i)             { return float(i); }
};


template <typename T>
void plain_copy(       const T* src,        T* dst, ::metal::uint i                   ) {
  dst[i] = src[i];
}
#line 1 "<pymetal wrapper>"
// <pm_wrap helpers>
extern __shared__ __align__(16) unsigned char pm_dyn_smem[];
namespace pm_wrap {
/* `constant` buffer arguments: small references become a copy held by the wrapper. */
template <bool C, class A, class B> struct if_ { using type = A; };
template <class A, class B> struct if_<false, A, B> { using type = B; };
template <class T> struct alignas(T) words { unsigned w[sizeof(T) / 4]; };
template <class T> static __device__ __forceinline__ T ldnc(const unsigned char *p) {
  words<T> r;
#pragma unroll
  for (unsigned k = 0; k < sizeof(T) / 4; ++k) asm("ld.global.nc.u32 %0, [%1];" : "=r"(r.w[k]) : "l"(p + 4 * k));
  return *reinterpret_cast<const T *>(&r);
}
template <class T> static __device__ __forceinline__ T from_words(const unsigned *w) {
  words<T> r;
#pragma unroll
  for (unsigned k = 0; k < sizeof(T) / 4; ++k) r.w[k] = w[k];
  return *reinterpret_cast<const T *>(&r);
}
/* `inl`/`has_inl`: the launch parameters' copy of the set_bytes data at this index (pm_abi.h
   PM_INLINE_SLOTS), used when present and the value fits. */
template <class P> struct cval {
  using type = P;
  static __device__ __forceinline__ P load(unsigned char *p, const unsigned *, unsigned) { return buf<P>::get(p); }
};
template <class T> struct cval<T &> {
  static constexpr bool copy = sizeof(T) <= 256;
  using type = typename if_<copy, typename bare<T>::type, T &>::type;
  static __device__ __forceinline__ type load(unsigned char *p, const unsigned *inl, unsigned has_inl) {
    if constexpr (copy && sizeof(T) % 4 == 0 && alignof(T) >= 4) {
      using V = typename bare<T>::type;
      if constexpr (sizeof(T) <= 4 * PM_INLINE_WORDS) {
        if (has_inl) return from_words<V>(inl);
      }
      return ldnc<V>(p);
    } else {
      return *reinterpret_cast<T *>(p);
    }
  }
};
template <class T, unsigned N> struct cval<T (&)[N]> {
  using type = T (&)[N];
  static __device__ __forceinline__ type load(unsigned char *p, const unsigned *, unsigned) { return *reinterpret_cast<T (*)[N]>(p); }
};
} // namespace pm_wrap
// entry 0: reduce
extern "C" __global__ void pm_entry_0(const __grid_constant__ pm_dispatch d) {
  const unsigned pm_gx = blockIdx.x + d.group_offset[0];
  const unsigned pm_gy = blockIdx.y + d.group_offset[1];
  const unsigned pm_gz = blockIdx.z + d.group_offset[2];
  const unsigned pm_px = pm_gx * d.tg_size[0] + threadIdx.x;
  const unsigned pm_py = pm_gy * d.tg_size[1] + threadIdx.y;
  const unsigned pm_pz = pm_gz * d.tg_size[2] + threadIdx.z;
  const unsigned pm_sx = blockDim.x, pm_sy = blockDim.y, pm_sz = blockDim.z;
  (void)pm_sz;
  const unsigned pm_flat = threadIdx.x + pm_sx * (threadIdx.y + pm_sy * threadIdx.z);
  (void)pm_flat;
  using pm_F = decltype(::reduce);
#line 25 "features.metal"
  ::reduce(pm_wrap::buf<pm_wrap::arg_t<pm_F, 0>>::get((unsigned char *)d.buffers[0]), pm_wrap::buf<pm_wrap::arg_t<pm_F, 1>>::get((unsigned char *)d.buffers[1]), pm_wrap::bi_t<pm_wrap::arg_t<pm_F, 2>>::make(pm_px, pm_py, pm_pz), pm_wrap::bi_t<pm_wrap::arg_t<pm_F, 3>>::make(pm_flat, 0u, 0u), pm_wrap::bi_t<pm_wrap::arg_t<pm_F, 4>>::make(pm_sx, pm_sy, pm_sz));
#line 1 "<pymetal wrapper>"
}
// entry 1: particles
extern "C" __global__ void pm_entry_1(const __grid_constant__ pm_dispatch d) {
  const unsigned pm_gx = blockIdx.x + d.group_offset[0];
  const unsigned pm_gy = blockIdx.y + d.group_offset[1];
  const unsigned pm_gz = blockIdx.z + d.group_offset[2];
  const unsigned pm_px = pm_gx * d.tg_size[0] + threadIdx.x;
  const unsigned pm_py = pm_gy * d.tg_size[1] + threadIdx.y;
  const unsigned pm_pz = pm_gz * d.tg_size[2] + threadIdx.z;
  const unsigned pm_sx = blockDim.x, pm_sy = blockDim.y, pm_sz = blockDim.z;
  (void)pm_sz;
  const unsigned pm_flat = threadIdx.x + pm_sx * (threadIdx.y + pm_sy * threadIdx.z);
  (void)pm_flat;
  using pm_F = decltype(::particles);
  pm_wrap::cval<pm_wrap::arg_t<pm_F, 1>>::type pm_c1 = pm_wrap::cval<pm_wrap::arg_t<pm_F, 1>>::load((unsigned char *)d.buffers[1], d.inline_words[1], (d.inline_mask >> 1u) & 1u);
#line 39 "features.metal"
  ::particles(pm_wrap::buf<pm_wrap::arg_t<pm_F, 0>>::get((unsigned char *)d.buffers[0]), pm_c1, pm_wrap::bi_t<pm_wrap::arg_t<pm_F, 2>>::make(pm_px, pm_py, pm_pz));
#line 1 "<pymetal wrapper>"
}
// entry 2: scale_f32_2
extern "C" __global__ void pm_entry_2(const __grid_constant__ pm_dispatch d) {
  const unsigned pm_gx = blockIdx.x + d.group_offset[0];
  const unsigned pm_gy = blockIdx.y + d.group_offset[1];
  const unsigned pm_gz = blockIdx.z + d.group_offset[2];
  const unsigned pm_px = pm_gx * d.tg_size[0] + threadIdx.x;
  const unsigned pm_py = pm_gy * d.tg_size[1] + threadIdx.y;
  const unsigned pm_pz = pm_gz * d.tg_size[2] + threadIdx.z;
  const unsigned pm_sx = blockDim.x, pm_sy = blockDim.y, pm_sz = blockDim.z;
  (void)pm_sz;
  const unsigned pm_flat = threadIdx.x + pm_sx * (threadIdx.y + pm_sy * threadIdx.z);
  (void)pm_flat;
  using pm_F = decltype(::scale<float,2>);
#line 57 "features.metal"
  ::scale<float,2>(pm_wrap::buf<pm_wrap::arg_t<pm_F, 0>>::get((unsigned char *)d.buffers[0]), pm_wrap::bi_t<pm_wrap::arg_t<pm_F, 1>>::make(pm_px, pm_py, pm_pz));
#line 1 "<pymetal wrapper>"
}
// entry 3: scale_h4_3
extern "C" __global__ void pm_entry_3(const __grid_constant__ pm_dispatch d) {
  const unsigned pm_gx = blockIdx.x + d.group_offset[0];
  const unsigned pm_gy = blockIdx.y + d.group_offset[1];
  const unsigned pm_gz = blockIdx.z + d.group_offset[2];
  const unsigned pm_px = pm_gx * d.tg_size[0] + threadIdx.x;
  const unsigned pm_py = pm_gy * d.tg_size[1] + threadIdx.y;
  const unsigned pm_pz = pm_gz * d.tg_size[2] + threadIdx.z;
  const unsigned pm_sx = blockDim.x, pm_sy = blockDim.y, pm_sz = blockDim.z;
  (void)pm_sz;
  const unsigned pm_flat = threadIdx.x + pm_sx * (threadIdx.y + pm_sy * threadIdx.z);
  (void)pm_flat;
  using pm_F = decltype(::scale< ::metal::half4,3>);
#line 58 "features.metal"
  ::scale< ::metal::half4,3>(pm_wrap::buf<pm_wrap::arg_t<pm_F, 0>>::get((unsigned char *)d.buffers[0]), pm_wrap::bi_t<pm_wrap::arg_t<pm_F, 1>>::make(pm_px, pm_py, pm_pz));
#line 1 "<pymetal wrapper>"
}
// entry 4: copy_f32
extern "C" __global__ void pm_entry_4(const __grid_constant__ pm_dispatch d) {
  const unsigned pm_gx = blockIdx.x + d.group_offset[0];
  const unsigned pm_gy = blockIdx.y + d.group_offset[1];
  const unsigned pm_gz = blockIdx.z + d.group_offset[2];
  const unsigned pm_px = pm_gx * d.tg_size[0] + threadIdx.x;
  const unsigned pm_py = pm_gy * d.tg_size[1] + threadIdx.y;
  const unsigned pm_pz = pm_gz * d.tg_size[2] + threadIdx.z;
  const unsigned pm_sx = blockDim.x, pm_sy = blockDim.y, pm_sz = blockDim.z;
  (void)pm_sz;
  const unsigned pm_flat = threadIdx.x + pm_sx * (threadIdx.y + pm_sy * threadIdx.z);
  (void)pm_flat;
  using pm_F = decltype(::plain_copy<float>);
#line 79 "features.metal"
  ::plain_copy<float>(pm_wrap::buf<pm_wrap::arg_t<pm_F, 0>>::get((unsigned char *)d.buffers[0]), pm_wrap::buf<pm_wrap::arg_t<pm_F, 1>>::get((unsigned char *)d.buffers[1]), pm_wrap::bi_t<pm_wrap::arg_t<pm_F, 2>>::make(pm_px, pm_py, pm_pz));
#line 1 "<pymetal wrapper>"
}

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
#pragma GCC unroll 16
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
// entry 0: reduce
static inline void pm_call_0(const pm_dispatch *d, pm_cpu_thread *t) {
  (void)d; (void)t;
  using pm_F = decltype(::reduce);
#line 25 "features.metal"
  ::reduce(pm_wrap::buf<pm_wrap::arg_t<pm_F, 0>>::get((unsigned char *)d->buffers[0]), pm_wrap::buf<pm_wrap::arg_t<pm_F, 1>>::get((unsigned char *)d->buffers[1]), pm_wrap::bi_t<pm_wrap::arg_t<pm_F, 2>>::make(t->group[0] * d->tg_size[0] + t->tid[0], t->group[1] * d->tg_size[1] + t->tid[1], t->group[2] * d->tg_size[2] + t->tid[2]), pm_wrap::bi_t<pm_wrap::arg_t<pm_F, 3>>::make(t->flat, 0u, 0u), pm_wrap::bi_t<pm_wrap::arg_t<pm_F, 4>>::make(t->tg_size[0], t->tg_size[1], t->tg_size[2]));
#line 1 "<pymetal wrapper>"
}
extern "C" void pm_entry_0(const pm_dispatch *d, pm_cpu_thread *t) {
  ::metal::detail::pm_cur = t;
  pm_call_0(d, t);
}
// entry 0: static threadgroup memory
extern "C" unsigned long long pm_static_tg_0(void) {
  return 0ull
    + ((sizeof(float[BLOCK]) + 15ull) & ~15ull)
    + ((sizeof(float[2][BLOCK]) + 15ull) & ~15ull)
    + ((sizeof(::metal::atomic_uint) + 15ull) & ~15ull);
}
// entry 1: particles
static inline void pm_call_1(const pm_dispatch *d, pm_cpu_thread *t) {
  (void)d; (void)t;
  using pm_F = decltype(::particles);
#line 39 "features.metal"
  ::particles(pm_wrap::buf<pm_wrap::arg_t<pm_F, 0>>::get((unsigned char *)d->buffers[0]), pm_wrap::buf<pm_wrap::arg_t<pm_F, 1>>::get((unsigned char *)d->buffers[1]), pm_wrap::bi_t<pm_wrap::arg_t<pm_F, 2>>::make(t->group[0] * d->tg_size[0] + t->tid[0], t->group[1] * d->tg_size[1] + t->tid[1], t->group[2] * d->tg_size[2] + t->tid[2]));
#line 1 "<pymetal wrapper>"
}
extern "C" void pm_entry_1(const pm_dispatch *d, pm_cpu_thread *t) {
  ::metal::detail::pm_cur = t;
  pm_call_1(d, t);
}
extern "C" __attribute__((flatten)) void pm_group_1(const pm_dispatch *d, pm_cpu_thread *t);
extern "C" void pm_group_1(const pm_dispatch *d, pm_cpu_thread *t) {
  ::metal::detail::pm_cur = t;
  if (t->tg_size[0] == 0) { t->flat = 1u; return; }
  const unsigned pm_gx = t->group[0], pm_gy = t->group[1], pm_gz = t->group[2];
  const unsigned pm_sx = t->tg_size[0], pm_sy = t->tg_size[1], pm_sz = t->tg_size[2];
  const unsigned pm_fx = d->tg_size[0], pm_fy = d->tg_size[1], pm_fz = d->tg_size[2];
  const unsigned pm_nx = d->threads[0], pm_ny = d->threads[1], pm_nz = d->threads[2];
  const unsigned pm_Gx = d->threadgroups[0], pm_Gy = d->threadgroups[1], pm_Gz = d->threadgroups[2];
  const unsigned pm_bx = pm_gx * pm_fx, pm_by = pm_gy * pm_fy, pm_bz = pm_gz * pm_fz;
  const unsigned pm_ex = pm_bx + pm_sx;
  (void)pm_sy; (void)pm_nx; (void)pm_ny; (void)pm_nz; (void)pm_Gx; (void)pm_Gy; (void)pm_Gz;
  unsigned char *const pm_b0 = (unsigned char *)d->buffers[0];
  unsigned char *const pm_b1 = (unsigned char *)d->buffers[1];
  using pm_F = decltype(::particles);
  for (unsigned pm_tz = 0; pm_tz < pm_sz; ++pm_tz) {
    const unsigned pm_pz = pm_bz + pm_tz;
    for (unsigned pm_ty = 0; pm_ty < pm_sy; ++pm_ty) {
      const unsigned pm_py = pm_by + pm_ty;
      const unsigned pm_row = (pm_tz * pm_sy + pm_ty) * pm_sx;
      (void)pm_pz; (void)pm_py; (void)pm_row;
#pragma GCC ivdep
      for (unsigned pm_px = pm_bx; pm_px < pm_ex; ++pm_px) {
        const unsigned pm_tx = pm_px - pm_bx;
        const unsigned pm_flat = pm_row + pm_tx;
        (void)pm_tx; (void)pm_flat;
#line 39 "features.metal"
  ::particles(pm_wrap::buf<pm_wrap::arg_t<pm_F, 0>>::get(pm_b0), pm_wrap::buf<pm_wrap::arg_t<pm_F, 1>>::get(pm_b1), pm_wrap::bi_t<pm_wrap::arg_t<pm_F, 2>>::make(pm_px, pm_py, pm_pz));
#line 1 "<pymetal wrapper>"
      }
    }
  }
}
// entry 1: static threadgroup memory
extern "C" unsigned long long pm_static_tg_1(void) {
  return 0ull;
}
// entry 2: scale_f32_2
static inline void pm_call_2(const pm_dispatch *d, pm_cpu_thread *t) {
  (void)d; (void)t;
  using pm_F = decltype(::scale<float,2>);
#line 57 "features.metal"
  ::scale<float,2>(pm_wrap::buf<pm_wrap::arg_t<pm_F, 0>>::get((unsigned char *)d->buffers[0]), pm_wrap::bi_t<pm_wrap::arg_t<pm_F, 1>>::make(t->group[0] * d->tg_size[0] + t->tid[0], t->group[1] * d->tg_size[1] + t->tid[1], t->group[2] * d->tg_size[2] + t->tid[2]));
#line 1 "<pymetal wrapper>"
}
extern "C" void pm_entry_2(const pm_dispatch *d, pm_cpu_thread *t) {
  ::metal::detail::pm_cur = t;
  pm_call_2(d, t);
}
extern "C" __attribute__((flatten)) void pm_group_2(const pm_dispatch *d, pm_cpu_thread *t);
extern "C" void pm_group_2(const pm_dispatch *d, pm_cpu_thread *t) {
  ::metal::detail::pm_cur = t;
  if (t->tg_size[0] == 0) { t->flat = 1u; return; }
  const unsigned pm_gx = t->group[0], pm_gy = t->group[1], pm_gz = t->group[2];
  const unsigned pm_sx = t->tg_size[0], pm_sy = t->tg_size[1], pm_sz = t->tg_size[2];
  const unsigned pm_fx = d->tg_size[0], pm_fy = d->tg_size[1], pm_fz = d->tg_size[2];
  const unsigned pm_nx = d->threads[0], pm_ny = d->threads[1], pm_nz = d->threads[2];
  const unsigned pm_Gx = d->threadgroups[0], pm_Gy = d->threadgroups[1], pm_Gz = d->threadgroups[2];
  const unsigned pm_bx = pm_gx * pm_fx, pm_by = pm_gy * pm_fy, pm_bz = pm_gz * pm_fz;
  const unsigned pm_ex = pm_bx + pm_sx;
  (void)pm_sy; (void)pm_nx; (void)pm_ny; (void)pm_nz; (void)pm_Gx; (void)pm_Gy; (void)pm_Gz;
  unsigned char *const pm_b0 = (unsigned char *)d->buffers[0];
  using pm_F = decltype(::scale<float,2>);
  for (unsigned pm_tz = 0; pm_tz < pm_sz; ++pm_tz) {
    const unsigned pm_pz = pm_bz + pm_tz;
    for (unsigned pm_ty = 0; pm_ty < pm_sy; ++pm_ty) {
      const unsigned pm_py = pm_by + pm_ty;
      const unsigned pm_row = (pm_tz * pm_sy + pm_ty) * pm_sx;
      (void)pm_pz; (void)pm_py; (void)pm_row;
#pragma GCC ivdep
      for (unsigned pm_px = pm_bx; pm_px < pm_ex; ++pm_px) {
        const unsigned pm_tx = pm_px - pm_bx;
        const unsigned pm_flat = pm_row + pm_tx;
        (void)pm_tx; (void)pm_flat;
#line 57 "features.metal"
  ::scale<float,2>(pm_wrap::buf<pm_wrap::arg_t<pm_F, 0>>::get(pm_b0), pm_wrap::bi_t<pm_wrap::arg_t<pm_F, 1>>::make(pm_px, pm_py, pm_pz));
#line 1 "<pymetal wrapper>"
      }
    }
  }
}
// entry 2: static threadgroup memory
extern "C" unsigned long long pm_static_tg_2(void) {
  return 0ull;
}
// entry 3: scale_h4_3
static inline void pm_call_3(const pm_dispatch *d, pm_cpu_thread *t) {
  (void)d; (void)t;
  using pm_F = decltype(::scale< ::metal::half4,3>);
#line 58 "features.metal"
  ::scale< ::metal::half4,3>(pm_wrap::buf<pm_wrap::arg_t<pm_F, 0>>::get((unsigned char *)d->buffers[0]), pm_wrap::bi_t<pm_wrap::arg_t<pm_F, 1>>::make(t->group[0] * d->tg_size[0] + t->tid[0], t->group[1] * d->tg_size[1] + t->tid[1], t->group[2] * d->tg_size[2] + t->tid[2]));
#line 1 "<pymetal wrapper>"
}
extern "C" void pm_entry_3(const pm_dispatch *d, pm_cpu_thread *t) {
  ::metal::detail::pm_cur = t;
  pm_call_3(d, t);
}
extern "C" __attribute__((flatten)) void pm_group_3(const pm_dispatch *d, pm_cpu_thread *t);
extern "C" void pm_group_3(const pm_dispatch *d, pm_cpu_thread *t) {
  ::metal::detail::pm_cur = t;
  if (t->tg_size[0] == 0) { t->flat = 1u; return; }
  const unsigned pm_gx = t->group[0], pm_gy = t->group[1], pm_gz = t->group[2];
  const unsigned pm_sx = t->tg_size[0], pm_sy = t->tg_size[1], pm_sz = t->tg_size[2];
  const unsigned pm_fx = d->tg_size[0], pm_fy = d->tg_size[1], pm_fz = d->tg_size[2];
  const unsigned pm_nx = d->threads[0], pm_ny = d->threads[1], pm_nz = d->threads[2];
  const unsigned pm_Gx = d->threadgroups[0], pm_Gy = d->threadgroups[1], pm_Gz = d->threadgroups[2];
  const unsigned pm_bx = pm_gx * pm_fx, pm_by = pm_gy * pm_fy, pm_bz = pm_gz * pm_fz;
  const unsigned pm_ex = pm_bx + pm_sx;
  (void)pm_sy; (void)pm_nx; (void)pm_ny; (void)pm_nz; (void)pm_Gx; (void)pm_Gy; (void)pm_Gz;
  unsigned char *const pm_b0 = (unsigned char *)d->buffers[0];
  using pm_F = decltype(::scale< ::metal::half4,3>);
  for (unsigned pm_tz = 0; pm_tz < pm_sz; ++pm_tz) {
    const unsigned pm_pz = pm_bz + pm_tz;
    for (unsigned pm_ty = 0; pm_ty < pm_sy; ++pm_ty) {
      const unsigned pm_py = pm_by + pm_ty;
      const unsigned pm_row = (pm_tz * pm_sy + pm_ty) * pm_sx;
      (void)pm_pz; (void)pm_py; (void)pm_row;
#pragma GCC ivdep
      for (unsigned pm_px = pm_bx; pm_px < pm_ex; ++pm_px) {
        const unsigned pm_tx = pm_px - pm_bx;
        const unsigned pm_flat = pm_row + pm_tx;
        (void)pm_tx; (void)pm_flat;
#line 58 "features.metal"
  ::scale< ::metal::half4,3>(pm_wrap::buf<pm_wrap::arg_t<pm_F, 0>>::get(pm_b0), pm_wrap::bi_t<pm_wrap::arg_t<pm_F, 1>>::make(pm_px, pm_py, pm_pz));
#line 1 "<pymetal wrapper>"
      }
    }
  }
}
// entry 3: static threadgroup memory
extern "C" unsigned long long pm_static_tg_3(void) {
  return 0ull;
}
// entry 4: copy_f32
static inline void pm_call_4(const pm_dispatch *d, pm_cpu_thread *t) {
  (void)d; (void)t;
  using pm_F = decltype(::plain_copy<float>);
#line 79 "features.metal"
  ::plain_copy<float>(pm_wrap::buf<pm_wrap::arg_t<pm_F, 0>>::get((unsigned char *)d->buffers[0]), pm_wrap::buf<pm_wrap::arg_t<pm_F, 1>>::get((unsigned char *)d->buffers[1]), pm_wrap::bi_t<pm_wrap::arg_t<pm_F, 2>>::make(t->group[0] * d->tg_size[0] + t->tid[0], t->group[1] * d->tg_size[1] + t->tid[1], t->group[2] * d->tg_size[2] + t->tid[2]));
#line 1 "<pymetal wrapper>"
}
extern "C" void pm_entry_4(const pm_dispatch *d, pm_cpu_thread *t) {
  ::metal::detail::pm_cur = t;
  pm_call_4(d, t);
}
extern "C" __attribute__((flatten)) void pm_group_4(const pm_dispatch *d, pm_cpu_thread *t);
extern "C" void pm_group_4(const pm_dispatch *d, pm_cpu_thread *t) {
  ::metal::detail::pm_cur = t;
  if (t->tg_size[0] == 0) { t->flat = 1u; return; }
  const unsigned pm_gx = t->group[0], pm_gy = t->group[1], pm_gz = t->group[2];
  const unsigned pm_sx = t->tg_size[0], pm_sy = t->tg_size[1], pm_sz = t->tg_size[2];
  const unsigned pm_fx = d->tg_size[0], pm_fy = d->tg_size[1], pm_fz = d->tg_size[2];
  const unsigned pm_nx = d->threads[0], pm_ny = d->threads[1], pm_nz = d->threads[2];
  const unsigned pm_Gx = d->threadgroups[0], pm_Gy = d->threadgroups[1], pm_Gz = d->threadgroups[2];
  const unsigned pm_bx = pm_gx * pm_fx, pm_by = pm_gy * pm_fy, pm_bz = pm_gz * pm_fz;
  const unsigned pm_ex = pm_bx + pm_sx;
  (void)pm_sy; (void)pm_nx; (void)pm_ny; (void)pm_nz; (void)pm_Gx; (void)pm_Gy; (void)pm_Gz;
  unsigned char *const pm_b0 = (unsigned char *)d->buffers[0];
  unsigned char *const pm_b1 = (unsigned char *)d->buffers[1];
  using pm_F = decltype(::plain_copy<float>);
  for (unsigned pm_tz = 0; pm_tz < pm_sz; ++pm_tz) {
    const unsigned pm_pz = pm_bz + pm_tz;
    for (unsigned pm_ty = 0; pm_ty < pm_sy; ++pm_ty) {
      const unsigned pm_py = pm_by + pm_ty;
      const unsigned pm_row = (pm_tz * pm_sy + pm_ty) * pm_sx;
      (void)pm_pz; (void)pm_py; (void)pm_row;
#pragma GCC ivdep
      for (unsigned pm_px = pm_bx; pm_px < pm_ex; ++pm_px) {
        const unsigned pm_tx = pm_px - pm_bx;
        const unsigned pm_flat = pm_row + pm_tx;
        (void)pm_tx; (void)pm_flat;
#line 79 "features.metal"
  ::plain_copy<float>(pm_wrap::buf<pm_wrap::arg_t<pm_F, 0>>::get(pm_b0), pm_wrap::buf<pm_wrap::arg_t<pm_F, 1>>::get(pm_b1), pm_wrap::bi_t<pm_wrap::arg_t<pm_F, 2>>::make(pm_px, pm_py, pm_pz));
#line 1 "<pymetal wrapper>"
      }
    }
  }
}
// entry 4: static threadgroup memory
extern "C" unsigned long long pm_static_tg_4(void) {
  return 0ull;
}

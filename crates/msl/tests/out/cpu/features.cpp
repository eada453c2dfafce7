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
extern "C" void pm_group_1(const pm_dispatch *d, pm_cpu_thread *t) {
  ::metal::detail::pm_cur = t;
  unsigned pm_i = 0;
  for (unsigned z = 0; z < t->tg_size[2]; ++z)
    for (unsigned y = 0; y < t->tg_size[1]; ++y)
      for (unsigned x = 0; x < t->tg_size[0]; ++x) {
        t->tid[0] = x; t->tid[1] = y; t->tid[2] = z; t->flat = pm_i++;
        pm_call_1(d, t);
      }
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
extern "C" void pm_group_2(const pm_dispatch *d, pm_cpu_thread *t) {
  ::metal::detail::pm_cur = t;
  unsigned pm_i = 0;
  for (unsigned z = 0; z < t->tg_size[2]; ++z)
    for (unsigned y = 0; y < t->tg_size[1]; ++y)
      for (unsigned x = 0; x < t->tg_size[0]; ++x) {
        t->tid[0] = x; t->tid[1] = y; t->tid[2] = z; t->flat = pm_i++;
        pm_call_2(d, t);
      }
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
extern "C" void pm_group_3(const pm_dispatch *d, pm_cpu_thread *t) {
  ::metal::detail::pm_cur = t;
  unsigned pm_i = 0;
  for (unsigned z = 0; z < t->tg_size[2]; ++z)
    for (unsigned y = 0; y < t->tg_size[1]; ++y)
      for (unsigned x = 0; x < t->tg_size[0]; ++x) {
        t->tid[0] = x; t->tid[1] = y; t->tid[2] = z; t->flat = pm_i++;
        pm_call_3(d, t);
      }
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
extern "C" void pm_group_4(const pm_dispatch *d, pm_cpu_thread *t) {
  ::metal::detail::pm_cur = t;
  unsigned pm_i = 0;
  for (unsigned z = 0; z < t->tg_size[2]; ++z)
    for (unsigned y = 0; y < t->tg_size[1]; ++y)
      for (unsigned x = 0; x < t->tg_size[0]; ++x) {
        t->tid[0] = x; t->tid[1] = y; t->tid[2] = z; t->flat = pm_i++;
        pm_call_4(d, t);
      }
}

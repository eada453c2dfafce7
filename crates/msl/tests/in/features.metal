#include <metal_stdlib>
using namespace metal;

constant int BLOCK = 64;
constant float scale_tbl[4] = {1.0f, 0.5f, 0.25f, 0.125f};
constant half hscale = 0.5h;
constant bool has_bias [[function_constant(0)]];
constant uint n_iter [[function_constant(1 + 1)]];
constant bool use_bias = is_function_constant_defined(has_bias) && has_bias;

struct Particle {
    float3 pos;
    float3 vel;
    half4 color;
};

inline float block_sum(threadgroup float* shared, uint lid, uint n) {
    for (uint s = n / 2; s > 0; s >>= 1) {
        if (lid < s) shared[lid] += shared[lid + s];
        threadgroup_barrier(mem_flags::mem_threadgroup);
    }
    return shared[0];
}

kernel void reduce(device const float* in [[buffer(0)]],
                   device atomic_float* out [[buffer(1)]],
                   uint tid [[thread_position_in_grid]],
                   ushort lid [[thread_index_in_threadgroup]],
                   uint2 tg_size [[threads_per_threadgroup]])
{
    threadgroup float partial[BLOCK], extra[2][BLOCK];
    threadgroup atomic_uint counter;
    partial[lid] = in[tid] * scale_tbl[tid % 4];
    threadgroup_barrier(mem_flags::mem_threadgroup);
    float s = block_sum(partial, lid, tg_size.x);
    if (lid == 0) atomic_fetch_add_explicit(out, s, memory_order_relaxed);
}

kernel void particles(device Particle* ps, constant float& dt, uint id [[thread_position_in_grid]])
{
    Particle p = ps[id];
    p.pos.xy += p.vel.xy * dt;
    p.pos.z = p.pos.z + 1.0h;
    float2 v = p.vel.yx;
    p.color.rgb = half3(v.x, v.y, 16.h);
    #pragma unroll
    for (int i = 0; i < 4; ++i) { p.vel *= 0.5f; }
    if (use_bias) { p.pos += float3(1.0f); }
    ps[id] = p;
}

template <typename T, int N>
kernel void scale(device T* x [[buffer(0)]], uint i [[thread_position_in_grid]]) {
    x[i] = x[i] * T(N);
}
typedef decltype(scale<float, 2>) scale_t;
template [[host_name("scale_f32_2")]] kernel scale_t scale<float, 2>;
template [[host_name("scale_h4_3")]] [[kernel]] decltype(scale<half4, 3>) scale<half4, 3>;

// Address-space qualified members (SPIRV-Cross style): one definition is kept.
struct Box {
  float v[4] = {0, 0, 0, 0};
  float get(int i) threadgroup { return v[i]; }
  float get(int i) device { return v[i]; }
  float get(int i) const device { return v[i]; }
  float get(int i) const thread { return v[i]; }
  constexpr Box() threadgroup = default;
  constexpr Box() = default;
};
struct Other {
  float get(int i) threadgroup { return float(i); }
};

// A plain template made a kernel by its instantiation (ggml style).
template <typename T>
void plain_copy(device const T* src, device T* dst, uint i [[thread_position_in_grid]]) {
  dst[i] = src[i];
}
template [[host_name("copy_f32")]] kernel void plain_copy<float>(device const float*, device float*, uint);

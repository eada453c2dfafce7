// Compiled after msl::prelude::source(Target::Cpu) by tests/prelude_compile.rs: calls every
// prelude function over the scalar and vector types it takes, checks sizes and alignments
// at compile time and values at run time. Exit status 0 = all checks passed.
// nvrtc_check.py runs the same file on a GPU (so: no host-only constructs; all/any are
// qualified because CUDA declares a global metal::all(bool)/metal::any(bool) warp vote).
using namespace metal;

static int failures = 0;
#define CHECK(c)                                                                                   \
    do {                                                                                           \
        if (!(c)) {                                                                                \
            __builtin_printf("FAIL line %d: %s\n", __LINE__, #c);                                  \
            ++failures;                                                                            \
        }                                                                                          \
    } while (0)
#define NEAR(a, b, tol) CHECK(metal::fabs(float(a) - float(b)) <= (tol))

// ---- sizes and alignments (Metal's) ---------------------------------------------------
#define SA(T, S, A) static_assert(sizeof(T) == S && alignof(T) == A, #T);
SA(bool, 1, 1) SA(half, 2, 2) SA(bfloat, 2, 2) SA(metal::size_t, 8, 8) SA(metal::ptrdiff_t, 8, 8)
SA(bool2, 2, 2) SA(bool3, 4, 4) SA(bool4, 4, 4)
SA(char2, 2, 2) SA(char3, 4, 4) SA(char4, 4, 4) SA(uchar3, 4, 4)
SA(short2, 4, 4) SA(short3, 8, 8) SA(short4, 8, 8) SA(ushort3, 8, 8)
SA(half2, 4, 4) SA(half3, 8, 8) SA(half4, 8, 8) SA(bfloat3, 8, 8)
SA(int2, 8, 8) SA(int3, 16, 16) SA(int4, 16, 16) SA(uint3, 16, 16)
SA(float2, 8, 8) SA(float3, 16, 16) SA(float4, 16, 16)
SA(long2, 16, 16) SA(long3, 32, 32) SA(long4, 32, 32) SA(ulong3, 32, 32)
SA(packed_float2, 8, 4) SA(packed_float3, 12, 4) SA(packed_float4, 16, 4)
SA(packed_half3, 6, 2) SA(packed_char3, 3, 1) SA(packed_int3, 12, 4) SA(packed_ushort4, 8, 2)
SA(packed_long3, 24, 8) SA(packed_bool2, 2, 1) SA(packed_bfloat4, 8, 2) SA(packed_uint2, 8, 4)
SA(float2x2, 16, 8) SA(float3x3, 48, 16) SA(float4x4, 64, 16) SA(float2x4, 32, 16) SA(float4x2, 32, 8)
SA(half3x3, 24, 8) SA(half4x4, 32, 8) SA(half2x4, 16, 8) SA(bfloat4x4, 32, 8)
SA(atomic_int, 4, 4) SA(atomic_uint, 4, 4) SA(atomic_float, 4, 4) SA(atomic_bool, 1, 1)
#undef SA

// ---- type traits and limits ----------------------------------------------------------
static_assert(is_same_v<uint, unsigned int> && is_same_v<ulong, unsigned long>, "");
static_assert(is_floating_point_v<half> && is_floating_point_v<bfloat> && !is_integral_v<half>, "");
static_assert(is_integral_v<ushort> && is_signed_v<short> && is_unsigned_v<uint> && !is_signed_v<uint>, "");
static_assert(is_arithmetic_v<half> && is_scalar_v<float> && !is_scalar_v<float4> && is_vector_v<half3>, "");
static_assert(vec_elements<float3>::value == 3 && vec_elements_v<int2> == 2, "");
static_assert(is_same_v<enable_if_t<true, int>, int> && is_same_v<conditional_t<false, int, float>, float>, "");
static_assert(is_same_v<remove_cv_t<const volatile int>, int> && is_same_v<remove_reference_t<int &>, int>, "");
static_assert(is_same_v<remove_addrspace_t<float>, float> && is_same_v<make_unsigned_t<int>, uint>, "");
static_assert(is_same_v<make_signed_t<ushort>, short> && is_same_v<make_unsigned_t<int4>, uint4>, "");
static_assert(bool_constant<true>::value && true_type::value && !false_type::value, "");
static_assert(integral_constant<int, 3>::value == 3 && is_same_v<decltype(declval<int>()), int &&>, "");
static_assert(is_convertible_v<int, float> && !is_convertible_v<int *, float>, "");
static_assert(numeric_limits<int>::max() == INT_MAX && numeric_limits<uint>::max() == UINT_MAX, "");
static_assert(numeric_limits<short>::min() == SHRT_MIN && numeric_limits<ulong>::max() == ULONG_MAX, "");
static_assert(numeric_limits<float>::max() == FLT_MAX && numeric_limits<float>::epsilon() == FLT_EPSILON, "");
static_assert(numeric_limits<half>::max().pm_bits == 0x7BFF && numeric_limits<bfloat>::infinity().pm_bits == 0x7F80, "");
static_assert(float(numeric_limits<half>::max()) == 65504.0f && float(HALF_MAX) == 65504.0f, "");
// constexpr conversions (the software path)
static_assert(half(1.0f).pm_bits == 0x3C00 && half(-2.0f).pm_bits == 0xC000, "");
static_assert(half(65504.0f).pm_bits == 0x7BFF && half(65519.0f).pm_bits == 0x7BFF && half(65520.0f).pm_bits == 0x7C00, "");
static_assert(half(0x1p-24f).pm_bits == 0x0001 && half(0x1p-25f).pm_bits == 0x0000 && half(0x1.8p-25f).pm_bits == 0x0001, "");
static_assert(half(1.0f + 0x1p-11f).pm_bits == 0x3C00 && half(1.0f + 0x3p-11f).pm_bits == 0x3C02, "");
static_assert(float(half(detail::bits_tag{}, 0x0001)) == 0x1p-24f && float(half(detail::bits_tag{}, 0x3555)) == 0x1.554p-2f, "");
static_assert(bfloat(1.0f).pm_bits == 0x3F80 && bfloat(1.00390625f).pm_bits == 0x3F80 && bfloat(1.01171875f).pm_bits == 0x3F82, "");
static_assert(float(bfloat(3.0f)) == 3.0f && M_PI_F > 3.14f && float(M_PI_H) > 3.14f, "");
constexpr float4 kv(1, 2, 3, 4);
static_assert(kv.z == 3.0f, "");
PM_CONSTANT float4 kconst = float4(1.0f, 2.0f, 3.0f, 4.0f);
static constexpr half khalf = half(0.5f);
static constexpr metal::array<int, 3> karr = {{1, 2, 3}};
static_assert(karr.size() == 3 && karr[1] == 2 && khalf.pm_bits == 0x3800, "");

// ---- every function over every type ------------------------------------------------------
template <class T> using B = detail::b_t<T>;
template <class T> using I = detail::int_shape_t<T>;

#define FLOAT_NS_CALLS(ns)                                                                         \
    r = ns::acos(x); r = ns::acosh(w); r = ns::asin(x); r = ns::asinh(x); r = ns::atan(x);          \
    r = ns::atanh(x); r = ns::atan2(x, y); r = ns::ceil(x); r = ns::copysign(x, y); r = ns::cos(x); \
    r = ns::cosh(x); r = ns::cospi(x); r = ns::divide(x, y); r = ns::exp(x); r = ns::exp2(x);       \
    r = ns::exp10(x); r = ns::fabs(x); r = ns::abs(x); r = ns::fdim(x, y); r = ns::floor(x);        \
    r = ns::fma(x, y, z); r = ns::fmax(x, y); r = ns::fmin(x, y); r = ns::fmax3(x, y, z);           \
    r = ns::fmin3(x, y, z); r = ns::fmedian3(x, y, z); r = ns::fmod(x, y); r = ns::fract(x);        \
    r = ns::frexp(x, e); r = ns::ldexp(x, e); e = ns::ilogb(x); r = ns::log(w); r = ns::log2(w);    \
    r = ns::log10(w); r = ns::logb(w); r = ns::modf(x, r2); r = ns::nextafter(x, y); r = ns::pow(x, y); \
    r = ns::powr(x, y); r = ns::rint(x); r = ns::round(x); r = ns::rsqrt(x); r = ns::sin(x);       \
    r = ns::sincos(x, r2); r = ns::sinh(x); r = ns::sinpi(x); r = ns::sqrt(x); r = ns::tan(x);      \
    r = ns::tanh(x); r = ns::tanpi(x); r = ns::trunc(x); b = ns::isnan(x); b = ns::isinf(x);        \
    b = ns::isfinite(x); b = ns::isnormal(x); b = ns::signbit(x); r = ns::maxmag(x, y);             \
    r = ns::minmag(x, y); r = ns::max(x, y); r = ns::min(x, y); r = ns::clamp(x, y, z);            \
    r = ns::mix(x, y, z); r = ns::saturate(x); r = ns::sign(x); r = ns::smoothstep(y, z, x);        \
    r = ns::step(y, x); r = ns::min3(x, y, z); r = ns::max3(x, y, z); r = ns::median3(x, y, z);    \
    acc += r;

template <class T> T float_fns() {
    T x = T(0.5f), y = T(0.25f), z = T(0.75f), w = T(1.5f), r = T(0.0f), r2 = T(0.0f), acc = T(0.0f);
    I<T> e = I<T>(2);
    B<T> b;
    FLOAT_NS_CALLS(metal)
    FLOAT_NS_CALLS(metal::fast)
    FLOAT_NS_CALLS(metal::precise)
    b = isordered(x, y);
    b = isunordered(x, y);
    r = select(x, y, b);
    (void)b;
    return acc;
}
template <class V> void vec_fns() {
    typedef make_scalar_t<V> S;
    V a = V(S(1.0f)), c = V(S(2.0f));
    S s = dot(a, c) + length(a) + length_squared(a) + distance(a, c) + distance_squared(a, c);
    V r = normalize(a) + faceforward(a, c, a) + reflect(a, c) + refract(a, c, 0.5f);
    r += a * s;
    (void)r;
}
template <class T> T int_fns() {
    T x = T(5), y = T(3), z = T(1), r = T(0), acc = T(0);
    r = abs(x); r = absdiff(x, y); r = addsat(x, y); r = subsat(x, y); r = clamp(x, y, z);
    r = clz(x); r = ctz(x); r = popcount(x); r = extract_bits(x, 1, 2); r = insert_bits(x, y, 1, 2);
    r = hadd(x, y); r = rhadd(x, y); r = mad24(x, y, z); r = mul24(x, y); r = madhi(x, y, z);
    r = mulhi(x, y); r = rotate(x, y); r = reverse_bits(x); r = max(x, y); r = min(x, y);
    r = max3(x, y, z); r = min3(x, y, z); r = median3(x, y, z); r = madsat(x, y, z);
    acc += r;
    r = select(x, y, x > y);
    acc += r;
    return acc;
}
template <class T> void vec_ops() {
    typedef make_scalar_t<T> S;
    T a = T(S(3)), c = T(S(1));
    T r = a + c; r = a - c; r = a * c; r = a / c; r = -a; r = +a;
    r = a + S(1); r = S(1) + a; r = a * 2; r = 2 * a;
    r += c; r -= c; r *= c; r /= c; r += S(1); r *= 2;
    ++r; r++; --r; r--;
    B<T> b = a == c; b = a != c; b = a < c; b = a <= c; b = a > c; b = a >= c; b = a < S(2);
    b = !b; b = b && b; b = b || b;
    CHECK(metal::all(a == a) && !metal::any(a != a));
    (void)b;
}
template <class T> void int_vec_ops() {
    typedef make_scalar_t<T> S;
    T a = T(S(6)), c = T(S(1));
    T r = a % c; r = a & c; r = a | c; r = a ^ c; r = a << c; r = a >> c; r = ~a;
    r %= c; r &= c; r |= c; r ^= c; r <<= c; r >>= c; r <<= 1;
    (void)r;
}
template <class M> void matrix_fns() {
    typedef typename M::column_type C;
    M m(1.0f), n = m * 2.0f;
    m = m + n; m = m - n; m = -m; m += n; m -= n;
    C v = C(1.0f);
    auto mv = m * vec<make_scalar_t<C>, sizeof(M) / sizeof(C)>(1.0f);
    auto vm = v * m;
    auto t = transpose(m);
    auto mt = m * t;
    (void)mv; (void)vm; (void)mt;
    CHECK(m == m && !(m != m));
}
template <class T> void atomic_fns(T one) {
    static atomic<T> a; /* atomics live in device/threadgroup memory, never on the stack */
    T exp = T(0);
    atomic_store_explicit(&a, T(0), memory_order_relaxed);
    atomic_store_explicit(&a, one, memory_order_relaxed);
    CHECK(atomic_load_explicit(&a, memory_order_relaxed) == one);
    CHECK(atomic_exchange_explicit(&a, T(0), memory_order_relaxed) == one);
    CHECK(atomic_compare_exchange_weak_explicit(&a, &exp, one, memory_order_relaxed, memory_order_relaxed));
    CHECK(!atomic_compare_exchange_strong_explicit(&a, &exp, one, memory_order_relaxed, memory_order_relaxed) && exp == one);
    if constexpr (!is_same_v<T, bool>) {
        CHECK(atomic_fetch_add_explicit(&a, one, memory_order_relaxed) == one);
        CHECK(atomic_fetch_sub_explicit(&a, one, memory_order_relaxed) == T(one + one));
        CHECK(atomic_fetch_max_explicit(&a, T(7), memory_order_relaxed) == one);
        CHECK(atomic_fetch_min_explicit(&a, T(2), memory_order_relaxed) == T(7));
        CHECK(atomic_load_explicit(&a, memory_order_relaxed) == T(2));
        if constexpr (is_integral_v<T>) {
            CHECK(atomic_fetch_or_explicit(&a, T(5), memory_order_relaxed) == T(2));
            CHECK(atomic_fetch_and_explicit(&a, T(6), memory_order_relaxed) == T(7));
            CHECK(atomic_fetch_xor_explicit(&a, T(3), memory_order_relaxed) == T(6));
            CHECK(atomic_load_explicit(&a, memory_order_relaxed) == T(5));
        }
    }
}
/* one thread, no scheduler: a SIMD group of one lane */
template <class T> void simd_fns(T v) {
    T r = simd_sum(v); CHECK(metal::all(r == v));
    r = simd_product(v); r = simd_min(v); r = simd_max(v); CHECK(metal::all(r == v));
    r = simd_prefix_inclusive_sum(v); CHECK(metal::all(r == v));
    r = simd_prefix_exclusive_sum(v); CHECK(metal::all(r == T(0)));
    r = simd_prefix_inclusive_product(v); r = simd_prefix_exclusive_product(v); CHECK(metal::all(r == T(1)));
    r = simd_shuffle(v, 0); r = simd_shuffle_up(v, 1); r = simd_shuffle_down(v, 1); r = simd_shuffle_xor(v, 1);
    r = simd_shuffle_rotate_up(v, 1); r = simd_shuffle_rotate_down(v, 1); r = simd_broadcast(v, 0);
    r = simd_broadcast_first(v); CHECK(metal::all(r == v));
    r = simd_shuffle_and_fill_up(v, v, 1); r = simd_shuffle_and_fill_down(v, v, 1);
    r = simd_shuffle_and_fill_up(v, v, 1, 4); r = simd_shuffle_and_fill_down(v, v, 1, 4);
    r = quad_sum(v); r = quad_product(v); r = quad_min(v); r = quad_max(v);
    r = quad_prefix_inclusive_sum(v); r = quad_prefix_exclusive_sum(v);
    r = quad_prefix_inclusive_product(v); r = quad_prefix_exclusive_product(v);
    r = quad_shuffle(v, 0); r = quad_shuffle_up(v, 1); r = quad_shuffle_down(v, 1); r = quad_shuffle_xor(v, 1);
    r = quad_shuffle_rotate_up(v, 1); r = quad_shuffle_rotate_down(v, 1); r = quad_broadcast(v, 0);
    r = quad_broadcast_first(v); r = quad_shuffle_and_fill_up(v, v, 1); r = quad_shuffle_and_fill_down(v, v, 1);
    CHECK(metal::all(r == v));
    if constexpr (is_integral_v<make_scalar_t<T>>) {
        r = simd_and(v); r = simd_or(v); r = simd_xor(v); CHECK(metal::all(r == v));
        r = quad_and(v); r = quad_or(v); r = quad_xor(v);
    }
}

#define FOR_FLOAT_TYPES(X) X(float) X(half) X(bfloat) X(float2) X(float3) X(float4) X(half2) X(half3) X(half4) \
    X(bfloat2) X(bfloat3) X(bfloat4)
#define FOR_INT_TYPES(X) X(char) X(uchar) X(short) X(ushort) X(int) X(uint) X(long) X(ulong) \
    X(char2) X(char3) X(char4) X(uchar2) X(uchar3) X(uchar4) X(short2) X(short3) X(short4) \
    X(ushort2) X(ushort3) X(ushort4) X(int2) X(int3) X(int4) X(uint2) X(uint3) X(uint4) \
    X(long2) X(long3) X(long4) X(ulong2) X(ulong3) X(ulong4)
#define FOR_FLOAT_VECS(X) X(float2) X(float3) X(float4) X(half2) X(half3) X(half4) X(bfloat2) X(bfloat3) X(bfloat4)
#define FOR_INT_VECS(X) X(char2) X(char3) X(char4) X(uchar2) X(uchar3) X(uchar4) X(short2) X(short3) X(short4) \
    X(ushort2) X(ushort3) X(ushort4) X(int2) X(int3) X(int4) X(uint2) X(uint3) X(uint4) \
    X(long2) X(long3) X(long4) X(ulong2) X(ulong3) X(ulong4)
#define FOR_MATRICES(X) X(float2x2) X(float2x3) X(float2x4) X(float3x2) X(float3x3) X(float3x4) X(float4x2) \
    X(float4x3) X(float4x4) X(half2x2) X(half2x3) X(half2x4) X(half3x2) X(half3x3) X(half3x4) X(half4x2) \
    X(half4x3) X(half4x4) X(bfloat2x2) X(bfloat3x3) X(bfloat4x4) X(bfloat2x4)

static void all_types() {
#define X(T) (void)float_fns<T>();
    FOR_FLOAT_TYPES(X)
#undef X
#define X(T) vec_fns<T>(); vec_ops<T>();
    FOR_FLOAT_VECS(X)
#undef X
#define X(T) (void)int_fns<T>();
    FOR_INT_TYPES(X)
#undef X
#define X(T) vec_ops<T>(); int_vec_ops<T>();
    FOR_INT_VECS(X)
#undef X
#define X(T) matrix_fns<T>();
    FOR_MATRICES(X)
#undef X
    atomic_fns<int>(1); atomic_fns<uint>(1u); atomic_fns<float>(1.5f); atomic_fns<bool>(true);
    atomic_fns<ulong>(1ul); atomic_fns<long>(1l);
#define X(T) simd_fns<T>(T(3));
    X(int) X(uint) X(float) X(half) X(short) X(ushort) X(long) X(ulong) X(int2) X(uint3) X(float4) X(half4) X(float3) X(half2) X(bfloat) X(bfloat4)
#undef X
    simd_vote v = simd_ballot(true);
    CHECK(v.all() && v.any() && (ulong)v == 1ul && simd_all(true) && !simd_any(false) && simd_is_first());
    CHECK((ulong)simd_active_threads_mask() == 1ul && !simd_is_helper_thread());
    quad_vote q = quad_ballot(true);
    CHECK(q.all() && quad_all(true) && !quad_any(false) && quad_is_first() && (ushort)quad_active_threads_mask() == 1);
    threadgroup_barrier(mem_flags::mem_threadgroup);
    threadgroup_barrier(mem_flags::mem_device | mem_flags::mem_threadgroup);
    simdgroup_barrier(mem_flags::mem_none);
    atomic_thread_fence(mem_flags::mem_device, memory_order_relaxed, thread_scope_device);
}

// ---- values ----------------------------------------------------------------------------
static void values() {
    // half: every bit pattern survives float and back; the runtime path matches the soft one
    for (uint b = 0; b < 65536u; ++b) {
        half h(detail::bits_tag{}, (ushort)b);
        float f = h;
        half back = f;
        bool nan_ = (b & 0x7C00u) == 0x7C00u && (b & 0x3FFu);
        CHECK(nan_ ? isnan(back) : back.pm_bits == b);
        CHECK(detail::f16_to_f32_soft((ushort)b) == f || nan_);
        bfloat bf(detail::bits_tag{}, (ushort)b);
        bfloat bback = float(bf);
        bool bnan = (b & 0x7F80u) == 0x7F80u && (b & 0x7Fu);
        CHECK(bnan ? isnan(bback) : bback.pm_bits == b);
    }
    uint seed = 12345u;
    for (int i = 0; i < 200000; ++i) {
        seed = seed * 1664525u + 1013904223u;
        float f = as_type<float>(seed);
        if (isnan(f)) continue;
        CHECK(half(f).pm_bits == detail::f32_to_f16_soft(f));
    }
    half h = 1.5f;
    half h2 = h * 2;
    float hf = h + 1.0f;
    CHECK(float(h2) == 3.0f && hf == 2.5f && h < 2.0f && -h == half(-1.5f) && h2 / h == half(2.0f));
    h2 += 1; h2 -= 0.5f; ++h2;
    CHECK(h2 == half(4.5f));
    bfloat bf = 2.0f;
    CHECK(float(bf * bf) == 4.0f && bf > 1);

    // vectors, swizzles
    float4 a(1, 2, 3, 4);
    CHECK(a.x == 1 && a.r == 1 && a.g == 2 && a.b == 3 && a.a == 4 && a[3] == 4);
    CHECK(metal::all(a.wzyx() == float4(4, 3, 2, 1)) && metal::all(a.xxy() == float3(1, 1, 2)) && metal::all(a.bgr() == float3(3, 2, 1)));
    a.xy_ref() = float2(5, 6);
    CHECK(metal::all(a == float4(5, 6, 3, 4)));
    a.zw_ref() += 1.0f;
    a.wx_ref() *= float2(2, 3);
    CHECK(metal::all(a == float4(15, 6, 4, 10)));
    a.rgb_ref() = float3(7);
    CHECK(metal::all(a == float4(7, 7, 7, 10)));
    a.b = 1;
    CHECK(a.z == 1);
    float3 f3 = float3(a.xy(), 9);
    float4 f4 = float4(f3, 0);
    f4 = float4(float2(1, 2), float2(3, 4));
    CHECK(metal::all(f4 == float4(1, 2, 3, 4)) && metal::all(float4(1, float2(2, 3), 4) == f4) && metal::all(float4(1, 2, float2(3, 4)) == f4));
    CHECK(metal::all(float4(1, float3(2, 3, 4)) == f4) && metal::all(float3(1, float2(2, 3)) == f4.xyz()));
    int4 i4 = int4(float4(1.7f, -1.7f, 2.0f, 3.5f));
    CHECK(metal::all(i4 == int4(1, -1, 2, 3)));
    half4 h4 = half4(f4);
    CHECK(metal::all(float4(h4) == f4) && metal::all(h4.yx() == half2(2, 1)));
    packed_float3 p = float3(1, 2, 3);
    float3 q = p;
    CHECK(metal::all(q == float3(1, 2, 3)) && p.y == 2 && p[2] == 3 && metal::all(p.zyx() == float3(3, 2, 1)));
    float3 pq = p + q;
    p += q;
    CHECK(metal::all(pq == float3(2, 4, 6)) && p.z == 6);
    bool3 bb = float3(1, 5, 3) > 2.0f;
    CHECK(!bb.x && bb.y && bb.z && metal::any(bb) && !metal::all(bb));
    uint2 u2 = uint2(0xF0u, 3u) >> 1u;
    CHECK(u2.x == 0x78u && u2.y == 1u);
    float2 zero = {};
    CHECK(zero.x == 0 && zero.y == 0);

    // select
    CHECK(metal::all(select(float4(1), float4(2), bool4(true, false, true, false)) == float4(2, 1, 2, 1)));
    CHECK(select(1, 2, true) == 2 && select(1.0f, 2.0f, false) == 1.0f);
    CHECK(metal::all(select(int3(1), int3(2), true) == int3(2)));

    // integer functions
    CHECK(clz(1u) == 31u && clz(0u) == 32u && clz(uchar(1)) == 7 && clz(ushort(0)) == 16 && clz(1ul) == 63ul);
    CHECK(ctz(8) == 3 && ctz(0u) == 32u && ctz(uchar(0)) == 8 && popcount(0xFFu) == 8u && popcount(-1l) == 64l);
    CHECK(metal::all(clz(uint2(1u, 0x80000000u)) == uint2(31u, 0u)));
    CHECK(reverse_bits(1u) == 0x80000000u && reverse_bits(uchar(1)) == 0x80 && reverse_bits(1ul) == 0x8000000000000000ul);
    CHECK(extract_bits(0xF0u, 4, 4) == 0xFu && extract_bits(int(0xF0), 4, 4) == -1 && extract_bits(0xF0, 0, 4) == 0);
    CHECK(insert_bits(0u, 0xFu, 4, 4) == 0xF0u && insert_bits(0xFFu, 0u, 0, 4) == 0xF0u);
    CHECK(addsat(uchar(200), uchar(100)) == 255 && addsat(char(100), char(100)) == 127 && addsat(INT_MAX, 1) == INT_MAX);
    CHECK(subsat(0u, 1u) == 0u && subsat(char(-100), char(100)) == -128 && subsat(LONG_MIN, 1l) == LONG_MIN);
    CHECK(mulhi(0x80000000u, 4u) == 2u && mulhi(-1, 1) == -1 && mulhi(0x8000000000000000ul, 4ul) == 2ul);
    CHECK(rotate(0x80000001u, 1u) == 3u && rotate(uchar(0x81), uchar(4)) == 0x18 && rotate(1u, 0u) == 1u);
    CHECK(absdiff(3, 10) == 7 && hadd(7, 8) == 7 && rhadd(7, 8) == 8 && abs(-3) == 3 && abs(short(-4)) == 4);
    CHECK(max(3, 4) == 4 && min(3u, 4u) == 3u && clamp(10, 0, 5) == 5 && median3(1, 9, 5) == 5);

    // math
    CHECK(sinpi(1.0f) == 0.0f && cospi(0.5f) == 0.0f && sinpi(0.5f) == 1.0f && cospi(1.0f) == -1.0f);
    NEAR(sin(1.0f), 0.84147098f, 1e-6f);
    NEAR(fast::exp(1.0f), 2.7182818f, 1e-5f);
    NEAR(precise::tanh(0.5f), 0.46211716f, 1e-6f);
    NEAR(exp10(2.0f), 100.0f, 1e-4f);
    NEAR(rsqrt(4.0f), 0.5f, 1e-6f);
    NEAR(tanpi(0.25f), 1.0f, 1e-6f);
    CHECK(fract(-0.25f) == 0.75f && fract(1.5f) == 0.5f && fmedian3(1.0f, 3.0f, 2.0f) == 2.0f);
    CHECK(maxmag(-3.0f, 2.0f) == -3.0f && minmag(-3.0f, 2.0f) == 2.0f && fmax(NAN, 1.0f) == 1.0f);
    CHECK(fmax3(1.0f, 5.0f, 3.0f) == 5.0f && fmin3(1.0f, 5.0f, 3.0f) == 1.0f && fdim(5.0f, 3.0f) == 2.0f);
    int ex = 0;
    CHECK(frexp(8.0f, ex) == 0.5f && ex == 4 && ldexp(0.5f, 4) == 8.0f && ilogb(8.0f) == 3);
    float ip = 0;
    CHECK(modf(2.5f, ip) == 0.5f && ip == 2.0f);
    float cs = 0;
    CHECK(sincos(0.0f, cs) == 0.0f && cs == 1.0f);
    CHECK(isnan(nan(1u)) && isnan(NAN) && isinf(INFINITY) && !isfinite(HUGE_VALF) && isfinite(1.0f) && signbit(-1.0f));
    CHECK(isnormal(1.0f) && !isnormal(0x1p-130f) && !isnormal(half(0x1p-20f)) && isnormal(half(0.5f)));
    CHECK(metal::all(isnan(float2(NAN, 1)) == bool2(true, false)) && isordered(1.0f, 2.0f) && isunordered(NAN, 1.0f));
    CHECK(metal::all(abs(float2(-1, 2)) == float2(1, 2)) && metal::all(max(float3(1, 5, 3), 2.0f) == float3(2, 5, 3)));
    CHECK(metal::all(clamp(float4(-1, 0.5f, 2, 0), 0.0f, 1.0f) == float4(0, 0.5f, 1, 0)));
    CHECK(mix(0.0f, 10.0f, 0.25f) == 2.5f && saturate(2.0f) == 1.0f && sign(-2.0f) == -1.0f && step(1.0f, 2.0f) == 1.0f);
    CHECK(smoothstep(0.0f, 1.0f, 0.5f) == 0.5f && max(half(1), half(2)) == half(2) && abs(half(-1)) == half(1));
    NEAR(sin(half(1.0f)), 0.8413f, 1e-3f);
    NEAR(pow(2.0f, 10.0f), 1024.0f, 1e-3f);
    NEAR(sqrt(2), 1.41421356f, 1e-6f);
    NEAR(exp(0.5 * 2.0f), 2.7182818f, 1e-5f);
    CHECK(metal::all(fma(float2(1, 2), 3.0f, float2(1)) == float2(4, 7)));

    // geometric
    CHECK(dot(float3(1, 2, 3), float3(4, 5, 6)) == 32.0f && metal::all(cross(float3(1, 0, 0), float3(0, 1, 0)) == float3(0, 0, 1)));
    CHECK(length(float2(3, 4)) == 5.0f && distance(float2(0), float2(3, 4)) == 5.0f && length_squared(float2(3, 4)) == 25.0f);
    NEAR(length(normalize(float3(1, 2, 3))), 1.0f, 1e-6f);
    CHECK(metal::all(reflect(float2(1, -1), float2(0, 1)) == float2(1, 1)) && dot(half2(1, 2), half2(3, 4)) == half(11));

    // as_type
    CHECK(as_type<uint>(1.0f) == 0x3F800000u && as_type<float>(0x40000000u) == 2.0f);
    CHECK(as_type<ushort>(half(1.0f)) == 0x3C00 && metal::all(as_type<ushort2>(0x3C003C00u) == ushort2(0x3C00)));
    CHECK(metal::all(as_type<half2>(as_type<uint>(half2(1, 2))) == half2(1, 2)) && as_type<int>(uchar4(1, 0, 0, 0)) == 1);

    // matrices
    float2x2 m(float2(1, 2), float2(3, 4)); /* columns */
    CHECK(m[1][0] == 3 && metal::all(m * float2(1, 1) == float2(4, 6)) && metal::all(float2(1, 1) * m == float2(3, 7)));
    float2x2 mm = m * m;
    CHECK(metal::all(mm[0] == float2(7, 10)) && metal::all(mm[1] == float2(15, 22)) && determinant(m) == -2.0f);
    CHECK(metal::all(transpose(m)[0] == float2(1, 3)) && determinant(float3x3(2.0f)) == 8.0f && determinant(float4x4(2.0f)) == 16.0f);
    float4x4 m4(1, 2, 0, 0, 3, 4, 0, 0, 0, 0, 5, 0, 0, 0, 0, 1);
    CHECK(determinant(m4) == -10.0f && metal::all(m4[1] == float4(3, 4, 0, 0)));
    float2x3 m23(float3(1, 2, 3), float3(4, 5, 6));
    float3 v3 = m23 * float2(1, 1);
    float3x2 m32 = transpose(m23);
    float2x2 p22 = m32 * m23;
    CHECK(metal::all(v3 == float3(5, 7, 9)) && p22[0][0] == 14 && p22[1][1] == 77);
    half4x4 h44 = half4x4(m4);
    CHECK(metal::all(h44[0] == half4(1, 2, 0, 0)));
    metal::array<float, 4> arr = {{1, 2, 3, 4}};
    float sum = 0;
    for (float x : arr) sum += x;
    CHECK(sum == 10 && arr.size() == 4 && arr.back() == 4);
    CHECK(kconst.y == 2.0f && float(khalf) == 0.5f);
}

int main() {
    all_types();
    values();
    if (failures) __builtin_printf("%d failures\n", failures);
    else __builtin_printf("prelude: all checks passed\n");
    return failures ? 1 : 0;
}

// types.h: scalar types, type traits, half/bfloat, numeric_limits and the limit/constant
// macros of Apple's headers. No standard headers (NVRTC has none).
#ifndef PM_TYPES_H
#define PM_TYPES_H

#define METAL_FUNC inline __attribute__((always_inline))
#define __METAL_STDLIB_PM__ 1

namespace metal {

typedef unsigned char uchar;
typedef unsigned short ushort;
typedef unsigned int uint;
typedef unsigned long ulong;
typedef unsigned long size_t;
typedef long ptrdiff_t;
typedef signed char int8_t;
typedef unsigned char uint8_t;
typedef short int16_t;
typedef unsigned short uint16_t;
typedef int int32_t;
typedef unsigned int uint32_t;
typedef long int64_t;
typedef unsigned long uint64_t;
typedef long intptr_t;
typedef unsigned long uintptr_t;
static_assert(sizeof(long) == 8, "MSL long is 64-bit");

// ---- type traits -------------------------------------------------------------------
template <class T, T v> struct integral_constant {
    static constexpr T value = v;
    typedef T value_type;
    typedef integral_constant type;
    constexpr operator value_type() const { return value; }
    constexpr value_type operator()() const { return value; }
};
template <bool B> using bool_constant = integral_constant<bool, B>;
typedef bool_constant<true> true_type;
typedef bool_constant<false> false_type;

template <class A, class B> struct is_same : false_type {};
template <class A> struct is_same<A, A> : true_type {};
template <class A, class B> constexpr bool is_same_v = is_same<A, B>::value;

template <bool B, class T = void> struct enable_if {};
template <class T> struct enable_if<true, T> { typedef T type; };
template <bool B, class T = void> using enable_if_t = typename enable_if<B, T>::type;

template <bool B, class T, class F> struct conditional { typedef T type; };
template <class T, class F> struct conditional<false, T, F> { typedef F type; };
template <bool B, class T, class F> using conditional_t = typename conditional<B, T, F>::type;

template <class T> struct remove_const { typedef T type; };
template <class T> struct remove_const<const T> { typedef T type; };
template <class T> struct remove_volatile { typedef T type; };
template <class T> struct remove_volatile<volatile T> { typedef T type; };
template <class T> struct remove_cv { typedef typename remove_volatile<typename remove_const<T>::type>::type type; };
template <class T> using remove_const_t = typename remove_const<T>::type;
template <class T> using remove_volatile_t = typename remove_volatile<T>::type;
template <class T> using remove_cv_t = typename remove_cv<T>::type;
template <class T> struct remove_reference { typedef T type; };
template <class T> struct remove_reference<T &> { typedef T type; };
template <class T> struct remove_reference<T &&> { typedef T type; };
template <class T> using remove_reference_t = typename remove_reference<T>::type;
template <class T> struct remove_pointer { typedef T type; };
template <class T> struct remove_pointer<T *> { typedef T type; };
template <class T> struct remove_pointer<T *const> { typedef T type; };
template <class T> using remove_pointer_t = typename remove_pointer<T>::type;
/* address spaces are erased by the translator */
template <class T> struct remove_addrspace { typedef T type; };
template <class T> using remove_addrspace_t = typename remove_addrspace<T>::type;
template <class T> struct add_const { typedef const T type; };
template <class T> using add_const_t = const T;
template <class T> struct remove_extent { typedef T type; };
template <class T> struct remove_extent<T[]> { typedef T type; };
template <class T, unsigned long N> struct remove_extent<T[N]> { typedef T type; };
template <class T> using remove_extent_t = typename remove_extent<T>::type;
template <class T> struct decay { typedef remove_cv_t<remove_reference_t<T>> type; };
template <class T> using decay_t = typename decay<T>::type;
template <class...> using void_t = void;
template <class T> T &&declval() noexcept;

template <class T> struct is_const : false_type {};
template <class T> struct is_const<const T> : true_type {};
template <class T> constexpr bool is_const_v = is_const<T>::value;
template <class T> struct is_volatile : false_type {};
template <class T> struct is_volatile<volatile T> : true_type {};
template <class T> constexpr bool is_volatile_v = is_volatile<T>::value;
template <class T> struct is_pointer : false_type {};
template <class T> struct is_pointer<T *> : true_type {};
template <class T> struct is_pointer<T *const> : true_type {};
template <class T> constexpr bool is_pointer_v = is_pointer<T>::value;
template <class T> struct is_reference : false_type {};
template <class T> struct is_reference<T &> : true_type {};
template <class T> struct is_reference<T &&> : true_type {};
template <class T> constexpr bool is_reference_v = is_reference<T>::value;
template <class T> struct is_void : is_same<remove_cv_t<T>, void> {};
template <class T> constexpr bool is_void_v = is_void<T>::value;
template <class T> struct is_array : false_type {};
template <class T> struct is_array<T[]> : true_type {};
template <class T, unsigned long N> struct is_array<T[N]> : true_type {};
template <class T> constexpr bool is_array_v = is_array<T>::value;
template <class T> struct is_class : bool_constant<__is_class(T)> {};
template <class T> constexpr bool is_class_v = __is_class(T);
template <class T> struct is_enum : bool_constant<__is_enum(T)> {};
template <class T> constexpr bool is_enum_v = __is_enum(T);
template <class B, class D> struct is_base_of : bool_constant<__is_base_of(B, D)> {};
template <class B, class D> constexpr bool is_base_of_v = __is_base_of(B, D);
template <class T> struct is_trivially_copyable : bool_constant<__is_trivially_copyable(T)> {};
template <class T> constexpr bool is_trivially_copyable_v = __is_trivially_copyable(T);
namespace detail {
template <class T> void conv_test(T) noexcept;
template <class F, class T, class = void> struct is_conv : false_type {};
template <class F, class T> struct is_conv<F, T, decltype(conv_test<T>(declval<F>()))> : true_type {};
template <class T> struct type_identity { typedef T type; };
template <class T> using type_identity_t = typename type_identity<T>::type;
} // namespace detail
template <class F, class T>
struct is_convertible : bool_constant<detail::is_conv<F, T>::value || (is_void_v<F> && is_void_v<T>)> {};
template <class F, class T> constexpr bool is_convertible_v = is_convertible<F, T>::value;

struct half;
struct bfloat;
typedef bfloat bfloat16_t;
template <class T, int N> struct vec;

namespace detail {
template <class T> struct int_info { static constexpr int kind = 0; };  /* 0 none, 1 signed, 2 unsigned, 3 bool */
template <> struct int_info<bool> { static constexpr int kind = 3; };
template <> struct int_info<char> { static constexpr int kind = ((char)-1 < 0) ? 1 : 2; };
template <> struct int_info<signed char> { static constexpr int kind = 1; };
template <> struct int_info<unsigned char> { static constexpr int kind = 2; };
template <> struct int_info<short> { static constexpr int kind = 1; };
template <> struct int_info<unsigned short> { static constexpr int kind = 2; };
template <> struct int_info<int> { static constexpr int kind = 1; };
template <> struct int_info<unsigned int> { static constexpr int kind = 2; };
template <> struct int_info<long> { static constexpr int kind = 1; };
template <> struct int_info<unsigned long> { static constexpr int kind = 2; };
template <> struct int_info<long long> { static constexpr int kind = 1; };
template <> struct int_info<unsigned long long> { static constexpr int kind = 2; };
template <class T> struct flt_info { static constexpr int kind = 0; };  /* 1 float, 2 half, 3 bfloat, 4 double */
template <> struct flt_info<float> { static constexpr int kind = 1; };
template <> struct flt_info<half> { static constexpr int kind = 2; };
template <> struct flt_info<bfloat> { static constexpr int kind = 3; };
template <> struct flt_info<double> { static constexpr int kind = 4; };
} // namespace detail

template <class T> struct is_integral : bool_constant<detail::int_info<remove_cv_t<T>>::kind != 0> {};
template <class T> constexpr bool is_integral_v = is_integral<T>::value;
template <class T> struct is_floating_point : bool_constant<detail::flt_info<remove_cv_t<T>>::kind != 0> {};
template <class T> constexpr bool is_floating_point_v = is_floating_point<T>::value;
template <class T> struct is_arithmetic : bool_constant<is_integral_v<T> || is_floating_point_v<T>> {};
template <class T> constexpr bool is_arithmetic_v = is_arithmetic<T>::value;
template <class T>
struct is_signed : bool_constant<detail::int_info<remove_cv_t<T>>::kind == 1 || is_floating_point_v<T>> {};
template <class T> constexpr bool is_signed_v = is_signed<T>::value;
template <class T>
struct is_unsigned : bool_constant<detail::int_info<remove_cv_t<T>>::kind == 2 || detail::int_info<remove_cv_t<T>>::kind == 3> {};
template <class T> constexpr bool is_unsigned_v = is_unsigned<T>::value;
/* MSL: scalar = arithmetic (bool, integers, half, bfloat, float) */
template <class T> struct is_scalar : bool_constant<is_arithmetic_v<T> || is_pointer_v<T> || is_enum_v<T>> {};
template <class T> constexpr bool is_scalar_v = is_scalar<T>::value;
template <class T> struct is_vector : false_type {};
template <class T, int N> struct is_vector<vec<T, N>> : true_type {};
template <class T> struct is_vector<const T> : is_vector<T> {};
template <class T> constexpr bool is_vector_v = is_vector<T>::value;
template <class T> struct vec_elements : integral_constant<int, 1> {};
template <class T, int N> struct vec_elements<vec<T, N>> : integral_constant<int, N> {};
template <class T> struct vec_elements<const T> : vec_elements<T> {};
template <class T> constexpr int vec_elements_v = vec_elements<T>::value;
template <class T> struct make_scalar { typedef T type; };
template <class T, int N> struct make_scalar<vec<T, N>> { typedef T type; };
template <class T> using make_scalar_t = typename make_scalar<T>::type;

template <class T> struct make_unsigned { typedef T type; };
template <> struct make_unsigned<char> { typedef unsigned char type; };
template <> struct make_unsigned<signed char> { typedef unsigned char type; };
template <> struct make_unsigned<short> { typedef unsigned short type; };
template <> struct make_unsigned<int> { typedef unsigned int type; };
template <> struct make_unsigned<long> { typedef unsigned long type; };
template <> struct make_unsigned<long long> { typedef unsigned long long type; };
template <class T, int N> struct make_unsigned<vec<T, N>> { typedef vec<typename make_unsigned<T>::type, N> type; };
template <class T> using make_unsigned_t = typename make_unsigned<T>::type;
template <class T> struct make_signed { typedef T type; };
template <> struct make_signed<char> { typedef signed char type; };
template <> struct make_signed<unsigned char> { typedef signed char type; };
template <> struct make_signed<unsigned short> { typedef short type; };
template <> struct make_signed<unsigned int> { typedef int type; };
template <> struct make_signed<unsigned long> { typedef long type; };
template <> struct make_signed<unsigned long long> { typedef long long type; };
template <class T, int N> struct make_signed<vec<T, N>> { typedef vec<typename make_signed<T>::type, N> type; };
template <class T> using make_signed_t = typename make_signed<T>::type;

// ---- half and bfloat -----------------------------------------------------------------
namespace detail {
constexpr unsigned short f32_to_f16_soft(float f) {
    unsigned x = PM_BIT_CAST(unsigned, f);
    unsigned sign = (x >> 16) & 0x8000u, ax = x & 0x7FFFFFFFu;
    if (ax > 0x7F800000u) return (unsigned short)(sign | 0x7E00u | ((ax >> 13) & 0x3FFu));
    if (ax >= 0x47800000u) return (unsigned short)(sign | 0x7C00u);
    if (ax >= 0x38800000u) {
        unsigned r = ax - 0x38000000u;
        return (unsigned short)(sign | ((r + 0xFFFu + ((r >> 13) & 1u)) >> 13));
    }
    unsigned e = ax >> 23;
    if (e < 102) return (unsigned short)sign;
    unsigned m = (ax & 0x7FFFFFu) | 0x800000u, s = 126u - e;
    unsigned q = m >> s, rem = m & ((1u << s) - 1u), halfway = 1u << (s - 1u);
    if (rem > halfway || (rem == halfway && (q & 1u))) ++q;
    return (unsigned short)(sign | q);
}
constexpr float f16_to_f32_soft(unsigned short h) {
    unsigned sign = (unsigned)(h & 0x8000u) << 16, e = (h >> 10) & 0x1Fu, m = h & 0x3FFu, bits = 0;
    if (e == 0x1F) bits = sign | 0x7F800000u | (m << 13);
    else if (e != 0) bits = sign | ((e + 112u) << 23) | (m << 13);
    else if (m == 0) bits = sign;
    else {
        e = 113;
        while (!(m & 0x400u)) { m <<= 1; --e; }
        bits = sign | (e << 23) | ((m & 0x3FFu) << 13);
    }
    return PM_BIT_CAST(float, bits);
}
PM_INLINE constexpr unsigned short f2h(float f) {
#ifdef PM_HAVE_F16_HOOKS
    if (!__builtin_is_constant_evaluated()) return f32_to_f16(f);
#endif
    return f32_to_f16_soft(f);
}
PM_INLINE constexpr float h2f(unsigned short h) {
#ifdef PM_HAVE_F16_HOOKS
    if (!__builtin_is_constant_evaluated()) return f16_to_f32(h);
#endif
    return f16_to_f32_soft(h);
}
PM_INLINE constexpr unsigned short f2bf(float f) {
    unsigned x = PM_BIT_CAST(unsigned, f);
    if ((x & 0x7FFFFFFFu) > 0x7F800000u) return (unsigned short)((x >> 16) | 0x40u);
    return (unsigned short)((x + 0x7FFFu + ((x >> 16) & 1u)) >> 16);
}
PM_INLINE constexpr float bf2f(unsigned short b) { return PM_BIT_CAST(float, (unsigned)b << 16); }
struct bits_tag {};
} // namespace detail

/* 16-bit float types: storage only, arithmetic in float. */
#define PM_F16_TYPE(H, TO, FROM)                                                               \
    struct H {                                                                                 \
        unsigned short pm_bits;                                                                \
        H() = default;                                                                         \
        PM_INLINE constexpr H(float f) : pm_bits(detail::TO(f)) {}                             \
        PM_INLINE constexpr H(detail::bits_tag, unsigned short b) : pm_bits(b) {}              \
        PM_INLINE constexpr operator float() const { return detail::FROM(pm_bits); }           \
    };
PM_F16_TYPE(half, f2h, h2f)
PM_F16_TYPE(bfloat, f2bf, bf2f)
#undef PM_F16_TYPE

namespace detail {
template <class U> constexpr bool is_builtin_arith_v = int_info<U>::kind != 0 || flt_info<U>::kind == 1 || flt_info<U>::kind == 4;
/* H op U: float for float/double, H for integers (MSL's usual arithmetic conversions) */
template <class H, class U> using h_mix_t = conditional_t<flt_info<U>::kind != 0, float, H>;
template <class H, class U> using h_enable_t = enable_if_t<is_builtin_arith_v<U>, int>;
} // namespace detail

#define PM_F16_BINOP(H, op)                                                                        \
    PM_INLINE constexpr H operator op(H a, H b) { return H(float(a) op float(b)); }                \
    template <class U, detail::h_enable_t<H, U> = 0>                                               \
    PM_INLINE constexpr detail::h_mix_t<H, U> operator op(H a, U b) {                              \
        return detail::h_mix_t<H, U>(float(a) op float(b));                                        \
    }                                                                                              \
    template <class U, detail::h_enable_t<H, U> = 0>                                               \
    PM_INLINE constexpr detail::h_mix_t<H, U> operator op(U a, H b) {                              \
        return detail::h_mix_t<H, U>(float(a) op float(b));                                        \
    }                                                                                              \
    PM_INLINE constexpr H &operator op##=(H & a, H b) { return a = H(float(a) op float(b)); }      \
    template <class U, detail::h_enable_t<H, U> = 0> PM_INLINE constexpr H &operator op##=(H & a, U b) { \
        return a = H(float(a) op float(b));                                                        \
    }
#define PM_F16_CMP(H, op)                                                                          \
    PM_INLINE constexpr bool operator op(H a, H b) { return float(a) op float(b); }                \
    template <class U, detail::h_enable_t<H, U> = 0> PM_INLINE constexpr bool operator op(H a, U b) { \
        return float(a) op float(b);                                                               \
    }                                                                                              \
    template <class U, detail::h_enable_t<H, U> = 0> PM_INLINE constexpr bool operator op(U a, H b) { \
        return float(a) op float(b);                                                               \
    }
#define PM_F16_OPS(H, SIGN)                                                                        \
    PM_F16_BINOP(H, +) PM_F16_BINOP(H, -) PM_F16_BINOP(H, *) PM_F16_BINOP(H, /)                   \
    PM_F16_CMP(H, ==) PM_F16_CMP(H, !=) PM_F16_CMP(H, <) PM_F16_CMP(H, <=) PM_F16_CMP(H, >)        \
    PM_F16_CMP(H, >=)                                                                              \
    PM_INLINE constexpr H operator-(H a) { return H(detail::bits_tag{}, (unsigned short)(a.pm_bits ^ SIGN)); } \
    PM_INLINE constexpr H operator+(H a) { return a; }                                             \
    PM_INLINE constexpr H &operator++(H & a) { return a = H(float(a) + 1.0f); }                    \
    PM_INLINE constexpr H &operator--(H & a) { return a = H(float(a) - 1.0f); }                    \
    PM_INLINE constexpr H operator++(H & a, int) { H r = a; a = H(float(a) + 1.0f); return r; }    \
    PM_INLINE constexpr H operator--(H & a, int) { H r = a; a = H(float(a) - 1.0f); return r; }
PM_F16_OPS(half, 0x8000u)
PM_F16_OPS(bfloat, 0x8000u)
#undef PM_F16_OPS
#undef PM_F16_CMP
#undef PM_F16_BINOP

// ---- numeric_limits ------------------------------------------------------------------
enum float_round_style { round_indeterminate = -1, round_toward_zero = 0, round_to_nearest = 1 };
enum float_denorm_style { denorm_indeterminate = -1, denorm_absent = 0, denorm_present = 1 };

template <class T> struct numeric_limits {
    static constexpr bool is_specialized = false;
};
template <class T> struct numeric_limits<const T> : numeric_limits<T> {};

#define PM_LIMITS_INT(T, MIN, MAX, DIGITS, DIGITS10, SIGNED)                                      \
    template <> struct numeric_limits<T> {                                                        \
        static constexpr bool is_specialized = true, is_signed = SIGNED, is_integer = true;       \
        static constexpr bool is_exact = true, has_infinity = false, has_quiet_NaN = false;       \
        static constexpr bool has_signaling_NaN = false, is_iec559 = false, is_bounded = true;    \
        static constexpr bool is_modulo = !SIGNED;                                                \
        static constexpr float_round_style round_style = round_toward_zero;                       \
        static constexpr float_denorm_style has_denorm = denorm_absent;                           \
        static constexpr int digits = DIGITS, digits10 = DIGITS10, max_digits10 = 0, radix = 2;   \
        static constexpr int min_exponent = 0, min_exponent10 = 0, max_exponent = 0, max_exponent10 = 0; \
        static constexpr T min() { return MIN; }                                                  \
        static constexpr T max() { return MAX; }                                                  \
        static constexpr T lowest() { return MIN; }                                               \
        static constexpr T epsilon() { return 0; }                                                \
        static constexpr T round_error() { return 0; }                                            \
        static constexpr T infinity() { return 0; }                                               \
        static constexpr T quiet_NaN() { return 0; }                                              \
        static constexpr T signaling_NaN() { return 0; }                                          \
        static constexpr T denorm_min() { return 0; }                                             \
    };
PM_LIMITS_INT(bool, false, true, 1, 0, false)
PM_LIMITS_INT(char, (char)((char)-1 < 0 ? -128 : 0), (char)((char)-1 < 0 ? 127 : 255), ((char)-1 < 0 ? 7 : 8), 2, ((char)-1 < 0))
PM_LIMITS_INT(signed char, -128, 127, 7, 2, true)
PM_LIMITS_INT(unsigned char, 0, 255, 8, 2, false)
PM_LIMITS_INT(short, -32768, 32767, 15, 4, true)
PM_LIMITS_INT(unsigned short, 0, 65535, 16, 4, false)
PM_LIMITS_INT(int, -2147483647 - 1, 2147483647, 31, 9, true)
PM_LIMITS_INT(unsigned int, 0u, 4294967295u, 32, 9, false)
PM_LIMITS_INT(long, -9223372036854775807L - 1, 9223372036854775807L, 63, 18, true)
PM_LIMITS_INT(unsigned long, 0ul, 18446744073709551615ul, 64, 19, false)
PM_LIMITS_INT(long long, -9223372036854775807LL - 1, 9223372036854775807LL, 63, 18, true)
PM_LIMITS_INT(unsigned long long, 0ull, 18446744073709551615ull, 64, 19, false)
#undef PM_LIMITS_INT

#define PM_LIMITS_FLT(T, MK, MIN, MAX, LOW, EPS, INF, QNAN, SNAN, DMIN, DIG, DIG10, MAXD10, MINE, MINE10, MAXE, MAXE10) \
    template <> struct numeric_limits<T> {                                                        \
        static constexpr bool is_specialized = true, is_signed = true, is_integer = false;        \
        static constexpr bool is_exact = false, has_infinity = true, has_quiet_NaN = true;        \
        static constexpr bool has_signaling_NaN = true, is_iec559 = true, is_bounded = true;      \
        static constexpr bool is_modulo = false;                                                  \
        static constexpr float_round_style round_style = round_to_nearest;                        \
        static constexpr float_denorm_style has_denorm = denorm_present;                          \
        static constexpr int digits = DIG, digits10 = DIG10, max_digits10 = MAXD10, radix = 2;    \
        static constexpr int min_exponent = MINE, min_exponent10 = MINE10;                        \
        static constexpr int max_exponent = MAXE, max_exponent10 = MAXE10;                        \
        static constexpr T min() { return MK(MIN); }                                              \
        static constexpr T max() { return MK(MAX); }                                              \
        static constexpr T lowest() { return MK(LOW); }                                           \
        static constexpr T epsilon() { return MK(EPS); }                                          \
        static constexpr T round_error() { return T(0.5f); }                                      \
        static constexpr T infinity() { return MK(INF); }                                         \
        static constexpr T quiet_NaN() { return MK(QNAN); }                                       \
        static constexpr T signaling_NaN() { return MK(SNAN); }                                   \
        static constexpr T denorm_min() { return MK(DMIN); }                                      \
    };
#define PM_MK_F(b) PM_BIT_CAST(float, (unsigned)(b))
#define PM_MK_H(b) half(detail::bits_tag{}, (unsigned short)(b))
#define PM_MK_B(b) bfloat(detail::bits_tag{}, (unsigned short)(b))
PM_LIMITS_FLT(float, PM_MK_F, 0x00800000u, 0x7F7FFFFFu, 0xFF7FFFFFu, 0x34000000u, 0x7F800000u, 0x7FC00000u,
              0x7FA00000u, 0x00000001u, 24, 6, 9, -125, -37, 128, 38)
PM_LIMITS_FLT(half, PM_MK_H, 0x0400u, 0x7BFFu, 0xFBFFu, 0x1400u, 0x7C00u, 0x7E00u, 0x7D00u, 0x0001u, 11, 3, 5,
              -13, -4, 16, 4)
PM_LIMITS_FLT(bfloat, PM_MK_B, 0x0080u, 0x7F7Fu, 0xFF7Fu, 0x3C00u, 0x7F80u, 0x7FC0u, 0x7FA0u, 0x0001u, 8, 2, 4,
              -125, -37, 128, 38)
#undef PM_MK_F
#undef PM_MK_H
#undef PM_MK_B
#undef PM_LIMITS_FLT

} // namespace metal

// ---- macros of Apple's headers (<metal_limits>, <metal_math>) -------------------------
#ifndef FLT_MAX
#define FLT_DIG 6
#define FLT_MANT_DIG 24
#define FLT_MAX_10_EXP +38
#define FLT_MAX_EXP +128
#define FLT_MIN_10_EXP -37
#define FLT_MIN_EXP -125
#define FLT_RADIX 2
#define FLT_MAX 0x1.fffffep127f
#define FLT_MIN 0x1.0p-126f
#define FLT_EPSILON 0x1.0p-23f
#endif
#ifndef HALF_MAX
#define HALF_DIG 2
#define HALF_MANT_DIG 11
#define HALF_MAX_10_EXP +4
#define HALF_MAX_EXP +16
#define HALF_MIN_10_EXP -4
#define HALF_MIN_EXP -13
#define HALF_RADIX 2
#define HALF_MAX (::metal::half(65504.0f))
#define HALF_MIN (::metal::half(0x1.0p-14f))
#define HALF_EPSILON (::metal::half(0x1.0p-10f))
#define MAXHALF HALF_MAX
#define HUGE_VALH (::metal::half(::metal::detail::bits_tag{}, 0x7C00))
#endif
#ifndef BFLOAT_MAX
#define BFLOAT_DIG 2
#define BFLOAT_MANT_DIG 8
#define BFLOAT_MAX (::metal::numeric_limits<::metal::bfloat>::max())
#define BFLOAT_MIN (::metal::numeric_limits<::metal::bfloat>::min())
#define BFLOAT_EPSILON (::metal::numeric_limits<::metal::bfloat>::epsilon())
#endif
#ifndef MAXFLOAT
#define MAXFLOAT 0x1.fffffep+127f
#endif
#ifndef HUGE_VALF
#define HUGE_VALF __builtin_bit_cast(float, 0x7F800000u)
#endif
#ifndef INFINITY
#define INFINITY __builtin_bit_cast(float, 0x7F800000u)
#endif
#ifndef NAN
#define NAN __builtin_bit_cast(float, 0x7FC00000u)
#endif
#ifndef INT_MAX
#define CHAR_BIT 8
#define SCHAR_MAX 127
#define SCHAR_MIN (-128)
#define UCHAR_MAX 255
#define CHAR_MAX SCHAR_MAX
#define CHAR_MIN SCHAR_MIN
#define USHRT_MAX 65535
#define SHRT_MAX 32767
#define SHRT_MIN (-32768)
#define UINT_MAX 0xffffffffU
#define INT_MAX 2147483647
#define INT_MIN (-2147483647 - 1)
#define ULONG_MAX 0xffffffffffffffffUL
#define LONG_MAX 0x7fffffffffffffffL
#define LONG_MIN (-0x7fffffffffffffffL - 1L)
#endif
#ifndef M_PI_F
#define M_E_F 2.71828182845904523536028747135266250f
#define M_LOG2E_F 1.44269504088896340735992468100189214f
#define M_LOG10E_F 0.434294481903251827651128918916605082f
#define M_LN2_F 0.693147180559945309417232121458176568f
#define M_LN10_F 2.30258509299404568401799145468436421f
#define M_PI_F 3.14159265358979323846264338327950288f
#define M_PI_2_F 1.57079632679489661923132169163975144f
#define M_PI_4_F 0.785398163397448309615660845819875721f
#define M_1_PI_F 0.318309886183790671537767526745028724f
#define M_2_PI_F 0.636619772367581343075535053490057448f
#define M_2_SQRTPI_F 1.12837916709551257389615890312154517f
#define M_SQRT2_F 1.41421356237309504880168872420969808f
#define M_SQRT1_2_F 0.707106781186547524400844362104849039f
#define M_E_H (::metal::half(M_E_F))
#define M_LOG2E_H (::metal::half(M_LOG2E_F))
#define M_LOG10E_H (::metal::half(M_LOG10E_F))
#define M_LN2_H (::metal::half(M_LN2_F))
#define M_LN10_H (::metal::half(M_LN10_F))
#define M_PI_H (::metal::half(M_PI_F))
#define M_PI_2_H (::metal::half(M_PI_2_F))
#define M_PI_4_H (::metal::half(M_PI_4_F))
#define M_1_PI_H (::metal::half(M_1_PI_F))
#define M_2_PI_H (::metal::half(M_2_PI_F))
#define M_2_SQRTPI_H (::metal::half(M_2_SQRTPI_F))
#define M_SQRT2_H (::metal::half(M_SQRT2_F))
#define M_SQRT1_2_H (::metal::half(M_SQRT1_2_F))
#endif

#endif // PM_TYPES_H

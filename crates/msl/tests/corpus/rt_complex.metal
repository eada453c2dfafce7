// MLX-style complex64_t: constexpr constructors with address-space qualifiers, operators, traits.
#include <metal_stdlib>
using namespace metal;

struct complex64_t;

template <typename T>
static constexpr constant bool can_convert_to_complex64 =
    !is_same_v<T, complex64_t> && is_convertible_v<T, float>;

struct complex64_t {
  float real;
  float imag;

  constexpr complex64_t(float real, float imag) : real(real), imag(imag) {};
  constexpr complex64_t() : real(0), imag(0) {};
  constexpr complex64_t() threadgroup : real(0), imag(0) {};

  template <typename T, typename = typename enable_if<can_convert_to_complex64<T>>::type>
  constexpr complex64_t(T x) thread : real(x), imag(0) {}
  template <typename T, typename = typename enable_if<can_convert_to_complex64<T>>::type>
  constexpr complex64_t(T x) threadgroup : real(x), imag(0) {}
  template <typename T, typename = typename enable_if<can_convert_to_complex64<T>>::type>
  constexpr complex64_t(T x) device : real(x), imag(0) {}
  template <typename T, typename = typename enable_if<can_convert_to_complex64<T>>::type>
  constexpr complex64_t(T x) constant : real(x), imag(0) {}

  constexpr complex64_t(half x) : real(x), imag(0) {}
};

constexpr complex64_t operator-(complex64_t x) { return {-x.real, -x.imag}; }
constexpr complex64_t operator+(complex64_t a, complex64_t b) { return {a.real + b.real, a.imag + b.imag}; }
constexpr complex64_t operator*(complex64_t a, complex64_t b) {
  return {a.real * b.real - a.imag * b.imag, a.real * b.imag + a.imag * b.real};
}
constexpr bool operator>(complex64_t a, complex64_t b) {
  return (a.real > b.real) || (a.real == b.real && a.imag > b.imag);
}
constexpr complex64_t operator/(complex64_t a, complex64_t b) {
  auto denom = b.real * b.real + b.imag * b.imag;
  auto x = a.real * b.real + a.imag * b.imag;
  auto y = a.imag * b.real - a.real * b.imag;
  return {x / denom, y / denom};
}

template <typename T> struct Limits { static const constant T max = metal::numeric_limits<T>::max(); };
template <> struct Limits<complex64_t> { static constexpr constant complex64_t max = complex64_t(INFINITY, INFINITY); };

template <typename T, typename U>
[[kernel]] void cmul(device const T* a [[buffer(0)]],
                     device const U* b [[buffer(1)]],
                     device T* out [[buffer(2)]],
                     uint i [[thread_position_in_grid]]) {
  T x = a[i];
  T y = T(b[i]);
  threadgroup complex64_t scratch[4];
  scratch[i % 4] = x;
  T z = x * y + (-scratch[i % 4]) / complex64_t(2.0f, 0.0f);
  out[i] = z > Limits<complex64_t>::max ? T(0.0f) : z;
}

template [[host_name("cmul_c64_f32")]] [[kernel]] decltype(cmul<complex64_t, float>) cmul<complex64_t, float>;
template [[host_name("cmul_c64_c64")]] [[kernel]] decltype(cmul<complex64_t, complex64_t>) cmul<complex64_t, complex64_t>;

#define GGML_METAL_HAS_BF16 1
#if __METAL_VERSION__ >= 300
metal3
#else
not_metal3
#endif
#if __METAL_VERSION__ < 310 && defined(GGML_METAL_HAS_BF16)
old_bf16
#elif defined(__HAVE_BFLOAT__) && __HAVE_BFLOAT__
bfloat_ok
#endif
#ifdef A
#  if B
nope
#  endif
#elif defined B || (1 ? 0 : 1 / 0)
nope
#else
#  ifndef C
#    if (-1 < 0u) == 0 && 'a' == 97 && (1 << 62) > 0 && 0x7fffffffffffffff + 0 > 0
nested_ok
#    endif
#  endif
#endif
#if __has_include(<metal_stdlib>) && !__has_include(<no_such_header>) && __has_include("sub/helper.h")
has_include_ok
#endif
#if __cplusplus >= 201703L && !__has_attribute(noinline) && !__has_builtin(__builtin_expect)
cpp17
#endif
#if 0
this is ' skipped, #bogus too
#bogus
#endif
end

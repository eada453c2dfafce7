#define X 1
kernel void f() {}
#if X
#error "this configuration is not supported"
#endif

// Test-only stand-ins for what NVRTC provides, so that the CUDA flavour of the prelude
// (target_cuda.h and everything instantiated on top of it) can be type-checked by g++ when
// no CUDA compiler is around. Declarations only: the TU is compiled with -fsyntax-only.
#define __device__
#define __shared__
#define __forceinline__ inline
void __syncthreads();
void __syncwarp(unsigned mask = 0xFFFFFFFFu);
void __threadfence();
unsigned __activemask();
int __shfl_sync(unsigned mask, int v, int src, int width = 32);
unsigned __shfl_sync(unsigned mask, unsigned v, int src, int width = 32);
unsigned __shfl_up_sync(unsigned mask, unsigned v, unsigned d, int width = 32);
unsigned __shfl_down_sync(unsigned mask, unsigned v, unsigned d, int width = 32);
unsigned __shfl_xor_sync(unsigned mask, unsigned v, int m, int width = 32);
unsigned __ballot_sync(unsigned mask, int p);
int __clz(int);
int __clzll(long long);
int __ffs(int);
int __ffsll(long long);
int __popc(unsigned);
int __popcll(unsigned long long);
unsigned long long __umul64hi(unsigned long long, unsigned long long);
long long __mul64hi(long long, long long);
#define PM_SHIM_ATOMIC(name)                                                                       \
    int name(int *, int);                                                                          \
    unsigned name(unsigned *, unsigned);                                                           \
    unsigned long long name(unsigned long long *, unsigned long long);
PM_SHIM_ATOMIC(atomicAdd)
PM_SHIM_ATOMIC(atomicExch)
PM_SHIM_ATOMIC(atomicAnd)
PM_SHIM_ATOMIC(atomicOr)
PM_SHIM_ATOMIC(atomicXor)
PM_SHIM_ATOMIC(atomicMin)
PM_SHIM_ATOMIC(atomicMax)
#undef PM_SHIM_ATOMIC
float atomicAdd(float *, float);
float atomicExch(float *, float);
long long atomicMin(long long *, long long);
long long atomicMax(long long *, long long);
int atomicCAS(int *, int, int);
unsigned atomicCAS(unsigned *, unsigned, unsigned);
unsigned long long atomicCAS(unsigned long long *, unsigned long long, unsigned long long);
#define PM_SHIM_F1(f) float f(float);
#define PM_SHIM_F2(f) float f(float, float);
PM_SHIM_F1(sinf) PM_SHIM_F1(cosf) PM_SHIM_F1(tanf) PM_SHIM_F1(expf) PM_SHIM_F1(exp10f) PM_SHIM_F1(logf)
PM_SHIM_F1(log2f) PM_SHIM_F1(log10f) PM_SHIM_F1(acosf) PM_SHIM_F1(acoshf) PM_SHIM_F1(asinf) PM_SHIM_F1(asinhf)
PM_SHIM_F1(atanf) PM_SHIM_F1(atanhf) PM_SHIM_F1(ceilf) PM_SHIM_F1(coshf) PM_SHIM_F1(exp2f) PM_SHIM_F1(fabsf)
PM_SHIM_F1(floorf) PM_SHIM_F1(logbf) PM_SHIM_F1(rintf) PM_SHIM_F1(roundf) PM_SHIM_F1(rsqrtf) PM_SHIM_F1(sinhf)
PM_SHIM_F1(sqrtf) PM_SHIM_F1(tanhf) PM_SHIM_F1(truncf) PM_SHIM_F1(__sinf) PM_SHIM_F1(__cosf) PM_SHIM_F1(__tanf)
PM_SHIM_F1(__expf) PM_SHIM_F1(__exp10f) PM_SHIM_F1(__logf) PM_SHIM_F1(__log2f) PM_SHIM_F1(__log10f)
PM_SHIM_F2(powf) PM_SHIM_F2(__powf) PM_SHIM_F2(__fdividef) PM_SHIM_F2(atan2f) PM_SHIM_F2(copysignf)
PM_SHIM_F2(fdimf) PM_SHIM_F2(fmaxf) PM_SHIM_F2(fminf) PM_SHIM_F2(fmodf) PM_SHIM_F2(nextafterf)
#undef PM_SHIM_F1
#undef PM_SHIM_F2
float fmaf(float, float, float);
float frexpf(float, int *);
float ldexpf(float, int);
int ilogbf(float);
float modff(float, float *);

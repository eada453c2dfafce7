#define STEEL_PRAGMA_UNROLL _Pragma("clang loop unroll(full)")
#define UNROLL_N 4
void f(device float* x) {
  STEEL_PRAGMA_UNROLL
  for (int i = 0; i < 4; i++) { x[i] = 0; }
  #pragma unroll UNROLL_N
  for (int i = 0; i < 4; i++) { x[i] = 1; }
  _Pragma("unroll") for (int i = 0; i < 4; i++) { x[i] = 2; }
}
#pragma once
#pragma clang diagnostic ignored "-Wunused"

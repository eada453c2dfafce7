int a = __LINE__;
const constant char* f = __FILE__;
#define HERE __LINE__
int b = HERE;
#define MULTI(x) x
int c = MULTI(
  __LINE__);
#line 500 "renamed.metal"
int d = __LINE__; const constant char* g = __FILE__;

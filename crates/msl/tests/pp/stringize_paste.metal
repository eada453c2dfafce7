#define STR(x) #x
#define XSTR(x) STR(x)
#define CAT(a, b) a ## b
#define XCAT(a, b) CAT(a, b)
#define N 8
STR(N) XSTR(N) STR("quoted \n" 'c') STR(  spaced    out  )
CAT(float, 4) XCAT(float, N) CAT(kernel_, N) CAT(0x, 1F) CAT(<, <=) CAT(, x) CAT(y, )
#define DECL(type, n) type CAT(v_, n) = type(n);
DECL(int, 3)
#define hash_hash # ## #
#define mkstr(a) # a
#define in_between(a) mkstr(a)
#define join(c, d) in_between(c hash_hash d)
char p[] = join(x, y);

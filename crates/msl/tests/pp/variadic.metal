#define CALL(f, ...) f(__VA_ARGS__)
#define LOG(fmt, ...) printf(fmt, ##__VA_ARGS__)
#define OPT(a, ...) g(a __VA_OPT__(, __VA_ARGS__))
#define COUNT(...) COUNT_(__VA_ARGS__, 3, 2, 1, 0)
#define COUNT_(a, b, c, n, ...) n
#define NAMED(args...) h(args)
CALL(f) CALL(f, 1) CALL(f, 1, (2, 3), {4, 5})
LOG("x") LOG("x", 1, 2)
OPT(1) OPT(1, 2, 3)
COUNT(a) COUNT(a, b) COUNT(a, b, c)
NAMED(1, 2)
CALL(CALL, f, CALL(g, 1,
                   2))

#define foo foo
#define bar(x) bar(x) + baz
#define baz bar(1)
#define a b
#define b a
foo bar(2) baz a b
#define AA BB
#define BB AA
AA BB

int a;
#ifdef FOO
int b;
#else
int c;

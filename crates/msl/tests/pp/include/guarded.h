#ifndef GUARDED_H
#define GUARDED_H
#define GUARDED_VALUE 1
int guarded_decl;
#endif

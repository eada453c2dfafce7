#include "include/guarded.h"
#include "include/guarded.h"
#include <once.h>
#include "include/once.h"
#define HDR <sub/helper.h>
#include HDR
#include "sub/helper.h"
int main_body = GUARDED_VALUE + ONCE_VALUE + HELPER(2);

int b;
#include "cycle_a.h"

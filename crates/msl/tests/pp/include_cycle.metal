#include "include/cycle_a.h"

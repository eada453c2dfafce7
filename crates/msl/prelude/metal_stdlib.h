// metal_stdlib.h: the prelude's umbrella. Compute-side metal_stdlib in portable C++17 for
// g++/clang (PM_TARGET_CPU) and NVRTC (PM_TARGET_CUDA); no standard headers. Everything
// is in namespace metal (+ metal::fast, metal::precise; helpers in metal::detail).
// msl::prelude::source() inlines the includes below in this order.
#ifndef PM_METAL_STDLIB_H
#define PM_METAL_STDLIB_H

#include "pm_abi.h"
#if defined(PM_TARGET_CUDA)
#include "target_cuda.h"
#else
#include "target_cpu.h"
#endif
#include "types.h"
#include "vec.h"
#include "relational.h"
#include "math.h"
#include "common.h"
#include "integer.h"
#include "geometric.h"
#include "matrix.h"
#include "sync.h"
#include "atomic.h"
#include "checked.h"
#include "simd.h"
#include "simdgroup_matrix.h"
#if !defined(PM_NO_TEXTURES) /* msl::emit defines it when the source names no texture or sampler */
#include "texture.h"
#endif

#endif // PM_METAL_STDLIB_H

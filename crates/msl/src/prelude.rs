//! The metal_stdlib prelude, embedded.
//!
//! The headers under `crates/msl/prelude/` are split by concern (`types.h`, `vec.h`,
//! `math.h`, ...; `metal_stdlib.h` is the umbrella). [`source`] returns them as one string
//! with every `#include "..."` between our own files replaced by that file's text, so the
//! generated translation unit needs no include paths (NVRTC has none). Only
//! `target_cpu.h` and `target_cuda.h` differ between targets.

use crate::Target;

/// Every prelude file, by its path relative to `crates/msl/prelude/`.
const FILES: &[(&str, &str)] = &[
    ("metal_stdlib.h", include_str!("../prelude/metal_stdlib.h")),
    ("pm_abi.h", include_str!("../prelude/pm_abi.h")),
    ("target_cpu.h", include_str!("../prelude/target_cpu.h")),
    ("target_cuda.h", include_str!("../prelude/target_cuda.h")),
    ("types.h", include_str!("../prelude/types.h")),
    ("gen/swizzles.h", include_str!("../prelude/gen/swizzles.h")),
    ("vec.h", include_str!("../prelude/vec.h")),
    ("relational.h", include_str!("../prelude/relational.h")),
    ("math.h", include_str!("../prelude/math.h")),
    ("common.h", include_str!("../prelude/common.h")),
    ("integer.h", include_str!("../prelude/integer.h")),
    ("geometric.h", include_str!("../prelude/geometric.h")),
    ("matrix.h", include_str!("../prelude/matrix.h")),
    ("sync.h", include_str!("../prelude/sync.h")),
    ("atomic.h", include_str!("../prelude/atomic.h")),
    ("checked.h", include_str!("../prelude/checked.h")),
    ("simd.h", include_str!("../prelude/simd.h")),
    ("simdgroup_matrix.h", include_str!("../prelude/simdgroup_matrix.h")),
    ("sampler.h", include_str!("../prelude/sampler.h")),
    ("texel.h", include_str!("../prelude/texel.h")),
    ("texture.h", include_str!("../prelude/texture.h")),
];

/// The prelude's files as (path relative to `crates/msl/prelude/`, contents), for debugging
/// and for tests that compile the headers directly.
pub fn files() -> &'static [(&'static str, &'static str)] {
    FILES
}

/// The whole prelude for `target` as one string, ready to be put before user code.
pub fn source(target: Target) -> String {
    let (define, skip) = match target {
        Target::Cpu => ("#define PM_TARGET_CPU 1\n", "target_cuda.h"),
        Target::Cuda => ("#define PM_TARGET_CUDA 1\n", "target_cpu.h"),
    };
    let mut out = String::with_capacity(FILES.iter().map(|f| f.1.len()).sum::<usize>() + 64);
    out.push_str(define);
    let mut done: Vec<&str> = vec![skip];
    expand("metal_stdlib.h", &mut out, &mut done);
    out
}

fn lookup(name: &str) -> Option<&'static str> {
    FILES.iter().find(|(n, _)| *n == name).map(|(_, s)| *s)
}

/// The `"file"` of an `#include "file"` line, when it names a prelude file.
fn included(line: &str) -> Option<&'static str> {
    let rest = line.trim_start().strip_prefix('#')?.trim_start().strip_prefix("include")?.trim();
    let name = rest.strip_prefix('"')?.split('"').next()?;
    FILES.iter().find(|(n, _)| *n == name).map(|(n, _)| *n)
}

fn expand(name: &'static str, out: &mut String, done: &mut Vec<&'static str>) {
    if done.contains(&name) {
        return;
    }
    done.push(name);
    let Some(text) = lookup(name) else { return };
    for line in text.lines() {
        match included(line) {
            Some(inc) => expand(inc, out, done),
            None => {
                out.push_str(line);
                out.push('\n');
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn includes_are_inlined_once_per_target() {
        for target in [Target::Cpu, Target::Cuda] {
            let s = source(target);
            assert!(!s.contains("#include \""), "an include was left in the prelude");
            assert_eq!(s.matches("#define PM_TYPES_H").count(), 1);
            assert_eq!(s.matches("#define PM_GEN_SWIZZLES_H").count(), 1);
            let (ours, other) = match target {
                Target::Cpu => ("PM_TARGET_CPU_H", "PM_TARGET_CUDA_H"),
                Target::Cuda => ("PM_TARGET_CUDA_H", "PM_TARGET_CPU_H"),
            };
            assert!(s.contains(ours) && !s.contains(other));
        }
    }
}

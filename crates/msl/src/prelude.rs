//! The metal_stdlib prelude, embedded. (Placeholder; being written.)

use crate::Target;

/// The whole prelude for `target` as one string, ready to be put before user code.
pub fn source(target: Target) -> String {
    let define = match target {
        Target::Cpu => "#define PM_TARGET_CPU 1\n",
        Target::Cuda => "#define PM_TARGET_CUDA 1\n",
    };
    format!("{define}{}", include_str!("../prelude/pm_abi.h"))
}

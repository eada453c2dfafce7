//! Reserved and recognised names: MSL type names the rewriter qualifies as `::metal::T`,
//! standard C++ attributes that are kept, and built-in scalar types usable in `constexpr`.

/// Scalar element names that form vector, packed and matrix names.
const VEC_BASES: [&str; 12] =
    ["bool", "char", "uchar", "short", "ushort", "int", "uint", "long", "ulong", "half", "bfloat", "float"];

/// MSL scalar type names that are not C++ keywords.
const SCALARS: [&str; 6] = ["uchar", "ushort", "uint", "ulong", "half", "bfloat"];

/// Non-template MSL type names beyond the generated vector/matrix families.
const OTHER_TYPES: [&str; 10] = [
    "atomic_int",
    "atomic_uint",
    "atomic_bool",
    "atomic_float",
    "atomic_ulong",
    "atomic_long",
    "sampler",
    "simdgroup_float8x8",
    "simdgroup_half8x8",
    "simdgroup_bfloat8x8",
];

/// MSL template names, qualified only when followed by `<`.
const TEMPLATES: [&str; 21] = [
    "vec",
    "packed_vec",
    "matrix",
    "atomic",
    "array",
    "simdgroup_matrix",
    "texture1d",
    "texture1d_array",
    "texture2d",
    "texture2d_array",
    "texture2d_ms",
    "texture2d_ms_array",
    "texture3d",
    "texturecube",
    "texturecube_array",
    "texture_buffer",
    "depth2d",
    "depth2d_array",
    "depth2d_ms",
    "depthcube",
    "depthcube_array",
];

/// True for an MSL type name that is qualified wherever it appears as a type.
pub(crate) fn is_msl_type(name: &str) -> bool {
    if SCALARS.contains(&name) || OTHER_TYPES.contains(&name) {
        return true;
    }
    let rest = name.strip_prefix("packed_").unwrap_or(name);
    for base in VEC_BASES {
        if let Some(suffix) = rest.strip_prefix(base) {
            let b = suffix.as_bytes();
            // Vectors: float2..float4 (and packed_ variants).
            if b.len() == 1 && (b'2'..=b'4').contains(&b[0]) {
                // `bool`, `char`, ... followed by a digit: only 2, 3, 4 exist.
                return true;
            }
            // Matrices: floatRxC / halfRxC / bfloatRxC (no packed_ form).
            if rest.len() == name.len()
                && matches!(base, "float" | "half" | "bfloat")
                && b.len() == 3
                && (b'2'..=b'4').contains(&b[0])
                && b[1] == b'x'
                && (b'2'..=b'4').contains(&b[2])
            {
                return true;
            }
        }
    }
    false
}

/// True for an MSL template name (`vec`, `atomic`, `texture2d`, ...).
pub(crate) fn is_msl_template(name: &str) -> bool {
    TEMPLATES.contains(&name)
}

/// True for a name that only code using textures or samplers mentions (texture.h is left
/// out of translation units without any).
pub(crate) fn is_texture_name(name: &str) -> bool {
    matches!(name, "sampler" | "is_null_texture")
        || TEMPLATES.contains(&name) && (name.starts_with("texture") || name.starts_with("depth"))
}

/// Standard C++ attributes kept in the output (everything else inside `[[ ]]` is Metal's).
pub(crate) fn is_std_attribute(name: &str) -> bool {
    matches!(
        name,
        "maybe_unused"
            | "likely"
            | "unlikely"
            | "fallthrough"
            | "nodiscard"
            | "noreturn"
            | "deprecated"
            | "carries_dependency"
            | "no_unique_address"
    )
}

/// Scalar types whose program-scope constants can be `static constexpr`.
pub(crate) fn is_constexpr_scalar(name: &str) -> bool {
    matches!(
        name,
        "bool"
            | "char"
            | "uchar"
            | "short"
            | "ushort"
            | "int"
            | "uint"
            | "long"
            | "ulong"
            | "float"
            | "size_t"
            | "ptrdiff_t"
            | "int8_t"
            | "uint8_t"
            | "int16_t"
            | "uint16_t"
            | "int32_t"
            | "uint32_t"
            | "int64_t"
            | "uint64_t"
            | "unsigned"
            | "signed"
    )
}

/// Address-space keywords.
pub(crate) fn is_address_space(name: &str) -> bool {
    matches!(
        name,
        "device" | "constant" | "threadgroup" | "thread" | "threadgroup_imageblock" | "ray_data" | "object_data"
    )
}

/// A multi-component swizzle name: `^[xyzw]{2,4}$` or `^[rgba]{2,4}$`.
pub(crate) fn is_swizzle(name: &str) -> bool {
    let n = name.len();
    (2..=4).contains(&n)
        && (name.bytes().all(|c| matches!(c, b'x' | b'y' | b'z' | b'w'))
            || name.bytes().all(|c| matches!(c, b'r' | b'g' | b'b' | b'a')))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_names() {
        for t in
            ["float4", "half2", "uint3", "packed_float3", "float4x4", "half2x3", "ushort2", "bool4", "uchar", "half"]
        {
            assert!(is_msl_type(t), "{t}");
        }
        for t in ["float", "int", "float5", "float1", "packed_float4x4", "floatx", "myfloat4", "size_t"] {
            assert!(!is_msl_type(t), "{t}");
        }
        assert!(is_swizzle("xy") && is_swizzle("bgra") && !is_swizzle("x") && !is_swizzle("xr"));
    }
}

//! Reflection: entry points, their parameters and bindings, function constants.
//!
//! This is a light structural pass over the preprocessed tokens, not a C++ parser: it
//! matches brackets, walks the declarations at namespace scope, recognises kernel /
//! vertex / fragment functions (templated ones through their explicit instantiations with
//! `[[host_name]]`), reads parameter attributes (assigning implicit bindings in
//! declaration order), and builds a conservative call graph by identifier names to decide
//! whether an entry point can reach a barrier or a SIMD-group operation.

pub(crate) mod io;
mod items;
pub(crate) mod scan;

pub(crate) use items::{analyze, Analysis};

use crate::preprocess::Preprocessed;
use crate::{Diagnostic, Loc};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Stage {
    Kernel,
    Vertex,
    Fragment,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AddressSpace {
    Device,
    Constant,
    Threadgroup,
    Thread,
    None,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Builtin {
    ThreadPositionInGrid,
    ThreadPositionInThreadgroup,
    ThreadgroupPositionInGrid,
    ThreadsPerThreadgroup,
    ThreadsPerGrid,
    ThreadgroupsPerGrid,
    ThreadIndexInThreadgroup,
    ThreadIndexInSimdgroup,
    SimdgroupIndexInThreadgroup,
    SimdgroupsPerThreadgroup,
    ThreadsPerSimdgroup,
    ThreadIndexInQuadgroup,
    QuadgroupIndexInThreadgroup,
    QuadgroupsPerThreadgroup,
    DispatchThreadsPerThreadgroup,
    GridOrigin,
    GridSize,
    VertexId,
    InstanceId,
    BaseVertex,
    BaseInstance,
    Position,
    FrontFacing,
    PointCoord,
    SampleId,
    PrimitiveId,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Binding {
    Buffer(u32),
    Texture(u32),
    Sampler(u32),
    Threadgroup(u32),
    Builtin(Builtin),
    StageIn,
    None,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Param {
    pub name: String,
    pub type_text: String,
    pub address_space: AddressSpace,
    pub is_const: bool,
    pub binding: Binding,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EntryPoint {
    pub name: String,
    pub function: String,
    pub stage: Stage,
    pub params: Vec<Param>,
    pub loc: Loc,
    pub uses_sync: bool,
    /// Vertex and fragment functions: what flows in and out (empty for kernels).
    pub io: StageIo,
}

/// The scalar type of a vertex attribute, varying or colour output.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ScalarKind {
    Float,
    Half,
    Int,
    Uint,
    Short,
    Ushort,
    Char,
    Uchar,
    Bool,
}

impl ScalarKind {
    /// Carried as float bits (Float, Half) or as integer bits (the rest).
    pub fn is_float(self) -> bool {
        matches!(self, ScalarKind::Float | ScalarKind::Half)
    }
}

/// How a varying is interpolated across a primitive.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Interpolation {
    /// `[[center_perspective]]` (the default for floating-point members).
    Perspective,
    /// `[[center_no_perspective]]`.
    NoPerspective,
    /// `[[flat]]` (implied for integer members): the provoking (first) vertex's value.
    Flat,
}

/// A member of a vertex function's output or a fragment function's `[[stage_in]]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Varying {
    /// The member name (matched when neither side has `[[user(...)]]`).
    pub name: String,
    /// `[[user(name)]]`.
    pub user: Option<String>,
    pub kind: ScalarKind,
    /// 1–4 (each component is one 32-bit word in the batches).
    pub components: u32,
    pub interpolation: Interpolation,
}

/// A typed slot: `[[attribute(index)]]` or `[[color(index)]]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Slot {
    pub index: u32,
    pub kind: ScalarKind,
    pub components: u32,
}

/// The stage interface of a vertex or fragment function (docs/abi.md, "Render stages").
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StageIo {
    /// Vertex: `[[stage_in]]` members with `[[attribute(i)]]`.
    pub attributes: Vec<Slot>,
    /// Vertex: the output's members other than `[[position]]`, `[[point_size]]` and
    /// `[[clip_distance]]`, in declaration order. Fragment: the `[[stage_in]]` members
    /// other than built-ins (`[[position]]`, `[[front_facing]]`, ...), in declaration order.
    pub varyings: Vec<Varying>,
    /// Fragment: `[[color(i)]]` outputs (a plain `float4` return is color 0).
    pub colors: Vec<Slot>,
    /// Fragment: has a `[[depth(any|greater|less)]]` output.
    pub writes_depth: bool,
    /// Vertex: has a `[[point_size]]` output.
    pub writes_point_size: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FunctionConstant {
    pub name: String,
    pub index: u32,
    pub type_text: String,
    pub default: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Reflection {
    pub entry_points: Vec<EntryPoint>,
    pub function_constants: Vec<FunctionConstant>,
}

/// Finds the entry points and function constants of a preprocessed translation unit.
pub fn reflect(pp: &Preprocessed) -> Result<Reflection, Diagnostic> {
    Ok(analyze(pp)?.reflection)
}

impl Builtin {
    /// The attribute name (`thread_position_in_grid`).
    pub fn name(self) -> &'static str {
        BUILTINS.iter().find(|(_, b)| *b == self).map(|(n, _)| *n).unwrap_or("?")
    }

    /// The stage whose parameters may carry this built-in (`None`: kernels).
    pub fn stage(self) -> Option<Stage> {
        use Builtin::*;
        match self {
            VertexId | InstanceId | BaseVertex | BaseInstance => Some(Stage::Vertex),
            Position | FrontFacing | PointCoord | SampleId | PrimitiveId => Some(Stage::Fragment),
            _ => None,
        }
    }

    /// The built-in named by an attribute.
    pub fn from_name(name: &str) -> Option<Builtin> {
        BUILTINS.iter().find(|(n, _)| *n == name).map(|(_, b)| *b)
    }

    /// Built-ins of vertex and fragment functions only.
    pub fn is_graphics(self) -> bool {
        use Builtin::*;
        matches!(
            self,
            VertexId
                | InstanceId
                | BaseVertex
                | BaseInstance
                | Position
                | FrontFacing
                | PointCoord
                | SampleId
                | PrimitiveId
        )
    }
}

const BUILTINS: [(&str, Builtin); 26] = [
    ("thread_position_in_grid", Builtin::ThreadPositionInGrid),
    ("thread_position_in_threadgroup", Builtin::ThreadPositionInThreadgroup),
    ("threadgroup_position_in_grid", Builtin::ThreadgroupPositionInGrid),
    ("threads_per_threadgroup", Builtin::ThreadsPerThreadgroup),
    ("threads_per_grid", Builtin::ThreadsPerGrid),
    ("threadgroups_per_grid", Builtin::ThreadgroupsPerGrid),
    ("thread_index_in_threadgroup", Builtin::ThreadIndexInThreadgroup),
    ("thread_index_in_simdgroup", Builtin::ThreadIndexInSimdgroup),
    ("simdgroup_index_in_threadgroup", Builtin::SimdgroupIndexInThreadgroup),
    ("simdgroups_per_threadgroup", Builtin::SimdgroupsPerThreadgroup),
    ("threads_per_simdgroup", Builtin::ThreadsPerSimdgroup),
    ("thread_index_in_quadgroup", Builtin::ThreadIndexInQuadgroup),
    ("quadgroup_index_in_threadgroup", Builtin::QuadgroupIndexInThreadgroup),
    ("quadgroups_per_threadgroup", Builtin::QuadgroupsPerThreadgroup),
    ("dispatch_threads_per_threadgroup", Builtin::DispatchThreadsPerThreadgroup),
    ("grid_origin", Builtin::GridOrigin),
    ("grid_size", Builtin::GridSize),
    ("vertex_id", Builtin::VertexId),
    ("instance_id", Builtin::InstanceId),
    ("base_vertex", Builtin::BaseVertex),
    ("base_instance", Builtin::BaseInstance),
    ("position", Builtin::Position),
    ("front_facing", Builtin::FrontFacing),
    ("point_coord", Builtin::PointCoord),
    ("sample_id", Builtin::SampleId),
    ("primitive_id", Builtin::PrimitiveId),
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Library, Options};

    fn reflect_src(src: &str) -> Reflection {
        Library::new(src, &Options::default()).unwrap().reflection
    }

    #[test]
    fn implicit_bindings_in_declaration_order() {
        let r = reflect_src(
            "kernel void k(constant size_t& dim, device const float* in [[buffer(0)]], device float* out,\n\
             texture2d<float> t, sampler s, uint i [[thread_position_in_grid]]) {}\n",
        );
        let b: Vec<Binding> = r.entry_points[0].params.iter().map(|p| p.binding).collect();
        assert_eq!(
            b,
            vec![
                Binding::Buffer(1),
                Binding::Buffer(0),
                Binding::Buffer(2),
                Binding::Texture(0),
                Binding::Sampler(0),
                Binding::Builtin(Builtin::ThreadPositionInGrid)
            ]
        );
        let p = &r.entry_points[0].params[1];
        assert_eq!((p.address_space, p.is_const, p.name.as_str()), (AddressSpace::Device, true, "in"));
    }

    #[test]
    fn instantiation_styles_and_sync() {
        let r = reflect_src(
            "void helper2() { simd_sum(1.0f); }\nvoid helper() { helper2(); }\n\
             template <typename T> kernel void a(device T* x [[buffer(0)]]) { helper(); }\n\
             template <typename T> [[kernel]] void b(device T* x [[buffer(0)]]) {}\n\
             typedef decltype(a<float>) a_t;\ntemplate [[host_name(\"a_f\")]] kernel a_t a<float>;\n\
             template [[host_name(\"b_i\")]] [[kernel]] decltype(b<int>) b<int>;\n\
             namespace n { kernel void c(device int* x [[buffer(0)]]) {} }\n",
        );
        let e: Vec<(&str, &str, bool)> =
            r.entry_points.iter().map(|e| (e.name.as_str(), e.function.as_str(), e.uses_sync)).collect();
        assert_eq!(e, vec![("a_f", "a<float>", true), ("b_i", "b<int>", false), ("c", "n::c", false)]);
    }

    #[test]
    fn function_constant_indices() {
        let r = reflect_src(
            "constant int BASE = 10;\nconstant half h [[function_constant(BASE * 2 + 1)]];\nconstant bool b [[function_constant(0)]] = true;\n",
        );
        let f: Vec<(&str, u32, &str, Option<&str>)> = r
            .function_constants
            .iter()
            .map(|c| (c.name.as_str(), c.index, c.type_text.as_str(), c.default.as_deref()))
            .collect();
        assert_eq!(f, vec![("h", 21, "half", None), ("b", 0, "bool", Some("true"))]);
    }
}

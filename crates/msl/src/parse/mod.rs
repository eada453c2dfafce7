//! Entry points and their bindings. (Placeholder; being written.)

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

pub fn reflect(_pp: &Preprocessed) -> Result<Reflection, Diagnostic> {
    Ok(Reflection::default())
}

//! Rewriting to portable C++. (Placeholder; being written.)

use crate::{ConstantValues, Diagnostic, Library, Target};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EmittedEntry {
    pub name: String,
    pub symbol: String,
    pub group_symbol: Option<String>,
    pub uses_sync: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Emitted {
    pub source: String,
    pub entries: Vec<EmittedEntry>,
}

pub fn emit(
    _lib: &Library,
    _target: Target,
    _entries: &[&str],
    _constants: &ConstantValues,
) -> Result<Emitted, Diagnostic> {
    Ok(Emitted { source: String::new(), entries: Vec::new() })
}

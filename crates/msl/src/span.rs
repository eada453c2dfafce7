//! Source locations and the table of source files a translation unit was read from.
//!
//! A [`Loc`] is (file, line, column), 1-based, pointing into the *user's* text: tokens
//! produced by macro expansion carry the location of the macro invocation, so every
//! diagnostic names a place the user can open.

/// Index of a file in [`SourceFiles`].
pub type FileId = u32;

/// A position in a source file (1-based line and column, counted in bytes).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Loc {
    pub file: FileId,
    pub line: u32,
    pub col: u32,
}

impl Loc {
    pub const fn new(file: FileId, line: u32, col: u32) -> Self {
        Loc { file, line, col }
    }
}

/// One file that took part in a translation unit: the user's source, an included file,
/// or a virtual Metal header.
#[derive(Clone, Debug)]
pub struct SourceFile {
    /// The name shown in diagnostics and `#line` directives.
    pub name: String,
    pub text: String,
    /// True for the virtual `<metal_*>` headers, whose lines are never shown to users.
    pub is_system: bool,
}

/// Every file of a translation unit, indexed by [`FileId`].
#[derive(Clone, Debug, Default)]
pub struct SourceFiles {
    files: Vec<SourceFile>,
}

impl SourceFiles {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn add(&mut self, name: impl Into<String>, text: impl Into<String>, is_system: bool) -> FileId {
        self.files.push(SourceFile { name: name.into(), text: text.into(), is_system });
        (self.files.len() - 1) as FileId
    }

    pub fn get(&self, id: FileId) -> Option<&SourceFile> {
        self.files.get(id as usize)
    }

    pub fn name(&self, id: FileId) -> &str {
        self.get(id).map(|f| f.name.as_str()).unwrap_or("<unknown>")
    }

    /// The text of line `line` (1-based) of file `id`, without its newline.
    pub fn line_text(&self, id: FileId, line: u32) -> Option<&str> {
        let file = self.get(id)?;
        file.text.split('\n').nth(line.checked_sub(1)? as usize).map(|l| l.trim_end_matches('\r'))
    }

    pub fn len(&self) -> usize {
        self.files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = (FileId, &SourceFile)> {
        self.files.iter().enumerate().map(|(i, f)| (i as FileId, f))
    }
}

//! The C preprocessor. (Placeholder: lexes only; being written.)

use crate::lex::{self, Token};
use crate::{Diagnostic, Options, SourceFiles};

/// The preprocessed translation unit: tokens with locations in `files`.
#[derive(Clone, Debug, Default)]
pub struct Preprocessed {
    pub files: SourceFiles,
    pub tokens: Vec<Token>,
}

pub fn preprocess(src: &str, opts: &Options) -> Result<Preprocessed, Diagnostic> {
    let mut files = SourceFiles::new();
    let id = files.add(opts.file_name.clone(), src, false);
    let tokens = lex::lex(src, id).map_err(|e| Diagnostic::error_at(&files, e.loc, e.message))?;
    Ok(Preprocessed { files, tokens })
}

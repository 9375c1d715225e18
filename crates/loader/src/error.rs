//! The loader's error: what went wrong, in which file, and where in it.

use std::fmt;

/// A document that could not be loaded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct LoadError {
    /// The file (or the name given to [`crate::load_str`]).
    pub file: String,
    /// The JSON pointer of the offending value, when known.
    pub pointer: Option<String>,
    /// 1-based line and column, when the parser knows them.
    pub line_column: Option<(u64, u64)>,
    /// What is wrong.
    pub message: String,
}

impl LoadError {
    /// An error at a JSON pointer of a file.
    pub fn at(
        file: impl Into<String>,
        pointer: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        LoadError {
            file: file.into(),
            pointer: Some(pointer.into()),
            line_column: None,
            message: message.into(),
        }
    }

    /// An error about a whole file.
    pub fn file(file: impl Into<String>, message: impl Into<String>) -> Self {
        LoadError {
            file: file.into(),
            pointer: None,
            line_column: None,
            message: message.into(),
        }
    }
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.file)?;
        if let Some((line, column)) = self.line_column {
            write!(f, ":{line}:{column}")?;
        }
        if let Some(pointer) = &self.pointer {
            let pointer = if pointer.is_empty() { "/" } else { pointer };
            write!(f, " at {pointer}")?;
        }
        write!(f, ": {}", self.message)
    }
}

/// The loader's result type.
pub type Result<T, E = LoadError> = std::result::Result<T, E>;

/// Escapes one JSON pointer token (RFC 6901).
pub(crate) fn escape(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

/// Unescapes one JSON pointer token (RFC 6901).
pub(crate) fn unescape(token: &str) -> String {
    token.replace("~1", "/").replace("~0", "~")
}

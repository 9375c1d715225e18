//! Reads an OpenAPI document into the [`sdkgen_model::Api`] model.
//!
//! The pipeline is: [`source`] reads and parses text (YAML or JSON, with size and alias limits)
//! into JSON values, following references into other files; [`lower`] turns the values into
//! the model, normalising OpenAPI 3.0 and 3.1 into one shape, hoisting inline schemas under
//! stable names and working out each operation's point cost. [`annotate`] writes inferred costs
//! back into a document.
//!
//! Every failure is a [`LoadError`] naming the file and the place (JSON pointer, and line and
//! column where the parser knows them). Nothing here panics on input.

#![deny(missing_docs)]

pub mod annotate;
mod cost;
mod error;
mod lower;
mod pagination;
mod schema;
pub mod source;

use std::path::Path;

pub use error::{LoadError, Result};
use sdkgen_model::Api;
pub use source::LoadOptions;

/// Loads an OpenAPI document from a file, following references to other files relative to it.
pub fn load_file(path: impl AsRef<Path>) -> Result<Api> {
    load_file_with(path, &LoadOptions::default())
}

/// [`load_file`] with explicit limits.
pub fn load_file_with(path: impl AsRef<Path>, options: &LoadOptions) -> Result<Api> {
    let documents = source::Documents::open(path.as_ref(), options)?;
    lower::lower(documents)
}

/// Loads an OpenAPI document from text. `name` is used in error messages; references to other
/// files are resolved against the current directory.
pub fn load_str(text: &str, name: &str) -> Result<Api> {
    let documents = source::Documents::from_text(text, name, &LoadOptions::default())?;
    lower::lower(documents)
}

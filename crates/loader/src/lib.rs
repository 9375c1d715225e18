//! Reads an OpenAPI document into the [`sdkgen_model::Api`] model.
//!
//! The pipeline is: [`source`] reads and parses text (YAML or JSON, with size and alias limits)
//! into JSON values, following references into other files; `lower` turns the values into
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
    let path = path.as_ref();
    with_stack(&path.display().to_string(), || {
        let documents = source::Documents::open(path, options)?;
        lower::lower(documents)
    })
}

/// Loads an OpenAPI document from text. `name` is used in error messages. Text has no folder,
/// so a reference to another file is an error: text from elsewhere must not read the files of
/// whatever directory the process runs in. [`load_str_in`] gives it one.
pub fn load_str(text: &str, name: &str) -> Result<Api> {
    with_stack(name, || {
        let documents = source::Documents::from_text(text, name, None, &LoadOptions::default())?;
        lower::lower(documents)
    })
}

/// Loads an OpenAPI document from text that lives in `folder`: references to other files are
/// resolved against it, and stay inside it (or inside [`LoadOptions::root_directory`]).
pub fn load_str_in(text: &str, name: &str, folder: &Path, options: &LoadOptions) -> Result<Api> {
    with_stack(name, || {
        let documents = source::Documents::from_text(text, name, Some(folder), options)?;
        lower::lower(documents)
    })
}

/// The stack that loading runs on. Lowering recurses once per level of schema nesting, and a
/// debug build spends about 40 KiB of stack a level: 200 nested arrays, which the parsers
/// accept (YAML up to 256 levels, JSON 128), would overflow a main thread's 8 MiB. The memory
/// is reserved, not used, until a document is that deep.
const STACK_BYTES: usize = 64 * 1024 * 1024;

/// Runs `work` on a thread with a [`STACK_BYTES`] stack.
fn with_stack<T: Send>(name: &str, work: impl FnOnce() -> Result<T> + Send) -> Result<T> {
    std::thread::scope(|scope| {
        let handle = std::thread::Builder::new()
            .name("sdkgen-loader".to_owned())
            .stack_size(STACK_BYTES)
            .spawn_scoped(scope, work)
            .map_err(|error| {
                LoadError::file(name, format!("cannot start the loader's thread: {error}"))
            })?;
        handle
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    })
}

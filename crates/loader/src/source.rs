//! Reading documents: files to JSON values, with limits, and references between files.
//!
//! Documents are parsed once and shared (`Rc`), so following a reference into a file that is
//! already loaded costs a lookup. Files are loaded lazily, only when the loader follows a
//! reference where OpenAPI allows one: a `$ref` key inside an example value is data, not a
//! reference, and is never followed.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::rc::Rc;

use serde_json::Value;

use crate::error::{LoadError, Result};

/// Limits that keep hostile documents from exhausting the machine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadOptions {
    /// The largest file accepted, in bytes (default 32 MiB; the largest real document in our
    /// corpus, GitHub's, is 3.5 MiB).
    pub max_bytes: u64,
    /// The most files one document may pull in through references (default 256).
    pub max_documents: usize,
}

impl Default for LoadOptions {
    fn default() -> Self {
        LoadOptions {
            max_bytes: 32 * 1024 * 1024,
            max_documents: 256,
        }
    }
}

/// One parsed file.
#[derive(Debug)]
pub struct Document {
    /// How the file is named in messages.
    pub name: String,
    /// Where it is on disk (`None` for text given directly).
    pub path: Option<PathBuf>,
    /// The directory its relative references resolve against.
    pub base: PathBuf,
    /// Its content.
    pub root: Value,
}

/// The root document and every document it references, loaded on demand.
#[derive(Debug)]
pub struct Documents {
    loaded: RefCell<Vec<Rc<Document>>>,
    by_path: RefCell<BTreeMap<PathBuf, usize>>,
    options: LoadOptions,
}

/// Where a reference points: a document and a JSON pointer into it.
#[derive(Debug, Clone)]
pub struct Target {
    /// The document's index (0 is the root document).
    pub document: usize,
    /// The pointer, unescaped form as in the reference (`""` is the whole document).
    pub pointer: String,
}

impl Documents {
    /// Reads and parses a file as the root document.
    pub fn open(path: &Path, options: &LoadOptions) -> Result<Self> {
        let documents = Documents::empty(options);
        documents.load_path(path, &path.display().to_string())?;
        Ok(documents)
    }

    /// Parses text as the root document.
    pub fn from_text(text: &str, name: &str, options: &LoadOptions) -> Result<Self> {
        let documents = Documents::empty(options);
        if text.len() as u64 > options.max_bytes {
            return Err(too_large(name, text.len() as u64, options.max_bytes));
        }
        let root = parse(text, name, Format::sniff(None, text))?;
        documents.loaded.borrow_mut().push(Rc::new(Document {
            name: name.to_owned(),
            path: None,
            base: PathBuf::from("."),
            root,
        }));
        Ok(documents)
    }

    fn empty(options: &LoadOptions) -> Self {
        Documents {
            loaded: RefCell::new(Vec::new()),
            by_path: RefCell::new(BTreeMap::new()),
            options: options.clone(),
        }
    }

    /// The document at an index.
    pub fn get(&self, index: usize) -> Rc<Document> {
        Rc::clone(&self.loaded.borrow()[index])
    }

    /// The root document.
    pub fn root(&self) -> Rc<Document> {
        self.get(0)
    }

    /// Resolves a `$ref` found in document `from`, loading the referenced file if needed.
    /// Errors are plain messages; the caller knows where the reference stood.
    pub fn follow(&self, from: usize, reference: &str) -> std::result::Result<Target, String> {
        let (file, fragment) = match reference.split_once('#') {
            Some((file, fragment)) => (file, fragment),
            None => (reference, ""),
        };
        let pointer = percent_decode(fragment);
        if !pointer.is_empty() && !pointer.starts_with('/') {
            return Err(format!(
                "reference {reference:?} has a fragment that is not a JSON pointer"
            ));
        }
        if file.is_empty() {
            return Ok(Target {
                document: from,
                pointer,
            });
        }
        if file.contains("://") {
            return Err(format!(
                "reference {reference:?} points to a remote document; only local files are \
                 followed (download it and refer to the file)"
            ));
        }
        let base = self.get(from).base.clone();
        let path = base.join(percent_decode(file));
        let document = self
            .load_path(&path, &path.display().to_string())
            .map_err(|error| format!("reference {reference:?} cannot be followed: {error}"))?;
        Ok(Target { document, pointer })
    }

    fn load_path(&self, path: &Path, name: &str) -> Result<usize> {
        let key = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
        if let Some(index) = self.by_path.borrow().get(&key) {
            return Ok(*index);
        }
        if self.loaded.borrow().len() >= self.options.max_documents {
            return Err(LoadError::file(
                name,
                format!(
                    "more than {} files are referenced; raise LoadOptions::max_documents if \
                     this is intended",
                    self.options.max_documents
                ),
            ));
        }
        let metadata = std::fs::metadata(path)
            .map_err(|error| LoadError::file(name, format!("cannot read the file: {error}")))?;
        if metadata.is_dir() {
            return Err(LoadError::file(name, "is a directory, not a document"));
        }
        if metadata.len() > self.options.max_bytes {
            return Err(too_large(name, metadata.len(), self.options.max_bytes));
        }
        let bytes = std::fs::read(path)
            .map_err(|error| LoadError::file(name, format!("cannot read the file: {error}")))?;
        let text = String::from_utf8(bytes).map_err(|error| {
            LoadError::file(
                name,
                format!(
                    "is not UTF-8 text (invalid byte at offset {})",
                    error.utf8_error().valid_up_to()
                ),
            )
        })?;
        let root = parse(&text, name, Format::sniff(Some(path), &text))?;
        let base = path
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from("."));
        let mut loaded = self.loaded.borrow_mut();
        loaded.push(Rc::new(Document {
            name: name.to_owned(),
            path: Some(path.to_path_buf()),
            base,
            root,
        }));
        let index = loaded.len() - 1;
        self.by_path.borrow_mut().insert(key, index);
        Ok(index)
    }
}

fn too_large(name: &str, size: u64, limit: u64) -> LoadError {
    LoadError::file(
        name,
        format!(
            "is {:.1} MiB, over the limit of {:.1} MiB (LoadOptions::max_bytes)",
            size as f64 / 1048576.0,
            limit as f64 / 1048576.0
        ),
    )
}

/// The syntax of a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// JSON.
    Json,
    /// YAML (1.2; JSON is also valid YAML, but is read faster as JSON).
    Yaml,
}

impl Format {
    /// By extension, else by the first non-blank character.
    pub fn sniff(path: Option<&Path>, text: &str) -> Format {
        let extension = path
            .and_then(Path::extension)
            .and_then(|extension| extension.to_str())
            .map(str::to_ascii_lowercase);
        match extension.as_deref() {
            Some("json") => Format::Json,
            Some("yaml" | "yml") => Format::Yaml,
            _ if text
                .trim_start_matches('\u{feff}')
                .trim_start()
                .starts_with('{') =>
            {
                Format::Json
            }
            _ => Format::Yaml,
        }
    }
}

/// Parses text into a JSON value.
pub fn parse(text: &str, name: &str, format: Format) -> Result<Value> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    match format {
        Format::Json => serde_json::from_str(text).map_err(|error| LoadError {
            file: name.to_owned(),
            pointer: None,
            line_column: Some((error.line() as u64, error.column() as u64)),
            message: format!("invalid JSON: {}", strip_position(&error.to_string())),
        }),
        Format::Yaml => {
            // Real documents are far larger than the defaults allow; aliases stay limited,
            // which is what stops "billion laughs".
            let mut budget = serde_saphyr::Budget::default();
            budget.max_events = 50_000_000;
            budget.max_nodes = 20_000_000;
            budget.max_depth = 256;
            let mut options = serde_saphyr::Options::default();
            options.budget = Some(budget);
            // YAML 1.2, as OpenAPI documents are: only `true` and `false` are booleans, so
            // `no`, `y` or `off` stay strings (an enum of country codes keeps `NO`).
            options.strict_booleans = true;
            serde_saphyr::from_str_with_options::<Value>(text, options).map_err(|error| {
                let rendered = error.to_string();
                let first_line = rendered.lines().next().unwrap_or_default();
                let message = first_line.strip_prefix("error: ").unwrap_or(first_line);
                let message = match message.split_once(": ") {
                    Some((position, rest)) if position.starts_with("line ") => rest,
                    _ => message,
                };
                LoadError {
                    file: name.to_owned(),
                    pointer: None,
                    line_column: error
                        .location()
                        .map(|location| (location.line(), location.column())),
                    message: format!("invalid YAML: {message}"),
                }
            })
        }
    }
}

/// serde_json appends " at line L column C"; the position is reported separately.
fn strip_position(message: &str) -> &str {
    match message.rfind(" at line ") {
        Some(index) => &message[..index],
        None => message,
    }
}

/// Decodes `%XX` escapes of a URI reference (invalid escapes are kept as written).
fn percent_decode(text: &str) -> String {
    if !text.contains('%') {
        return text.to_owned();
    }
    let bytes = text.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        if bytes[index] == b'%'
            && let Some(byte) = text
                .get(index + 1..index + 3)
                .and_then(|hex| u8::from_str_radix(hex, 16).ok())
        {
            decoded.push(byte);
            index += 3;
            continue;
        }
        decoded.push(bytes[index]);
        index += 1;
    }
    String::from_utf8_lossy(&decoded).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_decoding_keeps_invalid_escapes() {
        assert_eq!(percent_decode("/a%7Bb%7D"), "/a{b}");
        assert_eq!(percent_decode("/100%"), "/100%");
        assert_eq!(percent_decode("%zz"), "%zz");
    }

    #[test]
    fn format_is_sniffed_from_extension_then_content() {
        assert_eq!(
            Format::sniff(Some(Path::new("a.JSON")), "x: 1"),
            Format::Json
        );
        assert_eq!(Format::sniff(Some(Path::new("a.yml")), "{}"), Format::Yaml);
        assert_eq!(Format::sniff(None, "  {\"a\": 1}"), Format::Json);
        assert_eq!(Format::sniff(None, "openapi: 3.1.0"), Format::Yaml);
    }
}

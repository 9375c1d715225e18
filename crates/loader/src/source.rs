//! Reading documents: files to JSON values, with limits, and references between files.
//!
//! Documents are parsed once and shared (`Rc`), so following a reference into a file that is
//! already loaded costs a lookup. Files are loaded lazily, only when the loader follows a
//! reference where OpenAPI allows one: a `$ref` key inside an example value is data, not a
//! reference, and is never followed.
//!
//! Documents may be hostile, so reading is confined: only regular files are read (a device
//! never ends, a FIFO blocks), reads stop at [`LoadOptions::max_bytes`] whatever size the file
//! system reports, references stay inside the root document's folder (or
//! [`LoadOptions::root_directory`]), and YAML alias expansion has a small budget.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
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
    /// The folder that references may read files from, with everything below it. `None` (the
    /// default) is the root document's own folder (for text, the folder given to `load_str_in`), so a
    /// document cannot read `/etc/passwd` or `../../secrets.yaml`. A layout whose shared files
    /// sit beside the document's folder names their common parent here.
    pub root_directory: Option<PathBuf>,
}

impl Default for LoadOptions {
    fn default() -> Self {
        LoadOptions {
            max_bytes: 32 * 1024 * 1024,
            max_documents: 256,
            root_directory: None,
        }
    }
}

/// The most events YAML aliases may replay in one file. A real document that uses anchors
/// replays a few thousand; a "billion laughs" document reaches this in about 50 ms in a debug
/// build (2 µs an event), 2 ms in a release build.
const MAX_REPLAYED_ALIAS_EVENTS: usize = 25_000;

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
    /// Where it was first referenced from (document name and JSON pointer of the `$ref`);
    /// `None` for the root document. Errors inside the file name that place too.
    pub referenced_from: Option<(String, String)>,
}

/// The root document and every document it references, loaded on demand.
#[derive(Debug)]
pub struct Documents {
    loaded: RefCell<Vec<Rc<Document>>>,
    by_path: RefCell<BTreeMap<PathBuf, usize>>,
    options: LoadOptions,
    /// The canonical folder references must stay inside (set once the root is known).
    confinement: RefCell<Option<PathBuf>>,
    /// Located warnings, in the order they were met, and the same as a set (to warn once).
    warnings: RefCell<(Vec<String>, BTreeSet<String>)>,
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
        let name = path.display().to_string();
        let folder = match path.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent,
            _ => Path::new("."),
        };
        documents.confine(options.root_directory.as_deref().unwrap_or(folder), &name)?;
        documents.load_path(path, &name, None)?;
        Ok(documents)
    }

    /// Parses text as the root document.
    /// A document given as text, in `folder` if it has one: without one, references to other
    /// files are refused.
    pub fn from_text(
        text: &str,
        name: &str,
        folder: Option<&Path>,
        options: &LoadOptions,
    ) -> Result<Self> {
        let documents = Documents::empty(options);
        if text.len() as u64 > options.max_bytes {
            return Err(too_large(name, text.len() as u64, options.max_bytes));
        }
        let root = parse(text, name, Format::sniff(None, text))?;
        documents.loaded.borrow_mut().push(Rc::new(Document {
            name: name.to_owned(),
            path: None,
            base: folder.map_or_else(PathBuf::new, Path::to_path_buf),
            root,
            referenced_from: None,
        }));
        if let Some(folder) = folder {
            documents.confine(options.root_directory.as_deref().unwrap_or(folder), name)?;
        }
        Ok(documents)
    }

    fn empty(options: &LoadOptions) -> Self {
        Documents {
            loaded: RefCell::new(Vec::new()),
            by_path: RefCell::new(BTreeMap::new()),
            options: options.clone(),
            confinement: RefCell::new(None),
            warnings: RefCell::new((Vec::new(), BTreeSet::new())),
        }
    }

    /// Records something the loader met and does not understand, at its place (once: a place
    /// visited twice, as a shared file is, warns once).
    pub fn warn(&self, document: usize, pointer: &str, message: impl Into<String>) {
        let warning = self.error(document, pointer, message).to_string();
        let (in_order, seen) = &mut *self.warnings.borrow_mut();
        if seen.insert(warning.clone()) {
            in_order.push(warning);
        }
    }

    /// The warnings recorded so far, in the order they were met, leaving none.
    pub fn take_warnings(&self) -> Vec<String> {
        std::mem::take(&mut *self.warnings.borrow_mut()).0
    }

    /// Sets the folder that references must stay inside.
    fn confine(&self, folder: &Path, name: &str) -> Result<()> {
        let canonical = std::fs::canonicalize(folder).map_err(|error| {
            LoadError::file(
                name,
                format!(
                    "cannot resolve the folder {} that references may read from: {error}",
                    folder.display()
                ),
            )
        })?;
        *self.confinement.borrow_mut() = Some(canonical);
        Ok(())
    }

    /// An error at a JSON pointer of a document; for a referenced document, the message also
    /// names the place that first referred to it, which is where a user starts looking.
    pub fn error(&self, document: usize, pointer: &str, message: impl Into<String>) -> LoadError {
        let source = self.get(document);
        let mut message = message.into();
        if let Some((file, at)) = &source.referenced_from {
            let at = if at.is_empty() { "/" } else { at };
            message.push_str(&format!(" (in a file referenced from {file} at {at})"));
        }
        LoadError::at(&source.name, pointer, message)
    }

    /// The document at an index.
    pub fn get(&self, index: usize) -> Rc<Document> {
        Rc::clone(&self.loaded.borrow()[index])
    }

    /// The root document.
    pub fn root(&self) -> Rc<Document> {
        self.get(0)
    }

    /// Resolves a `$ref` found in document `from` at `pointer`, loading the referenced file if
    /// needed. Errors are plain messages; the caller knows where the reference stood.
    pub fn follow(
        &self,
        from: usize,
        pointer: &str,
        reference: &str,
    ) -> std::result::Result<Target, String> {
        let (file, fragment) = match reference.split_once('#') {
            Some((file, fragment)) => (file, fragment),
            None => (reference, ""),
        };
        let target_pointer = percent_decode(fragment);
        if !target_pointer.is_empty() && !target_pointer.starts_with('/') {
            return Err(format!(
                "reference {reference:?} has a fragment that is not a JSON pointer"
            ));
        }
        if file.is_empty() {
            return Ok(Target {
                document: from,
                pointer: target_pointer,
            });
        }
        if file.contains("://") {
            return Err(format!(
                "reference {reference:?} points to a remote document; only local files are \
                 followed (download it and refer to the file)"
            ));
        }
        let confinement = self.confinement.borrow().clone();
        let Some(folder) = confinement else {
            return Err(format!(
                "reference {reference:?} names another file, and a document given as text has \
                 no folder to find it in; load the document from its file (or with load_str_in)"
            ));
        };
        let referrer = self.get(from);
        let path = referrer.base.join(percent_decode(file));
        let canonical = std::fs::canonicalize(&path).map_err(|error| {
            format!("reference {reference:?} cannot be followed: cannot read the file: {error}")
        })?;
        if !canonical.starts_with(&folder) {
            return Err(format!(
                "reference {reference:?} points outside {} (the document's folder); set \
                 LoadOptions::root_directory to allow a wider folder",
                folder.display()
            ));
        }
        // The file read is the one checked: the canonical path has no link left to change.
        let document = self
            .load_path(
                &canonical,
                &path.display().to_string(),
                Some((referrer.name.clone(), pointer.to_owned())),
            )
            .map_err(|error| format!("reference {reference:?} cannot be followed: {error}"))?;
        Ok(Target {
            document,
            pointer: target_pointer,
        })
    }

    fn load_path(
        &self,
        path: &Path,
        name: &str,
        referenced_from: Option<(String, String)>,
    ) -> Result<usize> {
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
        let bytes = read_bounded(path, name, self.options.max_bytes)?;
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
            referenced_from,
        }));
        let index = loaded.len() - 1;
        self.by_path.borrow_mut().insert(key, index);
        Ok(index)
    }
}

/// Reads a regular file of at most `limit` bytes. The file type is checked before opening,
/// since opening a FIFO blocks until a writer comes; the size the file system reports is only
/// a hint (a device reports 0 and never ends), so the read itself stops one byte past the
/// limit.
fn read_bounded(path: &Path, name: &str, limit: u64) -> Result<Vec<u8>> {
    let cannot_read =
        |error: std::io::Error| LoadError::file(name, format!("cannot read the file: {error}"));
    let metadata = std::fs::metadata(path).map_err(cannot_read)?;
    if metadata.is_dir() {
        return Err(LoadError::file(name, "is a directory, not a document"));
    }
    if !metadata.is_file() {
        return Err(LoadError::file(
            name,
            "is not a regular file (a device, FIFO or socket); only regular files are read",
        ));
    }
    if metadata.len() > limit {
        return Err(too_large(name, metadata.len(), limit));
    }
    let file = open_without_blocking(path).map_err(cannot_read)?;
    // What was opened, which may not be what was looked at if the file changed in between.
    let metadata = file.metadata().map_err(cannot_read)?;
    if !metadata.is_file() {
        return Err(LoadError::file(
            name,
            "is not a regular file (a device, FIFO or socket); only regular files are read",
        ));
    }
    let mut bytes = Vec::with_capacity(usize::try_from(metadata.len().min(limit)).unwrap_or(0));
    file.take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(cannot_read)?;
    if bytes.len() as u64 > limit {
        return Err(LoadError::file(
            name,
            format!(
                "grew past the limit of {} while being read (LoadOptions::max_bytes)",
                size(limit)
            ),
        ));
    }
    Ok(bytes)
}

/// Opens a file for reading without waiting for a writer, should it have become a FIFO since
/// it was looked at (reads of a regular file do not block either way).
fn open_without_blocking(path: &Path) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    options.open(path)
}

fn too_large(name: &str, length: u64, limit: u64) -> LoadError {
    LoadError::file(
        name,
        format!(
            "is {}, over the limit of {} (LoadOptions::max_bytes)",
            size(length),
            size(limit)
        ),
    )
}

/// A size for messages: bytes below a mebibyte, else mebibytes.
fn size(bytes: u64) -> String {
    if bytes < 1024 * 1024 {
        format!("{bytes} bytes")
    } else {
        format!("{:.1} MiB", bytes as f64 / 1048576.0)
    }
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
            budget.max_recorded_anchor_events = 2 * MAX_REPLAYED_ALIAS_EVENTS;
            let mut options = serde_saphyr::Options::default();
            options.budget = Some(budget);
            options.alias_limits.max_total_replayed_events = MAX_REPLAYED_ALIAS_EVENTS;
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
    fn sizes_are_bytes_below_a_mebibyte() {
        assert_eq!(size(512), "512 bytes");
        assert_eq!(size(32 * 1024 * 1024), "32.0 MiB");
    }

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

#[cfg(all(test, unix))]
mod open_tests {
    #![allow(clippy::unwrap_used)]

    use super::open_without_blocking;

    /// A FIFO opened for reading with no writer returns at once (a plain open would wait for
    /// a writer forever), and what was opened shows it is no regular file.
    #[test]
    fn a_fifo_opens_without_waiting_and_is_seen_for_what_it_is() {
        let directory = tempfile::tempdir().unwrap();
        let fifo = directory.path().join("fifo.yaml");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        if !made.is_ok_and(|status| status.success()) {
            eprintln!("skipped: mkfifo is not available");
            return;
        }
        let file = open_without_blocking(&fifo).unwrap();
        assert!(!file.metadata().unwrap().is_file());
    }
}

//! Writes inferred costs into a document as `x-points`, for review.
//!
//! YAML documents are edited as text: one `x-points: N` line is inserted under each operation
//! whose cost was inferred, so comments, quoting and layout stay as they were. JSON documents
//! are re-serialised in their key order with the indentation they used. Either way the result
//! is loaded again and checked: every cost must now be declared, with the points inferred.

use sdkgen_model::cost::{CostFormula, CostSource, EXTENSION};
use sdkgen_model::{Api, Operation};
use serde_json::Value;

use crate::error::{LoadError, Result, escape};
use crate::source::Format;

/// Returns `text` with an `x-points` entry for every operation of `api` (loaded from `text`)
/// whose cost is inferred. `name` is used in error messages; `folder` is where the document's
/// references to other files are found (the folder of its file), for the check of the result.
pub fn annotate(
    text: &str,
    name: &str,
    folder: Option<&std::path::Path>,
    format: Format,
    api: &Api,
) -> Result<String> {
    let inferred: Vec<&Operation> = api
        .operations
        .iter()
        .filter(|operation| matches!(operation.cost.source, CostSource::Inferred { .. }))
        .collect();
    if inferred.is_empty() {
        return Ok(text.to_owned());
    }
    let annotated = match format {
        Format::Json => annotate_json(text, name, &inferred)?,
        Format::Yaml => annotate_yaml(text, name, &inferred)?,
    };
    verify(&annotated, name, folder, api)?;
    Ok(annotated)
}

fn points(operation: &Operation) -> u8 {
    match operation.cost.formula {
        CostFormula::Fixed(points) => points,
        CostFormula::PerCount { base, .. } => base,
    }
}

fn annotate_json(text: &str, name: &str, inferred: &[&Operation]) -> Result<String> {
    let mut document: Value = crate::source::parse(text, name, Format::Json)?;
    for operation in inferred {
        let pointer = format!(
            "/paths/{}/{}",
            escape(&operation.path),
            operation.method.key()
        );
        let Some(Value::Object(object)) = document.pointer_mut(&pointer) else {
            return Err(LoadError::at(
                name,
                pointer,
                "the operation is not a plain object here (is its path item a $ref?)",
            ));
        };
        object.insert(EXTENSION.to_owned(), Value::from(points(operation)));
    }
    let indent = json_indent(text);
    let mut output = Vec::new();
    let formatter = serde_json::ser::PrettyFormatter::with_indent(indent.as_bytes());
    let mut serializer = serde_json::Serializer::with_formatter(&mut output, formatter);
    serde::Serialize::serialize(&document, &mut serializer)
        .map_err(|error| LoadError::file(name, format!("cannot write JSON: {error}")))?;
    let mut output = String::from_utf8(output)
        .map_err(|error| LoadError::file(name, format!("cannot write JSON: {error}")))?;
    if text.ends_with('\n') {
        output.push('\n');
    }
    Ok(output)
}

/// The indentation of the first indented line, or two spaces.
fn json_indent(text: &str) -> String {
    text.lines()
        .skip(1)
        .find_map(|line| {
            let indent: String = line
                .chars()
                .take_while(|c| *c == ' ' || *c == '\t')
                .collect();
            (!indent.is_empty()).then_some(indent)
        })
        .unwrap_or_else(|| "  ".to_owned())
}

/// One line of a YAML document, as far as block structure goes.
struct Line<'t> {
    indent: usize,
    key: Option<String>,
    text: &'t str,
}

fn yaml_lines(text: &str) -> Vec<Line<'_>> {
    text.split_inclusive('\n')
        .map(|text| {
            let content = text.trim_end_matches(['\n', '\r']);
            let indent = content.len() - content.trim_start_matches(' ').len();
            let body = content[indent..].trim_end();
            let key = if body.is_empty() || body.starts_with('#') {
                None
            } else {
                yaml_key(body)
            };
            Line { indent, key, text }
        })
        .collect()
}

/// The key of a `key: value` or `key:` line (quotes removed), if the line is one.
fn yaml_key(body: &str) -> Option<String> {
    if let Some(rest) = body.strip_prefix('"') {
        let end = rest.find('"')?;
        return rest[end + 1..]
            .starts_with(':')
            .then(|| rest[..end].replace("\\\"", "\""));
    }
    if let Some(rest) = body.strip_prefix('\'') {
        let end = rest.find('\'')?;
        return rest[end + 1..]
            .starts_with(':')
            .then(|| rest[..end].replace("''", "'"));
    }
    let colon = body
        .find(": ")
        .or_else(|| body.ends_with(':').then(|| body.len() - 1))?;
    Some(body[..colon].to_owned())
}

fn annotate_yaml(text: &str, name: &str, inferred: &[&Operation]) -> Result<String> {
    let lines = yaml_lines(text);
    // Insertions: (line index to insert after, text).
    let mut insertions: Vec<(usize, String)> = Vec::new();
    let paths_line = lines
        .iter()
        .position(|line| line.indent == 0 && line.key.as_deref() == Some("paths"))
        .ok_or_else(|| LoadError::at(name, "/paths", "no block-style `paths:` key found"))?;
    let block_end = |start: usize, indent: usize| {
        lines[start + 1..]
            .iter()
            .position(|line| line.key.is_some() && line.indent <= indent)
            .map_or(lines.len(), |offset| start + 1 + offset)
    };
    for operation in inferred {
        let pointer = format!(
            "/paths/{}/{}",
            escape(&operation.path),
            operation.method.key()
        );
        let not_found = || {
            LoadError::at(
                name,
                pointer.clone(),
                "cannot find this operation as block-style YAML to annotate",
            )
        };
        let paths_end = block_end(paths_line, 0);
        let path_line = (paths_line + 1..paths_end)
            .find(|index| lines[*index].key.as_deref() == Some(operation.path.as_str()))
            .ok_or_else(not_found)?;
        let path_indent = lines[path_line].indent;
        let path_end = block_end(path_line, path_indent);
        let method_line = (path_line + 1..path_end)
            .find(|index| {
                lines[*index].indent > path_indent
                    && lines[*index].key.as_deref() == Some(operation.method.key())
            })
            .ok_or_else(not_found)?;
        let method_indent = lines[method_line].indent;
        if !lines[method_line].text.trim_end().ends_with(':') {
            return Err(not_found());
        }
        let child_indent = lines[method_line + 1..]
            .iter()
            .find(|line| line.key.is_some())
            .map(|line| line.indent)
            .filter(|indent| *indent > method_indent)
            .ok_or_else(not_found)?;
        let rule = match operation.cost.source {
            CostSource::Inferred { rule } => rule,
            CostSource::Declared => "declared",
        };
        insertions.push((
            method_line,
            format!(
                "{}{EXTENSION}: {} # inferred: {rule}\n",
                " ".repeat(child_indent),
                points(operation)
            ),
        ));
    }
    insertions.sort();
    let mut output = String::with_capacity(text.len() + insertions.len() * 32);
    let mut next = insertions.iter().peekable();
    for (index, line) in lines.iter().enumerate() {
        output.push_str(line.text);
        if !line.text.ends_with('\n') && next.peek().is_some_and(|(at, _)| *at == index) {
            output.push('\n');
        }
        while let Some((_, insertion)) = next.next_if(|(at, _)| *at == index) {
            output.push_str(insertion);
        }
    }
    Ok(output)
}

/// Loads the annotated text and checks that every cost is declared as inferred before.
fn verify(
    annotated: &str,
    name: &str,
    folder: Option<&std::path::Path>,
    before: &Api,
) -> Result<()> {
    let after = match folder {
        Some(folder) => {
            crate::load_str_in(annotated, name, folder, &crate::LoadOptions::default())?
        }
        None => crate::load_str(annotated, name)?,
    };
    for (old, new) in before.operations.iter().zip(&after.operations) {
        if new.cost.source != CostSource::Declared || points(new) != points(old) {
            return Err(LoadError::file(
                name,
                format!(
                    "annotating {} did not give the expected declared cost; the document was \
                     not changed",
                    old.label()
                ),
            ));
        }
    }
    Ok(())
}

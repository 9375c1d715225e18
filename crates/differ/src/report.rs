//! Reports of a comparison: text for people, JSON for programs, Markdown for changelogs,
//! GitHub Actions annotations, JUnit XML and SARIF for CI systems.

use std::collections::BTreeMap;
use std::fmt::Write;

use serde_json::json;

use crate::{Change, Level, Report};

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Grouped by operation, for people (coloured when `color`).
    Text,
    /// `{"changes":[..],"summary":{..}}`.
    Json,
    /// A changelog section.
    Markdown,
    /// GitHub Actions workflow commands (`::error ..::message`).
    Github,
    /// A JUnit XML test suite, one failing test case per breaking change.
    Junit,
    /// SARIF 2.1.0.
    Sarif,
}

impl Format {
    /// Parses `text`, `json`, `markdown`, `github`, `junit` or `sarif`.
    pub fn parse(name: &str) -> Option<Format> {
        Some(match name {
            "text" => Format::Text,
            "json" => Format::Json,
            "markdown" => Format::Markdown,
            "github" => Format::Github,
            "junit" => Format::Junit,
            "sarif" => Format::Sarif,
            _ => return None,
        })
    }
}

/// Renders a report. `source` names the compared files (for annotations and SARIF).
pub fn render(report: &Report, format: Format, source: &str, color: bool) -> String {
    render_with_source(report, format, source, None, color)
}

/// Renders a report, with the text of the new document so that annotations and SARIF
/// results can point at the line of each operation ([`operation_line`]).
pub fn render_with_source(
    report: &Report,
    format: Format,
    source: &str,
    text: Option<&str>,
    color: bool,
) -> String {
    let lines = text.map(OperationLines::new);
    let line = |change: &Change| lines.as_ref().and_then(|lines| lines.line(change));
    match format {
        Format::Text => text_report(report, color),
        Format::Json => {
            let value = json!({ "changes": report.changes, "summary": report.summary() });
            serde_json::to_string_pretty(&value).unwrap_or_default() + "\n"
        }
        Format::Markdown => markdown(report, "Changes"),
        Format::Github => github(report, source, &line),
        Format::Junit => junit(report),
        Format::Sarif => sarif(report, source, &line),
    }
}

/// Where operations are declared in a document's text (JSON or YAML), found in one pass: the
/// line of each method key under its path key, and of each path key.
#[derive(Debug, Clone, Default)]
pub struct OperationLines {
    paths: std::collections::HashMap<String, usize>,
    operations: std::collections::HashMap<(String, String), usize>,
}

const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// The key of a `key: value` line (JSON or YAML, quoted or not) and its indentation.
fn key_of(line: &str) -> Option<(usize, &str)> {
    let trimmed = line.trim_start();
    let indent = line.len() - trimmed.len();
    let (key, rest) = match trimmed.chars().next()? {
        quote @ ('"' | '\'') => {
            let body = &trimmed[1..];
            let end = body.find(quote)?;
            (&body[..end], &body[end + 1..])
        }
        _ => {
            let end = trimmed.find(':')?;
            (&trimmed[..end], &trimmed[end..])
        }
    };
    rest.trim_start().starts_with(':').then_some((indent, key))
}

impl OperationLines {
    /// Indexes a document's text.
    pub fn new(text: &str) -> Self {
        let mut index = OperationLines::default();
        let mut current: Option<(usize, String)> = None;
        for (number, line) in text.lines().enumerate() {
            let Some((indent, key)) = key_of(line) else {
                continue;
            };
            if key.starts_with('/') {
                index.paths.entry(key.to_owned()).or_insert(number + 1);
                current = Some((indent, key.to_owned()));
            } else if let Some((path_indent, path)) = &current {
                if indent <= *path_indent {
                    current = None;
                } else if METHODS.contains(&key) {
                    index
                        .operations
                        .entry((key.to_ascii_uppercase(), path.clone()))
                        .or_insert(number + 1);
                }
            }
        }
        index
    }

    /// The 1-based line of a finding's operation: its method under its path, or the path.
    /// `None` for findings outside operations, or when the text does not declare the operation
    /// (a removed operation, looked up in the new document).
    pub fn line(&self, change: &Change) -> Option<usize> {
        let (method, path) = change.operation.as_deref()?.split_once(' ')?;
        self.operations
            .get(&(method.to_owned(), path.to_owned()))
            .or_else(|| self.paths.get(path))
            .copied()
    }
}

/// The line of one finding's operation in a document's text (see [`OperationLines`]).
pub fn operation_line(text: &str, change: &Change) -> Option<usize> {
    OperationLines::new(text).line(change)
}

fn grouped(report: &Report) -> BTreeMap<String, Vec<&Change>> {
    let mut groups: BTreeMap<String, Vec<&Change>> = BTreeMap::new();
    for change in &report.changes {
        let key = change
            .operation
            .clone()
            .unwrap_or_else(|| "(document)".to_owned());
        groups.entry(key).or_default().push(change);
    }
    groups
}

fn text_report(report: &Report, color: bool) -> String {
    let paint = |level: Level, text: &str| -> String {
        if !color {
            return text.to_owned();
        }
        let code = match level {
            Level::Breaking => "31",
            Level::Warning => "33",
            Level::NonBreaking => "32",
        };
        format!("\u{1b}[{code}m{text}\u{1b}[0m")
    };
    let mut output = String::new();
    for (operation, changes) in grouped(report) {
        let _ = writeln!(output, "{operation}");
        for change in changes {
            let level = paint(change.level, &format!("{:<12}", change.level.as_str()));
            let _ = writeln!(
                output,
                "  {level} {}: {} [{}]",
                change.id, change.message, change.location
            );
        }
    }
    let _ = writeln!(output, "{}", summary_line(report));
    output
}

/// A changelog section: breaking changes first, then warnings, then the rest.
pub fn markdown(report: &Report, title: &str) -> String {
    let mut output = format!("## {title}\n");
    if report.changes.is_empty() {
        output.push_str("\nNo changes to the API.\n");
        return output;
    }
    let _ = writeln!(output, "\n{}", summary_line(report));
    for (level, heading) in [
        (Level::Breaking, "Breaking changes"),
        (Level::Warning, "Warnings"),
        (Level::NonBreaking, "Non-breaking changes"),
    ] {
        let changes: Vec<&Change> = report.at(level).collect();
        if changes.is_empty() {
            continue;
        }
        let _ = write!(output, "\n### {heading}\n\n");
        for change in changes {
            let operation = change
                .operation
                .as_deref()
                .map(|operation| format!("`{operation}`: "))
                .unwrap_or_default();
            let _ = writeln!(
                output,
                "- {operation}{} (`{}`, {})",
                change.message, change.id, change.location
            );
        }
    }
    output
}

fn escape_annotation(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// `2 breaking, 1 warning, 5 non-breaking`.
fn summary_line(report: &Report) -> String {
    let summary = report.summary();
    format!(
        "{} breaking, {} warning, {} non-breaking",
        summary.breaking, summary.warning, summary.non_breaking
    )
}

fn github(report: &Report, source: &str, line: &dyn Fn(&Change) -> Option<usize>) -> String {
    let mut output = String::new();
    for change in &report.changes {
        let command = match change.level {
            Level::Breaking => "error",
            Level::Warning => "warning",
            Level::NonBreaking => "notice",
        };
        let title = format!(
            "{} {}",
            change.id,
            change.operation.as_deref().unwrap_or("")
        );
        let title = escape_annotation(title.trim())
            .replace(',', "%2C")
            .replace(':', "%3A");
        let line = line(change)
            .map(|line| format!(",line={line}"))
            .unwrap_or_default();
        let _ = writeln!(
            output,
            "::{command} file={source}{line},title={title}::{}",
            escape_annotation(&format!("{} ({})", change.message, change.location))
        );
    }
    // A closing notice with the counts, so that the job's summary says how much was found.
    let _ = writeln!(
        output,
        "::notice title=API changes::{}",
        summary_line(report)
    );
    output
}

fn xml_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn junit(report: &Report) -> String {
    let summary = report.summary();
    let mut output = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuite name=\"api-compatibility\" tests=\"{}\" failures=\"{}\">\n",
        report.changes.len(),
        summary.breaking
    );
    for change in &report.changes {
        let name = xml_escape(&format!(
            "{} {} {}",
            change.id,
            change.operation.as_deref().unwrap_or(""),
            change.location
        ));
        let _ = write!(
            output,
            "  <testcase classname=\"{}\" name=\"{name}\"",
            change.level.as_str()
        );
        if change.level == Level::Breaking {
            let _ = write!(
                output,
                ">\n    <failure message=\"{}\"/>\n  </testcase>\n",
                xml_escape(&change.message)
            );
        } else {
            output.push_str("/>\n");
        }
    }
    output.push_str("</testsuite>\n");
    output
}

fn sarif(report: &Report, source: &str, line: &dyn Fn(&Change) -> Option<usize>) -> String {
    // The rule list is the catalogue, so that a result's rule is described even when no
    // other result names it, and tools can show every rule the gate enforces.
    let catalogue = crate::rules::catalogue();
    let rules: Vec<_> = catalogue
        .iter()
        .map(|rule| {
            json!({
                "id": rule.id,
                "shortDescription": { "text": rule.description },
                "defaultConfiguration": { "level": sarif_level(rule.level) },
                "properties": { "family": rule.family.as_str(), "direction": rule.direction.as_str() },
            })
        })
        .collect();
    let results: Vec<_> = report
        .changes
        .iter()
        .map(|change| {
            let mut physical = json!({ "artifactLocation": { "uri": source } });
            if let Some(line) = line(change) {
                physical["region"] = json!({ "startLine": line });
            }
            let mut result = json!({
                "ruleId": change.id,
                "level": sarif_level(change.level),
                "message": { "text": format!("{}{}", change.operation.as_deref().map(|operation| format!("{operation}: ")).unwrap_or_default(), change.message) },
                "locations": [{
                    "physicalLocation": physical,
                    "logicalLocations": [{ "fullyQualifiedName": change.location }],
                }],
            });
            if let Some(index) = catalogue.iter().position(|rule| rule.id == change.id) {
                result["ruleIndex"] = json!(index);
            }
            result
        })
        .collect();
    let value = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": { "name": "sdkgen-differ", "rules": rules } },
            "results": results,
        }],
    });
    serde_json::to_string_pretty(&value).unwrap_or_default() + "\n"
}

fn sarif_level(level: Level) -> &'static str {
    match level {
        Level::Breaking => "error",
        Level::Warning => "warning",
        Level::NonBreaking => "note",
    }
}

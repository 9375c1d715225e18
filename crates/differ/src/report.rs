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
    match format {
        Format::Text => text(report, color),
        Format::Json => {
            let value = json!({ "changes": report.changes, "summary": report.summary() });
            serde_json::to_string_pretty(&value).unwrap_or_default() + "\n"
        }
        Format::Markdown => markdown(report, "Changes"),
        Format::Github => github(report, source),
        Format::Junit => junit(report),
        Format::Sarif => sarif(report, source),
    }
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

fn text(report: &Report, color: bool) -> String {
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
    let summary = report.summary();
    let _ = writeln!(
        output,
        "{} breaking, {} warning, {} non-breaking",
        summary.breaking, summary.warning, summary.non_breaking
    );
    output
}

/// A changelog section: breaking changes first, then warnings, then the rest.
pub fn markdown(report: &Report, title: &str) -> String {
    let mut output = format!("## {title}\n");
    if report.changes.is_empty() {
        output.push_str("\nNo changes to the API.\n");
        return output;
    }
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

fn github(report: &Report, source: &str) -> String {
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
        let _ = writeln!(
            output,
            "::{command} file={source},title={title}::{}",
            escape_annotation(&format!("{} ({})", change.message, change.location))
        );
    }
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

fn sarif(report: &Report, source: &str) -> String {
    let mut rules: Vec<&str> = report
        .changes
        .iter()
        .map(|change| change.id.as_str())
        .collect();
    rules.sort_unstable();
    rules.dedup();
    let results: Vec<_> = report
        .changes
        .iter()
        .map(|change| {
            json!({
                "ruleId": change.id,
                "level": match change.level { Level::Breaking => "error", Level::Warning => "warning", Level::NonBreaking => "note" },
                "message": { "text": format!("{}{}", change.operation.as_deref().map(|operation| format!("{operation}: ")).unwrap_or_default(), change.message) },
                "locations": [{
                    "physicalLocation": { "artifactLocation": { "uri": source } },
                    "logicalLocations": [{ "fullyQualifiedName": change.location }],
                }],
            })
        })
        .collect();
    let value = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": { "name": "sdkgen-differ", "rules": rules.iter().map(|rule| json!({ "id": rule })).collect::<Vec<_>>() } },
            "results": results,
        }],
    });
    serde_json::to_string_pretty(&value).unwrap_or_default() + "\n"
}

//! A team's controls over the gate, applied to a report after the comparison:
//!
//! - a **config file** raises or lowers a rule's level, one rule a line:
//!   ```text
//!   # rule id                              level
//!   request-parameter-removed              breaking
//!   response-optional-property-removed     warning
//!   ```
//! - an **ignore file** accepts a deliberate break on one operation, with a reason, one a line
//!   (`-` in place of the operation for a finding outside operations):
//!   ```text
//!   # operation           rule id                                reason
//!   DELETE /pets/{id}     api-removed-without-deprecation        agreed with the two users, ticket 123
//!   -                     api-security-component-removed         the old key scheme was never used
//!   ```
//!   An entry that matches no finding is stale: [`Applied::stale`] lists it, so that the file
//!   does not silently keep accepting breaks that are no longer there.
//!
//! Blank lines and lines starting with `#` are ignored. Rule ids must be in the catalogue.

use crate::{Change, Error, Level, Report, Result, rules};

/// Level overrides, by rule id.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Config {
    /// `(rule id, level)`, in file order (a later line for the same rule wins).
    pub levels: Vec<(String, Level)>,
}

/// One accepted finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IgnoreEntry {
    /// `METHOD /path`, or `None` for a finding outside operations.
    pub operation: Option<String>,
    /// The rule id.
    pub rule: String,
    /// Why the break was accepted.
    pub reason: String,
    /// The 1-based line of the ignore file.
    pub line: usize,
}

/// The entries of an ignore file.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct IgnoreList {
    /// The entries, in file order.
    pub entries: Vec<IgnoreEntry>,
}

/// A report with a team's controls applied.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Applied {
    /// The findings that remain, at their configured levels.
    pub report: Report,
    /// The findings an ignore entry accepted, with the entry's reason.
    pub ignored: Vec<(Change, String)>,
    /// Ignore entries that matched no finding.
    pub stale: Vec<IgnoreEntry>,
}

fn meaningful_lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.lines()
        .enumerate()
        .map(|(index, line)| (index + 1, line.trim()))
        .filter(|(_, line)| !line.is_empty() && !line.starts_with('#'))
}

fn known_rule(file: &str, line: usize, id: &str) -> Result<String> {
    match rules::find(id) {
        Some(rule) => Ok(rule.id.clone()),
        None => Err(Error::Control {
            file: file.to_owned(),
            line,
            message: format!("unknown rule {id:?} (see crates/differ/RULES.md)"),
        }),
    }
}

/// Parses a config file; `file` names it in errors.
pub fn parse_config(text: &str, file: &str) -> Result<Config> {
    let mut levels = Vec::new();
    for (line, content) in meaningful_lines(text) {
        let fields: Vec<&str> = content.split_whitespace().collect();
        let [id, level] = fields.as_slice() else {
            return Err(Error::Control {
                file: file.to_owned(),
                line,
                message: format!("expected `RULE-ID LEVEL`, found {content:?}"),
            });
        };
        let rule = known_rule(file, line, id)?;
        let level = Level::parse(level).ok_or_else(|| Error::Control {
            file: file.to_owned(),
            line,
            message: format!("unknown level {level:?} (breaking, warning or non-breaking)"),
        })?;
        levels.push((rule, level));
    }
    Ok(Config { levels })
}

/// Parses an ignore file; `file` names it in errors.
pub fn parse_ignore(text: &str, file: &str) -> Result<IgnoreList> {
    let mut entries = Vec::new();
    for (line, content) in meaningful_lines(text) {
        let error = |message: String| Error::Control {
            file: file.to_owned(),
            line,
            message,
        };
        let mut words = content.split_whitespace();
        let operation = match words.next() {
            Some("-") => None,
            Some(method) => {
                let path = words
                    .next()
                    .filter(|path| path.starts_with('/'))
                    .ok_or_else(|| {
                        error(format!(
                            "expected `METHOD /path` or `-` at the start of {content:?}"
                        ))
                    })?;
                Some(format!("{} {path}", method.to_ascii_uppercase()))
            }
            None => continue,
        };
        let id = words
            .next()
            .ok_or_else(|| error("expected a rule id after the operation".to_owned()))?;
        let rule = known_rule(file, line, id)?;
        let reason = words.collect::<Vec<_>>().join(" ");
        if reason.is_empty() {
            return Err(error(format!(
                "the entry for {id} gives no reason: say why the break was accepted"
            )));
        }
        entries.push(IgnoreEntry {
            operation,
            rule,
            reason,
            line,
        });
    }
    Ok(IgnoreList { entries })
}

/// `/pets/{id}` and `/pets/{pet_id}` name the same path.
fn same_operation(entry: &str, finding: &str) -> bool {
    let normalise = |label: &str| {
        let mut key = String::with_capacity(label.len());
        let mut in_parameter = false;
        for character in label.chars() {
            match character {
                '{' => {
                    in_parameter = true;
                    key.push('{');
                }
                '}' => {
                    in_parameter = false;
                    key.push('}');
                }
                _ if in_parameter => {}
                other => key.push(other),
            }
        }
        key
    };
    normalise(entry) == normalise(finding)
}

/// Applies a config and an ignore list to a report.
pub fn apply(report: Report, config: &Config, ignore: &IgnoreList) -> Applied {
    let mut used = vec![false; ignore.entries.len()];
    let mut applied = Applied::default();
    for mut change in report.changes {
        if let Some((_, level)) = config.levels.iter().rev().find(|(id, _)| *id == change.id) {
            change.level = *level;
        }
        let entry = ignore.entries.iter().position(|entry| {
            entry.rule == change.id
                && match (&entry.operation, &change.operation) {
                    (None, None) => true,
                    (Some(entry), Some(finding)) => same_operation(entry, finding),
                    _ => false,
                }
        });
        match entry {
            Some(index) => {
                used[index] = true;
                applied
                    .ignored
                    .push((change, ignore.entries[index].reason.clone()));
            }
            None => applied.report.changes.push(change),
        }
    }
    applied.stale = ignore
        .entries
        .iter()
        .zip(used)
        .filter(|(_, used)| !used)
        .map(|(entry, _)| entry.clone())
        .collect();
    applied
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(id: &str, level: Level, operation: Option<&str>) -> Change {
        Change {
            id: id.to_owned(),
            level,
            operation: operation.map(str::to_owned),
            location: "paths".to_owned(),
            message: "m".to_owned(),
        }
    }

    #[test]
    fn a_config_moves_levels_and_an_ignore_list_accepts_findings() {
        let config = parse_config(
            "# levels\nrequest-parameter-removed breaking\n\nendpoint-added warning\n",
            "levels.txt",
        )
        .expect("parses");
        let ignore = parse_ignore(
            "DELETE /pets/{id}  api-removed-without-deprecation  agreed with users, ticket 123\nget /gone  endpoint-added  stale on purpose\n- api-security-component-removed never used\n",
            "ignore.txt",
        )
        .expect("parses");
        let report = Report {
            changes: vec![
                change("request-parameter-removed", Level::Warning, Some("GET /a")),
                change(
                    "api-removed-without-deprecation",
                    Level::Breaking,
                    Some("DELETE /pets/{pet_id}"),
                ),
                change("api-security-component-removed", Level::Breaking, None),
            ],
        };
        let applied = apply(report, &config, &ignore);
        assert_eq!(
            applied.report.changes,
            [change(
                "request-parameter-removed",
                Level::Breaking,
                Some("GET /a")
            )]
        );
        assert_eq!(applied.ignored.len(), 2);
        assert_eq!(applied.ignored[0].1, "agreed with users, ticket 123");
        assert_eq!(applied.stale.len(), 1);
        assert_eq!(applied.stale[0].operation.as_deref(), Some("GET /gone"));
        assert_eq!(applied.stale[0].line, 2);
    }

    #[test]
    fn bad_lines_are_reported_with_their_line() {
        let error = |result: Result<_>| match result {
            Err(error) => error.to_string(),
            Ok(_) => String::from("no error"),
        };
        assert_eq!(
            error(parse_config("endpoint-added\n", "c").map(|_| ())),
            "c line 1: expected `RULE-ID LEVEL`, found \"endpoint-added\""
        );
        assert_eq!(
            error(parse_config("\nno-such-rule warning\n", "c").map(|_| ())),
            "c line 2: unknown rule \"no-such-rule\" (see crates/differ/RULES.md)"
        );
        assert_eq!(
            error(parse_config("endpoint-added fatal\n", "c").map(|_| ())),
            "c line 1: unknown level \"fatal\" (breaking, warning or non-breaking)"
        );
        assert_eq!(
            error(parse_ignore("GET /a endpoint-added\n", "i").map(|_| ())),
            "i line 1: the entry for endpoint-added gives no reason: say why the break was accepted"
        );
        assert_eq!(
            error(parse_ignore("GET endpoint-added because\n", "i").map(|_| ())),
            "i line 1: expected `METHOD /path` or `-` at the start of \"GET endpoint-added because\""
        );
        assert_eq!(
            error(parse_ignore("GET /a\n", "i").map(|_| ())),
            "i line 1: expected a rule id after the operation"
        );
    }
}

//! Doc comments from spec text.

use proc_macro2::TokenStream;
use quote::quote;

/// `#[doc]` attributes for a title and a description (either may be absent). Each line
/// becomes one attribute, so rustdoc sees the Markdown as written.
pub fn doc_attrs(title: Option<&str>, description: Option<&str>) -> TokenStream {
    doc_lines(&text_lines(title, description))
}

/// The lines of a title and a description, a blank line between them, made safe for rustdoc
/// (see [`spec_text`]).
pub fn text_lines(title: Option<&str>, description: Option<&str>) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    if let Some(title) = title.map(str::trim).filter(|title| !title.is_empty()) {
        lines.push(title.to_owned());
    }
    if let Some(description) = description.map(str::trim).filter(|text| !text.is_empty()) {
        if !lines.is_empty() {
            lines.push(String::new());
        }
        lines.extend(description.lines().map(|line| line.trim_end().to_owned()));
    }
    spec_text(&lines)
}

/// Spec text as doc lines that rustdoc neither tests nor links: its code blocks are not Rust
/// (a fenced block becomes ```` ```text ````, an indented one is unindented), and a bare
/// `[name]` is no intra-doc link (its brackets are escaped; `[text](url)` stays a link). So
/// generated crates run their doctests (the hand-written examples) and pass
/// `cargo doc` with `-D rustdoc::broken-intra-doc-links`.
pub fn spec_text(lines: &[String]) -> Vec<String> {
    let mut fence: Option<String> = None;
    let mut previous_blank = true;
    let mut text = Vec::with_capacity(lines.len());
    for line in lines {
        let trimmed = line.trim_start();
        let indent = &line[..line.len() - trimmed.len()];
        let marker: String = trimmed
            .chars()
            .take_while(|c| *c == '`' || *c == '~')
            .collect();
        let is_fence =
            marker.len() >= 3 && marker.chars().all(|c| c == marker.as_bytes()[0] as char);
        match &fence {
            Some(open)
                if is_fence && marker.starts_with(open.as_str()) && trimmed.trim() == marker =>
            {
                fence = None;
                text.push(line.clone());
            }
            Some(_) => text.push(line.clone()),
            None if is_fence => {
                fence = Some(marker.clone());
                text.push(format!("{}{marker}text", &indent[..indent.len().min(3)]));
            }
            None => {
                // Four spaces after a blank line start an indented code block, which rustdoc
                // would test as Rust.
                let unindented = if previous_blank && (indent.len() >= 4 || indent.contains('\t')) {
                    trimmed
                } else {
                    line.as_str()
                };
                text.push(escape_links(unindented));
            }
        }
        previous_blank = line.trim().is_empty();
    }
    if fence.is_some() {
        // An unclosed fence would swallow what follows it.
        text.push("```".to_owned());
    }
    text
}

/// Escapes the brackets of `[name]` and `[name][ref]` outside code spans, keeping `[text](url)`.
fn escape_links(line: &str) -> String {
    let mut escaped = String::with_capacity(line.len());
    let characters: Vec<char> = line.chars().collect();
    // The position of the next `]` at or after each index, computed once from the right, so
    // a line of thousands of unmatched `[` stays linear.
    let mut next_close = vec![None; characters.len() + 1];
    for index in (0..characters.len()).rev() {
        next_close[index] = if characters[index] == ']' {
            Some(index)
        } else {
            next_close[index + 1]
        };
    }
    let mut in_code = false;
    let mut index = 0;
    while index < characters.len() {
        let character = characters[index];
        match character {
            '`' => in_code = !in_code,
            '\\' => {
                escaped.push(character);
                if let Some(next) = characters.get(index + 1) {
                    escaped.push(*next);
                }
                index += 2;
                continue;
            }
            '[' if !in_code => {
                let close = next_close.get(index + 1).copied().flatten();
                let inline_link =
                    close.is_some_and(|close| characters.get(close + 1) == Some(&'('));
                if !inline_link {
                    escaped.push_str("\\[");
                    index += 1;
                    continue;
                }
            }
            ']' if !in_code => {
                let inline_link = characters.get(index + 1) == Some(&'(');
                if !inline_link {
                    escaped.push_str("\\]");
                    index += 1;
                    continue;
                }
            }
            _ => {}
        }
        escaped.push(character);
        index += 1;
    }
    escaped
}

/// The text of one doc attribute: a leading space, as `///` comments have.
fn doc_text(line: &str) -> String {
    if line.is_empty() {
        String::new()
    } else {
        format!(" {}", line.replace('\r', ""))
    }
}

/// Inner `#![doc]` attributes (for a crate or a module), one per line.
pub fn inner_doc_lines(lines: &[String]) -> TokenStream {
    let attributes = lines.iter().map(|line| {
        let line = doc_text(line);
        quote!(#![doc = #line])
    });
    quote!(#(#attributes)*)
}

/// `#[doc]` attributes, one per line.
pub fn doc_lines(lines: &[String]) -> TokenStream {
    let attributes = lines.iter().map(|line| {
        let line = doc_text(line);
        quote!(#[doc = #line])
    });
    quote!(#(#attributes)*)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(text: &str) -> Vec<String> {
        text.lines().map(str::to_owned).collect()
    }

    #[test]
    fn spec_code_blocks_are_text_and_bare_brackets_no_links() {
        let text = spec_text(&lines(
            "Send [labels] or see [the guide](https://x.test).\n```json\n{\"a\": [1]}\n```\n\n    let x = 1;\nUse `a[0]`.",
        ));
        assert_eq!(
            text,
            [
                "Send \\[labels\\] or see [the guide](https://x.test).",
                "```text",
                "{\"a\": [1]}",
                "```",
                "",
                "let x = 1;",
                "Use `a[0]`.",
            ]
        );
        assert_eq!(
            spec_text(&lines("```\nunclosed")),
            ["```text", "unclosed", "```"]
        );
    }

    #[test]
    fn unmatched_brackets_are_escaped_in_linear_time() {
        let line = "[".repeat(200_000);
        let escaped = escape_links(&line);
        assert_eq!(escaped.len(), 400_000);
        assert!(escaped.starts_with("\\[\\["));
    }
}

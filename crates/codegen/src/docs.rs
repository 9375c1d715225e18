//! Doc comments from spec text.

use proc_macro2::TokenStream;
use quote::quote;

/// `#[doc]` attributes for a title and a description (either may be absent). Each line
/// becomes one attribute, so rustdoc sees the Markdown as written.
pub fn doc_attrs(title: Option<&str>, description: Option<&str>) -> TokenStream {
    doc_lines(&text_lines(title, description))
}

/// The lines of a title and a description, a blank line between them.
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
    lines
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

//! Doc comments from spec text.

use proc_macro2::TokenStream;
use quote::quote;

/// `#[doc]` attributes for a title and a description (either may be absent). Each line
/// becomes one attribute, so rustdoc sees the Markdown as written.
pub fn doc_attrs(title: Option<&str>, description: Option<&str>) -> TokenStream {
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
    doc_lines(&lines)
}

/// `#[doc]` attributes, one per line.
pub fn doc_lines(lines: &[String]) -> TokenStream {
    let attributes = lines.iter().map(|line| {
        let line = if line.is_empty() {
            String::new()
        } else {
            format!(" {}", line.replace('\r', ""))
        };
        quote!(#[doc = #line])
    });
    quote!(#(#attributes)*)
}

//! How a list operation pages: where the items of a page are, and how the next page is asked
//! for. The loader recognises the common styles from an operation's parameters and response
//! shape, or reads them from the `x-pagination` and `x-dropshot-pagination` extensions; the
//! code generator turns them into `into_stream()`.

use serde::Serialize;

/// The pagination of one list operation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Pagination {
    /// The property of the page that holds its items (`data`, `items`), or `None` when the
    /// response body is the array of items itself.
    pub items: Option<String>,
    /// How the next page is asked for.
    pub style: PaginationStyle,
    /// Declared by an extension, or recognised from the operation's shape.
    pub source: PaginationSource,
}

/// How the next page is asked for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "style", rename_all = "kebab-case")]
pub enum PaginationStyle {
    /// The page carries an opaque cursor (`next_cursor`, `next_page_token`), sent back in a
    /// query parameter; no cursor, or an empty one, ends the list.
    Cursor {
        /// The query parameter that takes the cursor (`cursor`, `page_token`).
        parameter: String,
        /// The property that holds the next cursor: of the page, or of `within`.
        next: String,
        /// The object property of the page that holds `next`, when the page itself does not
        /// (Kubernetes' `metadata.continue`).
        #[serde(skip_serializing_if = "Option::is_none")]
        within: Option<String>,
    },
    /// The page says whether there is more (`has_more`); the next page starts after the last
    /// item's id, sent in a query parameter (`after`, `starting_after`).
    AfterLastId {
        /// The query parameter that takes the last id.
        parameter: String,
        /// The boolean property of the page that says whether more items follow.
        has_more: String,
        /// The property of an item that identifies it.
        id: String,
    },
    /// The page carries the URL of the next page (`next`, `next_url`); the runtime follows it
    /// only on the API's own origin.
    NextUrl {
        /// The property that holds the next URL: of the page, or of `within`.
        next: String,
        /// The object property of the page that holds `next`, when the page itself does not
        /// (Twilio's `meta.next_page_url`).
        #[serde(skip_serializing_if = "Option::is_none")]
        within: Option<String>,
    },
    /// The response's RFC 8288 `Link` header names the next page (`rel="next"`), as GitHub's
    /// `page` and `per_page` lists do.
    LinkHeader,
}

/// Where a pagination comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum PaginationSource {
    /// An extension of the document (`x-pagination`, `x-dropshot-pagination`).
    Declared,
    /// Recognised from the operation's parameters and response shape.
    Recognised,
}

impl PaginationStyle {
    /// A short name for reports: `cursor`, `after-last-id`, `next-url` or `link-header`.
    pub fn name(&self) -> &'static str {
        match self {
            PaginationStyle::Cursor { .. } => "cursor",
            PaginationStyle::AfterLastId { .. } => "after-last-id",
            PaginationStyle::NextUrl { .. } => "next-url",
            PaginationStyle::LinkHeader => "link-header",
        }
    }
}

//! The runtime of sdkgen clients: bearer auth, the organisation's point budget, 429 handling
//! and retries. Generated SDK crates depend on this crate and re-export what users touch, so
//! the machinery (URL building, encoding, sending, budget, retries, decoding) lives here once.
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use sdkgen_runtime::{Client, Plan, Request, Method};
//! let client = Client::builder()
//!     .base_url("https://api.example.com/v1")
//!     .bearer_token_from_env("EXAMPLE_TOKEN")?
//!     .plan(Plan::Enterprise) // a local point budget of 1000 points a minute
//!     .build()?;
//! let response = client
//!     .execute::<serde_json::Value>(Request::new("getOrganization", Method::GET, "/organization", 1))
//!     .await?;
//! let organization = response.json::<serde_json::Value, serde_json::Value>()?.into_inner();
//! println!("{organization}; budget left: {}", client.budget().await?.remaining);
//! # Ok(())
//! # }
//! ```

#![deny(missing_docs)]

pub mod budget;
mod client;
mod config;
pub mod cost;
pub mod encoding;
mod error;
mod headers;
pub mod pagination;
mod request;
mod response;
pub mod retry;
pub mod serde_helpers;
pub mod stream;
mod token;

pub use budget::{BudgetMode, BudgetSnapshot, Throttling};
pub use bytes::Bytes;
pub use client::Client;
pub use config::{ClientBuilder, Plan};
pub use encoding::ToParam;
pub use error::{BuildError, Error, ErrorBody, ServerMessage};
pub use futures_util::{Stream, StreamExt};
pub use headers::RateLimitHeaders;
pub use pagination::ItemStream;
pub use request::{Body, Method, Part, QueryStyle, Request, RequestOptions};
pub use response::{RawResponse, ResponseFuture, ResponseValue};
pub use retry::{RetryBudgetPolicy, RetryPolicy};
pub use stream::{ByteStream, EventStream, FilePart};
pub use token::BearerToken;
pub use {chrono, serde, serde_json, uuid};

/// One operation of an API, as a generated SDK lists it in its `OPERATIONS` table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OperationInfo {
    /// The operation id.
    pub id: &'static str,
    /// The HTTP method.
    pub method: &'static str,
    /// The path template.
    pub path: &'static str,
    /// The points of the cheapest call.
    pub min_points: u32,
    /// The points of the dearest call.
    pub max_points: u32,
}

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
//!     .plan(Plan::Enterprise)
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
pub mod encoding;
mod error;
mod headers;
pub mod pagination;
mod request;
mod response;
mod token;

pub use budget::{BudgetMode, BudgetSnapshot};
pub use bytes::Bytes;
pub use client::Client;
pub use config::{ClientBuilder, Plan, RetryPolicy};
pub use error::{BuildError, Error, ErrorBody};
pub use headers::RateLimitHeaders;
pub use request::{Body, Method, Part, Request};
pub use response::{RawResponse, ResponseValue};
pub use token::BearerToken;

//! The model of one version of an HTTP API, as read from an OpenAPI document.
//!
//! Everything downstream of the loader (the code generator, the breaking-change differ, the
//! sandbox server) reads this model and never the raw OpenAPI document. The model is
//! version-neutral: OpenAPI 3.0 and 3.1 constructs are normalised into one shape by the loader
//! (`nullable: true` and `type: [.., "null"]` both become [`Schema::nullable`], `const` becomes a
//! one-value enum, and so on).
//!
//! Collections that are iterated by emitters are ordered (`IndexMap` in document order, or sorted
//! `Vec`s), so that everything built from a model is deterministic.

#![deny(missing_docs)]

mod api;
pub mod cost;
mod schema;

pub use api::*;
pub use cost::{Cost, CostError, CostFormula, CostSource, CountOf};
pub use schema::*;

//! The runtime of sdkgen clients: bearer auth, the organisation's point budget, 429 handling
//! and retries. Generated SDK crates depend on this crate and re-export what users touch.

#![deny(missing_docs)]

pub mod budget;

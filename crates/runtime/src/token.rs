//! The bearer token, held so that it never shows in Debug output or logs.

use std::fmt;

/// A bearer token. `Debug` and `Display` print `BearerToken(***)`; the value is reachable only
/// through [`BearerToken::expose`].
#[derive(Clone, PartialEq, Eq)]
pub struct BearerToken(String);

impl BearerToken {
    /// Wraps a token.
    pub fn new(token: impl Into<String>) -> Self {
        BearerToken(token.into())
    }

    /// Reads a token from an environment variable.
    pub fn from_env(variable: &str) -> Result<Self, crate::BuildError> {
        match std::env::var(variable) {
            Ok(token) if !token.trim().is_empty() => Ok(BearerToken(token.trim().to_owned())),
            Ok(_) => Err(crate::BuildError::new(format!(
                "environment variable {variable} is empty"
            ))),
            Err(_) => Err(crate::BuildError::new(format!(
                "environment variable {variable} is not set (or not UTF-8)"
            ))),
        }
    }

    /// The token itself. Handle with care.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// A short non-reversible fingerprint, to key budgets by token without keeping it.
    pub(crate) fn fingerprint(&self) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        self.0.hash(&mut hasher);
        hasher.finish()
    }
}

impl fmt::Debug for BearerToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("BearerToken(***)")
    }
}

impl fmt::Display for BearerToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("BearerToken(***)")
    }
}

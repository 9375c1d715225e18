//! The one error type of every SDK call.

use std::time::Duration;

use bytes::Bytes;
use reqwest::StatusCode;

use crate::budget::{BudgetError, StoreError};

/// The body of an error response: decoded into the operation's error type when it matches,
/// else kept as bytes.
#[derive(Debug, Clone, PartialEq)]
pub enum ErrorBody<E> {
    /// The body, decoded.
    Typed(E),
    /// The body as received (not JSON, or not of the declared shape).
    Raw(Bytes),
}

impl<E> ErrorBody<E> {
    /// The decoded body, if it decoded.
    pub fn typed(&self) -> Option<&E> {
        match self {
            ErrorBody::Typed(body) => Some(body),
            ErrorBody::Raw(_) => None,
        }
    }
}

/// What can go wrong with a call. `E` is the operation's error body type.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error<E = serde_json::Value> {
    /// The request could not be sent or the response not received.
    #[error("{operation}: transport error: {source}")]
    Transport {
        /// The operation id.
        operation: &'static str,
        /// What the HTTP client said.
        #[source]
        source: reqwest::Error,
    },
    /// No response within the configured timeout.
    #[error("{operation}: timed out after {after:?}")]
    Timeout {
        /// The operation id.
        operation: &'static str,
        /// The timeout.
        after: Duration,
    },
    /// 401 or 403: the token is missing, malformed, unknown or not allowed.
    #[error("{operation}: unauthorised ({status})")]
    Unauthorized {
        /// The operation id.
        operation: &'static str,
        /// 401 or 403.
        status: StatusCode,
        /// The error body.
        body: ErrorBody<E>,
    },
    /// 429 after every retry the policy allows.
    #[error("{operation}: rate limited by the server; retry after {retry_after:?}")]
    RateLimited {
        /// The operation id.
        operation: &'static str,
        /// The server's `Retry-After`.
        retry_after: Option<Duration>,
        /// The error body.
        body: ErrorBody<E>,
    },
    /// The local point budget refused the request (fail-fast mode, or a cost above the limit).
    #[error("{operation}: {source}")]
    Budget {
        /// The operation id.
        operation: &'static str,
        /// Why, and for how long.
        #[source]
        source: BudgetError,
    },
    /// Any other non-success status.
    #[error("{operation}: the API answered {status}")]
    Api {
        /// The operation id.
        operation: &'static str,
        /// The status.
        status: StatusCode,
        /// The error body.
        body: ErrorBody<E>,
    },
    /// A success response whose body is not what the spec promises. The body is kept.
    #[error("{operation}: cannot decode the {status} response: {source}")]
    Decode {
        /// The operation id.
        operation: &'static str,
        /// The status.
        status: StatusCode,
        /// What serde said.
        #[source]
        source: serde_json::Error,
        /// The body as received.
        body: Bytes,
    },
    /// The response body is larger than the configured limit.
    #[error("{operation}: the response body is over the limit of {limit} bytes")]
    ResponseTooLarge {
        /// The operation id.
        operation: &'static str,
        /// The limit.
        limit: usize,
    },
    /// The request could not be built (an invalid header value, for example).
    #[error("{operation}: invalid request: {message}")]
    InvalidRequest {
        /// The operation id.
        operation: &'static str,
        /// What is wrong.
        message: String,
    },
}

impl<E> Error<E> {
    /// The HTTP status, for errors that have one.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Error::Unauthorized { status, .. }
            | Error::Api { status, .. }
            | Error::Decode { status, .. } => Some(*status),
            Error::RateLimited { .. } => Some(StatusCode::TOO_MANY_REQUESTS),
            _ => None,
        }
    }

    /// The operation the error happened in.
    pub fn operation(&self) -> &'static str {
        match self {
            Error::Transport { operation, .. }
            | Error::Timeout { operation, .. }
            | Error::Unauthorized { operation, .. }
            | Error::RateLimited { operation, .. }
            | Error::Budget { operation, .. }
            | Error::Api { operation, .. }
            | Error::Decode { operation, .. }
            | Error::ResponseTooLarge { operation, .. }
            | Error::InvalidRequest { operation, .. } => operation,
        }
    }

    pub(crate) fn store(operation: &'static str, error: StoreError) -> Self {
        Error::Budget {
            operation,
            source: BudgetError::Store(error),
        }
    }
}

/// A client that could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot build the client: {0}")]
pub struct BuildError(String);

impl BuildError {
    pub(crate) fn new(message: impl Into<String>) -> Self {
        BuildError(message.into())
    }
}

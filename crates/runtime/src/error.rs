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

/// The `code` and `message` of an error body, when it has them (at the top level or under
/// `error`, as most APIs send them), for error messages. Control characters are dropped and
/// each part is cut at 200 characters, so a hostile body cannot forge log lines.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ServerMessage {
    /// The machine-readable code (`code`, `error` or `type`).
    pub code: Option<String>,
    /// The human-readable message (`message`, `detail`, `title` or `error_description`).
    pub message: Option<String>,
}

impl ServerMessage {
    /// Reads a body; `None` when it is not JSON or has neither a code nor a message.
    pub fn from_body(body: &[u8]) -> Option<ServerMessage> {
        let value: serde_json::Value = serde_json::from_slice(body).ok()?;
        let object = value.as_object()?;
        let nested = object.get("error").and_then(serde_json::Value::as_object);
        let field = |names: &[&str]| {
            [Some(object), nested]
                .into_iter()
                .flatten()
                .find_map(|object| {
                    names.iter().find_map(|name| match object.get(*name)? {
                        serde_json::Value::String(text) => Some(clean(text)),
                        number @ serde_json::Value::Number(_) => Some(number.to_string()),
                        _ => None,
                    })
                })
        };
        let found = ServerMessage {
            code: field(&["code", "error", "type"]).filter(|code| !code.is_empty()),
            message: field(&["message", "detail", "title", "error_description"])
                .filter(|message| !message.is_empty()),
        };
        (found.code.is_some() || found.message.is_some()).then_some(found)
    }
}

fn clean(text: &str) -> String {
    const MAX: usize = 200;
    let mut cleaned: String = text
        .chars()
        .map(|character| {
            if character.is_control() {
                ' '
            } else {
                character
            }
        })
        .take(MAX)
        .collect();
    if text.chars().count() > MAX {
        cleaned.push('…');
    }
    cleaned.trim().to_owned()
}

impl std::fmt::Display for ServerMessage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (&self.code, &self.message) {
            (Some(code), Some(message)) => write!(f, "{code}: {message}"),
            (Some(text), None) | (None, Some(text)) => f.write_str(text),
            (None, None) => Ok(()),
        }
    }
}

/// `": code: message"` when there is one, else nothing.
struct Detail<'a>(&'a Option<ServerMessage>);

impl std::fmt::Display for Detail<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0 {
            Some(message) => write!(f, ": {message}"),
            None => Ok(()),
        }
    }
}

/// A duration as people read it: `250 ms`, `1.5 s`, `42 s`, `86400 s`.
pub(crate) fn human(duration: Duration) -> impl std::fmt::Display {
    struct Human(Duration);
    impl std::fmt::Display for Human {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            let duration = self.0;
            if duration < Duration::from_secs(1) {
                write!(f, "{} ms", duration.as_millis())
            } else if duration < Duration::from_secs(10) && duration.subsec_millis() >= 100 {
                write!(
                    f,
                    "{}.{} s",
                    duration.as_secs(),
                    duration.subsec_millis() / 100
                )
            } else {
                write!(f, "{} s", duration.as_secs())
            }
        }
    }
    Human(duration)
}

/// "; the server asks to wait 3 s" when it said.
struct Wait(Option<Duration>);

impl std::fmt::Display for Wait {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0 {
            Some(wait) => write!(f, " and asks to wait {}", human(wait)),
            None => Ok(()),
        }
    }
}

/// What can go wrong with a call. `E` is the operation's error body type.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error<E = serde_json::Value> {
    /// The request could not be sent or the response not received.
    #[error("{operation}: the request failed on the way: {source}")]
    Transport {
        /// The operation id.
        operation: &'static str,
        /// What the HTTP client said.
        #[source]
        source: reqwest::Error,
    },
    /// No response within the configured timeout.
    #[error("{operation}: no answer within {}", human(*after))]
    Timeout {
        /// The operation id.
        operation: &'static str,
        /// The timeout.
        after: Duration,
    },
    /// 401 or 403: the token is missing, malformed, unknown or not allowed.
    #[error(
        "{operation}: the API refused the credentials ({status}){}",
        Detail(server_message)
    )]
    Unauthorized {
        /// The operation id.
        operation: &'static str,
        /// 401 or 403.
        status: StatusCode,
        /// The error body.
        body: ErrorBody<E>,
        /// The body's code and message, when it has them.
        server_message: Option<ServerMessage>,
    },
    /// 429 after every retry the policy allows (or with a wait longer than the policy's cap).
    #[error("{operation}: the server rate-limited the request{}{}", Wait(*retry_after), Detail(server_message))]
    RateLimited {
        /// How long the server asked to wait: the precise reset when it sent one, else its
        /// `Retry-After`.
        retry_after: Option<Duration>,
        /// The operation id.
        operation: &'static str,
        /// The error body.
        body: ErrorBody<E>,
        /// The body's code and message, when it has them.
        server_message: Option<ServerMessage>,
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
    #[error("{operation}: the API answered {status}{}", Detail(server_message))]
    Api {
        /// The operation id.
        operation: &'static str,
        /// The status.
        status: StatusCode,
        /// The error body.
        body: ErrorBody<E>,
        /// The body's code and message, when it has them.
        server_message: Option<ServerMessage>,
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
    #[error("{operation}: the response body is larger than the limit of {limit} bytes")]
    ResponseTooLarge {
        /// The operation id.
        operation: &'static str,
        /// The limit.
        limit: usize,
    },
    /// The request could not be built (an invalid header value, for example).
    #[error("{operation}: the request cannot be sent: {message}")]
    InvalidRequest {
        /// The operation id.
        operation: &'static str,
        /// What is wrong.
        message: String,
    },
    /// A streamed response broke its format (an event stream that does not parse, or an event
    /// larger than the limit). The stream ends after it.
    #[error("{operation}: the response stream is malformed: {message}")]
    Stream {
        /// The operation id.
        operation: &'static str,
        /// What is wrong.
        message: String,
    },
    /// Reading a file to upload, or writing a download, failed.
    #[error("{operation}: {message}: {source}")]
    Io {
        /// The operation id.
        operation: &'static str,
        /// What was being done.
        message: String,
        /// What the system said.
        #[source]
        source: std::io::Error,
    },
}

impl<E> Error<E> {
    /// The code and message of the server's error body, when it had them.
    pub fn server_message(&self) -> Option<&ServerMessage> {
        match self {
            Error::Unauthorized { server_message, .. }
            | Error::RateLimited { server_message, .. }
            | Error::Api { server_message, .. } => server_message.as_ref(),
            _ => None,
        }
    }

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
            | Error::InvalidRequest { operation, .. }
            | Error::Stream { operation, .. }
            | Error::Io { operation, .. } => operation,
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn errors_read_as_sentences_with_the_servers_code_and_message() {
        let body = br#"{"code":"rate_limited","message":"Too many\nrequests"}"#;
        let error: Error = Error::RateLimited {
            operation: "listTasks",
            retry_after: Some(Duration::ZERO),
            body: ErrorBody::Raw(Bytes::from_static(body)),
            server_message: ServerMessage::from_body(body),
        };
        assert_eq!(
            error.to_string(),
            "listTasks: the server rate-limited the request and asks to wait 0 ms: rate_limited: Too many requests"
        );
        let error: Error = Error::RateLimited {
            operation: "listTasks",
            retry_after: None,
            body: ErrorBody::Raw(Bytes::new()),
            server_message: None,
        };
        assert_eq!(
            error.to_string(),
            "listTasks: the server rate-limited the request"
        );
        let nested = br#"{"error":{"type":"not_found","detail":"no project 7"}}"#;
        let error: Error = Error::Api {
            operation: "getProject",
            status: StatusCode::NOT_FOUND,
            body: ErrorBody::Raw(Bytes::from_static(nested)),
            server_message: ServerMessage::from_body(nested),
        };
        assert_eq!(
            error.to_string(),
            "getProject: the API answered 404 Not Found: not_found: no project 7"
        );
        assert_eq!(
            error.server_message().unwrap().code.as_deref(),
            Some("not_found")
        );
        let error: Error = Error::Timeout {
            operation: "export",
            after: Duration::from_millis(1500),
        };
        assert_eq!(error.to_string(), "export: no answer within 1.5 s");
        assert_eq!(ServerMessage::from_body(b"plain text"), None);
        assert_eq!(ServerMessage::from_body(b"{}"), None);
        let long = format!(r#"{{"message":"{}"}}"#, "x".repeat(500));
        assert_eq!(
            ServerMessage::from_body(long.as_bytes())
                .unwrap()
                .message
                .unwrap()
                .chars()
                .count(),
            201
        );
    }

    #[test]
    fn durations_read_as_people_write_them() {
        let cases = [
            (0, "0 ms"),
            (250, "250 ms"),
            (1_500, "1.5 s"),
            (2_040, "2 s"),
            (42_700, "42 s"),
            (86_400_000, "86400 s"),
        ];
        for (millis, text) in cases {
            assert_eq!(human(Duration::from_millis(millis)).to_string(), text);
        }
        assert_eq!(human(Duration::MAX).to_string(), "18446744073709551615 s");
    }
}

//! Responses: the raw one, and typed values with their status and headers.

use std::future::Future;
use std::pin::Pin;

use bytes::Bytes;
use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use serde::de::DeserializeOwned;

use crate::error::Error;

/// The answer to one call, as `send()` returns it: await it. Boxed, so that a generated crate
/// names one type per operation instead of making the compiler prove an opaque future `Send`
/// for each (which dominated the time to check a generated crate).
pub type ResponseFuture<'a, T, E> =
    Pin<Box<dyn Future<Output = Result<ResponseValue<T>, Error<E>>> + Send + 'a>>;

/// A typed response value with the status and headers it came with.
#[derive(Debug, Clone, PartialEq)]
pub struct ResponseValue<T> {
    status: StatusCode,
    headers: HeaderMap,
    value: T,
}

impl<T> ResponseValue<T> {
    /// Wraps a value.
    pub fn new(status: StatusCode, headers: HeaderMap, value: T) -> Self {
        ResponseValue {
            status,
            headers,
            value,
        }
    }

    /// The status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The value.
    pub fn into_inner(self) -> T {
        self.value
    }

    /// Converts the value, keeping status and headers.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> ResponseValue<U> {
        ResponseValue {
            status: self.status,
            headers: self.headers,
            value: f(self.value),
        }
    }
}

impl<T> std::ops::Deref for ResponseValue<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.value
    }
}

/// A successful response, body read: read it with the accessors (as [`ResponseValue`]'s) or
/// decode it with one of the methods.
#[derive(Debug, Clone, PartialEq)]
pub struct RawResponse {
    pub(crate) operation: &'static str,
    pub(crate) status: StatusCode,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Bytes,
}

impl RawResponse {
    /// A response, as a test double or a hand-made transport makes it.
    pub fn new(
        operation: &'static str,
        status: StatusCode,
        headers: HeaderMap,
        body: Bytes,
    ) -> Self {
        RawResponse {
            operation,
            status,
            headers,
            body,
        }
    }

    /// The operation id.
    pub fn operation(&self) -> &'static str {
        self.operation
    }

    /// The status (2xx).
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The body, undecoded.
    pub fn body(&self) -> &Bytes {
        &self.body
    }

    /// Decodes a JSON body.
    pub fn json<T: DeserializeOwned, E>(self) -> Result<ResponseValue<T>, Error<E>> {
        match serde_json::from_slice(&self.body) {
            Ok(value) => Ok(ResponseValue::new(self.status, self.headers, value)),
            Err(source) => Err(Error::Decode {
                operation: self.operation,
                status: self.status,
                source,
                body: self.body,
            }),
        }
    }

    /// The body as bytes.
    pub fn bytes(self) -> ResponseValue<Bytes> {
        ResponseValue::new(self.status, self.headers, self.body)
    }

    /// The body as text (invalid UTF-8 is replaced, never a panic).
    pub fn text(self) -> ResponseValue<String> {
        let text = String::from_utf8_lossy(&self.body).into_owned();
        ResponseValue::new(self.status, self.headers, text)
    }

    /// No body expected.
    pub fn empty(self) -> ResponseValue<()> {
        ResponseValue::new(self.status, self.headers, ())
    }
}

//! A request as generated code describes it: method, path, parameters, body, cost.

use bytes::Bytes;
pub use reqwest::Method;

/// One request to send. Generated code fills it in; [`crate::Client::execute`] sends it.
#[derive(Debug, Clone)]
pub struct Request {
    /// The operation id, for errors and tracing.
    pub operation: &'static str,
    /// The HTTP method.
    pub method: Method,
    /// The path with its parameters already encoded, e.g. `/tasks/3f2a`.
    pub path: String,
    /// Query pairs, already serialised per style (not yet percent-encoded).
    pub query: Vec<(String, String)>,
    /// Header parameters.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Body,
    /// The points this call costs.
    pub points: u32,
    /// Higher goes first when callers wait for points (default 0).
    pub priority: i32,
}

impl Request {
    /// A request with no parameters and no body.
    pub fn new(
        operation: &'static str,
        method: Method,
        path: impl Into<String>,
        points: u32,
    ) -> Self {
        Request {
            operation,
            method,
            path: path.into(),
            query: Vec::new(),
            headers: Vec::new(),
            body: Body::Empty,
            points,
            priority: 0,
        }
    }

    /// Adds a query pair.
    pub fn query(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.query.push((name.into(), value.into()));
        self
    }

    /// Adds a header.
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Sets the body.
    pub fn body(mut self, body: Body) -> Self {
        self.body = body;
        self
    }

    /// Sets a JSON body.
    pub fn json<T: serde::Serialize + ?Sized>(
        mut self,
        value: &T,
    ) -> Result<Self, serde_json::Error> {
        self.body = Body::Json(Bytes::from(serde_json::to_vec(value)?));
        Ok(self)
    }
}

/// A request body. Every form is cheap to clone, so that a retry sends the same bytes.
#[derive(Debug, Clone, PartialEq)]
pub enum Body {
    /// No body.
    Empty,
    /// `application/json`.
    Json(Bytes),
    /// `application/x-www-form-urlencoded` pairs.
    Form(Vec<(String, String)>),
    /// `multipart/form-data` parts.
    Multipart(Vec<Part>),
    /// Raw bytes with a content type.
    Bytes {
        /// The `Content-Type`.
        content_type: String,
        /// The bytes.
        bytes: Bytes,
    },
}

/// One part of a multipart body.
#[derive(Debug, Clone, PartialEq)]
pub struct Part {
    /// The field name.
    pub name: String,
    /// A file name, for file parts.
    pub file_name: Option<String>,
    /// The part's content type.
    pub content_type: Option<String>,
    /// The bytes.
    pub bytes: Bytes,
}

impl Part {
    /// A text field.
    pub fn text(name: impl Into<String>, value: impl Into<String>) -> Self {
        Part {
            name: name.into(),
            file_name: None,
            content_type: None,
            bytes: Bytes::from(value.into()),
        }
    }

    /// A file field.
    pub fn file(
        name: impl Into<String>,
        file_name: impl Into<String>,
        content_type: impl Into<String>,
        bytes: impl Into<Bytes>,
    ) -> Self {
        Part {
            name: name.into(),
            file_name: Some(file_name.into()),
            content_type: Some(content_type.into()),
            bytes: bytes.into(),
        }
    }
}

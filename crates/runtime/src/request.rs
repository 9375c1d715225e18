//! A request as generated code describes it: method, path, parameters, body, cost.

use std::time::Duration;

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
    /// The operation declares an `Idempotency-Key` header: the runtime sends one (unless the
    /// request already carries it), the same on every retry, and retries the request even
    /// after it may have reached the server (default false).
    pub declares_idempotency_key: bool,
    /// This request's timeout, instead of the client's: it bounds each attempt, and any wait
    /// for the budget before it.
    pub timeout: Option<Duration>,
    /// Why the request cannot be sent, when building it failed (a body that does not
    /// serialise): [`crate::Client::execute`] answers `Error::InvalidRequest` with it.
    pub problem: Option<String>,
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
            declares_idempotency_key: false,
            timeout: None,
            problem: None,
        }
    }

    /// Marks the operation as declaring an `Idempotency-Key` header (see
    /// [`Request::declares_idempotency_key`]).
    pub fn with_idempotency_key(mut self) -> Self {
        self.declares_idempotency_key = true;
        self
    }

    /// Sets this request's timeout (see [`Request::timeout`]).
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Sets a JSON body; a value that does not serialise is recorded as the request's problem.
    pub fn set_json<T: serde::Serialize + ?Sized>(&mut self, value: &T) {
        match serde_json::to_vec(value) {
            Ok(bytes) => self.body = Body::Json(Bytes::from(bytes)),
            Err(error) => self.problem = Some(format!("the JSON body does not serialise: {error}")),
        }
    }

    /// Sets a form body from a value's top-level fields (see [`crate::encoding::form_pairs`]).
    pub fn set_form<T: serde::Serialize + ?Sized>(&mut self, value: &T) {
        match crate::encoding::form_pairs(value) {
            Ok(pairs) => self.body = Body::Form(pairs),
            Err(error) => self.problem = Some(format!("the form body does not serialise: {error}")),
        }
    }

    /// Sets a form body from a value's top-level fields, each encoded as the spec's `encoding`
    /// says (see [`crate::encoding::styled_form_pairs`]).
    pub fn set_form_styled<T: serde::Serialize + ?Sized>(
        &mut self,
        value: &T,
        encodings: &[(&str, crate::encoding::FormEncoding)],
    ) {
        match crate::encoding::styled_form_pairs(value, encodings) {
            Ok(pairs) => self.body = Body::Form(pairs),
            Err(error) => self.problem = Some(format!("the form body does not serialise: {error}")),
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

/// What a caller may add to any generated request: a timeout and extra headers (an
/// idempotency key among them). Generated builders keep one and apply it when they send.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RequestOptions {
    /// This request's timeout, instead of the client's (see [`Request::timeout`]).
    pub timeout: Option<Duration>,
    /// Headers sent after the operation's own, in order.
    pub headers: Vec<(String, String)>,
}

impl RequestOptions {
    /// Applies the options to a request built by generated code.
    pub fn apply(self, request: &mut Request) {
        if let Some(timeout) = self.timeout {
            request.timeout = Some(timeout);
        }
        request.headers.extend(self.headers);
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

impl Body {
    /// A JSON body from a value (what [`Body::Json`] holds is its bytes).
    pub fn json<T: serde::Serialize + ?Sized>(value: &T) -> Result<Body, serde_json::Error> {
        Ok(Body::Json(Bytes::from(serde_json::to_vec(value)?)))
    }
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
    /// The bytes (of a text part, or of a file part made from bytes).
    pub bytes: Bytes,
    /// A file part's source when it is read as the request is sent (a path, a stream).
    file: Option<crate::FilePart>,
}

impl Part {
    /// A file field from a [`crate::FilePart`]: its file name and content type are sent as
    /// given, its bytes read from memory, a path or a stream.
    pub fn from_file(name: impl Into<String>, file: impl Into<crate::FilePart>) -> Self {
        let file: crate::FilePart = file.into();
        let bytes = match file.source() {
            crate::stream::FileSource::Bytes(bytes) => bytes.clone(),
            _ => Bytes::new(),
        };
        Part {
            name: name.into(),
            file_name: Some(file.name().to_owned()),
            content_type: Some(file.mime().to_owned()),
            bytes,
            file: Some(file),
        }
    }

    /// Sets the part's content type when it has none, or only `application/octet-stream`
    /// (which says nothing): the spec's `encoding` gives the type a part has unless the
    /// caller says otherwise.
    pub fn default_content_type(mut self, content_type: &str) -> Self {
        if self
            .content_type
            .as_deref()
            .is_none_or(|current| current == "application/octet-stream")
        {
            self.content_type = Some(content_type.to_owned());
        }
        self
    }

    /// Sets the part's content type.
    pub fn with_content_type(mut self, content_type: impl Into<String>) -> Self {
        self.content_type = Some(content_type.into());
        self
    }

    /// The file part this part was made from, if it was.
    pub fn file_part(&self) -> Option<&crate::FilePart> {
        self.file.as_ref()
    }

    /// A text field.
    pub fn text(name: impl Into<String>, value: impl Into<String>) -> Self {
        Part {
            name: name.into(),
            file_name: None,
            content_type: None,
            bytes: Bytes::from(value.into()),
            file: None,
        }
    }

    /// A file field from bytes with a given file name and content type.
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
            file: None,
        }
    }
}

/// How the values of an array query parameter are joined.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueryStyle {
    /// `name=a&name=b` exploded, `name=a,b` not.
    Form,
    /// `name=a b`.
    SpaceDelimited,
    /// `name=a|b`.
    PipeDelimited,
}

/// Adding parameters, as generated code does: one call per parameter, `None` adds nothing.
impl Request {
    /// A scalar query parameter (form style).
    pub fn add_query<T: crate::ToParam + ?Sized>(&mut self, name: &str, value: Option<&T>) {
        if let Some(value) = value {
            self.query.push((name.to_owned(), value.to_param()));
        }
    }

    /// An array query parameter.
    pub fn add_query_list<T: crate::ToParam>(
        &mut self,
        name: &str,
        values: Option<&[T]>,
        style: QueryStyle,
        explode: bool,
    ) {
        let Some(values) = values else { return };
        let values = values.iter().map(crate::ToParam::to_param);
        self.query.extend(match style {
            QueryStyle::Form => crate::encoding::query_form(name, values, explode),
            QueryStyle::SpaceDelimited => crate::encoding::query_delimited(name, values, ' '),
            QueryStyle::PipeDelimited => crate::encoding::query_delimited(name, values, '|'),
        });
    }

    /// A structured query parameter: `deepObject` style for objects (`name[key]=value`),
    /// else the value as JSON text.
    pub fn add_query_object<T: serde::Serialize + ?Sized>(
        &mut self,
        name: &str,
        value: Option<&T>,
        deep: bool,
    ) {
        let Some(value) = value else { return };
        match serde_json::to_value(value) {
            Ok(serde_json::Value::Object(entries)) if deep => {
                self.query.extend(crate::encoding::query_deep_object(
                    name,
                    entries
                        .iter()
                        .map(|(key, value)| (key, crate::ToParam::to_param(value))),
                ));
            }
            Ok(other) => self
                .query
                .push((name.to_owned(), crate::ToParam::to_param(&other))),
            Err(_) => {}
        }
    }

    /// A header parameter (values of an array joined by commas).
    pub fn add_header<T: crate::ToParam + ?Sized>(&mut self, name: &str, value: Option<&T>) {
        if let Some(value) = value {
            self.headers.push((name.to_owned(), value.to_param()));
        }
    }

    /// An array header parameter.
    pub fn add_header_list<T: crate::ToParam>(&mut self, name: &str, values: Option<&[T]>) {
        if let Some(values) = values {
            let joined =
                crate::encoding::header_simple(values.iter().map(crate::ToParam::to_param));
            self.headers.push((name.to_owned(), joined));
        }
    }

    /// A cookie parameter.
    pub fn add_cookie<T: crate::ToParam + ?Sized>(&mut self, name: &str, value: Option<&T>) {
        if let Some(value) = value {
            self.headers
                .push(("cookie".to_owned(), format!("{name}={}", value.to_param())));
        }
    }
}

/// The options of one request that every generated builder has: `with_timeout`, `header`,
/// and `idempotency_key` unless the operation declares that header itself (then the spec's
/// own setter is the one: pass `declared_idempotency_key`). The builder must have an
/// `options: RequestOptions` field that its `send()` applies. One macro here keeps the
/// generated crates small: a builder says `request_options!(GetTask);` instead of repeating
/// three methods.
///
/// ```
/// use sdkgen_runtime::RequestOptions;
/// #[derive(Default)]
/// struct GetTask {
///     options: RequestOptions,
/// }
/// sdkgen_runtime::request_options!(GetTask);
/// let request = GetTask::default()
///     .with_timeout(std::time::Duration::from_secs(2))
///     .idempotency_key("k-1");
/// assert_eq!(request.options.timeout, Some(std::time::Duration::from_secs(2)));
/// assert_eq!(request.options.headers, [("idempotency-key".to_owned(), "k-1".to_owned())]);
/// ```
#[macro_export]
macro_rules! request_options {
    ($builder:ident) => {
        $crate::request_options!($builder, declared_idempotency_key);

        impl $builder {
            /// Sends an `Idempotency-Key` header with this value. The operation does not
            /// declare one, so the request is retried only as its method allows.
            pub fn idempotency_key(
                self,
                value: impl ::std::convert::Into<::std::string::String>,
            ) -> Self {
                self.header("idempotency-key", value)
            }
        }
    };
    ($builder:ident, declared_idempotency_key) => {
        impl $builder {
            /// Sets this request's timeout, instead of the client's: it bounds each attempt,
            /// and any wait for the budget before it.
            pub fn with_timeout(mut self, timeout: ::std::time::Duration) -> Self {
                self.options.timeout = ::std::option::Option::Some(timeout);
                self
            }

            /// Adds a header, sent after the operation's own.
            pub fn header(
                mut self,
                name: impl ::std::convert::Into<::std::string::String>,
                value: impl ::std::convert::Into<::std::string::String>,
            ) -> Self {
                self.options.headers.push((name.into(), value.into()));
                self
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_are_added_per_style() {
        let mut request = Request::new("op", Method::GET, "/", 1);
        request.add_query("a", Some("x y"));
        request.add_query::<str>("skipped", None);
        request.add_query_list("b", Some(&[1, 2][..]), QueryStyle::Form, false);
        request.add_query_list("c", Some(&["p", "q"][..]), QueryStyle::PipeDelimited, true);
        request.add_query_object("d", Some(&serde_json::json!({"k": "v"})), true);
        request.add_header("X-A", Some(&5));
        request.add_cookie("s", Some("t"));
        let pair = |name: &str, value: &str| (name.to_owned(), value.to_owned());
        assert_eq!(
            request.query,
            [
                pair("a", "x y"),
                pair("b", "1,2"),
                pair("c", "p|q"),
                pair("d[k]", "v")
            ]
        );
        assert_eq!(request.headers, [pair("X-A", "5"), pair("cookie", "s=t")]);
    }

    #[test]
    fn idempotency_and_timeout_are_set_per_request() {
        let request = Request::new("create", Method::POST, "/", 3);
        assert!(!request.declares_idempotency_key);
        assert_eq!(request.timeout, None);
        let request = request
            .with_idempotency_key()
            .with_timeout(Duration::from_secs(5));
        assert!(request.declares_idempotency_key);
        assert_eq!(request.timeout, Some(Duration::from_secs(5)));
    }

    #[test]
    fn json_bodies_are_made_from_values() {
        let body = Body::json(&serde_json::json!({"title": "Launch"})).unwrap();
        assert_eq!(
            body,
            Body::Json(Bytes::from_static(br#"{"title":"Launch"}"#))
        );
    }

    #[test]
    fn options_add_a_timeout_and_headers() {
        let mut request = Request::new("create", Method::POST, "/", 3).header("A", "1");
        let options = RequestOptions {
            timeout: Some(Duration::from_secs(2)),
            headers: vec![("Idempotency-Key".to_owned(), "k".to_owned())],
        };
        options.apply(&mut request);
        assert_eq!(request.timeout, Some(Duration::from_secs(2)));
        assert_eq!(
            request.headers,
            [
                ("A".to_owned(), "1".to_owned()),
                ("Idempotency-Key".to_owned(), "k".to_owned())
            ]
        );
        RequestOptions::default().apply(&mut request);
        assert_eq!(request.timeout, Some(Duration::from_secs(2)));
    }
}

//! Operations, parameters, bodies, responses, security: the API surface of one version.

use std::collections::BTreeMap;
use std::fmt;

use indexmap::IndexMap;
use serde::Serialize;
use serde_json::Value;

use crate::cost::Cost;
use crate::schema::{NamedSchema, Schema};

/// `x-` extensions of an object, in document order.
pub type Extensions = IndexMap<String, Value>;

/// One version of an API: everything the generator, the differ and the sandbox need.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Api {
    /// `info.title`.
    pub title: String,
    /// `info.version`: the version of the API described (not of OpenAPI).
    pub version: String,
    /// `info.description`.
    pub description: Option<String>,
    /// The `openapi` field of the document, e.g. `3.0.3` or `3.1.0`.
    pub openapi_version: String,
    /// Servers declared at the top of the document.
    pub servers: Vec<Server>,
    /// Every operation under `paths`, in document order (path, then method in the order
    /// get, put, post, delete, options, head, patch, trace).
    pub operations: Vec<Operation>,
    /// Every operation under `webhooks` (OpenAPI 3.1). Their `path` is the webhook's name.
    pub webhooks: Vec<Operation>,
    /// Every named schema: the document's `components/schemas`, then inline schemas that were
    /// hoisted out of operations and other schemas (see [`SchemaOrigin`](crate::SchemaOrigin)).
    pub schemas: IndexMap<String, NamedSchema>,
    /// `components/securitySchemes`, by name.
    pub security_schemes: IndexMap<String, SecurityScheme>,
    /// The document-wide security requirements (`security` at the top level).
    pub security: Vec<SecurityRequirement>,
    /// Top-level `x-` extensions.
    pub extensions: Extensions,
    /// What the loader met and did not understand, each naming its place
    /// (`file at /pointer: what`), in document order. Nothing is dropped in silence: tools
    /// print these.
    pub warnings: Vec<String>,
}

impl Api {
    /// Finds an operation by its id.
    pub fn operation(&self, id: &str) -> Option<&Operation> {
        self.operations.iter().find(|operation| operation.id == id)
    }

    /// Looks up a named schema.
    pub fn schema(&self, name: &str) -> Option<&NamedSchema> {
        self.schemas.get(name)
    }

    /// Follows references until a schema that is not a bare reference is reached. Returns
    /// `None` for a dangling or cyclic chain of bare references (the loader rejects both, so a
    /// loaded model always resolves).
    pub fn resolve<'a>(&'a self, schema: &'a Schema) -> Option<&'a Schema> {
        resolve_schema(schema, &self.schemas)
    }
}

/// The one resolver of references: follows bare references through `schemas` until a schema
/// that is not one is reached. `None` for a dangling or cyclic chain (bounded by the number of
/// schemas, so a cycle cannot loop). [`Api::resolve`] is this over an API's schemas; the
/// loader uses it directly while the API is still being built.
pub fn resolve_schema<'a>(
    mut schema: &'a Schema,
    schemas: &'a IndexMap<String, NamedSchema>,
) -> Option<&'a Schema> {
    for _ in 0..=schemas.len() {
        match &schema.kind {
            crate::SchemaKind::Ref(name) => schema = &schemas.get(name)?.schema,
            _ => return Some(schema),
        }
    }
    None
}

/// A server URL with its variables.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Server {
    /// The URL template, e.g. `https://{region}.example.com/v1`.
    pub url: String,
    /// What the server is.
    pub description: Option<String>,
    /// Template variables with their defaults.
    pub variables: IndexMap<String, ServerVariable>,
}

/// A variable in a server URL template.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ServerVariable {
    /// The value used when none is given.
    pub default: String,
    /// The allowed values, when restricted.
    pub enumeration: Vec<String>,
    /// What the variable is.
    pub description: Option<String>,
}

/// An HTTP method an operation can have.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Method {
    /// GET
    Get,
    /// PUT
    Put,
    /// POST
    Post,
    /// DELETE
    Delete,
    /// OPTIONS
    Options,
    /// HEAD
    Head,
    /// PATCH
    Patch,
    /// TRACE
    Trace,
}

impl Method {
    /// All methods, in the order OpenAPI lists them in a path item.
    pub const ALL: [Method; 8] = [
        Method::Get,
        Method::Put,
        Method::Post,
        Method::Delete,
        Method::Options,
        Method::Head,
        Method::Patch,
        Method::Trace,
    ];

    /// The upper-case name, as on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Put => "PUT",
            Method::Post => "POST",
            Method::Delete => "DELETE",
            Method::Options => "OPTIONS",
            Method::Head => "HEAD",
            Method::Patch => "PATCH",
            Method::Trace => "TRACE",
        }
    }

    /// The lower-case key used in an OpenAPI path item.
    pub fn key(self) -> &'static str {
        match self {
            Method::Get => "get",
            Method::Put => "put",
            Method::Post => "post",
            Method::Delete => "delete",
            Method::Options => "options",
            Method::Head => "head",
            Method::Patch => "patch",
            Method::Trace => "trace",
        }
    }

    /// Parses a method name in any case.
    pub fn parse(name: &str) -> Option<Method> {
        Method::ALL
            .into_iter()
            .find(|method| method.key().eq_ignore_ascii_case(name))
    }

    /// Whether repeating the request has the same effect as sending it once (RFC 9110 9.2.2).
    pub fn is_idempotent(self) -> bool {
        !matches!(self, Method::Post | Method::Patch)
    }

    /// Whether the method only reads (RFC 9110 9.2.1).
    pub fn is_safe(self) -> bool {
        matches!(
            self,
            Method::Get | Method::Head | Method::Options | Method::Trace
        )
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where an operation id came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum OperationIdSource {
    /// The document's `operationId`.
    Declared,
    /// Made up from the method and path because the document has none.
    Synthesized,
}

/// One operation: a method on a path.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Operation {
    /// The `operationId`, or one synthesised from method and path (`get /tasks/{id}` becomes
    /// `get_tasks_id`). Unique within the API.
    pub id: String,
    /// Whether [`Operation::id`] was declared or synthesised.
    pub id_source: OperationIdSource,
    /// The HTTP method.
    pub method: Method,
    /// The path template as written in the document, e.g. `/tasks/{task_id}`.
    pub path: String,
    /// One-line summary.
    pub summary: Option<String>,
    /// Longer description (CommonMark).
    pub description: Option<String>,
    /// Tags, in document order.
    pub tags: Vec<String>,
    /// Whether the operation is deprecated.
    pub deprecated: bool,
    /// `x-sunset`: the date after which the operation may be removed, as written (an ISO
    /// date such as `2026-01-31`, or an HTTP date). Read by the differ against a given date.
    pub sunset: Option<String>,
    /// Path-level and operation-level parameters merged (operation-level wins), in order.
    pub parameters: Vec<Parameter>,
    /// The request body, if the operation takes one.
    pub request_body: Option<RequestBody>,
    /// Responses by status, in document order.
    pub responses: Vec<Response>,
    /// The security requirements in force: the operation's own, or the document's when the
    /// operation declares none. An empty list means no authentication.
    pub security: Vec<SecurityRequirement>,
    /// Whether [`Operation::security`] was declared on the operation itself.
    pub security_declared: bool,
    /// Servers that override the document's for this operation.
    pub servers: Vec<Server>,
    /// The point cost of one call.
    pub cost: Cost,
    /// How the operation pages, when it is a paginated list.
    pub pagination: Option<crate::Pagination>,
    /// `x-` extensions of the operation.
    pub extensions: Extensions,
}

impl Operation {
    /// `METHOD /path`, the way people and reports name an operation.
    pub fn label(&self) -> String {
        format!("{} {}", self.method, self.path)
    }

    /// The parameters in one location.
    pub fn parameters_in(&self, location: ParameterLocation) -> impl Iterator<Item = &Parameter> {
        self.parameters
            .iter()
            .filter(move |parameter| parameter.location == location)
    }

    /// Finds a parameter by location and name.
    pub fn parameter(&self, location: ParameterLocation, name: &str) -> Option<&Parameter> {
        self.parameters_in(location)
            .find(|parameter| parameter.name == name)
    }

    /// The successful (2xx) responses.
    pub fn success_responses(&self) -> impl Iterator<Item = &Response> {
        self.responses
            .iter()
            .filter(|response| response.status.is_success())
    }
}

/// Where a parameter goes in a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ParameterLocation {
    /// In the path template.
    Path,
    /// In the query string.
    Query,
    /// In a request header.
    Header,
    /// In the `Cookie` header.
    Cookie,
}

impl ParameterLocation {
    /// The name used in OpenAPI's `in`.
    pub fn as_str(self) -> &'static str {
        match self {
            ParameterLocation::Path => "path",
            ParameterLocation::Query => "query",
            ParameterLocation::Header => "header",
            ParameterLocation::Cookie => "cookie",
        }
    }
}

impl fmt::Display for ParameterLocation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How a parameter value is serialised (OpenAPI `style`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum ParameterStyle {
    /// `;name=value` (path).
    Matrix,
    /// `.value` (path).
    Label,
    /// `name=value`, arrays as `a,b` or repeated (query, cookie); `a,b` (path, header).
    Form,
    /// `a,b` (path, header).
    Simple,
    /// `a b` (query).
    SpaceDelimited,
    /// `a|b` (query).
    PipeDelimited,
    /// `name[key]=value` (query objects).
    DeepObject,
}

impl ParameterStyle {
    /// The default style for a location (OpenAPI 3: form for query and cookie, simple for
    /// path and header).
    pub fn default_for(location: ParameterLocation) -> Self {
        match location {
            ParameterLocation::Query | ParameterLocation::Cookie => ParameterStyle::Form,
            ParameterLocation::Path | ParameterLocation::Header => ParameterStyle::Simple,
        }
    }
}

/// A request parameter.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Parameter {
    /// The name on the wire.
    pub name: String,
    /// Where it goes.
    pub location: ParameterLocation,
    /// What it is for.
    pub description: Option<String>,
    /// Whether the caller must give it (always true for path parameters).
    pub required: bool,
    /// Whether it is deprecated.
    pub deprecated: bool,
    /// Serialisation style (the location's default when not declared).
    pub style: ParameterStyle,
    /// Whether arrays and objects are exploded (default true for form, false otherwise).
    pub explode: bool,
    /// Whether reserved characters are sent unescaped (query only).
    pub allow_reserved: bool,
    /// The value's schema (from `schema`, or from the single entry of `content`).
    pub schema: Schema,
    /// The media type, when the parameter was declared with `content` rather than `schema`.
    pub media_type: Option<String>,
    /// `x-` extensions.
    pub extensions: Extensions,
}

/// A request body.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RequestBody {
    /// What the body is.
    pub description: Option<String>,
    /// Whether a body must be sent.
    pub required: bool,
    /// One entry per media type, in document order.
    pub content: Vec<MediaType>,
}

impl RequestBody {
    /// The entry for a media type.
    pub fn media(&self, media_type: &str) -> Option<&MediaType> {
        self.content
            .iter()
            .find(|media| media.media_type == media_type)
    }
}

/// A body in one media type.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MediaType {
    /// The media type as written (e.g. `application/json`, `multipart/form-data`, `*/*`).
    pub media_type: String,
    /// The body's schema; `None` when the document gives none (any bytes).
    pub schema: Option<Schema>,
    /// An example body: `example`, or the first of `examples`.
    pub example: Option<Value>,
    /// Per-property encodings of multipart and form bodies, by property name.
    pub encoding: IndexMap<String, Encoding>,
}

impl MediaType {
    /// What kind of body this media type carries.
    pub fn kind(&self) -> BodyKind {
        BodyKind::of(&self.media_type)
    }
}

/// The broad kind of a body, from its media type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum BodyKind {
    /// `application/json` and `+json` types.
    Json,
    /// `application/x-www-form-urlencoded`.
    Form,
    /// `multipart/*`.
    Multipart,
    /// `application/xml`, `text/xml` and `+xml` types.
    Xml,
    /// `text/*` (other than XML).
    Text,
    /// Anything else: opaque bytes.
    Binary,
}

impl BodyKind {
    /// Classifies a media type (parameters after `;` are ignored).
    pub fn of(media_type: &str) -> BodyKind {
        let essence = media_type
            .split(';')
            .next()
            .unwrap_or_default()
            .trim()
            .to_ascii_lowercase();
        if essence == "application/json" || essence.ends_with("+json") {
            BodyKind::Json
        } else if essence == "application/x-www-form-urlencoded" {
            BodyKind::Form
        } else if essence == "application/xml" || essence == "text/xml" || essence.ends_with("+xml")
        {
            BodyKind::Xml
        } else if essence.starts_with("multipart/") {
            BodyKind::Multipart
        } else if essence.starts_with("text/") {
            BodyKind::Text
        } else {
            BodyKind::Binary
        }
    }
}

/// How one property of a multipart or form body is encoded.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Encoding {
    /// The part's content type.
    pub content_type: Option<String>,
    /// The style, as for query parameters.
    pub style: Option<ParameterStyle>,
    /// Whether arrays and objects are exploded.
    pub explode: Option<bool>,
}

/// The status a response is declared for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ResponseStatus {
    /// One status code.
    Code(u16),
    /// A range such as `4XX`: the first digit.
    Range(u8),
    /// `default`: any status not declared otherwise.
    Default,
}

impl ResponseStatus {
    /// Whether the status is (or, for a range, covers only) a success.
    pub fn is_success(self) -> bool {
        match self {
            ResponseStatus::Code(code) => (200..300).contains(&code),
            ResponseStatus::Range(first) => first == 2,
            ResponseStatus::Default => false,
        }
    }

    /// Whether a concrete status code is covered by this declaration.
    pub fn matches(self, code: u16) -> bool {
        match self {
            ResponseStatus::Code(declared) => declared == code,
            ResponseStatus::Range(first) => code / 100 == u16::from(first),
            ResponseStatus::Default => true,
        }
    }
}

impl fmt::Display for ResponseStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ResponseStatus::Code(code) => write!(f, "{code}"),
            ResponseStatus::Range(first) => write!(f, "{first}XX"),
            ResponseStatus::Default => f.write_str("default"),
        }
    }
}

/// A response for one status.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Response {
    /// The status it is declared for.
    pub status: ResponseStatus,
    /// What it means.
    pub description: String,
    /// Headers, by name as written.
    pub headers: Vec<Header>,
    /// One entry per media type; empty when the response has no body.
    pub content: Vec<MediaType>,
}

impl Response {
    /// The entry for a media type.
    pub fn media(&self, media_type: &str) -> Option<&MediaType> {
        self.content
            .iter()
            .find(|media| media.media_type == media_type)
    }

    /// A header by name, case-insensitively.
    pub fn header(&self, name: &str) -> Option<&Header> {
        self.headers
            .iter()
            .find(|header| header.name.eq_ignore_ascii_case(name))
    }
}

/// A response header.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Header {
    /// The header's name.
    pub name: String,
    /// What it carries.
    pub description: Option<String>,
    /// Whether it is always sent.
    pub required: bool,
    /// Whether it is deprecated.
    pub deprecated: bool,
    /// The value's schema.
    pub schema: Schema,
}

/// A security scheme from `components/securitySchemes`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum SecurityScheme {
    /// A key in a header, query parameter or cookie.
    ApiKey {
        /// Name of the header, query parameter or cookie.
        name: String,
        /// Where the key goes.
        location: ParameterLocation,
        /// What it is.
        description: Option<String>,
    },
    /// HTTP authentication (`Authorization` header).
    Http {
        /// The scheme, lower-cased: `bearer`, `basic`, ...
        scheme: String,
        /// A hint about the token's format, e.g. `JWT`.
        bearer_format: Option<String>,
        /// What it is.
        description: Option<String>,
    },
    /// OAuth 2.
    #[serde(rename = "oauth2")]
    OAuth2 {
        /// The flows with their URLs and scopes, by flow name (`implicit`, `password`,
        /// `clientCredentials`, `authorizationCode`).
        flows: IndexMap<String, OAuthFlow>,
        /// What it is.
        description: Option<String>,
    },
    /// OpenID Connect discovery.
    OpenIdConnect {
        /// The discovery URL.
        url: String,
        /// What it is.
        description: Option<String>,
    },
    /// Mutual TLS (OpenAPI 3.1).
    MutualTls {
        /// What it is.
        description: Option<String>,
    },
}

impl SecurityScheme {
    /// The scheme's `type`, as OpenAPI names it.
    pub fn type_name(&self) -> &'static str {
        match self {
            SecurityScheme::ApiKey { .. } => "apiKey",
            SecurityScheme::Http { .. } => "http",
            SecurityScheme::OAuth2 { .. } => "oauth2",
            SecurityScheme::OpenIdConnect { .. } => "openIdConnect",
            SecurityScheme::MutualTls { .. } => "mutualTLS",
        }
    }

    /// Whether this is HTTP bearer authentication.
    pub fn is_bearer(&self) -> bool {
        matches!(self, SecurityScheme::Http { scheme, .. } if scheme == "bearer")
    }
}

/// One OAuth 2 flow.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OAuthFlow {
    /// Authorization URL (implicit, authorization code).
    pub authorization_url: Option<String>,
    /// Token URL (password, client credentials, authorization code).
    pub token_url: Option<String>,
    /// Refresh URL.
    pub refresh_url: Option<String>,
    /// Scopes with their descriptions.
    pub scopes: BTreeMap<String, String>,
}

/// One alternative of a security requirement: all of these schemes together, each with scopes.
/// An empty requirement means "no authentication" is acceptable.
pub type SecurityRequirement = IndexMap<String, Vec<String>>;

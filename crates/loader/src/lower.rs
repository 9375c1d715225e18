//! Lowering a parsed document into the model: info, servers, operations, webhooks, security
//! schemes, then named schemas, then costs (which look at resolved schemas).

use std::borrow::Cow;
use std::collections::HashMap;

use indexmap::IndexMap;
use sdkgen_model::cost::{self, Cost};

use crate::cost::{infer, parse_declared};
use sdkgen_model::{
    Api, Encoding, Extensions, Header, MediaType, Method, OAuthFlow, Operation, OperationIdSource,
    Parameter, ParameterLocation, ParameterStyle, RequestBody, Response, ResponseStatus, Schema,
    SecurityRequirement, SecurityScheme, Server, ServerVariable, json_kind,
};
use serde_json::{Map, Value};

use crate::error::{LoadError, Result, escape};
use crate::schema::{MAX_REF_HOPS, SchemaLowering, flag};
use crate::source::Documents;

/// Lowers the root document (and what it references) into the model.
pub(crate) fn lower(documents: Documents) -> Result<Api> {
    let root_document = documents.root();
    let root = root_document.root.as_object().ok_or_else(|| {
        LoadError::at(
            &root_document.name,
            "",
            format!(
                "an OpenAPI document must be an object, not {}",
                json_kind(&root_document.root)
            ),
        )
    })?;
    let openapi_version = check_version(&root_document.name, root)?;
    let mut lowering = Lowering {
        schemas: SchemaLowering::new(&documents),
    };
    let info = lowering.object(0, root.get("info"), "/info", "info")?;
    let title = lowering.required_string(0, info, "/info", "title")?;
    let version = lowering.required_string(0, info, "/info", "version")?;
    let description = lowering.optional_string(0, info, "/info", "description")?;

    if let Some(Value::Object(components)) = root
        .get("components")
        .and_then(|components| components.get("schemas"))
    {
        lowering.schemas.register_components(components);
    }
    let security = match root.get("security") {
        None => Vec::new(),
        Some(value) => lowering.security_requirements(value, "/security")?,
    };
    let servers = lowering.servers(0, root.get("servers"), "/servers")?;
    let security_schemes = lowering.security_schemes(root)?;

    let mut operations = Vec::new();
    if let Some(paths) = root.get("paths") {
        let paths = lowering.object(0, Some(paths), "/paths", "paths")?;
        for (path, item) in paths {
            if !path.starts_with('/') {
                if path.starts_with("x-") {
                    continue;
                }
                return Err(lowering.error(
                    0,
                    &format!("/paths/{}", escape(path)),
                    "a path must start with `/`",
                ));
            }
            let pointer = format!("/paths/{}", escape(path));
            lowering.path_item(0, item, &pointer, path, &security, &mut operations)?;
        }
    }
    let mut webhooks = Vec::new();
    if let Some(hooks) = root.get("webhooks") {
        let hooks = lowering.object(0, Some(hooks), "/webhooks", "webhooks")?;
        for (name, item) in hooks {
            let pointer = format!("/webhooks/{}", escape(name));
            lowering.path_item(0, item, &pointer, name, &security, &mut webhooks)?;
        }
    }
    assign_operation_ids(&root_document.name, &mut operations)?;
    assign_operation_ids(&root_document.name, &mut webhooks)?;
    // Hoisted names of inline schemas come from operation ids, which are known only now;
    // operations were lowered with provisional contexts, so lower their schemas again
    // would be wasteful: instead, contexts use the declared id or method+path (see
    // `operation_context`), which is exactly the synthesised id's source.
    let schemas = lowering.schemas.finish()?;

    for (operation, pointer) in operations
        .iter_mut()
        .map(|operation| {
            let pointer = format!(
                "/paths/{}/{}",
                escape(&operation.path),
                operation.method.key()
            );
            (operation, pointer)
        })
        .chain(webhooks.iter_mut().map(|operation| {
            let pointer = format!(
                "/webhooks/{}/{}",
                escape(&operation.path),
                operation.method.key()
            );
            (operation, pointer)
        }))
    {
        operation.cost = match operation.extensions.get(cost::EXTENSION) {
            Some(declared) => Cost::declared(
                parse_declared(declared, operation, &schemas).map_err(|error| {
                    LoadError::at(
                        &root_document.name,
                        format!("{pointer}/{}", cost::EXTENSION),
                        error.to_string(),
                    )
                })?,
            ),
            None => infer(operation, &schemas),
        };
        let (pagination, problem) = crate::pagination::recognise(operation, &schemas);
        operation.pagination = pagination;
        if let Some(problem) = problem {
            documents.warn(0, &format!("{pointer}/x-pagination"), problem);
        }
    }

    let extensions = extensions(root);
    let warnings = documents.take_warnings();
    Ok(Api {
        title,
        version,
        description,
        openapi_version,
        servers,
        operations,
        webhooks,
        schemas,
        security_schemes,
        security,
        extensions,
        warnings,
    })
}

fn check_version(file: &str, root: &Map<String, Value>) -> Result<String> {
    if let Some(swagger) = root.get("swagger") {
        return Err(LoadError::at(
            file,
            "/swagger",
            format!(
                "this is a Swagger {} document; only OpenAPI 3.0 and 3.1 are supported \
                 (convert it first, for example with swagger2openapi)",
                swagger.as_str().unwrap_or("2.0")
            ),
        ));
    }
    let version = match root.get("openapi") {
        None => {
            return Err(LoadError::at(
                file,
                "",
                "not an OpenAPI document: there is no `openapi` field",
            ));
        }
        Some(Value::String(version)) => version.clone(),
        Some(other) => {
            return Err(LoadError::at(
                file,
                "/openapi",
                format!("`openapi` must be a string such as \"3.1.0\", not {other}"),
            ));
        }
    };
    if !(version.starts_with("3.0.")
        || version.starts_with("3.1.")
        || version == "3.0"
        || version == "3.1")
    {
        return Err(LoadError::at(
            file,
            "/openapi",
            format!("OpenAPI {version} is not supported; use 3.0.x or 3.1.x"),
        ));
    }
    Ok(version)
}

/// Gives operations without an `operationId` one made of method and path, and checks that
/// declared ids are unique.
fn assign_operation_ids(file: &str, operations: &mut [Operation]) -> Result<()> {
    let mut seen: HashMap<String, String> = HashMap::new();
    for operation in operations
        .iter()
        .filter(|operation| operation.id_source == OperationIdSource::Declared)
    {
        if let Some(first) = seen.insert(operation.id.clone(), operation.label()) {
            return Err(LoadError::at(
                file,
                format!(
                    "/paths/{}/{}/operationId",
                    escape(&operation.path),
                    operation.method.key()
                ),
                format!(
                    "duplicate operationId {:?}: also used by {first}",
                    operation.id
                ),
            ));
        }
    }
    for operation in operations
        .iter_mut()
        .filter(|operation| operation.id_source == OperationIdSource::Synthesized)
    {
        let base = operation.id.clone();
        let mut id = base.clone();
        let mut suffix = 2;
        while seen.contains_key(&id) {
            id = format!("{base}_{suffix}");
            suffix += 1;
        }
        seen.insert(id.clone(), operation.label());
        operation.id = id;
    }
    Ok(())
}

/// `get /tasks/{task_id}/comments` becomes `get_tasks_task_id_comments`.
fn synthesized_id(method: Method, path: &str) -> String {
    let mut id = method.key().to_owned();
    let mut last_was_separator = false;
    id.push('_');
    for character in path.chars() {
        if character.is_ascii_alphanumeric() {
            id.push(character.to_ascii_lowercase());
            last_was_separator = false;
        } else if !last_was_separator && !id.ends_with('_') {
            id.push('_');
            last_was_separator = true;
        }
    }
    let trimmed = id.trim_end_matches('_');
    if trimmed == method.key() {
        format!("{}_root", method.key())
    } else {
        trimmed.to_owned()
    }
}

/// The fields OpenAPI defines on a path item (`$ref` is followed before they are read).
const PATH_ITEM_KEYS: &[&str] = &[
    "summary",
    "description",
    "get",
    "put",
    "post",
    "delete",
    "options",
    "head",
    "patch",
    "trace",
    "servers",
    "parameters",
];

/// The fields OpenAPI defines on a parameter; a header has the same but the first two.
const PARAMETER_KEYS: &[&str] = &[
    "name",
    "in",
    "description",
    "required",
    "deprecated",
    "allowEmptyValue",
    "style",
    "explode",
    "allowReserved",
    "schema",
    "example",
    "examples",
    "content",
];

/// The fields OpenAPI defines on an operation.
const OPERATION_KEYS: &[&str] = &[
    "tags",
    "summary",
    "description",
    "externalDocs",
    "operationId",
    "parameters",
    "requestBody",
    "responses",
    "callbacks",
    "deprecated",
    "security",
    "servers",
];

struct Lowering<'d> {
    schemas: SchemaLowering<'d>,
}

impl Lowering<'_> {
    fn documents(&self) -> &Documents {
        self.schemas.documents
    }

    fn error(&self, document: usize, pointer: &str, message: impl Into<String>) -> LoadError {
        self.schemas.error(document, pointer, message)
    }

    fn object<'v>(
        &self,
        document: usize,
        value: Option<&'v Value>,
        pointer: &str,
        what: &str,
    ) -> Result<&'v Map<String, Value>> {
        match value {
            Some(Value::Object(object)) => Ok(object),
            None => Err(self.error(document, pointer, format!("`{what}` is missing"))),
            Some(other) => Err(self.error(
                document,
                pointer,
                format!("`{what}` must be an object, not {}", json_kind(other)),
            )),
        }
    }

    fn required_string(
        &self,
        document: usize,
        object: &Map<String, Value>,
        pointer: &str,
        key: &str,
    ) -> Result<String> {
        self.optional_string(document, object, pointer, key)?
            .ok_or_else(|| self.error(document, pointer, format!("`{key}` is missing")))
    }

    fn optional_string(
        &self,
        document: usize,
        object: &Map<String, Value>,
        pointer: &str,
        key: &str,
    ) -> Result<Option<String>> {
        match object.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(text)) => Ok(Some(text.clone())),
            // Numbers in YAML (`version: 1.0`) are common and unambiguous.
            Some(Value::Number(number)) => Ok(Some(number.to_string())),
            Some(other) => Err(self.error(
                document,
                &format!("{pointer}/{}", escape(key)),
                format!("`{key}` must be a string, not {}", json_kind(other)),
            )),
        }
    }

    /// Warns about each key of an object that OpenAPI does not define there (and that is not
    /// an `x-` extension): whatever it meant is not in the model.
    fn warn_unknown_keys(
        &self,
        document: usize,
        object: &Map<String, Value>,
        pointer: &str,
        what: &str,
        known: &[&str],
    ) {
        for key in object.keys() {
            if !key.starts_with("x-") && !known.contains(&key.as_str()) {
                self.documents().warn(
                    document,
                    &format!("{pointer}/{}", escape(key)),
                    format!("`{key}` is not a field of {what}; it is ignored"),
                );
            }
        }
    }

    /// Follows a chain of `$ref`s (for anything but schemas) to the referenced object. The
    /// value itself is borrowed when it is not a reference (the common case: no copy).
    fn deref<'v>(
        &self,
        document: usize,
        value: &'v Value,
        pointer: &str,
    ) -> Result<(usize, Cow<'v, Value>, String)> {
        let mut current_document = document;
        let mut current = Cow::Borrowed(value);
        let mut current_pointer = pointer.to_owned();
        for _ in 0..MAX_REF_HOPS {
            let Some(reference) = current.get("$ref") else {
                return Ok((current_document, current, current_pointer));
            };
            let reference = reference.as_str().ok_or_else(|| {
                self.error(
                    current_document,
                    &current_pointer,
                    "`$ref` must be a string",
                )
            })?;
            let target = self
                .documents()
                .follow(current_document, &current_pointer, reference)
                .map_err(|message| self.error(current_document, &current_pointer, message))?;
            let target_document = self.documents().get(target.document);
            let Some(resolved) = target_document.root.pointer(&target.pointer) else {
                return Err(self.error(
                    current_document,
                    &current_pointer,
                    format!("`$ref` {reference:?} points to nothing (dangling reference)"),
                ));
            };
            current = Cow::Owned(resolved.clone());
            current_document = target.document;
            current_pointer = target.pointer;
        }
        Err(self.error(
            document,
            pointer,
            format!("more than {MAX_REF_HOPS} `$ref` hops: the references form a cycle"),
        ))
    }

    fn path_item(
        &mut self,
        document: usize,
        item: &Value,
        pointer: &str,
        path: &str,
        global_security: &[SecurityRequirement],
        operations: &mut Vec<Operation>,
    ) -> Result<()> {
        let (document, item, pointer) = self.deref(document, item, pointer)?;
        let item = self.object(document, Some(&item), &pointer, "path item")?;
        self.warn_unknown_keys(document, item, &pointer, "a path item", PATH_ITEM_KEYS);
        let shared_parameters = self.parameters(
            document,
            item.get("parameters"),
            &format!("{pointer}/parameters"),
            path,
        )?;
        let servers = self.servers(document, item.get("servers"), &format!("{pointer}/servers"))?;
        for method in Method::ALL {
            let Some(operation) = item.get(method.key()) else {
                continue;
            };
            // Bundlers' multi-file layouts put each operation in a file of its own:
            // `post: {$ref: resources/droplets/create.yml}`. Its contents resolve relative to
            // that file, so `document` and the pointer follow the reference.
            let (operation_document, operation, operation_pointer) =
                self.deref(document, operation, &format!("{pointer}/{}", method.key()))?;
            let operation = self.object(
                operation_document,
                Some(&operation),
                &operation_pointer,
                method.key(),
            )?;
            self.warn_unknown_keys(
                operation_document,
                operation,
                &operation_pointer,
                "an operation",
                OPERATION_KEYS,
            );
            let document = operation_document;
            if operation.contains_key("callbacks") {
                self.documents().warn(
                    document,
                    &format!("{operation_pointer}/callbacks"),
                    "callbacks are not generated: a client does not serve the requests they \
                     describe",
                );
            }
            let (id, id_source) = match operation.get("operationId") {
                Some(Value::String(id)) if !id.trim().is_empty() => {
                    (id.clone(), OperationIdSource::Declared)
                }
                Some(Value::String(_)) | None => {
                    (synthesized_id(method, path), OperationIdSource::Synthesized)
                }
                Some(other) => {
                    return Err(self.error(
                        document,
                        &format!("{operation_pointer}/operationId"),
                        format!("`operationId` must be a string, not {}", json_kind(other)),
                    ));
                }
            };
            let context = id.clone();
            let mut parameters = shared_parameters.clone();
            for parameter in self.parameters(
                document,
                operation.get("parameters"),
                &format!("{operation_pointer}/parameters"),
                &context,
            )? {
                match parameters.iter_mut().find(|existing| {
                    existing.name == parameter.name && existing.location == parameter.location
                }) {
                    Some(existing) => *existing = parameter,
                    None => parameters.push(parameter),
                }
            }
            // Shared parameters were lowered with the path as context; that only shapes the
            // names of hoisted inline enums, which stay stable either way.
            let request_body = match operation.get("requestBody") {
                None => None,
                Some(body) => Some(self.request_body(
                    document,
                    body,
                    &format!("{operation_pointer}/requestBody"),
                    &context,
                )?),
            };
            let responses = match operation.get("responses") {
                None => Vec::new(),
                Some(responses) => self.responses(
                    document,
                    responses,
                    &format!("{operation_pointer}/responses"),
                    &context,
                )?,
            };
            let (security, security_declared) = match operation.get("security") {
                None => (global_security.to_vec(), false),
                Some(value) => (
                    self.security_requirements(value, &format!("{operation_pointer}/security"))?,
                    true,
                ),
            };
            let operation_servers = match operation.get("servers") {
                None => servers.clone(),
                Some(value) => self.servers(
                    document,
                    Some(value),
                    &format!("{operation_pointer}/servers"),
                )?,
            };
            let tags = match operation.get("tags") {
                Some(Value::Array(tags)) => tags
                    .iter()
                    .filter_map(Value::as_str)
                    .map(str::to_owned)
                    .collect(),
                _ => Vec::new(),
            };
            let mut lowered = Operation {
                id,
                id_source,
                method,
                path: path.to_owned(),
                summary: self.optional_string(
                    document,
                    operation,
                    &operation_pointer,
                    "summary",
                )?,
                description: self.optional_string(
                    document,
                    operation,
                    &operation_pointer,
                    "description",
                )?,
                tags,
                deprecated: flag(operation, "deprecated"),
                sunset: operation
                    .get("x-sunset")
                    .and_then(Value::as_str)
                    .map(|date| date.trim().to_owned()),
                parameters,
                request_body,
                responses,
                security,
                security_declared,
                servers: operation_servers,
                // Replaced once all schemas are known (see `lower`).
                cost: Cost::declared(cost::CostFormula::Fixed(cost::MIN_POINTS)),
                // Likewise.
                pagination: None,
                extensions: extensions(operation),
            };
            lowered
                .parameters
                .sort_by_key(|parameter| match parameter.location {
                    ParameterLocation::Path => 0,
                    ParameterLocation::Query => 1,
                    ParameterLocation::Header => 2,
                    ParameterLocation::Cookie => 3,
                });
            operations.push(lowered);
        }
        Ok(())
    }

    fn parameters(
        &mut self,
        document: usize,
        value: Option<&Value>,
        pointer: &str,
        context: &str,
    ) -> Result<Vec<Parameter>> {
        let Some(value) = value else {
            return Ok(Vec::new());
        };
        let Value::Array(items) = value else {
            return Err(self.error(
                document,
                pointer,
                format!("`parameters` must be an array, not {}", json_kind(value)),
            ));
        };
        let mut parameters = Vec::with_capacity(items.len());
        for (index, item) in items.iter().enumerate() {
            parameters.push(self.parameter(
                document,
                item,
                &format!("{pointer}/{index}"),
                context,
            )?);
        }
        Ok(parameters)
    }

    fn parameter(
        &mut self,
        document: usize,
        value: &Value,
        pointer: &str,
        context: &str,
    ) -> Result<Parameter> {
        let (document, value, pointer) = self.deref(document, value, pointer)?;
        let object = self.object(document, Some(&value), &pointer, "parameter")?;
        self.warn_unknown_keys(document, object, &pointer, "a parameter", PARAMETER_KEYS);
        let name = self.required_string(document, object, &pointer, "name")?;
        let location = match object.get("in").and_then(Value::as_str) {
            Some("path") => ParameterLocation::Path,
            Some("query") => ParameterLocation::Query,
            Some("header") => ParameterLocation::Header,
            Some("cookie") => ParameterLocation::Cookie,
            Some(other) => {
                return Err(self.error(
                    document,
                    &format!("{pointer}/in"),
                    format!(
                        "`in` must be path, query, header or cookie, not {other:?}{}",
                        if other == "body" || other == "formData" {
                            " (a Swagger 2.0 parameter: use a requestBody in OpenAPI 3)"
                        } else {
                            ""
                        }
                    ),
                ));
            }
            None => {
                return Err(self.error(document, &pointer, "a parameter needs `in`"));
            }
        };
        let style = match object.get("style").and_then(Value::as_str) {
            None => ParameterStyle::default_for(location),
            Some(style) => parse_style(style).ok_or_else(|| {
                self.error(
                    document,
                    &format!("{pointer}/style"),
                    format!("unknown parameter style {style:?}"),
                )
            })?,
        };
        let explode = object
            .get("explode")
            .and_then(Value::as_bool)
            .unwrap_or(style == ParameterStyle::Form);
        let schema_context = format!("{context} {name}");
        let (schema, media_type) = match (object.get("schema"), object.get("content")) {
            (Some(schema), _) => (
                self.schemas.lower_inline(
                    document,
                    schema,
                    &format!("{pointer}/schema"),
                    &schema_context,
                )?,
                None,
            ),
            (None, Some(Value::Object(content))) => match content.iter().next() {
                Some((media_type, media)) => {
                    let schema = match media.get("schema") {
                        Some(schema) => self.schemas.lower_inline(
                            document,
                            schema,
                            &format!("{pointer}/content/{}/schema", escape(media_type)),
                            &schema_context,
                        )?,
                        None => Schema::default(),
                    };
                    (schema, Some(media_type.clone()))
                }
                None => (Schema::default(), None),
            },
            _ => (Schema::default(), None),
        };
        Ok(Parameter {
            description: self.optional_string(document, object, &pointer, "description")?,
            required: location == ParameterLocation::Path || flag(object, "required"),
            deprecated: flag(object, "deprecated"),
            allow_reserved: flag(object, "allowReserved"),
            name,
            location,
            style,
            explode,
            schema,
            media_type,
            extensions: extensions(object),
        })
    }

    fn request_body(
        &mut self,
        document: usize,
        value: &Value,
        pointer: &str,
        context: &str,
    ) -> Result<RequestBody> {
        let (document, value, pointer) = self.deref(document, value, pointer)?;
        let object = self.object(document, Some(&value), &pointer, "requestBody")?;
        self.warn_unknown_keys(
            document,
            object,
            &pointer,
            "a request body",
            &["description", "content", "required"],
        );
        Ok(RequestBody {
            description: self.optional_string(document, object, &pointer, "description")?,
            required: flag(object, "required"),
            content: self.content(
                document,
                object.get("content"),
                &format!("{pointer}/content"),
                &format!("{context} Request"),
            )?,
        })
    }

    fn content(
        &mut self,
        document: usize,
        value: Option<&Value>,
        pointer: &str,
        context: &str,
    ) -> Result<Vec<MediaType>> {
        let Some(value) = value else {
            return Ok(Vec::new());
        };
        let content = self.object(document, Some(value), pointer, "content")?;
        let mut media_types: Vec<MediaType> = Vec::with_capacity(content.len());
        let mut lowered_schemas: Vec<(&Value, Schema)> = Vec::new();
        for (media_type, media) in content {
            let media_pointer = format!("{pointer}/{}", escape(media_type));
            let media = self.object(document, Some(media), &media_pointer, media_type)?;
            self.warn_unknown_keys(
                document,
                media,
                &media_pointer,
                "a media type",
                &["schema", "example", "examples", "encoding"],
            );
            let schema = match media.get("schema") {
                None => None,
                Some(schema_value) => {
                    // Several media types often share one inline schema: hoist it once.
                    match lowered_schemas
                        .iter()
                        .find(|(seen, _)| *seen == schema_value)
                    {
                        Some((_, schema)) => Some(schema.clone()),
                        None => {
                            let schema = self.schemas.lower_inline(
                                document,
                                schema_value,
                                &format!("{media_pointer}/schema"),
                                context,
                            )?;
                            lowered_schemas.push((schema_value, schema.clone()));
                            Some(schema)
                        }
                    }
                }
            };
            let example = media.get("example").cloned().or_else(|| {
                media
                    .get("examples")
                    .and_then(Value::as_object)
                    .and_then(|examples| examples.values().next())
                    .and_then(|example| example.get("value"))
                    .cloned()
            });
            let mut encoding = IndexMap::new();
            if let Some(Value::Object(encodings)) = media.get("encoding") {
                for (property, entry) in encodings {
                    encoding.insert(
                        property.clone(),
                        Encoding {
                            content_type: entry
                                .get("contentType")
                                .and_then(Value::as_str)
                                .map(str::to_owned),
                            style: entry
                                .get("style")
                                .and_then(Value::as_str)
                                .and_then(parse_style),
                            explode: entry.get("explode").and_then(Value::as_bool),
                        },
                    );
                }
            }
            media_types.push(MediaType {
                media_type: media_type.clone(),
                schema,
                example,
                encoding,
            });
        }
        Ok(media_types)
    }

    fn responses(
        &mut self,
        document: usize,
        value: &Value,
        pointer: &str,
        context: &str,
    ) -> Result<Vec<Response>> {
        let responses = self.object(document, Some(value), pointer, "responses")?;
        let mut lowered = Vec::with_capacity(responses.len());
        let mut first_success = true;
        for (status, response) in responses {
            if status.starts_with("x-") {
                continue;
            }
            let response_pointer = format!("{pointer}/{}", escape(status));
            let parsed = parse_status(status).ok_or_else(|| {
                self.error(
                    document,
                    &response_pointer,
                    format!(
                        "{status:?} is not a response status: use a code such as 200, a range \
                         such as 2XX, or `default`"
                    ),
                )
            })?;
            let response_context = if parsed.is_success() && first_success {
                first_success = false;
                format!("{context} Response")
            } else if parsed.is_success() {
                format!("{context} Response {status}")
            } else {
                format!("{context} Error {status}")
            };
            let (response_document, response_value, response_pointer) =
                self.deref(document, response, &response_pointer)?;
            let object = self.object(
                response_document,
                Some(&response_value),
                &response_pointer,
                "response",
            )?;
            self.warn_unknown_keys(
                response_document,
                object,
                &response_pointer,
                "a response",
                &["description", "headers", "content", "links"],
            );
            let mut headers = Vec::new();
            if let Some(Value::Object(declared)) = object.get("headers") {
                for (name, header) in declared {
                    let header_pointer = format!("{response_pointer}/headers/{}", escape(name));
                    headers.push(self.header(
                        response_document,
                        name,
                        header,
                        &header_pointer,
                        &format!("{response_context} {name}"),
                    )?);
                }
            }
            lowered.push(Response {
                status: parsed,
                description: self
                    .optional_string(response_document, object, &response_pointer, "description")?
                    .unwrap_or_default(),
                headers,
                content: self.content(
                    response_document,
                    object.get("content"),
                    &format!("{response_pointer}/content"),
                    &response_context,
                )?,
            });
        }
        Ok(lowered)
    }

    fn header(
        &mut self,
        document: usize,
        name: &str,
        value: &Value,
        pointer: &str,
        context: &str,
    ) -> Result<Header> {
        let (document, value, pointer) = self.deref(document, value, pointer)?;
        let object = self.object(document, Some(&value), &pointer, "header")?;
        self.warn_unknown_keys(document, object, &pointer, "a header", &PARAMETER_KEYS[2..]);
        let schema = match object.get("schema") {
            Some(schema) => self.schemas.lower_inline(
                document,
                schema,
                &format!("{pointer}/schema"),
                context,
            )?,
            None => Schema::default(),
        };
        Ok(Header {
            name: name.to_owned(),
            description: self.optional_string(document, object, &pointer, "description")?,
            required: flag(object, "required"),
            deprecated: flag(object, "deprecated"),
            schema,
        })
    }

    fn servers(
        &self,
        document: usize,
        value: Option<&Value>,
        pointer: &str,
    ) -> Result<Vec<Server>> {
        let Some(value) = value else {
            return Ok(Vec::new());
        };
        let Value::Array(items) = value else {
            return Err(self.error(document, pointer, "`servers` must be an array"));
        };
        let mut servers = Vec::with_capacity(items.len());
        for (index, item) in items.iter().enumerate() {
            let server_pointer = format!("{pointer}/{index}");
            let object = self.object(document, Some(item), &server_pointer, "server")?;
            let mut variables = IndexMap::new();
            if let Some(Value::Object(declared)) = object.get("variables") {
                for (name, variable) in declared {
                    variables.insert(
                        name.clone(),
                        ServerVariable {
                            default: variable
                                .get("default")
                                .and_then(Value::as_str)
                                .unwrap_or_default()
                                .to_owned(),
                            enumeration: variable
                                .get("enum")
                                .and_then(Value::as_array)
                                .map(|values| {
                                    values
                                        .iter()
                                        .filter_map(Value::as_str)
                                        .map(str::to_owned)
                                        .collect()
                                })
                                .unwrap_or_default(),
                            description: variable
                                .get("description")
                                .and_then(Value::as_str)
                                .map(str::to_owned),
                        },
                    );
                }
            }
            servers.push(Server {
                url: self.required_string(document, object, &server_pointer, "url")?,
                description: self.optional_string(
                    document,
                    object,
                    &server_pointer,
                    "description",
                )?,
                variables,
            });
        }
        Ok(servers)
    }

    fn security_requirements(
        &self,
        value: &Value,
        pointer: &str,
    ) -> Result<Vec<SecurityRequirement>> {
        let Value::Array(items) = value else {
            return Err(self.error(0, pointer, "`security` must be an array"));
        };
        let mut requirements = Vec::with_capacity(items.len());
        for (index, item) in items.iter().enumerate() {
            let object = self.object(
                0,
                Some(item),
                &format!("{pointer}/{index}"),
                "security requirement",
            )?;
            let mut requirement = SecurityRequirement::new();
            for (scheme, scopes) in object {
                let scopes = scopes
                    .as_array()
                    .map(|scopes| {
                        scopes
                            .iter()
                            .filter_map(Value::as_str)
                            .map(str::to_owned)
                            .collect()
                    })
                    .unwrap_or_default();
                requirement.insert(scheme.clone(), scopes);
            }
            requirements.push(requirement);
        }
        Ok(requirements)
    }

    fn security_schemes(
        &self,
        root: &Map<String, Value>,
    ) -> Result<IndexMap<String, SecurityScheme>> {
        let mut schemes = IndexMap::new();
        let Some(Value::Object(declared)) = root
            .get("components")
            .and_then(|components| components.get("securitySchemes"))
        else {
            return Ok(schemes);
        };
        for (name, scheme) in declared {
            let pointer = format!("/components/securitySchemes/{}", escape(name));
            let (document, scheme, pointer) = self.deref(0, scheme, &pointer)?;
            let object = self.object(document, Some(&scheme), &pointer, "security scheme")?;
            let description = self.optional_string(document, object, &pointer, "description")?;
            let scheme_type = self.required_string(document, object, &pointer, "type")?;
            let lowered = match scheme_type.as_str() {
                "apiKey" => SecurityScheme::ApiKey {
                    name: self.required_string(document, object, &pointer, "name")?,
                    location: match object.get("in").and_then(Value::as_str) {
                        Some("query") => ParameterLocation::Query,
                        Some("cookie") => ParameterLocation::Cookie,
                        Some("header") => ParameterLocation::Header,
                        _ => {
                            return Err(self.error(
                                document,
                                &format!("{pointer}/in"),
                                "an apiKey scheme needs `in`: header, query or cookie",
                            ));
                        }
                    },
                    description,
                },
                "http" => SecurityScheme::Http {
                    scheme: self
                        .required_string(document, object, &pointer, "scheme")?
                        .to_ascii_lowercase(),
                    bearer_format: self.optional_string(
                        document,
                        object,
                        &pointer,
                        "bearerFormat",
                    )?,
                    description,
                },
                "oauth2" => {
                    let mut flows = IndexMap::new();
                    if let Some(Value::Object(declared_flows)) = object.get("flows") {
                        for (flow_name, flow) in declared_flows {
                            let text = |key: &str| {
                                flow.get(key).and_then(Value::as_str).map(str::to_owned)
                            };
                            let scopes = flow
                                .get("scopes")
                                .and_then(Value::as_object)
                                .map(|scopes| {
                                    scopes
                                        .iter()
                                        .map(|(scope, text)| {
                                            (
                                                scope.clone(),
                                                text.as_str().unwrap_or_default().to_owned(),
                                            )
                                        })
                                        .collect()
                                })
                                .unwrap_or_default();
                            flows.insert(
                                flow_name.clone(),
                                OAuthFlow {
                                    authorization_url: text("authorizationUrl"),
                                    token_url: text("tokenUrl"),
                                    refresh_url: text("refreshUrl"),
                                    scopes,
                                },
                            );
                        }
                    }
                    SecurityScheme::OAuth2 { flows, description }
                }
                "openIdConnect" => SecurityScheme::OpenIdConnect {
                    url: self.required_string(document, object, &pointer, "openIdConnectUrl")?,
                    description,
                },
                "mutualTLS" => SecurityScheme::MutualTls { description },
                other => {
                    return Err(self.error(
                        document,
                        &format!("{pointer}/type"),
                        format!(
                            "unknown security scheme type {other:?} (expected apiKey, http, \
                             oauth2, openIdConnect or mutualTLS)"
                        ),
                    ));
                }
            };
            schemes.insert(name.clone(), lowered);
        }
        Ok(schemes)
    }
}

fn parse_style(style: &str) -> Option<ParameterStyle> {
    Some(match style {
        "matrix" => ParameterStyle::Matrix,
        "label" => ParameterStyle::Label,
        "form" => ParameterStyle::Form,
        "simple" => ParameterStyle::Simple,
        "spaceDelimited" => ParameterStyle::SpaceDelimited,
        "pipeDelimited" => ParameterStyle::PipeDelimited,
        "deepObject" => ParameterStyle::DeepObject,
        _ => return None,
    })
}

fn parse_status(status: &str) -> Option<ResponseStatus> {
    if status == "default" {
        return Some(ResponseStatus::Default);
    }
    let bytes = status.as_bytes();
    if bytes.len() == 3 && matches!(bytes[0], b'1'..=b'5') {
        if bytes[1..].eq_ignore_ascii_case(b"XX") {
            return Some(ResponseStatus::Range(bytes[0] - b'0'));
        }
        if let Ok(code) = status.parse::<u16>() {
            return Some(ResponseStatus::Code(code));
        }
    }
    None
}

fn extensions(object: &Map<String, Value>) -> Extensions {
    object
        .iter()
        .filter(|(key, _)| key.starts_with("x-"))
        .map(|(key, value)| (key.clone(), value.clone()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn synthesized_ids_are_snake_case_method_and_path() {
        assert_eq!(
            synthesized_id(Method::Get, "/tasks/{task_id}/comments"),
            "get_tasks_task_id_comments"
        );
        assert_eq!(synthesized_id(Method::Post, "/"), "post_root");
        assert_eq!(
            synthesized_id(Method::Delete, "/a.b//c-d"),
            "delete_a_b_c_d"
        );
    }

    #[test]
    fn statuses_parse_codes_ranges_and_default() {
        assert_eq!(parse_status("204"), Some(ResponseStatus::Code(204)));
        assert_eq!(parse_status("4xx"), Some(ResponseStatus::Range(4)));
        assert_eq!(parse_status("default"), Some(ResponseStatus::Default));
        assert_eq!(parse_status("20"), None);
        assert_eq!(parse_status("600"), None);
        assert_eq!(parse_status("ok"), None);
    }
}

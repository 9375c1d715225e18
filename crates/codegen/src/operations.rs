//! The client: one method per operation, each returning a request builder that holds the
//! optional parameters, knows the request's point cost, and sends it through the runtime.

use std::collections::BTreeSet;

use proc_macro2::{Ident, TokenStream};
use quote::quote;
use sdkgen_model::cost::{CostFormula, CountOf};
use sdkgen_model::{
    Api, BodyKind, MediaType, Operation, PaginationStyle, Parameter, ParameterLocation,
    ParameterStyle, Response, Schema, SchemaKind,
};

use crate::docs::{self, doc_lines};
use crate::features::gate;
use crate::names::{self, Scope, ident};
use crate::types::{FieldShape, ParamShape, TypeTable};

/// The names of every operation's code, given once, in order, before any code is emitted, so
/// that code emitted for different operations on different threads agrees.
#[derive(Debug, Clone)]
pub struct OperationNames {
    /// The client's method of each operation.
    methods: Vec<String>,
    /// The request builder of each operation.
    builders: Vec<String>,
    /// The enum of an operation's success responses, when it has several.
    response_enums: Vec<Option<String>>,
}

impl OperationNames {
    /// Names the code of every operation of an API.
    pub fn new(api: &Api) -> Self {
        let mut method_scope = Scope::with_taken([
            "new",
            "builder",
            "runtime",
            "budget",
            "from",
            "clone",
            "fmt",
            "with_priority",
            "priority",
        ]);
        // Names the builders module imports from the runtime.
        let mut builder_scope = Scope::with_taken([
            "Client",
            "Error",
            "Method",
            "Request",
            "ResponseValue",
            "ToParam",
            "encoding",
        ]);
        let mut names = OperationNames {
            methods: Vec::new(),
            builders: Vec::new(),
            response_enums: Vec::new(),
        };
        for operation in &api.operations {
            let builder = builder_scope.unique(names::type_name(&operation.id));
            let response_enum = (success_types(operation).len() > 1)
                .then(|| builder_scope.unique(format!("{builder}Response")));
            names
                .methods
                .push(method_scope.unique(names::value_name(&operation.id)));
            names.builders.push(builder);
            names.response_enums.push(response_enum);
        }
        names
    }

    /// (method name, operation index) of every operation, for the README and the example.
    pub fn methods(&self) -> Vec<(String, usize)> {
        self.methods.iter().cloned().zip(0..).collect()
    }

    fn code<'o, 't, 'a>(
        &self,
        api: &'o Api,
        table: &'t mut TypeTable<'a>,
        index: usize,
    ) -> OperationCode<'o, 't, 'a> {
        let feature_doc = table.features().operation_doc(index);
        let mut code = OperationCode::new(
            &api.operations[index],
            table,
            &self.methods[index],
            &self.builders[index],
            self.response_enums[index].as_deref(),
        );
        code.feature_doc = feature_doc;
        code
    }
}

/// The request builder of one operation (with its response enum, if any).
pub fn builder(
    api: &Api,
    table: &mut TypeTable<'_>,
    names: &OperationNames,
    index: usize,
) -> TokenStream {
    let cfg = table.features().operation_cfg(index);
    gate(names.code(api, table, index).generate(true).1, &cfg)
}

/// The client, with one method per operation, and the operations table.
pub fn client(
    api: &Api,
    table: &mut TypeTable<'_>,
    names: &OperationNames,
    crate_name: &str,
) -> TokenStream {
    let mut methods = Vec::new();
    let mut infos = Vec::new();
    for (index, operation) in api.operations.iter().enumerate() {
        let cfg = table.features().operation_cfg(index);
        methods.push(gate(names.code(api, table, index).generate(false).0, &cfg));
        let (id, method, path) = (&operation.id, operation.method.as_str(), &operation.path);
        let [min, max] = [operation.cost.base_points(), operation.cost.max_points()]
            .map(|points| proc_macro2::Literal::u32_unsuffixed(u32::from(points)));
        infos.push(quote! {
            ::sdkgen_runtime::OperationInfo { id: #id, method: #method, path: #path, min_points: #min, max_points: #max },
        });
    }
    let title = format!(" A client of {} {}.", api.title, api.version);
    let base_url = default_base_url(api);
    let base_url_const = base_url.as_ref().map(|url| {
        quote! {
            /// The API's base URL, from the spec's first server.
            pub const DEFAULT_BASE_URL: &'static str = #url;
        }
    });
    let set_base_url = base_url
        .as_ref()
        .map(|_| quote!(.base_url(Self::DEFAULT_BASE_URL)));
    let builder_doc = if base_url.is_some() {
        " A builder preset with the default base URL; set the bearer token and the plan, then `build()`."
    } else {
        " A builder; set the base URL (the spec names none), the bearer token and the plan, then `build()`."
    };
    let user_agent = format!("{crate_name}/{}", api.version);
    // A document that declares costs gets a local point budget; any other reacts to the
    // server's 429s and rate-limit headers only (the runtime's default).
    let declares_costs = api
        .operations
        .iter()
        .any(|operation| operation.cost.source == sdkgen_model::CostSource::Declared);
    let throttling = if declares_costs {
        quote!(.throttling(::sdkgen_runtime::Throttling::Points))
    } else {
        TokenStream::new()
    };
    quote! {
        #[doc = #title]
        ///
        /// Cheap to clone: clones share the connection pool and the organisation's point budget.
        #[derive(Debug, Clone)]
        pub struct Client {
            runtime: ::sdkgen_runtime::Client,
            priority: i32,
        }

        impl From<::sdkgen_runtime::Client> for Client {
            fn from(runtime: ::sdkgen_runtime::Client) -> Self {
                Client { runtime, priority: 0 }
            }
        }

        impl Client {
            #base_url_const

            #[doc = #builder_doc]
            pub fn builder() -> ::sdkgen_runtime::ClientBuilder<Client> {
                ::sdkgen_runtime::ClientBuilder::default()
                    #set_base_url
                    .user_agent(#user_agent)
                    #throttling
            }

            /// The runtime client underneath (to send hand-made requests).
            pub fn runtime(&self) -> &::sdkgen_runtime::Client {
                &self.runtime
            }

            /// A client whose requests go before waiting requests of lower priority when the
            /// budget is short (default 0). It shares everything else with this one.
            pub fn with_priority(&self, priority: i32) -> Client {
                Client { runtime: self.runtime.clone(), priority }
            }

            /// The priority of this client's requests.
            pub fn priority(&self) -> i32 {
                self.priority
            }

            /// A snapshot of the organisation's point budget.
            pub async fn budget(&self) -> Result<::sdkgen_runtime::BudgetSnapshot, ::sdkgen_runtime::budget::StoreError> {
                self.runtime.budget().await
            }

            #(#methods)*
        }

        /// Every operation of the API with its point cost.
        pub const OPERATIONS: &[::sdkgen_runtime::OperationInfo] = &[
            #(#infos)*
        ];
    }
}

/// The first server's URL with its variables at their defaults, if it is absolute.
fn default_base_url(api: &Api) -> Option<String> {
    let server = api.servers.first()?;
    let mut url = server.url.clone();
    for (name, variable) in &server.variables {
        url = url.replace(&format!("{{{name}}}"), &variable.default);
    }
    (url.starts_with("http://") || url.starts_with("https://"))
        .then(|| url.trim_end_matches('/').to_owned())
}

struct Param<'o> {
    parameter: &'o Parameter,
    field: Ident,
    value_type: TokenStream,
    shape: ParamShape,
}

struct Body {
    media: MediaType,
    value_type: TokenStream,
    required: bool,
}

struct OperationCode<'o, 't, 'a> {
    operation: &'o Operation,
    table: &'t mut TypeTable<'a>,
    method: Ident,
    builder: Ident,
    params: Vec<Param<'o>>,
    body: Option<Body>,
    extra_items: Vec<TokenStream>,
    response_enum: Option<Ident>,
    /// The sentence naming the tag features that compile the operation, if any.
    feature_doc: Option<String>,
}

impl<'o, 't, 'a> OperationCode<'o, 't, 'a> {
    fn new(
        operation: &'o Operation,
        table: &'t mut TypeTable<'a>,
        method: &str,
        builder: &str,
        response_enum: Option<&str>,
    ) -> Self {
        let mut fields = Scope::with_taken([
            "client",
            "options",
            "body",
            "priority",
            "points",
            "send",
            "send_streaming",
            "into_stream",
            "new",
            "with_timeout",
            "header",
        ]);
        // Every builder has an `idempotency_key` setter: the parameter's own when the
        // operation declares the header, else one that adds the header.
        if !declares_idempotency_key(operation) {
            fields.unique("idempotency_key".to_owned());
        }
        let where_ = format!("operation {}", operation.id);
        let params = operation
            .parameters
            .iter()
            .map(|parameter| {
                let field = ident(&fields.unique(names::value_name(&parameter.name)));
                let value_type = table.type_of(
                    &parameter.schema,
                    &format!("{where_}, parameter {}", parameter.name),
                );
                let shape = table.param_shape(&parameter.schema);
                Param {
                    parameter,
                    field,
                    value_type,
                    shape,
                }
            })
            .collect();
        let body = operation.request_body.as_ref().and_then(|body| {
            let media = pick_media(&body.content)?.clone();
            let value_type = match (media.kind(), &media.schema) {
                (BodyKind::Json | BodyKind::Form | BodyKind::Multipart, Some(schema)) => {
                    table.type_of(schema, &format!("{where_}, request body"))
                }
                (BodyKind::Text, _) => quote!(String),
                (BodyKind::Json, None) => quote!(serde_json::Value),
                _ => quote!(Bytes),
            };
            Some(Body {
                media,
                value_type,
                required: body.required,
            })
        });
        let response_enum = response_enum.map(ident);
        OperationCode {
            operation,
            table,
            method: ident(method),
            builder: ident(builder),
            params,
            body,
            extra_items: Vec::new(),
            response_enum,
            feature_doc: None,
        }
    }

    /// The client method, and the builder when `with_builder`.
    fn generate(mut self, with_builder: bool) -> (TokenStream, TokenStream) {
        let operation = self.operation;
        let (method, builder) = (self.method.clone(), self.builder.clone());
        let required: Vec<&Param> = self
            .params
            .iter()
            .filter(|param| param.parameter.required)
            .collect();
        let mut arguments: Vec<TokenStream> = required
            .iter()
            .map(|param| {
                let (field, value_type) = (&param.field, &param.value_type);
                quote!(#field: impl Into<#value_type>)
            })
            .collect();
        let mut passed: Vec<TokenStream> = required
            .iter()
            .map(|param| {
                let field = &param.field;
                quote!(#field.into())
            })
            .collect();
        let body_required = self.body.as_ref().is_some_and(|body| body.required);
        if let Some(body) = self.body.as_ref().filter(|body| body.required) {
            let value_type = &body.value_type;
            arguments.push(quote!(body: impl Into<#value_type>));
            passed.push(quote!(body.into()));
        }

        // The client method.
        let mut doc = Vec::new();
        if let Some(summary) = &operation.summary {
            doc.push(summary.trim().to_owned());
        }
        if let Some(description) = &operation.description {
            if !doc.is_empty() {
                doc.push(String::new());
            }
            doc.extend(description.trim().lines().map(str::to_owned));
        }
        if !doc.is_empty() {
            doc.push(String::new());
        }
        doc.push(format!(
            "`{} {}` (`{}`)",
            operation.method, operation.path, operation.id
        ));
        doc.push(String::new());
        doc.push(cost_line(operation));
        if let Some(line) = &self.feature_doc {
            doc.push(String::new());
            doc.push(line.clone());
        }
        let method_docs = doc_lines(&docs::spec_text(&doc));
        let deprecated = operation
            .deprecated
            .then(|| quote!(#[deprecated = "deprecated in the API"]));
        let method_code = quote! {
            #method_docs
            #deprecated
            pub fn #method(&self, #(#arguments),*) -> builders::#builder {
                builders::#builder::new(self, #(#passed),*)
            }
        };

        if !with_builder {
            return (method_code, TokenStream::new());
        }

        // The builder.
        let mut fields = Vec::new();
        let mut constructor_args = Vec::new();
        let mut initialisers = Vec::new();
        let mut setters = Vec::new();
        for param in &self.params {
            let (field, value_type) = (&param.field, &param.value_type);
            if param.parameter.required {
                fields.push(quote!(#field: #value_type,));
                constructor_args.push(quote!(#field: #value_type));
                initialisers.push(quote!(#field,));
            } else {
                fields.push(quote!(#field: Option<#value_type>,));
                initialisers.push(quote!(#field: None,));
                let mut lines = Vec::new();
                match &param.parameter.description {
                    Some(description) => {
                        lines.extend(description.trim().lines().map(str::to_owned))
                    }
                    None => lines.push(format!(
                        "Sets the {} parameter `{}`.",
                        param.parameter.location, param.parameter.name
                    )),
                }
                if let Some(default) = &param.parameter.schema.default {
                    lines.push(String::new());
                    lines.push(format!("Default: `{default}`."));
                }
                if param.parameter.deprecated {
                    lines.push(String::new());
                    lines.push("Deprecated in the API.".to_owned());
                }
                let docs = doc_lines(&docs::spec_text(&lines));
                setters.push(quote! {
                    #docs
                    pub fn #field(mut self, value: impl Into<#value_type>) -> Self {
                        self.#field = Some(value.into());
                        self
                    }
                });
            }
        }
        if let Some(body) = &self.body {
            let value_type = &body.value_type;
            if body.required {
                fields.push(quote!(body: #value_type,));
                constructor_args.push(quote!(body: #value_type));
                initialisers.push(quote!(body,));
            } else {
                fields.push(quote!(body: Option<#value_type>,));
                initialisers.push(quote!(body: None,));
                setters.push(quote! {
                    /// Sets the request body.
                    pub fn body(mut self, value: impl Into<#value_type>) -> Self {
                        self.body = Some(value.into());
                        self
                    }
                });
            }
        }
        let points = self.points_body(body_required);
        let (ok_type, error_type) = self.response_types();
        let (receiver, send_flag, streaming) = self.streaming(&error_type);
        let send = self.send_body(&error_type);
        let stream = self.stream(&error_type);
        let builder_doc = format!(
            " The request of [`Client::{method}`](crate::Client::{method}): set optional parameters, then `send()`."
        );
        let extra = &self.extra_items;
        // The per-request options come from the runtime's `request_options!`, instead of
        // three methods written out for every builder.
        let options = if declares_idempotency_key(operation) {
            quote!(::sdkgen_runtime::request_options!(#builder, declared_idempotency_key);)
        } else {
            quote!(::sdkgen_runtime::request_options!(#builder);)
        };
        let builder_code = quote! {
            #[doc = #builder_doc]
            #[derive(Debug, Clone)]
            #[must_use = "a request does nothing until it is sent"]
            pub struct #builder {
                client: crate::Client,
                options: ::sdkgen_runtime::RequestOptions,
                #(#fields)*
            }

            impl #builder {
                pub(crate) fn new(client: &crate::Client, #(#constructor_args),*) -> Self {
                    #builder { client: client.clone(), options: ::sdkgen_runtime::RequestOptions::default(), #(#initialisers)* }
                }

                #(#setters)*

                /// The points this request costs, as the runtime reserves them before sending.
                pub fn points(&self) -> u32 {
                    #points
                }

                /// Sends the request (await the answer).
                pub fn send(#receiver) -> ResponseFuture<'static, #ok_type, #error_type> {
                    #send_flag
                    #send
                }

                #streaming

                #stream
            }

            #options

            #(#extra)*
        };
        (method_code, builder_code)
    }

    fn points_body(&self, body_required: bool) -> TokenStream {
        match &self.operation.cost.formula {
            CostFormula::Fixed(points) => {
                let points = proc_macro2::Literal::u32_unsuffixed(u32::from(*points));
                quote!(#points)
            }
            CostFormula::PerCount {
                base,
                per,
                unit,
                count,
                default_count,
                max,
            } => {
                let [base, per, max] = [base, per, max]
                    .map(|value| proc_macro2::Literal::u32_unsuffixed(u32::from(*value)));
                let unit = proc_macro2::Literal::u32_unsuffixed(*unit);
                let default_count = proc_macro2::Literal::u64_unsuffixed(*default_count);
                let counted = self.count_expression(count, body_required);
                quote! {
                    let count: Option<u64> = #counted;
                    ::sdkgen_runtime::cost::per_count(#base, #per, #unit, count.unwrap_or(#default_count), #max)
                }
            }
        }
    }

    fn count_expression(&self, count: &CountOf, body_required: bool) -> TokenStream {
        match count {
            CountOf::Query(name) => {
                let Some(param) = self.params.iter().find(|param| {
                    param.parameter.location == ParameterLocation::Query
                        && &param.parameter.name == name
                }) else {
                    return quote!(None);
                };
                let field = &param.field;
                let measure = if param.shape == ParamShape::List {
                    quote!(|value| value.len() as u64)
                } else {
                    quote!(|value| u64::try_from(*value).unwrap_or(0))
                };
                if param.parameter.required {
                    quote!(Some(&self.#field).map(#measure))
                } else {
                    quote!(self.#field.as_ref().map(#measure))
                }
            }
            CountOf::Body(property) => {
                let Some(body) = &self.body else {
                    return quote!(None);
                };
                let body_value = if body_required || body.required {
                    quote!(Some(&self.body))
                } else {
                    quote!(self.body.as_ref())
                };
                let Some(property) = property else {
                    return quote!(#body_value.map(|body| body.len() as u64));
                };
                let schema_name = body
                    .media
                    .schema
                    .as_ref()
                    .and_then(Schema::ref_name)
                    .map(str::to_owned);
                let field = schema_name.as_deref().and_then(|schema| {
                    Some((
                        self.table.field_of(schema, property)?.to_owned(),
                        self.table.field_shape(schema, property)?,
                    ))
                });
                match field {
                    Some((field, shape)) => {
                        let field = ident(&field);
                        match shape {
                            FieldShape::Plain => {
                                quote!(#body_value.map(|body| body.#field.len() as u64))
                            }
                            FieldShape::Optional => {
                                quote!(#body_value.and_then(|body| body.#field.as_ref()).map(|items| items.len() as u64))
                            }
                            FieldShape::DoubleOptional => {
                                quote!(#body_value.and_then(|body| body.#field.as_ref()).and_then(|items| items.as_ref()).map(|items| items.len() as u64))
                            }
                        }
                    }
                    None => quote!(None),
                }
            }
        }
    }

    /// Operations that answer with JSON or with an event stream, as the request asks: the
    /// receiver of `send()` and what it sets first (the body's boolean `stream` to false), and
    /// `send_streaming()`, which sets it to true, asks for `text/event-stream` and returns
    /// the events. An operation that only streams sets the flag in `send()`.
    fn streaming(&mut self, error_type: &TokenStream) -> (TokenStream, TokenStream, TokenStream) {
        let plain = (quote!(self), TokenStream::new(), TokenStream::new());
        let Some(events) = events_media(self.operation).cloned() else {
            return plain;
        };
        let flag = |value: bool, table: &TypeTable<'_>, body: &Body| {
            let schema = body.media.schema.as_ref().and_then(Schema::ref_name)?;
            let property = table
                .struct_properties(schema)
                .into_iter()
                .find(|(name, schema)| {
                    name == "stream" && matches!(table.resolve(schema).kind, SchemaKind::Boolean)
                })?;
            let field = ident(table.field_of(schema, &property.0)?);
            let set = match table.field_shape(schema, &property.0)? {
                FieldShape::Plain => quote!(#value),
                FieldShape::Optional => quote!(Some(#value)),
                FieldShape::DoubleOptional => quote!(Some(Some(#value))),
            };
            // An optional body the caller did not set has no flag to set.
            Some(if body.required {
                quote!(self.body.#field = #set;)
            } else {
                quote!(if let Some(body) = self.body.as_mut() { body.#field = #set; })
            })
        };
        let with_body = self.body.as_ref();
        let only_events = matches!(
            success_types(self.operation).first(),
            Some(Decoded::Events(_))
        );
        if only_events {
            return match with_body.and_then(|body| flag(true, self.table, body)) {
                Some(set) => (quote!(mut self), set, TokenStream::new()),
                None => plain,
            };
        }
        let set_false = with_body.and_then(|body| flag(false, self.table, body));
        let set_true = with_body.and_then(|body| flag(true, self.table, body));
        let event_type = self.event_type(events.schema.as_ref());
        let decode = self.decode_events(events.schema.as_ref());
        let request = self.request_statements();
        let doc = if set_true.is_some() {
            " Sends the request with `stream` set to true, and reads the answer's events as they come (`send()` sets it to false and waits for the whole answer). The call's points are charged once."
        } else {
            " Sends the request asking for `text/event-stream`, and reads the answer's events as they come. The call's points are charged once."
        };
        let mutable = |set: &Option<TokenStream>| {
            if set.is_some() {
                quote!(mut self)
            } else {
                quote!(self)
            }
        };
        let (receiver, streaming_receiver) = (mutable(&set_false), mutable(&set_true));
        let method = quote! {
            #[doc = #doc]
            pub fn send_streaming(#streaming_receiver) -> ResponseFuture<'static, ::sdkgen_runtime::EventStream<#event_type, #error_type>, #error_type> {
                #set_true
                #request
                #decode
            }
        };
        (receiver, set_false.unwrap_or_default(), method)
    }

    fn send_body(&mut self, error_type: &TokenStream) -> TokenStream {
        let request = self.request_statements();
        let decode = self.decode(error_type);
        quote! {
            #request
            #decode
        }
    }

    /// The statements that build `request`, every parameter and the body set.
    fn request_statements(&self) -> TokenStream {
        let operation = self.operation;
        let id = &operation.id;
        let method = ident(operation.method.as_str());
        let path = self.path_expression();
        let mut statements = Vec::new();
        for param in &self.params {
            statements.push(param_statement(param));
        }
        if let Some(body) = &self.body {
            let set_body = self.body_statement(body);
            statements.push(if body.required {
                quote! { { let value = &self.body; #set_body } }
            } else {
                quote! { if let Some(value) = &self.body { #set_body } }
            });
        }
        // An operation that takes an idempotency key may be retried after it may have
        // reached the server: the runtime sends one key per call, the same on every retry.
        let idempotent = declares_idempotency_key(self.operation)
            .then(|| quote!(request.declares_idempotency_key = true;));
        quote! {
            let points = self.points();
            let path = #path;
            let mut request = Request::new(#id, Method::#method, path, points);
            request.priority = self.client.priority();
            #idempotent
            #(#statements)*
            self.options.apply(&mut request);
        }
    }

    /// The path: its literal pieces and its encoded parameters, interleaved by the runtime
    /// (no format string, so any literal is safe).
    fn path_expression(&self) -> TokenStream {
        let mut literals = vec![String::new()];
        let mut parameters = Vec::new();
        let mut rest = self.operation.path.as_str();
        while let Some(open) = rest.find('{') {
            let Some(close) = rest[open..].find('}') else {
                break;
            };
            let name = &rest[open + 1..open + close];
            if let Some(last) = literals.last_mut() {
                last.push_str(&rest[..open]);
            }
            rest = &rest[open + close + 1..];
            let param = self.params.iter().find(|param| {
                param.parameter.location == ParameterLocation::Path && param.parameter.name == name
            });
            match param {
                Some(param) => {
                    let field = &param.field;
                    let explode = param.parameter.explode;
                    let values = match param.shape {
                        ParamShape::List => quote!(self.#field.iter().map(ToParam::to_param)),
                        ParamShape::Scalar => quote!([self.#field.to_param()]),
                        ParamShape::Other => {
                            quote!([serde_json::to_string(&self.#field).unwrap_or_default()])
                        }
                    };
                    parameters.push(match (param.parameter.style, param.shape) {
                        (ParameterStyle::Label, _) => {
                            quote!(encoding::path_label(#values, #explode))
                        }
                        (ParameterStyle::Matrix, _) => {
                            let wire = &param.parameter.name;
                            quote!(encoding::path_matrix(#wire, #values, #explode))
                        }
                        (_, ParamShape::Scalar) => quote!(encoding::segment(&self.#field)),
                        _ => quote!(encoding::path_simple(#values)),
                    });
                    literals.push(String::new());
                }
                None => {
                    // The template names a parameter the operation does not declare: keep the
                    // template text rather than invent a value.
                    if let Some(last) = literals.last_mut() {
                        last.push_str(&format!("{{{name}}}"));
                    }
                }
            }
        }
        if let Some(last) = literals.last_mut() {
            last.push_str(rest);
        }
        if parameters.is_empty() {
            let path = &literals[0];
            return quote!(#path.to_owned());
        }
        quote!(encoding::path(&[#(#literals),*], &[#(#parameters),*]))
    }

    fn body_statement(&self, body: &Body) -> TokenStream {
        let media_type = &body.media.media_type;
        match body.media.kind() {
            BodyKind::Json => quote!(request.set_json(value);),
            BodyKind::Form => {
                let encodings = form_encodings(&body.media);
                if encodings.is_empty() {
                    quote!(request.set_form(value);)
                } else {
                    quote!(request.set_form_styled(value, &[#(#encodings),*]);)
                }
            }
            BodyKind::Multipart => {
                let parts = self.multipart_parts(body);
                quote! {
                    let mut parts = Vec::new();
                    #parts
                    request.body = ::sdkgen_runtime::Body::Multipart(parts);
                }
            }
            BodyKind::Text => quote! {
                request.body = ::sdkgen_runtime::Body::Bytes {
                    content_type: #media_type.to_owned(),
                    bytes: Bytes::from(value.clone()),
                };
            },
            BodyKind::Xml | BodyKind::Binary => {
                let content_type = if media_type.contains('*') {
                    "application/octet-stream"
                } else {
                    media_type
                };
                quote! {
                    request.body = ::sdkgen_runtime::Body::Bytes {
                        content_type: #content_type.to_owned(),
                        bytes: value.clone(),
                    };
                }
            }
        }
    }

    fn multipart_parts(&self, body: &Body) -> TokenStream {
        let Some(schema_name) = body.media.schema.as_ref().and_then(Schema::ref_name) else {
            return quote! {
                for (name, text) in ::sdkgen_runtime::encoding::form_pairs(value).unwrap_or_default() {
                    parts.push(::sdkgen_runtime::Part::text(name, text));
                }
            };
        };
        let mut statements = Vec::new();
        for (property, schema) in self.table.struct_properties(schema_name) {
            let (Some(field), Some(shape)) = (
                self.table.field_of(schema_name, &property),
                self.table.field_shape(schema_name, &property),
            ) else {
                continue;
            };
            let field = ident(field);
            let resolved = self.table.resolve(&schema);
            let is_binary = matches!(&resolved.kind, SchemaKind::String(string) if string.format.as_deref() == Some("binary"));
            // The spec's `contentType` for the part: a single concrete type is the part's
            // default (a file part's own type wins when it knows one); a list or a wildcard
            // only says what the server accepts.
            let declared = body
                .media
                .encoding
                .get(&property)
                .and_then(|encoding| encoding.content_type.clone())
                .filter(|content_type| !content_type.contains(',') && !content_type.contains('*'));
            let with_type = |part: TokenStream| match &declared {
                Some(content_type) => quote!(#part.default_content_type(#content_type)),
                None => part,
            };
            let items_binary = match &resolved.kind {
                SchemaKind::Array(array) => {
                    matches!(&self.table.resolve(&array.items).kind, SchemaKind::String(string) if string.format.as_deref() == Some("binary"))
                }
                _ => false,
            };
            let push = if is_binary {
                let part =
                    with_type(quote!(::sdkgen_runtime::Part::from_file(#property, item.clone())));
                quote!(parts.push(#part);)
            } else if items_binary {
                // An array of files: one file part per file, under the same name.
                let part =
                    with_type(quote!(::sdkgen_runtime::Part::from_file(#property, file.clone())));
                quote!(for file in item.iter() { parts.push(#part); })
            } else if let Some(style) = multipart_style(&body.media, &property)
                .filter(|_| self.table.param_shape(&schema) != ParamShape::Scalar)
            {
                // A declared `style` (deepObject, form, delimited): the value's parts are
                // named as a form body would name its pairs (`meta[owner]`, `owner`, `ids`).
                quote! {
                    let value = ::sdkgen_runtime::serde_json::json!({ #property: item });
                    for (name, text) in ::sdkgen_runtime::encoding::styled_form_pairs(&value, &[(#property, ::sdkgen_runtime::encoding::FormEncoding::#style)]).unwrap_or_default() {
                        parts.push(::sdkgen_runtime::Part::text(name, text));
                    }
                }
            } else if self.table.param_shape(&schema) == ParamShape::Scalar {
                let part = with_type(
                    quote!(::sdkgen_runtime::Part::text(#property, ::sdkgen_runtime::ToParam::to_param(item))),
                );
                quote!(parts.push(#part);)
            } else if self.table.param_shape(&schema) == ParamShape::List && declared.is_none() {
                // An array of values: one part per value, under the same name.
                quote!(for value in item.iter() { parts.push(::sdkgen_runtime::Part::text(#property, ::sdkgen_runtime::ToParam::to_param(value))); })
            } else {
                // Objects (and arrays given a content type) are JSON parts by default.
                let content_type = declared
                    .clone()
                    .unwrap_or_else(|| "application/json".to_owned());
                quote!(parts.push(::sdkgen_runtime::Part::text(#property, serde_json::to_string(item).unwrap_or_default()).with_content_type(#content_type));)
            };
            statements.push(match shape {
                FieldShape::Plain => quote! { { let item = &value.#field; #push } },
                FieldShape::Optional => quote! { if let Some(item) = &value.#field { #push } },
                FieldShape::DoubleOptional => {
                    quote! { if let Some(Some(item)) = &value.#field { #push } }
                }
            });
        }
        quote!(#(#statements)*)
    }

    /// (success type, error body type).
    fn response_types(&mut self) -> (TokenStream, TokenStream) {
        let where_ = format!("operation {}", self.operation.id);
        let error_type = error_type(self.operation, self.table);
        if let Some(name) = &self.response_enum {
            return (quote!(#name), error_type);
        }
        let ok_type = match success_types(self.operation).into_iter().next() {
            None | Some(Decoded::Empty) => quote!(()),
            Some(Decoded::Json(schema)) => self.table.type_of(&schema, &where_),
            Some(Decoded::AnyJson) => quote!(serde_json::Value),
            Some(Decoded::Text) => quote!(String),
            Some(Decoded::Bytes) => quote!(::sdkgen_runtime::ByteStream<#error_type>),
            Some(Decoded::Events(schema)) => {
                let event_type = self.event_type(schema.as_deref());
                quote!(::sdkgen_runtime::EventStream<#event_type, #error_type>)
            }
        };
        (ok_type, error_type)
    }

    fn decode(&mut self, error_type: &TokenStream) -> TokenStream {
        if let Some(name) = self.response_enum.clone() {
            return self.decode_enum(&name, error_type);
        }
        // The runtime's generic futures do the sending and decoding: the generated crate only
        // builds the request, which keeps it quick to compile.
        match success_types(self.operation).into_iter().next() {
            None | Some(Decoded::Empty) => quote!(self.client.runtime().call_empty(request)),
            Some(Decoded::Json(_) | Decoded::AnyJson) => {
                quote!(self.client.runtime().call_json(request))
            }
            Some(Decoded::Text) => quote!(self.client.runtime().call_text(request)),
            // Downloads are streamed: `.bytes()` on the answer buffers them.
            Some(Decoded::Bytes) => quote!(self.client.runtime().call_byte_stream(request)),
            Some(Decoded::Events(schema)) => self.decode_events(schema.as_deref()),
        }
    }

    /// The type of an event stream's events: the data's schema, or text.
    fn event_type(&mut self, schema: Option<&Schema>) -> TokenStream {
        match schema {
            Some(schema) => {
                let where_ = format!("operation {}, events", self.operation.id);
                self.table.type_of(schema, &where_)
            }
            None => quote!(String),
        }
    }

    /// Sends the request and reads its answer as an event stream.
    fn decode_events(&mut self, schema: Option<&Schema>) -> TokenStream {
        let decoder = match schema {
            Some(_) => {
                let event_type = self.event_type(schema);
                quote!(::sdkgen_runtime::stream::json_event::<#event_type>)
            }
            None => quote!(::sdkgen_runtime::stream::text_event),
        };
        quote! {
            request.headers.push(("accept".to_owned(), "text/event-stream".to_owned()));
            self.client.runtime().call_events(request, #decoder)
        }
    }

    /// Several success types: an enum with a variant per status, decoded by status.
    fn decode_enum(&mut self, name: &Ident, error_type: &TokenStream) -> TokenStream {
        let where_ = format!("operation {}", self.operation.id);
        let mut variants = Vec::new();
        let mut arms = Vec::new();
        let mut scope = Scope::with_taken(["Other"]);
        for response in self.operation.success_responses() {
            let variant = ident(&scope.unique(format!(
                "Status{}",
                names::type_name(&response.status.to_string()).trim_start_matches('V')
            )));
            let (value_type, decode) = match decoded(response) {
                Decoded::Empty => (quote!(()), quote!(Ok(response.empty()))),
                Decoded::Json(schema) => {
                    let tokens = self.table.type_of(&schema, &where_);
                    (
                        tokens.clone(),
                        quote!(response.json::<#tokens, #error_type>()),
                    )
                }
                Decoded::AnyJson => (
                    quote!(serde_json::Value),
                    quote!(response.json::<serde_json::Value, #error_type>()),
                ),
                // Among several statuses, bodies are read whole: an event stream as text.
                Decoded::Text | Decoded::Events(_) => (quote!(String), quote!(Ok(response.text()))),
                Decoded::Bytes => (quote!(Bytes), quote!(Ok(response.bytes()))),
            };
            let doc = format!(
                " The `{}` response: {}",
                response.status,
                response.description.lines().next().unwrap_or_default()
            );
            variants.push(quote!(#[doc = #doc] #variant(#value_type),));
            let pattern = match response.status {
                sdkgen_model::ResponseStatus::Code(code) => quote!(#code),
                sdkgen_model::ResponseStatus::Range(first) => {
                    let (low, high) = (u16::from(first) * 100, u16::from(first) * 100 + 99);
                    quote!(#low..=#high)
                }
                sdkgen_model::ResponseStatus::Default => quote!(_),
            };
            arms.push(quote!(#pattern => #decode.map(|value| value.map(#name::#variant)),));
        }
        let doc = format!(" The success responses of `{}`.", self.operation.id);
        self.extra_items.push(quote! {
            #[doc = #doc]
            #[derive(Debug, Clone, PartialEq)]
            #[non_exhaustive]
            pub enum #name {
                #(#variants)*
                /// A success status the spec does not declare.
                Other(Bytes),
            }
        });
        quote! {
            let runtime = self.client.runtime().clone();
            Box::pin(async move {
                let response = runtime.execute(request).await?;
                #[allow(unreachable_patterns)]
                match response.status().as_u16() {
                    #(#arms)*
                    _ => Ok(response.bytes().map(#name::Other)),
                }
            })
        }
    }

    /// `into_stream` for lists the spec marks as paginated.
    fn stream(&mut self, error_type: &TokenStream) -> TokenStream {
        match self
            .operation
            .pagination
            .as_ref()
            .map(|pagination| &pagination.style)
        {
            Some(PaginationStyle::AfterLastId { .. }) => {
                return self.stream_after_last_id(error_type).unwrap_or_default();
            }
            Some(PaginationStyle::NextUrl { .. } | PaginationStyle::LinkHeader) => {
                return self.stream_by_url(error_type).unwrap_or_default();
            }
            _ => {}
        }
        let Some((_, cursor, next, within)) = pagination(self.operation) else {
            return TokenStream::new();
        };
        let Some((first, cursor_field, assign)) = self.cursor_assignment(&cursor) else {
            return TokenStream::new();
        };
        let Some(PageShape {
            page_type,
            item_type,
            page_name: Some(page),
            take_items,
            ..
        }) = self.page_shape()
        else {
            return TokenStream::new();
        };
        let take_next = self.within_page(&page, within.as_deref(), |table, holder| {
            let next = page_property(table, holder, &next)?;
            Some(quote!(#next.as_ref().map(::sdkgen_runtime::ToParam::to_param)))
        });
        let Some(take_next) = take_next else {
            return TokenStream::new();
        };
        quote! {
            /// Every item of every page, fetched page by page as the stream is read; each page
            /// is a request that costs its points.
            pub fn into_stream(self) -> ::sdkgen_runtime::ItemStream<'static, #item_type, #error_type> {
                let first = #first;
                ::sdkgen_runtime::pagination::pages(
                    first,
                    move |cursor| {
                        let mut request = self.clone();
                        request.#cursor_field = #assign;
                        request.send()
                    },
                    |page: #page_type| (#take_items, #take_next),
                )
            }
        }
    }
}

/// A page as generated code takes it apart: its type, its items' type and schema, and how
/// the items are taken out of a `page`.
struct PageShape {
    page_type: TokenStream,
    item_type: TokenStream,
    item_schema: Schema,
    /// The page's schema name, when the page is an object (not a bare array).
    page_name: Option<String>,
    take_items: TokenStream,
}

impl OperationCode<'_, '_, '_> {
    fn page_shape(&mut self) -> Option<PageShape> {
        let pagination = self.operation.pagination.clone()?;
        let Some(Decoded::Json(schema)) = success_types(self.operation).into_iter().next() else {
            return None;
        };
        let page_type = self.table.type_of(&schema, "pagination");
        let Some(items) = pagination.items else {
            let SchemaKind::Array(array) = &self.table.resolve(&schema).kind else {
                return None;
            };
            let item_schema = (*array.items).clone();
            let item_type = self.table.type_of(&item_schema, "pagination");
            return Some(PageShape {
                page_type,
                item_type,
                item_schema,
                page_name: None,
                take_items: quote!(page),
            });
        };
        let page = schema.ref_name()?.to_owned();
        let (_, items_schema) = self
            .table
            .struct_properties(&page)
            .into_iter()
            .find(|(name, _)| *name == items)?;
        let SchemaKind::Array(array) = &self.table.resolve(&items_schema).kind else {
            return None;
        };
        let item_schema = (*array.items).clone();
        let item_type = self.table.type_of(&item_schema, "pagination");
        let field = ident(self.table.field_of(&page, &items)?);
        let take_items = match self.table.field_shape(&page, &items)? {
            FieldShape::Plain => quote!(page.#field),
            FieldShape::Optional => quote!(page.#field.unwrap_or_default()),
            FieldShape::DoubleOptional => quote!(page.#field.flatten().unwrap_or_default()),
        };
        Some(PageShape {
            page_type,
            item_type,
            item_schema,
            page_name: Some(page),
            take_items,
        })
    }

    /// An `Option` expression over `page` that `value` makes of the struct holding a value:
    /// the page itself, or (`within`) the struct in the page's property of that name, whose
    /// value is then `page` in `value`'s expression.
    fn within_page(
        &self,
        page: &str,
        within: Option<&str>,
        value: impl Fn(&TypeTable<'_>, &str) -> Option<TokenStream>,
    ) -> Option<TokenStream> {
        let Some(container) = within else {
            return value(self.table, page);
        };
        let (_, schema) = self
            .table
            .struct_properties(page)
            .into_iter()
            .find(|(name, _)| name == container)?;
        let holder = match &schema.kind {
            SchemaKind::Ref(name) => name.as_str(),
            SchemaKind::AllOf(parts) if parts.len() == 1 => parts[0].ref_name()?,
            _ => return None,
        };
        // Through aliases (`Meta: {$ref: PageMeta}`) to the struct, as the loader looked.
        let holder = self.table.alias_target(holder);
        let outer = page_property(self.table, page, container)?;
        let inner = value(self.table, &holder)?;
        Some(quote!(#outer.and_then(|page| #inner)))
    }

    /// `into_stream` for lists that say whether more follow (`has_more`) and take the last
    /// item's id for the next page.
    fn stream_after_last_id(&mut self, error_type: &TokenStream) -> Option<TokenStream> {
        let Some(PaginationStyle::AfterLastId {
            parameter,
            has_more,
            id,
        }) = self
            .operation
            .pagination
            .as_ref()
            .map(|pagination| pagination.style.clone())
        else {
            return None;
        };
        let shape = self.page_shape()?;
        let page = shape.page_name.clone()?;
        let more_field = ident(self.table.field_of(&page, &has_more)?);
        let more = match self.table.field_shape(&page, &has_more)? {
            FieldShape::Plain => quote!(page.#more_field),
            FieldShape::Optional => quote!(page.#more_field.unwrap_or(false)),
            FieldShape::DoubleOptional => quote!(page.#more_field.flatten().unwrap_or(false)),
        };
        let item = shape.item_schema.ref_name()?.to_owned();
        let id_field = ident(self.table.field_of(&item, &id)?);
        let id_expression = match self.table.field_shape(&item, &id)? {
            FieldShape::Plain => quote!(::sdkgen_runtime::ToParam::to_param(&item.#id_field)),
            FieldShape::Optional => {
                quote!(item.#id_field.as_ref().map(::sdkgen_runtime::ToParam::to_param).unwrap_or_default())
            }
            FieldShape::DoubleOptional => {
                quote!(item.#id_field.clone().flatten().as_ref().map(::sdkgen_runtime::ToParam::to_param).unwrap_or_default())
            }
        };
        let (first, field, assign) = self.cursor_assignment(&parameter)?;
        let PageShape {
            page_type,
            item_type,
            take_items,
            ..
        } = shape;
        Some(quote! {
            /// Every item of every page, fetched page by page as the stream is read (the next
            /// page starts after the last item's id while the page says more follow); each page
            /// is a request that costs its points.
            pub fn into_stream(self) -> ::sdkgen_runtime::ItemStream<'static, #item_type, #error_type> {
                let first = #first;
                ::sdkgen_runtime::pagination::pages_after(
                    first,
                    move |cursor| {
                        let mut request = self.clone();
                        request.#field = #assign;
                        request.send()
                    },
                    |page: #page_type| (#take_items, #more),
                    |item: &#item_type| #id_expression,
                )
            }
        })
    }

    /// `into_stream` for lists whose pages name the next page's URL, in the body or in a
    /// `Link` header.
    fn stream_by_url(&mut self, error_type: &TokenStream) -> Option<TokenStream> {
        let style = self.operation.pagination.as_ref()?.style.clone();
        let shape = self.page_shape()?;
        let (take_next, link_header, doc) = match &style {
            PaginationStyle::NextUrl { next, within } => (
                self.within_page(
                    shape.page_name.as_deref()?,
                    within.as_deref(),
                    |table, holder| page_property(table, holder, next),
                )?,
                false,
                " Every item of every page, fetched page by page as the stream is read, following the URL of the next page that each page names (only under the client's base URL); each page is a request that costs its points.",
            ),
            _ => (
                quote!(None),
                true,
                " Every item of every page, fetched page by page as the stream is read, following the `Link: <...>; rel=\"next\"` header of each page (only under the client's base URL); each page is a request that costs its points.",
            ),
        };
        let request = self.request_statements();
        let PageShape {
            page_type,
            item_type,
            take_items,
            ..
        } = shape;
        let split = if link_header {
            quote!(|page: #page_type| (#take_items, None))
        } else {
            quote!(|page: #page_type| (#take_items, #take_next))
        };
        Some(quote! {
            #[doc = #doc]
            pub fn into_stream(self) -> ::sdkgen_runtime::ItemStream<'static, #item_type, #error_type> {
                #request
                ::sdkgen_runtime::pagination::url_pages::<#page_type, #item_type, #error_type>(
                    self.client.runtime().clone(),
                    request,
                    #split,
                    #link_header,
                )
            }
        })
    }

    /// For a query parameter that takes a cursor or an id: the first value (from the
    /// builder), the builder's field, and how a next cursor (`Option<String>`) is assigned.
    fn cursor_assignment(&self, parameter: &str) -> Option<(TokenStream, Ident, TokenStream)> {
        let param = self.params.iter().find(|param| {
            param.parameter.location == ParameterLocation::Query
                && param.parameter.name == parameter
                && !param.parameter.required
        })?;
        let field = param.field.clone();
        let is_string = param.value_type.to_string() == quote!(String).to_string();
        let is_integer = matches!(
            self.table.resolve(&param.parameter.schema).kind,
            SchemaKind::Integer(_)
        );
        Some(if is_string {
            (quote!(self.#field.clone()), field, quote!(cursor))
        } else if is_integer {
            (
                quote!(self.#field.as_ref().map(::sdkgen_runtime::ToParam::to_param)),
                field,
                quote!(cursor.and_then(|cursor| cursor.parse().ok())),
            )
        } else {
            (
                quote!(self.#field.as_ref().map(::sdkgen_runtime::ToParam::to_param)),
                field,
                quote!(cursor.map(Into::into)),
            )
        })
    }
}

/// The type of an operation's error bodies: the one JSON schema of its error responses, else
/// `serde_json::Value`.
fn error_type(operation: &Operation, table: &mut TypeTable<'_>) -> TokenStream {
    error_type_and_schema(operation, table).0
}

/// An operation's error body type, and the schema it comes from (none for `serde_json::Value`).
fn error_type_and_schema<'o>(
    operation: &'o Operation,
    table: &mut TypeTable<'_>,
) -> (TokenStream, Option<&'o Schema>) {
    let where_ = format!("operation {}", operation.id);
    let mut error_types = BTreeSet::new();
    let mut error = None;
    for response in operation
        .responses
        .iter()
        .filter(|response| !response.status.is_success())
    {
        if let Some(schema) = json_schema(response) {
            let tokens = table.type_of(schema, &where_);
            error_types.insert(tokens.to_string());
            error = Some((tokens, schema));
        }
    }
    match (error_types.len(), error) {
        (1, Some((tokens, schema))) => (tokens, Some(schema)),
        _ => (quote!(serde_json::Value), None),
    }
}

/// The API's error body type, for the crate root's `Error`: the error type most operations
/// have (the first met among equals), else `serde_json::Value`; and the named schemas it
/// refers to.
pub fn api_error_type(api: &Api, table: &mut TypeTable<'_>) -> (TokenStream, Vec<String>) {
    let mut counts: Vec<(String, TokenStream, Option<&Schema>, usize)> = Vec::new();
    for operation in &api.operations {
        let (tokens, schema) = error_type_and_schema(operation, table);
        let text = tokens.to_string();
        match counts.iter_mut().find(|(seen, ..)| *seen == text) {
            Some((.., count)) => *count += 1,
            None => counts.push((text, tokens, schema, 1)),
        }
    }
    let most = counts.iter().map(|(.., count)| *count).max().unwrap_or(0);
    counts
        .into_iter()
        .find(|(.., count)| *count == most)
        .map(|(_, tokens, schema, _)| {
            let mut refs = Vec::new();
            if let Some(schema) = schema {
                crate::types::collect_refs(schema, &mut refs);
            }
            (tokens, refs)
        })
        .unwrap_or_else(|| (quote!(serde_json::Value), Vec::new()))
}

/// Whether the operation declares an `Idempotency-Key` header parameter.
fn declares_idempotency_key(operation: &Operation) -> bool {
    operation
        .parameters_in(ParameterLocation::Header)
        .any(|parameter| {
            parameter
                .name
                .eq_ignore_ascii_case(sdkgen_policy::headers::IDEMPOTENCY_KEY)
        })
}

fn param_statement(param: &Param<'_>) -> TokenStream {
    let wire = &param.parameter.name;
    let field = &param.field;
    let value = if param.parameter.required {
        quote!(Some(&self.#field))
    } else {
        quote!(self.#field.as_ref())
    };
    let list = if param.parameter.required {
        quote!(Some(&self.#field[..]))
    } else {
        quote!(self.#field.as_deref())
    };
    let explode = param.parameter.explode;
    match (param.parameter.location, param.shape) {
        (ParameterLocation::Query, ParamShape::Scalar) => quote!(request.add_query(#wire, #value);),
        (ParameterLocation::Query, ParamShape::List) => {
            let style = match param.parameter.style {
                ParameterStyle::SpaceDelimited => quote!(SpaceDelimited),
                ParameterStyle::PipeDelimited => quote!(PipeDelimited),
                _ => quote!(Form),
            };
            quote!(request.add_query_list(#wire, #list, ::sdkgen_runtime::QueryStyle::#style, #explode);)
        }
        (ParameterLocation::Query, ParamShape::Other) => {
            let deep = param.parameter.style == ParameterStyle::DeepObject;
            quote!(request.add_query_object(#wire, #value, #deep);)
        }
        (ParameterLocation::Header, ParamShape::List) => {
            quote!(request.add_header_list(#wire, #list);)
        }
        (ParameterLocation::Header, ParamShape::Scalar) => {
            quote!(request.add_header(#wire, #value);)
        }
        (ParameterLocation::Header, ParamShape::Other) => quote! {
            request.add_header(#wire, #value.map(|value| serde_json::to_value(value).unwrap_or_default()).as_ref());
        },
        (ParameterLocation::Cookie, ParamShape::Scalar) => {
            quote!(request.add_cookie(#wire, #value);)
        }
        (ParameterLocation::Cookie, _) => quote! {
            request.add_cookie(#wire, #value.map(|value| serde_json::to_value(value).unwrap_or_default()).as_ref());
        },
        (ParameterLocation::Path, _) => TokenStream::new(),
    }
}

/// The `encoding` of a form body's properties, for the runtime: only those that differ from
/// the default (`style: form`, exploded).
fn form_encodings(media: &MediaType) -> Vec<TokenStream> {
    media
        .encoding
        .iter()
        .filter_map(|(property, encoding)| {
            let json = encoding
                .content_type
                .as_deref()
                .is_some_and(|content_type| BodyKind::of(content_type) == BodyKind::Json);
            let style = encoding.style.unwrap_or(ParameterStyle::Form);
            let explode = encoding.explode.unwrap_or(style == ParameterStyle::Form);
            let tokens = match style {
                _ if json => quote!(Json),
                ParameterStyle::DeepObject => quote!(DeepObject),
                ParameterStyle::SpaceDelimited => quote!(SpaceDelimited),
                ParameterStyle::PipeDelimited => quote!(PipeDelimited),
                _ if explode => return None,
                _ => quote!(Form { explode: false }),
            };
            Some(quote!((#property, ::sdkgen_runtime::encoding::FormEncoding::#tokens)))
        })
        .collect()
}

/// The declared `style` of a multipart property, as the runtime's form encoding (OpenAPI
/// applies `style` and `explode` to multipart bodies as to forms); `None` without one, or when
/// its `contentType` is JSON (a JSON part).
fn multipart_style(media: &MediaType, property: &str) -> Option<TokenStream> {
    let encoding = media.encoding.get(property)?;
    let style = encoding.style?;
    let json = encoding
        .content_type
        .as_deref()
        .is_some_and(|content_type| BodyKind::of(content_type) == BodyKind::Json);
    if json {
        return None;
    }
    let explode = encoding.explode.unwrap_or(style == ParameterStyle::Form);
    Some(match style {
        ParameterStyle::DeepObject => quote!(DeepObject),
        ParameterStyle::SpaceDelimited => quote!(SpaceDelimited),
        ParameterStyle::PipeDelimited => quote!(PipeDelimited),
        _ => quote!(Form { explode: #explode }),
    })
}

/// The media type a client sends: JSON first, then form, multipart, anything else.
fn pick_media(content: &[MediaType]) -> Option<&MediaType> {
    [
        BodyKind::Json,
        BodyKind::Form,
        BodyKind::Multipart,
        BodyKind::Binary,
        BodyKind::Text,
        BodyKind::Xml,
    ]
    .into_iter()
    .find_map(|kind| content.iter().find(|media| media.kind() == kind))
}

/// How a response body is decoded.
#[derive(Debug, Clone, PartialEq)]
enum Decoded {
    Empty,
    Json(Box<Schema>),
    AnyJson,
    Text,
    Bytes,
    /// A `text/event-stream`: events whose data has the schema (text without one).
    Events(Option<Box<Schema>>),
}

fn is_event_stream(media: &MediaType) -> bool {
    media
        .media_type
        .split(';')
        .next()
        .is_some_and(|essence| essence.trim().eq_ignore_ascii_case("text/event-stream"))
}

/// The event stream a success response offers, if any (beside JSON or alone).
fn events_media(operation: &Operation) -> Option<&MediaType> {
    operation
        .success_responses()
        .find_map(|response| response.content.iter().find(|media| is_event_stream(media)))
}

fn json_schema(response: &Response) -> Option<&Schema> {
    response
        .content
        .iter()
        .find(|media| media.kind() == BodyKind::Json)
        .and_then(|media| media.schema.as_ref())
}

fn decoded(response: &Response) -> Decoded {
    if response.content.is_empty() {
        return Decoded::Empty;
    }
    if let Some(media) = response
        .content
        .iter()
        .find(|media| media.kind() == BodyKind::Json)
    {
        return match &media.schema {
            Some(schema) => Decoded::Json(Box::new(schema.clone())),
            None => Decoded::AnyJson,
        };
    }
    if let Some(media) = response.content.iter().find(|media| is_event_stream(media)) {
        return Decoded::Events(media.schema.clone().map(Box::new));
    }
    match response.content.first().map(MediaType::kind) {
        Some(BodyKind::Text) => Decoded::Text,
        _ => Decoded::Bytes,
    }
}

/// The distinct ways success responses decode, in order.
fn success_types(operation: &Operation) -> Vec<Decoded> {
    let mut distinct: Vec<Decoded> = Vec::new();
    for response in operation.success_responses() {
        let decoded = decoded(response);
        if !distinct.contains(&decoded) {
            distinct.push(decoded);
        }
    }
    // An empty 204 beside a JSON 200 is common: the JSON type with an empty body is not
    // decodable, so keep both only when they really differ in kind.
    distinct
}

/// An optional property of a struct, as an `Option` expression over `page`, a value of it.
fn page_property(table: &TypeTable<'_>, page: &str, property: &str) -> Option<TokenStream> {
    let field = ident(table.field_of(page, property)?);
    Some(match table.field_shape(page, property)? {
        FieldShape::Plain => quote!(Some(page.#field)),
        FieldShape::Optional => quote!(page.#field),
        FieldShape::DoubleOptional => quote!(page.#field.flatten()),
    })
}

/// (items property, cursor query parameter, next-cursor property, the page's object property
/// that holds it if not the page) of a list whose page carries
/// a cursor: recognised by the loader from its shape, or declared by an extension.
fn pagination(operation: &Operation) -> Option<(String, String, String, Option<String>)> {
    let pagination = operation.pagination.as_ref()?;
    match (&pagination.items, &pagination.style) {
        (
            Some(items),
            PaginationStyle::Cursor {
                parameter,
                next,
                within,
            },
        ) => Some((
            items.clone(),
            parameter.clone(),
            next.clone(),
            within.clone(),
        )),
        _ => None,
    }
}

fn cost_line(operation: &Operation) -> String {
    let source = match operation.cost.source {
        sdkgen_model::CostSource::Declared => String::new(),
        sdkgen_model::CostSource::Inferred { rule } => format!(" (inferred: {rule})"),
    };
    match &operation.cost.formula {
        CostFormula::Fixed(1) => format!("**Cost:** 1 point{source}."),
        CostFormula::Fixed(points) => format!("**Cost:** {points} points{source}."),
        formula => format!(
            "**Cost:** {} to {} points, `{formula}`{source}.",
            operation.cost.base_points(),
            operation.cost.max_points()
        ),
    }
}

//! What the loader puts in the model: 3.0 and 3.1 normalised into one shape, references,
//! hoisted names, synthesised ids, merged parameters, security, costs.

use sdkgen_loader::{load_file, load_str};
use sdkgen_model::cost::{CostFormula, CostSource, CountOf};
use sdkgen_model::{
    AdditionalProperties, Method, OperationIdSource, ParameterLocation, ParameterStyle,
    ResponseStatus, Schema, SchemaKind, SchemaOrigin, SecurityScheme,
};

fn schema<'a>(api: &'a sdkgen_model::Api, name: &str) -> &'a Schema {
    &api.schema(name)
        .unwrap_or_else(|| panic!("no schema {name}"))
        .schema
}

fn property<'a>(schema: &'a Schema, name: &str) -> &'a Schema {
    match &schema.kind {
        SchemaKind::Object(object) => &object.properties[name],
        other => panic!("not an object: {other:?}"),
    }
}

#[test]
fn nullable_in_3_0_and_3_1_is_the_same_model() {
    let v30 = load_str(
        "openapi: 3.0.3\ninfo: {title: t, version: '1'}\ncomponents:\n  schemas:\n    A:\n      type: object\n      properties:\n        n: {type: string, nullable: true, example: x}\n        c: {type: string, enum: [only]}\n",
        "a.yaml",
    )
    .unwrap();
    let v31 = load_str(
        "openapi: 3.1.0\ninfo: {title: t, version: '1'}\ncomponents:\n  schemas:\n    A:\n      type: object\n      properties:\n        n: {type: [string, 'null'], examples: [x, y]}\n        c: {type: string, const: only}\n",
        "a.yaml",
    )
    .unwrap();
    assert_eq!(v30.schemas, v31.schemas);
    let n = property(schema(&v31, "A"), "n");
    assert!(n.nullable);
    assert_eq!(n.example, Some("x".into()));
    assert!(matches!(n.kind, SchemaKind::String(_)));
}

#[test]
fn null_variants_of_unions_become_nullable() {
    let api = load_str(
        "openapi: 3.1.0\ninfo: {title: t, version: '1'}\ncomponents:\n  schemas:\n    B: {type: integer}\n    A:\n      type: object\n      properties:\n        b: {anyOf: [{$ref: '#/components/schemas/B'}, {type: 'null'}]}\n",
        "a.yaml",
    )
    .unwrap();
    let b = property(schema(&api, "A"), "b");
    assert_eq!(b.ref_name(), Some("B"));
    assert!(b.nullable);
}

#[test]
fn single_allof_wrappers_collapse_keeping_annotations() {
    let api = load_str(
        "openapi: 3.0.0\ninfo: {title: t, version: '1'}\ncomponents:\n  schemas:\n    Meta: {type: object, properties: {name: {type: string}}}\n    Pod:\n      type: object\n      properties:\n        metadata:\n          description: Standard object metadata.\n          default: {}\n          allOf: [{$ref: '#/components/schemas/Meta'}]\n",
        "k8s.yaml",
    )
    .unwrap();
    let metadata = property(schema(&api, "Pod"), "metadata");
    assert_eq!(metadata.ref_name(), Some("Meta"));
    assert_eq!(
        metadata.description.as_deref(),
        Some("Standard object metadata.")
    );
    assert_eq!(metadata.default, Some(serde_json::json!({})));
}

#[test]
fn ref_siblings_are_kept_as_annotations() {
    let api = load_str(
        "openapi: 3.1.0\ninfo: {title: t, version: '1'}\ncomponents:\n  schemas:\n    U: {type: string}\n    A: {type: object, properties: {u: {$ref: '#/components/schemas/U', description: Who., deprecated: true}}}\n",
        "a.yaml",
    )
    .unwrap();
    let u = property(schema(&api, "A"), "u");
    assert_eq!(u.ref_name(), Some("U"));
    assert_eq!(u.description.as_deref(), Some("Who."));
    assert!(u.deprecated);
}

#[test]
fn recursive_schemas_stay_references() {
    let api = load_str(
        "openapi: 3.1.0\ninfo: {title: t, version: '1'}\ncomponents:\n  schemas:\n    Node:\n      type: object\n      properties:\n        children: {type: array, items: {$ref: '#/components/schemas/Node'}}\n        next: {$ref: '#/components/schemas/Node'}\n",
        "tree.yaml",
    )
    .unwrap();
    let node = schema(&api, "Node");
    assert_eq!(property(node, "next").ref_name(), Some("Node"));
    match &property(node, "children").kind {
        SchemaKind::Array(array) => assert_eq!(array.items.ref_name(), Some("Node")),
        other => panic!("{other:?}"),
    }
}

#[test]
fn inline_objects_enums_and_unions_are_hoisted_with_stable_names() {
    let text = "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths:\n  /tasks:\n    post:\n      operationId: createTask\n      parameters: [{name: mode, in: query, schema: {type: string, enum: [fast, slow]}}]\n      requestBody:\n        content:\n          application/json:\n            schema: {type: object, properties: {title: {type: string}}}\n      responses:\n        '201':\n          description: ok\n          content:\n            application/json:\n              schema:\n                type: object\n                properties:\n                  state: {type: string, enum: [a, b]}\n                  owner: {oneOf: [{type: object, title: person, properties: {name: {type: string}}}, {type: string}]}\ncomponents:\n  schemas:\n    CreateTaskRequest: {type: integer}\n";
    let api = load_str(text, "h.yaml").unwrap();
    let names: Vec<&str> = api.schemas.keys().map(String::as_str).collect();
    assert_eq!(
        names,
        [
            "CreateTaskRequest",
            "CreateTaskMode",
            "CreateTaskRequest2",
            "CreateTaskResponse",
            "CreateTaskResponseState",
            "CreateTaskResponseOwner",
            "CreateTaskResponseOwnerPerson",
        ],
        "components first and untouched; hoisted names never clash"
    );
    assert_eq!(
        api.schemas["CreateTaskMode"].origin,
        SchemaOrigin::Inline {
            pointer: "/paths/~1tasks/post/parameters/0/schema".into()
        }
    );
    let operation = api.operation("createTask").unwrap();
    assert_eq!(
        operation.parameters[0].schema.ref_name(),
        Some("CreateTaskMode")
    );
    // The same text loads to the same names.
    assert_eq!(load_str(text, "h.yaml").unwrap(), api);
}

#[test]
fn operations_get_ids_parameters_security_and_statuses() {
    let text = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\nsecurity: [{bearer: []}]\ncomponents:\n  securitySchemes:\n    bearer: {type: http, scheme: Bearer, bearerFormat: JWT}\n    key: {type: apiKey, name: X-Key, in: header}\npaths:\n  /items/{id}:\n    parameters:\n      - {name: id, in: path, schema: {type: string}}\n      - {name: verbose, in: query, schema: {type: boolean}}\n    get:\n      parameters:\n        - {name: verbose, in: query, required: true, schema: {type: boolean}}\n        - {name: tags, in: query, style: pipeDelimited, schema: {type: array, items: {type: string}}}\n      responses:\n        '200': {description: ok}\n        4XX: {description: client error}\n        default: {description: other}\n    delete:\n      security: []\n      deprecated: true\n      responses: {'204': {description: gone}}\n";
    let api = load_str(text, "ops.yaml").unwrap();
    let get = &api.operations[0];
    assert_eq!((get.method, get.id.as_str()), (Method::Get, "get_items_id"));
    assert_eq!(get.id_source, OperationIdSource::Synthesized);
    let id = get.parameter(ParameterLocation::Path, "id").unwrap();
    assert!(id.required, "path parameters are always required");
    assert_eq!(id.style, ParameterStyle::Simple);
    let verbose = get.parameter(ParameterLocation::Query, "verbose").unwrap();
    assert!(
        verbose.required,
        "operation-level parameters override path-level ones"
    );
    assert_eq!(get.parameters.len(), 3);
    let tags = get.parameter(ParameterLocation::Query, "tags").unwrap();
    assert_eq!(
        (tags.style, tags.explode),
        (ParameterStyle::PipeDelimited, false)
    );
    assert_eq!(
        get.responses
            .iter()
            .map(|response| response.status)
            .collect::<Vec<_>>(),
        [
            ResponseStatus::Code(200),
            ResponseStatus::Range(4),
            ResponseStatus::Default
        ]
    );
    assert_eq!(get.security.len(), 1, "inherits the document's security");
    assert!(!get.security_declared);
    let delete = &api.operations[1];
    assert!(delete.deprecated && delete.security.is_empty() && delete.security_declared);
    assert!(
        api.security_schemes["bearer"].is_bearer(),
        "scheme names are case-insensitive"
    );
    assert!(matches!(
        &api.security_schemes["key"],
        SecurityScheme::ApiKey {
            location: ParameterLocation::Header,
            ..
        }
    ));
}

#[test]
fn references_into_other_files_are_followed_relative_to_the_document() {
    let directory = tempfile::tempdir().unwrap();
    std::fs::create_dir(directory.path().join("schemas")).unwrap();
    std::fs::write(
        directory.path().join("schemas/pet.yaml"),
        "Pet:\n  type: object\n  properties:\n    owner: {$ref: '#/Owner'}\n    tag: {$ref: 'common.json#/Tag'}\nOwner:\n  type: object\n  properties:\n    name: {type: string}\n",
    )
    .unwrap();
    std::fs::write(
        directory.path().join("schemas/common.json"),
        r#"{"Tag": {"type": "string", "maxLength": 20}}"#,
    )
    .unwrap();
    std::fs::write(
        directory.path().join("api.yaml"),
        "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths:\n  /pets:\n    get:\n      operationId: listPets\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema: {type: array, items: {$ref: 'schemas/pet.yaml#/Pet'}}\n",
    )
    .unwrap();
    let api = load_file(directory.path().join("api.yaml")).unwrap();
    let pet = schema(&api, "Pet");
    assert_eq!(property(pet, "owner").ref_name(), Some("Owner"));
    assert_eq!(property(pet, "tag").ref_name(), Some("Tag"));
    assert!(matches!(schema(&api, "Tag").kind, SchemaKind::String(_)));
}

#[test]
fn maps_and_additional_properties_are_distinguished() {
    let api = load_str(
        "openapi: 3.0.3\ninfo: {title: t, version: '1'}\ncomponents:\n  schemas:\n    M: {type: object, additionalProperties: {type: integer}}\n    Closed: {type: object, properties: {a: {type: string}}, additionalProperties: false}\n    Open: {type: object, additionalProperties: true}\n",
        "m.yaml",
    )
    .unwrap();
    let additional = |name| match &schema(&api, name).kind {
        SchemaKind::Object(object) => object.additional_properties.clone(),
        other => panic!("{other:?}"),
    };
    assert!(matches!(additional("M"), AdditionalProperties::Schema(_)));
    assert_eq!(additional("Closed"), AdditionalProperties::Forbidden);
    assert_eq!(additional("Open"), AdditionalProperties::Any);
}

#[test]
fn exclusive_bounds_of_3_0_become_numeric() {
    let api = load_str(
        "openapi: 3.0.3\ninfo: {title: t, version: '1'}\ncomponents:\n  schemas:\n    N: {type: number, minimum: 0, exclusiveMinimum: true, maximum: 1}\n",
        "n.yaml",
    )
    .unwrap();
    match &schema(&api, "N").kind {
        SchemaKind::Number(number) => {
            assert_eq!(
                (number.minimum, number.exclusive_minimum),
                (None, Some(0.0))
            );
            assert_eq!(number.maximum, Some(1.0));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn discriminator_mappings_resolve_to_schema_names() {
    let api = load_str(
        "openapi: 3.0.3\ninfo: {title: t, version: '1'}\ncomponents:\n  schemas:\n    Cat: {type: object, properties: {kind: {type: string}}}\n    Dog: {type: object, properties: {kind: {type: string}}}\n    Pet:\n      oneOf: [{$ref: '#/components/schemas/Cat'}, {$ref: '#/components/schemas/Dog'}]\n      discriminator: {propertyName: kind, mapping: {cat: '#/components/schemas/Cat', dog: Dog}}\n",
        "d.yaml",
    )
    .unwrap();
    match &schema(&api, "Pet").kind {
        SchemaKind::OneOf(union) => {
            let discriminator = union.discriminator.as_ref().unwrap();
            assert_eq!(discriminator.property_name, "kind");
            assert_eq!(discriminator.mapping["cat"], "Cat");
            assert_eq!(discriminator.mapping["dog"], "Dog");
            assert_eq!(union.variants.len(), 2);
        }
        other => panic!("{other:?}"),
    }
}

fn cost_of(text_operation: &str) -> sdkgen_model::cost::Cost {
    let text =
        format!("openapi: 3.1.0\ninfo: {{title: t, version: '1'}}\npaths:\n{text_operation}");
    load_str(&text, "c.yaml").expect("loads").operations[0]
        .cost
        .clone()
}

#[test]
fn costs_are_inferred_from_the_providers_rules() {
    let ok = "responses: {'200': {description: ok}}";
    let cases = [
        (
            format!("  /tasks/{{id}}:\n    get: {{{ok}}}\n"),
            1,
            "single-resource read",
        ),
        (
            format!("  /tasks:\n    get: {{parameters: [{{name: limit, in: query}}], {ok}}}\n"),
            3,
            "multi-resource read",
        ),
        (
            "  /tasks:\n    get: {responses: {'200': {description: ok, content: {application/json: {schema: {type: array}}}}}}\n".to_owned(),
            3,
            "multi-resource read",
        ),
        (format!("  /tasks:\n    post: {{{ok}}}\n"), 3, "write"),
        (
            format!(
                "  /files:\n    put: {{requestBody: {{content: {{application/octet-stream: {{}}}}}}, {ok}}}\n"
            ),
            5,
            "upload",
        ),
        (
            format!("  /tasks:\n    get: {{parameters: [{{name: q, in: query}}], {ok}}}\n"),
            5,
            "search",
        ),
        (format!("  /search/code:\n    get: {{{ok}}}\n"), 5, "search"),
        (
            format!("  /projects/{{id}}/stats:\n    get: {{{ok}}}\n"),
            8,
            "aggregation",
        ),
        (
            format!("  /tasks:\n    post: {{operationId: bulkCreateTasks, {ok}}}\n"),
            10,
            "batch",
        ),
        (format!("  /tasks/batch:\n    post: {{{ok}}}\n"), 10, "batch"),
        (
            format!(
                "  /tasks:\n    post: {{requestBody: {{content: {{application/json: {{schema: {{type: array, items: {{type: object}}}}}}}}}}, {ok}}}\n"
            ),
            10,
            "batch",
        ),
        // An object holding a list is one write.
        (
            format!(
                "  /policy:\n    put: {{requestBody: {{content: {{application/json: {{schema: {{type: object, required: [roles], properties: {{roles: {{type: array, items: {{type: object}}}}}}}}}}}}}}, {ok}}}\n"
            ),
            3,
            "write",
        ),
        // A resource merely named batch is read like any other.
        (
            format!("  /batches/{{batch_id}}:\n    get: {{{ok}}}\n"),
            1,
            "single-resource read",
        ),
        // A list answers a page: an object with an items array.
        (
            "  /models:\n    get: {responses: {'200': {description: ok, content: {application/json: {schema: {type: object, properties: {object: {type: string}, data: {type: array}}}}}}}}\n".to_owned(),
            3,
            "multi-resource read",
        ),
        (
            format!("  /organization/usage/costs:\n    get: {{{ok}}}\n"),
            8,
            "aggregation",
        ),
        (
            format!("  /events:\n    get: {{parameters: [{{name: group_by, in: query}}], {ok}}}\n"),
            8,
            "aggregation",
        ),
        // JSON beside a catch-all media type is not an upload.
        (
            format!(
                "  /things:\n    post: {{requestBody: {{content: {{application/json: {{}}, '*/*': {{}}}}}}, {ok}}}\n"
            ),
            3,
            "write",
        ),
    ];
    for (operation, points, rule) in cases {
        let cost = cost_of(&operation);
        assert_eq!(cost.formula, CostFormula::Fixed(points), "{operation}");
        assert_eq!(cost.source, CostSource::Inferred { rule }, "{operation}");
    }
}

#[test]
fn declared_formulas_take_defaults_from_the_spec() {
    let cost = cost_of(
        "  /tasks:\n    get:\n      x-points: {base: 1, per: 1, unit: 50, count: query.limit, max: 5}\n      parameters: [{name: limit, in: query, schema: {type: integer, default: 120}}]\n      responses: {'200': {description: ok}}\n",
    );
    assert_eq!(cost.source, CostSource::Declared);
    assert_eq!(cost.formula.points(None), 4, "1 + ceil(120 / 50)");
    let cost = cost_of(
        "  /tasks/batch:\n    post:\n      x-points: {base: 2, per: 1, count: body.tasks}\n      requestBody: {content: {application/json: {schema: {type: object, properties: {tasks: {type: array}}}}}}\n      responses: {'200': {description: ok}}\n",
    );
    match cost.formula {
        CostFormula::PerCount { count, max, .. } => {
            assert_eq!(count, CountOf::Body(Some("tasks".into())));
            assert_eq!(max, 10);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn the_provider_specs_declare_every_cost_and_use_every_tier() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../specs");
    for spec in ["v1/1.0.0.yaml", "v1/1.1.0.yaml", "v2/2.0.0.yaml"] {
        let api = load_file(root.join(spec)).unwrap();
        assert!(api.operations.len() >= 20, "{spec}");
        let mut tiers = std::collections::BTreeSet::new();
        for operation in &api.operations {
            assert_eq!(
                operation.cost.source,
                CostSource::Declared,
                "{spec} {}",
                operation.id
            );
            assert!(
                operation
                    .security
                    .iter()
                    .any(|requirement| requirement.contains_key("bearerAuth"))
            );
            for points in [operation.cost.base_points(), operation.cost.max_points()] {
                tiers.insert(match points {
                    1 => "1",
                    2..=3 => "3",
                    _ => "5-10",
                });
            }
            for response in &operation.responses {
                for header in [
                    "X-RateLimit-Limit",
                    "X-RateLimit-Remaining",
                    "X-RateLimit-Reset",
                ] {
                    assert!(
                        response.header(header).is_some(),
                        "{spec} {} {} lacks {header}",
                        operation.id,
                        response.status
                    );
                }
                if response.status == ResponseStatus::Code(429) {
                    assert!(response.header("Retry-After").is_some());
                }
            }
        }
        assert_eq!(tiers.len(), 3, "{spec} uses every cost tier");
        assert!(api.security_schemes["bearerAuth"].is_bearer());
    }
}

#[test]
fn annotation_only_all_of_parts_keep_the_type() {
    let api = load_str(
        "openapi: 3.1.0\ninfo: {title: t, version: '1'}\ncomponents:\n  schemas:\n    A: {type: object, properties: {p: {type: string, maxLength: 3, allOf: [{title: note, description: nothing}]}}}\n",
        "a.yaml",
    )
    .unwrap();
    assert!(
        matches!(&property(schema(&api, "A"), "p").kind, SchemaKind::String(string) if string.max_length == Some(3))
    );
}

#[test]
fn yaml_is_read_as_yaml_1_2_so_no_and_y_stay_strings() {
    let api = load_str(
        "openapi: 3.1.0\ninfo: {title: t, version: '1'}\ncomponents:\n  schemas:\n    Country: {type: string, enum: [NO, SE, y, off]}\n",
        "a.yaml",
    )
    .unwrap();
    assert_eq!(
        schema(&api, "Country").enumeration,
        ["NO", "SE", "y", "off"]
    );
}

#[test]
fn deprecation_and_sunset_are_lowered_into_the_operation() {
    let text = "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get: {deprecated: true, x-sunset: ' 2027-03-01 ', responses: {'200': {description: ok}}}\n    post: {responses: {'200': {description: ok}}}\n";
    let api = sdkgen_loader::load_str(text, "t.yaml").expect("loads");
    let get = &api.operations[0];
    assert!(get.deprecated);
    assert_eq!(get.sunset.as_deref(), Some("2027-03-01"));
    let post = &api.operations[1];
    assert!(!post.deprecated);
    assert_eq!(post.sunset, None);
}

#[test]
fn operations_and_path_items_in_other_files_are_followed() {
    let directory = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &str| {
        let path = directory.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
        path
    };
    let root = write(
        "openapi.yaml",
        "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths:\n  /v2/droplets:\n    post: {$ref: 'resources/create.yml'}\n    sumary: misspelt\n  /v2/droplets/{id}: {$ref: 'resources/item.yml'}\n",
    );
    write(
        "resources/create.yml",
        "operationId: droplets_create\nrequestBody:\n  content:\n    application/json:\n      schema: {$ref: 'models/droplet.yml'}\nresponses:\n  '202': {description: ok}\nx-codegen-request-body-name: body\nrequest_body: {}\n",
    );
    write(
        "resources/item.yml",
        "parameters: [{name: id, in: path, required: true, schema: {type: integer}}]\ndelete: {$ref: 'delete.yml'}\n",
    );
    write(
        "resources/delete.yml",
        "operationId: droplets_destroy\nresponses: {'204': {description: gone}}\n",
    );
    write(
        "resources/models/droplet.yml",
        "type: object\nproperties: {name: {type: string}}\n",
    );
    let api = load_file(&root).expect("loads");
    let create = api.operation("droplets_create").expect("the declared id");
    assert_eq!(create.id_source, OperationIdSource::Declared);
    let body = create.request_body.as_ref().expect("a request body");
    assert_eq!(
        body.content[0].schema.as_ref().map(|schema| &schema.kind),
        Some(&SchemaKind::Ref("droplet".to_owned()))
    );
    assert_eq!(create.responses.len(), 1);
    let destroy = api.operation("droplets_destroy").expect("the declared id");
    assert_eq!(destroy.parameters.len(), 1, "the path item's parameter");
    let root_name = root.display().to_string();
    let create_name = directory
        .path()
        .join("resources/create.yml")
        .display()
        .to_string();
    assert_eq!(
        api.warnings,
        [
            format!(
                "{root_name} at /paths/~1v2~1droplets/sumary: `sumary` is not a field of a path item; it is ignored"
            ),
            format!(
                "{create_name} at /request_body: `request_body` is not a field of an operation; it is ignored (in a file referenced from {root_name} at /paths/~1v2~1droplets/post)"
            ),
        ]
    );
}

#[test]
fn keywords_and_callbacks_the_model_has_no_place_for_are_warned_about() {
    let api = load_str(
        "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    post:\n      callbacks: {}\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema: {type: object, properties: {n: {type: string}}, patternProperties: {'^x-': {type: string}}}\ncomponents:\n  schemas:\n    Pair: {type: array, prefixItems: [{type: string}, {type: integer}]}\n",
        "w.yaml",
    )
    .expect("loads");
    assert_eq!(
        api.warnings,
        [
            "w.yaml at /paths/~1a/post/callbacks: callbacks are not generated: a client does not serve the requests they describe",
            "w.yaml at /paths/~1a/post/responses/200/content/application~1json/schema/patternProperties: `patternProperties` is not modelled: the generated type does not check or express it",
            "w.yaml at /components/schemas/Pair/prefixItems: `prefixItems` is not modelled: the generated type does not check or express it",
        ]
    );
}

#[test]
fn misspelt_fields_of_parameters_bodies_responses_and_media_types_are_warned_about() {
    let api = load_str(
        "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    post:\n      parameters: [{name: q, in: query, shema: {type: string}}]\n      requestBody: {required: true, contents: {}}\n      responses:\n        '200':\n          description: ok\n          header: {}\n          content:\n            application/json: {schema: {type: string}, exemple: x}\n",
        "m.yaml",
    )
    .expect("loads");
    let places: Vec<&str> = api
        .warnings
        .iter()
        .map(|warning| warning.split(':').next().unwrap_or_default())
        .collect();
    assert_eq!(
        places,
        [
            "m.yaml at /paths/~1a/post/parameters/0/shema",
            "m.yaml at /paths/~1a/post/requestBody/contents",
            "m.yaml at /paths/~1a/post/responses/200/header",
            "m.yaml at /paths/~1a/post/responses/200/content/application~1json/exemple",
        ]
    );
    assert!(
        api.warnings[0].ends_with("`shema` is not a field of a parameter; it is ignored"),
        "{:?}",
        api.warnings
    );
}

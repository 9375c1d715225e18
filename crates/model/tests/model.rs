//! Tests of the model's own logic: cost formulas, methods, statuses, media types, lookups.

use indexmap::IndexMap;
use sdkgen_model::cost::{CostFormula, CountOf};
use sdkgen_model::{
    Api, BodyKind, Method, NamedSchema, ResponseStatus, Schema, SchemaKind, SchemaOrigin,
};

fn per_count(base: u8, per: u8, unit: u32, default_count: u64, max: u8) -> CostFormula {
    CostFormula::PerCount {
        base,
        per,
        unit,
        count: CountOf::Query("limit".into()),
        default_count,
        max,
    }
}

#[test]
fn fixed_cost_ignores_the_count() {
    assert_eq!(CostFormula::Fixed(3).points(Some(100)), 3);
    assert_eq!(CostFormula::Fixed(3).points(None), 3);
}

#[test]
fn per_count_cost_rounds_units_up_and_is_capped() {
    let formula = per_count(1, 1, 50, 20, 5);
    assert_eq!(formula.points(Some(0)), 1);
    assert_eq!(formula.points(Some(1)), 2);
    assert_eq!(formula.points(Some(50)), 2);
    assert_eq!(formula.points(Some(51)), 3);
    assert_eq!(formula.points(Some(10_000)), 5);
    assert_eq!(
        formula.points(Some(u64::MAX)),
        5,
        "no overflow on hostile counts"
    );
    // Absent from the request: the default count applies.
    assert_eq!(formula.points(None), 2);
}

#[test]
fn formulas_display_as_people_write_them() {
    assert_eq!(
        per_count(1, 1, 50, 0, 5).to_string(),
        "min(5, 1 + 1 * ceil(query.limit / 50))"
    );
    let batch = CostFormula::PerCount {
        base: 2,
        per: 1,
        unit: 1,
        count: CountOf::Body(Some("tasks".into())),
        default_count: 0,
        max: 10,
    };
    assert_eq!(batch.to_string(), "min(10, 2 + 1 * body.tasks)");
}

#[test]
fn count_of_parses_query_and_body_forms() {
    assert_eq!(
        CountOf::parse("query.limit"),
        Ok(CountOf::Query("limit".into()))
    );
    assert_eq!(CountOf::parse("body"), Ok(CountOf::Body(None)));
    assert_eq!(
        CountOf::parse("body.items"),
        Ok(CountOf::Body(Some("items".into())))
    );
    for bad in ["query", "query.", "header.x", "bodies", ""] {
        let error = CountOf::parse(bad).expect_err(bad);
        assert!(error.to_string().contains("query.NAME"), "{error}");
    }
}

#[test]
fn methods_round_trip_and_know_their_semantics() {
    for method in Method::ALL {
        assert_eq!(Method::parse(method.key()), Some(method));
        assert_eq!(Method::parse(method.as_str()), Some(method));
        assert_eq!(method.to_string(), method.as_str());
    }
    assert_eq!(Method::parse("fetch"), None);
    assert!(Method::Put.is_idempotent() && Method::Delete.is_idempotent());
    assert!(!Method::Post.is_idempotent() && !Method::Patch.is_idempotent());
    assert!(Method::Get.is_safe() && !Method::Delete.is_safe());
}

#[test]
fn response_statuses_match_codes_and_ranges() {
    assert!(ResponseStatus::Code(201).is_success());
    assert!(ResponseStatus::Range(2).is_success());
    assert!(!ResponseStatus::Default.is_success());
    assert!(ResponseStatus::Range(4).matches(429));
    assert!(!ResponseStatus::Range(4).matches(500));
    assert!(ResponseStatus::Default.matches(503));
    assert_eq!(ResponseStatus::Range(5).to_string(), "5XX");
}

#[test]
fn body_kinds_come_from_the_media_type_essence() {
    assert_eq!(
        BodyKind::of("application/json; charset=utf-8"),
        BodyKind::Json
    );
    assert_eq!(BodyKind::of("application/scim+json"), BodyKind::Json);
    assert_eq!(
        BodyKind::of("application/x-www-form-urlencoded"),
        BodyKind::Form
    );
    assert_eq!(BodyKind::of("multipart/form-data"), BodyKind::Multipart);
    assert_eq!(BodyKind::of("application/xml"), BodyKind::Xml);
    assert_eq!(BodyKind::of("text/plain"), BodyKind::Text);
    assert_eq!(BodyKind::of("application/octet-stream"), BodyKind::Binary);
    assert_eq!(BodyKind::of("*/*"), BodyKind::Binary);
}

fn api_with(schemas: Vec<(&str, Schema)>) -> Api {
    Api {
        title: "t".into(),
        version: "1".into(),
        description: None,
        openapi_version: "3.1.0".into(),
        servers: Vec::new(),
        operations: Vec::new(),
        webhooks: Vec::new(),
        warnings: Vec::new(),
        schemas: schemas
            .into_iter()
            .map(|(name, schema)| {
                (
                    name.to_owned(),
                    NamedSchema {
                        name: name.to_owned(),
                        origin: SchemaOrigin::Component,
                        schema,
                    },
                )
            })
            .collect::<IndexMap<_, _>>(),
        security_schemes: IndexMap::new(),
        security: Vec::new(),
        extensions: IndexMap::new(),
    }
}

#[test]
fn resolve_follows_reference_chains_and_stops_on_cycles() {
    let api = api_with(vec![
        ("A", Schema::reference("B")),
        ("B", Schema::new(SchemaKind::Boolean)),
        ("Loop1", Schema::reference("Loop2")),
        ("Loop2", Schema::reference("Loop1")),
    ]);
    let start = Schema::reference("A");
    assert_eq!(
        api.resolve(&start).map(|schema| &schema.kind),
        Some(&SchemaKind::Boolean)
    );
    assert_eq!(api.resolve(&Schema::reference("Loop1")), None);
    assert_eq!(api.resolve(&Schema::reference("Missing")), None);
    assert!(api.schema("B").is_some() && api.schema("C").is_none());
}

//! Property tests: no input makes the loader panic, and loading is a function of the text.

use proptest::prelude::*;
use serde_json::{Map, Value};

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        "[a-z$#/{}.]{0,12}".prop_map(Value::from),
        prop::sample::select(vec![
            "object",
            "array",
            "string",
            "integer",
            "null",
            "#/components/schemas/A",
            "#/components/schemas/B",
            "#/paths",
            "3.0.3",
            "3.1.0",
            "query",
            "path",
            "body",
        ])
        .prop_map(Value::from),
    ];
    leaf.prop_recursive(5, 64, 6, |inner| {
        let keys = prop::sample::select(vec![
            "type",
            "properties",
            "items",
            "$ref",
            "allOf",
            "oneOf",
            "anyOf",
            "nullable",
            "enum",
            "required",
            "additionalProperties",
            "discriminator",
            "propertyName",
            "parameters",
            "in",
            "name",
            "schema",
            "responses",
            "200",
            "content",
            "application/json",
            "x-points",
            "base",
            "per",
            "count",
            "get",
            "post",
            "/a",
            "/b/{id}",
            "requestBody",
            "const",
            "not",
            "mapping",
            "default",
        ]);
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec((keys, inner), 0..5).prop_map(|entries| Value::Object(
                entries
                    .into_iter()
                    .map(|(k, v)| (k.to_owned(), v))
                    .collect::<Map<_, _>>()
            )),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_documents_never_panic(paths in json_value(), schemas in json_value(), version in prop::sample::select(vec!["3.0.3", "3.1.0"])) {
        let document = serde_json::json!({
            "openapi": version,
            "info": {"title": "t", "version": "1"},
            "paths": paths,
            "components": {"schemas": schemas},
        });
        let text = document.to_string();
        let first = sdkgen_loader::load_str(&text, "fuzz.json");
        let second = sdkgen_loader::load_str(&text, "fuzz.json");
        prop_assert_eq!(first, second);
    }

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,200}") {
        let _ = sdkgen_loader::load_str(&text, "fuzz.yaml");
    }
}

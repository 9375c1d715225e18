//! Structs of one wire shape share one derived `Deserialize` through a private generic struct,
//! and stay public structs of their own.

mod common;

const SPEC: &str = r#"
openapi: 3.0.3
info: { title: Shapes, version: 1.0.0 }
paths:
  /everything:
    get:
      operationId: getEverything
      responses:
        '200':
          description: all of it
          content:
            application/json:
              schema:
                type: object
                properties:
                  cats: { $ref: '#/components/schemas/CatList' }
                  dogs: { $ref: '#/components/schemas/DogList' }
                  birds: { $ref: '#/components/schemas/BirdList' }
                  fish: { $ref: '#/components/schemas/FishList' }
                  pair: { $ref: '#/components/schemas/Pair' }
components:
  schemas:
    Cat: { type: object, properties: { name: { type: string } } }
    Dog: { type: object, properties: { name: { type: string } } }
    Bird: { type: object, properties: { name: { type: string } } }
    Fish: { type: object, properties: { name: { type: string } } }
    CatList:
      type: object
      required: [items]
      properties:
        items: { type: array, items: { $ref: '#/components/schemas/Cat' } }
        total: { type: integer, description: How many cats. }
    DogList:
      type: object
      required: [items]
      properties:
        items: { type: array, items: { $ref: '#/components/schemas/Dog' } }
        total: { type: integer, description: How many dogs there are. }
    BirdList:
      description: Like the others, but its total is required.
      type: object
      required: [items, total]
      properties:
        items: { type: array, items: { $ref: '#/components/schemas/Bird' } }
        total: { type: integer }
    FishList:
      description: Like the others, but it keeps unknown properties.
      type: object
      required: [items]
      additionalProperties: true
      properties:
        items: { type: array, items: { $ref: '#/components/schemas/Fish' } }
        total: { type: integer }
    Pair:
      description: 'Two references: one shape with two type parameters, shared with Couple.'
      type: object
      properties:
        first: { $ref: '#/components/schemas/Cat' }
        second: { $ref: '#/components/schemas/Dog' }
    Couple:
      type: object
      properties:
        first: { $ref: '#/components/schemas/Bird' }
        second: { $ref: '#/components/schemas/Fish' }
    Single:
      description: 'One of its shape: derives its own.'
      type: object
      properties:
        first: { $ref: '#/components/schemas/Bird' }
        third: { $ref: '#/components/schemas/Fish' }
"#;

fn types_file() -> String {
    common::types_file(SPEC, "shapes")
}

fn deserialized_by_hand(types: &str, name: &str) -> bool {
    types.contains(&format!(
        "impl<'de> ::sdkgen_runtime::serde::Deserialize<'de> for {name} {{"
    ))
}

#[test]
fn structs_that_differ_in_one_type_share_one_derived_deserialize() {
    let types = types_file();
    assert_eq!(types.matches("struct ListShape<T> {").count(), 1, "{types}");
    assert!(types.contains("    items: Vec<T>,\n"), "{types}");
    for name in ["CatList", "DogList"] {
        assert!(deserialized_by_hand(&types, name), "{name}");
        // Still a public struct with its own field documentation.
        assert!(types.contains(&format!("pub struct {name} {{")), "{name}");
    }
    assert!(types.contains("/// How many dogs there are."));
    assert!(
        types.contains("<ListShape<\n            Dog,\n        > as"),
        "{types}"
    );
}

#[test]
fn structs_of_one_shape_share_one_derived_deserialize() {
    let types = types_file();
    // Cat, Dog, Bird and Fish are all `{ name }`: one wire struct without type parameters.
    let wire = types
        .lines()
        .find(|line| line.starts_with("struct ") && line.contains("Shape {"))
        .expect("a wire struct without parameters");
    let wire = wire.trim_start_matches("struct ").trim_end_matches(" {");
    for name in ["Cat", "Dog", "Bird", "Fish"] {
        assert!(deserialized_by_hand(&types, name), "{name}");
        assert!(types.contains(&format!("pub struct {name} {{")), "{name}");
    }
    assert!(types.contains(&format!("<{wire} as ::sdkgen_runtime::serde::Deserialize>")));
    // Decode errors name no one member for all of them.
    let declaration = types.find(&format!("struct {wire} {{")).expect("declared");
    let attributes = &types[types[..declaration]
        .rfind("#[derive(Deserialize)]")
        .expect("derived")..declaration];
    assert!(attributes.contains(r#"rename = "object""#), "{attributes}");
}

#[test]
fn structs_that_differ_in_several_types_share_one_generic_derive() {
    let types = types_file();
    assert_eq!(
        types.matches("struct PairShape<T1, T2> {").count(),
        1,
        "{types}"
    );
    assert!(types.contains("T1: ::sdkgen_runtime::serde::Deserialize<'de>, T2: ::sdkgen_runtime::serde::Deserialize<'de>"));
    for name in ["Pair", "Couple"] {
        assert!(deserialized_by_hand(&types, name), "{name}");
    }
}

#[test]
fn different_fields_keep_their_own_derive() {
    let types = types_file();
    for name in ["BirdList", "FishList", "Single"] {
        assert!(!deserialized_by_hand(&types, name), "{name}");
    }
    // The types that derive it: those three, and the three wire structs.
    let derived = types.matches("PartialEq, Default, Deserialize)]").count()
        + types.matches("PartialEq, Deserialize)]").count()
        + types.matches("#[derive(Deserialize)]").count();
    assert_eq!(derived, 6, "{types}");
}

//! Types implement the serde traits their use needs: `Serialize` for what the client sends,
//! `Deserialize` for what it receives, the other one behind the crate features.

mod common;

const SPEC: &str = r#"
openapi: 3.1.0
info: { title: Directions, version: 1.0.0 }
paths:
  /things:
    post:
      operationId: createThing
      parameters:
        - { name: filter, in: query, schema: { $ref: '#/components/schemas/Filter' } }
      requestBody:
        content:
          application/json:
            schema: { $ref: '#/components/schemas/ThingCreate' }
      responses:
        '200':
          description: the thing
          content:
            application/json:
              schema: { $ref: '#/components/schemas/Thing' }
webhooks:
  thingChanged:
    post:
      requestBody:
        content:
          application/json:
            schema: { $ref: '#/components/schemas/ThingEvent' }
      responses:
        '200':
          description: acknowledged
          content:
            application/json:
              schema: { $ref: '#/components/schemas/Ack' }
components:
  schemas:
    Filter:
      type: object
      properties: { name: { type: string } }
    ThingCreate:
      type: object
      properties:
        name: { type: string }
        tags: { type: array, items: { $ref: '#/components/schemas/Tag' } }
    Thing:
      type: object
      properties:
        name: { type: string }
        tags: { type: array, items: { $ref: '#/components/schemas/Tag' } }
        shape: { $ref: '#/components/schemas/Shape' }
    Tag:
      type: object
      properties: { label: { type: string } }
    Shape:
      oneOf:
        - { $ref: '#/components/schemas/Circle' }
        - { $ref: '#/components/schemas/Square' }
    Circle:
      type: object
      required: [radius]
      properties: { radius: { type: number } }
    Square:
      type: object
      required: [side]
      properties: { side: { type: number } }
    ThingEvent:
      type: object
      properties: { name: { type: string } }
    Ack:
      type: object
      properties: { ok: { type: boolean } }
    Unused:
      type: object
      properties: { note: { type: string } }
    ThingStreamEvent:
      description: An event wrapper no operation names, holding a received and a sent type.
      type: object
      properties:
        thing: { $ref: '#/components/schemas/ThingSnapshot' }
        filter: { $ref: '#/components/schemas/Filter' }
    ThingSnapshot:
      type: object
      properties: { name: { type: string } }
"#;

fn types_file() -> String {
    common::types_file(SPEC, "directions")
}

/// The attribute lines right above `pub struct NAME` or `pub enum NAME`, and the impls of
/// serde traits for it with the attribute above each.
fn serde_of(types: &str, name: &str) -> (String, Vec<String>) {
    let lines: Vec<&str> = types.lines().collect();
    let item = lines
        .iter()
        .position(|line| {
            *line == format!("pub struct {name} {{") || *line == format!("pub enum {name} {{")
        })
        .unwrap_or_else(|| panic!("no item {name}"));
    let mut attributes = Vec::new();
    for line in lines[..item].iter().rev() {
        if !line.starts_with("#[") {
            break;
        }
        attributes.push(*line);
    }
    attributes.reverse();
    let impls = lines
        .iter()
        .enumerate()
        .filter(|(_, line)| {
            line.starts_with("impl")
                && line.contains("::serde::")
                && line.ends_with(&format!(" for {name} {{"))
        })
        .map(|(index, line)| format!("{} {line}", lines[index - 1]))
        .collect();
    (attributes.join("\n"), impls)
}

/// How a type implements a serde trait (`"Serialize"` or `"Deserialize"`), derived or by hand
/// (structs of one shape deserialise through a shared wire struct): `Some(true)` always,
/// `Some(false)` only behind the crate feature, `None` not at all.
fn implements(types: &str, name: &str, serde_trait: &str) -> Option<bool> {
    let (attributes, impls) = serde_of(types, name);
    let derive_list = attributes
        .lines()
        .find(|line| line.starts_with("#[derive("))
        .unwrap_or_default();
    let derived = derive_list
        .trim_end_matches(")]")
        .split([',', '(', ' '])
        .any(|word| word == serde_trait);
    let behind_feature = attributes.contains(&format!("derive({serde_trait}))]"));
    let by_hand = impls
        .iter()
        .find(|line| line.contains(&format!("::serde::{serde_trait}")));
    match (derived, behind_feature, by_hand) {
        (true, _, _) => Some(true),
        (_, _, Some(line)) => Some(!line.starts_with("#[cfg(feature")),
        (false, true, None) => Some(false),
        (false, false, None) => None,
    }
}

#[test]
fn sent_types_serialize_and_deserialize_only_behind_the_feature() {
    let types = types_file();
    for name in ["ThingCreate", "Ack"] {
        assert_eq!(implements(&types, name, "Serialize"), Some(true), "{name}");
        assert_eq!(
            implements(&types, name, "Deserialize"),
            Some(false),
            "{name}"
        );
    }
}

#[test]
fn received_types_deserialize_and_serialize_only_behind_the_feature() {
    let types = types_file();
    for name in ["Thing", "Circle", "ThingEvent"] {
        assert_eq!(
            implements(&types, name, "Deserialize"),
            Some(true),
            "{name}"
        );
        assert_eq!(implements(&types, name, "Serialize"), Some(false), "{name}");
    }
}

/// A schema no operation uses gets both, and so does every schema it holds, whatever the
/// operations do with it: `Filter` is sent, yet an unused wrapper that holds it deserialises.
#[test]
fn types_used_both_ways_or_not_at_all_get_both() {
    let types = types_file();
    for name in [
        "Tag",
        "Unused",
        "ThingStreamEvent",
        "ThingSnapshot",
        "Filter",
    ] {
        assert_eq!(implements(&types, name, "Serialize"), Some(true), "{name}");
        assert_eq!(
            implements(&types, name, "Deserialize"),
            Some(true),
            "{name}"
        );
    }
}

#[test]
fn hand_written_union_impls_follow_the_same_rule() {
    let types = types_file();
    let (_, impls) = serde_of(&types, "Shape");
    assert_eq!(impls.len(), 2, "{impls:?}");
    let serialize = impls
        .iter()
        .find(|line| line.contains("Serialize for"))
        .expect("Serialize impl");
    assert!(
        serialize.starts_with(r#"#[cfg(feature = "serialize")]"#),
        "{serialize}"
    );
    let deserialize = impls
        .iter()
        .find(|line| line.contains("Deserialize<'de> for"))
        .expect("Deserialize impl");
    assert!(!deserialize.contains("cfg("), "{deserialize}");
}

//! A cargo feature per tag: each operation and each type is compiled with the features of the
//! tags that use it, and `full` (a default feature) turns every tag on. The fixture is also
//! compiled with each tag alone by `cargo xtask corpus-check`.

mod common;

use sdkgen_codegen::GeneratedCrate;

fn generate_from(api: &sdkgen_model::Api) -> GeneratedCrate {
    common::generated(api, "tags")
}

fn fixture() -> GeneratedCrate {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tags.yaml");
    generate_from(&sdkgen_loader::load_file(&path).expect("fixture loads"))
}

/// The `#[cfg(...)]` lines among the documentation and attributes right above the line
/// `declaration` (up to the blank line or the end of an item above them).
fn cfg_above(file: &str, declaration: &str) -> Vec<String> {
    let lines: Vec<&str> = file.lines().collect();
    let at = lines
        .iter()
        .position(|line| line.trim() == declaration)
        .unwrap_or_else(|| panic!("no line {declaration:?}"));
    lines[..at]
        .iter()
        .rev()
        .take_while(|line| !line.trim().is_empty() && !line.trim_end().ends_with(['}', ';']))
        .filter(|line| line.trim_start().starts_with("#[cfg("))
        .map(|line| line.trim().to_owned())
        .collect()
}

const PETS: &str = r#"#[cfg(feature = "pets")]"#;
const STORE: &str = r#"#[cfg(feature = "store-admin")]"#;
const EITHER: &str = r#"#[cfg(any(feature = "pets", feature = "store-admin"))]"#;

#[test]
fn every_tag_is_a_feature_and_full_is_the_default() {
    let generated = fixture();
    assert_eq!(generated.tag_features, ["full-2", "pets", "store-admin"]);
    let manifest = &generated.files["Cargo.toml"];
    assert!(manifest.contains("default = [\"full\"]\n"), "{manifest}");
    assert!(
        manifest.contains("full = [\"full-2\", \"pets\", \"store-admin\"]\n"),
        "{manifest}"
    );
    // A tag named like one of the crate's own features gets another name.
    assert!(
        manifest.contains("# The operations tagged \"full\".\nfull-2 = []\n"),
        "{manifest}"
    );
    assert!(
        manifest.contains("# The operations tagged \"Store Admin\".\nstore-admin = []\n"),
        "{manifest}"
    );
    // The example calls listPets, so it needs that tag.
    assert!(
        manifest.contains("name = \"tags_example\"\nrequired-features = [\"pets\"]\n"),
        "{manifest}"
    );
    let readme = &generated.files["README.md"];
    assert!(
        readme.contains(
            "Each tag of the API's operations is a cargo feature (`full-2`, `pets`, `store-admin`)"
        ),
        "{readme}"
    );
    let lib = &generated.files["src/lib.rs"];
    assert!(lib.contains("//! # Features"), "{lib}");
    assert!(
        lib.contains("//! - `store-admin`: the 2 operations tagged `Store Admin`"),
        "{lib}"
    );
}

#[test]
fn operations_are_compiled_with_their_tags() {
    let generated = fixture();
    let (client, builders) = (
        &generated.files["src/client.rs"],
        &generated.files["src/builders.rs"],
    );
    assert_eq!(
        cfg_above(client, "pub fn list_pets(&self) -> builders::ListPets {"),
        [PETS]
    );
    assert_eq!(cfg_above(builders, "pub struct ListPets {"), [PETS]);
    assert_eq!(
        cfg_above(
            client,
            "pub fn list_orders(&self) -> builders::ListOrders {"
        ),
        [STORE]
    );
    // Two tags: either compiles it.
    assert_eq!(
        cfg_above(
            client,
            "pub fn get_order_pet(&self, id: impl Into<String>) -> builders::GetOrderPet {"
        ),
        [EITHER]
    );
    // No tag: always.
    assert!(cfg_above(client, "pub fn health(&self) -> builders::Health {").is_empty());
    assert!(cfg_above(builders, "pub struct Health {").is_empty());
    assert!(
        client.contains(
            "/// Compiled with the crate feature `pets` (on by default, through `full`)."
        )
    );
    // The operations table lists every operation, whatever the features.
    assert_eq!(
        client.matches("::sdkgen_runtime::OperationInfo {").count(),
        7
    );
}

#[test]
fn types_are_compiled_with_the_tags_that_use_them() {
    let types = &fixture().files["src/types.rs"];
    // Used by the pets tag only.
    assert_eq!(cfg_above(types, "pub struct NewPet {"), [PETS]);
    assert_eq!(cfg_above(types, "pub struct PetPage {"), [PETS]);
    // By the store tag only, through a parameter and a response.
    assert_eq!(cfg_above(types, "pub enum OrderStatus {"), [STORE]);
    assert_eq!(cfg_above(types, "pub struct Order {"), [STORE]);
    // Always: the error type of the crate root, what an untagged operation uses, what no
    // operation uses, and everything those hold (Pet and Label, through PetEvent).
    for always in [
        "pub struct ApiError {",
        "pub struct Health {",
        "pub struct Uptime {",
        "pub struct PetEvent {",
        "pub struct Pet {",
        "pub struct Label {",
    ] {
        assert!(cfg_above(types, always).is_empty(), "{always}");
    }
    // The impls follow their type.
    let impls_of_new_pet = types
        .lines()
        .filter(|line| line.starts_with("impl") && line.contains(" NewPet {"))
        .count();
    assert!(impls_of_new_pet > 0);
    assert_eq!(cfg_above(types, "impl NewPet {"), [PETS]);
    // PetPage and OrderPage share one wire struct, needed by either tag.
    let wire = types
        .lines()
        .find(|line| line.starts_with("struct ") && line.ends_with("Shape<T> {"))
        .expect("a wire struct");
    assert_eq!(cfg_above(types, wire), [EITHER]);
    // Tally (received, pets) and TallyFilter (sent, store) share one too: with the store tag
    // alone it is needed only if TallyFilter deserialises, with the `deserialize` feature.
    assert_eq!(
        cfg_above(types, "struct TallyShape {"),
        [r#"#[cfg(any(feature = "pets", all(feature = "store-admin", feature = "deserialize")))]"#]
    );
}

#[test]
fn documents_with_one_tag_or_none_get_no_tag_features() {
    for tags in ["", "tags: [pets]"] {
        let spec = format!(
            "openapi: 3.0.3\ninfo: {{title: One, version: '1'}}\npaths:\n  /a:\n    get:\n      \
             operationId: a\n      {tags}\n      responses: {{'204': {{description: ok}}}}\n"
        );
        let api = sdkgen_loader::load_str(&spec, "one.yaml").expect("loads");
        let generated = generate_from(&api);
        assert!(generated.tag_features.is_empty(), "{tags}");
        assert!(!generated.files["Cargo.toml"].contains("full"), "{tags}");
        assert!(
            !generated.files["src/client.rs"].contains("#[cfg("),
            "{tags}"
        );
    }
}

#[test]
fn too_many_tags_for_crates_io_get_none_and_a_warning() {
    let mut spec = String::from("openapi: 3.0.3\ninfo: {title: Many, version: '1'}\npaths:\n");
    for index in 0..300 {
        spec.push_str(&format!(
            "  /a{index}:\n    get:\n      operationId: a{index}\n      tags: [t{index}]\n      \
             responses: {{'204': {{description: ok}}}}\n"
        ));
    }
    let api = sdkgen_loader::load_str(&spec, "many.yaml").expect("loads");
    let generated = generate_from(&api);
    assert!(generated.tag_features.is_empty());
    assert!(
        generated
            .warnings
            .iter()
            .any(|warning| warning.contains("300 tags")),
        "{:?}",
        generated.warnings
    );
}

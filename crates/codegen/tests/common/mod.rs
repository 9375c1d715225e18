//! What the integration tests share.

use sdkgen_codegen::{RuntimeDependency, Settings, generate};

/// The `src/types.rs` generated from a spec given as text, under the crate name `name`.
pub fn types_file(spec: &str, name: &str) -> String {
    let source = format!("{name}.yaml");
    let api = sdkgen_loader::load_str(spec, &source).expect("spec loads");
    let settings = Settings {
        crate_name: name.to_owned(),
        runtime: RuntimeDependency::Version("0.1".to_owned()),
        command: "test".to_owned(),
        source,
        publish: None,
        examples: None,
    };
    let generated = generate(&api, &settings).expect("generates");
    generated.files["src/types.rs"].clone()
}

//! What the integration tests share.

#![allow(dead_code)] // Each test file uses some of these.

use sdkgen_codegen::{GeneratedCrate, RuntimeDependency, Settings, generate};

/// The crate generated from a loaded API, under the crate name `name`.
pub fn generated(api: &sdkgen_model::Api, name: &str) -> GeneratedCrate {
    let settings = Settings {
        crate_name: name.to_owned(),
        runtime: RuntimeDependency::Version("0.1".to_owned()),
        command: "test".to_owned(),
        source: format!("{name}.yaml"),
        publish: None,
        examples: None,
    };
    generate(api, &settings).expect("generates")
}

/// The `src/types.rs` generated from a spec given as text, under the crate name `name`.
pub fn types_file(spec: &str, name: &str) -> String {
    let api = sdkgen_loader::load_str(spec, &format!("{name}.yaml")).expect("spec loads");
    generated(&api, name).files["src/types.rs"].clone()
}

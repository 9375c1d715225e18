//! `sdkgen generate`: a client crate from any OpenAPI document.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Result, bail};
use sdkgen_codegen::{Mode, RuntimeDependency, Settings};

/// Where a generated crate takes the runtime from: the flag given, else the runtime this
/// binary was built from when its source is still there (a checkout of this repository: by
/// path, with this version for `cargo package`), else this version from the registry.
pub fn runtime_dependency(
    path: Option<String>,
    version: Option<String>,
    git: Option<String>,
) -> Result<RuntimeDependency> {
    Ok(match (path, version, git) {
        (Some(path), None, None) => RuntimeDependency::Path(path),
        (None, Some(version), None) => RuntimeDependency::Version(version),
        (None, None, Some(url)) => RuntimeDependency::Git(url),
        (None, None, None) => match built_from_runtime() {
            Some(path) => RuntimeDependency::PathAndVersion {
                path: path.display().to_string(),
                version: env!("CARGO_PKG_VERSION").to_owned(),
            },
            None => RuntimeDependency::Version(env!("CARGO_PKG_VERSION").to_owned()),
        },
        _ => bail!("give at most one of --runtime-path, --runtime-version and --runtime-git"),
    })
}

/// The runtime's source beside this crate's, when it exists (absolute).
pub fn built_from_runtime() -> Option<PathBuf> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../runtime");
    std::fs::canonicalize(path)
        .ok()
        .filter(|path| path.join("Cargo.toml").is_file())
}

/// `sdkgen generate --spec FILE --out DIR`: writes the crate, printing the generator's warnings;
/// `command` is how the crate's file headers say it is regenerated.
pub fn generate(
    spec: &Path,
    out: &Path,
    name: Option<String>,
    runtime: RuntimeDependency,
    publish: Option<String>,
    command: &str,
) -> Result<()> {
    let api = sdkgen_loader::load_file(spec)?;
    for warning in &api.warnings {
        eprintln!("warning: {warning}");
    }
    let crate_name = match name {
        Some(name) => {
            let valid = !name.is_empty()
                && name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
                && !name.starts_with(|c: char| c.is_ascii_digit());
            if !valid {
                bail!(
                    "--name {name:?} is not a valid crate name (letters, digits, - and _; not starting with a digit)"
                );
            }
            name
        }
        None => crate::project::api_slug(&api.title),
    };
    let settings = Settings {
        crate_name: crate_name.clone(),
        runtime,
        command: command.to_owned(),
        source: spec
            .file_name()
            .map(|name| name.to_string_lossy().into_owned())
            .unwrap_or_default(),
        publish,
        examples: None,
    };
    let started = Instant::now();
    let generated = sdkgen_codegen::generate(&api, &settings)?;
    for warning in &generated.warnings {
        eprintln!("warning: {warning}");
    }
    sdkgen_codegen::sync(&generated, out, Mode::Write)?;
    let lines: usize = generated
        .files
        .values()
        .map(|file| file.lines().count())
        .sum();
    let features = match generated.tag_features.len() {
        0 => String::new(),
        count => format!(", a cargo feature for each of {count} tags"),
    };
    eprintln!(
        "generated {crate_name} in {} ({} operations{features}, {lines} lines, {:.0?})",
        out.display(),
        api.operations.len(),
        started.elapsed()
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_runtime_comes_from_the_flag_or_from_this_checkout() {
        assert_eq!(
            runtime_dependency(None, Some("1.2.3".into()), None).ok(),
            Some(RuntimeDependency::Version("1.2.3".into()))
        );
        assert_eq!(
            runtime_dependency(None, None, Some("https://example.invalid/r.git".into())).ok(),
            Some(RuntimeDependency::Git(
                "https://example.invalid/r.git".into()
            ))
        );
        assert!(runtime_dependency(Some("a".into()), Some("1".into()), None).is_err());
        // Built inside this repository, the default is the runtime beside it, by absolute path.
        match runtime_dependency(None, None, None) {
            Ok(RuntimeDependency::PathAndVersion { path, version }) => {
                assert_eq!(version, env!("CARGO_PKG_VERSION"));
                assert!(Path::new(&path).is_absolute(), "{path}");
                assert!(path.ends_with("runtime"), "{path}");
            }
            other => panic!("expected the checkout's runtime, got {other:?}"),
        }
    }

    #[test]
    fn a_bad_crate_name_is_refused_before_anything_is_written() {
        let out = tempfile::tempdir().expect("a temporary directory");
        let spec = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../specs/v1/1.0.0.yaml");
        let error = generate(
            &spec,
            out.path(),
            Some("1bad name".into()),
            RuntimeDependency::Version("0.1.0".into()),
            None,
            "test",
        )
        .expect_err("a bad name");
        assert!(
            error.to_string().contains("not a valid crate name"),
            "{error}"
        );
        assert_eq!(
            std::fs::read_dir(out.path()).map(Iterator::count).ok(),
            Some(0)
        );
    }
}

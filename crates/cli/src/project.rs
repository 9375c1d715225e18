//! A repository of versioned specs: `specs/v<N>/MAJOR.MINOR.PATCH.yaml`, one folder per major,
//! one immutable file per release.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

/// A released version: a file `MAJOR.MINOR.PATCH.yaml` (or `.json`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Release {
    /// (major, minor, patch).
    pub version: (u64, u64, u64),
    /// The file.
    pub path: PathBuf,
}

/// The releases of one major folder (`specs/v1`), oldest first.
pub fn releases(folder: &Path) -> Result<Vec<Release>> {
    let mut releases = Vec::new();
    for entry in
        std::fs::read_dir(folder).with_context(|| format!("cannot list {}", folder.display()))?
    {
        let path = entry?.path();
        let is_spec = matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("yaml" | "yml" | "json")
        );
        let Some(stem) = path.file_stem().and_then(|stem| stem.to_str()) else {
            continue;
        };
        if !is_spec {
            continue;
        }
        let numbers: Vec<u64> = stem
            .split('.')
            .filter_map(|part| part.parse().ok())
            .collect();
        match numbers.as_slice() {
            [major, minor, patch] if stem.split('.').count() == 3 => releases.push(Release {
                version: (*major, *minor, *patch),
                path,
            }),
            _ => bail!(
                "{}: a released spec must be named MAJOR.MINOR.PATCH.yaml",
                path.display()
            ),
        }
    }
    releases.sort();
    Ok(releases)
}

/// The major folders of specs/ (`v1`, `v2`, ...), in numeric order.
pub fn majors(specs: &Path) -> Result<Vec<(u64, PathBuf)>> {
    let mut majors = Vec::new();
    for entry in
        std::fs::read_dir(specs).with_context(|| format!("cannot list {}", specs.display()))?
    {
        let path = entry?.path();
        let Some(name) = path.file_name().and_then(|name| name.to_str()) else {
            continue;
        };
        if let Some(major) = name
            .strip_prefix('v')
            .and_then(|number| number.parse().ok())
            && path.is_dir()
        {
            majors.push((major, path));
        }
    }
    majors.sort();
    Ok(majors)
}

/// `taskboard` from "Taskboard API".
pub fn api_slug(title: &str) -> String {
    let words: Vec<String> = title
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|word| !word.is_empty())
        .map(str::to_ascii_lowercase)
        .collect();
    let words: Vec<&str> = words
        .iter()
        .map(String::as_str)
        .filter(|word| *word != "api")
        .collect();
    match words.join("-") {
        slug if slug.is_empty() => "api".to_owned(),
        // A crate name cannot start with a digit ("1Password API").
        slug if slug.starts_with(|c: char| c.is_ascii_digit()) => format!("api-{slug}"),
        slug => slug,
    }
}

impl Release {
    /// `MAJOR.MINOR.PATCH`.
    pub fn version_text(&self) -> String {
        let (major, minor, patch) = self.version;
        format!("{major}.{minor}.{patch}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn releases_are_ordered_by_version_not_by_name() {
        let directory =
            std::env::temp_dir().join(format!("sdkgen-releases-{}", std::process::id()));
        std::fs::create_dir_all(&directory).unwrap();
        for name in ["1.10.0.yaml", "1.9.0.yaml", "1.2.0.yaml"] {
            std::fs::write(directory.join(name), "").unwrap();
        }
        let versions: Vec<_> = releases(&directory)
            .unwrap()
            .into_iter()
            .map(|release| release.version)
            .collect();
        assert_eq!(versions, [(1, 2, 0), (1, 9, 0), (1, 10, 0)]);
        std::fs::write(directory.join("draft.yaml"), "").unwrap();
        let error = releases(&directory).unwrap_err();
        assert!(error.to_string().contains("MAJOR.MINOR.PATCH"), "{error}");
        std::fs::remove_dir_all(&directory).unwrap();
    }

    #[test]
    fn slugs_drop_the_word_api() {
        assert_eq!(api_slug("Taskboard API"), "taskboard");
        assert_eq!(api_slug("GitHub v3 REST API"), "github-v3-rest");
        assert_eq!(api_slug("!!!"), "api");
        assert_eq!(api_slug("1Password API"), "api-1password");
    }
}

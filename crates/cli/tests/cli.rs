//! The `sdkgen` commands as users run them: exit codes and messages.

use std::process::Command;

fn sdkgen(arguments: &[&str]) -> (i32, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_sdkgen"))
        .args(arguments)
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
        .output()
        .expect("sdkgen runs");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn diff_exits_1_only_when_a_finding_reaches_fail_on() {
    let (code, stdout, _) = sdkgen(&[
        "diff",
        "specs/v1/1.1.0.yaml",
        "specs/v2/2.0.0.yaml",
        "--format",
        "json",
        "--fail-on",
        "breaking",
    ]);
    assert_eq!(code, 1);
    let report: serde_json::Value = serde_json::from_str(&stdout).expect("JSON");
    assert!(report["summary"]["breaking"].as_u64().unwrap_or(0) > 0);
    let (code, _, _) = sdkgen(&[
        "diff",
        "specs/v1/1.0.0.yaml",
        "specs/v1/1.1.0.yaml",
        "--fail-on",
        "breaking",
    ]);
    assert_eq!(code, 0, "a minor version has no breaking change");
    let (code, _, _) = sdkgen(&[
        "diff",
        "specs/v1/1.0.0.yaml",
        "specs/v1/1.1.0.yaml",
        "--fail-on",
        "warning",
    ]);
    assert_eq!(code, 1, "1.1.0 adds an enum value to responses: a warning");
    let (code, _, _) = sdkgen(&["diff", "specs/v1/1.0.0.yaml", "specs/v2/2.0.0.yaml"]);
    assert_eq!(code, 0, "without --fail-on, findings do not fail");
}

#[test]
fn bad_input_exits_2_with_a_message_naming_the_file() {
    let (code, _, stderr) = sdkgen(&["diff", "specs/v1/1.0.0.yaml", "specs/v1/missing.yaml"]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("specs/v1/missing.yaml: cannot read the file"),
        "{stderr}"
    );
    let (code, _, stderr) = sdkgen(&[
        "diff",
        "specs/v1/1.0.0.yaml",
        "specs/v1/1.1.0.yaml",
        "--format",
        "pdf",
    ]);
    assert_eq!(code, 2);
    assert!(stderr.contains("unknown format \"pdf\""), "{stderr}");
    let (code, _, stderr) = sdkgen(&["costs", "README.md"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("README.md"), "{stderr}");
    let (code, _, _) = sdkgen(&["costs", "--no-such-flag"]);
    assert_eq!(code, 2, "clap's own exit code for bad flags");
}

#[test]
fn costs_lists_every_operation_as_json() {
    let (code, stdout, _) = sdkgen(&["costs", "specs/v1/1.1.0.yaml", "--format", "json"]);
    assert_eq!(code, 0);
    let rows: Vec<serde_json::Value> = serde_json::from_str(&stdout).expect("JSON");
    assert_eq!(rows.len(), 25);
    let batch = rows
        .iter()
        .find(|row| row["operation_id"] == "batchCreateTasks")
        .expect("batch");
    assert_eq!(
        (batch["points"].as_u64(), batch["max_points"].as_u64()),
        (Some(2), Some(10))
    );
    assert_eq!(batch["formula"], "min(10, 2 + 1 * body.tasks)");
    assert!(rows.iter().all(|row| row["source"] == "declared"));
    // Which operations page, and how: those get `into_stream()`.
    let paginated: Vec<(&str, &str)> = rows
        .iter()
        .filter_map(|row| {
            Some((
                row["operation_id"].as_str()?,
                row["pagination"]["style"]["style"].as_str()?,
            ))
        })
        .collect();
    assert_eq!(
        paginated,
        [
            ("listProjects", "cursor"),
            ("listTasks", "cursor"),
            ("listComments", "cursor")
        ]
    );
}

#[test]
fn costs_says_which_operations_page() {
    let (code, stdout, _) = sdkgen(&["costs", "specs/v2/2.1.0.yaml"]);
    assert_eq!(code, 0);
    let header = stdout.lines().next().unwrap_or_default();
    assert!(header.ends_with("SOURCE    PAGES"), "{header}");
    let list_tasks = stdout
        .lines()
        .find(|line| line.contains(" listTasks "))
        .unwrap_or_default();
    assert!(list_tasks.ends_with("cursor (declared)"), "{list_tasks}");
    let get_task = stdout
        .lines()
        .find(|line| line.contains(" getTask "))
        .unwrap_or_default();
    assert!(get_task.ends_with("declared"), "{get_task}");
}

#[test]
fn check_versions_passes_on_the_repository() {
    let (code, stdout, stderr) = sdkgen(&["check-versions"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(stdout.contains("1.0.0 -> 1.1.0: 0 breaking"), "{stdout}");
}

#[test]
fn check_versions_takes_no_option_for_a_base() {
    let target = std::env::temp_dir().join(format!("sdkgen-base-{}", std::process::id()));
    let flag = format!("--base=--output={}", target.display());
    let (code, stdout, stderr) = sdkgen(&["check-versions", &flag]);
    assert_eq!(code, 2, "{stdout}{stderr}");
    assert!(stderr.contains("is not a git revision"), "{stderr}");
    assert!(stdout.is_empty(), "refused before any work: {stdout}");
    assert!(!target.exists(), "git wrote {}", target.display());
}

/// A released spec changed in a later commit is found, with its path relative to `--root`,
/// also when the root is a folder inside the repository.
#[test]
fn check_versions_finds_a_modified_release_under_a_root_inside_the_repository() {
    let git = |directory: &std::path::Path, arguments: &[&str]| {
        Command::new("git")
            .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
            .args(arguments)
            .current_dir(directory)
            .output()
            .map(|output| output.status.success())
    };
    let repository = tempfile::tempdir().expect("temp dir");
    if !matches!(git(repository.path(), &["init", "-q"]), Ok(true)) {
        eprintln!("skipped: git is not available");
        return;
    }
    let root = repository.path().join("api");
    let specs = root.join("specs/v1");
    std::fs::create_dir_all(&specs).expect("folders");
    let spec = |description: &str| {
        format!(
            "openapi: 3.0.3\ninfo: {{title: T, version: 1.0.0, description: {description}}}\npaths: {{}}\n"
        )
    };
    std::fs::write(specs.join("1.0.0.yaml"), spec("first")).expect("write");
    assert_eq!(git(repository.path(), &["add", "."]).ok(), Some(true));
    assert_eq!(
        git(repository.path(), &["commit", "-qm", "1.0.0"]).ok(),
        Some(true)
    );
    std::fs::write(specs.join("1.0.0.yaml"), spec("edited")).expect("write");
    assert_eq!(
        git(repository.path(), &["commit", "-qam", "edit"]).ok(),
        Some(true)
    );
    let root_arg = root.display().to_string();
    let (code, stdout, stderr) = sdkgen(&["check-versions", "--root", &root_arg]);
    assert_eq!(code, 1, "{stdout}{stderr}");
    assert!(
        stdout.contains("specs/v1/1.0.0.yaml: a released spec was modified")
            && !stdout.contains("api/specs"),
        "{stdout}"
    );
    let (code, stdout, stderr) =
        sdkgen(&["check-versions", "--root", &root_arg, "--base", "HEAD~1"]);
    assert_eq!(code, 1, "{stdout}{stderr}");
    assert!(
        stdout.contains("specs/v1/1.0.0.yaml: a released spec was modified"),
        "{stdout}"
    );
}

#[test]
fn a_closed_stdout_ends_costs_quietly() {
    // Enough operations that the listing overflows the pipe's buffer after the reader left.
    let mut spec = String::from("openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths:\n");
    for index in 0..3000 {
        spec.push_str(&format!(
            "  /items{index}:\n    get: {{operationId: list_items_{index}, responses: {{'204': {{description: ok}}}}}}\n"
        ));
    }
    let path = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("many-operations.yaml");
    std::fs::write(&path, spec).expect("write the spec");
    let mut child = Command::new(env!("CARGO_BIN_EXE_sdkgen"))
        .args(["costs", "--format", "json"])
        .arg(&path)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("sdkgen runs");
    drop(child.stdout.take());
    let output = child.wait_with_output().expect("sdkgen ends");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(stderr.is_empty(), "{stderr}");
}

#[test]
fn generate_writes_a_crate_outside_the_repository() {
    let out = tempfile::tempdir().expect("a temporary directory");
    let crate_dir = out.path().join("petstore");
    let (code, _, stderr) = sdkgen(&[
        "generate",
        "--spec",
        "crates/codegen/tests/fixtures/operations.yaml",
        "--out",
        &crate_dir.display().to_string(),
        "--name",
        "petstore",
    ]);
    assert_eq!(code, 0, "{stderr}");
    let manifest = std::fs::read_to_string(crate_dir.join("Cargo.toml")).expect("a manifest");
    assert!(manifest.contains("name = \"petstore\""), "{manifest}");
    assert!(
        manifest.contains("sdkgen-runtime = { version = \"0.1.0\", path = \"/"),
        "{manifest}"
    );
    assert!(manifest.contains("publish = false"), "{manifest}");
    assert!(crate_dir.join("src/lib.rs").is_file());
    // One tag or none: no tag features, and the summary says nothing of them.
    assert!(!stderr.contains("cargo feature"), "{stderr}");
    let tagged = out.path().join("tags");
    let (code, _, stderr) = sdkgen(&[
        "generate",
        "--spec",
        "crates/codegen/tests/fixtures/tags.yaml",
        "--out",
        &tagged.display().to_string(),
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("(7 operations, a cargo feature for each of 3 tags, "),
        "{stderr}"
    );
}

#[test]
fn the_gate_takes_a_date_and_an_ignore_file() {
    let (code, _, stderr) = sdkgen(&[
        "diff",
        "specs/v1/1.0.0.yaml",
        "specs/v1/1.1.0.yaml",
        "--today",
        "2026-13-45",
    ]);
    assert_eq!(code, 2);
    assert!(stderr.contains("\"2026-13-45\" is not a date"), "{stderr}");
    let ignore = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("sdkgen-ignore.txt");
    std::fs::write(
        &ignore,
        "GET /projects/{project_id}/tasks response-property-enum-value-added a new status, accepted\n\
         GET /nowhere response-property-enum-value-added stale\n",
    )
    .expect("write the ignore file");
    let ignore = ignore.display().to_string();
    let (code, stdout, stderr) = sdkgen(&[
        "diff",
        "specs/v1/1.0.0.yaml",
        "specs/v1/1.1.0.yaml",
        "--format",
        "json",
        "--ignore",
        &ignore,
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains(
            "ignored response-property-enum-value-added GET /projects/{project_id}/tasks"
        ),
        "{stderr}"
    );
    assert!(stderr.contains("stale ignore entry (line 2)"), "{stderr}");
    let report: serde_json::Value = serde_json::from_str(&stdout).expect("JSON");
    let still_there = report["changes"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|change| change["operation"] == "GET /projects/{project_id}/tasks")
        .filter(|change| change["id"] == "response-property-enum-value-added")
        .count();
    assert_eq!(still_there, 0);
}

//! Each kind of bad input gives an error that names the file and the place, never a panic or a
//! hang.

use std::path::{Path, PathBuf};

use sdkgen_loader::{LoadError, LoadOptions, load_file, load_file_with, load_str};

fn write(directory: &Path, name: &str, contents: impl AsRef<[u8]>) -> PathBuf {
    let path = directory.join(name);
    std::fs::write(&path, contents).expect("write the fixture");
    path
}

fn error_of(path: &Path) -> LoadError {
    load_file(path).expect_err("the document should be rejected")
}

const MINIMAL: &str = "openapi: 3.1.0\ninfo: {title: t, version: '1'}\n";

#[test]
fn malformed_yaml_names_file_line_and_column() {
    let directory = tempfile::tempdir().unwrap();
    let path = write(
        directory.path(),
        "bad.yaml",
        "openapi: 3.1.0\ninfo: [1, 2\npaths: {}\n",
    );
    let error = error_of(&path);
    assert!(error.message.starts_with("invalid YAML"), "{error}");
    assert!(error.line_column.is_some(), "{error}");
    assert!(
        error
            .to_string()
            .starts_with(&format!("{}:", path.display())),
        "{error}"
    );
}

#[test]
fn malformed_json_names_file_line_and_column() {
    let directory = tempfile::tempdir().unwrap();
    let path = write(
        directory.path(),
        "bad.json",
        "{\n  \"openapi\": \"3.0.0\",\n  \"info\": }\n",
    );
    let error = error_of(&path);
    assert_eq!(error.line_column, Some((3, 11)), "{error}");
    assert!(
        error.to_string().contains("bad.json:3:11: invalid JSON"),
        "{error}"
    );
}

#[test]
fn a_document_that_is_not_openapi_is_named_as_such() {
    let error = load_str("name: my-config\nreplicas: 3\n", "config.yaml").unwrap_err();
    assert_eq!(
        error.to_string(),
        "config.yaml at /: not an OpenAPI document: there is no `openapi` field"
    );
    let error = load_str("[1, 2]", "list.json").unwrap_err();
    assert!(
        error.message.contains("must be an object, not an array"),
        "{error}"
    );
}

#[test]
fn swagger_2_is_rejected_with_a_way_forward() {
    let error = load_str(
        "swagger: '2.0'\ninfo: {title: t, version: '1'}\npaths: {}\n",
        "old.yaml",
    )
    .unwrap_err();
    assert_eq!(error.pointer.as_deref(), Some("/swagger"));
    assert!(error.message.contains("Swagger 2.0 document"), "{error}");
    assert!(error.message.contains("swagger2openapi"), "{error}");
}

#[test]
fn unsupported_openapi_versions_are_rejected() {
    let error = load_str(
        "openapi: 4.0.0\ninfo: {title: t, version: '1'}\n",
        "next.yaml",
    )
    .unwrap_err();
    assert!(
        error.message.contains("OpenAPI 4.0.0 is not supported"),
        "{error}"
    );
}

#[test]
fn a_dangling_reference_names_where_it_stands() {
    let text = format!(
        "{MINIMAL}paths:\n  /a:\n    get:\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema: {{$ref: '#/components/schemas/Missing'}}\n"
    );
    let error = load_str(&text, "dangling.yaml").unwrap_err();
    assert_eq!(
        error.pointer.as_deref(),
        Some("/paths/~1a/get/responses/200/content/application~1json/schema")
    );
    assert!(error.message.contains("dangling reference"), "{error}");
    assert!(
        error.message.contains("#/components/schemas/Missing"),
        "{error}"
    );
}

#[test]
fn a_dangling_parameter_reference_is_reported() {
    let text = format!(
        "{MINIMAL}paths:\n  /a:\n    get:\n      parameters: [{{$ref: '#/components/parameters/Nope'}}]\n      responses: {{'204': {{description: ok}}}}\n"
    );
    let error = load_str(&text, "p.yaml").unwrap_err();
    assert_eq!(
        error.pointer.as_deref(),
        Some("/paths/~1a/get/parameters/0")
    );
}

#[test]
fn a_reference_cycle_between_non_schemas_is_reported_not_followed_forever() {
    let text = format!(
        "{MINIMAL}paths:\n  /a:\n    get:\n      parameters: [{{$ref: '#/components/parameters/A'}}]\n      responses: {{'204': {{description: ok}}}}\ncomponents:\n  parameters:\n    A: {{$ref: '#/components/parameters/B'}}\n    B: {{$ref: '#/components/parameters/A'}}\n"
    );
    let error = load_str(&text, "cycle.yaml").unwrap_err();
    assert!(error.message.contains("form a cycle"), "{error}");
}

#[test]
fn a_yaml_alias_bomb_is_stopped_quickly() {
    let mut bomb = String::from(
        "openapi: 3.1.0\na: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
    );
    let mut previous = 'a';
    for name in 'b'..='k' {
        let aliases = vec![format!("*{previous}"); 9].join(",");
        bomb.push_str(&format!("{name}: &{name} [{aliases}]\n"));
        previous = name;
    }
    // About 50 ms in a debug build (2 µs per replayed event; the budget is 25,000 events).
    let error = load_str(&bomb, "bomb.yaml").unwrap_err();
    assert!(
        error
            .message
            .starts_with("invalid YAML: alias replay limit exceeded"),
        "{error}"
    );
}

#[test]
fn a_document_over_the_size_limit_is_refused_before_reading() {
    let directory = tempfile::tempdir().unwrap();
    let path = directory.path().join("huge.json");
    let file = std::fs::File::create(&path).unwrap();
    file.set_len(50 * 1024 * 1024).unwrap();
    let error = error_of(&path);
    assert!(
        error
            .message
            .contains("is 50.0 MiB, over the limit of 32.0 MiB"),
        "{error}"
    );
    // The limit can be raised; the content (zero bytes) is then what is wrong.
    let raised = LoadOptions {
        max_bytes: 64 * 1024 * 1024,
        ..LoadOptions::default()
    };
    let error = load_file_with(&path, &raised).unwrap_err();
    assert!(error.message.starts_with("invalid JSON"), "{error}");
}

#[test]
fn duplicate_operation_ids_name_both_operations() {
    let text = format!(
        "{MINIMAL}paths:\n  /a:\n    get: {{operationId: same, responses: {{'204': {{description: ok}}}}}}\n  /b:\n    get: {{operationId: same, responses: {{'204': {{description: ok}}}}}}\n"
    );
    let error = load_str(&text, "dup.yaml").unwrap_err();
    assert_eq!(error.pointer.as_deref(), Some("/paths/~1b/get/operationId"));
    assert!(
        error
            .message
            .contains("duplicate operationId \"same\": also used by GET /a"),
        "{error}"
    );
}

#[test]
fn unreadable_files_are_named() {
    let directory = tempfile::tempdir().unwrap();
    let missing = directory.path().join("missing.yaml");
    let error = error_of(&missing);
    assert!(error.message.starts_with("cannot read the file"), "{error}");
    assert!(error.file.ends_with("missing.yaml"));
    let error = error_of(directory.path());
    assert!(error.message.contains("is a directory"), "{error}");
    let binary = write(
        directory.path(),
        "binary.yaml",
        [b'a', b':', b' ', 0xff, 0xfe],
    );
    let error = error_of(&binary);
    assert!(
        error
            .message
            .contains("not UTF-8 text (invalid byte at offset 3)"),
        "{error}"
    );
}

#[test]
fn remote_references_are_refused_with_advice() {
    let text = format!(
        "{MINIMAL}components:\n  schemas:\n    A: {{$ref: 'https://example.com/a.yaml#/A'}}\n"
    );
    let error = load_str(&text, "remote.yaml").unwrap_err();
    assert_eq!(error.pointer.as_deref(), Some("/components/schemas/A"));
    assert!(error.message.contains("remote document"), "{error}");
}

#[test]
fn an_unknown_schema_type_is_named() {
    let text = format!("{MINIMAL}components:\n  schemas:\n    A: {{type: strng}}\n");
    let error = load_str(&text, "t.yaml").unwrap_err();
    assert_eq!(error.pointer.as_deref(), Some("/components/schemas/A/type"));
    assert!(error.message.contains("not \"strng\""), "{error}");
}

#[test]
fn a_swagger_body_parameter_gets_a_hint() {
    let text = format!(
        "{MINIMAL}paths:\n  /a:\n    post:\n      parameters: [{{name: b, in: body}}]\n      responses: {{'204': {{description: ok}}}}\n"
    );
    let error = load_str(&text, "s.yaml").unwrap_err();
    assert!(error.message.contains("use a requestBody"), "{error}");
}

#[test]
fn a_bad_response_status_is_named() {
    let text = format!(
        "{MINIMAL}paths:\n  /a:\n    get:\n      responses: {{'2O0': {{description: ok}}}}\n"
    );
    let error = load_str(&text, "s.yaml").unwrap_err();
    assert_eq!(
        error.pointer.as_deref(),
        Some("/paths/~1a/get/responses/2O0")
    );
}

fn with_points(points: &str) -> String {
    format!(
        "{MINIMAL}paths:\n  /a:\n    get:\n      x-points: {points}\n      parameters: [{{name: limit, in: query, schema: {{type: integer, default: 20}}}}, {{name: q, in: query, schema: {{type: string}}}}]\n      responses: {{'204': {{description: ok}}}}\n"
    )
}

#[test]
fn declared_costs_out_of_range_or_malformed_are_errors() {
    let cases = [
        ("0", "`x-points` must be a whole number from 1 to 10, not 0"),
        (
            "11",
            "`x-points` must be a whole number from 1 to 10, not 11",
        ),
        ("2.5", "not 2.5"),
        (
            "'3'",
            "x-points must be a whole number from 1 to 10 or a formula object, not \"3\"",
        ),
        ("{base: 1, per: 1}", "x-points needs a `count` field"),
        (
            "{base: 1, per: 1, count: query.limit, max: 12}",
            "`max` must be a whole number from 1 to 10",
        ),
        (
            "{base: 5, per: 1, count: query.limit, max: 3}",
            "`max` (3) is below `base` (5)",
        ),
        (
            "{base: 1, per: 1, count: query.page}",
            "which GET /a does not have",
        ),
        (
            "{base: 1, per: 1, count: query.q}",
            "which is string rather than an integer or an array",
        ),
        (
            "{base: 1, per: 1, count: body.items}",
            "GET /a has no JSON request body",
        ),
        (
            "{base: 1, per: 1, count: header.x}",
            "`count` must be `query.NAME`",
        ),
        (
            "{base: 1, per: 1, count: query.limit, unit: 0}",
            "`unit` must be a whole number from 1",
        ),
        (
            "{base: 1, per: 1, count: query.limit, each: 2}",
            "unknown field `each`",
        ),
    ];
    for (points, expected) in cases {
        let error = load_str(&with_points(points), "costs.yaml").unwrap_err();
        assert_eq!(
            error.pointer.as_deref(),
            Some("/paths/~1a/get/x-points"),
            "{points}"
        );
        assert!(error.message.contains(expected), "{points}: {error}");
    }
}

/// A document in a folder of its own, with `refers` as a schema `$ref` of component `A`.
fn referring_document(directory: &Path, refers: &str) -> PathBuf {
    let folder = directory.join("api");
    std::fs::create_dir_all(&folder).expect("create the folder");
    write(
        &folder,
        "openapi.yaml",
        format!("{MINIMAL}components:\n  schemas:\n    A: {{$ref: '{refers}'}}\n"),
    )
}

#[test]
fn references_outside_the_documents_folder_are_refused() {
    let directory = tempfile::tempdir().unwrap();
    write(directory.path(), "secret.yaml", "type: string\n");
    for refers in ["../secret.yaml", "/etc/passwd", "/proc/self/status"] {
        let path = referring_document(directory.path(), refers);
        let error = error_of(&path);
        assert_eq!(
            error.pointer.as_deref(),
            Some("/components/schemas/A"),
            "{error}"
        );
        assert!(
            error.message.contains("points outside")
                && error.message.contains("LoadOptions::root_directory"),
            "{refers}: {error}"
        );
    }
}

#[cfg(unix)]
#[test]
fn a_symbolic_link_out_of_the_folder_is_refused() {
    let directory = tempfile::tempdir().unwrap();
    let secret = write(directory.path(), "secret.yaml", "type: string\n");
    let path = referring_document(directory.path(), "link.yaml");
    std::os::unix::fs::symlink(&secret, directory.path().join("api/link.yaml")).unwrap();
    let error = error_of(&path);
    assert!(error.message.contains("points outside"), "{error}");
}

#[test]
fn a_wider_root_directory_allows_shared_files_beside_the_folder() {
    let directory = tempfile::tempdir().unwrap();
    write(directory.path(), "shared.yaml", "type: string\n");
    let path = referring_document(directory.path(), "../shared.yaml");
    let options = LoadOptions {
        root_directory: Some(directory.path().to_path_buf()),
        ..LoadOptions::default()
    };
    let api = load_file_with(&path, &options).expect("the shared file is inside the root");
    assert!(
        api.schemas.contains_key("shared"),
        "{:?}",
        api.schemas.keys()
    );
}

#[cfg(unix)]
#[test]
fn devices_and_fifos_are_not_read() {
    let directory = tempfile::tempdir().unwrap();
    let everywhere = LoadOptions {
        root_directory: Some(PathBuf::from("/")),
        ..LoadOptions::default()
    };
    let path = referring_document(directory.path(), "/dev/zero");
    let error = load_file_with(&path, &everywhere).unwrap_err();
    assert!(error.message.contains("is not a regular file"), "{error}");
    let fifo = directory.path().join("api/fifo.yaml");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    if !made.is_ok_and(|status| status.success()) {
        eprintln!("skipped the FIFO case: mkfifo is not available");
        return;
    }
    let path = referring_document(directory.path(), "fifo.yaml");
    let error = error_of(&path);
    assert!(error.message.contains("is not a regular file"), "{error}");
}

#[cfg(target_os = "linux")]
#[test]
fn reads_stop_at_the_limit_whatever_size_the_file_system_reports() {
    // Files under /proc report a length of 0 and have content.
    let directory = tempfile::tempdir().unwrap();
    let path = referring_document(directory.path(), "/proc/self/status");
    let options = LoadOptions {
        max_bytes: 512,
        root_directory: Some(PathBuf::from("/")),
        ..LoadOptions::default()
    };
    let error = load_file_with(&path, &options).unwrap_err();
    assert!(
        error.message.contains("grew past the limit of 512 bytes"),
        "{error}"
    );
}

#[test]
fn an_error_inside_a_referenced_file_names_the_referring_place() {
    let directory = tempfile::tempdir().unwrap();
    let path = referring_document(directory.path(), "pet.yaml");
    write(
        &directory.path().join("api"),
        "pet.yaml",
        "type: object\nproperties:\n  name: {type: strng}\n",
    );
    let error = error_of(&path);
    assert!(error.file.ends_with("pet.yaml"), "{error}");
    assert_eq!(error.pointer.as_deref(), Some("/properties/name/type"));
    assert!(
        error.message.ends_with(&format!(
            "(in a file referenced from {} at /components/schemas/A)",
            path.display()
        )),
        "{error}"
    );
}

#[test]
fn deep_nesting_that_the_parser_accepts_loads_on_a_small_stack() {
    // Test threads have 2 MiB of stack; lowering 200 nested arrays in a debug build needs
    // several times that, which the loader's own thread has.
    let mut schema = String::from("{type: integer}");
    for _ in 0..200 {
        schema = format!("{{type: array, items: {schema}}}");
    }
    let text = format!("{MINIMAL}components:\n  schemas:\n    Deep: {schema}\n");
    let api = load_str(&text, "deep.yaml").expect("loads");
    assert!(api.schemas.contains_key("Deep"));
}

#[test]
fn a_malformed_referenced_file_is_named_with_its_line_and_the_referring_place() {
    let directory = tempfile::tempdir().unwrap();
    let path = referring_document(directory.path(), "pet.yaml");
    write(
        &directory.path().join("api"),
        "pet.yaml",
        "type: object\nproperties: [1, 2\n",
    );
    let error = error_of(&path);
    assert!(error.file.ends_with("openapi.yaml"), "{error}");
    assert_eq!(error.pointer.as_deref(), Some("/components/schemas/A"));
    assert!(
        error
            .message
            .starts_with("reference \"pet.yaml\" cannot be followed: ")
            && error
                .message
                .contains("pet.yaml:2:13: invalid YAML: unclosed bracket"),
        "{error}"
    );
}

/// Text has no folder: its references to files are refused (they resolved against the
/// process's current directory), unless it is given one, inside which they stay.
#[test]
fn text_reads_files_only_from_the_folder_it_is_given() {
    let text = format!("{MINIMAL}components:\n  schemas:\n    A: {{$ref: 'Cargo.toml'}}\n");
    let error = load_str(&text, "text.yaml").unwrap_err();
    assert_eq!(
        error.pointer.as_deref(),
        Some("/components/schemas/A"),
        "{error}"
    );
    assert!(error.message.contains("has no folder"), "{error}");

    let directory = tempfile::tempdir().unwrap();
    let folder = directory.path().join("api");
    std::fs::create_dir_all(&folder).unwrap();
    write(&folder, "shared.yaml", "type: string\n");
    write(directory.path(), "secret.yaml", "type: string\n");
    let inside = format!("{MINIMAL}components:\n  schemas:\n    A: {{$ref: 'shared.yaml'}}\n");
    let api = sdkgen_loader::load_str_in(&inside, "text.yaml", &folder, &LoadOptions::default())
        .expect("a file of the folder is read");
    assert!(
        api.schemas.contains_key("shared"),
        "{:?}",
        api.schemas.keys()
    );
    let outside = format!("{MINIMAL}components:\n  schemas:\n    A: {{$ref: '../secret.yaml'}}\n");
    let error = sdkgen_loader::load_str_in(&outside, "text.yaml", &folder, &LoadOptions::default())
        .unwrap_err();
    assert!(error.message.contains("points outside"), "{error}");
}

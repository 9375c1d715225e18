//! The repository's chores as CI runs them: exit codes and messages.

use std::process::Command;

fn xtask(arguments: &[&str]) -> (i32, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(arguments)
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
        .output()
        .expect("the xtask runs");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
#[cfg(debug_assertions)]
fn peer_bench_refuses_to_time_a_debug_build() {
    let (code, _, stderr) = xtask(&["peer-bench", "--rounds", "1"]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("cargo run --release -p xtask -- peer-bench"),
        "{stderr}"
    );
}

#[test]
fn the_product_commands_are_there_too() {
    let (code, stdout, stderr) = xtask(&["costs", "specs/v1/1.0.0.yaml", "--format", "json"]);
    assert_eq!(code, 0, "{stderr}");
    let rows: Vec<serde_json::Value> = serde_json::from_str(&stdout).expect("JSON");
    assert!(!rows.is_empty());
}

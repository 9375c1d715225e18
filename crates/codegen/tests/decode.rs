//! Generated types decode realistic JSON. The types generated from a fixture are checked in
//! under `tests/decode/` (so that this test compiles them), and
//! `checked_in_types_are_fresh` fails when the generator would now make something else.

// The generated crate's `serialize`/`deserialize` features are not this crate's: here the
// types have only the derives their use needs, as with default features.
#![allow(unexpected_cfgs)]

use std::path::{Path, PathBuf};

use sdkgen_codegen::{RuntimeDependency, Settings, generate};

#[allow(dead_code, clippy::all, missing_docs)]
mod types {
    include!("decode/discriminators.rs");
}

use types::{ChatCompletionRequestUserMessage, ChatMessage, InputItem, StreamEvent};

fn tests_folder() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests")
}

/// The fixture's `src/types.rs` as `include!` takes it: without inner doc comments.
fn generated_types(fixture: &str) -> String {
    let api = sdkgen_loader::load_file(tests_folder().join("fixtures").join(fixture))
        .expect("the fixture loads");
    let settings = Settings {
        crate_name: "decode".to_owned(),
        runtime: RuntimeDependency::Version("0.1".to_owned()),
        command: "UPDATE_DECODE_TYPES=1 cargo test -p sdkgen-codegen --test decode".to_owned(),
        source: fixture.to_owned(),
        publish: None,
        examples: None,
    };
    let generated = generate(&api, &settings).expect("generates");
    generated.files["src/types.rs"]
        .lines()
        .filter(|line| !line.starts_with("//!"))
        .map(|line| format!("{line}\n"))
        .collect()
}

#[test]
fn checked_in_types_are_fresh() {
    let path = tests_folder().join("decode/discriminators.rs");
    let fresh = generated_types("discriminators.yaml");
    if std::env::var_os("UPDATE_DECODE_TYPES").is_some() {
        std::fs::write(&path, &fresh).expect("write the types");
        return;
    }
    let checked_in = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        checked_in == fresh,
        "{} is stale: run `UPDATE_DECODE_TYPES=1 cargo test -p sdkgen-codegen --test decode`",
        path.display()
    );
}

fn message(json: &str) -> ChatMessage {
    serde_json::from_str(json).expect("decodes")
}

#[test]
fn a_discriminator_without_mapping_selects_the_variant_that_pins_the_tag() {
    // As a chat API sends them: the tag is the role, never the schema's name.
    let ChatMessage::ChatCompletionRequestSystemMessage(system) =
        message(r#"{"role": "system", "content": "You are terse."}"#)
    else {
        panic!("a system message");
    };
    assert_eq!(system.content, "You are terse.");
    let ChatMessage::ChatCompletionRequestUserMessage(user) =
        message(r#"{"role": "user", "content": "Hi", "name": "ada"}"#)
    else {
        panic!("a user message (const)");
    };
    assert_eq!(user.name.as_deref(), Some("ada"));
    let ChatMessage::ChatCompletionRequestAssistantMessage(assistant) =
        message(r#"{"role": "assistant", "content": null, "refusal": "No."}"#)
    else {
        panic!("an assistant message (tag through a reference)");
    };
    assert_eq!(assistant.refusal.as_deref(), Some("No."));
    let ChatMessage::ChatCompletionRequestToolMessage(tool) =
        message(r#"{"role": "tool", "content": "42", "tool_call_id": "call_1"}"#)
    else {
        panic!("a tool message (tag inside allOf)");
    };
    assert_eq!(tool.tool_call_id, "call_1");
}

#[test]
fn a_variant_that_pins_nothing_is_selected_by_its_schema_name() {
    let ChatMessage::ChatCompletionRequestDeveloperMessage(developer) =
        message(r#"{"role": "ChatCompletionRequestDeveloperMessage", "content": "Be brief."}"#)
    else {
        panic!("the implicit mapping");
    };
    assert_eq!(developer.content, "Be brief.");
}

#[test]
fn an_unknown_tag_is_kept_as_unknown() {
    let json = r#"{"role": "critic", "content": "Hmm."}"#;
    assert_eq!(
        message(json),
        ChatMessage::Unknown(serde_json::from_str(json).expect("JSON"))
    );
}

#[test]
fn inline_variants_are_selected_by_their_pinned_tag() {
    let event: StreamEvent =
        serde_json::from_str(r#"{"type": "response.output_text.delta", "delta": "Hel"}"#)
            .expect("decodes");
    assert!(matches!(event, StreamEvent::Delta(delta) if delta.delta == "Hel"));
    let event: StreamEvent =
        serde_json::from_str(r#"{"type": "response.completed"}"#).expect("decodes");
    assert!(matches!(event, StreamEvent::Done(_)), "{event:?}");
}

#[test]
fn variants_that_share_a_tag_are_tried_in_order() {
    let item: InputItem =
        serde_json::from_str(r#"{"type": "message", "role": "user", "content": "Hi"}"#)
            .expect("decodes");
    assert!(matches!(item, InputItem::EasyInputMessage(_)), "{item:?}");
    let item: InputItem =
        serde_json::from_str(r#"{"type": "message", "id": "msg_1", "status": "completed"}"#)
            .expect("decodes");
    assert!(
        matches!(&item, InputItem::OutputMessage(message) if message.id == "msg_1"),
        "{item:?}"
    );
    let item: InputItem =
        serde_json::from_str(r#"{"type": "function_call", "name": "lookup"}"#).expect("decodes");
    assert!(matches!(item, InputItem::FunctionToolCall(_)), "{item:?}");
    // A `message` that is neither is an error naming what the last one missed.
    let error = serde_json::from_str::<InputItem>(r#"{"type": "message"}"#)
        .expect_err("neither kind of message");
    assert!(error.to_string().contains("missing field"), "{error}");
}

#[test]
fn constants_are_filled_in_and_checked() {
    // `role: {const: user}` is no constructor argument: the type fills it in.
    let user = ChatCompletionRequestUserMessage::new("Say hi");
    assert_eq!(user.role.as_str(), "user");
    assert_eq!(
        serde_json::to_value(user.role).expect("serialises"),
        serde_json::json!("user")
    );
    // A wrong constant does not decode into the variant (and is not selected by its tag).
    let error = serde_json::from_str::<ChatCompletionRequestUserMessage>(
        r#"{"role": "usr", "content": "Hi"}"#,
    )
    .expect_err("a wrong constant");
    assert!(error.to_string().contains("expected user"), "{error}");
}

#[test]
fn variants_convert_into_their_union() {
    let messages: Vec<ChatMessage> = vec![ChatCompletionRequestUserMessage::new("Say hi").into()];
    assert!(matches!(
        &messages[0],
        ChatMessage::ChatCompletionRequestUserMessage(user) if user.content == "Say hi"
    ));
}

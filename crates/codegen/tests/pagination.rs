//! `into_stream()` follows the next page wherever the loader found it.

mod common;

/// The next URL in the page's `meta`, whose schema is an alias of an alias of the struct.
#[test]
fn a_next_url_nested_behind_aliases_gets_a_stream() {
    let spec = r#"
openapi: 3.0.3
info: {title: Nested, version: '1'}
paths:
  /accounts:
    get:
      operationId: listAccounts
      parameters: [{name: PageSize, in: query, schema: {type: integer}}]
      responses:
        '200':
          description: A page.
          content:
            application/json:
              schema:
                type: object
                properties:
                  accounts: {type: array, items: {type: string}}
                  meta: {$ref: '#/components/schemas/MetaAlias'}
components:
  schemas:
    MetaAlias: {$ref: '#/components/schemas/PageMeta'}
    PageMeta: {$ref: '#/components/schemas/Meta'}
    Meta:
      type: object
      properties: {next_page_url: {type: string, format: uri, nullable: true}}
"#;
    let api = sdkgen_loader::load_str(spec, "nested.yaml").expect("loads");
    assert!(
        api.operations[0].pagination.is_some(),
        "the loader finds it"
    );
    let builders = &common::generated(&api, "nested").files["src/builders.rs"];
    assert!(builders.contains("pub fn into_stream("), "{builders}");
    assert!(
        builders.contains("page.meta.and_then(|page| page.next_page_url)"),
        "{builders}"
    );
}

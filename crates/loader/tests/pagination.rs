//! Pagination recognised from an operation's shape, and declared by extensions.

use sdkgen_loader::load_str;
use sdkgen_model::{Pagination, PaginationSource, PaginationStyle};

/// The pagination of the only operation of a `GET /things` with these query parameters,
/// response headers and response schema (YAML flow text).
fn pagination_of(parameters: &[&str], headers: &str, schema: &str) -> Option<Pagination> {
    let parameters = parameters
        .iter()
        .map(|name| format!("{{name: {name}, in: query, schema: {{type: string}}}}"))
        .collect::<Vec<_>>()
        .join(", ");
    let text = format!(
        "openapi: 3.1.0\ninfo: {{title: t, version: '1'}}\npaths:\n  /things:\n    get:\n      parameters: [{parameters}]\n      responses:\n        '200':\n          description: ok\n          headers: {{{headers}}}\n          content: {{application/json: {{schema: {schema}}}}}\n"
    );
    load_str(&text, "p.yaml").expect("loads").operations[0]
        .pagination
        .clone()
}

const ITEM: &str = "{type: object, required: [id], properties: {id: {type: string}}}";

#[test]
fn a_cursor_in_the_page_sent_back_as_a_parameter() {
    for (parameter, next) in [
        ("cursor", "next_cursor"),
        ("page_token", "next_page_token"),
        ("pageToken", "nextPageToken"),
    ] {
        let page = format!(
            "{{type: object, properties: {{items: {{type: array, items: {ITEM}}}, {next}: {{type: [string, 'null']}}}}}}"
        );
        let found = pagination_of(&[parameter, "limit"], "", &page).expect("paginated");
        assert_eq!(found.items.as_deref(), Some("items"));
        assert_eq!(
            found.style,
            PaginationStyle::Cursor {
                parameter: parameter.to_owned(),
                next: next.to_owned(),
                within: None,
            }
        );
        assert_eq!(found.source, PaginationSource::Recognised);
    }
}

#[test]
fn has_more_with_the_last_id_as_after() {
    let page = format!(
        "{{type: object, properties: {{object: {{type: string}}, data: {{type: array, items: {ITEM}}}, has_more: {{type: boolean}}}}}}"
    );
    let found = pagination_of(&["after", "limit"], "", &page).expect("paginated");
    assert_eq!(found.items.as_deref(), Some("data"));
    assert_eq!(
        found.style,
        PaginationStyle::AfterLastId {
            parameter: "after".into(),
            has_more: "has_more".into(),
            id: "id".into()
        }
    );
    // Items without a required id cannot be continued after.
    let anonymous = "{type: object, properties: {data: {type: array, items: {type: object}}, has_more: {type: boolean}}}";
    assert_eq!(pagination_of(&["after"], "", anonymous), None);
}

#[test]
fn a_next_url_in_the_page() {
    let page = format!(
        "{{type: object, properties: {{results: {{type: array, items: {ITEM}}}, next: {{type: string, format: uri}}, count: {{type: integer}}}}}}"
    );
    let found = pagination_of(&["limit"], "", &page).expect("paginated");
    assert_eq!(found.items.as_deref(), Some("results"));
    assert_eq!(
        found.style,
        PaginationStyle::NextUrl {
            next: "next".into(),
            within: None,
        }
    );
}

#[test]
fn link_headers_for_page_numbers() {
    let array = format!("{{type: array, items: {ITEM}}}");
    let declared = "Link: {schema: {type: string}}";
    let found = pagination_of(&["per_page", "page"], declared, &array).expect("paginated");
    assert_eq!(
        (found.items, found.style),
        (None, PaginationStyle::LinkHeader)
    );
    // No header declared, but page and per_page: GitHub's style too.
    let found = pagination_of(&["per_page", "page"], "", &array).expect("paginated");
    assert_eq!(found.style, PaginationStyle::LinkHeader);
    // A search page holding the items under `items`.
    let page = format!(
        "{{type: object, properties: {{total_count: {{type: integer}}, items: {{type: array, items: {ITEM}}}}}}}"
    );
    let found = pagination_of(&["q", "per_page", "page"], declared, &page).expect("paginated");
    assert_eq!(
        (found.items.as_deref(), found.style),
        (Some("items"), PaginationStyle::LinkHeader)
    );
}

#[test]
fn plain_reads_and_lists_without_a_way_on_are_not_paginated() {
    let array = format!("{{type: array, items: {ITEM}}}");
    assert_eq!(pagination_of(&[], "", &array), None);
    assert_eq!(pagination_of(&["limit"], "", ITEM), None);
    // A cursor parameter without a next cursor in the page: nothing to follow.
    let page = format!("{{type: object, properties: {{data: {{type: array, items: {ITEM}}}}}}}");
    assert_eq!(pagination_of(&["cursor"], "", &page), None);
}

#[test]
fn extensions_override_the_shape() {
    let text = "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n      x-pagination: {items: entries, cursor: from, next: more}\n      responses: {'200': {description: ok}}\n  /b:\n    get:\n      x-dropshot-pagination: {required: []}\n      responses: {'200': {description: ok}}\n  /c:\n    get:\n      x-pagination: false\n      parameters: [{name: page, in: query}, {name: per_page, in: query}]\n      responses: {'200': {description: ok, headers: {Link: {schema: {type: string}}}, content: {application/json: {schema: {type: array}}}}}\n  /d:\n    get:\n      x-pagination: {style: next-url, items: null, next: next_page}\n      responses: {'200': {description: ok}}\n";
    let api = load_str(text, "x.yaml").expect("loads");
    let styles: Vec<_> = api
        .operations
        .iter()
        .map(|operation| {
            operation
                .pagination
                .as_ref()
                .map(|pagination| (pagination.items.clone(), pagination.style.clone()))
        })
        .collect();
    assert_eq!(
        styles,
        [
            Some((
                Some("entries".to_owned()),
                PaginationStyle::Cursor {
                    parameter: "from".into(),
                    next: "more".into(),
                    within: None,
                }
            )),
            Some((
                Some("items".to_owned()),
                PaginationStyle::Cursor {
                    parameter: "page_token".into(),
                    next: "next_page".into(),
                    within: None,
                }
            )),
            None,
            Some((
                None,
                PaginationStyle::NextUrl {
                    next: "next_page".into(),
                    within: None,
                }
            )),
        ]
    );
    assert!(
        api.operations[0]
            .pagination
            .as_ref()
            .is_some_and(|pagination| pagination.source == PaginationSource::Declared)
    );
}

/// A malformed `x-pagination` (an unknown style, a misspelt field, a value of the wrong type)
/// is not read as the default cursor style: it is ignored with a warning at its place, and
/// the operation's shape decides.
#[test]
fn a_malformed_x_pagination_warns_and_the_shape_decides() {
    let cases = [
        (
            "{style: offset}",
            "x-pagination.style \"offset\" is not one of",
        ),
        (
            "{style: next_url, next: next}",
            "x-pagination.style \"next_url\" is not one of",
        ),
        ("{stlye: cursor}", "x-pagination has no field \"stlye\""),
        (
            "{style: cursor, cursor: 5}",
            "x-pagination.cursor must be a string, not 5",
        ),
        ("true", "x-pagination must be false or an object, not true"),
    ];
    for (declared, expected) in cases {
        let text = format!(
            "openapi: 3.1.0\ninfo: {{title: t, version: '1'}}\npaths:\n  /things:\n    get:\n      \
             x-pagination: {declared}\n      parameters: [{{name: cursor, in: query, schema: {{type: string}}}}]\n      \
             responses:\n        '200':\n          description: ok\n          content:\n            \
             application/json:\n              schema: {{type: object, properties: {{data: {{type: array, items: {{type: string}}}}, next_cursor: {{type: string}}}}}}\n"
        );
        let api = load_str(&text, "x.yaml").expect("loads");
        let warning = api
            .warnings
            .iter()
            .find(|warning| warning.contains(expected))
            .unwrap_or_else(|| panic!("{declared}: {:?}", api.warnings));
        assert!(
            warning.contains("/paths/~1things/get/x-pagination"),
            "{warning}"
        );
        // Recognised from the shape, as if the extension were absent.
        let pagination = api.operations[0].pagination.as_ref().expect("recognised");
        assert_eq!(
            pagination.source,
            PaginationSource::Recognised,
            "{declared}"
        );
    }
}

/// The next cursor or URL in an object the page holds: Kubernetes' `metadata.continue` (the
/// reference wrapped in an `allOf` to be described) and Twilio's `meta.next_page_url`.
#[test]
fn a_next_cursor_or_url_nested_in_the_pages_metadata() {
    let text = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /deployments:\n    get:\n      \
        parameters: [{name: continue, in: query, schema: {type: string}}, {name: limit, in: query, schema: {type: integer}}]\n      \
        responses: {'200': {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/DeploymentList'}}}}}\n  \
        /accounts:\n    get:\n      \
        parameters: [{name: PageSize, in: query, schema: {type: integer}}]\n      \
        responses: {'200': {description: ok, content: {application/json: {schema: {type: object, properties: {accounts: {type: array, items: {type: string}}, meta: {type: object, properties: {next_page_url: {type: string, format: uri, nullable: true}}}}}}}}}\n\
        components:\n  schemas:\n    \
        DeploymentList: {type: object, properties: {items: {type: array, items: {type: string}}, metadata: {allOf: [{$ref: '#/components/schemas/ListMeta'}], description: Standard list metadata.}}}\n    \
        ListMeta: {type: object, properties: {continue: {type: string}}}\n";
    let api = load_str(text, "x.yaml").expect("loads");
    let styles: Vec<_> = api
        .operations
        .iter()
        .map(|operation| {
            operation
                .pagination
                .as_ref()
                .map(|found| found.style.clone())
        })
        .collect();
    assert_eq!(
        styles,
        [
            Some(PaginationStyle::Cursor {
                parameter: "continue".into(),
                next: "continue".into(),
                within: Some("metadata".into()),
            }),
            Some(PaginationStyle::NextUrl {
                next: "next_page_url".into(),
                within: Some("meta".into()),
            }),
        ]
    );
}

#[test]
fn a_malformed_x_pagination_is_shown_short_and_on_one_line() {
    let long = "a\\n".repeat(400);
    let text = format!(
        "openapi: 3.1.0\ninfo: {{title: t, version: '1'}}\npaths:\n  /things:\n    get:\n      \
         x-pagination: \"{long}\"\n      responses: {{'204': {{description: ok}}}}\n"
    );
    let api = load_str(&text, "x.yaml").expect("loads");
    let warning = api
        .warnings
        .iter()
        .find(|warning| warning.contains("x-pagination must be false or an object"))
        .expect("a warning");
    assert!(warning.len() < 250 && !warning.contains('\n'), "{warning}");
}

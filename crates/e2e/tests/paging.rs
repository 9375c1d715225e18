//! The `into_stream()` that the generator writes for each pagination style, run against local
//! servers that page through 1,000 items: every item is visited exactly once, in order, with
//! one request per page. The SDK is generated from the codegen fixture `streams.yaml` and
//! checked in under `tests/paging_sdk/` (so that this test compiles it);
//! `the_checked_in_sdk_is_fresh` fails when the generator would now write something else
//! (`UPDATE_PAGING_SDK=1 cargo test -p sdkgen-e2e --test paging` rewrites it).

// The generated crate's `serialize`/`deserialize` features are not this crate's.
#![allow(unexpected_cfgs)]
// Test servers and fixtures unwrap: a failure there is a failed test, as it should be.
#![allow(clippy::unwrap_used)]

#[allow(dead_code, missing_docs, clippy::all)]
#[path = "paging_sdk/builders.rs"]
#[rustfmt::skip]
pub mod builders;
#[allow(dead_code, missing_docs, clippy::all)]
#[path = "paging_sdk/client.rs"]
#[rustfmt::skip]
mod client;
#[allow(dead_code, missing_docs, clippy::all)]
#[path = "paging_sdk/types.rs"]
#[rustfmt::skip]
pub mod types;
pub use client::Client;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::Router;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use futures_util::TryStreamExt;
use serde_json::json;

const ITEMS: usize = 1000;
const PAGE: usize = 37;
const FILES: [&str; 3] = ["builders.rs", "client.rs", "types.rs"];

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../codegen/tests/fixtures/streams.yaml")
}

#[test]
fn the_checked_in_sdk_is_fresh() {
    let api = sdkgen_loader::load_file(fixture()).expect("the fixture loads");
    let settings = sdkgen_codegen::Settings {
        crate_name: "paging-sdk".to_owned(),
        runtime: sdkgen_codegen::RuntimeDependency::Version("0.1".to_owned()),
        command: "UPDATE_PAGING_SDK=1 cargo test -p sdkgen-e2e --test paging".to_owned(),
        source: "crates/codegen/tests/fixtures/streams.yaml".to_owned(),
        publish: None,
        examples: None,
    };
    let generated = sdkgen_codegen::generate(&api, &settings).expect("generates");
    let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/paging_sdk");
    for file in FILES {
        let fresh = &generated.files[&format!("src/{file}")];
        let path = folder.join(file);
        if std::env::var_os("UPDATE_PAGING_SDK").is_some() {
            std::fs::write(&path, fresh).unwrap();
        }
        let checked_in = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            &checked_in == fresh,
            "tests/paging_sdk/{file} is stale: run UPDATE_PAGING_SDK=1 cargo test -p sdkgen-e2e --test paging"
        );
    }
}

type Page = fn(&HeaderMap, &[(String, String)]) -> Response;

fn param(query: &[(String, String)], name: &str) -> Option<usize> {
    query
        .iter()
        .find(|(key, _)| key == name)
        .and_then(|(_, value)| value.parse().ok())
}

fn customers(from: usize, size: usize) -> Vec<serde_json::Value> {
    (from..(from + size).min(ITEMS))
        .map(|id| json!({"id": format!("{id:04}"), "name": format!("customer {id}")}))
        .collect()
}

fn host(headers: &HeaderMap) -> String {
    headers
        .get("host")
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

/// One server for every style: `/v1/orders` (cursor), `/v1/customers` (has_more and the last
/// id), `/v1/people` (a next URL), `/v1/repos` (a `Link` header), `/v1/deployments` (a cursor
/// in `metadata`, an empty one at the end, as Kubernetes does), `/v1/accounts` (a next URL in
/// `meta`, as Twilio does); each counts its requests.
async fn server() -> (String, Arc<[AtomicUsize; 6]>) {
    let counts: Arc<[AtomicUsize; 6]> = Arc::new(Default::default());
    let route = |index: usize, page: Page| {
        get(
            move |State(counts): State<Arc<[AtomicUsize; 6]>>,
                  headers: HeaderMap,
                  Query(query): Query<Vec<(String, String)>>| async move {
                counts[index].fetch_add(1, Ordering::SeqCst);
                page(&headers, &query)
            },
        )
    };
    let app = Router::new()
        .route(
            "/v1/orders",
            route(0, |_, query| {
                let from = param(query, "cursor").unwrap_or(0);
                let next = (from + PAGE < ITEMS).then(|| (from + PAGE).to_string());
                axum::Json(json!({"items": customers(from, PAGE), "next_cursor": next}))
                    .into_response()
            }),
        )
        .route(
            "/v1/customers",
            route(1, |_, query| {
                let from = param(query, "starting_after").map_or(0, |after| after + 1);
                axum::Json(json!({
                    "data": customers(from, PAGE),
                    "has_more": from + PAGE < ITEMS,
                }))
                .into_response()
            }),
        )
        .route(
            "/v1/people",
            route(2, |headers, query| {
                let from = param(query, "offset").unwrap_or(0);
                let next = (from + PAGE < ITEMS).then(|| {
                    format!(
                        "http://{}/v1/people?offset={}&limit={PAGE}",
                        host(headers),
                        from + PAGE
                    )
                });
                axum::Json(json!({"results": customers(from, PAGE), "next": next})).into_response()
            }),
        )
        .route(
            "/v1/repos",
            route(3, |headers, query| {
                let page = param(query, "page").unwrap_or(1);
                let per_page = param(query, "per_page").unwrap_or(30);
                let last = ITEMS.div_ceil(per_page);
                let link = |page: usize, rel: &str| {
                    format!(
                        "<http://{}/v1/repos?per_page={per_page}&page={page}>; rel=\"{rel}\"",
                        host(headers)
                    )
                };
                let mut links = vec![link(1, "first"), link(last, "last")];
                if page < last {
                    links.push(link(page + 1, "next"));
                }
                (
                    [("link", links.join(", "))],
                    axum::Json(customers((page - 1) * per_page, per_page)),
                )
                    .into_response()
            }),
        )
        .route(
            "/v1/deployments",
            route(4, |_, query| {
                let from = query
                    .iter()
                    .find(|(name, _)| name == "continue")
                    .and_then(|(_, value)| value.strip_prefix("token-"))
                    .and_then(|from| from.parse().ok())
                    .unwrap_or(0);
                let next = if from + PAGE < ITEMS {
                    format!("token-{}", from + PAGE)
                } else {
                    String::new()
                };
                axum::Json(json!({
                    "items": customers(from, PAGE),
                    "metadata": {"continue": next, "resourceVersion": "7"},
                }))
                .into_response()
            }),
        )
        .route(
            "/v1/accounts",
            route(5, |headers, query| {
                let from = param(query, "Page").unwrap_or(0) * PAGE;
                let next = (from + PAGE < ITEMS).then(|| {
                    format!(
                        "http://{}/v1/accounts?PageSize={PAGE}&Page={}",
                        host(headers),
                        from / PAGE + 1
                    )
                });
                axum::Json(json!({
                    "accounts": customers(from, PAGE),
                    "meta": {"page_size": PAGE, "next_page_url": next},
                }))
                .into_response()
            }),
        )
        .with_state(Arc::clone(&counts));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{address}/v1"), counts)
}

fn assert_each_once(style: &str, seen: Vec<types::Customer>) {
    let ids: Vec<String> = seen.into_iter().map(|customer| customer.id).collect();
    let distinct: BTreeSet<&String> = ids.iter().collect();
    assert_eq!(ids.len(), ITEMS, "{style}: every item, none twice");
    assert_eq!(distinct.len(), ITEMS, "{style}: every item, none twice");
    let expected: Vec<String> = (0..ITEMS).map(|id| format!("{id:04}")).collect();
    assert_eq!(ids, expected, "{style}: in order");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn multipart_bodies_follow_the_specs_encoding() {
    use types::{UploadFilesRequest, UploadFilesRequestFilter, UploadFilesRequestMeta};
    let app = Router::new().route(
        "/v1/uploads",
        axum::routing::post(|body: axum::body::Bytes| async move {
            // The body's parts, as `name|content type|value` lines, for the test to read.
            let text = String::from_utf8_lossy(&body).into_owned();
            let parts: Vec<String> = text
                .split("Content-Disposition: form-data; ")
                .skip(1)
                .map(|part| {
                    let (head, value) = part.split_once("\r\n\r\n").unwrap_or((part, ""));
                    let name = head.split('"').nth(1).unwrap_or_default();
                    let content_type = head
                        .split("Content-Type: ")
                        .nth(1)
                        .map(|rest| rest.lines().next().unwrap_or_default())
                        .unwrap_or_default();
                    let value = value.split("\r\n--").next().unwrap_or_default();
                    format!("{name}|{content_type}|{value}")
                })
                .collect();
            (
                axum::http::StatusCode::NO_CONTENT,
                [("x-parts", parts.join(";"))],
            )
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let client = Client::builder()
        .base_url(format!("http://{address}/v1"))
        .build()
        .unwrap();
    let body = UploadFilesRequest::new(vec![
        sdkgen_runtime::FilePart::from_bytes("a.png", b"PNG".to_vec()),
        sdkgen_runtime::FilePart::from_bytes("b.jpg", b"JPG".to_vec()),
    ])
    .tags(vec!["x".to_owned(), "y".to_owned()])
    .meta(UploadFilesRequestMeta::new().owner("ann"))
    .labels(vec!["l".to_owned()])
    .filter(UploadFilesRequestFilter::new().status("open"))
    .ids(vec![1, 2]);
    let response = client.upload_files(body).send().await.unwrap();
    let parts = response
        .headers()
        .get("x-parts")
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert_eq!(
        parts.split(';').collect::<Vec<_>>(),
        [
            // One file part per file, each with its own name and type.
            "files|image/png|PNG",
            "files|image/jpeg|JPG",
            // An array: one part per value.
            "tags||x",
            "tags||y",
            // An object: a JSON part.
            "meta|application/json|{\"owner\":\"ann\"}",
            // `contentType: application/json`: a JSON part.
            "labels|application/json|[\"l\"]",
            // `style: deepObject`.
            "filter[status]||open",
            // `style: form, explode: false`.
            "ids||1,2",
        ]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_style_visits_each_of_1000_items_once() {
    let (base, counts) = server().await;
    let client = Client::builder()
        .base_url(&base)
        .bearer_token("paging")
        .build()
        .unwrap();
    let page = i64::try_from(PAGE).unwrap();

    let orders = client
        .list_orders()
        .limit(page)
        .into_stream()
        .try_collect()
        .await
        .unwrap();
    assert_each_once("cursor", orders);
    let customers = client
        .list_customers()
        .limit(page)
        .into_stream()
        .try_collect()
        .await
        .unwrap();
    assert_each_once("after-last-id", customers);
    let people = client
        .list_people()
        .limit(page)
        .into_stream()
        .try_collect()
        .await
        .unwrap();
    assert_each_once("next-url", people);
    let repos = client
        .list_repos()
        .per_page(page)
        .into_stream()
        .try_collect()
        .await
        .unwrap();
    assert_each_once("link-header", repos);
    let deployments = client
        .list_deployments()
        .limit(page)
        .into_stream()
        .try_collect()
        .await
        .unwrap();
    assert_each_once("cursor in metadata", deployments);
    let accounts = client
        .list_accounts()
        .page_size(page)
        .into_stream()
        .try_collect()
        .await
        .unwrap();
    assert_each_once("next URL in meta", accounts);

    let pages = ITEMS.div_ceil(PAGE);
    let requests: Vec<usize> = counts
        .iter()
        .map(|count| count.load(Ordering::SeqCst))
        .collect();
    assert_eq!(requests, [pages; 6], "one request per page in each style");
}

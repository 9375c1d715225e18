//! Streamed answers, file uploads and every pagination style, against local axum servers:
//! typed server-sent events with a malformed one in the middle and a `[DONE]` end, timeouts
//! between events rather than for the whole stream, file parts whose name and type reach the
//! server, and lists of 1,000 items paged through in each style, each item seen once.

// Test servers and fixtures unwrap: a failure there is a failed test, as it should be.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeSet;
use std::convert::Infallible;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::Router;
use axum::body::{Body as AxumBody, Bytes};
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get};
use futures_util::{StreamExt, TryStreamExt};
use sdkgen_runtime::pagination::{pages, pages_after, url_pages};
use sdkgen_runtime::stream::{json_event, text_event};
use sdkgen_runtime::{
    Body, Client, Error, FilePart, Method, Part, Plan, Request, ResponseFuture, Throttling,
};
use serde::Deserialize;

const ITEMS: usize = 1000;
const PAGE: usize = 37;

async fn serve(app: Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{address}")
}

fn client(base_url: &str, organization: &str, timeout: Duration) -> Client {
    Client::builder()
        .base_url(base_url)
        .bearer_token("s3cret")
        .organization(organization)
        .plan(Plan::Custom(100_000))
        .throttling(Throttling::Points)
        .timeout(timeout)
        .build()
        .unwrap()
}

fn sse(chunks: Vec<(u64, &'static str)>) -> Response {
    let body = futures_util::stream::iter(chunks).then(|(delay, text)| async move {
        tokio::time::sleep(Duration::from_millis(delay)).await;
        Ok::<_, Infallible>(Bytes::from_static(text.as_bytes()))
    });
    (
        [("content-type", "text/event-stream")],
        AxumBody::from_stream(body),
    )
        .into_response()
}

#[derive(Debug, Deserialize, PartialEq)]
struct TaskEvent {
    kind: String,
    task: u32,
}

#[tokio::test]
async fn typed_events_stream_past_a_malformed_one_until_done() {
    let base = serve(Router::new().route(
        "/events",
        get(|| async {
            sse(vec![
                (
                    0,
                    "event: task\ndata: {\"kind\":\"created\",\"task\":1}\n\n",
                ),
                (10, ": keep-alive\n\n"),
                (10, "data: {\"kind\":\"updated\",\"ta"),
                (10, "sk\":1}\n\ndata: {\"kind\": oops}\n\n"),
                (10, "data: {\"kind\":\"deleted\",\"task\":1}\n\n"),
                (0, "data: [DONE]\n\n"),
                // Never read: the sentinel ended the stream.
                (0, "data: {\"kind\":\"created\",\"task\":2}\n\n"),
            ])
        }),
    ))
    .await;
    let client = client(&base, "sse-typed", Duration::from_secs(5));
    let before = client.budget().await.unwrap().remaining;
    let response = client
        .call_events::<TaskEvent, serde_json::Value>(
            Request::new("watchTasks", Method::GET, "/events", 2),
            json_event::<TaskEvent>,
        )
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let events = response.into_inner().collect_all().await;
    assert_eq!(events.len(), 4, "{events:?}");
    assert_eq!(
        events[0].as_ref().unwrap(),
        &TaskEvent {
            kind: "created".into(),
            task: 1
        }
    );
    assert_eq!(events[1].as_ref().unwrap().kind, "updated");
    assert!(
        matches!(&events[2], Err(Error::Decode { body, .. }) if body == "{\"kind\": oops}"),
        "{:?}",
        events[2]
    );
    assert_eq!(events[3].as_ref().unwrap().kind, "deleted");
    // Charged once, for the call, whatever the number of events.
    assert_eq!(before - client.budget().await.unwrap().remaining, 2);
}

#[tokio::test]
async fn the_timeout_bounds_the_wait_between_events_not_the_stream() {
    // 8 events 150 ms apart: 1.2 s of stream under a 500 ms timeout, then a 2 s silence.
    let chunks: Vec<(u64, &'static str)> = std::iter::repeat_n((150, "data: tick\n\n"), 8)
        .chain([(2000, "data: too late\n\n")])
        .collect();
    let base = serve(Router::new().route(
        "/tail",
        get(move || {
            let chunks = chunks.clone();
            async move { sse(chunks) }
        }),
    ))
    .await;
    let client = client(&base, "sse-timeout", Duration::from_millis(500));
    let events = client
        .call_events::<String, serde_json::Value>(
            Request::new("tailLogs", Method::GET, "/tail", 1),
            text_event,
        )
        .await
        .unwrap()
        .into_inner()
        .collect_all()
        .await;
    assert_eq!(events.len(), 9, "{events:?}");
    assert!(
        events[..8]
            .iter()
            .all(|event| event.as_deref().ok() == Some("tick"))
    );
    assert!(
        matches!(&events[8], Err(Error::Timeout { .. })),
        "{:?}",
        events[8]
    );
}

#[tokio::test]
async fn file_parts_reach_the_server_with_their_name_and_type() {
    let base = serve(Router::new().route(
        "/upload",
        any(|headers: HeaderMap, body: Bytes| async move {
            let content_type = headers
                .get("content-type")
                .and_then(|value| value.to_str().ok())
                .unwrap_or_default()
                .to_owned();
            let length = headers
                .get("content-length")
                .and_then(|value| value.to_str().ok())
                .unwrap_or("none")
                .to_owned();
            format!(
                "{content_type}\n{length}\n{}",
                String::from_utf8_lossy(&body)
            )
        }),
    ))
    .await;
    let client = client(&base, "upload", Duration::from_secs(5));
    let directory = tempfile::tempdir().unwrap();
    let path = directory.path().join("minutes.pdf");
    std::fs::write(&path, b"%PDF-1.7 on disk").unwrap();
    let chunks = futures_util::stream::iter([
        Ok::<_, std::io::Error>(Bytes::from_static(b"streamed ")),
        Ok(Bytes::from_static(b"csv")),
    ]);
    let parts = vec![
        Part::from_file("file", FilePart::from_path(&path)),
        Part::from_file(
            "photo",
            FilePart::from_bytes("cat.png", Bytes::from_static(b"PNG")),
        ),
        Part::from_file(
            "table",
            FilePart::from_stream("data.csv", chunks).content_type("text/csv; charset=utf-8"),
        ),
        Part::text("description", "three files"),
    ];
    let request = Request::new("upload", Method::POST, "/upload", 5).body(Body::Multipart(parts));
    let echoed = client
        .execute::<serde_json::Value>(request)
        .await
        .unwrap()
        .text()
        .into_inner();
    assert!(
        echoed.starts_with("multipart/form-data; boundary="),
        "{echoed}"
    );
    // A streamed part has no known length: the body is sent chunked.
    assert_eq!(echoed.lines().nth(1), Some("none"), "{echoed}");
    for expected in [
        "name=\"file\"; filename=\"minutes.pdf\"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.7 on disk",
        "name=\"photo\"; filename=\"cat.png\"\r\nContent-Type: image/png\r\n\r\nPNG",
        "name=\"table\"; filename=\"data.csv\"\r\nContent-Type: text/csv; charset=utf-8\r\n\r\nstreamed csv",
        "name=\"description\"\r\n\r\nthree files",
    ] {
        assert!(echoed.contains(expected), "{expected:?} not in {echoed}");
    }
    // Files from paths and bytes have lengths: the body keeps its Content-Length.
    let parts = vec![
        Part::from_file("file", FilePart::from_path(&path)),
        Part::from_file(
            "photo",
            FilePart::from_bytes("cat.png", Bytes::from_static(b"PNG")),
        ),
    ];
    let request = Request::new("upload", Method::POST, "/upload", 5).body(Body::Multipart(parts));
    let echoed = client
        .execute::<serde_json::Value>(request)
        .await
        .unwrap()
        .text()
        .into_inner();
    let length: usize = echoed.lines().nth(1).unwrap().parse().unwrap();
    assert!(
        length > 0 && echoed.contains("%PDF-1.7 on disk"),
        "{echoed}"
    );
}

/// A list of `ITEMS` items, one page per request, in whatever style `page` answers; returns
/// the base URL and a count of the requests.
/// One page of a list: the request's headers and query, and the server's host.
type Page = fn(&HeaderMap, &Query<Vec<(String, String)>>, &str) -> Response;

async fn list_server(page: Page) -> (String, Arc<AtomicUsize>) {
    let requests = Arc::new(AtomicUsize::new(0));
    let app = Router::new()
        .route(
            "/v1/items",
            get(
                move |State(requests): State<Arc<AtomicUsize>>,
                      headers: HeaderMap,
                      query: Query<Vec<(String, String)>>| async move {
                    requests.fetch_add(1, Ordering::SeqCst);
                    let host = headers
                        .get("host")
                        .and_then(|value| value.to_str().ok())
                        .unwrap_or_default()
                        .to_owned();
                    page(&headers, &query, &host)
                },
            ),
        )
        .with_state(Arc::clone(&requests));
    (format!("{}/v1", serve(app).await), requests)
}

fn param(query: &Query<Vec<(String, String)>>, name: &str) -> Option<usize> {
    query
        .0
        .iter()
        .find(|(key, _)| key == name)
        .and_then(|(_, value)| value.parse().ok())
}

fn items(from: usize, size: usize) -> Vec<serde_json::Value> {
    (from..(from + size).min(ITEMS))
        .map(|id| serde_json::json!({"id": id}))
        .collect()
}

#[derive(Debug, Deserialize)]
struct Item {
    id: usize,
}

fn assert_each_once(seen: Vec<Item>) {
    let ids: Vec<usize> = seen.iter().map(|item| item.id).collect();
    assert_eq!(ids.len(), ITEMS, "every item, and no item twice");
    assert_eq!(ids.iter().collect::<BTreeSet<_>>().len(), ITEMS);
    assert_eq!(ids, (0..ITEMS).collect::<Vec<_>>(), "in order");
}

fn pages_needed() -> usize {
    ITEMS.div_ceil(PAGE)
}

#[derive(Deserialize)]
struct CursorPage {
    data: Vec<Item>,
    next_cursor: Option<String>,
}

#[tokio::test]
async fn cursor_pages_visit_every_item_once() {
    let (base, requests) = list_server(|_, query, _| {
        let from = param(query, "cursor").unwrap_or(0);
        let next = (from + PAGE < ITEMS).then(|| (from + PAGE).to_string());
        axum::Json(serde_json::json!({"data": items(from, PAGE), "next_cursor": next}))
            .into_response()
    })
    .await;
    let client = client(&base, "page-cursor", Duration::from_secs(5));
    let send =
        move |cursor: Option<String>| -> ResponseFuture<'static, CursorPage, serde_json::Value> {
            let client = client.clone();
            Box::pin(async move {
                let mut request = Request::new("list", Method::GET, "/items", 1);
                request.add_query("cursor", cursor.as_ref());
                client.execute(request).await?.json()
            })
        };
    let seen: Vec<Item> = pages(None, send, |page: CursorPage| (page.data, page.next_cursor))
        .try_collect()
        .await
        .unwrap();
    assert_each_once(seen);
    assert_eq!(requests.load(Ordering::SeqCst), pages_needed());
}

#[derive(Deserialize)]
struct MorePage {
    data: Vec<Item>,
    has_more: bool,
}

#[tokio::test]
async fn after_last_id_pages_visit_every_item_once() {
    let (base, requests) = list_server(|_, query, _| {
        let from = param(query, "after").map_or(0, |after| after + 1);
        axum::Json(serde_json::json!({
            "data": items(from, PAGE),
            "has_more": from + PAGE < ITEMS,
        }))
        .into_response()
    })
    .await;
    let client = client(&base, "page-after", Duration::from_secs(5));
    let send =
        move |after: Option<String>| -> ResponseFuture<'static, MorePage, serde_json::Value> {
            let client = client.clone();
            Box::pin(async move {
                let mut request = Request::new("list", Method::GET, "/items", 1);
                request.add_query("after", after.as_ref());
                client.execute(request).await?.json()
            })
        };
    let seen: Vec<Item> = pages_after(
        None,
        send,
        |page: MorePage| (page.data, page.has_more),
        |item: &Item| item.id.to_string(),
    )
    .try_collect()
    .await
    .unwrap();
    assert_each_once(seen);
    assert_eq!(requests.load(Ordering::SeqCst), pages_needed());
}

#[derive(Deserialize)]
struct UrlPage {
    results: Vec<Item>,
    next: Option<String>,
}

#[tokio::test]
async fn next_url_pages_visit_every_item_once() {
    let (base, requests) = list_server(|_, query, host| {
        let from = param(query, "offset").unwrap_or(0);
        // Absolute and relative next URLs, alternately, as servers send both.
        let next = (from + PAGE < ITEMS).then(|| {
            if (from / PAGE).is_multiple_of(2) {
                format!("http://{host}/v1/items?offset={}&limit={PAGE}", from + PAGE)
            } else {
                format!("/v1/items?offset={}&limit={PAGE}", from + PAGE)
            }
        });
        axum::Json(serde_json::json!({"results": items(from, PAGE), "next": next})).into_response()
    })
    .await;
    let client = client(&base, "page-next-url", Duration::from_secs(5));
    let first = Request::new("list", Method::GET, "/items", 1).query("limit", PAGE.to_string());
    let seen: Vec<Item> = url_pages::<UrlPage, Item, serde_json::Value>(
        client,
        first,
        |page| (page.results, page.next),
        false,
    )
    .try_collect()
    .await
    .unwrap();
    assert_each_once(seen);
    assert_eq!(requests.load(Ordering::SeqCst), pages_needed());
}

#[tokio::test]
async fn link_header_pages_visit_every_item_once() {
    let (base, requests) = list_server(|_, query, host| {
        let page = param(query, "page").unwrap_or(1);
        let per_page = param(query, "per_page").unwrap_or(30);
        let from = (page - 1) * per_page;
        let last = ITEMS.div_ceil(per_page);
        let mut links = vec![format!(
            "<http://{host}/v1/items?page={last}&per_page={per_page}>; rel=\"last\""
        )];
        if page < last {
            links.insert(
                0,
                format!(
                    "<http://{host}/v1/items?page={}&per_page={per_page}>; rel=\"next\"",
                    page + 1
                ),
            );
        }
        (
            [("link", links.join(", "))],
            axum::Json(items(from, per_page)),
        )
            .into_response()
    })
    .await;
    let client = client(&base, "page-link", Duration::from_secs(5));
    let first = Request::new("list", Method::GET, "/items", 1).query("per_page", PAGE.to_string());
    let seen: Vec<Item> =
        url_pages::<Vec<Item>, Item, serde_json::Value>(client, first, |page| (page, None), true)
            .try_collect()
            .await
            .unwrap();
    assert_each_once(seen);
    assert_eq!(requests.load(Ordering::SeqCst), pages_needed());
}

#[tokio::test]
async fn a_next_url_on_another_origin_is_not_followed() {
    let (base, requests) = list_server(|_, _, _| {
        axum::Json(serde_json::json!({
            "results": items(0, 2),
            "next": "http://evil.example.net/v1/items?page=2",
        }))
        .into_response()
    })
    .await;
    let client = client(&base, "page-foreign", Duration::from_secs(5));
    let results: Vec<Result<Item, Error>> = url_pages::<UrlPage, Item, serde_json::Value>(
        client,
        Request::new("list", Method::GET, "/items", 1),
        |page| (page.results, page.next),
        false,
    )
    .collect()
    .await;
    assert_eq!(results.len(), 3);
    assert!(
        matches!(&results[2], Err(Error::InvalidRequest { message, .. }) if message.contains("not under the client's base URL")),
        "{:?}",
        results[2]
    );
    assert_eq!(requests.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn hostile_streams_end_in_errors_not_hangs() {
    let base = serve(
        Router::new()
            // Headers never come.
            .route(
                "/silent",
                get(|| async {
                    tokio::time::sleep(Duration::from_secs(30)).await;
                    "late"
                }),
            )
            // A body that stops in the middle, and never ends.
            .route(
                "/stall",
                get(|| async {
                    let body = futures_util::stream::iter([Ok::<_, Infallible>(
                        Bytes::from_static(b"first chunk"),
                    )])
                    .chain(futures_util::stream::pending());
                    AxumBody::from_stream(body)
                }),
            )
            // An event that never ends: data lines, never a blank one.
            .route(
                "/endless-event",
                get(|| async {
                    let body = futures_util::stream::repeat_with(|| {
                        Ok::<_, Infallible>(Bytes::from_static(b"data: more and more\n"))
                    });
                    (
                        [("content-type", "text/event-stream")],
                        AxumBody::from_stream(body),
                    )
                }),
            ),
    )
    .await;
    let client = Client::builder()
        .base_url(&base)
        .plan(Plan::Custom(1000))
        .timeout(Duration::from_millis(300))
        .max_response_bytes(64 * 1024)
        .retry_policy(sdkgen_runtime::RetryPolicy::none())
        .build()
        .unwrap();
    let silent = client
        .call_events::<String, serde_json::Value>(
            Request::new("silent", Method::GET, "/silent", 1),
            text_event,
        )
        .await;
    assert!(matches!(silent, Err(Error::Timeout { .. })), "{silent:?}");

    let directory = tempfile::tempdir().unwrap();
    let stalled = client
        .call_byte_stream::<serde_json::Value>(Request::new("stall", Method::GET, "/stall", 1))
        .await
        .unwrap()
        .into_inner()
        .to_file(directory.path().join("partial"))
        .await;
    assert!(matches!(stalled, Err(Error::Timeout { .. })), "{stalled:?}");

    let events = client
        .call_events::<String, serde_json::Value>(
            Request::new("endless", Method::GET, "/endless-event", 1),
            text_event,
        )
        .await
        .unwrap()
        .into_inner()
        .collect_all()
        .await;
    assert_eq!(events.len(), 1);
    assert!(
        matches!(&events[0], Err(Error::Stream { message, .. }) if message.contains("larger than the limit")),
        "{events:?}"
    );
}

#[tokio::test]
async fn a_slow_upload_is_bounded_between_chunks_not_as_a_whole() {
    let base = serve(Router::new().route(
        "/upload",
        any(|body: Bytes| async move { body.len().to_string() }),
    ))
    .await;
    let client = Client::builder()
        .base_url(&base)
        .plan(Plan::Custom(1000))
        .timeout(Duration::from_millis(400))
        .retry_policy(sdkgen_runtime::RetryPolicy::none())
        .build()
        .unwrap();
    // Ten chunks 150 ms apart: 1.5 s of upload under a 400 ms timeout.
    let slow = futures_util::stream::iter(0..10).then(|_| async {
        tokio::time::sleep(Duration::from_millis(150)).await;
        Ok::<_, std::io::Error>(Bytes::from(vec![b'x'; 1024]))
    });
    let request = Request::new("upload", Method::POST, "/upload", 1).body(Body::Multipart(vec![
        Part::from_file("file", FilePart::from_stream("big.bin", slow)),
    ]));
    let answer = client
        .execute::<serde_json::Value>(request)
        .await
        .unwrap()
        .text()
        .into_inner();
    assert!(answer.parse::<usize>().unwrap() > 10 * 1024, "{answer}");

    // A file whose next chunk never comes.
    let stalled = futures_util::stream::iter([Ok::<_, std::io::Error>(Bytes::from_static(b"x"))])
        .chain(futures_util::stream::pending());
    let request = Request::new("upload", Method::POST, "/upload", 1).body(Body::Multipart(vec![
        Part::from_file("file", FilePart::from_stream("stuck.bin", stalled)),
    ]));
    let error = client
        .execute::<serde_json::Value>(request)
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Timeout { .. }), "{error:?}");
}

//! A download streamed to disk chunk by chunk keeps memory flat: the process's peak resident
//! size grows by far less than the body. 64 MiB always (alone in this test binary, so no other
//! test moves the peak); 1 GiB with `--ignored` (it prints the figure).

// Test servers and fixtures unwrap: a failure there is a failed test, as it should be.
#![allow(clippy::unwrap_used)]

use std::convert::Infallible;
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::{Body as AxumBody, Bytes};
use axum::routing::get;
use futures_util::StreamExt;
use sdkgen_runtime::{Client, Method, Plan, Request};

const CHUNK: usize = 64 * 1024;

/// The process's peak resident set, in KiB (`VmHWM`), where /proc has it.
fn peak_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

async fn download(total: usize) -> (u64, Option<u64>, Duration) {
    let app = Router::new().route(
        "/file",
        get(move || async move {
            let chunk = Bytes::from(vec![b'x'; CHUNK]);
            let chunks = total / CHUNK;
            let body = futures_util::stream::repeat(chunk)
                .take(chunks)
                .map(Ok::<_, Infallible>);
            (
                [("content-length", (chunks * CHUNK).to_string())],
                AxumBody::from_stream(body),
            )
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let client = Client::builder()
        .base_url(format!("http://{address}"))
        .plan(Plan::Custom(1000))
        // Far shorter than the download: the timeout bounds each chunk, not the body.
        .timeout(Duration::from_secs(2))
        .build()
        .unwrap();
    let directory = tempfile::tempdir().unwrap();
    let path = directory.path().join("download.bin");
    let before = peak_kib();
    let started = Instant::now();
    let written = client
        .call_byte_stream::<serde_json::Value>(Request::new("download", Method::GET, "/file", 3))
        .await
        .unwrap()
        .into_inner()
        .to_file(&path)
        .await
        .unwrap();
    let elapsed = started.elapsed();
    assert_eq!(std::fs::metadata(&path).unwrap().len(), written);
    let growth = before
        .zip(peak_kib())
        .map(|(before, after)| after.saturating_sub(before));
    (written, growth, elapsed)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_download_streams_to_disk_with_flat_memory() {
    let total = 64 * 1024 * 1024;
    let (written, growth, _) = download(total).await;
    assert_eq!(written, total as u64);
    if let Some(growth) = growth {
        assert!(
            growth < 24 * 1024,
            "peak memory grew by {growth} KiB for a 64 MiB body"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "streams 1 GiB through a local server (a few seconds); run with --ignored for the figure"]
async fn a_one_gigabyte_download_streams_to_disk_with_flat_memory() {
    let total = 1024 * 1024 * 1024;
    let (written, growth, elapsed) = download(total).await;
    assert_eq!(written, total as u64);
    println!(
        "1 GiB downloaded to disk in {:.1} s; peak resident memory grew by {} KiB",
        elapsed.as_secs_f64(),
        growth.map_or("?".to_owned(), |growth| growth.to_string())
    );
    if let Some(growth) = growth {
        assert!(
            growth < 32 * 1024,
            "peak memory grew by {growth} KiB for a 1 GiB body"
        );
    }
}

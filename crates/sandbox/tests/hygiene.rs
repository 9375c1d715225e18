//! Connection hygiene: slow and idle clients cannot hold the sandbox.

// Test fixtures unwrap: a failure there is a failed test.
#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::time::Duration;

use sdkgen_sandbox::{Key, Mount, Plan, Sandbox, Settings};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

async fn start(settings: Settings) -> String {
    let spec = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../specs/v1/1.1.0.yaml");
    let api = sdkgen_loader::load_file(spec).unwrap();
    let settings = Settings {
        keys: vec![Key {
            token: "key".into(),
            organization: "org".into(),
            plan: Plan::Enterprise,
        }],
        ..settings
    };
    let sandbox = Sandbox::open(vec![Mount::at_root(api, "v1")], &settings).unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap().to_string();
    let router = sandbox.router(&settings);
    tokio::spawn(async move {
        sdkgen_sandbox::serve_router(listener, router, &settings)
            .await
            .unwrap()
    });
    address
}

/// A normal client's request, which must be answered within a second.
async fn served_within_a_second(address: &str) {
    let client = reqwest::Client::new();
    let response = tokio::time::timeout(
        Duration::from_secs(1),
        client
            .get(format!("http://{address}/organization"))
            .bearer_auth("key")
            .send(),
    )
    .await
    .expect("answered within a second")
    .unwrap();
    assert_eq!(response.status(), 200);
}

/// Whether the server closes `stream` within `limit` (reading until the end; an answer such as
/// a 408 may come first).
async fn closed_within(stream: &mut TcpStream, limit: Duration) -> bool {
    let mut buffer = Vec::new();
    tokio::time::timeout(limit, stream.read_to_end(&mut buffer))
        .await
        .is_ok()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_and_idle_connections_past_the_cap_do_not_deny_service() {
    let address = start(Settings {
        max_connections: 16,
        max_connections_per_address: 12,
        // Long: here the caps, not the timeout, must make room.
        header_read_timeout: Duration::from_secs(30),
        ..Settings::default()
    })
    .await;
    let mut held = Vec::new();
    for index in 0..40 {
        let mut stream = TcpStream::connect(&address).await.unwrap();
        if index % 2 == 0 {
            // Slow: headers begun, never finished.
            stream
                .write_all(b"GET /organization HTTP/1.1\r\nhost: x\r\nx-slow: ")
                .await
                .unwrap();
        }
        held.push(stream);
    }
    served_within_a_second(&address).await;
    // Again, with the held connections still open on this side.
    served_within_a_second(&address).await;
    // The oldest were shed to make room: the server closed them.
    assert!(closed_within(&mut held[0], Duration::from_secs(2)).await);
    assert!(closed_within(&mut held[1], Duration::from_secs(2)).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_drips_its_headers_is_cut_off() {
    let address = start(Settings {
        header_read_timeout: Duration::from_millis(300),
        ..Settings::default()
    })
    .await;
    let mut stream = TcpStream::connect(&address).await.unwrap();
    stream
        .write_all(b"GET /organization HTTP/1.1\r\n")
        .await
        .unwrap();
    // A header byte every 50 ms, until the server hangs up (bounded: 100 bytes, 5 s).
    let dripping = async {
        for _ in 0..100 {
            if stream.write_all(b"x").await.is_err() {
                return true;
            }
            let mut byte = [0_u8; 1];
            if let Ok(read) =
                tokio::time::timeout(Duration::from_millis(50), stream.read(&mut byte)).await
            {
                // The end of the stream (or an error answer): cut off.
                return read.map_or(true, |count| count == 0 || byte[0] == b'H');
            }
        }
        false
    };
    assert!(
        tokio::time::timeout(Duration::from_secs(5), dripping)
            .await
            .unwrap_or(false),
        "cut off"
    );
    // A connection that sends nothing at all is closed too.
    let mut silent = TcpStream::connect(&address).await.unwrap();
    assert!(closed_within(&mut silent, Duration::from_secs(3)).await);
    served_within_a_second(&address).await;
}

/// Uploads `size` bytes as an attachment; its id.
async fn upload(address: &str, size: usize) -> String {
    let client = reqwest::Client::new();
    let url = format!("http://{address}");
    let project: serde_json::Value = client
        .post(format!("{url}/projects"))
        .bearer_auth("key")
        .json(&serde_json::json!({"name": "p"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let task: serde_json::Value = client
        .post(format!(
            "{url}/projects/{}/tasks",
            project["id"].as_str().unwrap()
        ))
        .bearer_auth("key")
        .json(&serde_json::json!({"title": "t"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(vec![b'z'; size]).file_name("big.bin"),
    );
    let attachment: serde_json::Value = client
        .post(format!(
            "{url}/tasks/{}/attachments",
            task["id"].as_str().unwrap()
        ))
        .bearer_auth("key")
        .multipart(form)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    attachment["id"].as_str().unwrap().to_owned()
}

/// Asks for an attachment's bytes on a raw connection and reads the first kilobyte.
async fn start_download(address: &str, attachment: &str) -> (TcpStream, Vec<u8>) {
    let mut reader = TcpStream::connect(address).await.unwrap();
    reader
        .write_all(
            format!(
                "GET /attachments/{attachment}/content HTTP/1.1\r\nhost: x\r\nauthorization: Bearer key\r\nconnection: close\r\n\r\n"
            )
            .as_bytes(),
        )
        .await
        .unwrap();
    let mut start = vec![0_u8; 1024];
    reader.read_exact(&mut start).await.unwrap();
    (reader, start)
}

/// The length of the body in an HTTP answer read whole.
fn body_length(answer: &[u8]) -> usize {
    let body_at = answer
        .windows(4)
        .position(|window| window == b"\r\n\r\n")
        .unwrap()
        + 4;
    answer.len() - body_at
}

/// More than the sockets on both sides buffer, so the answer waits on its reader.
const BIG: usize = 15 * 1024 * 1024;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_reader_of_a_long_answer_is_busy_not_idle() {
    let address = start(Settings {
        max_connections: 8,
        max_connections_per_address: 8,
        ..Settings::default()
    })
    .await;
    let attachment = upload(&address, BIG).await;
    let (mut reader, start) = start_download(&address, &attachment).await;
    // Past the cap while the answer is still being read.
    let mut held = Vec::new();
    for _ in 0..16 {
        held.push(TcpStream::connect(&address).await.unwrap());
    }
    served_within_a_second(&address).await;
    let mut rest = Vec::new();
    tokio::time::timeout(Duration::from_secs(10), reader.read_to_end(&mut rest))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        body_length(&[start, rest].concat()),
        BIG,
        "the whole answer arrived"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reader_that_stops_reading_is_cut_off() {
    let address = start(Settings {
        send_timeout: Duration::from_millis(300),
        ..Settings::default()
    })
    .await;
    let attachment = upload(&address, BIG).await;
    let (mut reader, start) = start_download(&address, &attachment).await;
    // Stop reading for longer than the send timeout, then read what was sent.
    tokio::time::sleep(Duration::from_secs(1)).await;
    let mut rest = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(10), reader.read_to_end(&mut rest))
        .await
        .unwrap();
    assert!(body_length(&[start, rest].concat()) < BIG, "cut off");
}

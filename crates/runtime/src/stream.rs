//! Streamed responses: the bytes of a download as they arrive ([`ByteStream`]), and the typed
//! events of a `text/event-stream` answer ([`EventStream`]). Both bound the time between two
//! chunks, not the whole stream, so a long download or a chat that streams for minutes is not
//! cut by the client's timeout; and neither buffers more than the client's
//! `max_response_bytes` (a whole body for [`ByteStream::bytes`], one event for an event
//! stream), so a hostile server cannot grow memory without end.

use std::path::Path;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use eventsource_stream::{EventStreamError, Eventsource};
use futures_util::stream::{self, BoxStream, StreamExt};
use futures_util::{Stream, TryStreamExt};
use reqwest::StatusCode;
use serde::de::DeserializeOwned;
use tokio::io::{AsyncWrite, AsyncWriteExt};

use crate::error::Error;

/// The chunks of a body, each within `idle` of the one before: the timeout between chunks.
fn timed_chunks<E: Send + 'static>(
    operation: &'static str,
    response: reqwest::Response,
    idle: Duration,
) -> BoxStream<'static, Result<Bytes, Error<E>>> {
    let chunks = response.bytes_stream();
    stream::unfold(Some(chunks), move |state| async move {
        let mut chunks = state?;
        match tokio::time::timeout(idle, chunks.next()).await {
            Ok(Some(Ok(chunk))) => Some((Ok(chunk), Some(chunks))),
            Ok(Some(Err(source))) => Some((Err(Error::Transport { operation, source }), None)),
            Ok(None) => None,
            Err(_) => Some((
                Err(Error::Timeout {
                    operation,
                    after: idle,
                }),
                None,
            )),
        }
    })
    .boxed()
}

/// The body of a response as a stream of chunks, as they arrive: what `send()` returns for
/// binary responses. Write it to a file with [`ByteStream::to_file`] (memory stays flat), or
/// buffer it with [`ByteStream::bytes`]. An error (a broken connection, no chunk within the
/// timeout) is the stream's last item.
pub struct ByteStream<E = serde_json::Value> {
    operation: &'static str,
    content_length: Option<u64>,
    max_bytes: usize,
    chunks: BoxStream<'static, Result<Bytes, Error<E>>>,
}

impl<E> std::fmt::Debug for ByteStream<E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ByteStream")
            .field("operation", &self.operation)
            .field("content_length", &self.content_length)
            .finish_non_exhaustive()
    }
}

impl<E: Send + 'static> ByteStream<E> {
    pub(crate) fn new(
        operation: &'static str,
        response: reqwest::Response,
        idle: Duration,
        max_bytes: usize,
    ) -> Self {
        ByteStream {
            operation,
            content_length: response.content_length(),
            max_bytes,
            chunks: timed_chunks(operation, response, idle),
        }
    }

    /// A stream over chunks from elsewhere (tests, adapters).
    pub fn from_stream(
        operation: &'static str,
        chunks: impl Stream<Item = Result<Bytes, Error<E>>> + Send + 'static,
    ) -> Self {
        ByteStream {
            operation,
            content_length: None,
            max_bytes: usize::MAX,
            chunks: chunks.boxed(),
        }
    }

    /// The length the server announced (`Content-Length`), if it did.
    pub fn content_length(&self) -> Option<u64> {
        self.content_length
    }

    /// The whole body in memory: the buffered convenience. Bodies larger than the client's
    /// `max_response_bytes` are refused ([`Error::ResponseTooLarge`]); stream those instead.
    pub async fn bytes(mut self) -> Result<Bytes, Error<E>> {
        let (operation, limit) = (self.operation, self.max_bytes);
        if self
            .content_length
            .is_some_and(|length| length > limit as u64)
        {
            return Err(Error::ResponseTooLarge { operation, limit });
        }
        let mut body = BytesMut::new();
        while let Some(chunk) = self.chunks.next().await {
            let chunk = chunk?;
            if body.len().saturating_add(chunk.len()) > limit {
                return Err(Error::ResponseTooLarge { operation, limit });
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body.freeze())
    }

    /// Writes the body to `writer` chunk by chunk, and returns the number of bytes written.
    pub async fn write_to<W: AsyncWrite + Unpin>(
        mut self,
        writer: &mut W,
    ) -> Result<u64, Error<E>> {
        let operation = self.operation;
        let mut written = 0u64;
        while let Some(chunk) = self.chunks.next().await {
            let chunk = chunk?;
            writer.write_all(&chunk).await.map_err(|source| Error::Io {
                operation,
                message: "cannot write the download".to_owned(),
                source,
            })?;
            written += chunk.len() as u64;
        }
        writer.flush().await.map_err(|source| Error::Io {
            operation,
            message: "cannot write the download".to_owned(),
            source,
        })?;
        Ok(written)
    }

    /// Writes the body to a file (created or truncated), chunk by chunk, and returns the number
    /// of bytes written. Memory stays flat however large the body.
    pub async fn to_file(self, path: impl AsRef<Path>) -> Result<u64, Error<E>> {
        let path = path.as_ref();
        let mut file = tokio::fs::File::create(path)
            .await
            .map_err(|source| Error::Io {
                operation: self.operation,
                message: format!("cannot create {}", path.display()),
                source,
            })?;
        self.write_to(&mut file).await
    }
}

impl<E> Stream for ByteStream<E> {
    type Item = Result<Bytes, Error<E>>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.chunks.poll_next_unpin(cx)
    }
}

/// The data of a `text/event-stream` answer, event by event, each decoded into `T` (the
/// event data's schema, or `String`): what `send()` returns for streaming operations.
///
/// - An event whose data does not decode is an [`Error::Decode`] item, and the stream goes on.
/// - The `data: [DONE]` sentinel ends the stream, as the server closing it does.
/// - No event within the timeout ([`Error::Timeout`]), a broken connection, a stream that does
///   not parse or an event larger than the client's `max_response_bytes`
///   ([`Error::Stream`]) is the last item.
///
/// The call's points were charged once, when it was sent.
pub struct EventStream<T, E = serde_json::Value> {
    events: BoxStream<'static, Result<T, Error<E>>>,
}

impl<T, E> std::fmt::Debug for EventStream<T, E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EventStream").finish_non_exhaustive()
    }
}

/// How the data of one event becomes a `T`.
pub type DecodeEvent<T> = fn(&str) -> Result<T, serde_json::Error>;

/// Decodes an event's data as JSON.
pub fn json_event<T: DeserializeOwned>(data: &str) -> Result<T, serde_json::Error> {
    serde_json::from_str(data)
}

/// Keeps an event's data as text.
pub fn text_event(data: &str) -> Result<String, serde_json::Error> {
    Ok(data.to_owned())
}

impl<T: Send + 'static, E: Send + 'static> EventStream<T, E> {
    pub(crate) fn new(
        operation: &'static str,
        status: StatusCode,
        response: reqwest::Response,
        idle: Duration,
        max_event_bytes: usize,
        decode: DecodeEvent<T>,
    ) -> Self {
        let chunks = timed_chunks::<E>(operation, response, idle);
        Self::from_chunks(operation, status, chunks, max_event_bytes, decode)
    }

    /// Events parsed from chunks of an event stream (the server's answer, or any other).
    pub fn from_chunks(
        operation: &'static str,
        status: StatusCode,
        chunks: impl Stream<Item = Result<Bytes, Error<E>>> + Send + 'static,
        max_event_bytes: usize,
        decode: DecodeEvent<T>,
    ) -> Self {
        let guarded = guard_event_size(operation, chunks, max_event_bytes);
        let events = guarded
            .eventsource()
            .map(move |event| match event {
                Ok(event) => {
                    if event.data.trim() == "[DONE]" {
                        return Step::Done;
                    }
                    Step::Item(decode(&event.data).map_err(|source| Error::Decode {
                        operation,
                        status,
                        source,
                        body: Bytes::from(event.data),
                    }))
                }
                Err(EventStreamError::Transport(error)) => Step::Last(error),
                // The parser keeps the input it could not read: nothing after it can be read.
                Err(EventStreamError::Utf8(error)) => Step::Last(Error::Stream {
                    operation,
                    message: format!("an event is not UTF-8: {error}"),
                }),
                Err(EventStreamError::Parser(error)) => Step::Last(Error::Stream {
                    operation,
                    message: format!("the event stream does not parse: {error:?}"),
                }),
            })
            .scan(false, |ended, step| {
                if *ended {
                    return futures_util::future::ready(None);
                }
                futures_util::future::ready(match step {
                    Step::Item(item) => Some(Some(item)),
                    Step::Done => None,
                    Step::Last(error) => {
                        *ended = true;
                        Some(Some(Err(error)))
                    }
                })
            })
            .filter_map(futures_util::future::ready)
            .boxed();
        EventStream { events }
    }
}

enum Step<T, E> {
    Item(Result<T, Error<E>>),
    Done,
    Last(Error<E>),
}

/// Fails the stream when an event grows past `limit` bytes: the parser buffers an event until
/// its blank line, so a server that never sends one would otherwise grow memory without end.
fn guard_event_size<E: Send + 'static>(
    operation: &'static str,
    chunks: impl Stream<Item = Result<Bytes, Error<E>>> + Send + 'static,
    limit: usize,
) -> impl Stream<Item = Result<Bytes, Error<E>>> + Send + 'static {
    // Bytes since the last blank line, whether the last byte ended a line, and whether it was
    // a CR (lines end with CRLF, LF or a bare CR; the LF of a CRLF ends no second line).
    let mut since_boundary = 0usize;
    let mut at_line_start = false;
    let mut after_cr = false;
    let mut failed = false;
    // Whether the stream's last byte was a CR: a line ending, which the parser only takes as
    // one once it sees that no LF follows; at the end of the stream an LF makes it sure.
    let ended_with_cr = Arc::new(AtomicBool::new(false));
    let last_byte_cr = Arc::clone(&ended_with_cr);
    let flush = futures_util::stream::once(async move {
        ended_with_cr
            .load(Ordering::Relaxed)
            .then(|| Ok(Bytes::from_static(b"\n")))
    })
    .filter_map(futures_util::future::ready);
    chunks
        .map(move |chunk| {
            let chunk = chunk?;
            for byte in chunk.iter().copied() {
                let ends_line = match byte {
                    b'\n' => !std::mem::take(&mut after_cr),
                    b'\r' => {
                        after_cr = true;
                        true
                    }
                    _ => {
                        after_cr = false;
                        at_line_start = false;
                        since_boundary += 1;
                        false
                    }
                };
                if ends_line {
                    if at_line_start {
                        since_boundary = 0;
                    }
                    at_line_start = true;
                }
                if since_boundary > limit {
                    return Err(Error::Stream {
                        operation,
                        message: format!("an event is larger than the limit of {limit} bytes"),
                    });
                }
            }
            if !chunk.is_empty() {
                last_byte_cr.store(after_cr, Ordering::Relaxed);
            }
            Ok(chunk)
        })
        .take_while(move |item| {
            let go = !failed;
            failed |= item.is_err();
            futures_util::future::ready(go)
        })
        .chain(flush)
}

impl<T, E> Stream for EventStream<T, E> {
    type Item = Result<T, Error<E>>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.events.poll_next_unpin(cx)
    }
}

impl<T, E> EventStream<T, E> {
    /// Every event, collected (the stream must end: a `[DONE]`, or the server closing it).
    pub async fn collect_all(self) -> Vec<Result<T, Error<E>>> {
        self.events.collect().await
    }

    /// The successfully decoded events until the first error, which is returned instead.
    pub async fn try_collect_all(self) -> Result<Vec<T>, Error<E>> {
        self.events.try_collect().await
    }
}

/// A file to upload as one part of a multipart body: its bytes (or where to read them), its
/// file name and its content type. Servers often tell a file's type from its name, so both
/// reach them as given.
#[derive(Clone)]
pub struct FilePart {
    file_name: String,
    content_type: String,
    source: FileSource,
}

#[derive(Clone)]
pub(crate) enum FileSource {
    Bytes(Bytes),
    Path(std::path::PathBuf),
    /// Taken by the first attempt that sends it: a streamed part cannot be sent twice.
    Stream(std::sync::Arc<std::sync::Mutex<Option<StreamedFile>>>),
}

pub(crate) type StreamedFile =
    BoxStream<'static, Result<Bytes, Box<dyn std::error::Error + Send + Sync>>>;

impl std::fmt::Debug for FilePart {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let source = match &self.source {
            FileSource::Bytes(bytes) => format!("{} bytes", bytes.len()),
            FileSource::Path(path) => format!("the file {}", path.display()),
            FileSource::Stream(_) => "a stream".to_owned(),
        };
        f.debug_struct("FilePart")
            .field("file_name", &self.file_name)
            .field("content_type", &self.content_type)
            .field("source", &source)
            .finish()
    }
}

impl PartialEq for FilePart {
    fn eq(&self, other: &Self) -> bool {
        self.file_name == other.file_name
            && self.content_type == other.content_type
            && match (&self.source, &other.source) {
                (FileSource::Bytes(a), FileSource::Bytes(b)) => a == b,
                (FileSource::Path(a), FileSource::Path(b)) => a == b,
                (FileSource::Stream(a), FileSource::Stream(b)) => std::sync::Arc::ptr_eq(a, b),
                _ => false,
            }
    }
}

/// The content type a file name suggests, `application/octet-stream` when it suggests none.
pub fn guess_content_type(file_name: &str) -> String {
    mime_guess::from_path(file_name)
        .first_raw()
        .unwrap_or("application/octet-stream")
        .to_owned()
}

impl FilePart {
    /// A file from bytes in memory; the content type is guessed from the file name.
    pub fn from_bytes(file_name: impl Into<String>, bytes: impl Into<Bytes>) -> Self {
        let file_name = file_name.into();
        FilePart {
            content_type: guess_content_type(&file_name),
            file_name,
            source: FileSource::Bytes(bytes.into()),
        }
    }

    /// A file on disk, read as the request is sent (streamed, not loaded whole): the file name
    /// is the path's last component, the content type guessed from it.
    pub fn from_path(path: impl AsRef<Path>) -> Self {
        let path = path.as_ref();
        let file_name = path
            .file_name()
            .map(|name| name.to_string_lossy().into_owned())
            .unwrap_or_else(|| "file".to_owned());
        FilePart {
            content_type: guess_content_type(&file_name),
            file_name,
            source: FileSource::Path(path.to_owned()),
        }
    }

    /// A file from a stream of chunks (sent once: a request that must be retried after the
    /// stream was sent fails instead); the content type is guessed from the file name.
    pub fn from_stream<S, B, X>(file_name: impl Into<String>, chunks: S) -> Self
    where
        S: Stream<Item = Result<B, X>> + Send + 'static,
        B: Into<Bytes> + 'static,
        X: Into<Box<dyn std::error::Error + Send + Sync>> + 'static,
    {
        let file_name = file_name.into();
        let chunks: StreamedFile = chunks.map_ok(Into::into).map_err(Into::into).boxed();
        FilePart {
            content_type: guess_content_type(&file_name),
            file_name,
            source: FileSource::Stream(std::sync::Arc::new(std::sync::Mutex::new(Some(chunks)))),
        }
    }

    /// Sets the file name sent to the server.
    pub fn file_name(mut self, file_name: impl Into<String>) -> Self {
        self.file_name = file_name.into();
        self
    }

    /// Sets the content type sent to the server (instead of the guessed one).
    pub fn content_type(mut self, content_type: impl Into<String>) -> Self {
        self.content_type = content_type.into();
        self
    }

    /// The file name sent to the server.
    pub fn name(&self) -> &str {
        &self.file_name
    }

    /// The content type sent to the server.
    pub fn mime(&self) -> &str {
        &self.content_type
    }

    pub(crate) fn source(&self) -> &FileSource {
        &self.source
    }
}

/// Bytes are a file named `file` of type `application/octet-stream`, as before file parts
/// had names: set them with [`FilePart::file_name`] and [`FilePart::content_type`].
impl From<Bytes> for FilePart {
    fn from(bytes: Bytes) -> Self {
        FilePart {
            file_name: "file".to_owned(),
            content_type: "application/octet-stream".to_owned(),
            source: FileSource::Bytes(bytes),
        }
    }
}

/// A file part made from bytes serialises as its bytes (a JSON or form body that carries a
/// binary string); one read from a path or a stream cannot be serialised, and says so.
impl serde::Serialize for FilePart {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match &self.source {
            FileSource::Bytes(bytes) => serializer.serialize_bytes(bytes),
            _ => Err(serde::ser::Error::custom(
                "a file read from a path or a stream is sent only as a multipart part",
            )),
        }
    }
}

/// A binary value received (in a JSON body, for instance) is a file part of its bytes.
impl<'de> serde::Deserialize<'de> for FilePart {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Bytes::deserialize(deserializer).map(FilePart::from)
    }
}

impl FilePart {
    /// The bytes, for a file part made from bytes (not one read from a path or a stream).
    pub fn bytes(&self) -> Option<&Bytes> {
        match &self.source {
            FileSource::Bytes(bytes) => Some(bytes),
            _ => None,
        }
    }
}

impl From<Vec<u8>> for FilePart {
    fn from(bytes: Vec<u8>) -> Self {
        Bytes::from(bytes).into()
    }
}

impl From<&'static [u8]> for FilePart {
    fn from(bytes: &'static [u8]) -> Self {
        Bytes::from_static(bytes).into()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn chunks(
        parts: &[&'static str],
    ) -> impl Stream<Item = Result<Bytes, Error<()>>> + Send + 'static {
        stream::iter(
            parts
                .iter()
                .map(|part| Ok(Bytes::from_static(part.as_bytes())))
                .collect::<Vec<_>>(),
        )
    }

    #[derive(Debug, PartialEq, serde::Deserialize)]
    struct Tick {
        n: u32,
    }

    #[tokio::test]
    async fn events_decode_one_by_one_and_done_ends_the_stream() {
        let body = chunks(&[
            ": a comment\n\ndata: {\"n\":1}\n\n",
            "event: tick\ndata: {\"n\":",
            "2}\n\ndata: not json\n\n",
            "data: {\"n\":3}\r\n\r\ndata: [DONE]\n\ndata: {\"n\":4}\n\n",
        ]);
        let events: Vec<_> =
            EventStream::from_chunks("watch", StatusCode::OK, body, 1024, json_event::<Tick>)
                .collect_all()
                .await;
        assert_eq!(events.len(), 4, "{events:?}");
        assert_eq!(events[0].as_ref().unwrap(), &Tick { n: 1 });
        assert_eq!(events[1].as_ref().unwrap(), &Tick { n: 2 });
        match &events[2] {
            Err(Error::Decode { body, .. }) => assert_eq!(body, "not json"),
            other => panic!("expected a decode error, got {other:?}"),
        }
        assert_eq!(events[3].as_ref().unwrap(), &Tick { n: 3 });
    }

    #[tokio::test]
    async fn an_event_that_never_ends_is_cut_at_the_limit() {
        let endless =
            stream::repeat_with(|| Ok::<_, Error<()>>(Bytes::from_static(b"data: xxxxxxxx\n")));
        let events: Vec<_> =
            EventStream::from_chunks("watch", StatusCode::OK, endless, 4096, text_event)
                .collect_all()
                .await;
        assert_eq!(events.len(), 1);
        assert!(
            matches!(&events[0], Err(Error::Stream { message, .. }) if message.contains("larger than the limit")),
            "{events:?}"
        );
    }

    /// Many small events, their lines ended by CRLF, by LF or by a bare CR, add up to far more
    /// than the limit: each event counts alone.
    #[tokio::test]
    async fn every_line_ending_ends_events_for_the_limit() {
        for ending in ["\r\n", "\n", "\r"] {
            let event = Bytes::from(format!("data: xxxxxxxx{ending}{ending}"));
            let many = stream::iter(std::iter::repeat_n(event, 1000).map(Ok::<_, Error<()>>));
            let events = EventStream::from_chunks("watch", StatusCode::OK, many, 64, text_event)
                .try_collect_all()
                .await;
            // The last event too, though its blank line ends with the stream's last byte.
            let count = events.map(|events| events.len());
            assert!(matches!(count, Ok(1000)), "{ending:?}: {count:?}");
        }
        // An event whose blank line is the stream's last CR is complete; one without a blank
        // line is not, even when its last line ends with a CR.
        for (text, expected) in [
            ("data: a\r\r", vec!["a"]),
            ("data: a\r\rdata: b\r", vec!["a"]),
        ] {
            let events =
                EventStream::from_chunks("watch", StatusCode::OK, chunks(&[text]), 64, text_event)
                    .try_collect_all()
                    .await
                    .unwrap();
            assert_eq!(events, expected, "{text:?}");
        }
        // A CR then an LF in the next chunk is one line ending, not a blank line.
        let split = chunks(&["data: a\r", "\ndata: b\r\n\r\n"]);
        let events = EventStream::from_chunks("watch", StatusCode::OK, split, 64, text_event)
            .try_collect_all()
            .await
            .unwrap();
        assert_eq!(events, ["a\nb"]);
    }

    #[tokio::test]
    async fn text_events_keep_their_data() {
        let events = EventStream::from_chunks(
            "tail",
            StatusCode::OK,
            chunks(&["data: line one\ndata: line two\n\n"]),
            1024,
            text_event,
        )
        .try_collect_all()
        .await
        .unwrap();
        assert_eq!(events, ["line one\nline two"]);
    }

    #[tokio::test]
    async fn bytes_buffer_within_the_limit() {
        let stream = ByteStream::from_stream("download", chunks(&["ab", "cd"]));
        assert_eq!(stream.bytes().await.unwrap(), "abcd");
        let mut stream = ByteStream::from_stream("download", chunks(&["ab", "cd"]));
        stream.max_bytes = 3;
        assert!(matches!(
            stream.bytes().await,
            Err(Error::ResponseTooLarge { limit: 3, .. })
        ));
    }

    #[test]
    fn file_parts_take_their_name_and_type_from_the_path() {
        let part = FilePart::from_path("/tmp/report.pdf");
        assert_eq!(
            (part.name(), part.mime()),
            ("report.pdf", "application/pdf")
        );
        let part = FilePart::from_bytes("notes.unknownext", Bytes::from_static(b"x"));
        assert_eq!(part.mime(), "application/octet-stream");
        let part = FilePart::from_bytes("a.png", Bytes::new()).content_type("image/x-custom");
        assert_eq!((part.name(), part.mime()), ("a.png", "image/x-custom"));
    }
}

//! Serving connections with hygiene: slow clients cannot hold the server.
//!
//! - Request headers must arrive within [`Settings::header_read_timeout`] (hyper's HTTP/1
//!   header-read timeout, driven by tokio's timer); the whole request within
//!   [`Settings::request_timeout`] (a layer of the router).
//! - Connections are capped per client address and overall. At a cap, a connection that has no
//!   request in flight (idle between requests, or still sending its headers) is closed to make
//!   room, the one quiet for longest first; when every connection is busy, the new one is
//!   closed at once.
//! - An answer that waits [`Settings::send_timeout`] for the client to read more of it ends
//!   the connection: a client that stops reading cannot hold it.
//! - When accepting fails (out of file descriptors), an idle connection is shed and accepting
//!   resumes shortly.
//!
//! A handler may ask for its connection to be dropped without an answer (chaos mode) by
//! putting [`DropConnection`] in the response's extensions.

use std::collections::HashMap;
use std::future::Future;
use std::net::IpAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::http::{Request, Response};
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Notify;
use tower_service::Service;

use crate::Settings;

/// Put in a response's extensions: the connection is closed instead of answering.
#[derive(Debug, Clone, Copy)]
pub struct DropConnection;

/// The error that makes hyper close a connection without answering.
#[derive(Debug)]
struct Dropped;

impl std::fmt::Display for Dropped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped on purpose")
    }
}

impl std::error::Error for Dropped {}

struct Connection {
    address: IpAddr,
    /// Requests in flight.
    busy: Arc<AtomicUsize>,
    /// When it last finished a request or opened, as milliseconds since the tracker began.
    quiet_since: Arc<AtomicU64>,
    shed: Arc<Notify>,
}

/// The open connections, to enforce the caps.
struct Tracker {
    began: Instant,
    max_total: usize,
    max_per_address: usize,
    state: Mutex<(u64, HashMap<u64, Connection>)>,
}

/// Why a connection was not admitted.
#[derive(Debug, PartialEq, Eq)]
enum Refused {
    Full,
}

impl Tracker {
    fn new(settings: &Settings) -> Self {
        Tracker {
            began: Instant::now(),
            max_total: settings.max_connections.max(1),
            max_per_address: settings.max_connections_per_address.max(1),
            state: Mutex::new((0, HashMap::new())),
        }
    }

    fn now(&self) -> u64 {
        u64::try_from(self.began.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, (u64, HashMap<u64, Connection>)> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Closes the idle connection quiet for longest among those `filter` picks; false when
    /// every one is busy.
    fn shed_one(
        connections: &mut HashMap<u64, Connection>,
        filter: impl Fn(&Connection) -> bool,
    ) -> bool {
        let victim = connections
            .iter()
            .filter(|(_, connection)| filter(connection))
            .filter(|(_, connection)| connection.busy.load(Ordering::SeqCst) == 0)
            .min_by_key(|(id, connection)| (connection.quiet_since.load(Ordering::SeqCst), **id))
            .map(|(id, _)| *id);
        match victim.and_then(|id| connections.remove(&id)) {
            Some(connection) => {
                connection.shed.notify_one();
                true
            }
            None => false,
        }
    }

    /// Admits a connection from `address`, shedding idle ones at the caps.
    #[allow(clippy::type_complexity)]
    fn admit(
        &self,
        address: IpAddr,
    ) -> Result<(u64, Arc<AtomicUsize>, Arc<AtomicU64>, Arc<Notify>), Refused> {
        let mut guard = self.lock();
        let (next, connections) = &mut *guard;
        let from_address = connections
            .values()
            .filter(|connection| connection.address == address)
            .count();
        if from_address >= self.max_per_address
            && !Self::shed_one(connections, |connection| connection.address == address)
        {
            return Err(Refused::Full);
        }
        if connections.len() >= self.max_total && !Self::shed_one(connections, |_| true) {
            return Err(Refused::Full);
        }
        *next += 1;
        let connection = Connection {
            address,
            busy: Arc::new(AtomicUsize::new(0)),
            quiet_since: Arc::new(AtomicU64::new(self.now())),
            shed: Arc::new(Notify::new()),
        };
        let handles = (
            *next,
            Arc::clone(&connection.busy),
            Arc::clone(&connection.quiet_since),
            Arc::clone(&connection.shed),
        );
        connections.insert(*next, connection);
        Ok(handles)
    }

    fn shed_any_idle(&self) -> bool {
        Self::shed_one(&mut self.lock().1, |_| true)
    }

    fn forget(&self, id: u64) {
        self.lock().1.remove(&id);
    }

    #[cfg(test)]
    fn open(&self) -> usize {
        self.lock().1.len()
    }
}

/// Counts a request in flight while it lives.
struct InFlight {
    busy: Arc<AtomicUsize>,
    quiet_since: Arc<AtomicU64>,
    tracker: Arc<Tracker>,
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.quiet_since.store(self.tracker.now(), Ordering::SeqCst);
        self.busy.fetch_sub(1, Ordering::SeqCst);
    }
}

/// The most of an answer's body handed to hyper at once. Hyper asks for more only when it has
/// written what it had, so the request stays counted in flight (not idle, not shed) until at
/// most this much is left to send.
const CHUNK: usize = 64 * 1024;

/// A response body, handed over a chunk at a time, that keeps its request counted in flight
/// until it is all handed over or dropped.
struct Guarded {
    body: Body,
    pending: axum::body::Bytes,
    _in_flight: InFlight,
}

impl Guarded {
    fn new(body: Body, in_flight: InFlight) -> Self {
        Guarded {
            body,
            pending: axum::body::Bytes::new(),
            _in_flight: in_flight,
        }
    }

    fn next_chunk(&mut self) -> http_body::Frame<axum::body::Bytes> {
        let size = self.pending.len().min(CHUNK);
        http_body::Frame::data(self.pending.split_to(size))
    }
}

impl http_body::Body for Guarded {
    type Data = axum::body::Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        context: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Self::Data>, Self::Error>>> {
        if !self.pending.is_empty() {
            return Poll::Ready(Some(Ok(self.next_chunk())));
        }
        match Pin::new(&mut self.body).poll_frame(context) {
            Poll::Ready(Some(Ok(frame))) => match frame.into_data() {
                Ok(data) => {
                    self.pending = data;
                    Poll::Ready(Some(Ok(self.next_chunk())))
                }
                Err(frame) => Poll::Ready(Some(Ok(frame))),
            },
            other => other,
        }
    }

    fn is_end_stream(&self) -> bool {
        self.pending.is_empty() && self.body.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        let inner = self.body.size_hint();
        let pending = self.pending.len() as u64;
        let mut hint = http_body::SizeHint::new();
        if let Some(upper) = inner.upper() {
            hint.set_upper(upper.saturating_add(pending));
        }
        hint.set_lower(inner.lower().saturating_add(pending));
        hint
    }
}

/// A connection whose writes fail once one has waited `stall` for the client to read: a client
/// that stops reading its answer cannot hold its connection (counted busy) forever.
struct StallLimited {
    io: TokioIo<TcpStream>,
    stall: Duration,
    stalled_since: Option<Pin<Box<tokio::time::Sleep>>>,
}

impl StallLimited {
    fn check(
        &mut self,
        context: &mut Context<'_>,
        poll: Poll<std::io::Result<usize>>,
    ) -> Poll<std::io::Result<usize>> {
        if poll.is_ready() {
            self.stalled_since = None;
            return poll;
        }
        let stall = self.stall;
        let deadline = self
            .stalled_since
            .get_or_insert_with(|| Box::pin(tokio::time::sleep(stall)));
        if deadline.as_mut().poll(context).is_ready() {
            return Poll::Ready(Err(std::io::Error::new(
                std::io::ErrorKind::TimedOut,
                "the client stopped reading its answer",
            )));
        }
        Poll::Pending
    }
}

impl hyper::rt::Read for StallLimited {
    fn poll_read(
        mut self: Pin<&mut Self>,
        context: &mut Context<'_>,
        buffer: hyper::rt::ReadBufCursor<'_>,
    ) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.io).poll_read(context, buffer)
    }
}

impl hyper::rt::Write for StallLimited {
    fn poll_write(
        mut self: Pin<&mut Self>,
        context: &mut Context<'_>,
        buffer: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        let poll = Pin::new(&mut self.io).poll_write(context, buffer);
        self.check(context, poll)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        context: &mut Context<'_>,
        buffers: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        let poll = Pin::new(&mut self.io).poll_write_vectored(context, buffers);
        self.check(context, poll)
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }

    fn poll_flush(
        mut self: Pin<&mut Self>,
        context: &mut Context<'_>,
    ) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.io).poll_flush(context)
    }

    fn poll_shutdown(
        mut self: Pin<&mut Self>,
        context: &mut Context<'_>,
    ) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.io).poll_shutdown(context)
    }
}

/// EMFILE (the process's limit) or ENFILE (the system's), the same numbers on Linux and macOS.
fn is_out_of_descriptors(error: &std::io::Error) -> bool {
    matches!(error.raw_os_error(), Some(23 | 24))
}

/// Serves `router` on `listener` with the connection limits of `settings`, until the process
/// ends.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    settings: &Settings,
) -> std::io::Result<()> {
    let tracker = Arc::new(Tracker::new(settings));
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(settings.header_read_timeout)
        .max_buf_size(64 * 1024);
    let builder = Arc::new(builder);
    let stall = settings.send_timeout;
    loop {
        let (stream, peer) = match listener.accept().await {
            Ok(accepted) => accepted,
            Err(error) if is_out_of_descriptors(&error) => {
                // Make room and try again shortly, rather than spin or stop.
                tracing::warn!(%error, "out of file descriptors: shedding an idle connection");
                tracker.shed_any_idle();
                tokio::time::sleep(Duration::from_millis(20)).await;
                continue;
            }
            Err(error) => {
                // A connection reset before it was accepted, and the like: only that one is lost.
                tracing::debug!(%error, "accepting a connection failed");
                continue;
            }
        };
        let Ok((id, busy, quiet_since, shed)) = tracker.admit(peer.ip()) else {
            tracing::debug!(%peer, "connection refused: every connection is busy");
            drop(stream);
            continue;
        };
        let _ = stream.set_nodelay(true);
        let router = router.clone();
        let tracker = Arc::clone(&tracker);
        let builder = Arc::clone(&builder);
        tokio::spawn(async move {
            let service_tracker = Arc::clone(&tracker);
            let service = hyper::service::service_fn(move |request: Request<Incoming>| {
                busy.fetch_add(1, Ordering::SeqCst);
                let in_flight = InFlight {
                    busy: Arc::clone(&busy),
                    quiet_since: Arc::clone(&quiet_since),
                    tracker: Arc::clone(&service_tracker),
                };
                let mut router = router.clone();
                async move {
                    let response: Response<Body> =
                        match Service::call(&mut router, request.map(Body::new)).await {
                            Ok(response) => response,
                            Err(infallible) => match infallible {},
                        };
                    if response.extensions().get::<DropConnection>().is_some() {
                        return Err(Dropped);
                    }
                    // Busy until the answer's body is sent: a slow reader is not idle.
                    Ok::<_, Dropped>(response.map(|body| Body::new(Guarded::new(body, in_flight))))
                }
            });
            let io = StallLimited {
                io: TokioIo::new(stream),
                stall,
                stalled_since: None,
            };
            let connection = builder.serve_connection(io, service);
            tokio::select! {
                _ = connection => {}
                () = shed.notified() => {}
            }
            tracker.forget(id);
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tracker(total: usize, per_address: usize) -> Tracker {
        Tracker::new(&Settings {
            max_connections: total,
            max_connections_per_address: per_address,
            ..Settings::default()
        })
    }

    #[test]
    fn idle_connections_are_shed_first_and_busy_ones_never() {
        let tracker = tracker(2, 10);
        let local: IpAddr = [127, 0, 0, 1].into();
        let (first, first_busy, _, first_shed) = tracker.admit(local).expect("room");
        let (_, second_busy, _, _) = tracker.admit(local).expect("room");
        first_busy.store(1, Ordering::SeqCst);
        // Full: the idle second goes, not the busy first.
        let (third, third_busy, _, _) = tracker.admit(local).expect("an idle one is shed");
        assert_eq!(tracker.open(), 2);
        second_busy.store(0, Ordering::SeqCst);
        third_busy.store(1, Ordering::SeqCst);
        assert!(matches!(tracker.admit(local), Err(Refused::Full)));
        first_busy.store(0, Ordering::SeqCst);
        tracker.admit(local).expect("the first is idle now");
        // The first was told to close.
        let notified = first_shed.notified();
        tokio::pin!(notified);
        assert!(notified.as_mut().enable());
        tracker.forget(first);
        tracker.forget(third);
        assert_eq!(tracker.open(), 1);
    }

    #[test]
    fn running_out_of_descriptors_is_told_from_other_accept_errors() {
        assert!(is_out_of_descriptors(&std::io::Error::from_raw_os_error(
            24
        )));
        assert!(is_out_of_descriptors(&std::io::Error::from_raw_os_error(
            23
        )));
        assert!(!is_out_of_descriptors(&std::io::Error::from(
            std::io::ErrorKind::ConnectionAborted
        )));
    }

    #[test]
    fn each_address_has_its_own_cap() {
        let tracker = tracker(10, 1);
        let (_, busy, _, _) = tracker.admit([10, 0, 0, 1].into()).expect("room");
        busy.store(1, Ordering::SeqCst);
        assert!(matches!(
            tracker.admit([10, 0, 0, 1].into()),
            Err(Refused::Full)
        ));
        tracker
            .admit([10, 0, 0, 2].into())
            .expect("another address");
        assert!(tracker.shed_any_idle());
        assert!(!tracker.shed_any_idle());
    }
}

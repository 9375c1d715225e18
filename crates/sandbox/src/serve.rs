//! Serving connections with hygiene: slow clients cannot hold the server.
//!
//! - Request headers must arrive within [`Settings::header_read_timeout`] (hyper's HTTP/1
//!   header-read timeout, driven by tokio's timer); the whole request within
//!   [`Settings::request_timeout`] (a layer of the router).
//! - Connections are capped per client address and overall. At a cap, a connection that has no
//!   request in flight (idle between requests, or still sending its headers) is closed to make
//!   room, the one quiet for longest first; when every connection is busy, the new one is
//!   closed at once.
//! - When accepting fails (out of file descriptors), an idle connection is shed and accepting
//!   resumes shortly.
//!
//! A handler may ask for its connection to be dropped without an answer (chaos mode) by
//! putting [`DropConnection`] in the response's extensions.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::http::{Request, Response};
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;
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
    loop {
        let (stream, peer) = match listener.accept().await {
            Ok(accepted) => accepted,
            Err(error) => {
                // Out of file descriptors (or a connection reset before it was accepted):
                // make room and try again shortly, rather than spin or stop.
                tracing::warn!(%error, "accepting a connection failed");
                tracker.shed_any_idle();
                tokio::time::sleep(Duration::from_millis(20)).await;
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
                    drop(in_flight);
                    if response.extensions().get::<DropConnection>().is_some() {
                        return Err(Dropped);
                    }
                    Ok::<_, Dropped>(response)
                }
            });
            let connection = builder.serve_connection(TokioIo::new(stream), service);
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

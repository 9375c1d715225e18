//! The client: sends [`Request`]s through the budget, with bearer auth and retries.

use std::sync::Arc;
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use tokio::time::Instant;
use tracing::Instrument;

use crate::budget::{Budget, BudgetMode, BudgetSnapshot, Permit, StoreError, Throttling};
use crate::error::{Error, ErrorBody, ServerMessage};
use crate::headers::{RateLimitHeaders, capped_wait};
use crate::request::{Body, Request};
use crate::response::{RawResponse, ResponseFuture, ResponseValue};
use crate::retry::{Decision, Outcome, RetryBudget, RetryPolicy, StopReason};
use crate::stream::{ByteStream, DecodeEvent, EventStream, FilePart, FileSource};
use crate::token::BearerToken;

/// A client of the API. Cheap to clone: clones share the connection pool and the budget.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) http: reqwest::Client,
    pub(crate) base_url: String,
    pub(crate) token: Option<BearerToken>,
    pub(crate) budget: Arc<Budget>,
    pub(crate) retry: RetryPolicy,
    pub(crate) retry_budget: std::sync::Mutex<RetryBudget>,
    pub(crate) throttling: Throttling,
    pub(crate) budget_mode: BudgetMode,
    pub(crate) timeout: Duration,
    pub(crate) max_budget_wait: Duration,
    pub(crate) max_response_bytes: usize,
    pub(crate) reset_margin: Duration,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.inner.base_url)
            .field("token", &self.inner.token)
            .field("budget", &self.inner.budget)
            .finish_non_exhaustive()
    }
}

/// Whether a successful body is read before the call returns, or handed over unread.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Buffered,
    Streamed,
}

/// A successful answer: its body read (buffered calls, and any error), or not yet (streams).
struct Answered {
    status: StatusCode,
    headers: HeaderMap,
    body: Received,
}

enum Received {
    Read(Bytes),
    Live(reqwest::Response),
}

/// When an attempt last made progress (it started, or sent a chunk of a streamed upload): the
/// timeout bounds the time since, so a large upload is not cut by the timeout but a stalled one
/// is, and the wait for the answer after the last chunk is bounded as any.
#[derive(Clone)]
struct Progress(Arc<std::sync::Mutex<Instant>>);

impl Progress {
    fn new() -> Self {
        Progress(Arc::new(std::sync::Mutex::new(Instant::now())))
    }

    fn last(&self) -> Instant {
        *self
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn touch(&self) {
        *self
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = Instant::now();
    }

    /// The chunks of `stream`, each touching the progress as it is taken to be sent.
    fn track<S: futures_util::Stream + Send + 'static>(
        &self,
        stream: S,
    ) -> impl futures_util::Stream<Item = S::Item> + Send + 'static {
        let progress = self.clone();
        futures_util::StreamExt::inspect(stream, move |_| progress.touch())
    }

    /// `future`'s output, or `None` when `timeout` passes without progress.
    async fn within<F: std::future::Future>(
        &self,
        timeout: Duration,
        future: F,
    ) -> Option<F::Output> {
        let mut future = std::pin::pin!(future);
        loop {
            // A timeout too long to add to an instant never passes.
            let Some(deadline) = self.last().checked_add(timeout) else {
                return Some(future.await);
            };
            tokio::select! {
                output = &mut future => return Some(output),
                () = tokio::time::sleep_until(deadline) => {
                    if self.last().checked_add(timeout).is_some_and(|deadline| deadline <= Instant::now()) {
                        return None;
                    }
                }
            }
        }
    }
}

/// How long the gate closes after a 429 that says nothing of when to come back.
const DEFAULT_429_WAIT: Duration = Duration::from_secs(1);

impl Client {
    pub(crate) fn from_inner(inner: Inner) -> Self {
        Client {
            inner: Arc::new(inner),
        }
    }

    /// The base URL requests go to.
    pub fn base_url(&self) -> &str {
        &self.inner.base_url
    }

    /// A snapshot of the organisation's budget: limit, remaining, reset, in flight, waiting.
    pub async fn budget(&self) -> Result<BudgetSnapshot, StoreError> {
        self.inner.budget.snapshot().await
    }

    /// How the client keeps under the rate limit.
    pub fn throttling(&self) -> Throttling {
        self.inner.throttling
    }

    /// The tokens left in the client's retry budget (see [`crate::retry::RetryBudget`]).
    pub fn retry_tokens(&self) -> u32 {
        self.lock_retry_budget().tokens(Instant::now())
    }

    fn lock_retry_budget(&self) -> std::sync::MutexGuard<'_, RetryBudget> {
        self.inner
            .retry_budget
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The budget itself (shared by every client of the organisation in this process).
    pub fn budget_handle(&self) -> &Arc<Budget> {
        &self.inner.budget
    }

    /// Sends a request: reserves its points, sends it with the bearer token, reconciles the
    /// budget with the response's headers, retries per the policy, and returns the successful
    /// response with its body read. Error bodies are decoded into `E` when they match.
    pub async fn execute<E: DeserializeOwned>(
        &self,
        request: Request,
    ) -> Result<RawResponse, Error<E>> {
        let operation = request.operation;
        let received = self.execute_mode::<E>(request, Mode::Buffered).await?;
        let body = match received.body {
            Received::Read(body) => body,
            Received::Live(response) => {
                self.read_body(operation, response, self.inner.timeout, true)
                    .await?
            }
        };
        Ok(RawResponse {
            operation,
            status: received.status,
            headers: received.headers,
            body,
        })
    }

    /// Sends a request like [`Client::execute`] (budget, retries until a success status) but
    /// leaves a successful body unread: the response is returned as soon as its headers are,
    /// and the request's timeout bounds the wait for them, then each wait for a chunk.
    async fn execute_streamed<E: DeserializeOwned>(
        &self,
        request: Request,
    ) -> Result<(Answered, Duration), Error<E>> {
        let idle = request.timeout.unwrap_or(self.inner.timeout);
        Ok((self.execute_mode(request, Mode::Streamed).await?, idle))
    }

    /// Sends a request whose success is a download: its body as a [`ByteStream`]. Like every
    /// `call_*`, the future owns a clone of the client, so it is `'static`.
    pub fn call_byte_stream<'a, E>(&self, request: Request) -> ResponseFuture<'a, ByteStream<E>, E>
    where
        E: DeserializeOwned + Send + 'static,
    {
        let client = self.clone();
        Box::pin(async move {
            let operation = request.operation;
            let (answered, idle) = client.execute_streamed::<E>(request).await?;
            let stream = match answered.body {
                Received::Live(response) => {
                    ByteStream::new(operation, response, idle, client.inner.max_response_bytes)
                }
                Received::Read(body) => {
                    ByteStream::from_stream(operation, futures_util::stream::iter([Ok(body)]))
                }
            };
            Ok(ResponseValue::new(
                answered.status,
                answered.headers,
                stream,
            ))
        })
    }

    /// Sends a request whose success is a `text/event-stream`: its events, each decoded by
    /// `decode` ([`crate::stream::json_event`] or [`crate::stream::text_event`]). The call's
    /// points are charged once, when it is sent; the timeout bounds each wait for an event.
    pub fn call_events<'a, T, E>(
        &self,
        request: Request,
        decode: DecodeEvent<T>,
    ) -> ResponseFuture<'a, EventStream<T, E>, E>
    where
        T: Send + 'static,
        E: DeserializeOwned + Send + 'static,
    {
        let client = self.clone();
        Box::pin(async move {
            let operation = request.operation;
            let (answered, idle) = client.execute_streamed::<E>(request).await?;
            let limit = client.inner.max_response_bytes;
            let events = match answered.body {
                Received::Live(response) => {
                    EventStream::new(operation, answered.status, response, idle, limit, decode)
                }
                Received::Read(body) => EventStream::from_chunks(
                    operation,
                    answered.status,
                    futures_util::stream::iter([Ok(body)]),
                    limit,
                    decode,
                ),
            };
            Ok(ResponseValue::new(
                answered.status,
                answered.headers,
                events,
            ))
        })
    }

    async fn execute_mode<E: DeserializeOwned>(
        &self,
        request: Request,
        mode: Mode,
    ) -> Result<Answered, Error<E>> {
        let span = tracing::info_span!(
            "sdk.request",
            operation = request.operation,
            method = %request.method,
            points = request.points,
            attempt = tracing::field::Empty,
            budget_wait_ms = tracing::field::Empty,
            status = tracing::field::Empty,
        );
        self.execute_in_span(request, mode).instrument(span).await
    }

    /// Sends a request and decodes a JSON body: what generated `send()` methods return. The
    /// future owns a clone of the client (clones are cheap), so it is `'static` and can be
    /// spawned.
    pub fn call_json<'a, T, E>(&self, request: Request) -> ResponseFuture<'a, T, E>
    where
        T: DeserializeOwned + Send + 'a,
        E: DeserializeOwned + Send + 'a,
    {
        let client = self.clone();
        Box::pin(async move { client.execute::<E>(request).await?.json() })
    }

    /// Sends a request whose success has no body.
    pub fn call_empty<'a, E>(&self, request: Request) -> ResponseFuture<'a, (), E>
    where
        E: DeserializeOwned + Send + 'a,
    {
        let client = self.clone();
        Box::pin(async move { Ok(client.execute::<E>(request).await?.empty()) })
    }

    /// Sends a request whose success is bytes.
    pub fn call_bytes<'a, E>(&self, request: Request) -> ResponseFuture<'a, Bytes, E>
    where
        E: DeserializeOwned + Send + 'a,
    {
        let client = self.clone();
        Box::pin(async move { Ok(client.execute::<E>(request).await?.bytes()) })
    }

    /// Sends a request whose success is text.
    pub fn call_text<'a, E>(&self, request: Request) -> ResponseFuture<'a, String, E>
    where
        E: DeserializeOwned + Send + 'a,
    {
        let client = self.clone();
        Box::pin(async move { Ok(client.execute::<E>(request).await?.text()) })
    }

    async fn execute_in_span<E: DeserializeOwned>(
        &self,
        request: Request,
        mode: Mode,
    ) -> Result<Answered, Error<E>> {
        if let Some(message) = request.problem.clone() {
            return Err(Error::InvalidRequest {
                operation: request.operation,
                message,
            });
        }
        let policy = &self.inner.retry;
        let opted_in =
            policy.idempotency_keys && matches!(request.method, Method::POST | Method::PATCH);
        let has_key = request
            .headers
            .iter()
            .any(|(name, _)| name.eq_ignore_ascii_case(sdkgen_policy::headers::IDEMPOTENCY_KEY));
        let idempotency_key =
            ((request.declares_idempotency_key || opted_in) && !has_key).then(new_idempotency_key);
        // Replaying a request the server may have acted on is safe only when the method is
        // idempotent, or the API promised to honour the key (the operation declares it, or
        // the user said so for every write).
        let replayable =
            is_idempotent(&request.method) || request.declares_idempotency_key || opted_in;
        let timeout = request.timeout.unwrap_or(self.inner.timeout);
        // A wait for the budget is bounded (by the request's own timeout, by default): beyond
        // that, the call fails at once with the wait instead of hanging. A 429 pause never
        // lasts longer than the policy's cap anyway.
        let max_wait = match request.timeout {
            Some(timeout) => timeout.min(self.inner.max_budget_wait),
            None => self.inner.max_budget_wait,
        };
        // Nor does a retry wait for the server longer than that: the call fails at once with
        // the server's wait, as the calls held by the gate do.
        let call_policy = RetryPolicy {
            max_retry_after: policy.max_retry_after.min(max_wait),
            ..policy.clone()
        };
        let points = match self.inner.throttling {
            Throttling::Points => request.points,
            Throttling::Reactive => 0,
        };
        let mut waited = Duration::ZERO;
        let mut attempt = 0;
        loop {
            attempt += 1;
            let span = tracing::Span::current();
            span.record("attempt", attempt);
            let permit = self
                .inner
                .budget
                .acquire_within(points, request.priority, self.inner.budget_mode, max_wait)
                .await
                .map_err(|source| Error::Budget {
                    operation: request.operation,
                    source,
                })?;
            waited += permit.waited();
            span.record(
                "budget_wait_ms",
                u64::try_from(waited.as_millis()).unwrap_or(u64::MAX),
            );
            let (result, outcome) = self
                .attempt(&request, permit, idempotency_key.as_deref(), timeout, mode)
                .await;
            let now = Instant::now();
            if result.is_ok() {
                self.lock_retry_budget().succeeded(now);
            }
            let decision = call_policy.decide(
                attempt,
                outcome,
                replayable,
                &mut self.lock_retry_budget(),
                now,
                fastrand::f64(),
            );
            match (decision, result) {
                (Decision::Retry { after }, Err(error)) => {
                    tracing::info!(
                        attempt,
                        after_ms = u64::try_from(after.as_millis()).unwrap_or(u64::MAX),
                        error = %error,
                        "retrying"
                    );
                    tokio::time::sleep(after).await;
                }
                (Decision::Stop(reason), Err(error)) => {
                    if !matches!(reason, StopReason::Final) {
                        tracing::debug!(attempt, ?reason, error = %error, "not retrying");
                    }
                    return Err(error);
                }
                (_, Ok(response)) => return Ok(response),
            }
        }
    }

    /// The window a reset may be trusted within: the budget's, when it keeps points; with no
    /// local budget, any reset is read and only the policy's cap bounds the wait.
    fn reset_bound(&self) -> Option<Duration> {
        match self.inner.throttling {
            Throttling::Points => Some(self.inner.budget.window()),
            Throttling::Reactive => None,
        }
    }

    /// One attempt: its result, and what happened as the retry policy sees it.
    async fn attempt<E: DeserializeOwned>(
        &self,
        request: &Request,
        permit: Permit,
        idempotency_key: Option<&str>,
        timeout: Duration,
        mode: Mode,
    ) -> (Result<Answered, Error<E>>, Outcome) {
        let operation = request.operation;
        let streamed = mode == Mode::Streamed;
        let progress = Progress::new();
        // A streamed answer is bounded between chunks, and a streamed upload (a file read
        // from a path or a stream) between the chunks it sends, rather than as a whole: a
        // large file must not be cut by the timeout, a stalled one must.
        let (builder, uploads) = match self.build(request, idempotency_key, &progress).await {
            Ok((builder, uploads)) if streamed || uploads => (builder, uploads),
            Ok((builder, uploads)) => (builder.timeout(timeout), uploads),
            Err(message) => {
                let _ = permit.not_sent().await;
                return (
                    Err(Error::InvalidRequest { operation, message }),
                    Outcome::Final,
                );
            }
        };
        let ours = streamed || uploads;
        let sent = if ours {
            match progress.within(timeout, builder.send()).await {
                Some(sent) => sent,
                None => {
                    drop(permit);
                    return (
                        Err(Error::Timeout {
                            operation,
                            after: timeout,
                        }),
                        Outcome::TimedOut,
                    );
                }
            }
        } else {
            builder.send().await
        };
        let response = match sent {
            Ok(response) => response,
            Err(source) => {
                return if source.is_timeout() {
                    drop(permit);
                    (
                        Err(Error::Timeout {
                            operation,
                            after: timeout,
                        }),
                        Outcome::TimedOut,
                    )
                } else if source.is_connect() {
                    // Never reached the server: the points were not spent.
                    let _ = permit.not_sent().await;
                    (
                        Err(Error::Transport { operation, source }),
                        Outcome::NotSent,
                    )
                } else {
                    drop(permit);
                    (
                        Err(Error::Transport { operation, source }),
                        Outcome::Interrupted,
                    )
                };
            }
        };
        let status = response.status();
        tracing::Span::current().record("status", status.as_u16());
        let headers = response.headers().clone();
        let limits = RateLimitHeaders::parse(&headers);
        let now = Instant::now();
        let bound = self.reset_bound();
        let margin = self.inner.reset_margin;
        let cap = self.inner.retry.max_retry_after;
        let mut observation = limits.observation(now, bound, margin);
        if status == StatusCode::TOO_MANY_REQUESTS {
            // The precise reset wins over a rounded Retry-After; calls are held no longer
            // than the policy's cap, however long the server asked for.
            let server_wait = limits.server_wait(bound);
            let hold = capped_wait(
                server_wait
                    .unwrap_or(DEFAULT_429_WAIT)
                    .saturating_add(margin),
                cap,
            );
            observation.blocked_until = now.checked_add(hold);
            if let Err(error) = permit.rate_limited(observation).await {
                return (Err(Error::store(operation, error)), Outcome::Final);
            }
            let body = self
                .read_body::<E>(operation, response, timeout, ours)
                .await
                .unwrap_or_default();
            let error = Error::RateLimited {
                operation,
                retry_after: server_wait,
                server_message: ServerMessage::from_body(&body),
                body: error_body(body),
            };
            return (Err(error), Outcome::RateLimited { wait: server_wait });
        }
        if self.inner.throttling == Throttling::Reactive
            && limits.remaining == Some(0)
            && let Some(reset_at) = observation.reset_at
        {
            // No local budget, but the server said the next request would be refused: hold
            // every call until its reset (within the cap).
            observation.blocked_until = now.checked_add(capped_wait(reset_at - now, cap));
        }
        if let Err(error) = permit.answered(observation).await {
            return (Err(Error::store(operation, error)), Outcome::Final);
        }
        if streamed && status.is_success() {
            return (
                Ok(Answered {
                    status,
                    headers,
                    body: Received::Live(response),
                }),
                Outcome::Final,
            );
        }
        let body = match self.read_body(operation, response, timeout, ours).await {
            Ok(body) => body,
            Err(error) => {
                let outcome = match &error {
                    Error::Timeout { .. } => Outcome::TimedOut,
                    Error::Transport { .. } => Outcome::Interrupted,
                    _ => Outcome::Final,
                };
                return (Err(error), outcome);
            }
        };
        if status.is_success() {
            return (
                Ok(Answered {
                    status,
                    headers,
                    body: Received::Read(body),
                }),
                Outcome::Final,
            );
        }
        let server_message = ServerMessage::from_body(&body);
        let error = match status {
            StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => Error::Unauthorized {
                operation,
                status,
                body: error_body(body),
                server_message,
            },
            _ => Error::Api {
                operation,
                status,
                body: error_body(body),
                server_message,
            },
        };
        let outcome = match status {
            StatusCode::BAD_GATEWAY
            | StatusCode::SERVICE_UNAVAILABLE
            | StatusCode::GATEWAY_TIMEOUT => Outcome::Unavailable {
                wait: limits.retry_after,
            },
            _ => Outcome::Final,
        };
        (Err(error), outcome)
    }

    /// The HTTP request for one attempt, and whether it uploads a streamed file (whose chunks
    /// touch `progress` as they are sent); `Err` says why it cannot be built.
    async fn build(
        &self,
        request: &Request,
        idempotency_key: Option<&str>,
        progress: &Progress,
    ) -> Result<(reqwest::RequestBuilder, bool), String> {
        let mut uploads = false;
        if let Some(segment) = dot_segment(&request.path) {
            // URL parsing would resolve it, and the request would reach another endpoint.
            return Err(format!(
                "the path {:?} has a segment {segment:?}, which would lead out of the operation's endpoint",
                request.path
            ));
        }
        let mut url = reqwest::Url::parse(&format!("{}{}", self.inner.base_url, request.path))
            .map_err(|error| format!("bad URL for path {:?}: {error}", request.path))?;
        if !request.query.is_empty() {
            url.query_pairs_mut().extend_pairs(&request.query);
        }
        let mut headers = HeaderMap::new();
        for (name, value) in &request.headers {
            let name = HeaderName::from_bytes(name.as_bytes())
                .map_err(|error| format!("bad header name {name:?}: {error}"))?;
            let value = HeaderValue::from_str(value)
                .map_err(|error| format!("bad value for header {name}: {error}"))?;
            headers.append(name, value);
        }
        if let Some(token) = &self.inner.token {
            let mut value = HeaderValue::from_str(&format!("Bearer {}", token.expose()))
                .map_err(|_| "the bearer token has characters a header cannot carry".to_owned())?;
            value.set_sensitive(true);
            headers.insert(reqwest::header::AUTHORIZATION, value);
        }
        if let Some(key) = idempotency_key {
            let value = HeaderValue::from_str(key).map_err(|error| error.to_string())?;
            headers.insert(
                HeaderName::from_static(sdkgen_policy::headers::IDEMPOTENCY_KEY),
                value,
            );
        }
        let builder = self
            .inner
            .http
            .request(request.method.clone(), url)
            .headers(headers);
        let builder = match &request.body {
            Body::Empty => builder,
            Body::Json(bytes) => builder
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body(bytes.clone()),
            Body::Form(pairs) => {
                let mut form = reqwest::Url::parse("http://form.invalid/")
                    .map_err(|error| error.to_string())?;
                form.query_pairs_mut().extend_pairs(pairs);
                builder
                    .header(
                        reqwest::header::CONTENT_TYPE,
                        "application/x-www-form-urlencoded",
                    )
                    .body(form.query().unwrap_or_default().to_owned())
            }
            Body::Multipart(parts) => {
                let mut form = reqwest::multipart::Form::new();
                for part in parts {
                    let mut length = None;
                    let body = match part.file_part().map(FilePart::source) {
                        None | Some(FileSource::Bytes(_)) => {
                            length = Some(part.bytes.len() as u64);
                            reqwest::Body::from(part.bytes.clone())
                        }
                        Some(FileSource::Path(path)) => {
                            let file = tokio::fs::File::open(path).await.map_err(|error| {
                                format!("cannot open the file {}: {error}", path.display())
                            })?;
                            // A known length keeps the body's Content-Length (some servers
                            // refuse chunked uploads).
                            length = file.metadata().await.ok().map(|metadata| metadata.len());
                            uploads = true;
                            reqwest::Body::wrap_stream(
                                progress.track(tokio_util::io::ReaderStream::new(file)),
                            )
                        }
                        Some(FileSource::Stream(shared)) => {
                            let taken = shared
                                .lock()
                                .unwrap_or_else(|poisoned| poisoned.into_inner())
                                .take();
                            let chunks = taken.ok_or_else(|| {
                                "a streamed file part was sent already and cannot be sent again"
                                    .to_owned()
                            })?;
                            uploads = true;
                            reqwest::Body::wrap_stream(progress.track(chunks))
                        }
                    };
                    let mut field = match length {
                        Some(length) => reqwest::multipart::Part::stream_with_length(body, length),
                        None => reqwest::multipart::Part::stream(body),
                    };
                    if let Some(file_name) = &part.file_name {
                        field = field.file_name(file_name.clone());
                    }
                    if let Some(content_type) = &part.content_type {
                        field = field.mime_str(content_type).map_err(|error| {
                            format!("bad content type {content_type:?}: {error}")
                        })?;
                    }
                    form = form.part(part.name.clone(), field);
                }
                builder.multipart(form)
            }
            Body::Bytes {
                content_type,
                bytes,
            } => builder
                .header(reqwest::header::CONTENT_TYPE, content_type.as_str())
                .body(bytes.clone()),
        };
        Ok((builder, uploads))
    }

    /// Reads a body up to the configured limit, chunk by chunk.
    async fn read_body<E>(
        &self,
        operation: &'static str,
        response: reqwest::Response,
        timeout: Duration,
        streamed: bool,
    ) -> Result<Bytes, Error<E>> {
        if !streamed {
            // reqwest's own timeout bounds the body of a buffered request.
            return self.read_body_unbounded(operation, response, timeout).await;
        }
        match tokio::time::timeout(
            timeout,
            self.read_body_unbounded(operation, response, timeout),
        )
        .await
        {
            Ok(read) => read,
            Err(_) => Err(Error::Timeout {
                operation,
                after: timeout,
            }),
        }
    }

    async fn read_body_unbounded<E>(
        &self,
        operation: &'static str,
        mut response: reqwest::Response,
        timeout: Duration,
    ) -> Result<Bytes, Error<E>> {
        let limit = self.inner.max_response_bytes;
        if response
            .content_length()
            .is_some_and(|length| length > limit as u64)
        {
            return Err(Error::ResponseTooLarge { operation, limit });
        }
        let mut body = BytesMut::new();
        loop {
            match response.chunk().await {
                Ok(Some(chunk)) => {
                    if body.len() + chunk.len() > limit {
                        return Err(Error::ResponseTooLarge { operation, limit });
                    }
                    body.extend_from_slice(&chunk);
                }
                Ok(None) => return Ok(body.freeze()),
                Err(source) if source.is_timeout() => {
                    return Err(Error::Timeout {
                        operation,
                        after: timeout,
                    });
                }
                Err(source) => return Err(Error::Transport { operation, source }),
            }
        }
    }
}

fn error_body<E: DeserializeOwned>(body: Bytes) -> ErrorBody<E> {
    match serde_json::from_slice(&body) {
        Ok(typed) => ErrorBody::Typed(typed),
        Err(_) => ErrorBody::Raw(body),
    }
}

fn is_idempotent(method: &Method) -> bool {
    matches!(
        *method,
        Method::GET | Method::HEAD | Method::OPTIONS | Method::TRACE | Method::PUT | Method::DELETE
    )
}

/// 128 random bits as 32 hex digits: unique enough for an idempotency key.
fn new_idempotency_key() -> String {
    format!("{:016x}{:016x}", fastrand::u64(..), fastrand::u64(..))
}

/// A `.` or `..` segment of a path (also percent-encoded, which URL parsing decodes the
/// same way), as a path parameter's value could make one.
fn dot_segment(path: &str) -> Option<&str> {
    path.split('/').find(|segment| {
        let decoded = segment.to_ascii_lowercase().replace("%2e", ".");
        decoded == "." || decoded == ".."
    })
}

#[cfg(test)]
mod dot_segment_tests {
    use super::dot_segment;

    #[test]
    fn dot_segments_are_found_in_any_spelling() {
        assert_eq!(dot_segment("/organization/api-keys/.."), Some(".."));
        assert_eq!(dot_segment("/tasks/%2E%2e/comments"), Some("%2E%2e"));
        assert_eq!(dot_segment("/tasks/./x"), Some("."));
        assert_eq!(dot_segment("/tasks/..x/a.b"), None);
        assert_eq!(
            dot_segment("/files/%2e%2e%2fetc"),
            None,
            "one segment, not a dot segment"
        );
    }
}

//! The client: sends [`Request`]s through the budget, with bearer auth and retries.

use std::sync::Arc;
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use tokio::time::Instant;
use tracing::Instrument;

use crate::budget::{Budget, BudgetMode, BudgetSnapshot, Permit, StoreError};
use crate::config::{ClientBuilder, RetryPolicy};
use crate::error::{Error, ErrorBody};
use crate::headers::RateLimitHeaders;
use crate::request::{Body, Request};
use crate::response::{RawResponse, ResponseFuture};
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
    pub(crate) budget_mode: BudgetMode,
    pub(crate) timeout: Duration,
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

/// What happened to one attempt.
enum Attempt<E> {
    Done(Result<RawResponse, Error<E>>),
    Retry { after: Duration, error: Error<E> },
}

impl Client {
    /// A builder.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::new()
    }

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
        let span = tracing::info_span!(
            "sdk.request",
            operation = request.operation,
            method = %request.method,
            points = request.points,
            attempt = tracing::field::Empty,
            budget_wait_ms = tracing::field::Empty,
            status = tracing::field::Empty,
        );
        self.execute_in_span(request).instrument(span).await
    }

    /// Sends a request and decodes a JSON body: what generated `send()` methods return.
    pub fn call_json<'a, T, E>(&'a self, request: Request) -> ResponseFuture<'a, T, E>
    where
        T: DeserializeOwned + Send + 'a,
        E: DeserializeOwned + Send + 'a,
    {
        Box::pin(async move { self.execute::<E>(request).await?.json() })
    }

    /// Sends a request whose success has no body.
    pub fn call_empty<'a, E>(&'a self, request: Request) -> ResponseFuture<'a, (), E>
    where
        E: DeserializeOwned + Send + 'a,
    {
        Box::pin(async move { Ok(self.execute::<E>(request).await?.empty()) })
    }

    /// Sends a request whose success is bytes.
    pub fn call_bytes<'a, E>(&'a self, request: Request) -> ResponseFuture<'a, Bytes, E>
    where
        E: DeserializeOwned + Send + 'a,
    {
        Box::pin(async move { Ok(self.execute::<E>(request).await?.bytes()) })
    }

    /// Sends a request whose success is text.
    pub fn call_text<'a, E>(&'a self, request: Request) -> ResponseFuture<'a, String, E>
    where
        E: DeserializeOwned + Send + 'a,
    {
        Box::pin(async move { Ok(self.execute::<E>(request).await?.text()) })
    }

    async fn execute_in_span<E: DeserializeOwned>(
        &self,
        request: Request,
    ) -> Result<RawResponse, Error<E>> {
        if let Some(message) = request.problem.clone() {
            return Err(Error::InvalidRequest {
                operation: request.operation,
                message,
            });
        }
        let policy = &self.inner.retry;
        let idempotency_key = (policy.idempotency_keys
            && matches!(request.method, Method::POST | Method::PATCH))
        .then(new_idempotency_key);
        let retry_safe = idempotency_key.is_some() || is_idempotent(&request.method);
        let mut waited = Duration::ZERO;
        let mut attempt = 0;
        loop {
            attempt += 1;
            let span = tracing::Span::current();
            span.record("attempt", attempt);
            let permit = self
                .inner
                .budget
                .acquire(request.points, request.priority, self.inner.budget_mode)
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
            let retries_left = attempt <= policy.max_retries;
            match self
                .attempt(
                    &request,
                    permit,
                    idempotency_key.as_deref(),
                    retry_safe && retries_left,
                    retries_left,
                )
                .await
            {
                Attempt::Done(result) => return result,
                Attempt::Retry { after, error } => {
                    tracing::info!(attempt, after_ms = after.as_millis() as u64, error = %error, "retrying");
                    tokio::time::sleep(after).await;
                }
            }
        }
    }

    /// One attempt. `may_retry`: a retry is allowed for any failure; `may_retry_unsent`: a
    /// retry is allowed when the server certainly did not act (429, connection refused).
    async fn attempt<E: DeserializeOwned>(
        &self,
        request: &Request,
        permit: Permit,
        idempotency_key: Option<&str>,
        may_retry: bool,
        may_retry_unsent: bool,
    ) -> Attempt<E> {
        let operation = request.operation;
        let builder = match self.build(request, idempotency_key) {
            Ok(builder) => builder,
            Err(message) => {
                let _ = permit.not_sent().await;
                return Attempt::Done(Err(Error::InvalidRequest { operation, message }));
            }
        };
        let response = match builder.send().await {
            Ok(response) => response,
            Err(source) => {
                let error = if source.is_timeout() {
                    Error::Timeout {
                        operation,
                        after: self.inner.timeout,
                    }
                } else {
                    Error::Transport { operation, source }
                };
                let refused =
                    matches!(&error, Error::Transport { source, .. } if source.is_connect());
                if refused {
                    // Never reached the server: the points were not spent.
                    let _ = permit.not_sent().await;
                } else {
                    drop(permit);
                }
                let retriable = may_retry || (refused && may_retry_unsent);
                return if retriable {
                    Attempt::Retry {
                        after: self.inner.retry.backoff(1),
                        error,
                    }
                } else {
                    Attempt::Done(Err(error))
                };
            }
        };
        let status = response.status();
        tracing::Span::current().record("status", status.as_u16());
        let headers = response.headers().clone();
        let limits = RateLimitHeaders::parse(&headers);
        let now = Instant::now();
        let mut observation = limits.observation(now);
        if let Some(reset_at) = observation.reset_at.as_mut() {
            *reset_at += self.inner.reset_margin;
        }
        if status == StatusCode::TOO_MANY_REQUESTS {
            let wait = limits.retry_after.or(limits.reset_in);
            observation.blocked_until = Some(now + wait.unwrap_or(Duration::from_secs(1)));
            if let Err(error) = permit.rate_limited(observation).await {
                return Attempt::Done(Err(Error::store(operation, error)));
            }
            let body = self.read_body::<E>(operation, response).await;
            let error = Error::RateLimited {
                operation,
                retry_after: limits.retry_after,
                body: error_body(body.unwrap_or_default()),
            };
            let too_long = wait.is_some_and(|wait| wait > self.inner.retry.max_retry_after);
            // The retry waits for the gate in the budget: no sleep here.
            return if may_retry_unsent && !too_long {
                Attempt::Retry {
                    after: Duration::ZERO,
                    error,
                }
            } else {
                Attempt::Done(Err(error))
            };
        }
        if let Err(error) = permit.answered(observation).await {
            return Attempt::Done(Err(Error::store(operation, error)));
        }
        let body = match self.read_body(operation, response).await {
            Ok(body) => body,
            Err(error) => return Attempt::Done(Err(error)),
        };
        if status.is_success() {
            return Attempt::Done(Ok(RawResponse {
                operation,
                status,
                headers,
                body,
            }));
        }
        let error = match status {
            StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => Error::Unauthorized {
                operation,
                status,
                body: error_body(body),
            },
            _ => Error::Api {
                operation,
                status,
                body: error_body(body),
            },
        };
        let transient = matches!(
            status,
            StatusCode::BAD_GATEWAY | StatusCode::SERVICE_UNAVAILABLE | StatusCode::GATEWAY_TIMEOUT
        );
        if transient && may_retry {
            let backoff = self.inner.retry.backoff(1);
            let after = match limits.retry_after {
                Some(retry_after) if retry_after > self.inner.retry.max_retry_after => {
                    return Attempt::Done(Err(error));
                }
                Some(retry_after) => retry_after.max(backoff),
                None => backoff,
            };
            return Attempt::Retry { after, error };
        }
        Attempt::Done(Err(error))
    }

    /// The HTTP request for one attempt; `Err` says why it cannot be built.
    fn build(
        &self,
        request: &Request,
        idempotency_key: Option<&str>,
    ) -> Result<reqwest::RequestBuilder, String> {
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
        Ok(match &request.body {
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
                    let mut field =
                        reqwest::multipart::Part::stream(reqwest::Body::from(part.bytes.clone()));
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
        })
    }

    /// Reads a body up to the configured limit, chunk by chunk.
    async fn read_body<E>(
        &self,
        operation: &'static str,
        mut response: reqwest::Response,
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
                        after: self.inner.timeout,
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

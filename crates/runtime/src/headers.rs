//! The provider's rate-limit headers, read leniently: a malformed header is ignored (and
//! logged), never an error, because the budget works without it.

use std::time::{Duration, SystemTime};

use reqwest::header::HeaderMap;
use tokio::time::Instant;

use sdkgen_policy::headers as names;

use crate::budget::Observation;

/// The rate-limit headers of one response.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RateLimitHeaders {
    /// `X-RateLimit-Limit`.
    pub limit: Option<u32>,
    /// `X-RateLimit-Remaining`.
    pub remaining: Option<u32>,
    /// `X-RateLimit-Reset`, as a time from now.
    pub reset_in: Option<Duration>,
    /// `Retry-After`, as a time from now.
    pub retry_after: Option<Duration>,
}

impl RateLimitHeaders {
    /// Reads the headers.
    pub fn parse(headers: &HeaderMap) -> Self {
        let now = SystemTime::now();
        RateLimitHeaders {
            limit: number(headers, names::LIMIT),
            remaining: number(headers, names::REMAINING),
            reset_in: text(headers, names::RESET).and_then(|value| time_from_now(value, now)),
            retry_after: text(headers, names::RETRY_AFTER)
                .and_then(|value| time_from_now(value, now)),
        }
    }

    /// As an observation for the budget, relative to `now`.
    pub fn observation(&self, now: Instant) -> Observation {
        Observation {
            limit: self.limit,
            remaining: self.remaining,
            reset_at: self.reset_in.map(|reset_in| now + reset_in),
            blocked_until: None,
            landed: 0,
            answered: 0,
        }
    }
}

fn text<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    let value = headers.get(name)?;
    match value.to_str() {
        Ok(text) => Some(text.trim()),
        Err(_) => {
            tracing::warn!(header = name, "ignoring a header that is not visible ASCII");
            None
        }
    }
}

fn number(headers: &HeaderMap, name: &str) -> Option<u32> {
    let value = text(headers, name)?;
    match value.parse() {
        Ok(number) => Some(number),
        Err(_) => {
            tracing::warn!(
                header = name,
                value,
                "ignoring a header that is not a whole number"
            );
            None
        }
    }
}

/// An HTTP date, or a number of seconds (a delay, or an epoch time when it is that large).
fn time_from_now(value: &str, now: SystemTime) -> Option<Duration> {
    if let Ok(seconds) = value.parse::<u64>() {
        const EPOCH_THRESHOLD: u64 = 1_000_000_000;
        return Some(if seconds >= EPOCH_THRESHOLD {
            (SystemTime::UNIX_EPOCH + Duration::from_secs(seconds))
                .duration_since(now)
                .unwrap_or_default()
        } else {
            Duration::from_secs(seconds)
        });
    }
    match httpdate::parse_http_date(value) {
        Ok(time) => Some(time.duration_since(now).unwrap_or_default()),
        Err(_) => {
            tracing::warn!(
                value,
                "ignoring a time header that is neither seconds nor an HTTP date"
            );
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    #[test]
    fn parses_numbers_dates_and_delays_and_ignores_garbage() {
        let mut headers = HeaderMap::new();
        headers.insert("x-ratelimit-limit", HeaderValue::from_static("100"));
        headers.insert("x-ratelimit-remaining", HeaderValue::from_static("-3"));
        headers.insert("retry-after", HeaderValue::from_static("12"));
        let in_a_minute = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(61));
        headers.insert(
            "x-ratelimit-reset",
            HeaderValue::from_str(&in_a_minute).unwrap(),
        );
        let parsed = RateLimitHeaders::parse(&headers);
        assert_eq!(parsed.limit, Some(100));
        assert_eq!(parsed.remaining, None, "negative numbers are ignored");
        assert_eq!(parsed.retry_after, Some(Duration::from_secs(12)));
        let reset_in = parsed.reset_in.unwrap();
        assert!(reset_in > Duration::from_secs(59) && reset_in <= Duration::from_secs(61));
        headers.insert(
            "x-ratelimit-reset",
            HeaderValue::from_bytes(b"\xff\xfe").unwrap(),
        );
        headers.insert("retry-after", HeaderValue::from_static("soon"));
        let parsed = RateLimitHeaders::parse(&headers);
        assert_eq!((parsed.reset_in, parsed.retry_after), (None, None));
    }

    #[test]
    fn past_dates_mean_now() {
        let now = SystemTime::now();
        assert_eq!(
            time_from_now("Thu, 01 Jan 1998 00:00:00 GMT", now),
            Some(Duration::ZERO)
        );
    }
}

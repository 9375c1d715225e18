//! Streams over paginated lists: pages are fetched one at a time, as the stream is read, each
//! through the budget like any call.

use std::future::Future;
use std::pin::Pin;

use futures_util::Stream;
use futures_util::stream::{self, TryStreamExt};

use crate::error::Error;
use crate::response::ResponseFuture;

/// The items of a paginated list, as generated `into_stream()` methods return them. Boxed for
/// the same reason as [`ResponseFuture`].
pub type ItemStream<'a, T, E> = Pin<Box<dyn Stream<Item = Result<T, Error<E>>> + Send + 'a>>;

/// The stream behind generated `into_stream()` methods: `send(cursor)` sends the request for
/// one page, and `split(page)` takes the page apart into its items and the next cursor.
pub fn pages<'a, P, T, E, S>(
    first_cursor: Option<String>,
    mut send: S,
    split: fn(P) -> (Vec<T>, Option<String>),
) -> ItemStream<'a, T, E>
where
    S: FnMut(Option<String>) -> ResponseFuture<'a, P, E> + Send + 'a,
    P: 'a,
    T: Send + 'a,
    E: Send + 'a,
{
    Box::pin(paginate(first_cursor, move |cursor| {
        let page = send(cursor);
        async move { Ok(split(page.await?.into_inner())) }
    }))
}

/// A stream of every item of a cursor-paginated list. `fetch(cursor)` gets one page: its items
/// and the cursor of the next page (`None` on the last page). The stream ends after the last
/// page, or after the first error, which it yields.
pub fn paginate<T, E, F, Fut>(
    first_cursor: Option<String>,
    fetch: F,
) -> impl Stream<Item = Result<T, E>>
where
    F: FnMut(Option<String>) -> Fut,
    Fut: Future<Output = Result<(Vec<T>, Option<String>), E>>,
{
    enum State {
        Next(Option<String>),
        Done,
    }
    stream::try_unfold(
        (State::Next(first_cursor), fetch),
        |(state, mut fetch)| async move {
            let State::Next(cursor) = state else {
                return Ok(None);
            };
            let (items, next) = fetch(cursor).await?;
            // An empty cursor, or a page without items, is the end too (servers vary).
            let state = match next {
                Some(next) if !next.is_empty() && !items.is_empty() => State::Next(Some(next)),
                _ => State::Done,
            };
            Ok(Some((
                stream::iter(items.into_iter().map(Ok)),
                (state, fetch),
            )))
        },
    )
    .try_flatten()
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures_util::StreamExt;

    #[tokio::test]
    async fn pages_are_followed_until_the_last() {
        let pages = |cursor: Option<String>| async move {
            match cursor.as_deref() {
                None => Ok::<_, String>((vec![1, 2], Some("p2".to_owned()))),
                Some("p2") => Ok((vec![3], Some("p3".to_owned()))),
                Some("p3") => Ok((vec![4], None)),
                Some(other) => Err(format!("unexpected cursor {other}")),
            }
        };
        let items: Vec<i32> = paginate(None, pages).try_collect().await.unwrap();
        assert_eq!(items, [1, 2, 3, 4]);
    }

    #[tokio::test]
    async fn pages_of_calls_are_split_into_items() {
        use crate::response::ResponseValue;
        use reqwest::StatusCode;
        use reqwest::header::HeaderMap;

        struct Page {
            items: Vec<u8>,
            next: Option<String>,
        }
        let send = |cursor: Option<String>| -> ResponseFuture<'static, Page, ()> {
            let page = match cursor.as_deref() {
                None => Page {
                    items: vec![1, 2],
                    next: Some("two".to_owned()),
                },
                _ => Page {
                    items: vec![3],
                    next: None,
                },
            };
            Box::pin(async move { Ok(ResponseValue::new(StatusCode::OK, HeaderMap::new(), page)) })
        };
        let items: Vec<u8> = pages(None, send, |page: Page| (page.items, page.next))
            .try_collect()
            .await
            .unwrap();
        assert_eq!(items, [1, 2, 3]);
    }

    #[tokio::test]
    async fn an_error_ends_the_stream() {
        let pages = |cursor: Option<String>| async move {
            match cursor {
                None => Ok((vec![1], Some("bad".to_owned()))),
                Some(_) => Err("boom"),
            }
        };
        let results: Vec<Result<i32, &str>> = paginate(None, pages).collect().await;
        assert_eq!(results, [Ok(1), Err("boom")]);
    }
}

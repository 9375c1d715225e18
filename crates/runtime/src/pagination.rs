//! Streams over paginated lists: pages are fetched one at a time, as the stream is read, each
//! through the budget like any call.

use std::future::Future;

use futures_util::Stream;
use futures_util::stream::{self, TryStreamExt};

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

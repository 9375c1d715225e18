//! Streams over paginated lists: pages are fetched one at a time, as the stream is read, each
//! through the budget like any call.

use std::collections::HashSet;
use std::future::Future;
use std::pin::Pin;

use futures_util::Stream;
use futures_util::stream::{self, TryStreamExt};

use serde::de::DeserializeOwned;

use crate::client::Client;
use crate::error::Error;
use crate::request::Request;
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

/// The stream behind generated `into_stream()` methods of lists that say whether more items
/// follow (`has_more`) and take the last item's id for the next page (`after`):
/// `split(page)` gives the items and the flag, `id(item)` the id to send.
pub fn pages_after<'a, P, T, E, S>(
    first_after: Option<String>,
    mut send: S,
    split: fn(P) -> (Vec<T>, bool),
    id: fn(&T) -> String,
) -> ItemStream<'a, T, E>
where
    S: FnMut(Option<String>) -> ResponseFuture<'a, P, E> + Send + 'a,
    P: 'a,
    T: Send + 'a,
    E: Send + 'a,
{
    Box::pin(paginate(first_after, move |after| {
        let page = send(after);
        async move {
            let (items, more) = split(page.await?.into_inner());
            let next = if more { items.last().map(id) } else { None };
            Ok((items, next))
        }
    }))
}

/// The stream behind generated `into_stream()` methods of lists whose pages name the next
/// page's URL: in the body (`split` returns it), or in an RFC 8288 `Link` header
/// (`link_header`). Each next URL is followed only under the client's base URL (see
/// [`follow`]); one that is not ends the stream with an error.
pub fn url_pages<P, T, E>(
    client: Client,
    first: Request,
    split: fn(P) -> (Vec<T>, Option<String>),
    link_header: bool,
) -> ItemStream<'static, T, E>
where
    P: DeserializeOwned + Send + 'static,
    T: Send + 'static,
    E: DeserializeOwned + Send + 'static,
{
    Box::pin(paginate(None, move |next: Option<String>| {
        let client = client.clone();
        let mut request = first.clone();
        async move {
            if let Some(next) = next {
                follow(&mut request, client.base_url(), &next).map_err(|message| {
                    Error::InvalidRequest {
                        operation: request.operation,
                        message,
                    }
                })?;
            }
            let page_url = request_url(client.base_url(), &request);
            let response = client.execute::<E>(request).await?;
            let header_next = link_header.then(|| next_link(&response.headers)).flatten();
            let (items, body_next) = split(response.json::<P, E>()?.into_inner());
            let next = if link_header { header_next } else { body_next };
            // A relative next URL is relative to the page that named it (RFC 3986, 8288).
            let next =
                next.map(
                    |next| match page_url.as_ref().and_then(|url| url.join(&next).ok()) {
                        Some(absolute) => absolute.to_string(),
                        None => next,
                    },
                );
            Ok((items, next))
        }
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
    // Cursors already followed: a server that names one again would make the stream loop
    // for ever, spending points on every page, so a repeated cursor ends it.
    let seen: HashSet<String> = first_cursor.iter().cloned().collect();
    stream::try_unfold(
        (State::Next(first_cursor), fetch, seen),
        |(state, mut fetch, mut seen)| async move {
            let State::Next(cursor) = state else {
                return Ok(None);
            };
            let (items, next) = fetch(cursor).await?;
            // An empty cursor, a page without items, or a cursor seen before is the end too
            // (servers vary).
            let state = match next {
                Some(next)
                    if !next.is_empty() && !items.is_empty() && seen.insert(next.clone()) =>
                {
                    State::Next(Some(next))
                }
                _ => State::Done,
            };
            Ok(Some((
                stream::iter(items.into_iter().map(Ok)),
                (state, fetch, seen),
            )))
        },
    )
    .try_flatten()
}

/// The URL of the next page that an RFC 8288 `Link` header names (`rel="next"`), as GitHub's
/// lists send it. `None` without one, or when the header does not parse.
pub fn next_link(headers: &reqwest::header::HeaderMap) -> Option<String> {
    headers
        .get_all(reqwest::header::LINK)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .find_map(|value| {
            let links = parse_link_header::parse_with_rel(value).ok()?;
            Some(links.get("next")?.raw_uri.clone())
        })
}

/// The absolute URL `request` goes to under `base_url`, with its query.
fn request_url(base_url: &str, request: &Request) -> Option<reqwest::Url> {
    let mut url = reqwest::Url::parse(&format!("{base_url}{}", request.path)).ok()?;
    if !request.query.is_empty() {
        url.query_pairs_mut().extend_pairs(&request.query);
    }
    Some(url)
}

/// Points `request` at `next`, the URL of a next page that a response named (in its body or
/// its `Link` header), keeping its method, headers and cost. The URL must be under the
/// client's `base_url`: following a page to another origin would hand it the bearer token.
pub fn follow(request: &mut Request, base_url: &str, next: &str) -> Result<(), String> {
    let base = reqwest::Url::parse(base_url)
        .map_err(|error| format!("the base URL {base_url:?} does not parse: {error}"))?;
    // Callers resolve a relative URL against the page that named it; what is still relative
    // here is taken against the base.
    let url = base
        .join(next)
        .map_err(|error| format!("the next page's URL {next:?} does not parse: {error}"))?;
    let base_path = base.path().trim_end_matches('/');
    let path = url
        .path()
        .strip_prefix(base_path)
        .filter(|rest| rest.is_empty() || rest.starts_with('/'));
    match path {
        Some(path) if url.origin() == base.origin() => {
            request.path = path.to_owned();
            request.query = url
                .query_pairs()
                .map(|(name, value)| (name.into_owned(), value.into_owned()))
                .collect();
            Ok(())
        }
        _ => Err(format!(
            "the next page's URL {url} is not under the client's base URL {base_url}; it is not followed, so the bearer token stays with the API"
        )),
    }
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

    #[test]
    fn the_next_link_is_read_from_rfc_8288_headers() {
        use reqwest::header::{HeaderMap, HeaderValue, LINK};
        let mut headers = HeaderMap::new();
        assert_eq!(next_link(&headers), None);
        headers.insert(
            LINK,
            HeaderValue::from_static(
                "<https://api.example.com/repos?page=3&per_page=50>; rel=\"next\", <https://api.example.com/repos?page=9&per_page=50>; rel=\"last\"",
            ),
        );
        assert_eq!(
            next_link(&headers).as_deref(),
            Some("https://api.example.com/repos?page=3&per_page=50")
        );
        headers.insert(
            LINK,
            HeaderValue::from_static("<https://api.example.com/repos?page=1>; rel=\"prev\""),
        );
        assert_eq!(next_link(&headers), None, "the last page has no next");
        headers.insert(LINK, HeaderValue::from_static("garbage <<<"));
        assert_eq!(next_link(&headers), None);
    }

    #[test]
    fn next_urls_are_followed_only_under_the_base_url() {
        let base = "https://api.example.com/v1";
        let mut request =
            Request::new("listTasks", reqwest::Method::GET, "/tasks", 3).query("limit", "10");
        follow(
            &mut request,
            base,
            "https://api.example.com/v1/tasks?limit=10&cursor=abc%3D",
        )
        .expect("same origin");
        assert_eq!(request.path, "/tasks");
        assert_eq!(
            request.query,
            [
                ("limit".to_owned(), "10".to_owned()),
                ("cursor".to_owned(), "abc=".to_owned())
            ]
        );
        assert_eq!(request.points, 3);
        follow(&mut request, base, "/v1/tasks?page=2").expect("a relative URL");
        assert_eq!(request.query, [("page".to_owned(), "2".to_owned())]);
        for foreign in [
            "https://evil.example.net/v1/tasks?page=2",
            "http://api.example.com/v1/tasks",
            "https://api.example.com/v2/tasks",
            "https://api.example.com/v1beta/tasks",
        ] {
            let error = follow(&mut request, base, foreign).expect_err(foreign);
            assert!(error.contains("not under the client's base URL"), "{error}");
        }
    }

    #[tokio::test]
    async fn a_repeated_cursor_ends_the_stream() {
        let fetched = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let counter = fetched.clone();
        // Page 2 names page 1's cursor again: without the check this would never end.
        let pages = move |cursor: Option<String>| {
            counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            async move {
                match cursor.as_deref() {
                    None => Ok::<_, String>((vec![1], Some("a".to_owned()))),
                    Some("a") => Ok((vec![2], Some("b".to_owned()))),
                    Some(_) => Ok((vec![3], Some("a".to_owned()))),
                }
            }
        };
        let items: Vec<i32> = paginate(None, pages).try_collect().await.unwrap();
        assert_eq!(items, [1, 2, 3]);
        assert_eq!(fetched.load(std::sync::atomic::Ordering::SeqCst), 3);
    }

    #[test]
    fn relative_next_urls_resolve_against_the_page() {
        let request =
            Request::new("listTasks", reqwest::Method::GET, "/tasks", 1).query("page", "1");
        let page = request_url("https://api.example.com/v1", &request).expect("a URL");
        assert_eq!(page.as_str(), "https://api.example.com/v1/tasks?page=1");
        assert_eq!(
            page.join("?page=2")
                .map(|url| url.to_string())
                .ok()
                .as_deref(),
            Some("https://api.example.com/v1/tasks?page=2")
        );
        let mut next = request.clone();
        follow(
            &mut next,
            "https://api.example.com/v1",
            "https://api.example.com/v1/tasks?page=2",
        )
        .expect("under the base");
        assert_eq!((next.path.as_str(), next.query.len()), ("/tasks", 1));
    }
}

//! Request bodies and responses: bodies added, removed, made required; media types; success
//! and other statuses; response headers. Each media type's schema is compared in its
//! direction by [`super::schemas`].

use sdkgen_model::{MediaType, RequestBody, Response};

use super::{Context, Differ, Direction};
use crate::rules::Fixed;

impl Differ<'_> {
    pub(super) fn request_body(
        &mut self,
        label: &str,
        old: Option<&RequestBody>,
        new: Option<&RequestBody>,
    ) {
        let rule = match (old, new) {
            (None, Some(new)) if new.required => Some((
                Fixed::RequestBodyAddedRequired,
                "a required request body was added",
            )),
            (None, Some(_)) => Some((
                Fixed::RequestBodyAddedOptional,
                "an optional request body was added",
            )),
            (Some(_), None) => Some((Fixed::RequestBodyRemoved, "the request body was removed")),
            (Some(old), Some(new)) => match (old.required, new.required) {
                (false, true) => Some((
                    Fixed::RequestBodyBecameRequired,
                    "the request body became required",
                )),
                (true, false) => Some((
                    Fixed::RequestBodyBecameOptional,
                    "the request body became optional",
                )),
                _ => None,
            },
            (None, None) => None,
        };
        if let Some((rule, message)) = rule {
            self.push(rule, Some(label), "requestBody", message);
        }
        if let (Some(old), Some(new)) = (old, new) {
            self.media_types(
                label,
                "request body",
                &old.content,
                &new.content,
                Direction::Request,
            );
        }
    }

    pub(super) fn media_types(
        &mut self,
        label: &str,
        what: &str,
        old: &[MediaType],
        new: &[MediaType],
        direction: Direction,
    ) {
        let (added, removed) = if direction == Direction::Request {
            (Fixed::RequestMediaTypeAdded, Fixed::RequestMediaTypeRemoved)
        } else {
            (
                Fixed::ResponseMediaTypeAdded,
                Fixed::ResponseMediaTypeRemoved,
            )
        };
        for old_media in old {
            match new
                .iter()
                .find(|media| media.media_type == old_media.media_type)
            {
                None => self.push(
                    removed,
                    Some(label),
                    format!("{what} {}", old_media.media_type),
                    format!(
                        "the {what} no longer accepts or gives `{}`",
                        old_media.media_type
                    ),
                ),
                Some(new_media) => {
                    if let (Some(old_schema), Some(new_schema)) =
                        (&old_media.schema, &new_media.schema)
                    {
                        let context = Context::new(
                            direction,
                            label,
                            format!("{what} {}", new_media.media_type),
                        );
                        self.schema_root(old_schema, new_schema, &context);
                    }
                }
            }
        }
        for new_media in new {
            if !old
                .iter()
                .any(|media| media.media_type == new_media.media_type)
            {
                self.push(
                    added,
                    Some(label),
                    format!("{what} {}", new_media.media_type),
                    format!("the {what} now also has `{}`", new_media.media_type),
                );
            }
        }
    }

    pub(super) fn responses(&mut self, label: &str, old: &[Response], new: &[Response]) {
        for old_response in old {
            let status = old_response.status;
            let Some(new_response) = new.iter().find(|response| response.status == status) else {
                let (rule, message) = if status.is_success() {
                    (
                        Fixed::SuccessStatusRemoved,
                        format!("the success response {status} was removed"),
                    )
                } else {
                    (
                        Fixed::NonSuccessStatusRemoved,
                        format!("the response {status} was removed"),
                    )
                };
                self.push(rule, Some(label), format!("responses.{status}"), message);
                continue;
            };
            self.headers(label, old_response, new_response);
            self.media_types(
                label,
                &format!("response {status}"),
                &old_response.content,
                &new_response.content,
                Direction::Response,
            );
        }
        for new_response in new {
            let status = new_response.status;
            if !old.iter().any(|response| response.status == status) {
                let rule = if status.is_success() {
                    Fixed::SuccessStatusAdded
                } else {
                    Fixed::NonSuccessStatusAdded
                };
                self.push(
                    rule,
                    Some(label),
                    format!("responses.{status}"),
                    format!("a new response {status}"),
                );
            }
        }
    }

    fn headers(&mut self, label: &str, old: &Response, new: &Response) {
        let status = old.status;
        for old_header in &old.headers {
            let location = format!("responses.{status}.headers.{}", old_header.name);
            match new.header(&old_header.name) {
                None if old_header.required => self.push(
                    Fixed::RequiredHeaderRemoved,
                    Some(label),
                    location,
                    format!("the required header `{}` was removed", old_header.name),
                ),
                None => self.push(
                    Fixed::OptionalHeaderRemoved,
                    Some(label),
                    location,
                    format!("the optional header `{}` was removed", old_header.name),
                ),
                Some(new_header) => {
                    if old_header.required && !new_header.required {
                        self.push(
                            Fixed::HeaderBecameOptional,
                            Some(label),
                            location,
                            format!("the header `{}` became optional", old_header.name),
                        );
                    }
                    let context = Context::header(
                        label,
                        format!("response {status} header `{}`", new_header.name),
                    );
                    self.schema_root(&old_header.schema, &new_header.schema, &context);
                }
            }
        }
        for new_header in &new.headers {
            if old.header(&new_header.name).is_none() {
                self.push(
                    Fixed::HeaderAdded,
                    Some(label),
                    format!("responses.{status}.headers.{}", new_header.name),
                    format!("a new header `{}`", new_header.name),
                );
            }
        }
    }
}

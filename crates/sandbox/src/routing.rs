//! Matching request paths to the spec's path templates.

use std::collections::HashMap;

use axum::http::Method;
use sdkgen_model::{Api, Operation};

#[derive(Debug)]
enum Segment {
    Literal(String),
    Parameter(String),
}

#[derive(Debug)]
pub struct Routes {
    /// (segments, operation index), most specific first.
    routes: Vec<(Vec<Segment>, usize)>,
}

fn segments(path: &str) -> Vec<Segment> {
    path.trim_matches('/')
        .split('/')
        .filter(|segment| !segment.is_empty())
        .map(|segment| {
            match segment
                .strip_prefix('{')
                .and_then(|rest| rest.strip_suffix('}'))
            {
                Some(name) => Segment::Parameter(name.to_owned()),
                None => Segment::Literal(segment.to_owned()),
            }
        })
        .collect()
}

impl Routes {
    pub fn new(api: &Api) -> Self {
        let mut routes: Vec<(Vec<Segment>, usize)> = api
            .operations
            .iter()
            .enumerate()
            .map(|(index, operation)| (segments(&operation.path), index))
            .collect();
        // Literal segments win over parameters: `/tasks/search` before `/tasks/{id}`.
        routes.sort_by_key(|(segments, index)| {
            let literals: Vec<bool> = segments
                .iter()
                .map(|segment| matches!(segment, Segment::Parameter(_)))
                .collect();
            (literals, *index)
        });
        Routes { routes }
    }

    fn matches(segments: &[Segment], path: &str) -> Option<HashMap<String, String>> {
        let parts: Vec<&str> = path
            .trim_matches('/')
            .split('/')
            .filter(|part| !part.is_empty())
            .collect();
        if parts.len() != segments.len() {
            return None;
        }
        let mut values = HashMap::new();
        for (segment, part) in segments.iter().zip(parts) {
            match segment {
                Segment::Literal(literal) if literal == part => {}
                Segment::Literal(_) => return None,
                Segment::Parameter(name) => {
                    let decoded: String = form_urlencoded::parse(
                        format!("v={}", part.replace('+', "%2B")).as_bytes(),
                    )
                    .next()
                    .map(|(_, value)| value.into_owned())
                    .unwrap_or_default();
                    values.insert(name.clone(), decoded);
                }
            }
        }
        Some(values)
    }

    pub fn find<'a>(
        &self,
        api: &'a Api,
        method: &Method,
        path: &str,
    ) -> Option<(&'a Operation, HashMap<String, String>)> {
        self.routes.iter().find_map(|(segments, index)| {
            let operation = &api.operations[*index];
            // Methods are case-sensitive (RFC 9110): `get` is not GET.
            if operation.method.as_str() != method.as_str() {
                return None;
            }
            Self::matches(segments, path).map(|values| (operation, values))
        })
    }

    pub fn path_exists(&self, path: &str) -> bool {
        self.routes
            .iter()
            .any(|(segments, _)| Self::matches(segments, path).is_some())
    }
}

//! Serialising parameters per OpenAPI `style` and `explode`, once, for every generated SDK.
//! Values arrive as strings (generated code formats them); these functions arrange them.

use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};

/// Characters escaped in a path segment (RFC 3986 `pchar` is what stays).
const PATH_SEGMENT: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'/')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'`')
    .add(b'{')
    .add(b'}')
    .add(b'|')
    .add(b'\\')
    .add(b'^')
    .add(b'[')
    .add(b']');

/// A path from its literal pieces and its parameters, already encoded: `literals[0]`,
/// `parameters[0]`, `literals[1]`, ... (there is one literal more than parameters, or as many).
pub fn path(literals: &[&str], parameters: &[String]) -> String {
    let mut path = String::with_capacity(
        literals.iter().map(|l| l.len()).sum::<usize>() + 16 * parameters.len(),
    );
    for (index, literal) in literals.iter().enumerate() {
        path.push_str(literal);
        if let Some(parameter) = parameters.get(index) {
            path.push_str(parameter);
        }
    }
    path
}

/// One scalar path parameter, percent-encoded (`style: simple`).
pub fn segment<T: ToParam + ?Sized>(value: &T) -> String {
    utf8_percent_encode(&value.to_param(), PATH_SEGMENT).to_string()
}

/// A path parameter, `style: simple`: values joined with commas, each percent-encoded.
pub fn path_simple<I: IntoIterator<Item = S>, S: AsRef<str>>(values: I) -> String {
    values
        .into_iter()
        .map(|value| utf8_percent_encode(value.as_ref(), PATH_SEGMENT).to_string())
        .collect::<Vec<_>>()
        .join(",")
}

/// A path parameter, `style: label`: `.a.b` exploded, `.a,b` not.
pub fn path_label<I: IntoIterator<Item = S>, S: AsRef<str>>(values: I, explode: bool) -> String {
    let encoded: Vec<String> = values
        .into_iter()
        .map(|value| utf8_percent_encode(value.as_ref(), PATH_SEGMENT).to_string())
        .collect();
    format!(".{}", encoded.join(if explode { "." } else { "," }))
}

/// A path parameter, `style: matrix`: `;name=a;name=b` exploded, `;name=a,b` not.
pub fn path_matrix<I: IntoIterator<Item = S>, S: AsRef<str>>(
    name: &str,
    values: I,
    explode: bool,
) -> String {
    let encoded: Vec<String> = values
        .into_iter()
        .map(|value| utf8_percent_encode(value.as_ref(), PATH_SEGMENT).to_string())
        .collect();
    if explode {
        encoded
            .iter()
            .map(|value| format!(";{name}={value}"))
            .collect()
    } else {
        format!(";{name}={}", encoded.join(","))
    }
}

/// A query parameter, `style: form`: exploded, one pair per value; else one pair, joined by
/// commas. (Percent-encoding happens when the URL is built.)
pub fn query_form<I: IntoIterator<Item = S>, S: Into<String>>(
    name: &str,
    values: I,
    explode: bool,
) -> Vec<(String, String)> {
    let values: Vec<String> = values.into_iter().map(Into::into).collect();
    if explode {
        values
            .into_iter()
            .map(|value| (name.to_owned(), value))
            .collect()
    } else if values.is_empty() {
        Vec::new()
    } else {
        vec![(name.to_owned(), values.join(","))]
    }
}

/// A query parameter, `spaceDelimited` or `pipeDelimited`: one pair, values joined by the
/// delimiter.
pub fn query_delimited<I: IntoIterator<Item = S>, S: Into<String>>(
    name: &str,
    values: I,
    delimiter: char,
) -> Vec<(String, String)> {
    let values: Vec<String> = values.into_iter().map(Into::into).collect();
    if values.is_empty() {
        return Vec::new();
    }
    vec![(name.to_owned(), values.join(&delimiter.to_string()))]
}

/// A query object, `style: deepObject`: `name[key]=value` pairs.
pub fn query_deep_object<I: IntoIterator<Item = (K, V)>, K: AsRef<str>, V: Into<String>>(
    name: &str,
    entries: I,
) -> Vec<(String, String)> {
    entries
        .into_iter()
        .map(|(key, value)| (format!("{name}[{}]", key.as_ref()), value.into()))
        .collect()
}

/// A header parameter, `style: simple`: values joined with commas.
pub fn header_simple<I: IntoIterator<Item = S>, S: AsRef<str>>(values: I) -> String {
    values
        .into_iter()
        .map(|value| value.as_ref().to_owned())
        .collect::<Vec<_>>()
        .join(",")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_interleave_literals_and_parameters() {
        assert_eq!(path(&["/a/", "/b"], &[segment("x/y")]), "/a/x%2Fy/b");
        assert_eq!(path(&["/a/"], &[segment(&7)]), "/a/7");
        assert_eq!(path(&["/plain"], &[]), "/plain");
    }

    #[test]
    fn path_styles_encode_and_join() {
        assert_eq!(path_simple(["a b/c"]), "a%20b%2Fc");
        assert_eq!(path_simple(["x", "y"]), "x,y");
        assert_eq!(path_label(["x", "y"], true), ".x.y");
        assert_eq!(path_label(["x", "y"], false), ".x,y");
        assert_eq!(path_matrix("id", ["x", "y"], true), ";id=x;id=y");
        assert_eq!(path_matrix("id", ["x", "y"], false), ";id=x,y");
    }

    #[test]
    fn query_styles_make_pairs() {
        let pair = |name: &str, value: &str| (name.to_owned(), value.to_owned());
        assert_eq!(
            query_form("s", ["a", "b"], true),
            [pair("s", "a"), pair("s", "b")]
        );
        assert_eq!(query_form("s", ["a", "b"], false), [pair("s", "a,b")]);
        assert!(query_form("s", Vec::<String>::new(), false).is_empty());
        assert_eq!(query_delimited("s", ["a", "b"], '|'), [pair("s", "a|b")]);
        assert_eq!(query_deep_object("f", [("k", "v")]), [pair("f[k]", "v")]);
        assert_eq!(header_simple(["a", "b"]), "a,b");
    }
}

/// A value that can be sent as a path, query or header parameter.
pub trait ToParam {
    /// The value as the API expects it in a parameter.
    fn to_param(&self) -> String;
}

macro_rules! display_params {
    ($($type:ty),*) => {
        $(impl ToParam for $type {
            fn to_param(&self) -> String {
                self.to_string()
            }
        })*
    };
}

display_params!(
    String,
    str,
    bool,
    i8,
    i16,
    i32,
    i64,
    u8,
    u16,
    u32,
    u64,
    f32,
    f64,
    uuid::Uuid,
    chrono::NaiveDate
);

impl ToParam for chrono::DateTime<chrono::Utc> {
    fn to_param(&self) -> String {
        self.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
    }
}

impl ToParam for serde_json::Value {
    fn to_param(&self) -> String {
        match self {
            serde_json::Value::String(text) => text.clone(),
            other => other.to_string(),
        }
    }
}

impl<T: ToParam + ?Sized> ToParam for &T {
    fn to_param(&self) -> String {
        (**self).to_param()
    }
}

impl<T: ToParam> ToParam for Box<T> {
    fn to_param(&self) -> String {
        (**self).to_param()
    }
}

/// The pairs of a form body (`application/x-www-form-urlencoded`) from a serialisable value:
/// top-level fields, strings as they are, other values as JSON, nulls left out, arrays as one
/// pair per item.
pub fn form_pairs<T: serde::Serialize + ?Sized>(
    value: &T,
) -> Result<Vec<(String, String)>, serde_json::Error> {
    let value = serde_json::to_value(value)?;
    let mut pairs = Vec::new();
    if let serde_json::Value::Object(fields) = value {
        for (name, value) in fields {
            match value {
                serde_json::Value::Null => {}
                serde_json::Value::Array(items) => {
                    pairs.extend(items.iter().map(|item| (name.clone(), item.to_param())));
                }
                other => pairs.push((name, other.to_param())),
            }
        }
    }
    Ok(pairs)
}

/// How one property of a form body is encoded (OpenAPI's `encoding`: `style`, `explode`,
/// `contentType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormEncoding {
    /// `style: form` (the default): exploded, arrays repeat the name (`tag=a&tag=b`) and
    /// objects give one pair per property (`r=1&g=2`); not exploded, both are joined with
    /// commas (`tag=a,b`, `color=r,1,g,2`).
    Form {
        /// Whether arrays and objects are exploded.
        explode: bool,
    },
    /// `style: spaceDelimited`: array items joined by spaces.
    SpaceDelimited,
    /// `style: pipeDelimited`: array items joined by pipes.
    PipeDelimited,
    /// `style: deepObject`: `name[key]=value` for each property of an object.
    DeepObject,
    /// `contentType: application/json`: the value as JSON text.
    Json,
}

/// The pairs of a form body with each property encoded as `encodings` says; properties not
/// listed are `style: form`, exploded (OpenAPI's default). Nulls are left out.
pub fn styled_form_pairs<T: serde::Serialize + ?Sized>(
    value: &T,
    encodings: &[(&str, FormEncoding)],
) -> Result<Vec<(String, String)>, serde_json::Error> {
    use serde_json::Value;
    let value = serde_json::to_value(value)?;
    let mut pairs = Vec::new();
    let Value::Object(fields) = value else {
        return Ok(pairs);
    };
    for (name, value) in fields {
        let encoding = encodings
            .iter()
            .find(|(property, _)| *property == name)
            .map_or(FormEncoding::Form { explode: true }, |(_, encoding)| {
                *encoding
            });
        match (encoding, value) {
            (_, Value::Null) => {}
            (FormEncoding::Json, value) => pairs.push((name, value.to_string())),
            (FormEncoding::DeepObject, Value::Object(entries)) => pairs.extend(query_deep_object(
                &name,
                entries.iter().map(|(key, value)| (key, value.to_param())),
            )),
            (FormEncoding::Form { explode: true }, Value::Array(items)) => {
                pairs.extend(items.iter().map(|item| (name.clone(), item.to_param())));
            }
            (FormEncoding::Form { explode: true }, Value::Object(entries)) => {
                pairs.extend(
                    entries
                        .iter()
                        .map(|(key, value)| (key.clone(), value.to_param())),
                );
            }
            (FormEncoding::Form { explode: false }, Value::Object(entries)) => {
                let joined: Vec<String> = entries
                    .iter()
                    .flat_map(|(key, value)| [key.clone(), value.to_param()])
                    .collect();
                pairs.push((name, joined.join(",")));
            }
            (encoding, Value::Array(items)) => {
                let separator = match encoding {
                    FormEncoding::SpaceDelimited => " ",
                    FormEncoding::PipeDelimited => "|",
                    _ => ",",
                };
                let joined: Vec<String> = items.iter().map(ToParam::to_param).collect();
                pairs.push((name, joined.join(separator)));
            }
            (_, other) => pairs.push((name, other.to_param())),
        }
    }
    Ok(pairs)
}

#[cfg(test)]
mod param_tests {
    use super::*;

    #[test]
    fn parameters_format_as_apis_expect() {
        let time = chrono::DateTime::parse_from_rfc3339("2026-01-02T03:04:05Z")
            .unwrap()
            .to_utc();
        assert_eq!(time.to_param(), "2026-01-02T03:04:05Z");
        assert_eq!(true.to_param(), "true");
        assert_eq!(serde_json::json!("x").to_param(), "x");
        assert_eq!(serde_json::json!({"a": 1}).to_param(), r#"{"a":1}"#);
    }

    #[test]
    fn form_bodies_follow_each_propertys_encoding() {
        let value = serde_json::json!({
            "tags": ["a", "b"],
            "ids": [1, 2],
            "filter": {"status": "open", "n": 2},
            "color": {"r": 1},
            "meta": {"k": "v"},
            "plain": "x y",
            "gone": null,
        });
        let pairs = styled_form_pairs(
            &value,
            &[
                ("ids", FormEncoding::Form { explode: false }),
                ("filter", FormEncoding::DeepObject),
                ("meta", FormEncoding::Json),
            ],
        )
        .unwrap();
        let pair = |name: &str, value: &str| (name.to_owned(), value.to_owned());
        assert_eq!(
            pairs,
            [
                pair("tags", "a"),
                pair("tags", "b"),
                pair("ids", "1,2"),
                pair("filter[status]", "open"),
                pair("filter[n]", "2"),
                pair("r", "1"),
                pair("meta", r#"{"k":"v"}"#),
                pair("plain", "x y"),
            ]
        );
    }

    #[test]
    fn form_pairs_flatten_top_level_fields() {
        let pairs = form_pairs(
            &serde_json::json!({"name": "a b", "n": 3, "tags": ["x", "y"], "skip": null}),
        )
        .unwrap();
        let pair = |name: &str, value: &str| (name.to_owned(), value.to_owned());
        assert_eq!(
            pairs,
            [
                pair("name", "a b"),
                pair("n", "3"),
                pair("tags", "x"),
                pair("tags", "y")
            ]
        );
    }
}

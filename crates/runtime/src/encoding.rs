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

//! A small `multipart/form-data` reader (RFC 7578), so that an upload's answer says what was
//! uploaded: the file's name, type and size, and the text fields sent with it.
//!
//! It reads a body already in memory (bounded by the body limit) and never panics: a body that
//! is not well-formed gives `None`.

/// One part of a form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    /// The field's name.
    pub name: String,
    /// The file's name, for a file.
    pub file_name: Option<String>,
    /// The part's `Content-Type`, when given.
    pub content_type: Option<String>,
    /// The part's bytes.
    pub data: Vec<u8>,
}

/// The boundary of a `multipart/form-data` content type.
fn boundary(content_type: &str) -> Option<&str> {
    let mut parameters = content_type.split(';');
    let media_type = parameters.next()?.trim();
    if !media_type.eq_ignore_ascii_case("multipart/form-data") {
        return None;
    }
    parameters.find_map(|parameter| {
        let (name, value) = parameter.trim().split_once('=')?;
        name.trim()
            .eq_ignore_ascii_case("boundary")
            .then(|| value.trim().trim_matches('"'))
            .filter(|value| !value.is_empty() && value.len() <= 70)
    })
}

fn find(haystack: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    haystack
        .get(from..)?
        .windows(needle.len())
        .position(|window| window == needle)
        .map(|position| position + from)
}

/// A parameter of a `Content-Disposition` value: `name="file"` gives `file`.
fn disposition_parameter(value: &str, wanted: &str) -> Option<String> {
    value.split(';').skip(1).find_map(|parameter| {
        let (name, value) = parameter.trim().split_once('=')?;
        name.trim()
            .eq_ignore_ascii_case(wanted)
            .then(|| value.trim().trim_matches('"').to_owned())
    })
}

/// The parts of a `multipart/form-data` body, or `None` when it is not one.
pub fn parse(content_type: &str, body: &[u8]) -> Option<Vec<Part>> {
    let delimiter = format!("--{}", boundary(content_type)?).into_bytes();
    let mut parts = Vec::new();
    let mut position = find(body, &delimiter, 0)? + delimiter.len();
    loop {
        if body.get(position..position + 2) == Some(b"--") {
            return Some(parts);
        }
        // The rest of the delimiter line.
        let line_end = find(body, b"\r\n", position)?;
        // A part without headers has its blank line right after the delimiter's.
        let (headers, data_start) = if body.get(line_end + 2..line_end + 4) == Some(b"\r\n") {
            ("", line_end + 4)
        } else {
            let headers_end = find(body, b"\r\n\r\n", line_end + 2)?;
            (
                std::str::from_utf8(body.get(line_end + 2..headers_end)?).ok()?,
                headers_end + 4,
            )
        };
        let mut next_delimiter = b"\r\n".to_vec();
        next_delimiter.extend_from_slice(&delimiter);
        let data_end = find(body, &next_delimiter, data_start)?;
        let mut part = Part {
            name: String::new(),
            file_name: None,
            content_type: None,
            data: body.get(data_start..data_end)?.to_vec(),
        };
        for header in headers.split("\r\n") {
            let Some((name, value)) = header.split_once(':') else {
                continue;
            };
            if name.trim().eq_ignore_ascii_case("content-disposition") {
                part.name = disposition_parameter(value, "name").unwrap_or_default();
                part.file_name = disposition_parameter(value, "filename");
            } else if name.trim().eq_ignore_ascii_case("content-type") {
                part.content_type = Some(value.trim().to_owned());
            }
        }
        parts.push(part);
        position = data_end + next_delimiter.len();
        // Bounded: a hostile body cannot make thousands of parts.
        if parts.len() > 1000 {
            return None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_and_fields_are_read_with_their_names_and_types() {
        let body = b"--XyZ\r\ncontent-disposition: form-data; name=\"file\"; filename=\"notes.txt\"\r\ncontent-type: text/plain\r\n\r\nhello\r\nworld\r\n--XyZ\r\nContent-Disposition: form-data; name=\"description\"\r\n\r\nmy notes\r\n--XyZ--\r\n";
        let parts = parse("multipart/form-data; boundary=\"XyZ\"", body).expect("well-formed");
        assert_eq!(
            parts,
            vec![
                Part {
                    name: "file".into(),
                    file_name: Some("notes.txt".into()),
                    content_type: Some("text/plain".into()),
                    data: b"hello\r\nworld".to_vec(),
                },
                Part {
                    name: "description".into(),
                    file_name: None,
                    content_type: None,
                    data: b"my notes".to_vec(),
                },
            ]
        );
    }

    #[test]
    fn what_is_not_a_form_gives_none() {
        assert_eq!(parse("application/json", b"{}"), None);
        assert_eq!(parse("multipart/form-data", b"--x\r\n"), None);
        assert_eq!(parse("multipart/form-data; boundary=x", b"garbage"), None);
        assert_eq!(
            parse(
                "multipart/form-data; boundary=x",
                b"--x\r\nname: a\r\n\r\nno end"
            ),
            None
        );
        assert_eq!(
            parse("multipart/form-data; boundary=x", b"--x--"),
            Some(vec![])
        );
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(512))]

        /// Any bytes give parts or `None`, never a panic.
        #[test]
        fn any_body_is_read_or_refused(
            body in proptest::collection::vec(proptest::sample::select(
                b"-x\r\n:;=\"az".to_vec()), 0..128),
        ) {
            let _ = parse("multipart/form-data; boundary=x", &body);
        }
    }
}

//! Serde helpers for generated types.

/// For fields where absent and `null` mean different things (an optional, nullable field of
/// a request: absent leaves the value alone, `null` clears it). Use with
/// `#[serde(default, skip_serializing_if = "Option::is_none", with = "double_option")]` on an
/// `Option<Option<T>>`: `None` is absent, `Some(None)` is `null`, `Some(Some(v))` is `v`.
pub mod double_option {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    /// Serialises the inner option (`None` was skipped before getting here).
    pub fn serialize<T: Serialize, S: Serializer>(
        value: &Option<Option<T>>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        match value {
            Some(inner) => inner.serialize(serializer),
            None => serializer.serialize_none(),
        }
    }

    /// A present field becomes `Some`, whether `null` or a value.
    pub fn deserialize<'de, T: Deserialize<'de>, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<Option<T>>, D::Error> {
        Option::<T>::deserialize(deserializer).map(Some)
    }
}

#[cfg(test)]
mod tests {
    use serde::{Deserialize, Serialize};

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Update {
        #[serde(
            default,
            skip_serializing_if = "Option::is_none",
            with = "super::double_option"
        )]
        description: Option<Option<String>>,
    }

    #[test]
    fn absent_null_and_value_stay_distinct() {
        for (json, value) in [
            ("{}", None),
            (r#"{"description":null}"#, Some(None)),
            (r#"{"description":"x"}"#, Some(Some("x".to_owned()))),
        ] {
            let update: Update = serde_json::from_str(json).unwrap();
            assert_eq!(update.description, value);
            assert_eq!(serde_json::to_string(&update).unwrap(), json);
        }
    }
}

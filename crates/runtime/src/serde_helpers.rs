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

/// Reads a string that must be `expected`: the deserialisation of a [`constant!`](crate::constant!) type.
pub fn expect_constant<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
    expected: &'static str,
) -> Result<(), D::Error> {
    let value = <std::borrow::Cow<'de, str> as serde::Deserialize>::deserialize(deserializer)?;
    if value == expected {
        Ok(())
    } else {
        Err(serde::de::Error::invalid_value(
            serde::de::Unexpected::Str(&value),
            &expected,
        ))
    }
}

/// Declares a type with exactly one value, a string constant of an API (a property with
/// `enum: [user]` or `const: user`): generated structs hold it in such a field, filled in by
/// their constructor, so a wrong value does not compile and a wrong value received does not
/// decode.
///
/// ```
/// sdkgen_runtime::constant!(User = "user");
/// assert_eq!(serde_json::to_string(&User).unwrap(), r#""user""#);
/// assert!(serde_json::from_str::<User>(r#""usr""#).is_err());
/// ```
#[macro_export]
macro_rules! constant {
    ($name:ident = $value:literal) => {
        #[doc = concat!(" The constant `", $value, "`.")]
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
        pub struct $name;

        impl $name {
            /// The value on the wire.
            pub const VALUE: &'static str = $value;

            /// The value on the wire.
            pub fn as_str(&self) -> &'static str {
                $value
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str($value)
            }
        }

        impl $crate::serde::Serialize for $name {
            fn serialize<S: $crate::serde::Serializer>(
                &self,
                serializer: S,
            ) -> ::std::result::Result<S::Ok, S::Error> {
                serializer.serialize_str($value)
            }
        }

        impl<'de> $crate::serde::Deserialize<'de> for $name {
            fn deserialize<D: $crate::serde::Deserializer<'de>>(
                deserializer: D,
            ) -> ::std::result::Result<Self, D::Error> {
                $crate::serde_helpers::expect_constant(deserializer, $value).map(|()| $name)
            }
        }
    };
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

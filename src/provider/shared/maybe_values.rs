//! `Maybe<String>` to and from Terraform values: known text, unknown, or null.

use crate::provider::concepts::maybe::Maybe;
use crate::tfplugin::Value;

/// A string attribute as far as it is known; anything that is not a string counts as null.
pub fn maybe_string(value: Option<&Value>) -> Maybe<String> {
    match value {
        Some(Value::String(text)) => Maybe::Known(text.clone()),
        Some(Value::Unknown) => Maybe::Unknown,
        _ => Maybe::Null,
    }
}

pub fn maybe_to_value(value: &Maybe<String>) -> Value {
    match value {
        Maybe::Known(text) => Value::string(text),
        Maybe::Unknown => Value::Unknown,
        Maybe::Null => Value::Null,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_each_kind() {
        for value in [Value::string("x"), Value::Unknown, Value::Null] {
            assert_eq!(maybe_to_value(&maybe_string(Some(&value))), value);
        }
        assert_eq!(maybe_string(None), Maybe::Null);
        assert_eq!(maybe_string(Some(&Value::Bool(true))), Maybe::Null);
    }
}

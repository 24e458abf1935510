//! JSON form of values (RawState.json, DynamicValue.json). JSON has no unknowns.

use std::collections::BTreeMap;

use serde_json::Value as Json;

use super::codec::{infer_type, value_label, CodecError, Loc, Step};
use super::number::Number;
use super::types::Type;
use super::value::Value;

/// Decodes JSON bytes as a value of `ty`. Missing object attributes decode as null.
pub fn decode(bytes: &[u8], ty: &Type) -> Result<Value, CodecError> {
    // serde_json itself refuses nesting deeper than 128.
    let json: Json = serde_json::from_slice(bytes)?;
    decode_value(&json, ty)
}

/// Decodes an already parsed JSON document as a value of `ty`.
pub fn decode_value(json: &Json, ty: &Type) -> Result<Value, CodecError> {
    decode_at(json, ty, &Loc::root())
}

pub fn encode(value: &Value, ty: &Type) -> Result<Vec<u8>, CodecError> {
    Ok(serde_json::to_vec(&encode_value(value, ty)?)?)
}

/// Encodes `value` as a JSON document of `ty`; fails on unknowns.
pub fn encode_value(value: &Value, ty: &Type) -> Result<Json, CodecError> {
    encode_at(value, ty, &Loc::root())
}

fn json_label(json: &Json) -> &'static str {
    match json {
        Json::Null => "null",
        Json::Bool(_) => "bool",
        Json::Number(_) => "number",
        Json::String(_) => "string",
        Json::Array(_) => "array",
        Json::Object(_) => "object",
    }
}

fn decode_at(json: &Json, ty: &Type, loc: &Loc<'_>) -> Result<Value, CodecError> {
    if json.is_null() {
        return Ok(Value::Null);
    }
    let mismatch = || loc.mismatch(ty, json_label(json));
    match ty {
        Type::String => json.as_str().map(Value::string).ok_or_else(mismatch),
        Type::Bool => json.as_bool().map(Value::Bool).ok_or_else(mismatch),
        Type::Number => match json {
            Json::Number(n) => Ok(Value::Number(Number::from_json(n.clone()))),
            _ => Err(mismatch()),
        },
        Type::List(elem) | Type::Set(elem) => {
            let items = json.as_array().ok_or_else(mismatch)?;
            let values = items
                .iter()
                .enumerate()
                .map(|(i, item)| decode_at(item, elem, &loc.child(Step::Index(i))?))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(if matches!(ty, Type::Set(_)) {
                Value::Set(values)
            } else {
                Value::List(values)
            })
        }
        Type::Tuple(elems) => {
            let items = json.as_array().ok_or_else(mismatch)?;
            if items.len() != elems.len() {
                return Err(loc.invalid(format!(
                    "tuple needs {} elements, found {}",
                    elems.len(),
                    items.len()
                )));
            }
            let values = items
                .iter()
                .zip(elems)
                .enumerate()
                .map(|(i, (item, elem))| decode_at(item, elem, &loc.child(Step::Index(i))?))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(Value::Tuple(values))
        }
        Type::Map(elem) => {
            let entries = json.as_object().ok_or_else(mismatch)?;
            let mut out = BTreeMap::new();
            for (key, item) in entries {
                out.insert(
                    key.clone(),
                    decode_at(item, elem, &loc.child(Step::Key(key))?)?,
                );
            }
            Ok(Value::Map(out))
        }
        Type::Object(attrs) => {
            let entries = json.as_object().ok_or_else(mismatch)?;
            if let Some(extra) = entries.keys().find(|k| !attrs.contains_key(*k)) {
                return Err(loc.invalid(format!("unsupported attribute {extra:?}")));
            }
            let mut out = BTreeMap::new();
            for (name, attr_ty) in attrs {
                let value = match entries.get(name) {
                    Some(item) => decode_at(item, attr_ty, &loc.child(Step::Attr(name))?)?,
                    None => Value::Null,
                };
                out.insert(name.clone(), value);
            }
            Ok(Value::Object(out))
        }
        Type::Dynamic => {
            // {"type": <type JSON>, "value": <value>}
            let entries = json.as_object().ok_or_else(mismatch)?;
            let (Some(type_json), Some(inner)) = (entries.get("type"), entries.get("value")) else {
                return Err(loc.invalid("dynamic value needs \"type\" and \"value\""));
            };
            let actual = Type::from_json(type_json).map_err(|e| loc.invalid(e.to_string()))?;
            if actual == Type::Dynamic {
                return Err(loc.invalid("dynamic value announces type \"dynamic\""));
            }
            decode_at(inner, &actual, &loc.child(Step::Attr("value"))?)
        }
    }
}

fn encode_at(value: &Value, ty: &Type, loc: &Loc<'_>) -> Result<Json, CodecError> {
    let mismatch = || loc.mismatch(ty, value_label(value));
    match (ty, value) {
        (_, Value::Null) => Ok(Json::Null),
        (_, Value::Unknown) => Err(loc.invalid("unknown values cannot be written as JSON")),
        (Type::String, Value::String(s)) => Ok(Json::String(s.clone())),
        (Type::Bool, Value::Bool(b)) => Ok(Json::Bool(*b)),
        (Type::Number, Value::Number(n)) => Ok(Json::Number(n.as_json().clone())),
        (Type::List(elem) | Type::Set(elem), Value::List(items) | Value::Set(items)) => items
            .iter()
            .enumerate()
            .map(|(i, item)| encode_at(item, elem, &loc.child(Step::Index(i))?))
            .collect::<Result<Vec<_>, _>>()
            .map(Json::Array),
        (Type::Tuple(elems), Value::Tuple(items) | Value::List(items)) => {
            if items.len() != elems.len() {
                return Err(mismatch());
            }
            items
                .iter()
                .zip(elems)
                .enumerate()
                .map(|(i, (item, elem))| encode_at(item, elem, &loc.child(Step::Index(i))?))
                .collect::<Result<Vec<_>, _>>()
                .map(Json::Array)
        }
        (Type::Map(elem), Value::Map(entries) | Value::Object(entries)) => {
            let mut out = serde_json::Map::new();
            for (key, item) in entries {
                out.insert(
                    key.clone(),
                    encode_at(item, elem, &loc.child(Step::Key(key))?)?,
                );
            }
            Ok(Json::Object(out))
        }
        (Type::Object(attrs), Value::Object(entries)) => {
            if let Some(extra) = entries.keys().find(|k| !attrs.contains_key(*k)) {
                return Err(loc.invalid(format!("value has attribute {extra:?} not in its type")));
            }
            let mut out = serde_json::Map::new();
            for (name, attr_ty) in attrs {
                let item = match entries.get(name) {
                    Some(item) => encode_at(item, attr_ty, &loc.child(Step::Attr(name))?)?,
                    None => Json::Null,
                };
                out.insert(name.clone(), item);
            }
            Ok(Json::Object(out))
        }
        (Type::Dynamic, _) => {
            let actual = infer_type(value);
            let inner = encode_at(value, &actual, &loc.child(Step::Attr("value"))?)?;
            let mut out = serde_json::Map::new();
            out.insert("type".to_owned(), actual.to_json());
            out.insert("value".to_owned(), inner);
            Ok(Json::Object(out))
        }
        _ => Err(mismatch()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample_type() -> Type {
        Type::object([
            ("s", Type::String),
            ("n", Type::Number),
            ("b", Type::Bool),
            ("l", Type::list(Type::String)),
            ("st", Type::set(Type::Number)),
            ("m", Type::map(Type::String)),
            ("t", Type::Tuple(vec![Type::String, Type::Bool])),
            ("o", Type::object([("x", Type::String)])),
            ("d", Type::Dynamic),
            ("z", Type::String),
        ])
    }

    fn sample_value() -> Value {
        Value::object([
            ("s", Value::from("hi")),
            (
                "n",
                Value::Number("123456789012345678901234567890.5".parse().unwrap()),
            ),
            ("b", Value::Bool(true)),
            ("l", Value::List(vec![Value::from("a"), Value::Null])),
            ("st", Value::Set(vec![Value::from(1), Value::from(2)])),
            ("m", Value::map([("k", Value::from("v"))])),
            (
                "t",
                Value::Tuple(vec![Value::from("x"), Value::Bool(false)]),
            ),
            ("o", Value::object([("x", Value::Null)])),
            ("d", Value::List(vec![Value::from("dyn")])),
            ("z", Value::Null),
        ])
    }

    #[test]
    fn round_trip_keeps_everything() {
        let bytes = encode(&sample_value(), &sample_type()).unwrap();
        assert_eq!(decode(&bytes, &sample_type()).unwrap(), sample_value());
        let text = String::from_utf8(bytes).unwrap();
        assert!(text.contains("123456789012345678901234567890.5"), "{text}");
        assert!(
            text.contains(r#""d":{"type":["list","string"],"value":["dyn"]}"#),
            "{text}"
        );
    }

    #[test]
    fn missing_attributes_are_null_extra_ones_rejected() {
        let ty = Type::object([("a", Type::String), ("b", Type::String)]);
        let v = decode(br#"{"a":"x"}"#, &ty).unwrap();
        assert_eq!(
            v,
            Value::object([("a", Value::from("x")), ("b", Value::Null)])
        );
        let err = decode(br#"{"a":"x","c":1}"#, &ty).unwrap_err();
        assert!(err.to_string().contains("\"c\""), "{err}");
    }

    #[test]
    fn mismatches_name_the_path() {
        let ty = Type::object([("l", Type::list(Type::Number))]);
        let err = decode(br#"{"l":[1,"two"]}"#, &ty).unwrap_err();
        assert_eq!(
            err.to_string(),
            r#"at l[1]: expected "number", found string"#
        );
    }

    #[test]
    fn unknowns_cannot_be_json() {
        assert!(encode(&Value::Unknown, &Type::String).is_err());
    }

    #[test]
    fn hostile_nesting_is_an_error() {
        let deep = "[".repeat(10_000) + &"]".repeat(10_000);
        let mut ty = Type::String;
        for _ in 0..200 {
            ty = Type::list(ty);
        }
        assert!(decode(deep.as_bytes(), &ty).is_err());
    }
}

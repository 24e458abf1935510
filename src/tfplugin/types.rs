//! `Type`: cty types and their JSON form (the `type` bytes of a schema attribute).

use std::collections::BTreeMap;

use serde_json::{json, Value as Json};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Type {
    String,
    Number,
    Bool,
    /// Any type, decided per value (encoded on the wire together with its type).
    Dynamic,
    List(Box<Type>),
    Set(Box<Type>),
    Map(Box<Type>),
    Object(BTreeMap<String, Type>),
    Tuple(Vec<Type>),
}

#[derive(Debug, thiserror::Error)]
pub enum TypeError {
    #[error("type JSON is not valid JSON: {0}")]
    Json(#[from] serde_json::Error),
    #[error("unsupported type JSON: {0}")]
    Unsupported(String),
}

impl Type {
    pub fn list(element: Type) -> Type {
        Type::List(Box::new(element))
    }

    pub fn set(element: Type) -> Type {
        Type::Set(Box::new(element))
    }

    pub fn map(element: Type) -> Type {
        Type::Map(Box::new(element))
    }

    pub fn object<K: Into<String>>(attrs: impl IntoIterator<Item = (K, Type)>) -> Type {
        Type::Object(attrs.into_iter().map(|(k, t)| (k.into(), t)).collect())
    }

    /// The cty type JSON document, e.g. `["list","string"]`.
    pub fn to_json(&self) -> Json {
        match self {
            Type::String => json!("string"),
            Type::Number => json!("number"),
            Type::Bool => json!("bool"),
            Type::Dynamic => json!("dynamic"),
            Type::List(e) => json!(["list", e.to_json()]),
            Type::Set(e) => json!(["set", e.to_json()]),
            Type::Map(e) => json!(["map", e.to_json()]),
            Type::Object(attrs) => {
                let attrs: serde_json::Map<String, Json> = attrs
                    .iter()
                    .map(|(k, t)| (k.clone(), t.to_json()))
                    .collect();
                json!(["object", attrs])
            }
            Type::Tuple(elems) => {
                json!(["tuple", elems.iter().map(Type::to_json).collect::<Vec<_>>()])
            }
        }
    }

    pub fn to_json_bytes(&self) -> Vec<u8> {
        self.to_json().to_string().into_bytes()
    }

    pub fn from_json_bytes(bytes: &[u8]) -> Result<Type, TypeError> {
        let json: Json = serde_json::from_slice(bytes)?;
        Type::from_json(&json)
    }

    /// Parses cty type JSON. An object type's optional third element (optional attribute names,
    /// only used in type constraints) is accepted and ignored.
    pub fn from_json(json: &Json) -> Result<Type, TypeError> {
        let unsupported = || TypeError::Unsupported(truncate(json.to_string()));
        match json {
            Json::String(name) => match name.as_str() {
                "string" => Ok(Type::String),
                "number" => Ok(Type::Number),
                "bool" => Ok(Type::Bool),
                "dynamic" => Ok(Type::Dynamic),
                _ => Err(unsupported()),
            },
            Json::Array(parts) => {
                let kind = parts
                    .first()
                    .and_then(Json::as_str)
                    .ok_or_else(unsupported)?;
                let arg = parts.get(1).ok_or_else(unsupported)?;
                let max_len = if kind == "object" { 3 } else { 2 };
                if parts.len() > max_len {
                    return Err(unsupported());
                }
                match kind {
                    "list" => Ok(Type::list(Type::from_json(arg)?)),
                    "set" => Ok(Type::set(Type::from_json(arg)?)),
                    "map" => Ok(Type::map(Type::from_json(arg)?)),
                    "object" => {
                        let attrs = arg.as_object().ok_or_else(unsupported)?;
                        let attrs = attrs
                            .iter()
                            .map(|(k, t)| Ok((k.clone(), Type::from_json(t)?)))
                            .collect::<Result<_, TypeError>>()?;
                        Ok(Type::Object(attrs))
                    }
                    "tuple" => {
                        let elems = arg.as_array().ok_or_else(unsupported)?;
                        let elems = elems
                            .iter()
                            .map(Type::from_json)
                            .collect::<Result<_, _>>()?;
                        Ok(Type::Tuple(elems))
                    }
                    _ => Err(unsupported()),
                }
            }
            _ => Err(unsupported()),
        }
    }
}

fn truncate(mut s: String) -> String {
    const MAX: usize = 200;
    if s.len() > MAX {
        let mut cut = MAX;
        while !s.is_char_boundary(cut) {
            cut -= 1;
        }
        s.truncate(cut);
        s.push('…');
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all_kinds() -> Type {
        Type::object([
            ("s", Type::String),
            ("n", Type::Number),
            ("b", Type::Bool),
            ("d", Type::Dynamic),
            ("l", Type::list(Type::String)),
            ("st", Type::set(Type::Number)),
            ("m", Type::map(Type::Bool)),
            (
                "t",
                Type::Tuple(vec![Type::String, Type::list(Type::Dynamic)]),
            ),
        ])
    }

    #[test]
    fn json_round_trip() {
        let ty = all_kinds();
        let bytes = ty.to_json_bytes();
        assert_eq!(Type::from_json_bytes(&bytes).unwrap(), ty);
    }

    #[test]
    fn json_shapes_match_cty() {
        assert_eq!(Type::String.to_json_bytes(), br#""string""#);
        assert_eq!(
            Type::map(Type::String).to_json_bytes(),
            br#"["map","string"]"#
        );
        assert_eq!(
            Type::object([("b", Type::Bool), ("a", Type::String)]).to_json_bytes(),
            br#"["object",{"a":"string","b":"bool"}]"#
        );
        assert_eq!(Type::Tuple(vec![]).to_json_bytes(), br#"["tuple",[]]"#);
    }

    #[test]
    fn optional_attribute_list_is_accepted() {
        let ty = Type::from_json_bytes(br#"["object",{"a":"string"},["a"]]"#).unwrap();
        assert_eq!(ty, Type::object([("a", Type::String)]));
    }

    #[test]
    fn bad_type_json_is_an_error() {
        for bad in [
            &b"\"str\""[..],
            b"[\"list\"]",
            b"{}",
            b"[\"list\",\"string\",1]",
            b"nope",
        ] {
            assert!(
                Type::from_json_bytes(bad).is_err(),
                "{:?}",
                String::from_utf8_lossy(bad)
            );
        }
    }
}

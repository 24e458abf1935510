//! `Value`: a Terraform (cty) value with null and unknown as first-class cases.

use std::collections::BTreeMap;
use std::fmt;

use super::number::Number;

/// A Terraform value. Which variant is valid for a slot is decided by the slot's [`super::Type`];
/// `Null` and `Unknown` are valid for every type.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    /// Not known until apply (Terraform's unknown; refinements are dropped).
    Unknown,
    Bool(bool),
    Number(Number),
    String(String),
    List(Vec<Value>),
    /// Element order carries no meaning.
    Set(Vec<Value>),
    Tuple(Vec<Value>),
    Map(BTreeMap<String, Value>),
    Object(BTreeMap<String, Value>),
}

impl Value {
    pub fn string(s: impl Into<String>) -> Value {
        Value::String(s.into())
    }

    pub fn object<K: Into<String>>(attrs: impl IntoIterator<Item = (K, Value)>) -> Value {
        Value::Object(attrs.into_iter().map(|(k, v)| (k.into(), v)).collect())
    }

    pub fn map<K: Into<String>>(entries: impl IntoIterator<Item = (K, Value)>) -> Value {
        Value::Map(entries.into_iter().map(|(k, v)| (k.into(), v)).collect())
    }

    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    pub fn is_unknown(&self) -> bool {
        matches!(self, Value::Unknown)
    }

    /// True when neither this value nor anything nested inside it is unknown.
    pub fn is_known(&self) -> bool {
        match self {
            Value::Unknown => false,
            Value::List(items) | Value::Set(items) | Value::Tuple(items) => {
                items.iter().all(Value::is_known)
            }
            Value::Map(entries) | Value::Object(entries) => entries.values().all(Value::is_known),
            _ => true,
        }
    }

    /// Attribute of an object; `None` when this is not an object or has no such attribute.
    pub fn get_attr(&self, name: &str) -> Option<&Value> {
        match self {
            Value::Object(attrs) => attrs.get(name),
            _ => None,
        }
    }

    pub fn get_attr_mut(&mut self, name: &str) -> Option<&mut Value> {
        match self {
            Value::Object(attrs) => attrs.get_mut(name),
            _ => None,
        }
    }

    /// Moves an attribute's value out of an object, leaving null in its place: cheaper than
    /// cloning when the object is not needed any more.
    pub fn take_attr(&mut self, name: &str) -> Option<Value> {
        self.get_attr_mut(name).map(|slot| std::mem::replace(slot, Value::Null))
    }

    /// Sets an attribute of an object; does nothing for other variants.
    pub fn set_attr(&mut self, name: impl Into<String>, value: Value) {
        if let Value::Object(attrs) = self {
            attrs.insert(name.into(), value);
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    pub fn as_number(&self) -> Option<&Number> {
        match self {
            Value::Number(n) => Some(n),
            _ => None,
        }
    }

    pub fn as_i64(&self) -> Option<i64> {
        self.as_number().and_then(Number::as_i64)
    }

    /// Elements of a list, set or tuple.
    pub fn as_elements(&self) -> Option<&[Value]> {
        match self {
            Value::List(items) | Value::Set(items) | Value::Tuple(items) => Some(items),
            _ => None,
        }
    }

    /// Entries of a map or the attributes of an object.
    pub fn as_entries(&self) -> Option<&BTreeMap<String, Value>> {
        match self {
            Value::Map(entries) | Value::Object(entries) => Some(entries),
            _ => None,
        }
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Self {
        Value::Bool(b)
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::String(s.to_owned())
    }
}

impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::String(s)
    }
}

impl From<i64> for Value {
    fn from(n: i64) -> Self {
        Value::Number(Number::from(n))
    }
}

impl From<Number> for Value {
    fn from(n: Number) -> Self {
        Value::Number(n)
    }
}

impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(v: Option<T>) -> Self {
        v.map_or(Value::Null, Into::into)
    }
}

impl fmt::Display for Value {
    /// A short human rendering for diagnostics (not HCL, not JSON).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Null => f.write_str("null"),
            Value::Unknown => f.write_str("(known after apply)"),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Number(n) => write!(f, "{n}"),
            Value::String(s) => write!(f, "{s:?}"),
            Value::List(items) | Value::Set(items) | Value::Tuple(items) => {
                f.write_str("[")?;
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{item}")?;
                }
                f.write_str("]")
            }
            Value::Map(entries) | Value::Object(entries) => {
                f.write_str("{")?;
                for (i, (k, v)) in entries.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{k:?} = {v}")?;
                }
                f.write_str("}")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn is_known_looks_deep() {
        let v = Value::object([("a", Value::List(vec![Value::from("x"), Value::Unknown]))]);
        assert!(!v.is_known());
        let v = Value::object([("a", Value::List(vec![Value::from("x"), Value::Null]))]);
        assert!(v.is_known());
        assert!(!Value::Unknown.is_known());
    }

    #[test]
    fn attribute_helpers() {
        let mut v = Value::object([("name", Value::from("n"))]);
        assert_eq!(v.get_attr("name").and_then(Value::as_str), Some("n"));
        assert_eq!(v.get_attr("missing"), None);
        v.set_attr("id", Value::from(5));
        assert_eq!(v.get_attr("id").and_then(Value::as_i64), Some(5));
        assert_eq!(v.take_attr("name"), Some(Value::from("n")));
        assert_eq!(v.get_attr("name"), Some(&Value::Null));
        assert_eq!(v.take_attr("missing"), None);
        assert_eq!(Value::from(None::<String>), Value::Null);
    }
}

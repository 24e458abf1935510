//! Pieces shared by the msgpack and JSON codecs: the error type, location tracking with a
//! nesting limit, and type inference for dynamic values.

use std::fmt::Write as _;

use super::types::Type;
use super::value::Value;

/// Deepest nesting either codec accepts; protects the stack against hostile input.
pub const MAX_DEPTH: usize = 128;

#[derive(Debug, thiserror::Error)]
pub enum CodecError {
    #[error("unexpected end of input")]
    Truncated,
    #[error("{0} unexpected bytes after the value")]
    TrailingBytes(usize),
    #[error("value nested deeper than {MAX_DEPTH} levels")]
    TooDeep,
    #[error("at {path}: expected {expected}, found {found}")]
    Mismatch {
        path: String,
        expected: String,
        found: String,
    },
    #[error("at {path}: {message}")]
    Invalid { path: String, message: String },
    #[error("invalid JSON: {0}")]
    Json(#[from] serde_json::Error),
}

#[derive(Clone, Copy)]
pub(crate) enum Step<'a> {
    Root,
    Attr(&'a str),
    Key(&'a str),
    Index(usize),
}

/// Where in the value the codec is; rendered only when an error is reported.
pub(crate) struct Loc<'a> {
    parent: Option<&'a Loc<'a>>,
    step: Step<'a>,
    depth: usize,
}

impl<'a> Loc<'a> {
    pub(crate) fn root() -> Loc<'static> {
        Loc {
            parent: None,
            step: Step::Root,
            depth: 0,
        }
    }

    pub(crate) fn child(&'a self, step: Step<'a>) -> Result<Loc<'a>, CodecError> {
        if self.depth >= MAX_DEPTH {
            return Err(CodecError::TooDeep);
        }
        Ok(Loc {
            parent: Some(self),
            step,
            depth: self.depth + 1,
        })
    }

    pub(crate) fn render(&self) -> String {
        let mut steps = Vec::new();
        let mut cur = Some(self);
        while let Some(loc) = cur {
            steps.push(loc.step);
            cur = loc.parent;
        }
        let mut out = String::new();
        for step in steps.iter().rev() {
            // Writing to a String cannot fail.
            let _ = match step {
                Step::Root => Ok(()),
                Step::Attr(name) if out.is_empty() => write!(out, "{name}"),
                Step::Attr(name) => write!(out, ".{name}"),
                Step::Key(key) => write!(out, "[{key:?}]"),
                Step::Index(i) => write!(out, "[{i}]"),
            };
        }
        if out.is_empty() {
            out.push_str("(root)");
        }
        out
    }

    pub(crate) fn mismatch(&self, ty: &Type, found: impl Into<String>) -> CodecError {
        CodecError::Mismatch {
            path: self.render(),
            expected: type_label(ty),
            found: found.into(),
        }
    }

    pub(crate) fn invalid(&self, message: impl Into<String>) -> CodecError {
        CodecError::Invalid {
            path: self.render(),
            message: message.into(),
        }
    }
}

pub(crate) fn type_label(ty: &Type) -> String {
    let mut s = ty.to_json().to_string();
    if s.len() > 80 {
        let mut cut = 80;
        while !s.is_char_boundary(cut) {
            cut -= 1;
        }
        s.truncate(cut);
        s.push('…');
    }
    s
}

pub(crate) fn value_label(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Unknown => "unknown",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::List(_) => "list",
        Value::Set(_) => "set",
        Value::Tuple(_) => "tuple",
        Value::Map(_) => "map",
        Value::Object(_) => "object",
    }
}

/// The concrete type to announce for a value stored in a `dynamic` slot. Empty and wholly
/// unknown/null collections get `dynamic` elements.
pub(crate) fn infer_type(value: &Value) -> Type {
    fn first_known<'v>(mut items: impl Iterator<Item = &'v Value>) -> Type {
        items
            .find(|v| !v.is_null() && !v.is_unknown())
            .map_or(Type::Dynamic, infer_type)
    }
    match value {
        Value::Null | Value::Unknown => Type::Dynamic,
        Value::Bool(_) => Type::Bool,
        Value::Number(_) => Type::Number,
        Value::String(_) => Type::String,
        Value::List(items) => Type::list(first_known(items.iter())),
        Value::Set(items) => Type::set(first_known(items.iter())),
        Value::Tuple(items) => Type::Tuple(items.iter().map(infer_type).collect()),
        Value::Map(entries) => Type::map(first_known(entries.values())),
        Value::Object(attrs) => Type::Object(
            attrs
                .iter()
                .map(|(k, v)| (k.clone(), infer_type(v)))
                .collect(),
        ),
    }
}

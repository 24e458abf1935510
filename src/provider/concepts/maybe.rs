//! A configuration value as far as Terraform knows it at validate and plan time.

/// A configuration value at plan/validate time: it may be null, or not known until apply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Maybe<T> {
    Known(T),
    Unknown,
    Null,
}

impl<T> Maybe<T> {
    pub fn known(&self) -> Option<&T> {
        match self {
            Maybe::Known(value) => Some(value),
            _ => None,
        }
    }
}

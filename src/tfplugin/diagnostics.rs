//! Diagnostics (errors and warnings for the user) with attribute paths.

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    Error,
    Warning,
}

/// One step of a path into a value.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PathStep {
    Attribute(String),
    /// Map key (or set element keyed by string, as Terraform renders it).
    Key(String),
    /// List or tuple index.
    Index(i64),
}

/// A path to an attribute, e.g. `AttributePath::root().attr("mappings").key("192.0.2.1")`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct AttributePath {
    pub steps: Vec<PathStep>,
}

impl AttributePath {
    pub fn root() -> AttributePath {
        AttributePath::default()
    }

    /// Shorthand for `root().attr(name)`.
    pub fn new(name: impl Into<String>) -> AttributePath {
        AttributePath::root().attr(name)
    }

    pub fn attr(mut self, name: impl Into<String>) -> AttributePath {
        self.steps.push(PathStep::Attribute(name.into()));
        self
    }

    pub fn key(mut self, key: impl Into<String>) -> AttributePath {
        self.steps.push(PathStep::Key(key.into()));
        self
    }

    pub fn index(mut self, index: i64) -> AttributePath {
        self.steps.push(PathStep::Index(index));
        self
    }
}

impl fmt::Display for AttributePath {
    /// Terraform-like rendering: `mappings["192.0.2.1"].region`, `rule[3]`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, step) in self.steps.iter().enumerate() {
            match step {
                PathStep::Attribute(name) if i == 0 => f.write_str(name)?,
                PathStep::Attribute(name) => write!(f, ".{name}")?,
                PathStep::Key(key) => write!(f, "[{key:?}]")?,
                PathStep::Index(index) => write!(f, "[{index}]")?,
            }
        }
        Ok(())
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    pub summary: String,
    pub detail: String,
    pub path: Option<AttributePath>,
}

/// An ordered list of diagnostics; handlers return it together with their result.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    pub fn new() -> Diagnostics {
        Diagnostics::default()
    }

    /// A list holding one error (convenient for early returns).
    pub fn from_error(summary: impl Into<String>, detail: impl Into<String>) -> Diagnostics {
        let mut diags = Diagnostics::new();
        diags.error(summary, detail);
        diags
    }

    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.0.push(diagnostic);
    }

    pub fn error(&mut self, summary: impl Into<String>, detail: impl Into<String>) {
        self.add(Severity::Error, None, summary.into(), detail.into());
    }

    pub fn error_at(
        &mut self,
        path: AttributePath,
        summary: impl Into<String>,
        detail: impl Into<String>,
    ) {
        self.add(Severity::Error, Some(path), summary.into(), detail.into());
    }

    pub fn warning(&mut self, summary: impl Into<String>, detail: impl Into<String>) {
        self.add(Severity::Warning, None, summary.into(), detail.into());
    }

    pub fn warning_at(
        &mut self,
        path: AttributePath,
        summary: impl Into<String>,
        detail: impl Into<String>,
    ) {
        self.add(Severity::Warning, Some(path), summary.into(), detail.into());
    }

    fn add(
        &mut self,
        severity: Severity,
        path: Option<AttributePath>,
        summary: String,
        detail: String,
    ) {
        self.0.push(Diagnostic {
            severity,
            summary,
            detail,
            path,
        });
    }

    pub fn has_errors(&self) -> bool {
        self.0.iter().any(|d| d.severity == Severity::Error)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn iter(&self) -> std::slice::Iter<'_, Diagnostic> {
        self.0.iter()
    }

    pub fn extend(&mut self, other: Diagnostics) {
        self.0.extend(other.0);
    }
}

impl IntoIterator for Diagnostics {
    type Item = Diagnostic;
    type IntoIter = std::vec::IntoIter<Diagnostic>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

impl From<Diagnostic> for Diagnostics {
    fn from(d: Diagnostic) -> Self {
        Diagnostics(vec![d])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_build_and_render() {
        let path = AttributePath::new("mappings")
            .key("192.0.2.1")
            .attr("region")
            .index(3);
        assert_eq!(
            path.steps,
            vec![
                PathStep::Attribute("mappings".into()),
                PathStep::Key("192.0.2.1".into()),
                PathStep::Attribute("region".into()),
                PathStep::Index(3),
            ]
        );
        assert_eq!(path.to_string(), r#"mappings["192.0.2.1"].region[3]"#);
    }

    #[test]
    fn severity_tracking() {
        let mut diags = Diagnostics::new();
        diags.warning("w", "");
        assert!(!diags.has_errors());
        diags.extend(Diagnostics::from_error("e", "detail"));
        diags.error_at(AttributePath::new("a"), "e2", "");
        assert!(diags.has_errors());
        assert_eq!(diags.len(), 3);
        assert_eq!(diags.0[2].path, Some(AttributePath::new("a")));
    }
}

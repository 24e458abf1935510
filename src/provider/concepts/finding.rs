//! Problems found by the pure logic, with the place in the configuration they belong to.
//! `resource.rs` turns them into Terraform diagnostics; keeping them plain keeps the logic
//! testable without the protocol layer.

/// Where a finding points: Terraform renders it against that line of the configuration.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Place {
    /// The resource block itself.
    Resource,
    ZoneId,
    /// The `mappings` attribute as a whole.
    Mappings,
    /// `mappings["<key>"]`
    Entry(String),
    /// `mappings["<key>"].vendor`
    Vendor(String),
    /// `mappings["<key>"].region`
    Region(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    Error,
    Warning,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub severity: Severity,
    pub place: Place,
    pub summary: String,
    pub detail: String,
}

impl Finding {
    pub fn error(place: Place, summary: impl Into<String>, detail: impl Into<String>) -> Finding {
        Finding { severity: Severity::Error, place, summary: summary.into(), detail: detail.into() }
    }

    pub fn warning(place: Place, summary: impl Into<String>, detail: impl Into<String>) -> Finding {
        Finding { severity: Severity::Warning, place, summary: summary.into(), detail: detail.into() }
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

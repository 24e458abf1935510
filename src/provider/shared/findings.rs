//! Validator findings into protocol diagnostics; each resource says where a place points.

use crate::provider::concepts::finding::{Finding, Place, Severity};
use crate::tfplugin::{AttributePath, Diagnostic, Diagnostics, Severity as TfSeverity};

pub fn findings_to_diagnostics(
    findings: impl IntoIterator<Item = Finding>,
    place_to_path: impl Fn(&Place) -> Option<AttributePath>,
) -> Diagnostics {
    let mut diagnostics = Diagnostics::new();
    for finding in findings {
        diagnostics.push(Diagnostic {
            severity: match finding.severity {
                Severity::Error => TfSeverity::Error,
                Severity::Warning => TfSeverity::Warning,
            },
            path: place_to_path(&finding.place),
            summary: finding.summary,
            detail: finding.detail,
        });
    }
    diagnostics
}

//! Per-item failures into diagnostics a person can read: when the API rejects many entries for
//! one cause, the first few still point at their lines and the rest are named together in one
//! diagnostic, so 100 rejections give a handful of error blocks rather than a hundred.

use super::finding::{Finding, Place};

/// Failures of one cause shown one by one, at their lines, before the rest are grouped.
pub const SHOWN_AT_THEIR_LINES: usize = 3;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailedOperation {
    /// Creating or changing the entry.
    Upsert,
    Delete,
}

/// One entry the API refused, keyed as the configuration (or prior state) writes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemFailure {
    pub operation: FailedOperation,
    pub key: String,
    /// The API's text for the item: failures with the same text share a cause.
    pub cause: String,
}

fn one_summary(operation: FailedOperation, key: &str) -> String {
    match operation {
        FailedOperation::Upsert => format!("Cloudflare rejected the mapping for {key}"),
        FailedOperation::Delete => format!("Cloudflare could not delete the mapping for {key}"),
    }
}

fn group_summary(operation: FailedOperation, count: usize) -> String {
    let noun = if count == 1 { "mapping" } else { "mappings" };
    match operation {
        FailedOperation::Upsert => format!("Cloudflare rejected {count} more {noun} for the same reason"),
        FailedOperation::Delete => format!("Cloudflare could not delete {count} more {noun} for the same reason"),
    }
}

/// The findings for `failures`, in the order their causes first appear.
pub fn failure_findings(failures: Vec<ItemFailure>) -> Vec<Finding> {
    let mut groups: Vec<(FailedOperation, String, Vec<String>)> = Vec::new();
    for failure in failures {
        let same = |(operation, cause, _): &&mut (FailedOperation, String, Vec<String>)| {
            *operation == failure.operation && *cause == failure.cause
        };
        match groups.iter_mut().find(same) {
            Some((_, _, keys)) => keys.push(failure.key),
            None => groups.push((failure.operation, failure.cause, vec![failure.key])),
        }
    }
    let mut findings = Vec::new();
    for (operation, cause, mut keys) in groups {
        let rest = keys.split_off(keys.len().min(SHOWN_AT_THEIR_LINES));
        for key in keys {
            findings.push(Finding::error(Place::Entry(key.clone()), one_summary(operation, &key), cause.clone()));
        }
        if !rest.is_empty() {
            let detail = format!("{cause}\n\nAlso affected: {}.", rest.join(", "));
            findings.push(Finding::error(Place::Mappings, group_summary(operation, rest.len()), detail));
        }
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::*;

    fn failure(operation: FailedOperation, key: &str, cause: &str) -> ItemFailure {
        ItemFailure { operation, key: key.into(), cause: cause.into() }
    }

    #[test]
    fn a_hundred_of_one_cause_give_few_findings_naming_every_ip() {
        let keys: Vec<String> = (0..100).map(|i| format!("10.0.{}.{}", i / 256, i % 256)).collect();
        let failures = keys.iter().map(|key| failure(FailedOperation::Upsert, key, "not allowed")).collect();
        let findings = failure_findings(failures);
        assert_eq!(findings.len(), SHOWN_AT_THEIR_LINES + 1);
        for (finding, key) in findings.iter().zip(&keys).take(SHOWN_AT_THEIR_LINES) {
            assert_eq!(finding.place, Place::Entry(key.clone()));
            assert_eq!(finding.detail, "not allowed");
        }
        let grouped = &findings[SHOWN_AT_THEIR_LINES];
        assert_eq!(grouped.place, Place::Mappings);
        assert_eq!(grouped.summary, "Cloudflare rejected 97 more mappings for the same reason");
        assert!(grouped.detail.starts_with("not allowed\n\nAlso affected: 10.0.0.3, 10.0.0.4,"), "{}", grouped.detail);
        for key in &keys[SHOWN_AT_THEIR_LINES..] {
            assert!(grouped.detail.contains(&format!(" {key},")) || grouped.detail.ends_with(&format!(" {key}.")));
        }
    }

    #[test]
    fn causes_and_operations_are_grouped_apart_in_order_of_appearance() {
        let findings = failure_findings(vec![
            failure(FailedOperation::Upsert, "192.0.2.1", "a"),
            failure(FailedOperation::Upsert, "192.0.2.2", "b"),
            failure(FailedOperation::Delete, "192.0.2.3", "a"),
            failure(FailedOperation::Upsert, "192.0.2.4", "a"),
        ]);
        let shown: Vec<(&Place, &str, &str)> =
            findings.iter().map(|f| (&f.place, f.summary.as_str(), f.detail.as_str())).collect();
        assert_eq!(
            shown,
            [
                (&Place::Entry("192.0.2.1".into()), "Cloudflare rejected the mapping for 192.0.2.1", "a"),
                (&Place::Entry("192.0.2.4".into()), "Cloudflare rejected the mapping for 192.0.2.4", "a"),
                (&Place::Entry("192.0.2.2".into()), "Cloudflare rejected the mapping for 192.0.2.2", "b"),
                (&Place::Entry("192.0.2.3".into()), "Cloudflare could not delete the mapping for 192.0.2.3", "a"),
            ]
        );
    }

    #[test]
    fn one_more_than_shown_is_a_group_of_one() {
        let failures = (0..=SHOWN_AT_THEIR_LINES)
            .map(|i| failure(FailedOperation::Delete, &format!("192.0.2.{i}"), "busy"))
            .collect();
        let findings = failure_findings(failures);
        let last = findings.last().unwrap();
        assert_eq!(last.summary, "Cloudflare could not delete 1 more mapping for the same reason");
        assert!(last.detail.ends_with(&format!("Also affected: 192.0.2.{SHOWN_AT_THEIR_LINES}.")));
    }
}

//! Turning batch results into the new state and diagnostics. The rule: the returned state is
//! what is now true remotely for the managed IPs. Succeeded entries are in, failed new entries
//! are out, failed changes keep their old values, failed deletions stay.

use std::collections::{BTreeMap, BTreeSet};

use super::diff::Changes;
use super::failure_groups::{failure_findings, FailedOperation, ItemFailure};
use super::finding::{Finding, Place};
use super::model::{Address, MappingSet, Target};

/// A whole request that failed, leaving these canonical IPs unapplied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotApplied {
    pub ips: Vec<String>,
    pub error: String,
}

/// The result of one batch operation (all its chunks), keyed by canonical IP.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BatchResult {
    pub succeeded: BTreeSet<String>,
    /// canonical IP -> the API's error text for that item
    pub failed: BTreeMap<String, String>,
    pub not_applied: Vec<NotApplied>,
    /// The API's `modified_on` from the last request that applied something.
    pub modified_on: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ItemStatus<'a> {
    Succeeded,
    Failed(&'a str),
    NotApplied,
    Unreported,
}

impl BatchResult {
    fn status(&self, canonical: &str) -> ItemStatus<'_> {
        if self.succeeded.contains(canonical) {
            ItemStatus::Succeeded
        } else if let Some(error) = self.failed.get(canonical) {
            ItemStatus::Failed(error)
        } else if self.not_applied.iter().any(|chunk| chunk.ips.iter().any(|ip| ip == canonical)) {
            ItemStatus::NotApplied
        } else {
            ItemStatus::Unreported
        }
    }

    fn applied_anything(&self) -> bool {
        !self.succeeded.is_empty()
    }

    /// For deletions: an address that failed or went unreported but is absent remotely is gone,
    /// which is what the deletion wanted. `requested` are the canonical IPs asked to delete.
    pub fn treat_absent_as_deleted(&mut self, requested: &BTreeSet<&str>, remote: &BTreeSet<String>) {
        let gone = |ip: &str| !remote.contains(ip);
        for ip in requested {
            if gone(ip) {
                self.failed.remove(*ip);
                self.succeeded.insert(ip.to_string());
            }
        }
        for chunk in &mut self.not_applied {
            chunk.ips.retain(|ip| !gone(ip));
        }
        self.not_applied.retain(|chunk| !chunk.ips.is_empty());
    }

    /// True when some requested address did not succeed.
    pub fn has_failures(&self, requested: &BTreeSet<&str>) -> bool {
        requested.iter().any(|ip| self.status(ip) != ItemStatus::Succeeded)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    Create,
    Update,
}

/// New state mappings (None: on a create nothing was applied, so there is no resource) and the
/// diagnostics to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Merged {
    pub mappings: Option<MappingSet>,
    pub findings: Vec<Finding>,
}

/// Terraform taints a created resource whenever its create reports an error, and replaces a
/// tainted resource on the next apply; the replacement's delete half leaves alone what the new
/// object will hold (see `successor_note`), so that apply is safe as it is.
const TAINT_ADVICE: &str = "Terraform keeps this new resource with the mappings that were applied \
and marks it as tainted. The next apply replaces it without deleting any mapping that stays in \
the configuration: it writes the configured mappings again, the missing ones included. Fix the \
configuration if needed and apply again.";

/// True when every upsert and every removal succeeded: then [`merge`] would give `desired`
/// itself and no findings, and the caller can skip it. Both lists of `changes` are sorted by
/// canonical address, like the results' sets, so one pass compares them.
pub fn all_applied(changes: &Changes, upserted: &BatchResult, removed: &BatchResult) -> bool {
    let exactly = |result: &BatchResult, requested: &mut dyn Iterator<Item = &String>| {
        result.failed.is_empty() && result.not_applied.is_empty() && result.succeeded.iter().eq(requested)
    };
    exactly(upserted, &mut changes.upserts.iter().map(|upsert| &upsert.canonical))
        && exactly(removed, &mut changes.removals.iter().map(|removal| &removal.canonical))
}

pub fn merge(
    prior: &MappingSet,
    desired: &MappingSet,
    changes: &Changes,
    upserted: &BatchResult,
    removed: &BatchResult,
    operation: Operation,
) -> Merged {
    // Later entries win, as with inserts: a failed deletion keeps its prior value.
    let mut kept: Vec<(String, Target)> = Vec::with_capacity(desired.len() + changes.removals.len());
    let mut failures = Vec::new();
    let mut unreported = Vec::new();
    let upserts: BTreeMap<Address, &str> =
        changes.upserts.iter().map(|upsert| (Address::of(&upsert.canonical), upsert.canonical.as_str())).collect();

    for (key, target) in desired.iter() {
        let address = Address::of(key);
        let Some(canonical) = upserts.get(&address) else {
            kept.push((key.clone(), target.clone()));
            continue;
        };
        match upserted.status(canonical) {
            ItemStatus::Succeeded => {
                kept.push((key.clone(), target.clone()));
                continue;
            }
            ItemStatus::Failed(error) => failures.push(ItemFailure {
                operation: FailedOperation::Upsert,
                key: key.clone(),
                cause: error.to_string(),
            }),
            ItemStatus::NotApplied => {}
            ItemStatus::Unreported => unreported.push(key.clone()),
        }
        if let Some((prior_key, prior_target)) = prior.find(&address) {
            kept.push((prior_key.to_string(), prior_target.clone()));
        }
    }

    for removal in &changes.removals {
        match removed.status(&removal.canonical) {
            ItemStatus::Succeeded => continue,
            ItemStatus::Failed(error) => failures.push(ItemFailure {
                operation: FailedOperation::Delete,
                key: removal.key.clone(),
                cause: error.to_string(),
            }),
            ItemStatus::NotApplied => {}
            ItemStatus::Unreported => unreported.push(removal.key.clone()),
        }
        if let Some(target) = prior.get(&removal.key) {
            kept.push((removal.key.clone(), target.clone()));
        }
    }
    let mappings: MappingSet = kept.into_iter().collect();

    let mut findings = failure_findings(failures);
    findings.extend(request_failures("update", &upserted.not_applied));
    findings.extend(request_failures("delete", &removed.not_applied));
    if !unreported.is_empty() {
        findings.push(Finding::error(
            Place::Mappings,
            "Cloudflare did not report the result for some mappings",
            format!(
                "No success or failure was reported for: {}. They are recorded as unchanged; \
                 the next plan shows whether they still need to be applied.",
                unreported.join(", ")
            ),
        ));
    }

    let nothing_created = operation == Operation::Create && !desired.is_empty() && mappings.is_empty();
    if operation == Operation::Create && !nothing_created {
        // Advice about the whole resource: once, not repeated under every failed entry.
        if let Some(first) = findings.iter_mut().find(|f| f.is_error()) {
            first.detail = format!("{}\n\n{TAINT_ADVICE}", first.detail);
        }
    }
    Merged { mappings: (!nothing_created).then_some(mappings), findings }
}

/// One error per distinct request failure, naming the operation and every entry it left
/// unapplied. Requests that failed the same way (a cancellation or rejected credentials stop
/// all the remaining chunks) are reported once, not once per chunk of 100.
fn request_failures(operation: &str, not_applied: &[NotApplied]) -> Vec<Finding> {
    let mut grouped: Vec<(&str, Vec<&str>)> = Vec::new();
    for chunk in not_applied {
        let ips = chunk.ips.iter().map(String::as_str);
        match grouped.iter_mut().find(|(error, _)| *error == chunk.error) {
            Some((_, all)) => all.extend(ips),
            None => grouped.push((&chunk.error, ips.collect())),
        }
    }
    grouped
        .into_iter()
        .map(|(error, ips)| {
            let count = ips.len();
            let noun = if count == 1 { "mapping was" } else { "mappings were" };
            Finding::error(
                Place::Mappings,
                format!("Batch {operation} of origin cloud region mappings failed"),
                format!("{error}\n\n{count} {noun} not applied: {}.", ips.join(", ")),
            )
        })
        .collect()
}

/// The resource's `modified_on` after an apply, as far as the API's answers tell it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ModifiedOn {
    /// Nothing changed: the prior value stays.
    Kept(Option<String>),
    /// This apply changed mappings; the answers' time, or `None` when they carried none (v2
    /// batches): then it is read back from the API, never taken from the provider's clock.
    Written(Option<String>),
}

pub fn modified_on_after_apply(prior: Option<&str>, upserted: &BatchResult, removed: &BatchResult) -> ModifiedOn {
    if upserted.applied_anything() || removed.applied_anything() {
        // Deletions run before upserts (freeing room under the zone's limit), so the upserts'
        // timestamp is the later one.
        return ModifiedOn::Written(upserted.modified_on.clone().or_else(|| removed.modified_on.clone()));
    }
    ModifiedOn::Kept(prior.map(str::to_string))
}

#[cfg(test)]
mod tests {
    use super::super::diff::changes;
    use super::super::model::Target;
    use super::*;

    fn set(entries: &[(&str, &str, &str)]) -> MappingSet {
        entries.iter().map(|(ip, vendor, region)| (ip.to_string(), Target::new(*vendor, *region))).collect()
    }

    fn ok(ips: &[&str]) -> BatchResult {
        BatchResult {
            succeeded: ips.iter().map(|ip| ip.to_string()).collect(),
            modified_on: Some("2026-03-01T12:00:00Z".into()),
            ..BatchResult::default()
        }
    }

    #[test]
    fn everything_succeeded() {
        let prior = set(&[("192.0.2.1", "aws", "a"), ("192.0.2.9", "aws", "a")]);
        let desired = set(&[("192.0.2.1", "aws", "b"), ("2001:DB8::1", "gcp", "c")]);
        let plan = changes(&prior, &desired);
        let merged =
            merge(&prior, &desired, &plan, &ok(&["192.0.2.1", "2001:db8::1"]), &ok(&["192.0.2.9"]), Operation::Update);
        assert_eq!(merged.mappings, Some(desired));
        assert_eq!(merged.findings, vec![]);
    }

    #[test]
    fn all_applied_means_merge_gives_the_desired_set() {
        let prior = set(&[("192.0.2.1", "aws", "a"), ("192.0.2.9", "aws", "a"), ("192.0.2.10", "aws", "a")]);
        let desired = set(&[("192.0.2.1", "aws", "b"), ("2001:DB8::1", "gcp", "c"), ("192.0.2.10", "aws", "a")]);
        let plan = changes(&prior, &desired);
        let (upserted, removed) = (ok(&["192.0.2.1", "2001:db8::1"]), ok(&["192.0.2.9"]));
        assert!(all_applied(&plan, &upserted, &removed));
        let merged = merge(&prior, &desired, &plan, &upserted, &removed, Operation::Update);
        assert_eq!((merged.mappings, merged.findings), (Some(desired), vec![]));
        assert!(all_applied(&Changes::default(), &BatchResult::default(), &BatchResult::default()));

        let mut failed = upserted.clone();
        failed.failed.insert("192.0.2.1".into(), "no".into());
        let not_applied = BatchResult {
            not_applied: vec![NotApplied { ips: vec!["192.0.2.9".into()], error: "HTTP 500".into() }],
            ..removed.clone()
        };
        for (upserted, removed) in [
            (&failed, &removed),
            (&upserted, &not_applied),
            (&ok(&["192.0.2.1"]), &removed),
            (&upserted, &BatchResult::default()),
            (&ok(&["192.0.2.1", "192.0.2.2", "2001:db8::1"]), &removed),
        ] {
            assert!(!all_applied(&plan, upserted, removed));
        }
    }

    #[test]
    fn partial_update_keeps_reality() {
        let prior = set(&[
            ("192.0.2.1", "aws", "old"),  // change fails
            ("192.0.2.2", "aws", "old"),  // change succeeds
            ("192.0.2.3", "aws", "keep"), // unchanged
            ("192.0.2.8", "aws", "gone"), // deletion fails
            ("192.0.2.9", "aws", "gone"), // deletion succeeds
        ]);
        let desired = set(&[
            ("192.0.2.1", "aws", "new"),
            ("192.0.2.2", "aws", "new"),
            ("192.0.2.3", "aws", "keep"),
            ("192.0.2.4", "aws", "new"), // addition fails
            ("192.0.2.5", "aws", "new"), // addition succeeds
        ]);
        let plan = changes(&prior, &desired);
        let mut upserted = ok(&["192.0.2.2", "192.0.2.5"]);
        upserted.failed.insert("192.0.2.1".into(), "region not valid".into());
        upserted.failed.insert("192.0.2.4".into(), "region not valid".into());
        let mut removed = ok(&["192.0.2.9"]);
        removed.failed.insert("192.0.2.8".into(), "internal error".into());
        let merged = merge(&prior, &desired, &plan, &upserted, &removed, Operation::Update);
        assert_eq!(
            merged.mappings,
            Some(set(&[
                ("192.0.2.1", "aws", "old"),
                ("192.0.2.2", "aws", "new"),
                ("192.0.2.3", "aws", "keep"),
                ("192.0.2.5", "aws", "new"),
                ("192.0.2.8", "aws", "gone"),
            ]))
        );
        let places: Vec<_> = merged.findings.iter().map(|f| f.place.clone()).collect();
        assert_eq!(
            places,
            vec![Place::Entry("192.0.2.1".into()), Place::Entry("192.0.2.4".into()), Place::Entry("192.0.2.8".into())]
        );
        assert!(merged.findings[0].summary.contains("192.0.2.1"));
        assert_eq!(merged.findings[0].detail, "region not valid");
        assert!(merged.findings.iter().all(|f| !f.detail.contains("tainted")));
    }

    #[test]
    fn failed_entries_are_reported_at_the_config_spelling() {
        let desired = set(&[("2001:DB8::1", "gcp", "nowhere")]);
        let plan = changes(&MappingSet::new(), &desired);
        let mut upserted = BatchResult::default();
        upserted.failed.insert("2001:db8::1".into(), "bad region".into());
        let merged = merge(&MappingSet::new(), &desired, &plan, &upserted, &BatchResult::default(), Operation::Update);
        assert_eq!(merged.findings[0].place, Place::Entry("2001:DB8::1".into()));
        assert!(merged.findings[0].summary.contains("2001:DB8::1"));
    }

    #[test]
    fn whole_request_failures_count_entries() {
        let prior = set(&[("192.0.2.1", "aws", "old")]);
        let desired = set(&[("192.0.2.1", "aws", "new"), ("192.0.2.2", "aws", "new"), ("192.0.2.3", "aws", "new")]);
        let plan = changes(&prior, &desired);
        let upserted = BatchResult {
            succeeded: ["192.0.2.3".to_string()].into_iter().collect(),
            not_applied: vec![NotApplied {
                ips: vec!["192.0.2.1".into(), "192.0.2.2".into()],
                error: "HTTP 403: Maximum number of IP mappings configured for zone. (1164)".into(),
            }],
            ..BatchResult::default()
        };
        let merged = merge(&prior, &desired, &plan, &upserted, &BatchResult::default(), Operation::Update);
        assert_eq!(merged.mappings, Some(set(&[("192.0.2.1", "aws", "old"), ("192.0.2.3", "aws", "new")])));
        assert_eq!(merged.findings.len(), 1);
        let finding = &merged.findings[0];
        assert_eq!(finding.place, Place::Mappings);
        assert!(finding.summary.contains("update"));
        assert!(finding.detail.contains("1164"));
        assert!(finding.detail.contains("2 mappings were not applied"));
    }

    #[test]
    fn chunks_failing_the_same_way_are_one_error() {
        let desired = set(&[("192.0.2.1", "aws", "a"), ("192.0.2.2", "aws", "a"), ("192.0.2.3", "aws", "a")]);
        let plan = changes(&MappingSet::new(), &desired);
        let chunk = |ip: &str, error: &str| NotApplied { ips: vec![ip.into()], error: error.into() };
        let upserted = BatchResult {
            not_applied: vec![
                chunk("192.0.2.1", "cancelled"),
                chunk("192.0.2.2", "HTTP 500"),
                chunk("192.0.2.3", "cancelled"),
            ],
            ..BatchResult::default()
        };
        let merged = merge(&MappingSet::new(), &desired, &plan, &upserted, &BatchResult::default(), Operation::Update);
        let details: Vec<&str> = merged.findings.iter().map(|f| f.detail.as_str()).collect();
        assert_eq!(
            details,
            [
                "cancelled\n\n2 mappings were not applied: 192.0.2.1, 192.0.2.3.",
                "HTTP 500\n\n1 mapping was not applied: 192.0.2.2."
            ]
        );
    }

    #[test]
    fn partial_create_is_kept_with_advice_on_the_next_apply() {
        let desired = set(&[("192.0.2.1", "aws", "a"), ("192.0.2.2", "aws", "bad")]);
        let plan = changes(&MappingSet::new(), &desired);
        let mut upserted = ok(&["192.0.2.1"]);
        upserted.failed.insert("192.0.2.2".into(), "bad region".into());
        let merged = merge(&MappingSet::new(), &desired, &plan, &upserted, &BatchResult::default(), Operation::Create);
        assert_eq!(merged.mappings, Some(set(&[("192.0.2.1", "aws", "a")])));
        assert_eq!(merged.findings.len(), 1);
        assert!(merged.findings[0].detail.starts_with("bad region"));
        assert!(merged.findings[0].detail.contains("The next apply replaces it"));
    }

    #[test]
    fn a_partial_create_gives_the_taint_advice_once() {
        let desired: MappingSet =
            (1..=30).map(|i| (format!("192.0.2.{i}"), Target::new("aws", if i > 20 { "bad" } else { "a" }))).collect();
        let plan = changes(&MappingSet::new(), &desired);
        let mut upserted = ok(&[]);
        for i in 1..=30 {
            match i > 20 {
                true => upserted.failed.insert(format!("192.0.2.{i}"), "bad region".into()).map(|_| ()),
                false => upserted.succeeded.insert(format!("192.0.2.{i}")).then_some(()),
            };
        }
        let merged = merge(&MappingSet::new(), &desired, &plan, &upserted, &BatchResult::default(), Operation::Create);
        assert_eq!(merged.mappings.as_ref().map(MappingSet::len), Some(20));
        assert_eq!(merged.findings.len(), 4, "{:#?}", merged.findings);
        assert_eq!(merged.findings.iter().filter(|f| f.detail.contains(TAINT_ADVICE)).count(), 1);
        let all: String = merged.findings.iter().map(|f| format!("{} {}\n", f.summary, f.detail)).collect();
        for i in 21..=30 {
            assert!(all.contains(&format!("192.0.2.{i}")), "{all}");
        }
    }

    #[test]
    fn failed_create_leaves_no_resource() {
        let desired = set(&[("192.0.2.1", "aws", "bad")]);
        let plan = changes(&MappingSet::new(), &desired);
        let mut upserted = BatchResult::default();
        upserted.failed.insert("192.0.2.1".into(), "bad region".into());
        let merged = merge(&MappingSet::new(), &desired, &plan, &upserted, &BatchResult::default(), Operation::Create);
        assert_eq!(merged.mappings, None);
        assert!(!merged.findings[0].detail.contains("tainted"));
    }

    #[test]
    fn empty_create_is_a_resource() {
        let merged = merge(
            &MappingSet::new(),
            &MappingSet::new(),
            &Changes::default(),
            &BatchResult::default(),
            &BatchResult::default(),
            Operation::Create,
        );
        assert_eq!(merged.mappings, Some(MappingSet::new()));
    }

    #[test]
    fn unreported_items_are_errors_and_keep_prior_values() {
        let prior = set(&[("192.0.2.1", "aws", "old"), ("192.0.2.9", "aws", "x")]);
        let desired = set(&[("192.0.2.1", "aws", "new")]);
        let plan = changes(&prior, &desired);
        let merged =
            merge(&prior, &desired, &plan, &BatchResult::default(), &BatchResult::default(), Operation::Update);
        assert_eq!(merged.mappings, Some(prior));
        assert_eq!(merged.findings.len(), 1);
        assert!(merged.findings[0].detail.contains("192.0.2.1, 192.0.2.9"));
    }

    #[test]
    fn deleting_what_is_already_gone_is_fine() {
        let requested: BTreeSet<&str> = ["192.0.2.1", "192.0.2.2", "192.0.2.3", "192.0.2.4"].into_iter().collect();
        let mut removed = ok(&["192.0.2.1"]);
        removed.failed.insert("192.0.2.2".into(), "not found".into());
        removed.failed.insert("192.0.2.3".into(), "internal error".into());
        removed.not_applied.push(NotApplied { ips: vec!["192.0.2.4".into()], error: "HTTP 500".into() });
        let remote: BTreeSet<String> = ["192.0.2.3".to_string(), "198.51.100.1".to_string()].into_iter().collect();
        removed.treat_absent_as_deleted(&requested, &remote);
        assert!(removed.has_failures(&requested));
        assert_eq!(removed.failed.keys().collect::<Vec<_>>(), vec!["192.0.2.3"]);
        assert!(removed.succeeded.contains("192.0.2.2") && removed.succeeded.contains("192.0.2.4"));
        assert!(removed.not_applied.is_empty());
    }

    #[test]
    fn modified_on_rules() {
        let none = BatchResult::default();
        let written = |time: &str| ModifiedOn::Written(Some(time.to_string()));
        assert_eq!(modified_on_after_apply(Some("PRIOR"), &none, &none), ModifiedOn::Kept(Some("PRIOR".into())));
        assert_eq!(modified_on_after_apply(None, &none, &none), ModifiedOn::Kept(None));
        let upserted = ok(&["192.0.2.1"]);
        assert_eq!(modified_on_after_apply(Some("PRIOR"), &upserted, &none), written("2026-03-01T12:00:00Z"));
        let mut removed = ok(&["192.0.2.2"]);
        removed.modified_on = Some("2026-03-01T11:59:55Z".into());
        assert_eq!(modified_on_after_apply(None, &upserted, &removed), written("2026-03-01T12:00:00Z"));
        assert_eq!(modified_on_after_apply(None, &none, &removed), written("2026-03-01T11:59:55Z"));
        let mut silent = ok(&["192.0.2.1"]);
        silent.modified_on = None;
        assert_eq!(modified_on_after_apply(Some("PRIOR"), &silent, &none), ModifiedOn::Written(None));
    }
}

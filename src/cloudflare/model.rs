//! The client's own types, the same whichever endpoint family served them.

use std::collections::{BTreeMap, BTreeSet};

use serde::Deserialize;

use super::error::ApiError;

/// One origin IP -> cloud region mapping. In results `ip` is canonical (RFC 5952 for IPv6).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Mapping {
    pub ip: String,
    pub vendor: String,
    pub region: String,
}

impl Mapping {
    pub fn new(ip: impl Into<String>, vendor: impl Into<String>, region: impl Into<String>) -> Self {
        Self { ip: ip.into(), vendor: vendor.into(), region: region.into() }
    }
}

/// A mapping with Cloudflare's time of its last change, when the answer carries one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MappingRecord {
    pub mapping: Mapping,
    pub modified_on: Option<String>,
}

/// All mappings of a zone.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MappingList {
    pub mappings: Vec<Mapping>,
    /// Per canonical IP, when that mapping last changed, for the entries that say.
    pub entry_modified_on: BTreeMap<String, String>,
    /// When the set last changed: v1's wrapper timestamp (null for an empty zone); for v2 the
    /// latest per-mapping `modified_on`.
    pub modified_on: Option<String>,
}

impl MappingList {
    /// Adds a listed mapping, with its own time when Cloudflare gave one.
    pub(crate) fn push(&mut self, record: MappingRecord) {
        if let Some(time) = record.modified_on {
            self.entry_modified_on.insert(record.mapping.ip.clone(), time);
        }
        self.mappings.push(record.mapping);
    }
}

/// `supported_regions` result: vendor (`aws`, `azure`, `gcp`, `oci`) -> its regions.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct SupportedRegions {
    /// Whether upper-tier colo codes could be resolved (the region list is valid either way).
    #[serde(default)]
    pub obtained_codes: bool,
    #[serde(default)]
    pub vendors: BTreeMap<String, Vec<Region>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Region {
    pub name: String,
    #[serde(default)]
    pub upper_tier_colos: Vec<String>,
}

impl SupportedRegions {
    pub fn regions(&self, vendor: &str) -> &[Region] {
        self.vendors.get(vendor).map(Vec::as_slice).unwrap_or_default()
    }

    pub fn is_supported(&self, vendor: &str, region: &str) -> bool {
        self.regions(vendor).iter().any(|known| known.name == region)
    }
}

/// A chunk that failed as a whole: none of its items is known to be applied.
#[derive(Debug, Clone)]
pub struct ChunkFailure {
    /// Canonical IPs (raw text for unparsable ones) of the chunk.
    pub ips: Vec<String>,
    pub error: ApiError,
}

/// Result of a batch operation, keyed by canonical IP (raw text for unparsable input).
/// `S` is [`Mapping`] for upserts and `Option<Mapping>` for deletes (the deleted values, when
/// Cloudflare reports them).
#[derive(Debug, Clone)]
pub struct BatchOutcome<S> {
    pub succeeded: BTreeMap<String, S>,
    /// Items Cloudflare rejected individually, with its error text (or ours if it gave none).
    pub failed: BTreeMap<String, String>,
    /// Deletes only: IPs Cloudflare refused to delete that a follow-up list showed absent. They
    /// are also in `succeeded` (as `None`): the goal, no mapping, is reached.
    pub already_absent: BTreeSet<String>,
    /// Chunks whose request failed as a whole, or that were not sent (cancelled / auth failure).
    pub not_applied: Vec<ChunkFailure>,
    /// Latest `modified_on` Cloudflare reported for the set (v1 only; None when nothing applied).
    pub modified_on: Option<String>,
    /// Batch requests sent (one per chunk attempted; HTTP retries not counted).
    pub requests: u32,
}

pub type UpsertOutcome = BatchOutcome<Mapping>;
pub type DeleteOutcome = BatchOutcome<Option<Mapping>>;

impl<S> Default for BatchOutcome<S> {
    fn default() -> Self {
        Self {
            succeeded: BTreeMap::new(),
            failed: BTreeMap::new(),
            already_absent: BTreeSet::new(),
            not_applied: Vec::new(),
            modified_on: None,
            requests: 0,
        }
    }
}

impl<S> BatchOutcome<S> {
    /// Every item succeeded.
    pub fn is_complete(&self) -> bool {
        self.failed.is_empty() && self.not_applied.is_empty()
    }

    /// IPs of chunks that failed as a whole or were never sent.
    pub fn not_applied_ips(&self) -> impl Iterator<Item = &str> {
        self.not_applied.iter().flat_map(|chunk| chunk.ips.iter().map(String::as_str))
    }
}

/// The later of two RFC 3339 timestamps (one that does not parse loses to one that does).
pub(crate) fn later_timestamp(first: Option<String>, second: Option<String>) -> Option<String> {
    let parse = |text: &Option<String>| {
        text.as_deref()
            .and_then(|text| time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339).ok())
    };
    match (&first, &second) {
        (Some(_), Some(_)) if parse(&second) > parse(&first) => second,
        (Some(_), _) => first,
        _ => second,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn later_timestamp_compares_instants_not_text() {
        let a = Some("2026-03-01T12:00:00Z".to_string());
        let b = Some("2026-03-01T13:00:00+02:00".to_string()); // 11:00Z, earlier
        assert_eq!(later_timestamp(a.clone(), b.clone()), a);
        assert_eq!(later_timestamp(b.clone(), a.clone()), a);
        assert_eq!(later_timestamp(None, b.clone()), b);
        assert_eq!(later_timestamp(b.clone(), None), b);
        assert_eq!(later_timestamp(None, None), None);
    }
}

//! The mapping set as plain data: origin IP (spelled as written) -> cloud vendor and region.
//!
//! Keys keep the user's spelling so plans and state show what the configuration says; every
//! comparison goes through the canonical address, so `2001:DB8::1` and `2001:db8::1` are the
//! same entry.

use std::collections::{BTreeMap, BTreeSet};

use crate::ip::canonical_ip;

/// Where one origin IP's traffic should be steered: a cloud vendor and one of its regions.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Target {
    pub vendor: String,
    pub region: String,
}

impl Target {
    pub fn new(vendor: impl Into<String>, region: impl Into<String>) -> Target {
        Target { vendor: vendor.into(), region: region.into() }
    }
}

/// The canonical spelling of a key; a key that is not an address (only possible in state that
/// was never validated) stands for itself, so it still compares exactly.
pub fn canonical_key(key: &str) -> String {
    canonical_ip(key).unwrap_or_else(|_| key.to_string())
}

/// Mappings keyed by the IP exactly as written (configuration, state, or import ID), with an
/// index by canonical address so lookups stay logarithmic for 3,500-entry sets.
#[derive(Debug, Clone, Default)]
pub struct MappingSet {
    entries: BTreeMap<String, Target>,
    /// canonical address -> the keys spelling it (more than one only in rejected configurations).
    by_address: BTreeMap<String, BTreeSet<String>>,
}

impl PartialEq for MappingSet {
    fn eq(&self, other: &MappingSet) -> bool {
        self.entries == other.entries
    }
}

impl Eq for MappingSet {}

impl MappingSet {
    pub fn new() -> MappingSet {
        MappingSet::default()
    }

    pub fn insert(&mut self, key: impl Into<String>, target: Target) {
        let key = key.into();
        self.by_address.entry(canonical_key(&key)).or_default().insert(key.clone());
        self.entries.insert(key, target);
    }

    pub fn remove(&mut self, key: &str) -> Option<Target> {
        let removed = self.entries.remove(key)?;
        let canonical = canonical_key(key);
        if let Some(keys) = self.by_address.get_mut(&canonical) {
            keys.remove(key);
            if keys.is_empty() {
                self.by_address.remove(&canonical);
            }
        }
        Some(removed)
    }

    pub fn get(&self, key: &str) -> Option<&Target> {
        self.entries.get(key)
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = (&String, &Target)> {
        self.entries.iter()
    }

    /// canonical address -> key as written. With two spellings of one address (rejected by
    /// validation) the last key in sort order wins.
    pub fn canonical_index(&self) -> BTreeMap<String, &str> {
        self.by_address
            .iter()
            .filter_map(|(canonical, keys)| keys.last().map(|key| (canonical.clone(), key.as_str())))
            .collect()
    }

    /// The entry for an address, whatever its spelling here.
    pub fn find_canonical(&self, canonical: &str) -> Option<(&str, &Target)> {
        let key = self.by_address.get(canonical)?.last()?;
        self.entries.get_key_value(key).map(|(key, target)| (key.as_str(), target))
    }

    /// Same addresses with the same vendor and region, ignoring how the addresses are spelled.
    pub fn same_mappings_as(&self, other: &MappingSet) -> bool {
        self.by_canonical() == other.by_canonical()
    }

    fn by_canonical(&self) -> BTreeMap<&str, &Target> {
        self.by_address
            .iter()
            .filter_map(|(canonical, keys)| Some((canonical.as_str(), self.entries.get(keys.last()?)?)))
            .collect()
    }
}

impl FromIterator<(String, Target)> for MappingSet {
    fn from_iter<I: IntoIterator<Item = (String, Target)>>(iter: I) -> MappingSet {
        let mut set = MappingSet::new();
        for (key, target) in iter {
            set.insert(key, target);
        }
        set
    }
}

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

/// One entry of `mappings` as configured; either attribute may be null or unknown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigEntry {
    pub vendor: Maybe<String>,
    pub region: Maybe<String>,
}

/// The resource configuration as far as it is known. Map keys are always known (a map with an
/// unknown key is wholly unknown in Terraform's type system).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MappingsConfig {
    pub zone_id: Maybe<String>,
    pub mappings: Maybe<BTreeMap<String, Maybe<ConfigEntry>>>,
}

impl MappingsConfig {
    /// The mappings when every key, vendor and region is known and non-null.
    pub fn known_mappings(&self) -> Option<MappingSet> {
        let entries = self.mappings.known()?;
        entries
            .iter()
            .map(|(key, entry)| {
                let entry = entry.known()?;
                let target = Target::new(entry.vendor.known()?.clone(), entry.region.known()?.clone());
                Some((key.clone(), target))
            })
            .collect()
    }
}

/// The resource's state in plain terms (`id` always equals `zone_id`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MappingsState {
    pub zone_id: String,
    pub mappings: MappingSet,
    pub modified_on: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(entries: &[(&str, &str, &str)]) -> MappingSet {
        entries.iter().map(|(ip, vendor, region)| (ip.to_string(), Target::new(*vendor, *region))).collect()
    }

    #[test]
    fn spelling_does_not_matter_for_equality() {
        let written = set(&[("2001:DB8:0::1", "gcp", "us-central1"), ("192.0.2.1", "aws", "us-east-1")]);
        let canonical = set(&[("2001:db8::1", "gcp", "us-central1"), ("192.0.2.1", "aws", "us-east-1")]);
        assert!(written.same_mappings_as(&canonical));
        assert_ne!(written, canonical);
    }

    #[test]
    fn vendor_and_region_compare_exactly() {
        let a = set(&[("192.0.2.1", "aws", "us-east-1")]);
        assert!(!a.same_mappings_as(&set(&[("192.0.2.1", "AWS", "us-east-1")])));
        assert!(!a.same_mappings_as(&set(&[("192.0.2.1", "aws", "us-east-2")])));
        assert!(!a.same_mappings_as(&set(&[("192.0.2.2", "aws", "us-east-1")])));
        assert!(!a.same_mappings_as(&MappingSet::new()));
    }

    #[test]
    fn finds_entries_by_address() {
        let written = set(&[("2001:DB8:0::1", "gcp", "us-central1")]);
        let (key, target) = written.find_canonical("2001:db8::1").unwrap();
        assert_eq!(key, "2001:DB8:0::1");
        assert_eq!(target.region, "us-central1");
        assert!(written.find_canonical("2001:db8::2").is_none());
        assert_eq!(written.canonical_index().get("2001:db8::1"), Some(&"2001:DB8:0::1"));
    }

    #[test]
    fn the_address_index_follows_inserts_and_removals() {
        let mut written = set(&[("2001:DB8:0::1", "gcp", "us-central1"), ("192.0.2.1", "aws", "us-east-1")]);
        written.insert("2001:db8::1", Target::new("aws", "us-east-1"));
        // Two spellings of one address: the last key in sort order answers, as documented.
        assert_eq!(written.find_canonical("2001:db8::1").map(|(key, _)| key), Some("2001:db8::1"));
        written.remove("2001:db8::1");
        assert_eq!(written.find_canonical("2001:db8::1").map(|(key, _)| key), Some("2001:DB8:0::1"));
        written.remove("2001:DB8:0::1");
        assert!(written.find_canonical("2001:db8::1").is_none());
        assert_eq!(written.canonical_index().len(), 1);
    }

    #[test]
    fn unparseable_keys_stand_for_themselves() {
        assert_eq!(canonical_key("not-an-ip"), "not-an-ip");
        assert_eq!(canonical_key("2001:DB8::1"), "2001:db8::1");
    }

    #[test]
    fn known_mappings_only_when_everything_is_known() {
        let entry =
            |vendor: Maybe<String>| Maybe::Known(ConfigEntry { vendor, region: Maybe::Known("us-east-1".into()) });
        let config = |vendor| MappingsConfig {
            zone_id: Maybe::Unknown,
            mappings: Maybe::Known([("192.0.2.1".to_string(), entry(vendor))].into_iter().collect()),
        };
        assert_eq!(
            config(Maybe::Known("aws".into())).known_mappings(),
            Some(set(&[("192.0.2.1", "aws", "us-east-1")]))
        );
        assert_eq!(config(Maybe::Unknown).known_mappings(), None);
        assert_eq!(config(Maybe::Null).known_mappings(), None);
        let unknown = MappingsConfig { zone_id: Maybe::Unknown, mappings: Maybe::Unknown };
        assert_eq!(unknown.known_mappings(), None);
    }
}

//! The mapping set as plain data: origin IP (spelled as written) -> cloud vendor and region.
//!
//! Keys keep the user's spelling so plans and state show what the configuration says; every
//! comparison goes through the canonical address, so `2001:DB8::1` and `2001:db8::1` are the
//! same entry.

use std::collections::btree_map::Entry;
use std::collections::BTreeMap;

pub use crate::provider::concepts::address::{canonical_key, Address};
pub use crate::provider::concepts::maybe::Maybe;

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

/// Mappings keyed by the IP exactly as written (configuration, state, or import ID), with an
/// index by address so lookups stay logarithmic for 3,500-entry sets.
#[derive(Debug, Clone, Default)]
pub struct MappingSet {
    entries: BTreeMap<String, Target>,
    /// address -> the keys spelling it (more than one only in rejected configurations).
    by_address: BTreeMap<Address, Spellings>,
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
        match self.by_address.entry(Address::of(&key)) {
            Entry::Occupied(mut spellings) => spellings.get_mut().add(key.clone()),
            Entry::Vacant(slot) => {
                slot.insert(Spellings::new(key.clone()));
            }
        }
        self.entries.insert(key, target);
    }

    pub fn remove(&mut self, key: &str) -> Option<Target> {
        let removed = self.entries.remove(key)?;
        let address = Address::of(key);
        if self.by_address.get_mut(&address).is_some_and(|spellings| spellings.remove(key)) {
            self.by_address.remove(&address);
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

    /// One entry per address, in address order: the key answering for it (with two spellings
    /// of one address, rejected by validation, the last key in sort order) and its target.
    pub fn by_address(&self) -> impl Iterator<Item = (&Address, &str, &Target)> {
        self.by_address.iter().filter_map(|(address, spellings)| {
            let (key, target) = self.entries.get_key_value(spellings.last())?;
            Some((address, key.as_str(), target))
        })
    }

    /// The entry for an address, whatever its spelling here.
    pub fn find(&self, address: &Address) -> Option<(&str, &Target)> {
        let key = self.by_address.get(address)?.last();
        self.entries.get_key_value(key).map(|(key, target)| (key.as_str(), target))
    }

}

impl FromIterator<(String, Target)> for MappingSet {
    /// Builds both maps from sorted input at once, cheaper than one insert per entry.
    fn from_iter<I: IntoIterator<Item = (String, Target)>>(iter: I) -> MappingSet {
        // Later duplicates of a key win, as with `insert`.
        let entries: BTreeMap<String, Target> = iter.into_iter().collect();
        let mut keys: Vec<(Address, &String)> = entries.keys().map(|key| (Address::of(key), key)).collect();
        keys.sort_unstable();
        let mut grouped: Vec<(Address, Spellings)> = Vec::with_capacity(keys.len());
        for (address, key) in keys {
            match grouped.last_mut() {
                Some((last, spellings)) if *last == address => spellings.add(key.clone()),
                _ => grouped.push((address, Spellings::new(key.clone()))),
            }
        }
        let by_address = grouped.into_iter().collect();
        MappingSet { entries, by_address }
    }
}

/// The keys spelling one address, in sort order; the last one answers for the address.
#[derive(Debug, Clone)]
struct Spellings {
    last: String,
    /// Sorted, all before `last`; empty unless a configuration spells an address twice.
    earlier: Vec<String>,
}

impl Spellings {
    fn new(key: String) -> Spellings {
        Spellings { last: key, earlier: Vec::new() }
    }

    fn last(&self) -> &str {
        &self.last
    }

    fn add(&mut self, key: String) {
        if key > self.last {
            let previous = std::mem::replace(&mut self.last, key);
            self.earlier.push(previous);
        } else if key < self.last {
            if let Err(at) = self.earlier.binary_search(&key) {
                self.earlier.insert(at, key);
            }
        }
    }

    /// Removes `key`; true when no spelling is left.
    fn remove(&mut self, key: &str) -> bool {
        if key == self.last {
            match self.earlier.pop() {
                Some(previous) => self.last = previous,
                None => return true,
            }
        } else if let Ok(at) = self.earlier.binary_search_by(|k| k.as_str().cmp(key)) {
            self.earlier.remove(at);
        }
        false
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
    /// Whether every entry is known and the configuration maps the same addresses (however
    /// spelled) to the same vendor and region as `set`. Copies no text: plans with nothing to do
    /// must stay cheap for 3,500 entries.
    pub fn has_same_mappings_as(&self, set: &MappingSet) -> bool {
        let Some(entries) = self.mappings.known() else { return false };
        let mut known: Vec<(Address, &str, &str)> = Vec::with_capacity(entries.len());
        for (key, entry) in entries {
            let Maybe::Known(ConfigEntry { vendor: Maybe::Known(vendor), region: Maybe::Known(region) }) = entry else {
                return false;
            };
            known.push((Address::of(key), vendor, region));
        }
        // Stable, so the spellings of one address stay in key order and, as in `MappingSet`,
        // the last one answers for the address.
        known.sort_by(|a, b| a.0.cmp(&b.0));
        let winners = known.chunk_by(|a, b| a.0 == b.0).filter_map(<[_]>::last);
        winners
            .map(|(address, vendor, region)| (address, *vendor, *region))
            .eq(set.by_address().map(|(address, _, target)| (address, target.vendor.as_str(), target.region.as_str())))
    }
}

impl MappingsConfig {
    /// Whether the configuration's keys are exactly the keys of `set`, spelled the same way.
    pub fn has_same_keys_as(&self, set: &MappingSet) -> bool {
        self.mappings.known().is_some_and(|entries| entries.keys().eq(set.iter().map(|(key, _)| key)))
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

    /// A fully known configuration with these entries.
    fn known_config(entries: &[(&str, &str, &str)]) -> MappingsConfig {
        let known = |s: &str| Maybe::Known(s.to_string());
        let entries = entries.iter().map(|(ip, vendor, region)| {
            (ip.to_string(), Maybe::Known(ConfigEntry { vendor: known(vendor), region: known(region) }))
        });
        MappingsConfig { zone_id: Maybe::Unknown, mappings: Maybe::Known(entries.collect()) }
    }

    #[test]
    fn spelling_does_not_matter_for_equality() {
        let written = known_config(&[("2001:DB8:0::1", "gcp", "us-central1"), ("192.0.2.1", "aws", "us-east-1")]);
        let canonical = set(&[("2001:db8::1", "gcp", "us-central1"), ("192.0.2.1", "aws", "us-east-1")]);
        assert!(written.has_same_mappings_as(&canonical));
        let written_set = set(&[("2001:DB8:0::1", "gcp", "us-central1"), ("192.0.2.1", "aws", "us-east-1")]);
        assert_ne!(written_set, canonical);
    }

    #[test]
    fn vendor_and_region_compare_exactly() {
        let a = known_config(&[("192.0.2.1", "aws", "us-east-1")]);
        assert!(!a.has_same_mappings_as(&set(&[("192.0.2.1", "AWS", "us-east-1")])));
        assert!(!a.has_same_mappings_as(&set(&[("192.0.2.1", "aws", "us-east-2")])));
        assert!(!a.has_same_mappings_as(&set(&[("192.0.2.2", "aws", "us-east-1")])));
        assert!(!a.has_same_mappings_as(&MappingSet::new()));
    }

    #[test]
    fn finds_entries_by_address() {
        let written = set(&[("2001:DB8:0::1", "gcp", "us-central1")]);
        let (key, target) = written.find(&Address::of("2001:db8::1")).unwrap();
        assert_eq!(key, "2001:DB8:0::1");
        assert_eq!(target.region, "us-central1");
        assert!(written.find(&Address::of("2001:db8::2")).is_none());
        let index: Vec<(String, &str)> = written.by_address().map(|(a, key, _)| (a.to_string(), key)).collect();
        assert_eq!(index, [("2001:db8::1".to_string(), "2001:DB8:0::1")]);
    }

    #[test]
    fn the_address_index_follows_inserts_and_removals() {
        let mut written = set(&[("2001:DB8:0::1", "gcp", "us-central1"), ("192.0.2.1", "aws", "us-east-1")]);
        written.insert("2001:db8::1", Target::new("aws", "us-east-1"));
        // Two spellings of one address: the last key in sort order answers, as documented.
        assert_eq!(written.find(&Address::of("2001:db8::1")).map(|(key, _)| key), Some("2001:db8::1"));
        written.remove("2001:db8::1");
        assert_eq!(written.find(&Address::of("2001:db8::1")).map(|(key, _)| key), Some("2001:DB8:0::1"));
        written.remove("2001:DB8:0::1");
        assert!(written.find(&Address::of("2001:db8::1")).is_none());
        assert_eq!(written.by_address().count(), 1);
    }

    #[test]
    fn spellings_keep_sort_order_and_answer_with_the_last() {
        let mut spellings = Spellings::new("b".into());
        for key in ["d", "a", "c", "a", "d"] {
            spellings.add(key.into());
        }
        assert_eq!((spellings.earlier.as_slice(), spellings.last()), (&["a", "b", "c"].map(String::from)[..], "d"));
        assert!(!spellings.remove("d"));
        assert!(!spellings.remove("x"));
        assert!(!spellings.remove("a"));
        assert_eq!((spellings.earlier.as_slice(), spellings.last()), (&["b".to_string()][..], "c"));
        assert!(!spellings.remove("c"));
        assert!(spellings.remove("b"));
    }

    #[test]
    fn collecting_equals_inserting_one_by_one() {
        let keys = ["2001:db8::1", "192.0.2.10", "192.0.2.9", "2001:DB8::1", "not-an-ip", "192.0.2.9"];
        let collected: MappingSet =
            keys.iter().enumerate().map(|(i, key)| (key.to_string(), Target::new("aws", i.to_string()))).collect();
        let mut inserted = MappingSet::new();
        for (i, key) in keys.iter().enumerate() {
            inserted.insert(*key, Target::new("aws", i.to_string()));
        }
        assert_eq!(collected, inserted);
        let index = |set: &MappingSet| -> Vec<(Address, String, Target)> {
            set.by_address().map(|(a, k, t)| (a.clone(), k.to_string(), t.clone())).collect()
        };
        assert_eq!(index(&collected), index(&inserted));
        assert_eq!(collected.get("192.0.2.9"), Some(&Target::new("aws", "5")));
        assert_eq!(collected.find(&Address::of("2001:db8::1")).map(|(key, _)| key), Some("2001:db8::1"));
        assert_eq!(collected.find(&Address::of("not-an-ip")).map(|(key, _)| key), Some("not-an-ip"));
    }

    #[test]
    fn same_keys_means_the_same_spelling() {
        let config = known_config(&[("2001:db8::1", "aws", "a"), ("192.0.2.1", "aws", "a")]);
        assert!(config.has_same_keys_as(&set(&[("192.0.2.1", "aws", "x"), ("2001:db8::1", "gcp", "y")])));
        assert!(!config.has_same_keys_as(&set(&[("192.0.2.1", "aws", "a"), ("2001:DB8::1", "aws", "a")])));
        assert!(!config.has_same_keys_as(&set(&[("192.0.2.1", "aws", "a")])));
        let unknown = MappingsConfig { zone_id: Maybe::Unknown, mappings: Maybe::Unknown };
        assert!(!unknown.has_same_keys_as(&MappingSet::new()));
    }

    #[test]
    fn a_configuration_is_the_same_only_when_fully_known_and_equal_by_address() {
        let config = |entries: &[(&str, Maybe<String>)]| MappingsConfig {
            zone_id: Maybe::Unknown,
            mappings: Maybe::Known(
                entries
                    .iter()
                    .map(|(ip, region)| {
                        let entry = ConfigEntry { vendor: Maybe::Known("aws".into()), region: region.clone() };
                        (ip.to_string(), Maybe::Known(entry))
                    })
                    .collect(),
            ),
        };
        let known = |s: &str| Maybe::Known(s.to_string());
        let prior = set(&[("2001:db8::1", "aws", "b"), ("192.0.2.10", "aws", "a"), ("192.0.2.9", "aws", "a")]);
        let configs = [
            config(&[("2001:DB8::1", known("b")), ("192.0.2.10", known("a")), ("192.0.2.9", known("a"))]),
            config(&[
                ("2001:DB8::1", known("a")),
                ("2001:db8::1", known("b")),
                ("192.0.2.10", known("a")),
                ("192.0.2.9", known("a")),
            ]),
            config(&[
                ("2001:DB8::1", known("b")),
                ("2001:db8::1", known("a")),
                ("192.0.2.10", known("a")),
                ("192.0.2.9", known("a")),
            ]),
            config(&[("2001:db8::1", known("b")), ("192.0.2.10", known("a"))]),
            config(&[("2001:db8::1", known("b")), ("192.0.2.10", known("a")), ("192.0.2.9", Maybe::Unknown)]),
            config(&[
                ("2001:db8::1", known("b")),
                ("192.0.2.10", known("a")),
                ("192.0.2.9", known("a")),
                ("x", known("a")),
            ]),
            MappingsConfig { zone_id: Maybe::Unknown, mappings: Maybe::Unknown },
        ];
        let answers: Vec<bool> = configs.iter().map(|c| c.has_same_mappings_as(&prior)).collect();
        assert_eq!(answers, [true, true, false, false, false, false, false]);
    }
}

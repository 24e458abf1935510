//! What an apply must send: entries to upsert (added or changed) and addresses to delete.
//! Addresses are compared canonically; vendor and region exactly. Unchanged entries send nothing.

use std::collections::BTreeSet;

use super::model::{canonical_key, Address, MappingSet, Target};

/// An entry to create or change, keyed as the configuration writes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Upsert {
    pub key: String,
    pub canonical: String,
    pub target: Target,
}

/// An address to delete, keyed as the prior state wrote it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Removal {
    pub key: String,
    pub canonical: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Changes {
    pub upserts: Vec<Upsert>,
    pub removals: Vec<Removal>,
}

impl Changes {
    pub fn is_empty(&self) -> bool {
        self.upserts.is_empty() && self.removals.is_empty()
    }

    pub fn upserted_addresses(&self) -> BTreeSet<&str> {
        self.upserts.iter().map(|u| u.canonical.as_str()).collect()
    }

    pub fn removed_addresses(&self) -> BTreeSet<&str> {
        self.removals.iter().map(|r| r.canonical.as_str()).collect()
    }
}

/// The changes that turn `prior` (state) into `desired` (planned configuration). Both lists
/// are in the order of the canonical spellings, the order the requests send them in.
pub fn changes(prior: &MappingSet, desired: &MappingSet) -> Changes {
    let removal =
        |(address, key, _): (&Address, &str, &Target)| Removal { key: key.to_string(), canonical: address.to_string() };
    let (mut upserts, mut removals) = (Vec::new(), Vec::new());
    // Both sets go by address, so one pass pairs each desired entry with its prior one.
    let mut prior_entries = prior.by_address().peekable();
    for (address, key, target) in desired.by_address() {
        while let Some(gone) = prior_entries.next_if(|(prior_address, _, _)| *prior_address < address) {
            removals.push(removal(gone));
        }
        let unchanged = prior_entries
            .next_if(|(prior_address, _, _)| *prior_address == address)
            .is_some_and(|(_, _, prior_target)| prior_target == target);
        if !unchanged {
            upserts.push(Upsert { key: key.to_string(), canonical: address.to_string(), target: target.clone() });
        }
    }
    removals.extend(prior_entries.map(removal));
    upserts.sort_unstable_by(|a: &Upsert, b: &Upsert| a.canonical.cmp(&b.canonical));
    removals.sort_unstable_by(|a: &Removal, b: &Removal| a.canonical.cmp(&b.canonical));
    Changes { upserts, removals }
}

/// The canonical addresses of a set (convenience for callers building requests).
pub fn addresses(set: &MappingSet) -> BTreeSet<String> {
    set.iter().map(|(key, _)| canonical_key(key)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(entries: &[(&str, &str, &str)]) -> MappingSet {
        entries.iter().map(|(ip, vendor, region)| (ip.to_string(), Target::new(*vendor, *region))).collect()
    }

    #[test]
    fn nothing_changed_sends_nothing() {
        let prior = set(&[("2001:db8::1", "gcp", "us-central1"), ("192.0.2.1", "aws", "us-east-1")]);
        let desired = set(&[("2001:DB8:0::1", "gcp", "us-central1"), ("192.0.2.1", "aws", "us-east-1")]);
        assert!(changes(&prior, &desired).is_empty());
    }

    #[test]
    fn added_changed_and_removed() {
        let prior = set(&[
            ("192.0.2.1", "aws", "us-east-1"),
            ("192.0.2.2", "aws", "us-east-1"),
            ("2001:DB8::3", "gcp", "us-central1"),
        ]);
        let desired = set(&[
            ("192.0.2.1", "aws", "us-east-1"),
            ("192.0.2.2", "aws", "us-west-2"),
            ("192.0.2.4", "oci", "us-ashburn-1"),
        ]);
        let result = changes(&prior, &desired);
        assert_eq!(
            result.upserts,
            vec![
                Upsert {
                    key: "192.0.2.2".into(),
                    canonical: "192.0.2.2".into(),
                    target: Target::new("aws", "us-west-2")
                },
                Upsert {
                    key: "192.0.2.4".into(),
                    canonical: "192.0.2.4".into(),
                    target: Target::new("oci", "us-ashburn-1")
                },
            ]
        );
        assert_eq!(result.removals, vec![Removal { key: "2001:DB8::3".into(), canonical: "2001:db8::3".into() }]);
    }

    #[test]
    fn vendor_change_is_a_change() {
        let result = changes(&set(&[("192.0.2.1", "aws", "r")]), &set(&[("192.0.2.1", "gcp", "r")]));
        assert_eq!(result.upserts.len(), 1);
        assert!(result.removals.is_empty());
    }

    #[test]
    fn respelled_and_changed_uses_the_config_spelling() {
        let result = changes(&set(&[("2001:db8::1", "aws", "a")]), &set(&[("2001:DB8::1", "aws", "b")]));
        assert_eq!(result.upserts[0].key, "2001:DB8::1");
        assert_eq!(result.upserts[0].canonical, "2001:db8::1");
        assert!(result.removals.is_empty());
    }

    #[test]
    fn requests_follow_the_order_of_canonical_spellings() {
        let desired = set(&[
            ("192.0.2.10", "aws", "a"),
            ("192.0.2.9", "aws", "a"),
            ("2001:DB8::1", "aws", "a"),
            ("::2", "aws", "a"),
        ]);
        let canonical: Vec<String> =
            changes(&MappingSet::new(), &desired).upserts.into_iter().map(|u| u.canonical).collect();
        assert_eq!(canonical, ["192.0.2.10", "192.0.2.9", "2001:db8::1", "::2"]);
        let removed: Vec<String> =
            changes(&desired, &MappingSet::new()).removals.into_iter().map(|r| r.canonical).collect();
        assert_eq!(removed, canonical);
    }

    #[test]
    fn create_upserts_everything() {
        let desired = set(&[("192.0.2.1", "aws", "a"), ("192.0.2.2", "aws", "b")]);
        let result = changes(&MappingSet::new(), &desired);
        assert_eq!(result.upserted_addresses(), ["192.0.2.1", "192.0.2.2"].into_iter().collect());
        assert_eq!(addresses(&desired).len(), 2);
    }
}

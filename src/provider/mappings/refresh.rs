//! Refresh: the zone's listing filtered to the managed IPs. Other mappings of the zone are never
//! read into state; each IP keeps its prior spelling; changed vendor/region shows as drift.

use super::finding::{Finding, Place};
use super::model::{canonical_key, Address, MappingSet};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refreshed {
    Present(MappingSet),
    /// Every managed IP has disappeared: the resource is gone.
    Gone(Finding),
}

/// `remote` is the zone's listing keyed by canonical IP.
pub fn refresh(zone_id: &str, prior: &MappingSet, remote: &MappingSet) -> Refreshed {
    let current: MappingSet = prior
        .iter()
        .filter_map(|(key, _)| {
            let (_, target) = remote.find(&Address::of(key))?;
            Some((key.clone(), target.clone()))
        })
        .collect();
    // An empty resource (mappings = {}) has nothing that could disappear.
    if current.is_empty() && !prior.is_empty() {
        return Refreshed::Gone(Finding::warning(
            Place::Resource,
            "All origin cloud region mappings are gone",
            format!(
                "None of the {} origin IPs this resource manages has a mapping in zone {zone_id} \
                 any more, so Terraform removes the resource from state and will plan to create \
                 the mappings again.",
                prior.len()
            ),
        ));
    }
    Refreshed::Present(current)
}

/// A listing keyed by canonical IP; the API already answers canonically, this makes sure.
pub fn remote_set(listing: impl IntoIterator<Item = (String, super::model::Target)>) -> MappingSet {
    listing.into_iter().map(|(ip, target)| (canonical_key(&ip), target)).collect()
}

#[cfg(test)]
mod tests {
    use super::super::model::Target;
    use super::*;

    fn set(entries: &[(&str, &str, &str)]) -> MappingSet {
        entries.iter().map(|(ip, vendor, region)| (ip.to_string(), Target::new(*vendor, *region))).collect()
    }

    const ZONE: &str = "023e105f4ecef8ad9ca31a8372d0c353";

    #[test]
    fn keeps_spelling_shows_drift_ignores_unmanaged() {
        let prior = set(&[
            ("2001:DB8:0::1", "gcp", "us-central1"),
            ("192.0.2.1", "aws", "us-east-1"),
            ("192.0.2.2", "aws", "us-east-1"),
        ]);
        let remote = remote_set(vec![
            ("2001:db8::1".to_string(), Target::new("gcp", "us-central1")),
            ("192.0.2.1".to_string(), Target::new("aws", "us-west-2")),
            ("198.51.100.1".to_string(), Target::new("oci", "unmanaged")),
        ]);
        assert_eq!(
            refresh(ZONE, &prior, &remote),
            Refreshed::Present(set(&[("2001:DB8:0::1", "gcp", "us-central1"), ("192.0.2.1", "aws", "us-west-2")]))
        );
    }

    #[test]
    fn everything_gone_removes_the_resource() {
        let prior = set(&[("192.0.2.1", "aws", "us-east-1")]);
        let remote = set(&[("198.51.100.1", "oci", "unmanaged")]);
        let Refreshed::Gone(warning) = refresh(ZONE, &prior, &remote) else { panic!("expected Gone") };
        assert!(!warning.is_error());
        assert!(warning.detail.contains(ZONE));
    }

    #[test]
    fn an_empty_resource_stays() {
        assert_eq!(refresh(ZONE, &MappingSet::new(), &MappingSet::new()), Refreshed::Present(MappingSet::new()));
    }

    #[test]
    fn remote_listing_is_canonicalised() {
        let remote = remote_set(vec![("2001:DB8::1".to_string(), Target::new("gcp", "r"))]);
        assert!(remote.get("2001:db8::1").is_some());
    }
}

//! What a plan does with one mapping: create, replace, update in place, or nothing. Pure.

use super::model::{mapping_id, same_address, same_vendor, SingleConfig, SingleState};
use crate::provider::concepts::maybe::Maybe;

/// An attribute whose change forces a new resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplaceReason {
    ZoneId,
    OriginIp,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    /// Non-empty: destroy and create again.
    pub replace: Vec<ReplaceReason>,
    /// The API must be written (create, replace, or a vendor/region change). A different
    /// spelling of the same address alone writes nothing.
    pub writes: bool,
    pub id: Maybe<String>,
    pub modified_on: Maybe<String>,
}

/// Unknown counts as changed: Terraform then shows "(known after apply)" and, for the
/// identifying attributes, "forces replacement", which is what happens if the value does change.
fn changed<T: PartialEq>(config: &Maybe<T>, prior: &T, same: impl Fn(&T, &T) -> bool) -> bool {
    match config {
        Maybe::Known(value) => !same(value, prior),
        Maybe::Unknown | Maybe::Null => true,
    }
}

fn planned_id(config: &SingleConfig) -> Maybe<String> {
    match &config.origin_ip {
        Maybe::Known(ip) => Maybe::Known(mapping_id(ip)),
        _ => Maybe::Unknown,
    }
}

pub fn decide(prior: Option<&SingleState>, config: &SingleConfig) -> Decision {
    let Some(prior) = prior else {
        return Decision { replace: Vec::new(), writes: true, id: planned_id(config), modified_on: Maybe::Unknown };
    };
    let mut replace = Vec::new();
    if changed(&config.zone_id, &prior.zone_id, |a, b| a == b) {
        replace.push(ReplaceReason::ZoneId);
    }
    if changed(&config.origin_ip, &prior.origin_ip, |a, b| same_address(a, b)) {
        replace.push(ReplaceReason::OriginIp);
    }
    if !replace.is_empty() {
        return Decision { replace, writes: true, id: planned_id(config), modified_on: Maybe::Unknown };
    }
    let writes = changed(&config.vendor, &prior.vendor, |a, b| same_vendor(a, b))
        || changed(&config.region, &prior.region, |a, b| a == b);
    let modified_on = match (&prior.modified_on, writes) {
        (_, true) => Maybe::Unknown,
        (Some(text), false) => Maybe::Known(text.clone()),
        (None, false) => Maybe::Null,
    };
    Decision { replace, writes, id: Maybe::Known(prior.id()), modified_on }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ZONE: &str = "023e105f4ecef8ad9ca31a8372d0c353";
    const OTHER_ZONE: &str = "0123456789abcdef0123456789abcdef";

    fn known(s: &str) -> Maybe<String> {
        Maybe::Known(s.to_string())
    }

    fn config(zone_id: &str, ip: &str, vendor: &str, region: &str) -> SingleConfig {
        SingleConfig { zone_id: known(zone_id), origin_ip: known(ip), vendor: known(vendor), region: known(region) }
    }

    fn prior() -> SingleState {
        SingleState {
            zone_id: ZONE.into(),
            origin_ip: "2001:db8::1".into(),
            vendor: "gcp".into(),
            region: "us-central1".into(),
            modified_on: Some("2026-03-01T12:00:00Z".into()),
        }
    }

    #[test]
    fn create_knows_its_id_when_zone_and_ip_are_known() {
        let decision = decide(None, &config(ZONE, "2001:DB8:0::1", "gcp", "us-central1"));
        assert!(decision.writes && decision.replace.is_empty());
        assert_eq!(decision.id, known("2001:db8::1"));
        assert_eq!(decision.modified_on, Maybe::Unknown);
        let mut unknown_ip = config(ZONE, "x", "gcp", "us-central1");
        unknown_ip.origin_ip = Maybe::Unknown;
        assert_eq!(decide(None, &unknown_ip).id, Maybe::Unknown);
    }

    #[test]
    fn same_values_plan_nothing() {
        let decision = decide(Some(&prior()), &config(ZONE, "2001:db8::1", "gcp", "us-central1"));
        assert_eq!(
            decision,
            Decision {
                replace: vec![],
                writes: false,
                id: known("2001:db8::1"),
                modified_on: known("2026-03-01T12:00:00Z"),
            }
        );
    }

    #[test]
    fn another_spelling_of_the_address_neither_replaces_nor_writes() {
        for spelling in ["2001:DB8:0::1", "2001:0db8:0000:0000:0000:0000:0000:0001", "2001:DB8::1"] {
            let decision = decide(Some(&prior()), &config(ZONE, spelling, "gcp", "us-central1"));
            assert!(decision.replace.is_empty() && !decision.writes, "{spelling}: {decision:?}");
            assert_eq!(decision.id, known("2001:db8::1"));
        }
    }

    #[test]
    fn vendor_or_region_changes_update_in_place() {
        let decision = decide(Some(&prior()), &config(ZONE, "2001:db8::1", "gcp", "europe-west1"));
        assert!(decision.replace.is_empty() && decision.writes);
        assert_eq!(decision.modified_on, Maybe::Unknown);
        let mut unknown_vendor = config(ZONE, "2001:db8::1", "gcp", "us-central1");
        unknown_vendor.vendor = Maybe::Unknown;
        assert!(decide(Some(&prior()), &unknown_vendor).writes);
    }

    #[test]
    fn vendor_case_alone_writes_nothing() {
        let decision = decide(Some(&prior()), &config(ZONE, "2001:db8::1", "GCP", "us-central1"));
        assert!(decision.replace.is_empty() && !decision.writes, "{decision:?}");
    }

    #[test]
    fn zone_or_address_changes_replace() {
        let decision = decide(Some(&prior()), &config(ZONE, "2001:db8::2", "gcp", "us-central1"));
        assert_eq!(decision.replace, vec![ReplaceReason::OriginIp]);
        assert!(decision.writes);
        let decision = decide(Some(&prior()), &config(OTHER_ZONE, "2001:db8::1", "gcp", "us-central1"));
        assert_eq!(decision.replace, vec![ReplaceReason::ZoneId]);
        assert_eq!(decision.id, known("2001:db8::1"));
        let mut unknown = config(ZONE, "x", "gcp", "us-central1");
        unknown.origin_ip = Maybe::Unknown;
        let decision = decide(Some(&prior()), &unknown);
        assert_eq!((decision.replace, decision.id), (vec![ReplaceReason::OriginIp], Maybe::Unknown));
    }
}

//! Configuration checks that need no API call, shared with the mappings resource: a single
//! mapping is checked as a mapping set of one entry keyed by `origin_ip`, so both resources
//! accept and reject exactly the same zone IDs, addresses, vendors and regions with the same
//! advice. `values::place_to_path` points each finding at this resource's attribute.

use super::model::SingleConfig;
use crate::provider::concepts::checks::vendor_any_case;
use crate::provider::concepts::finding::{Finding, Place};
use crate::provider::concepts::maybe::Maybe;
use crate::provider::mappings::model::{ConfigEntry, MappingsConfig};
use crate::provider::mappings::validate::validate_all as validate_mappings;

/// Stands in for an address that is not known yet so that vendor and region are still checked;
/// findings about it are dropped.
const PLACEHOLDER_IP: &str = "192.0.2.0";

/// Every configuration check; unknown values are skipped (Terraform validates again later).
pub fn validate_config(config: &SingleConfig) -> Vec<Finding> {
    let (key, ip_is_known) = match &config.origin_ip {
        Maybe::Known(ip) => (ip.clone(), true),
        Maybe::Unknown | Maybe::Null => (PLACEHOLDER_IP.to_string(), false),
    };
    let entry = ConfigEntry { vendor: vendor_as_checked(&config.vendor), region: config.region.clone() };
    let as_set = MappingsConfig {
        zone_id: config.zone_id.clone(),
        mappings: Maybe::Known([(key, Maybe::Known(entry))].into_iter().collect()),
    };
    validate_mappings(&as_set)
        .into_iter()
        .filter(|finding| ip_is_known || !matches!(finding.place, Place::Entry(_)))
        .collect()
}

/// Any case of a known vendor is accepted, as by Cloudflare's official provider; other
/// spellings (surrounding spaces, unknown names) get the mappings resource's advice.
fn vendor_as_checked(vendor: &Maybe<String>) -> Maybe<String> {
    match vendor {
        Maybe::Known(text) => Maybe::Known(vendor_any_case(text)),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ZONE: &str = "023e105f4ecef8ad9ca31a8372d0c353";

    fn config(zone_id: &str, ip: &str, vendor: &str, region: &str) -> SingleConfig {
        let known = |s: &str| Maybe::Known(s.to_string());
        SingleConfig { zone_id: known(zone_id), origin_ip: known(ip), vendor: known(vendor), region: known(region) }
    }

    #[test]
    fn good_configurations_pass() {
        assert_eq!(validate_config(&config(ZONE, "192.0.2.1", "aws", "us-east-1")), vec![]);
        assert_eq!(validate_config(&config(ZONE, "2001:DB8:0::1", "gcp", "us-central1")), vec![]);
        for vendor in ["AWS", "Azure", "gCP", "OCI"] {
            assert_eq!(validate_config(&config(ZONE, "192.0.2.1", vendor, "r")), vec![], "{vendor}");
        }
    }

    #[test]
    fn each_problem_is_found_at_its_place() {
        let findings = validate_config(&config("NOPE", "192.0.2.0/24", " AWS", " us-east-1"));
        let places: Vec<&Place> = findings.iter().map(|f| &f.place).collect();
        assert!(matches!(places[..], [Place::ZoneId, Place::Entry(_), Place::Vendor(_), Place::Region(_)]), "{findings:#?}");
        assert!(findings[2].detail.contains("write \"aws\""), "{}", findings[2].detail);
        assert!(findings[1].detail.contains("CIDR"), "{}", findings[1].detail);
    }

    #[test]
    fn unknown_address_still_checks_vendor_and_region() {
        let mut partly = config(ZONE, "x", "alibaba", "");
        partly.origin_ip = Maybe::Unknown;
        let findings = validate_config(&partly);
        let places: Vec<&Place> = findings.iter().map(|f| &f.place).collect();
        assert!(matches!(places[..], [Place::Vendor(_), Place::Region(_)]), "{findings:#?}");
        let unknown = SingleConfig {
            zone_id: Maybe::Unknown,
            origin_ip: Maybe::Unknown,
            vendor: Maybe::Unknown,
            region: Maybe::Unknown,
        };
        assert_eq!(validate_config(&unknown), vec![]);
    }
}

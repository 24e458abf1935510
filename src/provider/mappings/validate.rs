//! Configuration checks that need no API call. Unknown values are skipped (Terraform validates
//! again once they are known); every finding points at the offending map key or attribute.

use std::net::IpAddr;

use super::finding::{Finding, Place};
use super::model::{ConfigEntry, MappingsConfig, Maybe};
pub use crate::provider::concepts::checks::{check_address, check_ip, check_zone_id, IpProblem, VENDORS};

/// Cloudflare's limit of mappings per zone.
pub const MAX_MAPPINGS: usize = 3_500;

/// Every configuration check; returns errors only.
pub fn validate_config(config: &MappingsConfig) -> Vec<Finding> {
    let mut findings = Vec::new();
    if let Maybe::Known(zone_id) = &config.zone_id {
        if let Err(detail) = check_zone_id(zone_id) {
            findings.push(Finding::error(Place::ZoneId, "Invalid zone ID", detail));
        }
    }
    let entries = match &config.mappings {
        Maybe::Known(entries) => entries,
        Maybe::Unknown => return findings,
        Maybe::Null => {
            findings.push(null_mappings());
            return findings;
        }
    };
    if entries.len() > MAX_MAPPINGS {
        findings.push(Finding::error(
            Place::Mappings,
            "Too many mappings",
            format!(
                "Cloudflare allows at most {} mappings per zone; this resource has {}. \
                 Remove some entries.",
                "3,500",
                entries.len()
            ),
        ));
    }
    let mut addresses: Vec<(IpAddr, &str)> = Vec::with_capacity(entries.len());
    for (key, entry) in entries {
        match check_address(key) {
            Ok(address) => addresses.push((address, key)),
            Err(problem) => findings.push(Finding::error(Place::Entry(key.clone()), problem.summary, problem.detail)),
        }
        findings.extend(check_entry(key, entry));
    }
    findings.extend(duplicate_findings(addresses));
    findings
}

/// [`validate_config`], plus a warning when its errors keep the region check from running: that
/// check needs the API and a valid zone, and Terraform plans (where it runs) only once
/// validation passes. Without the warning a region typo would surface one round later, unsaid.
pub fn validate_all(config: &MappingsConfig) -> Vec<Finding> {
    let mut findings = validate_config(config);
    findings.extend(region_check_skipped(config, &findings));
    findings
}

fn region_check_skipped(config: &MappingsConfig, findings: &[Finding]) -> Option<Finding> {
    if !findings.iter().any(Finding::is_error) {
        return None;
    }
    let Maybe::Known(entries) = &config.mappings else { return None };
    let judged = |key: &str| {
        findings.iter().any(|f| matches!(&f.place, Place::Vendor(k) | Place::Region(k) if k == key))
    };
    let waiting = entries.iter().any(|(key, entry)| {
        entry.known().is_some_and(|entry| {
            entry.vendor.known().is_some_and(|vendor| VENDORS.contains(&vendor.as_str()))
                && entry.region.known().is_some()
                && !judged(key)
        })
    });
    if !waiting {
        return None;
    }
    let zone_is_invalid = findings.iter().any(|f| f.place == Place::ZoneId);
    Some(if zone_is_invalid {
        Finding::warning(
            Place::ZoneId,
            "Regions not checked",
            "Regions are checked against the regions the zone supports, which Cloudflare tells only \
             for a valid zone ID, so they were not checked. Plan again once the zone ID is fixed to \
             have them checked.",
        )
    } else {
        Finding::warning(
            Place::Mappings,
            "Regions not checked",
            "Regions are checked against the zone's supported regions when Terraform plans, which it \
             does only once the errors here are fixed, so they were not checked this time.",
        )
    })
}

/// `mappings = null` has no meaning Terraform could apply (the attribute is required, yet
/// Terraform passes an explicit null through), so it is refused before any plan is made.
fn null_mappings() -> Finding {
    Finding::error(
        Place::Mappings,
        "Missing mappings",
        "`mappings` is null. Write `mappings = {}` for a resource that manages no mappings \
         (its mappings are then deleted), or remove the resource block to destroy it.",
    )
}

fn check_entry(key: &str, entry: &Maybe<ConfigEntry>) -> Vec<Finding> {
    let entry = match entry {
        Maybe::Known(entry) => entry,
        Maybe::Unknown => return Vec::new(),
        Maybe::Null => {
            return vec![Finding::error(
                Place::Entry(key.to_string()),
                "Missing mapping",
                format!("The mapping for \"{key}\" is null; give it a vendor and a region, or remove the entry."),
            )]
        }
    };
    let mut findings = Vec::new();
    findings.extend(check_vendor(key, &entry.vendor));
    findings.extend(check_region(key, &entry.region));
    findings
}

fn check_vendor(key: &str, vendor: &Maybe<String>) -> Option<Finding> {
    let detail = match vendor {
        Maybe::Unknown => return None,
        Maybe::Known(vendor) if VENDORS.contains(&vendor.as_str()) => return None,
        Maybe::Null => "The vendor must be set to one of \"aws\", \"azure\", \"gcp\" or \"oci\".".to_string(),
        Maybe::Known(vendor) => {
            let lower = vendor.trim().to_ascii_lowercase();
            if VENDORS.contains(&lower.as_str()) {
                format!("Vendor names are lower case without spaces: write \"{lower}\" instead of \"{vendor}\".")
            } else {
                format!("\"{vendor}\" is not a cloud vendor Cloudflare knows; use one of \"aws\", \"azure\", \"gcp\" or \"oci\".")
            }
        }
    };
    Some(Finding::error(Place::Vendor(key.to_string()), "Invalid cloud vendor", detail))
}

fn check_region(key: &str, region: &Maybe<String>) -> Option<Finding> {
    let detail = match region {
        Maybe::Unknown => return None,
        Maybe::Null => "The region must be set, for example \"us-east-1\".".to_string(),
        Maybe::Known(region) if region.trim().is_empty() => {
            "The region must not be empty; give the vendor's region name, for example \"us-east-1\".".to_string()
        }
        Maybe::Known(region) if region.trim() != region => {
            format!("The region \"{region}\" has leading or trailing whitespace; write \"{}\".", region.trim())
        }
        Maybe::Known(_) => return None,
    };
    Some(Finding::error(Place::Region(key.to_string()), "Invalid region", detail))
}

/// One error per extra spelling of an address, naming the spelling it collides with; by
/// canonical spelling, then key order. `addresses` come in key order.
fn duplicate_findings(mut addresses: Vec<(IpAddr, &str)>) -> Vec<Finding> {
    // Stable: the spellings of one address stay in key order, the first one is "the" entry.
    addresses.sort_by_key(|(address, _)| *address);
    let mut groups: Vec<(String, &[(IpAddr, &str)])> = addresses
        .chunk_by(|a, b| a.0 == b.0)
        .filter(|group| group.len() > 1)
        .filter_map(|group| Some((group.first()?.0.to_string(), group)))
        .collect();
    groups.sort_by(|a, b| a.0.cmp(&b.0));
    let mut findings = Vec::new();
    for (canonical, group) in groups {
        let Some(((_, first), others)) = group.split_first() else { continue };
        for (_, other) in others {
            findings.push(Finding::error(
                Place::Entry(other.to_string()),
                "Duplicate origin IP address",
                format!(
                    "\"{other}\" and \"{first}\" are the same address ({canonical}); \
                     an address can have only one mapping. Keep one of the two entries."
                ),
            ));
        }
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(vendor: &str, region: &str) -> Maybe<ConfigEntry> {
        Maybe::Known(ConfigEntry { vendor: Maybe::Known(vendor.to_string()), region: Maybe::Known(region.to_string()) })
    }

    fn config(entries: Vec<(&str, Maybe<ConfigEntry>)>) -> MappingsConfig {
        MappingsConfig {
            zone_id: Maybe::Known("023e105f4ecef8ad9ca31a8372d0c353".to_string()),
            mappings: Maybe::Known(entries.into_iter().map(|(k, e)| (k.to_string(), e)).collect()),
        }
    }

    fn one(entries: Vec<(&str, Maybe<ConfigEntry>)>) -> Finding {
        let findings = validate_config(&config(entries));
        assert_eq!(findings.len(), 1, "{findings:#?}");
        findings.into_iter().next().unwrap()
    }

    #[test]
    fn a_good_configuration_has_no_findings() {
        let findings = validate_config(&config(vec![
            ("192.0.2.1", entry("aws", "us-east-1")),
            ("2001:DB8:0::1", entry("gcp", "us-central1")),
            ("2001:db8::2", entry("azure", "eastus")),
            ("198.51.100.7", entry("oci", "us-ashburn-1")),
        ]));
        assert_eq!(findings, vec![]);
    }

    #[test]
    fn bad_addresses_point_at_their_key() {
        for (ip, needle) in [
            ("192.0.2.0/24", "CIDR"),
            ("fe80::1%eth0", "zone index"),
            ("", "empty"),
            (" 192.0.2.1", "\"192.0.2.1\""),
            ("192.0.2.256", "not a valid"),
            ("example.com", "not a valid"),
            ("::ffff:192.0.2.1", "write the IPv4 form \"192.0.2.1\""),
            ("192.000.2.01", "\"192.0.2.1\""),
        ] {
            let finding = one(vec![(ip, entry("aws", "us-east-1"))]);
            assert_eq!(finding.place, Place::Entry(ip.to_string()), "{ip}");
            assert_eq!(finding.summary, "Invalid origin IP address");
            assert!(finding.detail.contains(needle), "{ip}: {}", finding.detail);
        }
    }

    #[test]
    fn vendors_are_exact() {
        let finding = one(vec![("192.0.2.1", entry("AWS", "us-east-1"))]);
        assert_eq!(finding.place, Place::Vendor("192.0.2.1".into()));
        assert!(finding.detail.contains("write \"aws\""), "{}", finding.detail);
        let finding = one(vec![("192.0.2.1", entry("alibaba", "cn-hangzhou"))]);
        assert!(finding.detail.contains("\"aws\", \"azure\", \"gcp\" or \"oci\""));
        let null_vendor = Maybe::Known(ConfigEntry { vendor: Maybe::Null, region: Maybe::Known("x".into()) });
        assert_eq!(one(vec![("192.0.2.1", null_vendor)]).place, Place::Vendor("192.0.2.1".into()));
    }

    #[test]
    fn regions_must_be_given() {
        for region in ["", "  ", " us-east-1"] {
            let finding = one(vec![("192.0.2.1", entry("aws", region))]);
            assert_eq!(finding.place, Place::Region("192.0.2.1".into()), "{region:?}");
        }
    }

    #[test]
    fn null_entry_is_an_error() {
        assert_eq!(one(vec![("192.0.2.1", Maybe::Null)]).place, Place::Entry("192.0.2.1".into()));
    }

    #[test]
    fn duplicates_name_both_spellings() {
        let finding = one(vec![("2001:DB8::1", entry("aws", "us-east-1")), ("2001:db8::1", entry("aws", "us-east-1"))]);
        assert_eq!(finding.summary, "Duplicate origin IP address");
        assert!(finding.detail.contains("\"2001:DB8::1\""));
        assert!(finding.detail.contains("\"2001:db8::1\""));
        assert!(matches!(finding.place, Place::Entry(_)));
    }

    #[test]
    fn duplicates_come_in_canonical_order() {
        let findings = validate_config(&config(vec![
            ("0::2", entry("aws", "r")),
            ("2001:DB8::1", entry("aws", "r")),
            ("2001:db8::1", entry("aws", "r")),
            ("::2", entry("aws", "r")),
        ]));
        let places: Vec<Place> = findings.iter().map(|f| f.place.clone()).collect();
        assert_eq!(places, [Place::Entry("2001:db8::1".into()), Place::Entry("::2".into())]);
        assert!(
            findings[1].detail.contains("\"::2\" and \"0::2\" are the same address (::2)"),
            "{}",
            findings[1].detail
        );
    }

    #[test]
    fn at_most_3500_entries() {
        let many = |n: u32| -> Vec<(String, Maybe<ConfigEntry>)> {
            (0..n).map(|i| (std::net::Ipv4Addr::from(0x0a00_0000 + i).to_string(), entry("aws", "r"))).collect()
        };
        let check = |n| {
            let entries = many(n);
            validate_config(&config(entries.iter().map(|(k, e)| (k.as_str(), e.clone())).collect()))
        };
        assert_eq!(check(3_500), vec![]);
        let findings = check(3_501);
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].place, Place::Mappings);
        assert!(findings[0].detail.contains("3,501") || findings[0].detail.contains("3501"));
    }

    #[test]
    fn errors_that_stop_planning_say_the_region_check_was_skipped() {
        let mut bad_zone = config(vec![("192.0.2.1", entry("aws", "us-eats-1")), ("192.0.2.300", entry("aws", "us-east-1"))]);
        bad_zone.zone_id = Maybe::Known("not-a-zone".into());
        let findings = validate_all(&bad_zone);
        let places: Vec<(&Place, bool)> = findings.iter().map(|f| (&f.place, f.is_error())).collect();
        assert_eq!(places, [(&Place::ZoneId, true), (&Place::Entry("192.0.2.300".into()), true), (&Place::ZoneId, false)]);
        assert!(findings[2].detail.contains("zone ID is fixed"), "{}", findings[2].detail);

        let bad_ip_only = config(vec![("192.0.2.1", entry("aws", "us-eats-1")), ("192.0.2.300", entry("aws", "us-east-1"))]);
        let last = validate_all(&bad_ip_only).pop().expect("findings");
        assert_eq!((last.is_error(), last.place), (false, Place::Mappings));

        // Nothing waits for the check: every entry already has a vendor or region error.
        assert_eq!(validate_all(&config(vec![("192.0.2.1", entry("amazon", "us-east-1"))])).len(), 1);
        // No errors, no warning: planning checks the regions.
        assert_eq!(validate_all(&config(vec![("192.0.2.1", entry("aws", "us-east-1"))])), vec![]);
    }

    #[test]
    fn a_bad_zone_id_points_at_zone_id() {
        let mut bad = config(vec![]);
        bad.zone_id = Maybe::Known("nope".into());
        assert_eq!(validate_config(&bad)[0].place, Place::ZoneId);
    }

    #[test]
    fn null_mappings_are_an_error_at_the_attribute() {
        let config = MappingsConfig { zone_id: Maybe::Known("023e105f4ecef8ad9ca31a8372d0c353".into()), mappings: Maybe::Null };
        let findings = validate_config(&config);
        assert_eq!(findings.len(), 1, "{findings:#?}");
        assert_eq!(findings[0].place, Place::Mappings);
        assert!(findings[0].is_error());
        assert!(findings[0].detail.contains("mappings = {}"), "{}", findings[0].detail);
    }

    #[test]
    fn unknown_values_are_accepted() {
        let unknown = MappingsConfig { zone_id: Maybe::Unknown, mappings: Maybe::Unknown };
        assert_eq!(validate_config(&unknown), vec![]);
        let partly = Maybe::Known(ConfigEntry { vendor: Maybe::Unknown, region: Maybe::Unknown });
        assert_eq!(validate_config(&config(vec![("192.0.2.1", partly), ("192.0.2.2", Maybe::Unknown)])), vec![]);
        // the known parts are still checked
        let bad_region = Maybe::Known(ConfigEntry { vendor: Maybe::Unknown, region: Maybe::Known(String::new()) });
        assert_eq!(one(vec![("192.0.2.1", bad_region)]).place, Place::Region("192.0.2.1".into()));
    }
}

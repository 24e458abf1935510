//! Input checks shared by the data sources, delegating to the resources' validators so every
//! type words the same problem the same way. Unknown values are skipped.

use crate::provider::concepts::finding::Place;
use crate::provider::concepts::maybe::Maybe;
use crate::provider::mappings::model::{ConfigEntry, MappingsConfig};
use crate::provider::concepts::checks::{check_ip, check_zone_id, vendor_any_case};
use crate::provider::mappings::validate::validate_config;
use crate::tfplugin::{AttributePath, Diagnostics, Value};

pub const ZONE_ID: &str = "zone_id";

/// A known, non-null string attribute.
pub fn known_str<'a>(config: &'a Value, name: &str) -> Option<&'a str> {
    config.get_attr(name).and_then(Value::as_str)
}

pub fn check_zone(config: &Value, diagnostics: &mut Diagnostics) {
    if let Some(zone_id) = known_str(config, ZONE_ID) {
        if let Err(detail) = check_zone_id(zone_id) {
            diagnostics.error_at(AttributePath::new(ZONE_ID), "Invalid zone ID", detail);
        }
    }
}

pub fn check_address(config: &Value, name: &str, diagnostics: &mut Diagnostics) {
    if let Some(ip) = known_str(config, name) {
        if let Err(problem) = check_ip(ip) {
            diagnostics.error_at(AttributePath::new(name), problem.summary, problem.detail);
        }
    }
}

/// The vendor check of the mappings resource, for a lone vendor attribute; any case of a
/// vendor name is accepted, as by the per-IP resource and Cloudflare's official provider.
pub fn check_vendor(config: &Value, name: &str, diagnostics: &mut Diagnostics) {
    let Some(vendor) = known_str(config, name) else { return };
    let vendor = vendor_any_case(vendor);
    let entry = ConfigEntry { vendor: Maybe::Known(vendor), region: Maybe::Unknown };
    let as_set = MappingsConfig {
        zone_id: Maybe::Unknown,
        mappings: Maybe::Known([("192.0.2.0".to_string(), Maybe::Known(entry))].into_iter().collect()),
    };
    for finding in validate_config(&as_set) {
        if matches!(finding.place, Place::Vendor(_)) {
            diagnostics.error_at(AttributePath::new(name), finding.summary, finding.detail);
        }
    }
}

/// What a failed API call means for a data source read.
pub fn api_failure(what: &str, zone_id: &str, error: &impl std::fmt::Display) -> Diagnostics {
    Diagnostics::from_error(
        format!("Could not read {what}"),
        format!("Reading {what} of zone {zone_id} from Cloudflare failed: {error}"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checks_point_at_their_attribute() {
        let config = Value::object([
            (ZONE_ID, Value::string("ABC")),
            ("origin_ip", Value::string("192.0.2.0/24")),
            ("vendor", Value::string(" AWS")),
        ]);
        let mut diagnostics = Diagnostics::new();
        check_zone(&config, &mut diagnostics);
        check_address(&config, "origin_ip", &mut diagnostics);
        check_vendor(&config, "vendor", &mut diagnostics);
        let paths: Vec<String> = diagnostics.iter().map(|d| d.path.clone().unwrap_or_default().to_string()).collect();
        assert_eq!(paths, vec!["zone_id", "origin_ip", "vendor"]);
        assert!(diagnostics.0[2].detail.contains("write \"aws\""), "{}", diagnostics.0[2].detail);
    }

    #[test]
    fn unknown_and_good_values_pass() {
        let config = Value::object([
            (ZONE_ID, Value::Unknown),
            ("origin_ip", Value::string("2001:DB8:0::1")),
            ("vendor", Value::string("AWS")),
        ]);
        let mut diagnostics = Diagnostics::new();
        check_zone(&config, &mut diagnostics);
        check_address(&config, "origin_ip", &mut diagnostics);
        check_vendor(&config, "vendor", &mut diagnostics);
        assert!(diagnostics.is_empty(), "{diagnostics:?}");
    }
}

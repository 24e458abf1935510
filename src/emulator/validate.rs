//! Per-item validation shared by single-item and batch calls.

use std::net::IpAddr;

use serde_json::Value;

use super::catalogue;
use super::envelope::{codes, ApiFailure};
use super::faults::Faults;

/// A mapping that passed validation (address canonical by construction).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidMapping {
    pub ip: IpAddr,
    pub vendor: String,
    pub region: String,
}

/// Parses an address the way the API does (RFC 5952 canonical form on output).
pub fn parse_address(text: &str) -> Result<IpAddr, ApiFailure> {
    crate::ip::parse_ip(text)
        .map_err(|err| codes::invalid_parameter(format!("invalid origin IP address: {err}")))
}

/// The text to echo for an item's IP: canonical when it parses, else as sent.
pub fn echo_ip(text: &str) -> String {
    crate::ip::canonical_ip(text).unwrap_or_else(|_| text.to_string())
}

/// Injected "this IP always fails" for writes.
pub fn check_ip_fault(faults: &Faults, ip: &IpAddr) -> Result<(), ApiFailure> {
    match faults.failing_ips.get(ip) {
        Some(message) => Err(codes::invalid_parameter(message.clone())),
        None => Ok(()),
    }
}

/// Validates `{<ip_key>, vendor, region}` in a JSON object: IP syntax (1146), injected IP
/// failure, vendor enum (1157), region in the catalogue for that vendor (1157), injected
/// region failure.
pub fn validate_item(
    item: &Value,
    ip_key: &str,
    faults: &Faults,
) -> Result<ValidMapping, ApiFailure> {
    let Some(object) = item.as_object() else {
        return Err(codes::invalid_parameter("each item must be an object"));
    };
    let ip_text = object.get(ip_key).and_then(Value::as_str).ok_or_else(|| {
        codes::invalid_parameter(format!("missing or invalid origin IP address ({ip_key})"))
    })?;
    let ip = parse_address(ip_text)?;
    check_ip_fault(faults, &ip)?;
    let vendor = object
        .get("vendor")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if !catalogue::is_vendor(vendor) {
        return Err(codes::invalid_vendor_region(format!(
            "invalid vendor {vendor:?}: must be one of aws, azure, gcp, oci"
        )));
    }
    let region = object
        .get("region")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if !catalogue::is_region_of(vendor, region) {
        return Err(codes::invalid_vendor_region(format!(
            "invalid region {region:?} for vendor {vendor:?}"
        )));
    }
    if let Some(message) = faults.failing_regions.get(region) {
        return Err(codes::invalid_vendor_region(message.clone()));
    }
    Ok(ValidMapping {
        ip,
        vendor: vendor.to_string(),
        region: region.to_string(),
    })
}

/// The IP text of an item for its `failed` entry ("" when absent or not a string).
pub fn item_ip_text(item: &Value, ip_key: &str) -> String {
    item.get(ip_key)
        .and_then(Value::as_str)
        .map(echo_ip)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn item_checks_and_codes() {
        let faults = Faults::default();
        let ok = validate_item(
            &json!({"ip": "2001:DB8::1", "vendor": "gcp", "region": "us-central1"}),
            "ip",
            &faults,
        )
        .unwrap();
        assert_eq!(ok.ip.to_string(), "2001:db8::1");
        let code = |item: Value| validate_item(&item, "ip", &faults).unwrap_err().code;
        assert_eq!(
            code(json!({"ip": "nope", "vendor": "aws", "region": "us-east-1"})),
            1146
        );
        assert_eq!(code(json!({"vendor": "aws", "region": "us-east-1"})), 1146);
        assert_eq!(
            code(json!({"ip": "192.0.2.1", "vendor": "ibm", "region": "us-east-1"})),
            1157
        );
        assert_eq!(
            code(json!({"ip": "192.0.2.1", "vendor": "AWS", "region": "us-east-1"})),
            1157
        );
        assert_eq!(
            code(json!({"ip": "192.0.2.1", "vendor": "gcp", "region": "us-east-1"})),
            1157
        );
        assert_eq!(code(json!("192.0.2.1")), 1146);
    }

    #[test]
    fn injected_failures() {
        let mut faults = Faults::default();
        faults
            .failing_ips
            .insert("192.0.2.9".parse().unwrap(), "boom".into());
        faults
            .failing_regions
            .insert("us-west-2".into(), "region down".into());
        let err = validate_item(
            &json!({"ip": "192.0.2.9", "vendor": "aws", "region": "us-east-1"}),
            "ip",
            &faults,
        )
        .unwrap_err();
        assert_eq!(err.message, "boom");
        let err = validate_item(
            &json!({"ip": "192.0.2.1", "vendor": "aws", "region": "us-west-2"}),
            "ip",
            &faults,
        )
        .unwrap_err();
        assert_eq!(err.message, "region down");
    }
}

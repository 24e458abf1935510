//! Checks of the values every resource and data source accepts alike: origin IP addresses
//! (with advice for the usual mistakes), zone IDs and cloud vendor names.

use std::net::IpAddr;

use crate::ip::{parse_ip, IpError};

/// The cloud vendors Cloudflare knows, exactly as the API spells them.
pub const VENDORS: [&str; 4] = ["aws", "azure", "gcp", "oci"];

/// Vendors compare without regard to case, as in Cloudflare's official provider: `AWS` is `aws`.
pub fn same_vendor(a: &str, b: &str) -> bool {
    a.eq_ignore_ascii_case(b)
}

/// The vendor as the API spells it (lower case).
pub fn api_vendor(vendor: &str) -> String {
    vendor.to_ascii_lowercase()
}

/// A vendor written in any case, in the API's spelling; other text as it is (the vendor check
/// then gives its advice).
pub fn vendor_any_case(vendor: &str) -> String {
    if VENDORS.iter().any(|known| same_vendor(known, vendor)) {
        api_vendor(vendor)
    } else {
        vendor.to_string()
    }
}

/// Why a string cannot be used as an origin IP: a short summary and advice for the detail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IpProblem {
    pub summary: &'static str,
    pub detail: String,
}

/// Checks one origin address; returns its canonical spelling.
pub fn check_ip(text: &str) -> Result<String, IpProblem> {
    check_address(text).map(|address| address.to_string())
}

/// Checks one origin address; returns it parsed (cheaper than [`check_ip`] for whole maps).
pub fn check_address(text: &str) -> Result<IpAddr, IpProblem> {
    let invalid = |detail: String| IpProblem { summary: "Invalid origin IP address", detail };
    match parse_ip(text) {
        Ok(IpAddr::V6(v6)) => match v6.to_ipv4_mapped() {
            // Cloudflare would store it as an IPv6 address that no IPv4 origin ever matches.
            Some(v4) => Err(invalid(format!(
                "\"{text}\" is an IPv4-mapped IPv6 address; write the IPv4 form \"{v4}\" instead."
            ))),
            None => Ok(IpAddr::V6(v6)),
        },
        Ok(v4) => Ok(v4),
        Err(IpError::Invalid(_)) if has_leading_zero_octet(text) => Err(invalid(format!(
            "\"{text}\" has an IPv4 octet with a leading zero, which some tools read as octal.{}",
            without_leading_zeros(text)
                .map(|fixed| format!(" If you mean {fixed}, write \"{fixed}\"."))
                .unwrap_or_default()
        ))),
        Err(IpError::Whitespace(_)) => Err(invalid(format!(
            "\"{text}\" contains whitespace; write the address alone{}.",
            match parse_ip(text.trim()) {
                Ok(_) => format!(", as \"{}\"", text.trim()),
                Err(_) => String::new(),
            }
        ))),
        Err(IpError::Empty) => {
            Err(invalid("An empty string is not an address; give a single IPv4 or IPv6 address.".to_string()))
        }
        Err(error) => Err(invalid(format!("{error}."))),
    }
}

fn octets(text: &str) -> Option<Vec<&str>> {
    let parts: Vec<&str> = text.split('.').collect();
    let all_digits = parts.iter().all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
    (parts.len() == 4 && all_digits).then_some(parts)
}

fn has_leading_zero_octet(text: &str) -> bool {
    octets(text).is_some_and(|parts| parts.iter().any(|p| p.len() > 1 && p.starts_with('0')))
}

/// The decimal reading of a zero-padded dotted quad, when that is a valid address.
fn without_leading_zeros(text: &str) -> Option<String> {
    let parts = octets(text)?;
    let trimmed: Vec<&str> = parts
        .iter()
        .map(|p| match p.trim_start_matches('0') {
            "" => "0",
            rest => rest,
        })
        .collect();
    let fixed = trimmed.join(".");
    parse_ip(&fixed).is_ok().then_some(fixed)
}

/// Checks a zone ID: 32 lower-case hexadecimal characters. Returns the detail text on failure.
pub fn check_zone_id(zone_id: &str) -> Result<(), String> {
    let hex = zone_id.len() == 32 && zone_id.bytes().all(|b| b.is_ascii_hexdigit());
    if hex && !zone_id.bytes().any(|b| b.is_ascii_uppercase()) {
        return Ok(());
    }
    let mut detail = format!(
        "\"{zone_id}\" is not a zone ID: a zone ID is 32 lower-case hexadecimal characters, \
         such as \"023e105f4ecef8ad9ca31a8372d0c353\" (see the zone's Overview page in the dashboard)."
    );
    if hex {
        detail.push_str(&format!(" Write it in lower case: \"{}\".", zone_id.to_ascii_lowercase()));
    }
    Err(detail)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zone_ids_are_32_lower_case_hex() {
        assert!(check_zone_id("023e105f4ecef8ad9ca31a8372d0c353").is_ok());
        assert!(check_zone_id("023E105F4ECEF8AD9CA31A8372D0C353").unwrap_err().contains("lower case"));
        assert!(check_zone_id("023e105f").is_err());
        assert!(check_zone_id("").is_err());
        assert!(check_zone_id("023e105f4ecef8ad9ca31a8372d0c35g").is_err());
    }
}

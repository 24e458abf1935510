//! Origin IP addresses: parsing and the canonical spelling Cloudflare stores.
//!
//! Shared by the provider (comparing keys as addresses), the API client (keying batch results)
//! and the emulator (storing what the API would store).

use std::net::IpAddr;

/// Why a string is not an origin IP address.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IpError {
    #[error("the address is empty")]
    Empty,
    #[error("\"{0}\" is a network range (CIDR); give a single address")]
    Cidr(String),
    #[error("\"{0}\" has a zone index (%); Cloudflare accepts plain addresses only")]
    ZoneIndex(String),
    #[error("\"{0}\" contains whitespace")]
    Whitespace(String),
    #[error("\"{0}\" is not a valid IPv4 or IPv6 address")]
    Invalid(String),
}

/// Parses one origin address exactly as written (no trimming, no ranges, no zone indexes).
pub fn parse_ip(text: &str) -> Result<IpAddr, IpError> {
    if text.is_empty() {
        return Err(IpError::Empty);
    }
    if text.chars().any(char::is_whitespace) {
        return Err(IpError::Whitespace(text.to_string()));
    }
    if text.contains('/') {
        return Err(IpError::Cidr(text.to_string()));
    }
    if text.contains('%') {
        return Err(IpError::ZoneIndex(text.to_string()));
    }
    // std rejects IPv4 octets with leading zeros, which would otherwise be ambiguous (octal).
    text.parse::<IpAddr>()
        .map_err(|_| IpError::Invalid(text.to_string()))
}

/// The canonical spelling: dotted quad for IPv4, RFC 5952 for IPv6 (lower case, longest run of
/// zero groups compressed). `std`'s `Display` for `Ipv6Addr` follows RFC 5952.
pub fn canonical_ip(text: &str) -> Result<String, IpError> {
    match parse_ip(text)? {
        // std accepts only the plain decimal dotted quad without leading zeros, which is the
        // canonical spelling already: copying it is much cheaper than formatting.
        IpAddr::V4(_) => Ok(text.to_string()),
        v6 => Ok(v6.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc5952_vectors() {
        let cases = [
            ("2001:DB8::1", "2001:db8::1"),
            ("2001:db8:0:0:0:0:2:1", "2001:db8::2:1"),
            ("2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"),
            ("2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8::1"),
            ("2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"),
            ("2001:DB8:0::1", "2001:db8::1"),
            ("::", "::"),
            ("::1", "::1"),
            ("192.0.2.1", "192.0.2.1"),
        ];
        for (input, expected) in cases {
            assert_eq!(canonical_ip(input).unwrap(), expected, "{input}");
            assert_eq!(canonical_ip(expected).unwrap(), expected, "idempotent for {expected}");
        }
    }

    #[test]
    fn every_accepted_ipv4_spelling_is_canonical() {
        for text in ["0.0.0.0", "255.255.255.255", "10.0.0.1", "1.2.3.4"] {
            assert_eq!(canonical_ip(text).unwrap(), parse_ip(text).unwrap().to_string());
        }
        for text in ["01.2.3.4", "1.2.3.04", "+1.2.3.4", "1.2.3", "1.2.3.4.5", "0x1.2.3.4", "1.2.3.256", "1..2.3"] {
            assert!(parse_ip(text).is_err(), "{text}");
        }
    }

    proptest::proptest! {
        #[test]
        fn ipv4_text_std_accepts_is_its_display(text in "[0-9+.x]{1,16}") {
            if let Ok(IpAddr::V4(addr)) = parse_ip(&text) {
                proptest::prop_assert_eq!(addr.to_string(), text.clone());
            }
        }

        #[test]
        fn ipv4_display_round_trips(octets in proptest::prelude::any::<[u8; 4]>()) {
            let text = std::net::Ipv4Addr::from(octets).to_string();
            proptest::prop_assert_eq!(canonical_ip(&text), Ok(text.clone()));
        }
    }

    #[test]
    fn rejects_what_cloudflare_rejects() {
        assert_eq!(parse_ip(""), Err(IpError::Empty));
        assert!(matches!(parse_ip("192.0.2.0/24"), Err(IpError::Cidr(_))));
        assert!(matches!(parse_ip("fe80::1%eth0"), Err(IpError::ZoneIndex(_))));
        assert!(matches!(parse_ip(" 192.0.2.1"), Err(IpError::Whitespace(_))));
        assert!(matches!(parse_ip("999.1.1.1"), Err(IpError::Invalid(_))));
        assert!(matches!(parse_ip("::g"), Err(IpError::Invalid(_))));
        assert!(matches!(parse_ip("192.000.2.1"), Err(IpError::Invalid(_))));
    }
}

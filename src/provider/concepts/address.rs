//! How mapping keys compare: by the address they spell, parsed once and compared as numbers,
//! so indexing a 3,500-entry set neither formats nor allocates. A key that is not an address
//! (only possible in state that was never validated) stands for itself and compares exactly.

use std::fmt;
use std::net::IpAddr;

use crate::ip::{canonical_ip, parse_ip};

/// The address a key spells. Its order is not the order of canonical spellings: code whose
/// output order is visible sorts by [`Address::to_string`] instead.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Address {
    Ip(IpAddr),
    /// Not an address: the key as written.
    Unparsed(String),
}

impl Address {
    pub fn of(key: &str) -> Address {
        match parse_ip(key) {
            Ok(ip) => Address::Ip(ip),
            Err(_) => Address::Unparsed(key.to_string()),
        }
    }
}

impl fmt::Display for Address {
    /// The canonical spelling (see `crate::ip::canonical_ip`), or the unparsed key.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Address::Ip(ip) => fmt::Display::fmt(ip, f),
            Address::Unparsed(key) => f.write_str(key),
        }
    }
}

/// The canonical spelling of a key; a key that is not an address (only possible in state that
/// was never validated) stands for itself, so it still compares exactly.
pub fn canonical_key(key: &str) -> String {
    canonical_ip(key).unwrap_or_else(|_| key.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings_of_one_address_are_equal() {
        assert_eq!(Address::of("2001:DB8:0::1"), Address::of("2001:db8::1"));
        assert_ne!(Address::of("192.0.2.1"), Address::of("192.0.2.2"));
        assert_eq!(Address::of("not-an-ip"), Address::Unparsed("not-an-ip".into()));
    }

    #[test]
    fn displays_the_canonical_spelling() {
        for key in ["2001:DB8:0::1", "192.0.2.1", "::FFFF:192.0.2.1", "not-an-ip", ""] {
            let expected = canonical_ip(key).unwrap_or_else(|_| key.to_string());
            assert_eq!(Address::of(key).to_string(), expected, "{key}");
        }
    }

    #[test]
    fn unparseable_keys_stand_for_themselves() {
        assert_eq!(canonical_key("not-an-ip"), "not-an-ip");
        assert_eq!(canonical_key("2001:DB8::1"), "2001:db8::1");
    }
}

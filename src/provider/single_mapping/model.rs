//! One mapping as plain data: the configuration (possibly partly unknown) and the state.

use crate::provider::concepts::address::canonical_key;
use crate::provider::concepts::maybe::Maybe;
/// How vendors compare and are sent: shared with the data sources.
pub use crate::provider::concepts::checks::{api_vendor, same_vendor};
#[cfg(test)]
use crate::provider::concepts::checks::vendor_any_case;

/// The resource configuration (or a proposed/planned value) as far as it is known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SingleConfig {
    pub zone_id: Maybe<String>,
    pub origin_ip: Maybe<String>,
    pub vendor: Maybe<String>,
    pub region: Maybe<String>,
}

/// The stored state. `origin_ip` keeps the spelling of the configuration (or import ID).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SingleState {
    pub zone_id: String,
    pub origin_ip: String,
    pub vendor: String,
    pub region: String,
    pub modified_on: Option<String>,
}

impl SingleState {
    pub fn id(&self) -> String {
        mapping_id(&self.origin_ip)
    }

    /// The canonical address, the key the API files the mapping under.
    pub fn canonical_ip(&self) -> String {
        canonical_key(&self.origin_ip)
    }
}

/// The canonical address: the same for every spelling, and the official provider's `id`.
pub fn mapping_id(origin_ip: &str) -> String {
    canonical_key(origin_ip)
}

/// Two spellings of the same address (unparsable text compares exactly).
pub fn same_address(a: &str, b: &str) -> bool {
    canonical_key(a) == canonical_key(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_use_the_canonical_address() {
        assert_eq!(mapping_id("2001:DB8:0::1"), "2001:db8::1");
        assert_eq!(mapping_id("192.0.2.1"), "192.0.2.1");
        assert!(same_address("2001:DB8:0::1", "2001:db8::1"));
        assert!(!same_address("2001:db8::1", "2001:db8::2"));
        assert!(same_vendor("AWS", "aws") && !same_vendor("aws", "azure"));
        assert_eq!(api_vendor("Gcp"), "gcp");
        assert_eq!((vendor_any_case("Azure"), vendor_any_case(" aws")), ("azure".to_string(), " aws".to_string()));
    }
}

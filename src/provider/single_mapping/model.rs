//! One mapping as plain data: the configuration (possibly partly unknown) and the state.

use crate::provider::concepts::address::canonical_key;
use crate::provider::concepts::maybe::Maybe;

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
        mapping_id(&self.zone_id, &self.origin_ip)
    }

    /// The canonical address, the key the API files the mapping under.
    pub fn canonical_ip(&self) -> String {
        canonical_key(&self.origin_ip)
    }
}

/// `<zone_id>/<canonical ip>`: the same for every spelling of the address, and a valid import ID.
pub fn mapping_id(zone_id: &str, origin_ip: &str) -> String {
    format!("{zone_id}/{}", canonical_key(origin_ip))
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
        let zone = "023e105f4ecef8ad9ca31a8372d0c353";
        assert_eq!(mapping_id(zone, "2001:DB8:0::1"), format!("{zone}/2001:db8::1"));
        assert_eq!(mapping_id(zone, "192.0.2.1"), format!("{zone}/192.0.2.1"));
        assert!(same_address("2001:DB8:0::1", "2001:db8::1"));
        assert!(!same_address("2001:db8::1", "2001:db8::2"));
    }
}

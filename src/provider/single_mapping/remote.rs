//! The API calls this resource makes, with Cloudflare's answers in plain terms.

use crate::cloudflare::Mapping;

pub(crate) use crate::provider::concepts::regions::fetch_catalog;
pub(crate) use crate::provider::mappings::now_rfc3339;

/// The mapping to send: the API wants the canonical address.
pub fn mapping(origin_ip: &str, vendor: &str, region: &str) -> Mapping {
    Mapping::new(crate::provider::concepts::address::canonical_key(origin_ip), vendor, region)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mappings_are_sent_with_the_canonical_address() {
        assert_eq!(mapping("2001:DB8:0::1", "gcp", "r").ip, "2001:db8::1");
    }
}

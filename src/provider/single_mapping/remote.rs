//! The API calls this resource makes, with Cloudflare's answers in plain terms.

use super::model::api_vendor;
use crate::cloudflare::Mapping;

pub(crate) use crate::provider::concepts::regions::fetch_catalog;

/// The mapping to send: the API wants the canonical address and the lower-case vendor.
pub fn mapping(origin_ip: &str, vendor: &str, region: &str) -> Mapping {
    Mapping::new(crate::provider::concepts::address::canonical_key(origin_ip), api_vendor(vendor), region)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mappings_are_sent_with_the_canonical_address() {
        assert_eq!(mapping("2001:DB8:0::1", "GCP", "r"), Mapping::new("2001:db8::1", "gcp", "r"));
    }
}

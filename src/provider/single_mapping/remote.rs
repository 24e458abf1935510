//! The API calls this resource makes, with Cloudflare's answers in plain terms.

use std::sync::Arc;

use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use crate::cloudflare::{Client, Mapping, SupportedRegions};
use crate::provider::mappings::regions::{CatalogResult, RegionCatalog};

/// The current time in RFC 3339, whole seconds, UTC: `modified_on` after a write, as long as
/// the client does not pass on Cloudflare's per-mapping timestamp.
pub fn now_rfc3339() -> String {
    let now = OffsetDateTime::now_utc();
    let whole_seconds = now.replace_nanosecond(0).unwrap_or(now);
    whole_seconds.format(&Rfc3339).unwrap_or_default()
}

/// vendor -> region names, the shape the shared region check uses.
pub fn region_catalog(supported: SupportedRegions) -> RegionCatalog {
    supported
        .vendors
        .into_iter()
        .map(|(vendor, regions)| (vendor, regions.into_iter().map(|region| region.name).collect()))
        .collect()
}

pub async fn fetch_catalog(client: Arc<Client>, zone_id: String) -> CatalogResult {
    match client.supported_regions(&zone_id).await {
        Ok(supported) => Ok(Arc::new(region_catalog(supported))),
        Err(error) => Err(error.to_string()),
    }
}

/// The mapping to send: the API wants the canonical address.
pub fn mapping(origin_ip: &str, vendor: &str, region: &str) -> Mapping {
    Mapping::new(crate::provider::mappings::model::canonical_key(origin_ip), vendor, region)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cloudflare::Region;

    #[test]
    fn catalogs_keep_region_names() {
        let mut supported = SupportedRegions::default();
        supported.vendors.insert(
            "aws".into(),
            vec![Region { name: "us-east-1".into(), upper_tier_colos: vec!["IAD".into()] }],
        );
        let catalog = region_catalog(supported);
        assert_eq!(catalog.check("192.0.2.1", "aws", "us-east-1"), None);
        assert!(catalog.check("192.0.2.1", "aws", "us-east-2").is_some());
    }

    #[test]
    fn timestamps_are_rfc3339() {
        let now = now_rfc3339();
        assert!(OffsetDateTime::parse(&now, &Rfc3339).is_ok(), "{now}");
        assert_eq!(mapping("2001:DB8:0::1", "gcp", "r").ip, "2001:db8::1");
    }
}

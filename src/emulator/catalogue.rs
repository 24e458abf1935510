//! The supported vendors and regions, with the upper-tier colos that serve each region.
//!
//! Plain data, shaped like `GET …/supported_regions`. Region names are the vendors' real region
//! identifiers; colos are IATA codes of nearby Cloudflare data centres.

/// One vendor's catalogue: `(region name, upper-tier colos)`.
type VendorRegions = &'static [(&'static str, &'static [&'static str])];

/// Vendors in the order the API lists them.
pub const CATALOGUE: &[(&str, VendorRegions)] =
    &[("aws", AWS), ("azure", AZURE), ("gcp", GCP), ("oci", OCI)];

const AWS: VendorRegions = &[
    ("us-east-1", &["IAD", "EWR"]),
    ("us-east-2", &["CMH", "ORD"]),
    ("us-west-1", &["SJC", "LAX"]),
    ("us-west-2", &["SEA", "PDX"]),
    ("ca-central-1", &["YUL", "YYZ"]),
    ("sa-east-1", &["GRU"]),
    ("eu-west-1", &["DUB"]),
    ("eu-west-2", &["LHR"]),
    ("eu-west-3", &["CDG"]),
    ("eu-central-1", &["FRA"]),
    ("eu-north-1", &["ARN"]),
    ("eu-south-1", &["MXP"]),
    ("ap-south-1", &["BOM"]),
    ("ap-southeast-1", &["SIN"]),
    ("ap-southeast-2", &["SYD"]),
    ("ap-northeast-1", &["NRT"]),
    ("ap-northeast-2", &["ICN"]),
    ("ap-east-1", &["HKG"]),
    ("me-south-1", &["BAH"]),
    ("af-south-1", &["CPT", "JNB"]),
];

const AZURE: VendorRegions = &[
    ("eastus", &["IAD"]),
    ("eastus2", &["IAD", "RIC"]),
    ("centralus", &["DSM", "ORD"]),
    ("southcentralus", &["SAT", "DFW"]),
    ("westus", &["SJC"]),
    ("westus2", &["SEA"]),
    ("westus3", &["PHX"]),
    ("canadacentral", &["YYZ"]),
    ("brazilsouth", &["GRU"]),
    ("northeurope", &["DUB"]),
    ("westeurope", &["AMS"]),
    ("uksouth", &["LHR"]),
    ("francecentral", &["CDG"]),
    ("germanywestcentral", &["FRA"]),
    ("swedencentral", &["ARN"]),
    ("centralindia", &["BOM", "MAA"]),
    ("southeastasia", &["SIN"]),
    ("eastasia", &["HKG"]),
    ("japaneast", &["NRT"]),
    ("australiaeast", &["SYD"]),
];

const GCP: VendorRegions = &[
    ("us-central1", &["ORD", "DSM"]),
    ("us-east1", &["ATL", "CHS"]),
    ("us-east4", &["IAD"]),
    ("us-west1", &["PDX", "SEA"]),
    ("us-west2", &["LAX"]),
    ("northamerica-northeast1", &["YUL"]),
    ("southamerica-east1", &["GRU"]),
    ("europe-west1", &["BRU"]),
    ("europe-west2", &["LHR"]),
    ("europe-west3", &["FRA"]),
    ("europe-west4", &["AMS"]),
    ("europe-north1", &["HEL"]),
    ("asia-south1", &["BOM"]),
    ("asia-southeast1", &["SIN"]),
    ("asia-east1", &["TPE"]),
    ("asia-northeast1", &["NRT"]),
    ("australia-southeast1", &["SYD"]),
];

const OCI: VendorRegions = &[
    ("us-ashburn-1", &["IAD"]),
    ("us-phoenix-1", &["PHX"]),
    ("us-sanjose-1", &["SJC"]),
    ("us-chicago-1", &["ORD"]),
    ("ca-toronto-1", &["YYZ"]),
    ("sa-saopaulo-1", &["GRU"]),
    ("uk-london-1", &["LHR"]),
    ("eu-frankfurt-1", &["FRA"]),
    ("eu-amsterdam-1", &["AMS"]),
    ("ap-mumbai-1", &["BOM"]),
    ("ap-singapore-1", &["SIN"]),
    ("ap-tokyo-1", &["NRT"]),
    ("ap-sydney-1", &["SYD"]),
];

/// Whether `vendor` is one of the supported vendor names (exact, lower case).
pub fn is_vendor(vendor: &str) -> bool {
    CATALOGUE.iter().any(|(name, _)| *name == vendor)
}

/// Whether `region` is listed for `vendor`.
pub fn is_region_of(vendor: &str, region: &str) -> bool {
    CATALOGUE
        .iter()
        .filter(|(name, _)| *name == vendor)
        .any(|(_, regions)| regions.iter().any(|(r, _)| *r == region))
}

/// The `result` of `GET …/supported_regions`.
pub fn supported_regions_json() -> serde_json::Value {
    let vendors: serde_json::Map<String, serde_json::Value> = CATALOGUE
        .iter()
        .map(|(vendor, regions)| {
            let list = regions
                .iter()
                .map(|(name, colos)| serde_json::json!({ "name": name, "upper_tier_colos": colos }))
                .collect();
            (vendor.to_string(), serde_json::Value::Array(list))
        })
        .collect();
    serde_json::json!({ "obtained_codes": true, "vendors": vendors })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookups() {
        assert!(is_vendor("aws") && is_vendor("oci") && !is_vendor("AWS") && !is_vendor("ibm"));
        assert!(is_region_of("aws", "us-east-1"));
        assert!(is_region_of("gcp", "us-central1"));
        assert!(is_region_of("azure", "eastus"));
        assert!(is_region_of("oci", "us-ashburn-1"));
        assert!(!is_region_of("gcp", "us-east-1"));
    }

    #[test]
    fn every_region_has_colos() {
        for (vendor, regions) in CATALOGUE {
            assert!(!regions.is_empty(), "{vendor}");
            for (name, colos) in *regions {
                assert!(!colos.is_empty(), "{vendor}/{name}");
            }
        }
    }
}

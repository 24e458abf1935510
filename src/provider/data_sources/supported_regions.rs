//! Data source `cloudflare_origin_cloud_region_supported_regions`: the vendors and regions a
//! zone accepts, with the upper-tier colos serving each region, in two HCL-friendly shapes:
//! `vendors["aws"][*].name` and a flat `regions` list for `for` expressions.

use std::sync::Arc;

use async_trait::async_trait;

use super::checks::{api_failure, check_vendor, check_zone, known_str, ZONE_ID};
use crate::cloudflare::{Region, SupportedRegions};
use crate::provider::concepts::checks::api_vendor;
use crate::provider::data::ProviderData;
use crate::provider::shared::data_source_read::read_data_source;
use crate::tfplugin::{
    Attribute, Block, DataSource, Diagnostics, ReadDataSourceRequest, ReadDataSourceResponse, Schema, Type, Value,
};

pub const TYPE_NAME: &str = "cloudflare_origin_cloud_region_supported_regions";

const ID: &str = "id";
const VENDOR: &str = "vendor";
const VENDORS: &str = "vendors";
const REGIONS: &str = "regions";
const NAME: &str = "name";
const UPPER_TIER_COLOS: &str = "upper_tier_colos";
const UPPER_TIER_COLOS_KNOWN: &str = "upper_tier_colos_known";

fn region_type() -> Type {
    Type::object([(NAME, Type::String), (UPPER_TIER_COLOS, Type::list(Type::String))])
}

fn flat_region_type() -> Type {
    Type::object([(VENDOR, Type::String), (NAME, Type::String), (UPPER_TIER_COLOS, Type::list(Type::String))])
}

pub fn schema() -> Schema {
    let block = Block::new()
        .description(
            "The cloud vendors and regions a zone can map origins to, with the upper-tier \
             Cloudflare data centers (colo codes) that serve each region. Use it to validate or \
             derive regions, for example \
             `contains(data.cloudflare_origin_cloud_region_supported_regions.this.vendors[\"aws\"][*].name, var.region)`.",
        )
        .attribute(Attribute::computed(ID, Type::String).description("The zone ID."))
        .attribute(Attribute::required(ZONE_ID, Type::String).description(
            "The zone's ID: 32 lower-case hexadecimal characters.",
        ))
        .attribute(Attribute::optional(VENDOR, Type::String).description(
            "Only this vendor (`aws`, `azure`, `gcp` or `oci`, in any case). `vendors` then has \
             this one key, in lower case (with an empty list if the zone offers the vendor no \
             regions).",
        ))
        .attribute(Attribute::computed(VENDORS, Type::map(Type::list(region_type()))).description(
            "Vendor name -> its regions, each with `name` and `upper_tier_colos` (list of colo codes).",
        ))
        .attribute(Attribute::computed(REGIONS, Type::list(flat_region_type())).description(
            "The same regions as one flat list of `{vendor, name, upper_tier_colos}`, ordered by \
             vendor, then as Cloudflare lists them.",
        ))
        .attribute(Attribute::computed(UPPER_TIER_COLOS_KNOWN, Type::Bool).description(
            "Whether Cloudflare could resolve the upper-tier colos; when false the region lists \
             are still valid but `upper_tier_colos` may be empty.",
        ));
    Schema::new(0, block)
}

fn colos(region: &Region) -> Value {
    Value::List(region.upper_tier_colos.iter().map(Value::string).collect())
}

/// `(vendors, regions)` values, limited to `only_vendor` when given. Validation accepts a vendor
/// in any case; Cloudflare names vendors in lower case.
pub fn shape(supported: &SupportedRegions, only_vendor: Option<&str>) -> (Value, Value) {
    let only_vendor = only_vendor.map(api_vendor);
    let only_vendor = only_vendor.as_deref();
    let mut vendors = std::collections::BTreeMap::new();
    let mut flat = Vec::new();
    let wanted = |vendor: &str| only_vendor.is_none_or(|only| only == vendor);
    for (vendor, regions) in supported.vendors.iter().filter(|(vendor, _)| wanted(vendor)) {
        let mut list = Vec::new();
        for region in regions {
            list.push(Value::object([(NAME, Value::string(&region.name)), (UPPER_TIER_COLOS, colos(region))]));
            flat.push(Value::object([
                (VENDOR, Value::string(vendor)),
                (NAME, Value::string(&region.name)),
                (UPPER_TIER_COLOS, colos(region)),
            ]));
        }
        vendors.insert(vendor.clone(), Value::List(list));
    }
    if let Some(only) = only_vendor {
        vendors.entry(only.to_string()).or_insert_with(|| Value::List(Vec::new()));
    }
    (Value::Map(vendors), Value::List(flat))
}

fn check(config: &Value) -> Diagnostics {
    let mut diagnostics = Diagnostics::new();
    check_zone(config, &mut diagnostics);
    check_vendor(config, VENDOR, &mut diagnostics);
    diagnostics
}

pub struct SupportedRegionsDataSource {
    data: Arc<ProviderData>,
}

impl SupportedRegionsDataSource {
    pub fn new(data: Arc<ProviderData>) -> SupportedRegionsDataSource {
        SupportedRegionsDataSource { data }
    }
}

#[async_trait]
impl DataSource for SupportedRegionsDataSource {
    fn type_name(&self) -> &'static str {
        TYPE_NAME
    }

    fn schema(&self) -> Schema {
        schema()
    }

    async fn validate(&self, config: &Value) -> Diagnostics {
        check(config)
    }

    async fn read(&self, request: ReadDataSourceRequest) -> ReadDataSourceResponse {
        let config = &request.config;
        let required = |config| {
            known_str(config, ZONE_ID).ok_or_else(|| {
                Diagnostics::from_error("Missing zone_id", "zone_id must be set to read supported regions.")
            })
        };
        read_data_source(&self.data, config, check, required, |client, zone_id| async move {
            let supported = client
                .supported_regions(zone_id)
                .await
                .map_err(|error| api_failure("the supported regions", zone_id, &error))?;
            let (vendors, regions) = shape(&supported, known_str(config, VENDOR));
            let mut state = config.clone();
            state.set_attr(ID, Value::string(zone_id));
            state.set_attr(VENDORS, vendors);
            state.set_attr(REGIONS, regions);
            state.set_attr(UPPER_TIER_COLOS_KNOWN, Value::Bool(supported.obtained_codes));
            Ok(state)
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn supported() -> SupportedRegions {
        let region = |name: &str, colos: &[&str]| Region {
            name: name.into(),
            upper_tier_colos: colos.iter().map(|c| c.to_string()).collect(),
        };
        let mut supported = SupportedRegions { obtained_codes: true, ..SupportedRegions::default() };
        supported.vendors.insert("aws".into(), vec![region("us-east-1", &["IAD", "EWR"]), region("eu-west-1", &["DUB"])]);
        supported.vendors.insert("gcp".into(), vec![region("us-central1", &["ORD"])]);
        supported
    }

    #[test]
    fn both_shapes_hold_every_region() {
        let (vendors, regions) = shape(&supported(), None);
        let aws = vendors.as_entries().and_then(|v| v.get("aws")).and_then(Value::as_elements).unwrap();
        assert_eq!(aws.len(), 2);
        assert_eq!(aws[0].get_attr(NAME).and_then(Value::as_str), Some("us-east-1"));
        assert_eq!(aws[0].get_attr(UPPER_TIER_COLOS), Some(&Value::List(vec![Value::string("IAD"), Value::string("EWR")])));
        let flat = regions.as_elements().unwrap();
        assert_eq!(flat.len(), 3);
        assert_eq!(flat[2].get_attr(VENDOR).and_then(Value::as_str), Some("gcp"));
    }

    #[test]
    fn vendor_filter_keeps_one_key_even_when_empty() {
        let (vendors, regions) = shape(&supported(), Some("gcp"));
        assert_eq!(vendors.as_entries().map(|v| v.keys().cloned().collect::<Vec<_>>()), Some(vec!["gcp".to_string()]));
        assert_eq!(regions.as_elements().map(<[Value]>::len), Some(1));
        assert_eq!(shape(&supported(), Some("GCP")), (vendors, regions), "any case, as validation accepts");
        let (vendors, regions) = shape(&supported(), Some("oci"));
        assert_eq!(vendors, Value::map([("oci", Value::List(vec![]))]));
        assert_eq!(regions, Value::List(vec![]));
    }
}

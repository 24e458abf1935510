//! Data source `cloudflare_origin_cloud_regions`: every mapping of a zone (all pages followed),
//! optionally filtered by vendor and region and capped by `max_items`, ordered by address.

use std::net::IpAddr;
use std::sync::Arc;

use async_trait::async_trait;

use super::checks::{api_failure, check_vendor, check_zone, known_str, ZONE_ID};
use crate::cloudflare::Mapping;
use crate::provider::concepts::checks::same_vendor;
use crate::provider::data::ProviderData;
use crate::provider::shared::data_source_read::read_data_source;
use crate::tfplugin::{
    Attribute, AttributePath, Block, DataSource, Diagnostics, ReadDataSourceRequest, ReadDataSourceResponse,
    Schema, Type, Value,
};

pub const TYPE_NAME: &str = "cloudflare_origin_cloud_regions";

const ID: &str = "id";
const VENDOR: &str = "vendor";
const REGION: &str = "region";
const MAX_ITEMS: &str = "max_items";
const MAPPINGS: &str = "mappings";
/// The official provider's name for the same list (items also carry `id` = the address).
const RESULT: &str = "result";
const ORIGIN_IP: &str = "origin_ip";
const MODIFIED_ON: &str = "modified_on";

const ITEM_FIELDS: [&str; 4] = [ORIGIN_IP, VENDOR, REGION, MODIFIED_ON];

/// An item of `mappings`; `result` items also have `id`.
fn item_type(with_id: bool) -> Type {
    let id = with_id.then_some(ID);
    Type::object(ITEM_FIELDS.into_iter().chain(id).map(|name| (name, Type::String)))
}

pub fn schema() -> Schema {
    let block = Block::new()
        .description(
            "Every origin cloud region mapping of a zone, following all result pages (a zone \
             holds up to 3,500), optionally filtered by `vendor` and `region`. Mappings are \
             ordered by address (IPv4 before IPv6).",
        )
        .attribute(Attribute::computed(ID, Type::String).description("The zone ID."))
        .attribute(Attribute::required(ZONE_ID, Type::String).description(
            "The zone's ID: 32 lower-case hexadecimal characters.",
        ))
        .attribute(Attribute::optional(VENDOR, Type::String).description(
            "Only mappings to this cloud vendor (`aws`, `azure`, `gcp` or `oci`, in any case).",
        ))
        .attribute(Attribute::optional(REGION, Type::String).description(
            "Only mappings to this region (exact name, for example `us-east-1`).",
        ))
        .attribute(Attribute::optional(MAX_ITEMS, Type::Number).description(
            "At most this many mappings, the first ones by address after filtering. Unset or 0: \
             all of them (Cloudflare's official provider reads at most 1,000 then; a zone holds up \
             to 3,500, and this data source never cuts a list short unless asked).",
        ))
        .attribute(Attribute::computed(MAPPINGS, Type::list(item_type(false))).description(
            "The mappings: `origin_ip` (canonical form), `vendor`, `region`, and `modified_on` \
             (RFC 3339, Cloudflare's time of the mapping's last change; null when the API does \
             not report it).",
        ))
        .attribute(Attribute::computed(RESULT, Type::list(item_type(true))).description(
            "The same mappings under the name Cloudflare's official provider uses, each with \
             `id` (the canonical address, as there), `origin_ip`, `vendor`, `region` and \
             `modified_on`, so that switching a data source's `provider` needs no other edit.",
        ));
    Schema::new(0, block)
}

/// What to keep of a zone's mappings.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListQuery {
    pub vendor: Option<String>,
    pub region: Option<String>,
    pub max_items: Option<usize>,
}

/// Sorting key: addresses in numeric order (IPv4 first); text that is no address goes last.
fn address_order(mapping: &Mapping) -> (Option<IpAddr>, String) {
    let addr = mapping.ip.parse::<IpAddr>().ok();
    (addr, mapping.ip.clone())
}

/// Filters, orders by address, then caps.
pub fn select(mut mappings: Vec<Mapping>, query: &ListQuery) -> Vec<Mapping> {
    mappings.retain(|m| {
        query.vendor.as_ref().is_none_or(|vendor| same_vendor(&m.vendor, vendor))
            && query.region.as_ref().is_none_or(|region| &m.region == region)
    });
    mappings.sort_by_cached_key(|m| {
        let (addr, text) = address_order(m);
        (addr.is_none(), addr, text)
    });
    if let Some(max) = query.max_items {
        mappings.truncate(max);
    }
    mappings
}

/// One item of `mappings` and of `result` (which also has `id`).
fn item_values(mapping: &Mapping, modified_on: Option<&String>) -> (Value, Value) {
    let fields = |with_id: bool| {
        let mut fields = vec![
            (ORIGIN_IP, Value::string(&mapping.ip)),
            (VENDOR, Value::string(&mapping.vendor)),
            (REGION, Value::string(&mapping.region)),
            (MODIFIED_ON, Value::from(modified_on.cloned())),
        ];
        if with_id {
            fields.push((ID, Value::string(&mapping.ip)));
        }
        Value::object(fields)
    };
    (fields(false), fields(true))
}

/// `max_items` when set: a whole number; 0 means no cap, as unset.
fn max_items(config: &Value) -> Result<Option<usize>, String> {
    match config.get_attr(MAX_ITEMS) {
        None | Some(Value::Null) | Some(Value::Unknown) => Ok(None),
        Some(Value::Number(n)) => match n.as_i64() {
            Some(0) => Ok(None),
            Some(count) if count >= 1 => usize::try_from(count).map(Some).map_err(|_| n.as_text()),
            _ => Err(n.as_text()),
        },
        Some(other) => Err(other.to_string()),
    }
}

fn check(config: &Value) -> Diagnostics {
    let mut diagnostics = Diagnostics::new();
    check_zone(config, &mut diagnostics);
    check_vendor(config, VENDOR, &mut diagnostics);
    if let Some(region) = known_str(config, REGION) {
        if region.trim().is_empty() || region.trim() != region {
            diagnostics.error_at(
                AttributePath::new(REGION),
                "Invalid region",
                format!("The region filter \"{region}\" is empty or has surrounding whitespace; give a region name such as \"us-east-1\", or leave it unset."),
            );
        }
    }
    if let Err(given) = max_items(config) {
        diagnostics.error_at(
            AttributePath::new(MAX_ITEMS),
            "Invalid max_items",
            format!("max_items must be a whole number, 0 or more (got {given}); 0 or unset reads every mapping."),
        );
    }
    diagnostics
}

pub struct MappingListDataSource {
    data: Arc<ProviderData>,
}

impl MappingListDataSource {
    pub fn new(data: Arc<ProviderData>) -> MappingListDataSource {
        MappingListDataSource { data }
    }
}

#[async_trait]
impl DataSource for MappingListDataSource {
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
            let zone_id = known_str(config, ZONE_ID)
                .ok_or_else(|| Diagnostics::from_error("Missing zone_id", "zone_id must be set to list mappings."))?;
            let query = ListQuery {
                vendor: known_str(config, VENDOR).map(str::to_string),
                region: known_str(config, REGION).map(str::to_string),
                max_items: max_items(config).ok().flatten(),
            };
            Ok((zone_id, query))
        };
        read_data_source(&self.data, config, check, required, |client, (zone_id, query)| async move {
            // A failed list is an error, never an empty zone.
            let list = match client.list(zone_id).await {
                Ok(list) => list,
                Err(error) => return Err(api_failure("the origin cloud region mappings", zone_id, &error)),
            };
            let mut state = config.clone();
            state.set_attr(ID, Value::string(zone_id));
            let (mappings, result): (Vec<Value>, Vec<Value>) = select(list.mappings, &query)
                .iter()
                .map(|mapping| item_values(mapping, list.entry_modified_on.get(&mapping.ip)))
                .unzip();
            state.set_attr(MAPPINGS, Value::List(mappings));
            state.set_attr(RESULT, Value::List(result));
            Ok(state)
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn zone_mappings() -> Vec<Mapping> {
        vec![
            Mapping::new("2001:db8::1", "gcp", "us-central1"),
            Mapping::new("192.0.2.10", "aws", "us-east-1"),
            Mapping::new("192.0.2.9", "aws", "us-east-2"),
            Mapping::new("10.0.0.1", "aws", "us-east-1"),
        ]
    }

    fn ips(mappings: &[Mapping]) -> Vec<&str> {
        mappings.iter().map(|m| m.ip.as_str()).collect()
    }

    #[test]
    fn ordered_by_address_not_text() {
        let all = select(zone_mappings(), &ListQuery::default());
        assert_eq!(ips(&all), vec!["10.0.0.1", "192.0.2.9", "192.0.2.10", "2001:db8::1"]);
    }

    #[test]
    fn filters_combine_and_max_items_caps_after_filtering() {
        let aws = ListQuery { vendor: Some("aws".into()), ..ListQuery::default() };
        assert_eq!(select(zone_mappings(), &aws).len(), 3);
        let east1 = ListQuery { vendor: Some("aws".into()), region: Some("us-east-1".into()), max_items: None };
        assert_eq!(ips(&select(zone_mappings(), &east1)), vec!["10.0.0.1", "192.0.2.10"]);
        let capped = ListQuery { max_items: Some(1), ..east1 };
        assert_eq!(ips(&select(zone_mappings(), &capped)), vec!["10.0.0.1"]);
        let upper = ListQuery { vendor: Some("AWS".into()), ..ListQuery::default() };
        assert_eq!(select(zone_mappings(), &upper).len(), 3);
        let none = ListQuery { vendor: Some("oci".into()), ..ListQuery::default() };
        assert!(select(zone_mappings(), &none).is_empty());
    }

    #[test]
    fn max_items_must_be_a_positive_whole_number() {
        let with = |value: Value| Value::object([(MAX_ITEMS, value)]);
        assert_eq!(max_items(&with(Value::from(5))), Ok(Some(5)));
        assert_eq!(max_items(&with(Value::Null)), Ok(None));
        assert_eq!(max_items(&with(Value::from(0))), Ok(None));
        assert!(max_items(&with(Value::from(-3))).is_err());
        let half = crate::tfplugin::Number::from_f64(1.5).map(Value::Number).unwrap();
        assert!(max_items(&with(half)).is_err());
        let diagnostics = check(&with(Value::from(-1)));
        assert_eq!(diagnostics.0[0].path, Some(AttributePath::new(MAX_ITEMS)));
    }
}

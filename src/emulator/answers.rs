//! Answer bodies written straight from the store: a list of 3,500 mappings would otherwise
//! become a `serde_json::Value` tree of ~30,000 small allocations before being written once.
//! The bytes are those the `json!` forms gave: same keys, same order, compact.

use std::net::IpAddr;

use serde::ser::{SerializeMap, SerializeStruct};
use serde::{Serialize, Serializer};

use super::operations::{BatchResult, ItemResult};
use super::store::StoredMapping;

/// `{<ip_key>, vendor, region, modified_on}`; the IP key differs between the families.
pub struct MappingJson<'a> {
    pub ip_key: &'static str,
    pub ip: &'a IpAddr,
    pub mapping: &'a StoredMapping,
}

impl Serialize for MappingJson<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(4))?;
        map.serialize_entry(self.ip_key, &Displayed(self.ip))?;
        map.serialize_entry("vendor", &self.mapping.vendor)?;
        map.serialize_entry("region", &self.mapping.region)?;
        map.serialize_entry("modified_on", &self.mapping.modified_on)?;
        map.end()
    }
}

/// A list of mappings in store order.
pub struct MappingsJson<'a> {
    pub ip_key: &'static str,
    pub mappings: &'a [(IpAddr, StoredMapping)],
}

impl Serialize for MappingsJson<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let ip_key = self.ip_key;
        serializer.collect_seq(self.mappings.iter().map(|(ip, mapping)| MappingJson { ip_key, ip, mapping }))
    }
}

/// `{"succeeded": [...], "failed": [...]}`, items as `{<ip_key>[, vendor, region][, error]}`.
pub struct BatchJson<'a> {
    pub ip_key: &'static str,
    pub result: &'a BatchResult,
}

impl Serialize for BatchJson<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let ip_key = self.ip_key;
        let mut state = serializer.serialize_struct("BatchResult", 2)?;
        state.serialize_field("succeeded", &ItemsJson { ip_key, items: &self.result.succeeded })?;
        state.serialize_field("failed", &ItemsJson { ip_key, items: &self.result.failed })?;
        state.end()
    }
}

struct ItemsJson<'a> {
    ip_key: &'static str,
    items: &'a [ItemResult],
}

impl Serialize for ItemsJson<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.items.iter().map(|item| ItemJson { ip_key: self.ip_key, item }))
    }
}

struct ItemJson<'a> {
    ip_key: &'static str,
    item: &'a ItemResult,
}

impl Serialize for ItemJson<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let item = self.item;
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry(self.ip_key, &item.ip)?;
        for (key, value) in [("vendor", &item.vendor), ("region", &item.region), ("error", &item.error)] {
            if let Some(value) = value {
                map.serialize_entry(key, value)?;
            }
        }
        map.end()
    }
}

/// Writes a value through `Display` without an intermediate `String`.
struct Displayed<'a, T>(&'a T);

impl<T: std::fmt::Display> Serialize for Displayed<'_, T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn stored(region: &str) -> StoredMapping {
        StoredMapping { vendor: "aws".into(), region: region.into(), modified_on: "2026-03-01T12:00:00Z".into() }
    }

    #[test]
    fn mappings_write_what_json_values_wrote() {
        let mappings =
            vec![("192.0.2.1".parse().unwrap(), stored("us-east-1")), ("2001:db8::1".parse().unwrap(), stored("a\"b"))];
        let values: Vec<serde_json::Value> = mappings
            .iter()
            .map(|(ip, m): &(IpAddr, StoredMapping)| {
                json!({ "origin-ip": ip.to_string(), "vendor": m.vendor, "region": m.region, "modified_on": m.modified_on })
            })
            .collect();
        let typed = MappingsJson { ip_key: "origin-ip", mappings: &mappings };
        assert_eq!(serde_json::to_string(&typed).unwrap(), serde_json::to_string(&values).unwrap());
    }

    #[test]
    fn batch_results_write_what_json_values_wrote() {
        let result = BatchResult {
            succeeded: vec![ItemResult {
                ip: "192.0.2.1".into(),
                vendor: Some("aws".into()),
                region: Some("r".into()),
                error: None,
            }],
            failed: vec![ItemResult { ip: "x".into(), vendor: None, region: None, error: Some("bad".into()) }],
            modified_on: None,
        };
        let expected = json!({
            "succeeded": [{ "origin_ip": "192.0.2.1", "vendor": "aws", "region": "r" }],
            "failed": [{ "origin_ip": "x", "error": "bad" }],
        });
        let typed = BatchJson { ip_key: "origin_ip", result: &result };
        assert_eq!(serde_json::to_string(&typed).unwrap(), serde_json::to_string(&expected).unwrap());
    }
}

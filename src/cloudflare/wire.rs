//! JSON shapes on the wire, for both families. Items accept both `origin-ip` (v1) and
//! `origin_ip` (v2) because the documentation is inconsistent about v1.

use serde::{Deserialize, Serialize};

use super::error::ErrorDetail;
use super::model::{Mapping, MappingRecord};

/// `{success, errors, messages, result, result_info}` around every answer.
#[derive(Debug, Deserialize)]
pub(crate) struct Envelope<T> {
    #[serde(default)]
    pub success: Option<bool>,
    #[serde(default)]
    pub errors: Vec<ErrorDetail>,
    #[serde(default = "none")]
    pub result: Option<T>,
    #[serde(default)]
    pub result_info: Option<ResultInfo>,
}

fn none<T>() -> Option<T> {
    None
}

/// Only the `errors` of a failure body (anything else in it is ignored).
#[derive(Debug, Default, Deserialize)]
pub(crate) struct FailureBody {
    #[serde(default)]
    pub errors: Vec<ErrorDetail>,
}

/// v2 list paging information.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
pub(crate) struct ResultInfo {
    #[serde(default)]
    pub page: u64,
    #[serde(default)]
    pub per_page: u64,
    #[serde(default)]
    pub count: u64,
    #[serde(default)]
    pub total_count: u64,
    #[serde(default)]
    pub total_pages: u64,
}

/// v1 wraps results like a zone setting: `{id, editable, modified_on, value}`.
#[derive(Debug, Deserialize)]
pub(crate) struct V1Setting<V> {
    #[serde(default)]
    pub modified_on: Option<String>,
    pub value: V,
}

/// A stored mapping (v1 `origin-ip`, v2 `origin_ip`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub(crate) struct Entry {
    #[serde(rename = "origin_ip", alias = "origin-ip")]
    pub ip: String,
    pub vendor: String,
    pub region: String,
    #[serde(default)]
    pub modified_on: Option<String>,
}

impl Entry {
    /// With the entry's own time, else `fallback` (v1's wrapper time on a single result is this
    /// mapping's).
    pub fn into_record(self, fallback: Option<String>) -> MappingRecord {
        let Entry { ip, vendor, region, modified_on } = self;
        MappingRecord { mapping: Mapping { ip: canonical_or_raw(&ip), vendor, region }, modified_on: modified_on.or(fallback) }
    }
}

/// One batch item result; `error` only on failed items, vendor/region on succeeded ones.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub(crate) struct BatchItem {
    #[serde(rename = "origin_ip", alias = "origin-ip")]
    pub ip: String,
    #[serde(default)]
    pub error: Option<String>,
    #[serde(default)]
    pub vendor: Option<String>,
    #[serde(default)]
    pub region: Option<String>,
}

/// `{succeeded: [...], failed: [...]}` (v1 inside the setting wrapper, v2 directly).
#[derive(Debug, Default, Deserialize)]
pub(crate) struct BatchResult {
    #[serde(default)]
    pub succeeded: Vec<BatchItem>,
    #[serde(default)]
    pub failed: Vec<BatchItem>,
}

/// v2 delete-one answer: only the deleted IP.
#[derive(Debug, Deserialize)]
pub(crate) struct Deleted {
    #[serde(rename = "origin_ip", alias = "origin-ip")]
    #[allow(dead_code)] // decoded to check the shape; the caller knows the IP
    pub ip: String,
}

/// v1 request item.
#[derive(Debug, Serialize)]
pub(crate) struct V1Item<'a> {
    pub ip: &'a str,
    pub vendor: &'a str,
    pub region: &'a str,
}

/// v2 request item.
#[derive(Debug, Serialize)]
pub(crate) struct V2Item<'a> {
    pub origin_ip: &'a str,
    pub vendor: &'a str,
    pub region: &'a str,
}

/// The key we file an address under: canonical when it parses, else the text as given (so an
/// invalid input still finds its own failure).
pub(crate) fn canonical_or_raw(ip: &str) -> String {
    crate::ip::canonical_ip(ip).unwrap_or_else(|_| ip.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cloudflare::model::SupportedRegions;

    fn decode<T: serde::de::DeserializeOwned>(body: &str) -> Envelope<T> {
        serde_json::from_str(body).unwrap()
    }

    #[test]
    fn v1_empty_list() {
        let body = r#"{ "success": true, "errors": [], "messages": [],
          "result": { "id": "origin_public_cloud_region", "editable": true, "modified_on": null, "value": [] } }"#;
        let envelope: Envelope<V1Setting<Vec<Entry>>> = decode(body);
        let result = envelope.result.unwrap();
        assert!(result.value.is_empty() && result.modified_on.is_none());
    }

    #[test]
    fn v1_list_with_hyphenated_ip() {
        let body = r#"{"success":true,"errors":[],"messages":[],"result":{ "id": "origin_public_cloud_region", "editable": true, "modified_on": "2026-03-01T12:00:00Z",
          "value": [ { "origin-ip": "192.0.2.1",  "vendor": "aws", "region": "us-east-1",   "modified_on": "2026-03-01T12:00:00Z" },
                     { "origin-ip": "2001:db8::1","vendor": "gcp", "region": "us-central1", "modified_on": "2026-03-01T12:00:00Z" } ] }}"#;
        let result = decode::<V1Setting<Vec<Entry>>>(body).result.unwrap();
        assert_eq!(result.modified_on.as_deref(), Some("2026-03-01T12:00:00Z"));
        let mappings: Vec<Mapping> = result.value.into_iter().map(|entry| entry.into_record(None).mapping).collect();
        assert_eq!(mappings[1], Mapping::new("2001:db8::1", "gcp", "us-central1"));
    }

    #[test]
    fn v1_batch_result_from_seed_page() {
        let body = r#"{ "errors": [], "messages": [], "result": { "editable": true, "id": "origin_public_cloud_region",
          "modified_on": "2026-03-01T12:00:00Z", "value": { "failed": [], "succeeded": [
          { "origin-ip": "192.0.2.1", "region": "us-east-1", "vendor": "aws" },
          { "origin-ip": "2001:db8::1", "region": "us-central1", "vendor": "gcp" } ] } }, "success": true }"#;
        let result = decode::<V1Setting<BatchResult>>(body).result.unwrap();
        assert_eq!(result.value.succeeded.len(), 2);
        assert_eq!(result.value.succeeded[1].ip, "2001:db8::1");
        assert_eq!(result.value.succeeded[1].vendor.as_deref(), Some("gcp"));
    }

    #[test]
    fn batch_items_accept_both_ip_keys() {
        let body = r#"{"success":true,"errors":[],"result":{"succeeded":[{"origin_ip":"192.0.2.1","vendor":"aws","region":"us-east-1"}],
          "failed":[{"origin-ip":"2001:DB8::5","error":"region not supported"}]}}"#;
        let result = decode::<BatchResult>(body).result.unwrap();
        assert_eq!(result.succeeded[0].ip, "192.0.2.1");
        assert_eq!(result.failed[0].error.as_deref(), Some("region not supported"));
        assert_eq!(canonical_or_raw(&result.failed[0].ip), "2001:db8::5");
    }

    #[test]
    fn v2_list_page_and_result_info() {
        let body = r#"{ "success": true, "errors": [], "messages": [], "result": [],
          "result_info": { "page": 1, "per_page": 20, "count": 0, "total_count": 0, "total_pages": 0 } }"#;
        let envelope = decode::<Vec<Entry>>(body);
        assert_eq!(envelope.result_info.unwrap().per_page, 20);
        assert!(envelope.result.unwrap().is_empty());
    }

    #[test]
    fn failure_body_with_null_result() {
        let body = r#"{ "success": false, "errors": [ { "code": 1142, "message": "Unable to retrieve" } ], "messages": [], "result": null }"#;
        let envelope = decode::<Entry>(body);
        assert_eq!(envelope.success, Some(false));
        assert!(envelope.result.is_none());
        assert_eq!(envelope.errors[0].code, 1142);
    }

    #[test]
    fn supported_regions_example() {
        let body = r#"{"success":true,"errors":[],"result":{ "obtained_codes": true,
          "vendors": { "aws": [ { "name": "us-east-1", "upper_tier_colos": ["IAD", "EWR"] },
                                { "name": "us-west-2", "upper_tier_colos": ["SEA"] } ],
                       "gcp": [ { "name": "us-central1", "upper_tier_colos": ["ORD"] } ] } }}"#;
        let regions = decode::<SupportedRegions>(body).result.unwrap();
        assert!(regions.obtained_codes);
        assert!(regions.is_supported("aws", "us-west-2"));
        assert!(!regions.is_supported("gcp", "us-east-1"));
        assert_eq!(regions.regions("aws")[0].upper_tier_colos, ["IAD", "EWR"]);
    }

    #[test]
    fn request_items_use_each_familys_key() {
        let v1 = serde_json::to_value([V1Item { ip: "192.0.2.1", vendor: "aws", region: "us-east-1" }]).unwrap();
        assert_eq!(v1, serde_json::json!([{"ip":"192.0.2.1","vendor":"aws","region":"us-east-1"}]));
        let v2 = serde_json::to_value(V2Item { origin_ip: "192.0.2.1", vendor: "aws", region: "us-east-1" }).unwrap();
        assert_eq!(v2["origin_ip"], "192.0.2.1");
    }
}

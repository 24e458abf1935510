//! A stored `cloudflare_origin_cloud_region` state, whoever wrote it: this provider before
//! schema version 500 (`id` = `<zone_id>/<ip>`), this provider since, or Cloudflare's official
//! provider (schema version 500, `id` = the origin IP). The attributes are the same in all
//! three; only `id` differs, and it is derived again from `origin_ip`. Both resources read it:
//! the per-IP resource on upgrade and move, the mappings resource on move.

use serde_json::{Map, Value as Json};

use crate::provider_address::{ADDRESS, OFFICIAL_ADDRESS};
use crate::tfplugin::MoveStateRequest;

/// The type that stores one mapping, in both providers.
pub const SOURCE_TYPE_NAME: &str = "cloudflare_origin_cloud_region";
/// The official provider's schema version, which ours matches since adopting its numbering.
pub const SCHEMA_VERSION: i64 = 500;
/// Our state before the official provider's numbering was adopted.
pub const LEGACY_SCHEMA_VERSION: i64 = 0;

const ZONE_ID: &str = "zone_id";
const ORIGIN_IP: &str = "origin_ip";
const VENDOR: &str = "vendor";
const REGION: &str = "region";
const MODIFIED_ON: &str = "modified_on";

/// One stored mapping; `origin_ip` and `vendor` keep the spelling the writer stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredMapping {
    pub zone_id: String,
    pub origin_ip: String,
    pub vendor: String,
    pub region: String,
    pub modified_on: Option<String>,
}

/// Why a stored state cannot be read; the text completes "The stored state …".
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StoredStateError {
    #[error(
        "was written with schema version {0}, which this provider does not know: it reads versions \
         {LEGACY_SCHEMA_VERSION} (its own earlier releases) and {SCHEMA_VERSION} (its own and Cloudflare's \
         official provider)."
    )]
    UnknownVersion(i64),
    #[error("is not a JSON object.")]
    NotAnObject,
    #[error("has no {0} (a string is required).")]
    Missing(&'static str),
    #[error("has a {0} that is not a string.")]
    NotAString(&'static str),
}

/// The state as plain data. Attributes beyond the known ones are ignored: a newer official
/// release may add some, and none of them changes what the mapping is.
pub fn parse_stored_state(version: i64, raw: &Json) -> Result<StoredMapping, StoredStateError> {
    if version != LEGACY_SCHEMA_VERSION && version != SCHEMA_VERSION {
        return Err(StoredStateError::UnknownVersion(version));
    }
    let object = raw.as_object().ok_or(StoredStateError::NotAnObject)?;
    Ok(StoredMapping {
        zone_id: required(object, ZONE_ID)?,
        origin_ip: required(object, ORIGIN_IP)?,
        vendor: required(object, VENDOR)?,
        region: required(object, REGION)?,
        modified_on: optional(object, MODIFIED_ON)?,
    })
}

/// The source of a `moved` block as one stored mapping, or why it cannot be taken over.
/// Accepted: `cloudflare_origin_cloud_region` of Cloudflare's official provider or of this one.
pub fn moved_mapping(request: &MoveStateRequest, target_type: &str) -> Result<StoredMapping, String> {
    let address = request.source_provider_address.to_ascii_lowercase();
    if request.source_type_name != SOURCE_TYPE_NAME || (address != OFFICIAL_ADDRESS && address != ADDRESS) {
        return Err(format!(
            "{target_type} takes over only {SOURCE_TYPE_NAME} resources of {OFFICIAL_ADDRESS} or \
             {ADDRESS}; the moved block's source is {} of {}. Remove the moved block, and import the \
             mapping instead if it should be managed here.",
            request.source_type_name, request.source_provider_address
        ));
    }
    let raw = request.source_state_json.as_ref().ok_or_else(|| {
        format!("Terraform sent no state for the moved {SOURCE_TYPE_NAME}, so there is nothing to take over.")
    })?;
    parse_stored_state(request.source_schema_version, raw)
        .map_err(|error| format!("The state of the moved {SOURCE_TYPE_NAME} {error}"))
}

fn required(object: &Map<String, Json>, name: &'static str) -> Result<String, StoredStateError> {
    optional(object, name)?.ok_or(StoredStateError::Missing(name))
}

fn optional(object: &Map<String, Json>, name: &'static str) -> Result<Option<String>, StoredStateError> {
    match object.get(name) {
        None | Some(Json::Null) => Ok(None),
        Some(Json::String(text)) => Ok(Some(text.clone())),
        Some(_) => Err(StoredStateError::NotAString(name)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const ZONE: &str = "023e105f4ecef8ad9ca31a8372d0c353";

    fn expected(modified_on: Option<&str>) -> StoredMapping {
        StoredMapping {
            zone_id: ZONE.into(),
            origin_ip: "2001:DB8::1".into(),
            vendor: "GCP".into(),
            region: "us-central1".into(),
            modified_on: modified_on.map(str::to_string),
        }
    }

    #[test]
    fn official_state_is_read_with_its_spelling() {
        let official = json!({
            "id": "2001:DB8::1", "zone_id": ZONE, "origin_ip": "2001:DB8::1",
            "vendor": "GCP", "region": "us-central1", "modified_on": "2026-03-01T12:00:00Z"
        });
        assert_eq!(parse_stored_state(500, &official), Ok(expected(Some("2026-03-01T12:00:00Z"))));
    }

    #[test]
    fn our_legacy_state_is_read() {
        let legacy = json!({
            "id": format!("{ZONE}/2001:db8::1"), "zone_id": ZONE, "origin_ip": "2001:DB8::1",
            "vendor": "GCP", "region": "us-central1", "modified_on": null
        });
        assert_eq!(parse_stored_state(0, &legacy), Ok(expected(None)));
    }

    #[test]
    fn extra_attributes_are_ignored_and_gaps_refused() {
        let extra = json!({"zone_id": ZONE, "origin_ip": "2001:DB8::1", "vendor": "GCP",
                           "region": "us-central1", "comment": 7});
        assert_eq!(parse_stored_state(500, &extra), Ok(expected(None)));
        let no_region = json!({"zone_id": ZONE, "origin_ip": "192.0.2.1", "vendor": "aws"});
        assert_eq!(parse_stored_state(500, &no_region), Err(StoredStateError::Missing(REGION)));
        let number = json!({"zone_id": 5, "origin_ip": "192.0.2.1", "vendor": "aws", "region": "r"});
        assert_eq!(parse_stored_state(500, &number), Err(StoredStateError::NotAString(ZONE_ID)));
        assert_eq!(parse_stored_state(500, &json!([])), Err(StoredStateError::NotAnObject));
    }

    fn move_request(address: &str, type_name: &str, version: i64) -> MoveStateRequest {
        MoveStateRequest {
            source_provider_address: address.into(),
            source_type_name: type_name.into(),
            source_schema_version: version,
            source_state_json: Some(json!({"id": "192.0.2.1", "zone_id": ZONE, "origin_ip": "192.0.2.1",
                                           "vendor": "aws", "region": "us-east-1"})),
        }
    }

    #[test]
    fn moves_accept_the_one_mapping_type_of_either_provider() {
        for address in [OFFICIAL_ADDRESS, ADDRESS, "Registry.Terraform.io/Cloudflare/Cloudflare"] {
            let moved = moved_mapping(&move_request(address, SOURCE_TYPE_NAME, 500), "target").unwrap();
            assert_eq!((moved.origin_ip.as_str(), moved.vendor.as_str()), ("192.0.2.1", "aws"));
        }
        let other_type = moved_mapping(&move_request(OFFICIAL_ADDRESS, "cloudflare_dns_record", 500), "t");
        assert!(other_type.unwrap_err().contains("cloudflare_dns_record"));
        let other_provider = moved_mapping(&move_request("registry.terraform.io/acme/cloudflare", SOURCE_TYPE_NAME, 500), "t");
        assert!(other_provider.unwrap_err().contains("acme/cloudflare"));
        let newer = moved_mapping(&move_request(OFFICIAL_ADDRESS, SOURCE_TYPE_NAME, 501), "t");
        assert!(newer.unwrap_err().contains("schema version 501"));
        let mut empty = move_request(OFFICIAL_ADDRESS, SOURCE_TYPE_NAME, 500);
        empty.source_state_json = None;
        assert!(moved_mapping(&empty, "t").unwrap_err().contains("no state"));
    }

    #[test]
    fn unknown_versions_are_refused_by_number() {
        let state = json!({"zone_id": ZONE, "origin_ip": "192.0.2.1", "vendor": "aws", "region": "r"});
        for version in [1, 499, 501] {
            let error = parse_stored_state(version, &state).unwrap_err();
            assert_eq!(error, StoredStateError::UnknownVersion(version));
            assert!(error.to_string().contains(&version.to_string()));
        }
    }
}

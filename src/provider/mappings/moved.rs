//! MoveResourceState: a `moved` block from one `cloudflare_origin_cloud_region` (Cloudflare's
//! official provider's or ours) to a mappings resource, which then holds just that IP.
//! Terraform allows one source per destination; more IPs come in by import. No API call: the
//! next refresh reads the mapping as usual.

use super::model::{MappingSet, MappingsState, Target};
use super::schema::TYPE_NAME;
use super::validate::check_ip;
use super::values::state_to_value;
use crate::provider::concepts::checks::api_vendor;
use crate::provider::shared::stored_mapping::moved_mapping;
use crate::tfplugin::{Diagnostics, MoveStateRequest, MoveStateResponse};

pub fn move_from(request: MoveStateRequest) -> MoveStateResponse {
    let stored = match moved_mapping(&request, TYPE_NAME) {
        Ok(stored) => stored,
        Err(detail) => return MoveStateResponse::refused(detail),
    };
    // A key this resource's validation refuses would leave a state no plan could use.
    if let Err(problem) = check_ip(&stored.origin_ip) {
        return MoveStateResponse::refused(format!(
            "The moved mapping's origin_ip cannot be a key of {TYPE_NAME}: {} Keep it in its \
             current resource.",
            problem.detail
        ));
    }
    let mut mappings = MappingSet::new();
    // The official provider keeps the vendor as configured (any case); this resource stores it
    // as the API and its configuration spell it.
    mappings.insert(stored.origin_ip, Target::new(api_vendor(&stored.vendor), stored.region));
    let state = MappingsState { zone_id: stored.zone_id, mappings, modified_on: stored.modified_on };
    MoveStateResponse { target_state: state_to_value(&state), target_private: Vec::new(), diagnostics: Diagnostics::new() }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provider::mappings::values::state_from_value;
    use crate::provider_address::OFFICIAL_ADDRESS;
    use serde_json::json;

    const ZONE: &str = "023e105f4ecef8ad9ca31a8372d0c353";

    fn request(ip: &str) -> MoveStateRequest {
        MoveStateRequest {
            source_provider_address: OFFICIAL_ADDRESS.into(),
            source_type_name: "cloudflare_origin_cloud_region".into(),
            source_schema_version: 500,
            source_state_json: Some(json!({"id": ip, "zone_id": ZONE, "origin_ip": ip, "vendor": "AWS",
                                           "region": "us-east-1", "modified_on": "2026-03-01T12:00:00Z"})),
        }
    }

    #[test]
    fn one_official_mapping_becomes_a_set_of_one() {
        let moved = move_from(request("2001:DB8::1"));
        assert!(moved.diagnostics.is_empty(), "{:?}", moved.diagnostics);
        let state = state_from_value(&moved.target_state).unwrap().unwrap();
        assert_eq!(state.zone_id, ZONE);
        assert_eq!(state.mappings.get("2001:DB8::1"), Some(&Target::new("aws", "us-east-1")));
        assert_eq!(state.mappings.len(), 1);
        assert_eq!(state.modified_on.as_deref(), Some("2026-03-01T12:00:00Z"));
    }

    #[test]
    fn keys_this_resource_refuses_are_not_moved_in() {
        let moved = move_from(request("::ffff:192.0.2.7"));
        assert!(moved.target_state.is_null());
        assert!(moved.diagnostics.0[0].detail.contains("192.0.2.7"), "{:?}", moved.diagnostics);
    }
}

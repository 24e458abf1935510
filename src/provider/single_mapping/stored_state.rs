//! State this resource did not write in its current form: its own state from before schema
//! version 500 and the official provider's state (UpgradeResourceState, after a `provider =`
//! change or `terraform state replace-provider`), and a `moved` block's source
//! (MoveResourceState). Neither calls the API: the next refresh reads the mapping as usual.

use super::model::SingleState;
use super::schema::TYPE_NAME;
use super::values::state_to_value;
use crate::provider::shared::stored_mapping::{moved_mapping, parse_stored_state, StoredMapping};
use crate::tfplugin::{Diagnostics, MoveStateRequest, MoveStateResponse, UpgradeStateRequest, UpgradeStateResponse, Value};

fn single_state(stored: StoredMapping) -> SingleState {
    SingleState {
        zone_id: stored.zone_id,
        origin_ip: stored.origin_ip,
        vendor: stored.vendor,
        region: stored.region,
        modified_on: stored.modified_on,
    }
}

pub fn upgrade(request: UpgradeStateRequest) -> UpgradeStateResponse {
    let Some(raw) = request.raw_state_json else {
        return UpgradeStateResponse { state: Value::Null, diagnostics: Diagnostics::new() };
    };
    match parse_stored_state(request.version, &raw) {
        Ok(stored) => UpgradeStateResponse { state: state_to_value(&single_state(stored)), diagnostics: Diagnostics::new() },
        Err(error) => UpgradeStateResponse {
            state: Value::Null,
            diagnostics: Diagnostics::from_error(
                "Could not read stored state",
                format!(
                    "The stored state of this {TYPE_NAME} {error} Remove it from the state \
                     (`terraform state rm <address>`) and import it again \
                     (`terraform import <address> '<zone_id>/<origin_ip>'`)."
                ),
            ),
        },
    }
}

pub fn move_from(request: MoveStateRequest) -> MoveStateResponse {
    match moved_mapping(&request, TYPE_NAME) {
        Ok(stored) => MoveStateResponse {
            target_state: state_to_value(&single_state(stored)),
            target_private: Vec::new(),
            diagnostics: Diagnostics::new(),
        },
        Err(detail) => MoveStateResponse::refused(detail),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provider::single_mapping::schema::{ID, MODIFIED_ON, ORIGIN_IP, VENDOR};
    use crate::provider_address::OFFICIAL_ADDRESS;
    use serde_json::json;

    const ZONE: &str = "023e105f4ecef8ad9ca31a8372d0c353";

    fn official() -> serde_json::Value {
        json!({"id": "2001:DB8::1", "zone_id": ZONE, "origin_ip": "2001:DB8::1", "vendor": "AWS",
               "region": "us-east-1", "modified_on": "2026-03-01T12:00:00Z"})
    }

    #[test]
    fn both_stored_versions_upgrade_to_the_canonical_id() {
        let legacy = json!({"id": format!("{ZONE}/2001:db8::1"), "zone_id": ZONE, "origin_ip": "2001:DB8::1",
                            "vendor": "AWS", "region": "us-east-1", "modified_on": "2026-03-01T12:00:00Z"});
        for (version, raw) in [(0, legacy), (500, official())] {
            let upgraded = upgrade(UpgradeStateRequest { version, raw_state_json: Some(raw) });
            assert!(upgraded.diagnostics.is_empty(), "{:?}", upgraded.diagnostics);
            let text = |name| upgraded.state.get_attr(name).and_then(Value::as_str).map(str::to_string);
            assert_eq!(text(ID).as_deref(), Some("2001:db8::1"));
            assert_eq!(text(ORIGIN_IP).as_deref(), Some("2001:DB8::1"));
            assert_eq!(text(VENDOR).as_deref(), Some("AWS"));
            assert_eq!(text(MODIFIED_ON).as_deref(), Some("2026-03-01T12:00:00Z"));
        }
    }

    #[test]
    fn unreadable_state_says_how_to_recover() {
        let upgraded = upgrade(UpgradeStateRequest { version: 600, raw_state_json: Some(official()) });
        assert!(upgraded.state.is_null());
        let detail = &upgraded.diagnostics.0[0].detail;
        assert!(detail.contains("schema version 600") && detail.contains("terraform import"), "{detail}");
        let none = upgrade(UpgradeStateRequest { version: 500, raw_state_json: None });
        assert!(none.state.is_null() && none.diagnostics.is_empty());
    }

    #[test]
    fn the_official_resource_moves_in() {
        let request = MoveStateRequest {
            source_provider_address: OFFICIAL_ADDRESS.into(),
            source_type_name: TYPE_NAME.into(),
            source_schema_version: 500,
            source_state_json: Some(official()),
        };
        let moved = move_from(request.clone());
        assert!(moved.diagnostics.is_empty());
        assert_eq!(moved.target_state.get_attr(ID).and_then(Value::as_str), Some("2001:db8::1"));
        let refused = move_from(MoveStateRequest { source_type_name: "cloudflare_dns_record".into(), ..request });
        assert!(refused.target_state.is_null());
        assert_eq!(refused.diagnostics.0[0].summary, "Cannot move this resource state");
    }
}

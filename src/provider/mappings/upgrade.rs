//! UpgradeResourceState: stored JSON (any schema version this provider knows) -> current schema.
//! Runs without a configured provider.

use super::schema::{schema, ID, SCHEMA_VERSION, TYPE_NAME, ZONE_ID};
use super::validate::check_ip;
use super::values::state_from_value;
use crate::tfplugin::{json, Diagnostics, UpgradeStateRequest, UpgradeStateResponse, Value};

fn failed(detail: String) -> UpgradeStateResponse {
    UpgradeStateResponse {
        state: Value::Null,
        diagnostics: Diagnostics::from_error(
            "Could not read stored state",
            format!(
                "{detail} Remove the resource from state (`terraform state rm <address>`) and \
                 import it again (`terraform import <address> <zone_id>`)."
            ),
        ),
    }
}

pub fn upgrade(request: UpgradeStateRequest) -> UpgradeStateResponse {
    let Some(raw) = request.raw_state_json else {
        return UpgradeStateResponse { state: Value::Null, diagnostics: Diagnostics::new() };
    };
    if request.version != SCHEMA_VERSION {
        return failed(format!(
            "The state of this {TYPE_NAME} was stored with schema version {}, which this provider \
             version does not know (it writes version {SCHEMA_VERSION}).",
            request.version
        ));
    }
    let mut state = match json::decode_value(&raw, &schema().value_type()) {
        Ok(state) => state,
        Err(error) => return failed(format!("The stored state does not match the schema: {error}.")),
    };
    match state_from_value(&state) {
        Err(error) => return failed(format!("The stored state is incomplete: {error}.")),
        Ok(Some(stored)) => {
            // A key that is no address would otherwise look like a mapping deleted remotely.
            if let Some((key, problem)) =
                stored.mappings.iter().find_map(|(key, _)| check_ip(key).err().map(|p| (key, p)))
            {
                return failed(format!("The stored mapping key {key:?} is not an origin IP address: {}", problem.detail));
            }
        }
        Ok(None) => {}
    }
    // `id` always equals `zone_id`; fill it if a hand-edited state lost it.
    if state.get_attr(ID).is_none_or(Value::is_null) {
        let zone_id = state.get_attr(ZONE_ID).cloned().unwrap_or(Value::Null);
        state.set_attr(ID, zone_id);
    }
    UpgradeStateResponse { state, diagnostics: Diagnostics::new() }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn request(version: i64, raw: serde_json::Value) -> UpgradeStateRequest {
        UpgradeStateRequest { version, raw_state_json: Some(raw) }
    }

    #[test]
    fn keys_that_are_not_addresses_are_refused() {
        let raw = json!({"id": "z", "zone_id": "z", "mappings": {"999.1.1.1": {"vendor": "aws", "region": "us-east-1"}}});
        let response = upgrade(request(0, raw));
        assert_eq!(response.diagnostics.0[0].summary, "Could not read stored state");
        assert!(response.diagnostics.0[0].detail.contains("999.1.1.1"));
    }

    #[test]
    fn current_state_passes_through() {
        let raw = json!({
            "id": "023e105f4ecef8ad9ca31a8372d0c353",
            "zone_id": "023e105f4ecef8ad9ca31a8372d0c353",
            "mappings": {"2001:DB8::1": {"vendor": "gcp", "region": "us-central1"}},
            "modified_on": "2026-03-01T12:00:00Z"
        });
        let response = upgrade(request(0, raw));
        assert!(response.diagnostics.is_empty(), "{:?}", response.diagnostics);
        let state = state_from_value(&response.state).unwrap().unwrap();
        assert_eq!(state.mappings.len(), 1);
        assert_eq!(state.modified_on.as_deref(), Some("2026-03-01T12:00:00Z"));
    }

    #[test]
    fn missing_optional_parts_are_filled() {
        let raw = json!({"zone_id": "z", "mappings": {}});
        let response = upgrade(request(0, raw));
        assert!(response.diagnostics.is_empty());
        assert_eq!(response.state.get_attr(ID), Some(&Value::string("z")));
        assert_eq!(response.state.get_attr("modified_on"), Some(&Value::Null));
    }

    #[test]
    fn malformed_state_gets_clear_errors() {
        let cases = [
            (0, json!({"zone_id": 5, "mappings": {}}), "does not match"),
            (0, json!({"zone_id": "z", "mappings": {}, "surprise": 1}), "does not match"),
            (0, json!({"mappings": {}}), "no zone_id"),
            (0, json!({"zone_id": "z", "mappings": {"192.0.2.1": {"vendor": "aws"}}}), "192.0.2.1"),
            (7, json!({"zone_id": "z", "mappings": {}}), "version 7"),
        ];
        for (version, raw, needle) in cases {
            let response = upgrade(request(version, raw.clone()));
            assert!(response.diagnostics.has_errors(), "{raw}");
            let detail = &response.diagnostics.0[0].detail;
            assert!(detail.contains(needle), "{raw}: {detail}");
            assert!(detail.contains("terraform import"));
        }
    }

    #[test]
    fn no_state_is_null() {
        let response = upgrade(UpgradeStateRequest { version: 0, raw_state_json: None });
        assert_eq!(response.state, Value::Null);
        assert!(response.diagnostics.is_empty());
    }
}

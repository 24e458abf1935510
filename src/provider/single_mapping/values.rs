//! Conversions between Terraform values and the plain model, and findings into diagnostics.

use super::model::{mapping_id, SingleConfig, SingleState};
use super::schema::{ID, MODIFIED_ON, ORIGIN_IP, REGION, VENDOR, ZONE_ID};
use crate::provider::concepts::finding::{Finding, Place};
pub use crate::provider::shared::maybe_values::maybe_to_value;
use crate::provider::shared::maybe_values::maybe_string;
use crate::provider::shared::findings::findings_to_diagnostics;
use crate::tfplugin::{AttributePath, Diagnostics, Value};

pub fn config_from_value(value: &Value) -> SingleConfig {
    SingleConfig {
        zone_id: maybe_string(value.get_attr(ZONE_ID)),
        origin_ip: maybe_string(value.get_attr(ORIGIN_IP)),
        vendor: maybe_string(value.get_attr(VENDOR)),
        region: maybe_string(value.get_attr(REGION)),
    }
}

/// Why a stored state cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the stored state has no {0}")]
pub struct StateError(&'static str);

/// The state as plain data; `Ok(None)` for a null state (no resource).
pub fn state_from_value(value: &Value) -> Result<Option<SingleState>, StateError> {
    if value.is_null() {
        return Ok(None);
    }
    let text = |name: &'static str| {
        value.get_attr(name).and_then(Value::as_str).map(str::to_string).ok_or(StateError(name))
    };
    Ok(Some(SingleState {
        zone_id: text(ZONE_ID)?,
        origin_ip: text(ORIGIN_IP)?,
        vendor: text(VENDOR)?,
        region: text(REGION)?,
        modified_on: value.get_attr(MODIFIED_ON).and_then(Value::as_str).map(str::to_string),
    }))
}

pub fn state_to_value(state: &SingleState) -> Value {
    Value::object([
        (ID, Value::string(mapping_id(&state.origin_ip))),
        (ZONE_ID, Value::string(&state.zone_id)),
        (ORIGIN_IP, Value::string(&state.origin_ip)),
        (VENDOR, Value::string(&state.vendor)),
        (REGION, Value::string(&state.region)),
        (MODIFIED_ON, Value::from(state.modified_on.clone())),
    ])
}

/// The shared validators speak of a mapping set keyed by IP; here the key is `origin_ip`.
pub fn place_to_path(place: &Place) -> Option<AttributePath> {
    match place {
        Place::Resource | Place::Mappings => None,
        Place::ZoneId => Some(AttributePath::new(ZONE_ID)),
        Place::Entry(_) => Some(AttributePath::new(ORIGIN_IP)),
        Place::Vendor(_) => Some(AttributePath::new(VENDOR)),
        Place::Region(_) => Some(AttributePath::new(REGION)),
    }
}

pub fn to_diagnostics(findings: impl IntoIterator<Item = Finding>) -> Diagnostics {
    findings_to_diagnostics(findings, place_to_path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provider::concepts::maybe::Maybe;
    use crate::tfplugin::Severity as TfSeverity;

    fn state() -> SingleState {
        SingleState {
            zone_id: "023e105f4ecef8ad9ca31a8372d0c353".into(),
            origin_ip: "2001:DB8:0::1".into(),
            vendor: "gcp".into(),
            region: "us-central1".into(),
            modified_on: Some("2026-03-01T12:00:00Z".into()),
        }
    }

    #[test]
    fn state_round_trips_keeping_the_spelling() {
        let value = state_to_value(&state());
        assert_eq!(value.get_attr(ORIGIN_IP).and_then(Value::as_str), Some("2001:DB8:0::1"));
        assert_eq!(
            value.get_attr(ID).and_then(Value::as_str),
            Some("2001:db8::1")
        );
        assert_eq!(state_from_value(&value), Ok(Some(state())));
        assert_eq!(state_from_value(&Value::Null), Ok(None));
        let mut broken = value;
        broken.set_attr(VENDOR, Value::Null);
        assert_eq!(state_from_value(&broken), Err(StateError(VENDOR)));
    }

    #[test]
    fn config_keeps_unknowns() {
        let value = Value::object([
            (ZONE_ID, Value::Unknown),
            (ORIGIN_IP, Value::string("192.0.2.1")),
            (VENDOR, Value::Null),
        ]);
        let config = config_from_value(&value);
        assert_eq!(config.zone_id, Maybe::Unknown);
        assert_eq!(config.origin_ip, Maybe::Known("192.0.2.1".into()));
        assert_eq!(config.vendor, Maybe::Null);
        assert_eq!(config.region, Maybe::Null);
    }

    #[test]
    fn findings_point_at_single_attributes() {
        let diagnostics = to_diagnostics([
            Finding::error(Place::Region("192.0.2.1".into()), "s", "d"),
            Finding::warning(Place::Mappings, "w", "d"),
        ]);
        assert_eq!(diagnostics.0[0].path, Some(AttributePath::new(REGION)));
        assert_eq!(diagnostics.0[1].path, None);
        assert_eq!(diagnostics.0[1].severity, TfSeverity::Warning);
    }
}

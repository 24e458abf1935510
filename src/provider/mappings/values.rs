//! Conversions between Terraform values and the plain model, and findings into diagnostics.

use std::collections::BTreeMap;

use super::finding::{Finding, Place};
use super::model::{ConfigEntry, MappingSet, MappingsConfig, MappingsState, Maybe, Target};
use super::schema::{ID, MAPPINGS, MODIFIED_ON, REGION, VENDOR, ZONE_ID};
use crate::provider::shared::findings::findings_to_diagnostics;
use crate::provider::shared::maybe_values::maybe_string;
pub use crate::provider::shared::maybe_values::maybe_to_value;
use crate::tfplugin::{AttributePath, Diagnostics, Value};

/// The configuration (or a proposed/planned value) as far as it is known.
pub fn config_from_value(value: &Value) -> MappingsConfig {
    let mappings = match value.get_attr(MAPPINGS) {
        Some(Value::Map(entries)) => {
            Maybe::Known(entries.iter().map(|(key, entry)| (key.clone(), entry_from_value(entry))).collect())
        }
        Some(Value::Unknown) => Maybe::Unknown,
        _ => Maybe::Null,
    };
    MappingsConfig { zone_id: maybe_string(value.get_attr(ZONE_ID)), mappings }
}

fn entry_from_value(entry: &Value) -> Maybe<ConfigEntry> {
    match entry {
        Value::Unknown => Maybe::Unknown,
        Value::Object(_) => Maybe::Known(ConfigEntry {
            vendor: maybe_string(entry.get_attr(VENDOR)),
            region: maybe_string(entry.get_attr(REGION)),
        }),
        _ => Maybe::Null,
    }
}

/// Why a stored state cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StateError {
    #[error("the stored state has no zone_id")]
    MissingZoneId,
    #[error("the stored state has no mappings map")]
    MissingMappings,
    #[error("the stored mapping for \"{0}\" has no vendor or no region")]
    IncompleteEntry(String),
}

/// The state as plain data; `Ok(None)` for a null state (no resource).
pub fn state_from_value(value: &Value) -> Result<Option<MappingsState>, StateError> {
    if value.is_null() {
        return Ok(None);
    }
    let zone_id = value.get_attr(ZONE_ID).and_then(Value::as_str).ok_or(StateError::MissingZoneId)?;
    let entries = match value.get_attr(MAPPINGS) {
        Some(Value::Map(entries)) => entries,
        _ => return Err(StateError::MissingMappings),
    };
    let mappings = mapping_set(entries).map_err(|key| StateError::IncompleteEntry(key.clone()))?;
    let modified_on = value.get_attr(MODIFIED_ON).and_then(Value::as_str).map(str::to_string);
    Ok(Some(MappingsState { zone_id: zone_id.to_string(), mappings, modified_on }))
}

/// The mappings of a planned `mappings` value when every entry, vendor and region is known
/// (apply time); `None` while anything is unknown or null.
pub fn known_mappings_from_value(mappings: &Value) -> Option<MappingSet> {
    match mappings {
        Value::Map(entries) => mapping_set(entries).ok(),
        _ => None,
    }
}

/// The entries when each is an object with a string vendor and region; else the first key
/// that is not.
fn mapping_set(entries: &BTreeMap<String, Value>) -> Result<MappingSet, &String> {
    entries
        .iter()
        .map(|(key, entry)| {
            let text = |name| entry.get_attr(name).and_then(Value::as_str);
            match (text(VENDOR), text(REGION)) {
                (Some(vendor), Some(region)) => Ok((key.clone(), Target::new(vendor, region))),
                _ => Err(key),
            }
        })
        .collect()
}

pub fn mappings_to_value(mappings: &MappingSet) -> Value {
    let entries: BTreeMap<String, Value> = mappings
        .iter()
        .map(|(key, target)| {
            let entry =
                Value::object([(VENDOR, Value::string(&target.vendor)), (REGION, Value::string(&target.region))]);
            (key.clone(), entry)
        })
        .collect();
    Value::Map(entries)
}

pub fn state_to_value(state: &MappingsState) -> Value {
    state_value(&state.zone_id, mappings_to_value(&state.mappings), state.modified_on.clone())
}

/// The state object around a `mappings` value already built.
pub fn state_value(zone_id: &str, mappings: Value, modified_on: Option<String>) -> Value {
    Value::object([
        (ID, Value::string(zone_id)),
        (ZONE_ID, Value::string(zone_id)),
        (MAPPINGS, mappings),
        (MODIFIED_ON, Value::from(modified_on)),
    ])
}

pub fn place_to_path(place: &Place) -> Option<AttributePath> {
    let entry = |key: &str| AttributePath::new(MAPPINGS).key(key);
    match place {
        Place::Resource => None,
        Place::ZoneId => Some(AttributePath::new(ZONE_ID)),
        Place::Mappings => Some(AttributePath::new(MAPPINGS)),
        // Terraform finds a source line only for paths ending at an attribute or a map key;
        // a step into the entry's object would point at the resource header instead, so vendor
        // and region problems point at their entry (the summary names the field).
        Place::Entry(key) | Place::Vendor(key) | Place::Region(key) => Some(entry(key)),
    }
}

pub fn to_diagnostics(findings: impl IntoIterator<Item = Finding>) -> Diagnostics {
    findings_to_diagnostics(findings, place_to_path)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state_value() -> Value {
        Value::object([
            (ID, Value::string("z")),
            (ZONE_ID, Value::string("z")),
            (
                MAPPINGS,
                Value::map([(
                    "2001:DB8::1",
                    Value::object([(VENDOR, Value::string("gcp")), (REGION, Value::string("us-central1"))]),
                )]),
            ),
            (MODIFIED_ON, Value::string("2026-03-01T12:00:00Z")),
        ])
    }

    #[test]
    fn state_round_trips() {
        let state = state_from_value(&state_value()).unwrap().unwrap();
        assert_eq!(state.zone_id, "z");
        assert_eq!(state.mappings.get("2001:DB8::1"), Some(&Target::new("gcp", "us-central1")));
        assert_eq!(state_to_value(&state), state_value());
        assert_eq!(state_from_value(&Value::Null), Ok(None));
    }

    #[test]
    fn malformed_state_is_an_error() {
        let mut value = state_value();
        value.set_attr(MAPPINGS, Value::map([("192.0.2.1", Value::object([(VENDOR, Value::Null)]))]));
        assert_eq!(state_from_value(&value), Err(StateError::IncompleteEntry("192.0.2.1".into())));
        value.set_attr(ZONE_ID, Value::Null);
        assert_eq!(state_from_value(&value), Err(StateError::MissingZoneId));
    }

    #[test]
    fn config_keeps_unknowns() {
        let value = Value::object([
            (ZONE_ID, Value::Unknown),
            (
                MAPPINGS,
                Value::map([
                    ("192.0.2.1", Value::object([(VENDOR, Value::Unknown), (REGION, Value::string("r"))])),
                    ("192.0.2.2", Value::Unknown),
                ]),
            ),
        ]);
        let config = config_from_value(&value);
        assert_eq!(config.zone_id, Maybe::Unknown);
        let Maybe::Known(entries) = &config.mappings else { panic!("mappings should be known") };
        assert_eq!(entries["192.0.2.2"], Maybe::Unknown);
        assert_eq!(
            entries["192.0.2.1"],
            Maybe::Known(ConfigEntry { vendor: Maybe::Unknown, region: Maybe::Known("r".into()) })
        );
        let whole = Value::object([(ZONE_ID, Value::Null), (MAPPINGS, Value::Unknown)]);
        assert_eq!(config_from_value(&whole).mappings, Maybe::Unknown);
    }

    #[test]
    fn known_mappings_only_when_every_vendor_and_region_is_known() {
        let entry = |vendor: Value| Value::object([(VENDOR, vendor), (REGION, Value::string("r"))]);
        let stored = state_value();
        let expected: MappingSet = [("2001:DB8::1".to_string(), Target::new("gcp", "us-central1"))].into_iter().collect();
        assert_eq!(stored.get_attr(MAPPINGS).and_then(known_mappings_from_value), Some(expected));
        let known = Value::map([("192.0.2.1", entry(Value::string("aws")))]);
        let expected: MappingSet = [("192.0.2.1".to_string(), Target::new("aws", "r"))].into_iter().collect();
        assert_eq!(known_mappings_from_value(&known), Some(expected));
        for not_known in [
            Value::map([("192.0.2.1", entry(Value::string("aws"))), ("192.0.2.2", entry(Value::Unknown))]),
            Value::map([("192.0.2.1", entry(Value::Null))]),
            Value::map([("192.0.2.1", Value::Unknown)]),
            Value::map([("192.0.2.1", Value::Null)]),
            Value::Unknown,
            Value::Null,
        ] {
            assert_eq!(known_mappings_from_value(&not_known), None, "{not_known}");
        }
    }

    #[test]
    fn places_become_paths() {
        let diagnostics = to_diagnostics([Finding::error(Place::Region("192.0.2.1".into()), "s", "d")]);
        let path = diagnostics.0[0].path.clone().unwrap();
        assert_eq!(path.to_string(), r#"mappings["192.0.2.1"]"#);
        assert_eq!(place_to_path(&Place::Resource), None);
    }
}

//! The note a plan leaves in `planned_private`: which IPs (canonical) of which zone the object
//! planned here will hold.
//!
//! Terraform hands a plan's `planned_private` to the delete half of a replacement, so the
//! delete knows what the new object will hold even when it runs first (the default
//! destroy-before-create order, and every replacement of a tainted resource) and in another
//! process than the plan. The note is about one plan only: applies never store it in state.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use super::model::canonical_key;
use super::schema::{MAPPINGS, ZONE_ID};
use crate::provider::shared::private_data;
use crate::tfplugin::Value;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SuccessorNote {
    pub zone_id: String,
    /// Canonical IPs.
    pub ips: BTreeSet<String>,
}

/// The note's key in the private data, beside the zone's remembered endpoint family.
const NOTE_KEY: &str = "successor";

impl SuccessorNote {
    /// What a planned state will hold, when its zone and its IP keys are known.
    pub fn of_planned(planned: &Value) -> Option<SuccessorNote> {
        let zone_id = planned.get_attr(ZONE_ID)?.as_str()?.to_string();
        let entries = planned.get_attr(MAPPINGS)?.as_entries()?;
        Some(SuccessorNote { zone_id, ips: entries.keys().map(|key| canonical_key(key)).collect() })
    }

    /// The IPs this note holds in `zone_id` (none for another zone).
    pub fn ips_in(note: Option<&SuccessorNote>, zone_id: &str) -> BTreeSet<String> {
        note.filter(|note| note.zone_id == zone_id).map(|note| note.ips.clone()).unwrap_or_default()
    }

    pub fn to_private(&self) -> Vec<u8> {
        self.write_into(&[])
    }

    /// `private` with this note in it; other keys stay.
    pub fn write_into(&self, private: &[u8]) -> Vec<u8> {
        let mut fields = private_data::fields(private);
        fields.insert(NOTE_KEY.to_string(), serde_json::to_value(self).unwrap_or_default());
        private_data::to_bytes(fields)
    }

    /// `private` without the note; other keys stay (nothing when nothing else is left).
    pub fn remove_from_private(private: &[u8]) -> Vec<u8> {
        private_data::without(private, NOTE_KEY)
    }

    /// The note in private bytes; anything else (empty, older or foreign data) is no note.
    pub fn from_private(private: &[u8]) -> Option<SuccessorNote> {
        private_data::fields(private).remove(NOTE_KEY).and_then(|note| serde_json::from_value(note).ok())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provider::mappings::schema::{REGION, VENDOR};

    fn planned(mappings: Value) -> Value {
        Value::object([(ZONE_ID, Value::string("z")), (MAPPINGS, mappings)])
    }

    #[test]
    fn a_planned_state_gives_its_canonical_ips_and_round_trips() {
        let entry = Value::object([(VENDOR, Value::string("aws")), (REGION, Value::Unknown)]);
        let mappings = Value::map([("2001:DB8::1", entry), ("192.0.2.1", Value::Unknown)]);
        let note = SuccessorNote::of_planned(&planned(mappings)).expect("keys are known");
        assert_eq!(note.ips, ["192.0.2.1".to_string(), "2001:db8::1".to_string()].into_iter().collect());
        assert_eq!(SuccessorNote::from_private(&note.to_private()), Some(note.clone()));
        assert_eq!(SuccessorNote::ips_in(Some(&note), "z"), note.ips);
        assert!(SuccessorNote::ips_in(Some(&note), "other").is_empty());
    }

    #[test]
    fn unknown_or_missing_parts_give_no_note() {
        assert_eq!(SuccessorNote::of_planned(&planned(Value::Unknown)), None);
        assert_eq!(SuccessorNote::of_planned(&Value::Null), None);
        assert_eq!(SuccessorNote::from_private(b""), None);
        assert_eq!(SuccessorNote::from_private(b"{\"p\":1}"), None);
    }

    #[test]
    fn the_note_is_removed_and_other_private_data_kept() {
        let note = SuccessorNote { zone_id: "z".into(), ips: ["192.0.2.1".to_string()].into_iter().collect() };
        let mut fields: serde_json::Map<String, serde_json::Value> = serde_json::from_slice(&note.to_private()).unwrap();
        fields.insert("api_family".into(), "v2".into());
        let both = serde_json::to_vec(&fields).unwrap();
        assert_eq!(SuccessorNote::from_private(&both), Some(note.clone()), "found beside other keys");
        assert_eq!(SuccessorNote::remove_from_private(&both), br#"{"api_family":"v2"}"#.to_vec());
        assert_eq!(SuccessorNote::remove_from_private(&note.to_private()), Vec::<u8>::new());
        assert_eq!(SuccessorNote::remove_from_private(b"junk"), Vec::<u8>::new());
    }
}

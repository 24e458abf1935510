//! A resource's private data: opaque bytes Terraform keeps beside the state and hands back on
//! later calls. Here it is one JSON object whose keys belong to separate concerns (the zone's
//! endpoint family, a plan's replacement note); each reads and writes its own keys and keeps
//! the others. Bytes that are not a JSON object hold nothing of ours.

use serde_json::{Map, Value as Json};

/// The object's fields; empty for no data, or data that is not a JSON object.
pub fn fields(private: &[u8]) -> Map<String, Json> {
    match serde_json::from_slice(private) {
        Ok(Json::Object(fields)) => fields,
        _ => Map::new(),
    }
}

/// The bytes for `fields`: nothing at all when no field is left.
pub fn to_bytes(fields: Map<String, Json>) -> Vec<u8> {
    if fields.is_empty() {
        return Vec::new();
    }
    serde_json::to_vec(&Json::Object(fields)).unwrap_or_default()
}

/// `private` with `key` removed.
pub fn without(private: &[u8], key: &str) -> Vec<u8> {
    let mut fields = fields(private);
    fields.remove(key);
    to_bytes(fields)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_kept_and_removed_one_by_one() {
        let both = br#"{"a":1,"b":2}"#;
        assert_eq!(fields(both).len(), 2);
        assert_eq!(without(both, "a"), br#"{"b":2}"#.to_vec());
        assert_eq!(without(br#"{"a":1}"#, "a"), Vec::<u8>::new());
        assert!(fields(b"not json").is_empty() && fields(b"[1]").is_empty() && fields(b"").is_empty());
    }
}

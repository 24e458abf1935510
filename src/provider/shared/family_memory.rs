//! The endpoint family a resource's zone is served by, kept in the resource's private state
//! (opaque bytes Terraform stores beside the state and hands back on every later call), so that
//! under `api_family = "auto"` a zone known to be on v2 costs no v1 request in later runs. The
//! private data is a JSON object; keys other than ours are kept as they are.

use serde_json::Value as Json;

use super::private_data::{fields, to_bytes};

use crate::cloudflare::{ApiFamily, Client};
use crate::tfplugin::{Diagnostics, Value};

const FAMILY_KEY: &str = "api_family";
const ZONE_KEY: &str = "api_family_zone_id";

/// The `zone_id` attribute of a resource value, when known (both resources have one).
pub fn zone_of(value: &Value) -> Option<&str> {
    value.get_attr("zone_id").and_then(Value::as_str)
}

/// Tells the client what an earlier run learnt about `zone`, if the private data says so.
pub fn recall(client: &Client, private: &[u8], zone: Option<&str>) {
    let Some(zone) = zone else { return };
    let fields = fields(private);
    if fields.get(ZONE_KEY).and_then(Json::as_str) != Some(zone) {
        return;
    }
    if let Some(family) = fields.get(FAMILY_KEY).and_then(Json::as_str).and_then(|text| text.parse::<ApiFamily>().ok()) {
        client.remember_family(zone, family);
    }
}

/// `private` with the family now known for `zone` written in (unchanged when none is known).
pub fn record(client: &Client, private: &[u8], zone: Option<&str>) -> Vec<u8> {
    let Some((zone, family)) = zone.and_then(|zone| Some((zone, client.known_family(zone)?))) else {
        return private.to_vec();
    };
    let mut fields = fields(private);
    fields.insert(FAMILY_KEY.to_string(), Json::String(family.as_str().to_string()));
    fields.insert(ZONE_KEY.to_string(), Json::String(zone.to_string()));
    to_bytes(fields)
}

/// Adds the one-per-process warning about the switch to v2, if it has not been shown yet.
pub fn add_switch_notice(client: &Client, diagnostics: &mut Diagnostics) {
    if let Some(detail) = client.take_switch_notice() {
        diagnostics.warning("Switched to Cloudflare's v2 origin cloud region endpoints", detail);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cloudflare::{ClientConfig, Credentials, Secret};
    use tokio_util::sync::CancellationToken;

    const ZONE: &str = "023e105f4ecef8ad9ca31a8372d0c353";

    fn client(family: ApiFamily) -> Client {
        let mut config = ClientConfig::new("http://127.0.0.1:1/".parse().unwrap(), Credentials::Token(Secret::new("t")));
        config.family = family;
        Client::new(config, CancellationToken::new()).unwrap()
    }

    #[test]
    fn round_trip_through_private_data() {
        let pinned = client(ApiFamily::V2);
        let private = record(&pinned, br#"{"other":1}"#, Some(ZONE));
        let fields = fields(&private);
        assert_eq!(fields["other"], 1, "other keys are kept");
        assert_eq!(fields[FAMILY_KEY], "v2");

        let fresh = client(ApiFamily::Auto);
        assert_eq!(fresh.known_family(ZONE), None);
        recall(&fresh, &private, Some("another0000000000000000000000000"));
        assert_eq!(fresh.known_family(ZONE), None, "a family is only recalled for its own zone");
        recall(&fresh, &private, Some(ZONE));
        assert_eq!(fresh.known_family(ZONE), Some(ApiFamily::V2));
    }

    #[test]
    fn nothing_known_nothing_written() {
        let fresh = client(ApiFamily::Auto);
        assert_eq!(record(&fresh, b"", Some(ZONE)), b"");
        assert_eq!(record(&fresh, b"not json", None), b"not json");
        recall(&fresh, b"not json", Some(ZONE));
        assert_eq!(fresh.known_family(ZONE), None);
    }
}

//! Apply: create, update in place, destroy. The returned state is what is true remotely, with
//! Cloudflare's `modified_on` (never the provider's clock).

use super::model::{same_address, same_vendor, SingleState};
use super::remote::mapping;
use super::schema::{ORIGIN_IP, TYPE_NAME};
use super::values::{config_from_value, state_to_value};
use crate::cloudflare::{ApiError, Client, MappingRecord};
use crate::provider::shared::written_at::written_at;
use crate::provider::concepts::maybe::Maybe;
use crate::tfplugin::{AttributePath, Diagnostics, Value};

fn provider_bug(detail: &str) -> Diagnostics {
    Diagnostics::from_error(
        "Unexpected planned state",
        format!("{detail} This is a bug in the provider; please report it."),
    )
}

fn api_failure(action: &str, state: &SingleState, error: &ApiError) -> Diagnostics {
    Diagnostics::from_error(
        format!("Could not {action} the origin cloud region mapping"),
        format!("{action} the mapping for {} in zone {} failed: {error}", state.origin_ip, state.zone_id),
    )
}

/// The planned values as a state; `None` when anything is still unknown.
fn planned_state(planned: &Value, modified_on: Option<String>) -> Option<SingleState> {
    let config = config_from_value(planned);
    let known = |value: Maybe<String>| match value {
        Maybe::Known(text) => Some(text),
        _ => None,
    };
    Some(SingleState {
        zone_id: known(config.zone_id)?,
        origin_ip: known(config.origin_ip)?,
        vendor: known(config.vendor)?,
        region: known(config.region)?,
        modified_on,
    })
}

/// Whether the mapping Cloudflare holds is the one `desired` describes.
fn holds(record: &MappingRecord, desired: &SingleState) -> bool {
    same_vendor(&record.mapping.vendor, &desired.vendor) && record.mapping.region == desired.region
}

/// Cloudflare's time of the write: from its answer, else read back once (null if it never says).
async fn time_of_write(client: &Client, state: &SingleState, answer: Option<String>) -> Option<String> {
    match answer {
        Some(time) => Some(time),
        None => written_at(client, &state.zone_id, &state.canonical_ip()).await,
    }
}

/// Creates the mapping; an existing mapping for the address is not taken over, unless it is the
/// very write this create sent before its answer was lost.
pub async fn create(client: &Client, planned: &Value) -> (Value, Diagnostics) {
    let Some(mut desired) = planned_state(planned, None) else {
        return (Value::Null, provider_bug("The planned values are not all known at apply time."));
    };
    let sent = mapping(&desired.origin_ip, &desired.vendor, &desired.region);
    match client.create(&desired.zone_id, &sent).await {
        Ok(record) => {
            desired.modified_on = time_of_write(client, &desired, record.modified_on).await;
            (state_to_value(&desired), Diagnostics::new())
        }
        Err(ApiError::AlreadyExists { after_retry: true, .. }) => adopt_own_write(client, desired).await,
        Err(error) if error.is_already_exists() => (Value::Null, already_exists(&desired)),
        Err(error) => (Value::Null, api_failure("create", &desired, &error)),
    }
}

/// A create sent twice (the first answer lost) found a mapping: when it holds exactly what was
/// sent, it is this create's own write. Different values belong to someone else.
async fn adopt_own_write(client: &Client, mut desired: SingleState) -> (Value, Diagnostics) {
    match client.get(&desired.zone_id, &desired.canonical_ip()).await {
        Ok(Some(record)) if holds(&record, &desired) => {
            desired.modified_on = record.modified_on;
            (state_to_value(&desired), Diagnostics::new())
        }
        Ok(_) => (Value::Null, already_exists(&desired)),
        Err(error) => (Value::Null, api_failure("create", &desired, &error)),
    }
}

fn already_exists(desired: &SingleState) -> Diagnostics {
    let mut diagnostics = Diagnostics::new();
    diagnostics.error_at(
        AttributePath::new(ORIGIN_IP),
        "Mapping already exists",
        format!(
            "Zone {zone} already maps {ip} to a cloud region (set outside this configuration). To \
             manage it here, import it instead of creating it: terraform import {TYPE_NAME}.<name> \
             '{zone}/{ip}'",
            zone = desired.zone_id,
            ip = desired.origin_ip,
        ),
    );
    diagnostics
}

/// Updates vendor and region in place. A new spelling of the same address (or vendor case)
/// only changes state.
pub async fn update(client: &Client, prior: &SingleState, planned: &Value) -> (Value, Diagnostics) {
    let Some(mut desired) = planned_state(planned, prior.modified_on.clone()) else {
        return (state_to_value(prior), provider_bug("The planned values are not all known at apply time."));
    };
    if desired.zone_id != prior.zone_id || !same_address(&desired.origin_ip, &prior.origin_ip) {
        return (state_to_value(prior), provider_bug("The zone or address changed without replacing the resource."));
    }
    if same_vendor(&desired.vendor, &prior.vendor) && desired.region == prior.region {
        return (state_to_value(&desired), Diagnostics::new());
    }
    let sent = mapping(&desired.origin_ip, &desired.vendor, &desired.region);
    match client.upsert(&desired.zone_id, &sent).await {
        Ok(record) => {
            desired.modified_on = time_of_write(client, &desired, record.modified_on).await;
            (state_to_value(&desired), Diagnostics::new())
        }
        Err(error) => (state_to_value(prior), api_failure("update", &desired, &error)),
    }
}

/// Deletes the mapping; one that is already gone counts as deleted.
pub async fn destroy(client: &Client, prior: &SingleState) -> (Value, Diagnostics) {
    match client.delete(&prior.zone_id, &prior.canonical_ip()).await {
        Ok(_) => (Value::Null, Diagnostics::new()),
        Err(error) => (state_to_value(prior), api_failure("delete", prior, &error)),
    }
}

//! Apply: create, update and destroy. The returned state is always what is now true remotely
//! for the managed IPs, errors or not.

use super::coordinated::Coordination;
use super::diff::changes;
use super::model::{MappingSet, MappingsState, Maybe};
use super::outcome::{all_applied, merge, modified_on_after_apply, ModifiedOn, Operation};
use crate::provider::shared::written_at::written_at;
use super::schema::{MODIFIED_ON, ZONE_ID};
use super::values::{known_mappings_from_value, mappings_to_value, state_to_value, state_value, to_diagnostics};
use crate::cloudflare::Client;
use crate::provider::shared::maybe_values::maybe_string;
use crate::tfplugin::{Diagnostics, Value};

fn provider_bug(detail: impl Into<String>) -> Diagnostics {
    Diagnostics::from_error(
        "Unexpected planned state",
        format!("{} This is a bug in the provider; please report it.", detail.into()),
    )
}

/// Create (`prior` None) or update to `planned`, whose `mappings` the caller moved out into
/// `planned_mappings`: when everything is applied that map becomes the new state as it is.
pub async fn create_or_update(
    client: &Client,
    coordination: &Coordination,
    prior: Option<&MappingsState>,
    planned: &Value,
    planned_mappings: Option<Value>,
) -> (Value, Diagnostics) {
    let unchanged = || prior.map(state_to_value).unwrap_or(Value::Null);
    let zone_id = maybe_string(planned.get_attr(ZONE_ID));
    let (Maybe::Known(zone_id), Some(desired)) =
        (zone_id, planned_mappings.as_ref().and_then(known_mappings_from_value))
    else {
        return (unchanged(), provider_bug("The planned zone_id or mappings are not fully known at apply time."));
    };
    if prior.is_some_and(|p| p.zone_id != zone_id) {
        return (unchanged(), provider_bug("The zone changed without replacing the resource."));
    }
    let empty = MappingSet::new();
    let prior_mappings = prior.map_or(&empty, |p| &p.mappings);
    let plan = changes(prior_mappings, &desired);

    // Deletions first: they free room under the zone's 3,500-mapping limit for the additions.
    let removed = coordination.delete(client, &zone_id, &plan).await;
    let upserted = coordination.upsert(client, &zone_id, &desired, &plan).await;

    let (mappings_value, diagnostics) = if all_applied(&plan, &upserted, &removed) {
        // The usual case: the new state is the plan, and the planned map can stay as it is.
        let mappings_value = match planned_mappings {
            Some(planned) if is_plain_mappings(&planned) => planned,
            _ => mappings_to_value(&desired),
        };
        (mappings_value, Diagnostics::new())
    } else {
        let operation = if prior.is_some() { Operation::Update } else { Operation::Create };
        let merged = merge(prior_mappings, &desired, &plan, &upserted, &removed, operation);
        let diagnostics = to_diagnostics(merged.findings);
        let Some(mappings) = merged.mappings else {
            return (Value::Null, diagnostics);
        };
        (mappings_to_value(&mappings), diagnostics)
    };
    // A known planned value must come back unchanged; otherwise it is ours to fill.
    let prior_time = prior.and_then(|p| p.modified_on.as_deref());
    let modified_on = match planned.get_attr(MODIFIED_ON) {
        Some(Value::String(planned)) => Some(planned.clone()),
        _ => match modified_on_after_apply(prior_time, &upserted, &removed) {
            ModifiedOn::Kept(time) | ModifiedOn::Written(time @ Some(_)) => time,
            // Answers without a time (v2 batches): read back a mapping this apply wrote. A
            // deletion alone leaves no time to read; the prior value stays.
            ModifiedOn::Written(None) => match upserted.succeeded.iter().next_back() {
                Some(ip) => written_at(client, &zone_id, ip).await,
                None => None,
            }
            .or(prior_time.map(str::to_string)),
        },
    };
    (state_value(&zone_id, mappings_value, modified_on), diagnostics)
}

/// Whether every entry holds just vendor and region: then a map whose entries all match the
/// state is exactly the value `mappings_to_value` would build (`planned` passed
/// `known_mappings_from_value`, so both are strings).
fn is_plain_mappings(mappings: &Value) -> bool {
    mappings.as_entries().is_some_and(|entries| {
        entries.values().all(|entry| matches!(entry, Value::Object(fields) if fields.len() == 2))
    })
}

/// Destroy: delete the managed IPs only, except those another resource of this run (or the
/// new half of this replacement) holds. IPs that could not be deleted stay in state.
pub async fn destroy(client: &Client, coordination: &Coordination, prior: &MappingsState) -> (Value, Diagnostics) {
    let plan = changes(&prior.mappings, &MappingSet::new());
    if plan.is_empty() {
        return (Value::Null, Diagnostics::new());
    }
    let removed = coordination.delete(client, &prior.zone_id, &plan).await;
    let merged = merge(&prior.mappings, &MappingSet::new(), &plan, &Default::default(), &removed, Operation::Update);
    let diagnostics = to_diagnostics(merged.findings);
    match merged.mappings {
        Some(left) if !left.is_empty() => {
            let state = MappingsState {
                zone_id: prior.zone_id.clone(),
                mappings: left,
                modified_on: prior.modified_on.clone(),
            };
            (state_to_value(&state), diagnostics)
        }
        _ => (Value::Null, diagnostics),
    }
}

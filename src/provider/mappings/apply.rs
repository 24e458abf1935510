//! Apply: create, update and destroy. The returned state is always what is now true remotely
//! for the managed IPs, errors or not.

use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use super::diff::changes;
use super::model::{MappingSet, MappingsState, Maybe};
use super::outcome::{merge, modified_on_after_apply, Operation};
use super::remote;
use super::schema::MODIFIED_ON;
use super::values::{config_from_value, state_to_value, to_diagnostics};
use crate::cloudflare::Client;
use crate::tfplugin::{Diagnostics, Value};

/// The current time in RFC 3339, whole seconds, UTC.
pub fn now_rfc3339() -> String {
    let now = OffsetDateTime::now_utc();
    let whole_seconds = now.replace_nanosecond(0).unwrap_or(now);
    whole_seconds.format(&Rfc3339).unwrap_or_default()
}

fn provider_bug(detail: impl Into<String>) -> Diagnostics {
    Diagnostics::from_error(
        "Unexpected planned state",
        format!("{} This is a bug in the provider; please report it.", detail.into()),
    )
}

/// Create (`prior` None) or update to `planned`.
pub async fn create_or_update(client: &Client, prior: Option<&MappingsState>, planned: &Value) -> (Value, Diagnostics) {
    let unchanged = || prior.map(state_to_value).unwrap_or(Value::Null);
    let config = config_from_value(planned);
    let (Maybe::Known(zone_id), Some(desired)) = (&config.zone_id, config.known_mappings()) else {
        return (unchanged(), provider_bug("The planned zone_id or mappings are not fully known at apply time."));
    };
    if prior.is_some_and(|p| &p.zone_id != zone_id) {
        return (unchanged(), provider_bug("The zone changed without replacing the resource."));
    }
    let empty = MappingSet::new();
    let prior_mappings = prior.map_or(&empty, |p| &p.mappings);
    let plan = changes(prior_mappings, &desired);

    // Deletions first: they free room under the zone's 3,500-mapping limit for the additions.
    let removed = remote::delete(client, zone_id, &plan).await;
    let upserted = remote::upsert(client, zone_id, &plan).await;

    let operation = if prior.is_some() { Operation::Update } else { Operation::Create };
    let merged = merge(prior_mappings, &desired, &plan, &upserted, &removed, operation);
    let diagnostics = to_diagnostics(merged.findings);
    let Some(mappings) = merged.mappings else {
        return (Value::Null, diagnostics);
    };
    // A known planned value must come back unchanged; otherwise it is ours to fill.
    let modified_on = match planned.get_attr(MODIFIED_ON) {
        Some(Value::String(planned)) => planned.clone(),
        _ => modified_on_after_apply(prior.and_then(|p| p.modified_on.as_deref()), &upserted, &removed, now_rfc3339),
    };
    let state = MappingsState { zone_id: zone_id.clone(), mappings, modified_on: Some(modified_on) };
    (state_to_value(&state), diagnostics)
}

/// Destroy: delete the managed IPs only. IPs that could not be deleted stay in state.
pub async fn destroy(client: &Client, prior: &MappingsState) -> (Value, Diagnostics) {
    let plan = changes(&prior.mappings, &MappingSet::new());
    if plan.is_empty() {
        return (Value::Null, Diagnostics::new());
    }
    let removed = remote::delete(client, &prior.zone_id, &plan).await;
    let merged = merge(&prior.mappings, &MappingSet::new(), &plan, &Default::default(), &removed, Operation::Update);
    let diagnostics = to_diagnostics(merged.findings);
    match merged.mappings {
        Some(left) if !left.is_empty() => {
            let state = MappingsState { mappings: left, ..prior.clone() };
            (state_to_value(&state), diagnostics)
        }
        _ => (Value::Null, diagnostics),
    }
}

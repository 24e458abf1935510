//! Refresh and import: one zone listing, filtered to the IPs the resource manages.

use super::import_id::{parse_import_id, select, ImportSelectError, ImportTarget};
use super::model::MappingsState;
use super::refresh::{refresh, Refreshed};
use super::remote::{self, Listing};
use super::values::{state_to_value, to_diagnostics};
use crate::cloudflare::{ApiError, Client};
use crate::provider::concepts::refusals::RefusalLog;
use crate::tfplugin::{Diagnostics, ImportedResource, Value};

fn listing_failed(zone_id: &str, error: &ApiError) -> Diagnostics {
    Diagnostics::from_error(
        "Could not read origin cloud region mappings",
        format!("Listing the mappings of zone {zone_id} failed: {error}"),
    )
}

/// The refreshed state: `Value::Null` when every managed IP is gone. On an API error the
/// prior state is returned unchanged with the error.
/// A refusal (HTTP 401/403) is said once per run through `refusals`.
pub async fn read(client: &Client, prior: &MappingsState, refusals: &RefusalLog) -> (Value, Diagnostics) {
    match remote::list(client, &prior.zone_id).await {
        Ok(listing) => refreshed_state(prior, listing),
        Err(error) => {
            let diagnostics = match refusals.failure(&error, &prior.zone_id) {
                Some(findings) => to_diagnostics(findings),
                None => listing_failed(&prior.zone_id, &error),
            };
            (state_to_value(prior), diagnostics)
        }
    }
}

/// The state ReadResource returns for `prior` given the zone's listing.
pub fn refreshed_state(prior: &MappingsState, listing: Listing) -> (Value, Diagnostics) {
    match refresh(&prior.zone_id, &prior.mappings, &listing.mappings) {
        Refreshed::Present(mappings) => {
            // Fill a missing timestamp (older state) once; otherwise a refresh never changes it.
            let modified_on = prior.modified_on.clone().or(listing.modified_on);
            let state = MappingsState { zone_id: prior.zone_id.clone(), mappings, modified_on };
            (state_to_value(&state), Diagnostics::new())
        }
        Refreshed::Gone(warning) => (Value::Null, to_diagnostics([warning])),
    }
}

/// Import by `<zone_id>` or `<zone_id>/<ip>,<ip>,...`.
pub async fn import(client: &Client, id: &str) -> (Vec<ImportedResource>, Diagnostics) {
    let target = match parse_import_id(id) {
        Ok(target) => target,
        Err(error) => return (Vec::new(), Diagnostics::from_error("Invalid import ID", error.to_string())),
    };
    let listing = match remote::list(client, &target.zone_id).await {
        Ok(listing) => listing,
        Err(error) => return (Vec::new(), listing_failed(&target.zone_id, &error)),
    };
    match imported_state(target, listing) {
        Ok(state) => (vec![ImportedResource { state: state_to_value(&state), private: Vec::new() }], Diagnostics::new()),
        Err(diagnostics) => (Vec::new(), diagnostics),
    }
}

/// The state an import writes, from the zone's listing; an error leaves no state at all.
pub fn imported_state(target: ImportTarget, listing: Listing) -> Result<MappingsState, Diagnostics> {
    let mappings = select(&target, &listing.mappings).map_err(|error| {
        let summary = match error {
            ImportSelectError::Unusable { .. } => "Cannot import these mappings",
            _ => "Nothing to import",
        };
        Diagnostics::from_error(summary, error.to_string())
    })?;
    Ok(MappingsState {
        zone_id: target.zone_id,
        mappings,
        modified_on: listing.modified_on,
    })
}

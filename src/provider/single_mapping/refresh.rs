//! Refresh and import: one GET of the mapping.

use super::import_id::parse_import_id;
use super::model::{same_vendor, SingleState};
use super::schema::TYPE_NAME;
use super::values::{state_to_value, to_diagnostics};
use crate::cloudflare::Client;
use crate::provider::concepts::refusals::RefusalLog;
use crate::tfplugin::{Diagnostics, ImportedResource, Value};

/// The refreshed state: `Value::Null` with a warning when the mapping is gone, so the next plan
/// creates it again. On an API error the prior state is kept with the error.
/// A refusal (HTTP 401/403) is said once per run through `refusals`.
pub async fn read(client: &Client, prior: &SingleState, refusals: &RefusalLog) -> (Value, Diagnostics) {
    match client.get(&prior.zone_id, &prior.canonical_ip()).await {
        Ok(Some(record)) => {
            // Address and vendor keep their spelling in state: the API answers with canonical ones.
            let remote = record.mapping;
            let vendor = if same_vendor(&remote.vendor, &prior.vendor) { prior.vendor.clone() } else { remote.vendor };
            let modified_on = record.modified_on.or_else(|| prior.modified_on.clone());
            let state = SingleState { vendor, region: remote.region, modified_on, ..prior.clone() };
            (state_to_value(&state), Diagnostics::new())
        }
        Ok(None) => {
            let mut diagnostics = Diagnostics::new();
            diagnostics.warning(
                "Origin cloud region mapping removed outside Terraform",
                format!(
                    "Zone {} no longer has a mapping for {}; it was removed from the state and the \
                     next apply creates it again.",
                    prior.zone_id, prior.origin_ip
                ),
            );
            (Value::Null, diagnostics)
        }
        Err(error) => {
            let diagnostics = match refusals.failure(&error, &prior.zone_id) {
                Some(findings) => to_diagnostics(findings),
                None => Diagnostics::from_error(
                    "Could not read the origin cloud region mapping",
                    format!("Reading the mapping for {} in zone {} failed: {error}", prior.origin_ip, prior.zone_id),
                ),
            };
            (state_to_value(prior), diagnostics)
        }
    }
}

/// Import by `<zone_id>/<origin_ip>`; a missing mapping fails the import.
pub async fn import(client: &Client, id: &str) -> (Vec<ImportedResource>, Diagnostics) {
    let target = match parse_import_id(id) {
        Ok(target) => target,
        Err(error) => return (Vec::new(), Diagnostics::from_error("Invalid import ID", error.to_string())),
    };
    match client.get(&target.zone_id, &target.origin_ip).await {
        Ok(Some(record)) => {
            // Cloudflare's own time, so an import right after an apply equals the applied state.
            let state = SingleState {
                zone_id: target.zone_id,
                origin_ip: target.origin_ip,
                vendor: record.mapping.vendor,
                region: record.mapping.region,
                modified_on: record.modified_on,
            };
            (vec![ImportedResource { state: state_to_value(&state), private: Vec::new() }], Diagnostics::new())
        }
        Ok(None) => (
            Vec::new(),
            Diagnostics::from_error(
                "Nothing to import",
                format!(
                    "Zone {} has no origin cloud region mapping for {}. Check the address, or create \
                     the mapping with a {TYPE_NAME} resource and terraform apply.",
                    target.zone_id, target.origin_ip
                ),
            ),
        ),
        Err(error) => (
            Vec::new(),
            Diagnostics::from_error(
                "Could not read the origin cloud region mapping",
                format!("Reading the mapping for {} in zone {} failed: {error}", target.origin_ip, target.zone_id),
            ),
        ),
    }
}

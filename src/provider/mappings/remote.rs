//! The API calls the resource makes, with their results turned into the plain model.

use std::collections::BTreeSet;

use super::diff::Changes;
use super::model::{MappingSet, Target};
use super::outcome::{BatchResult, NotApplied};
use super::refresh::remote_set;
use crate::cloudflare::{ApiError, BatchOutcome, Client, Mapping};

/// The zone's mappings keyed by canonical IP, and when the set last changed.
pub struct Listing {
    pub mappings: MappingSet,
    pub modified_on: Option<String>,
}

/// Every mapping of the zone. A list either succeeds or is an error: only a successful list
/// with no entries is an empty zone (a 404 may be an invalid zone, never "no mappings").
pub async fn list(client: &Client, zone_id: &str) -> Result<Listing, ApiError> {
    let list = client.list(zone_id).await?;
    Ok(Listing {
        mappings: remote_set(list.mappings.into_iter().map(|m| (m.ip, Target::new(m.vendor, m.region)))),
        modified_on: list.modified_on,
    })
}

fn batch_result<S>(outcome: BatchOutcome<S>) -> BatchResult {
    BatchResult {
        succeeded: outcome.succeeded.into_keys().collect(),
        failed: outcome.failed,
        not_applied: outcome
            .not_applied
            .into_iter()
            .map(|chunk| NotApplied { ips: chunk.ips, error: chunk.error.to_string() })
            .collect(),
        modified_on: outcome.modified_on,
    }
}

/// Sends the added and changed entries (the client chunks them by 100).
pub async fn upsert(client: &Client, zone_id: &str, changes: &Changes) -> BatchResult {
    if changes.upserts.is_empty() {
        return BatchResult::default();
    }
    let mappings: Vec<Mapping> = changes
        .upserts
        .iter()
        .map(|u| Mapping::new(u.canonical.clone(), u.target.vendor.clone(), u.target.region.clone()))
        .collect();
    batch_result(client.batch_upsert(zone_id, &mappings).await)
}

/// Deletes the removed addresses. Addresses that were already gone count as deleted: when
/// anything did not succeed, one listing tells which of them still exist.
pub async fn delete(client: &Client, zone_id: &str, changes: &Changes) -> BatchResult {
    if changes.removals.is_empty() {
        return BatchResult::default();
    }
    let ips: Vec<String> = changes.removals.iter().map(|r| r.canonical.clone()).collect();
    let mut result = batch_result(client.batch_delete(zone_id, &ips).await);
    let requested = changes.removed_addresses();
    if result.has_failures(&requested) {
        // If the listing fails too, the failures stand as reported.
        if let Ok(listing) = list(client, zone_id).await {
            let present: BTreeSet<String> = listing.mappings.iter().map(|(ip, _)| ip.clone()).collect();
            result.treat_absent_as_deleted(&requested, &present);
        }
    }
    result
}

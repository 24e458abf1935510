//! The resource's writes through the zone claims (`provider::zone_claims`): upserts announce
//! what the instance holds and wait for deletes of their IPs in flight; deletes leave alone
//! what another instance of this run, or the new half of a replacement, holds.

use std::collections::BTreeSet;
use std::sync::Arc;

use super::diff::{addresses, Changes};
use super::model::MappingSet;
use super::outcome::BatchResult;
use super::remote;
use super::successor_note::SuccessorNote;
use crate::cloudflare::Client;
use crate::provider::zone_claims::ZoneClaims;

/// The claims of this provider process, and the successor note of the change being applied.
pub struct Coordination {
    pub claims: Arc<ZoneClaims>,
    /// For the delete half of a replacement: what the new object will hold.
    pub successor: Option<SuccessorNote>,
}

impl Coordination {
    /// A writer with claims of its own, as if no other instance ran.
    #[cfg(test)]
    pub fn alone() -> Coordination {
        Coordination { claims: Arc::new(ZoneClaims::new()), successor: None }
    }

    /// Sends `changes`' upserts once no delete of their IPs is in flight, announcing first
    /// that this instance holds all of `desired`.
    pub async fn upsert(&self, client: &Client, zone_id: &str, desired: &MappingSet, changes: &Changes) -> BatchResult {
        if changes.upserts.is_empty() {
            self.claims.hold(zone_id, addresses(desired));
            return BatchResult::default();
        }
        let writing: BTreeSet<String> = changes.upserts.iter().map(|upsert| upsert.canonical.clone()).collect();
        self.claims.hold_and_wait_for_deletes(zone_id, addresses(desired), &writing).await;
        remote::upsert(client, zone_id, changes).await
    }

    /// Deletes `changes`' removals except those someone else holds. Those count as done for
    /// this resource: the mapping is no longer its to manage, and its holder writes it.
    pub async fn delete(&self, client: &Client, zone_id: &str, changes: &Changes) -> BatchResult {
        if changes.removals.is_empty() {
            return BatchResult::default();
        }
        let successor = SuccessorNote::ips_in(self.successor.as_ref(), zone_id);
        let removals = changes.removals.iter().map(|removal| removal.canonical.clone());
        let mut ticket = self.claims.begin_delete(zone_id, removals, &successor);
        let left_alone = std::mem::take(&mut ticket.held_elsewhere);
        let to_delete = Changes {
            upserts: Vec::new(),
            removals: changes.removals.iter().filter(|r| ticket.to_delete.contains(&r.canonical)).cloned().collect(),
        };
        let mut result = remote::delete(client, zone_id, &to_delete).await;
        drop(ticket);
        if !left_alone.is_empty() {
            tracing::info!(zone_id, ips = ?left_alone, "not deleted: another resource of this run holds them");
            result.succeeded.extend(left_alone);
        }
        result
    }
}

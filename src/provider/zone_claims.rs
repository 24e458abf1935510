//! Which origin IPs the resource instances of this run hold or are deleting, per zone: the
//! process-wide coordination that keeps one instance's delete from removing a mapping that
//! another instance (or the new half of a replacement) holds.
//!
//! Terraform applies every instance of one provider configuration in one provider process, in
//! parallel, and in no fixed order. The rules, each decided under one lock:
//! - an instance announces the IPs it will hold (when planned, and again before it writes);
//! - a delete leaves out the IPs someone announced, and marks the rest as being deleted;
//! - a write waits while a delete of any of its IPs is in flight.
//!
//! So for every IP either the delete saw the announcement (and skipped it) or the write saw
//! the delete (and landed after it). Announcements last for the run (the provider process is
//! started per run and configured once; `clear_holds` forgets them on a new configuration).

use std::collections::{BTreeMap, BTreeSet};
use std::pin::pin;
use std::sync::{Mutex, MutexGuard};

use tokio::sync::Notify;

#[derive(Default)]
pub struct ZoneClaims {
    zones: Mutex<BTreeMap<String, Zone>>,
    /// Woken whenever a delete finishes, for the writes waiting on it.
    delete_finished: Notify,
}

#[derive(Default)]
struct Zone {
    /// Canonical IPs some instance of this run will hold.
    held: BTreeSet<String>,
    /// Canonical IP -> deletes of it in flight.
    deleting: BTreeMap<String, usize>,
}

/// A delete allowed to go ahead: its IPs count as being deleted until this is dropped.
#[must_use = "the IPs count as being deleted until the ticket is dropped"]
pub struct DeleteTicket<'a> {
    claims: &'a ZoneClaims,
    zone_id: String,
    /// The canonical IPs to delete now.
    pub to_delete: BTreeSet<String>,
    /// The canonical IPs left alone: someone in this run holds them.
    pub held_elsewhere: BTreeSet<String>,
}

impl ZoneClaims {
    pub fn new() -> ZoneClaims {
        ZoneClaims::default()
    }

    fn zones(&self) -> MutexGuard<'_, BTreeMap<String, Zone>> {
        // A poisoned lock only means a panic elsewhere mid-update of plain sets.
        self.zones.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Announces that an instance will hold `ips` (canonical) in `zone_id`.
    pub fn hold(&self, zone_id: &str, ips: impl IntoIterator<Item = String>) {
        self.zones().entry(zone_id.to_string()).or_default().held.extend(ips);
    }

    /// Announces `held` like [`hold`](Self::hold), then waits until no delete of any IP in
    /// `writing` is in flight, so the write that follows lands after those deletes.
    pub async fn hold_and_wait_for_deletes(
        &self,
        zone_id: &str,
        held: impl IntoIterator<Item = String>,
        writing: &BTreeSet<String>,
    ) {
        self.hold(zone_id, held);
        loop {
            // Registered before the check, so a delete finishing in between still wakes us.
            let mut finished = pin!(self.delete_finished.notified());
            finished.as_mut().enable();
            let busy = self
                .zones()
                .get(zone_id)
                .is_some_and(|zone| writing.iter().any(|ip| zone.deleting.contains_key(ip)));
            if !busy {
                return;
            }
            finished.await;
        }
    }

    /// Splits `ips` (canonical) into those to delete now and those someone holds, either by
    /// announcement or in `also_held` (what the new half of a replacement will hold).
    pub fn begin_delete(
        &self,
        zone_id: &str,
        ips: impl IntoIterator<Item = String>,
        also_held: &BTreeSet<String>,
    ) -> DeleteTicket<'_> {
        let mut zones = self.zones();
        let zone = zones.entry(zone_id.to_string()).or_default();
        let (held_elsewhere, to_delete): (BTreeSet<String>, BTreeSet<String>) =
            ips.into_iter().partition(|ip| zone.held.contains(ip) || also_held.contains(ip));
        for ip in &to_delete {
            *zone.deleting.entry(ip.clone()).or_default() += 1;
        }
        DeleteTicket { claims: self, zone_id: zone_id.to_string(), to_delete, held_elsewhere }
    }

    /// Forgets every announcement (a new provider configuration starts a new run).
    pub fn clear_holds(&self) {
        for zone in self.zones().values_mut() {
            zone.held.clear();
        }
    }
}

impl Drop for DeleteTicket<'_> {
    fn drop(&mut self) {
        {
            let mut zones = self.claims.zones();
            if let Some(zone) = zones.get_mut(&self.zone_id) {
                for ip in &self.to_delete {
                    if let Some(count) = zone.deleting.get_mut(ip) {
                        *count -= 1;
                        if *count == 0 {
                            zone.deleting.remove(ip);
                        }
                    }
                }
            }
        }
        self.claims.delete_finished.notify_waiters();
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::time::Duration;

    use super::*;

    const ZONE: &str = "023e105f4ecef8ad9ca31a8372d0c353";

    fn ips(list: &[&str]) -> BTreeSet<String> {
        list.iter().map(|ip| ip.to_string()).collect()
    }

    #[test]
    fn deletes_skip_what_someone_holds_in_that_zone() {
        let claims = ZoneClaims::new();
        claims.hold(ZONE, ips(&["192.0.2.1"]));
        claims.hold("11111111111111111111111111111111", ips(&["192.0.2.2"]));
        let ticket = claims.begin_delete(ZONE, ips(&["192.0.2.1", "192.0.2.2", "192.0.2.3"]), &ips(&["192.0.2.3"]));
        assert_eq!(ticket.held_elsewhere, ips(&["192.0.2.1", "192.0.2.3"]));
        assert_eq!(ticket.to_delete, ips(&["192.0.2.2"]));
    }

    #[test]
    fn clearing_forgets_holds() {
        let claims = ZoneClaims::new();
        claims.hold(ZONE, ips(&["192.0.2.1"]));
        claims.clear_holds();
        assert_eq!(claims.begin_delete(ZONE, ips(&["192.0.2.1"]), &BTreeSet::new()).to_delete, ips(&["192.0.2.1"]));
    }

    #[tokio::test(start_paused = true)]
    async fn a_write_waits_for_a_delete_of_its_ips_in_flight() {
        let claims = Arc::new(ZoneClaims::new());
        let ticket = claims.begin_delete(ZONE, ips(&["192.0.2.1", "192.0.2.2"]), &BTreeSet::new());
        let writer = {
            let claims = Arc::clone(&claims);
            tokio::spawn(async move {
                claims.hold_and_wait_for_deletes(ZONE, ips(&["192.0.2.1"]), &ips(&["192.0.2.1"])).await;
            })
        };
        tokio::time::sleep(Duration::from_secs(5)).await;
        assert!(!writer.is_finished(), "the write must wait for the delete");
        // The announcement is already in: a later delete leaves the IP alone.
        assert!(claims.begin_delete(ZONE, ips(&["192.0.2.1"]), &BTreeSet::new()).to_delete.is_empty());
        drop(ticket);
        writer.await.unwrap();
    }

    #[tokio::test]
    async fn writes_of_other_ips_do_not_wait() {
        let claims = ZoneClaims::new();
        let _ticket = claims.begin_delete(ZONE, ips(&["192.0.2.1"]), &BTreeSet::new());
        claims.hold_and_wait_for_deletes(ZONE, ips(&["192.0.2.9"]), &ips(&["192.0.2.9"])).await;
        let other_zone = "11111111111111111111111111111111";
        claims.hold_and_wait_for_deletes(other_zone, ips(&["192.0.2.1"]), &ips(&["192.0.2.1"])).await;
    }

    #[tokio::test(start_paused = true)]
    async fn overlapping_deletes_count_until_the_last_finishes() {
        let claims = ZoneClaims::new();
        let first = claims.begin_delete(ZONE, ips(&["192.0.2.1"]), &BTreeSet::new());
        let second = claims.begin_delete(ZONE, ips(&["192.0.2.1"]), &BTreeSet::new());
        drop(first);
        let writing = ips(&["192.0.2.1"]);
        let write = claims.hold_and_wait_for_deletes(ZONE, BTreeSet::new(), &writing);
        assert!(tokio::time::timeout(Duration::from_millis(50), write).await.is_err(), "still one delete in flight");
        drop(second);
        claims.hold_and_wait_for_deletes(ZONE, BTreeSet::new(), &ips(&["192.0.2.1"])).await;
    }
}

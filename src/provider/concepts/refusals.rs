//! Requests Cloudflare refused (HTTP 401/403), each said once per run: a refused credential
//! once for the whole provider configuration, a zone refused to a credential Cloudflare
//! confirmed at start once per zone. Planning and refreshing share one log, so a run with many
//! resources shows one error where they all fail the same way.

use std::collections::HashSet;
use std::sync::Mutex;

use super::finding::{Finding, Place};
use crate::cloudflare::ApiError;

/// A refusal, ready to be said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    summary: &'static str,
    detail: String,
    /// "" for the credential, else the zone.
    key: String,
}

impl Refusal {
    /// The refusal in `error`, met on a request for `zone_id`; None for any other error.
    pub fn of(error: &ApiError, zone_id: &str) -> Option<Refusal> {
        let (summary, detail) = (error.auth_summary()?, error.auth_detail()?);
        Some(if error.is_zone_refusal() {
            Refusal {
                summary,
                detail: format!("Zone {zone_id}: {detail} (Reported once for all resources of this zone.)"),
                key: zone_id.to_string(),
            }
        } else {
            Refusal {
                summary,
                detail: format!(
                    "First refused for zone {zone_id}: {detail} (Reported once for all resources of this \
                     provider configuration.)"
                ),
                key: String::new(),
            }
        })
    }

    /// An error about the provider or the zone, never about a line of the resource.
    pub fn finding(&self) -> Finding {
        Finding::error(Place::Resource, self.summary, self.detail.clone())
    }
}

/// The refusals said so far in this run.
#[derive(Debug, Default)]
pub struct RefusalLog {
    said: Mutex<HashSet<String>>,
}

impl RefusalLog {
    /// A new configuration (possibly other credentials) is a new run.
    pub fn start_run(&self) {
        self.said.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).clear();
    }

    /// The finding for `refusal` the first time it comes up in this run; None after that (the
    /// first error alone fails the run).
    pub fn first(&self, refusal: &Refusal) -> Option<Finding> {
        let mut said = self.said.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        said.insert(refusal.key.clone()).then(|| refusal.finding())
    }

    /// For a request that failed with `error` on `zone_id`: `Some` when it is a refusal, holding
    /// its finding the first time and nothing after; `None` for any other error.
    pub fn failure(&self, error: &ApiError, zone_id: &str) -> Option<Vec<Finding>> {
        Refusal::of(error, zone_id).map(|refusal| self.first(&refusal).into_iter().collect())
    }
}

//! In-process test controls: inspect and edit the store, inject faults, read request counters.

use std::collections::BTreeMap;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use time::OffsetDateTime;

use axum::http::StatusCode;

use super::envelope::ApiFailure;
use super::faults::V1BatchFault;
use super::page_hook::{PageHook, StoreChange};
use super::ratelimit::{RatelimitPolicy, RatelimitWindow};
use super::request::is_zone_id;
use super::retirement::V1Retirement;
use super::request_log::RecordedRequest;
use super::state::{lock, Shared};
use super::store::StoredMapping;

/// Why a control call was refused.
#[derive(Debug, thiserror::Error)]
pub enum ControlError {
    #[error(transparent)]
    InvalidIp(#[from] crate::ip::IpError),
    #[error("{0:?} is not a zone id (32 lower-case hex characters)")]
    InvalidZoneId(String),
    #[error("the emulator could not persist its state")]
    Persist,
    #[error("{0} is not an HTTP status code")]
    InvalidStatus(u16),
}

/// A cheap, cloneable handle on a running emulator's state.
#[derive(Clone)]
pub struct EmulatorControl {
    pub(crate) shared: Arc<Shared>,
}

impl EmulatorControl {
    /// The zone's mappings keyed by canonical IP.
    pub fn mappings(&self, zone_id: &str) -> BTreeMap<String, StoredMapping> {
        let (mappings, _) = self.shared.list(zone_id);
        mappings
            .into_iter()
            .map(|(ip, m)| (ip.to_string(), m))
            .collect()
    }

    /// The set-level `modified_on` v1 reports (None when the zone has no mappings).
    pub fn zone_modified_on(&self, zone_id: &str) -> Option<String> {
        self.shared.list(zone_id).1
    }

    /// Out-of-band create/replace (as if edited in the dashboard). The IP is canonicalised;
    /// vendor and region are stored as given, unvalidated, and the zone limit is not enforced.
    pub fn put_mapping(
        &self,
        zone_id: &str,
        ip: &str,
        vendor: &str,
        region: &str,
    ) -> Result<(), ControlError> {
        check_zone(zone_id)?;
        let addr = crate::ip::parse_ip(ip)?;
        let now = self.shared.now();
        self.shared
            .mutate(|store| {
                store.zone_mut(zone_id).upsert(addr, vendor, region, &now);
                Ok(())
            })
            .map_err(|_| ControlError::Persist)
    }

    /// Out-of-band removal; `Ok(false)` when there was no mapping.
    pub fn remove_mapping(&self, zone_id: &str, ip: &str) -> Result<bool, ControlError> {
        let addr = crate::ip::parse_ip(ip)?;
        let now = self.shared.now();
        self.shared
            .mutate(|store| Ok(store.zone_mut(zone_id).remove(&addr, &now).is_some()))
            .map_err(|_| ControlError::Persist)
    }

    /// Removes every mapping of the zone.
    pub fn clear_zone(&self, zone_id: &str) -> Result<(), ControlError> {
        self.shared
            .mutate(|store| {
                store.zones.remove(zone_id);
                Ok(())
            })
            .map_err(|_| ControlError::Persist)
    }

    /// API requests (admin calls excluded) with `method` ("*" = any, case-insensitive) whose path
    /// ends with `path_suffix` — e.g. `("PATCH", "/cache/origin_cloud_regions/batch")`. Counts
    /// every request that reached the emulator, including faulted and dropped ones.
    pub fn request_count(&self, method: &str, path_suffix: &str) -> u64 {
        lock(&self.shared.log).count(method, path_suffix)
    }

    /// The request log, oldest first.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        lock(&self.shared.log).requests()
    }

    pub fn reset_counters(&self) {
        lock(&self.shared.log).clear();
        self.shared.max_in_flight.store(0, Ordering::SeqCst);
    }

    /// The most API requests the emulator was answering at the same time (since the last reset).
    pub fn max_concurrent_requests(&self) -> u64 {
        self.shared.max_in_flight.load(Ordering::SeqCst)
    }

    /// Delay before every API request is answered (zero = none).
    pub fn set_latency(&self, latency: Duration) {
        lock(&self.shared.faults).latency = latency;
    }

    /// Extra delay before every DELETE request is answered (and applied): slow deletes.
    pub fn set_delete_latency(&self, latency: Duration) {
        lock(&self.shared.faults).delete_latency = latency;
    }

    /// The next `requests` API requests answer 429 with `Retry-After: retry_after_secs`.
    pub fn rate_limit(&self, requests: u64, retry_after_secs: u64) {
        lock(&self.shared.faults).rate_limit_requests(requests, retry_after_secs);
    }

    /// Every API request answers 429 until `window` has passed (tokio time).
    pub fn rate_limit_for(&self, window: Duration, retry_after_secs: u64) {
        let until = tokio::time::Instant::now() + window;
        lock(&self.shared.faults).rate_limit_window(until, retry_after_secs);
    }

    /// The next `requests` API requests answer `status` (e.g. 500, 502, 503) with an envelope.
    pub fn fail_5xx(&self, requests: u64, status: u16) {
        lock(&self.shared.faults).server_errors(requests, status);
    }

    /// The next `requests` API requests get their connection closed without any answer.
    pub fn drop_connections(&self, requests: u64) {
        lock(&self.shared.faults).drop_connections(requests);
    }

    /// The next `requests` writes are applied, then their connection is closed without answer.
    pub fn lose_write_answers(&self, requests: u64) {
        lock(&self.shared.faults).lose_write_answers(requests);
    }

    /// Every write touching `ip` fails with `message`: a `failed` entry in batches, 400/1146
    /// for single-item calls.
    pub fn fail_ip(&self, ip: &str, message: &str) -> Result<(), ControlError> {
        let addr = crate::ip::parse_ip(ip)?;
        lock(&self.shared.faults)
            .failing_ips
            .insert(addr, message.to_string());
        Ok(())
    }

    /// Every upsert naming `region` (any vendor) fails with `message`: a `failed` entry in
    /// batches, 400/1157 for single-item calls.
    pub fn fail_region(&self, region: &str, message: &str) {
        lock(&self.shared.faults)
            .failing_regions
            .insert(region.to_string(), message.to_string());
    }

    /// Clears every fault and the latency.
    pub fn clear_faults(&self) {
        *lock(&self.shared.faults) = Default::default();
    }

    /// A disabled family answers like a removed route (v1: in the style last set with
    /// [`Self::set_v1_retired`], 404/7003 by default).
    pub fn set_v1_enabled(&self, enabled: bool) {
        self.shared.v1_enabled.store(enabled, Ordering::SeqCst);
    }

    /// Retires v1 (`Some(style)`: every v1 request gets that answer) or serves it again (`None`).
    pub fn set_v1_retired(&self, style: Option<V1Retirement>) {
        if let Some(style) = style {
            *lock(&self.shared.v1_retirement) = style;
        }
        self.set_v1_enabled(style.is_none());
    }

    /// Every API request for `zone_id` (after routing and authentication) answers `status`
    /// with one error `code`/`message` — e.g. 404/1001 for a zone that does not exist.
    pub fn fail_zone(&self, zone_id: &str, status: u16, code: u32, message: &str) -> Result<(), ControlError> {
        let status = StatusCode::from_u16(status).map_err(|_| ControlError::InvalidStatus(status))?;
        lock(&self.shared.faults).zone_errors.insert(zone_id.to_string(), ApiFailure::new(status, code, message));
        Ok(())
    }

    /// `editable: false` in v1 answers, and every write to the zone refused (400/1155).
    pub fn set_editable(&self, zone_id: &str, editable: bool) {
        let mut faults = lock(&self.shared.faults);
        if editable {
            faults.non_editable_zones.remove(zone_id);
        } else {
            faults.non_editable_zones.insert(zone_id.to_string());
        }
    }

    /// The next `requests` v1 batch PATCH requests meet `fault`.
    pub fn fail_v1_batches(&self, requests: u64, fault: V1BatchFault) {
        lock(&self.shared.faults).fail_v1_batches(requests, fault);
    }

    /// Sends `Ratelimit`/`Ratelimit-Policy` headers and enforces `policy` from now on (None: off).
    pub fn set_ratelimit(&self, policy: Option<RatelimitPolicy>) {
        *lock(&self.shared.ratelimit) =
            policy.map(|policy| RatelimitWindow::new(policy, tokio::time::Instant::now()));
    }

    /// Arms a one-shot hook on the zone's v2 list (see [`PageHook`]).
    pub fn set_page_hook(&self, hook: PageHook) {
        lock(&self.shared.page_hooks).push(hook);
    }

    /// A hook that, after page `after_page` of the zone's v2 list, removes the zone's first
    /// `remove` mappings in address order (shifting every later page) and holds the answer `delay`.
    pub fn remove_between_pages(&self, zone_id: &str, after_page: usize, remove: usize, delay: Duration) {
        let zone = zone_id.to_string();
        let change: StoreChange = Arc::new(move |control: &EmulatorControl| {
            for ip in control.mappings(&zone).into_keys().take(remove) {
                let _ = control.remove_mapping(&zone, &ip);
            }
        });
        self.set_page_hook(PageHook { zone_id: zone_id.to_string(), after_page, delay, change });
    }

    pub fn set_v2_enabled(&self, enabled: bool) {
        self.shared.v2_enabled.store(enabled, Ordering::SeqCst);
    }

    /// Fixes the time written to `modified_on` (None = system clock).
    pub fn set_clock(&self, now: Option<OffsetDateTime>) {
        *lock(&self.shared.fixed_now) = now;
    }
}

fn check_zone(zone_id: &str) -> Result<(), ControlError> {
    if is_zone_id(zone_id) {
        Ok(())
    } else {
        Err(ControlError::InvalidZoneId(zone_id.to_string()))
    }
}

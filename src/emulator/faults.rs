//! Injected failures and delays, consumed request by request.

use std::collections::{BTreeMap, BTreeSet};
use std::net::IpAddr;
use std::time::Duration;

use tokio::time::Instant;

use super::envelope::ApiFailure;

/// What the next v1 batch PATCH requests get (Cloudflare documents 5XX 1140 and 1156 for it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum V1BatchFault {
    /// `status` (5xx) with code 1140 "Internal error".
    ServerError { status: u16 },
    /// 500 with code 1156 "Failed to validate region against cloud vendor".
    RegionValidation,
    /// 200, every item in `failed` with the 1156 text; nothing applied.
    ItemRegionValidation,
}

/// What the next request gets instead of normal handling.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Injected {
    /// Close the connection without answering.
    Drop,
    /// 429 with `Retry-After: secs`.
    RateLimited { retry_after_secs: u64 },
    /// An error status (5xx) with an envelope.
    ServerError { status: u16 },
}

/// Fault settings. Counted faults ("next N requests") are consumed one per zone API request
/// (the credential check endpoints neither consume nor see them); when
/// several are armed, dropping wins over rate limiting, which wins over 5xx.
#[derive(Debug, Default)]
pub struct Faults {
    pub latency: Duration,
    /// Extra delay for DELETE requests only, so a delete can land after writes sent later.
    pub delete_latency: Duration,
    rate_limit_remaining: u64,
    rate_limit_until: Option<Instant>,
    retry_after_secs: u64,
    server_errors_remaining: u64,
    server_error_status: u16,
    drops_remaining: u64,
    lost_write_answers_remaining: u64,
    /// Canonical address -> error text for every write touching it.
    pub failing_ips: BTreeMap<IpAddr, String>,
    /// Region name (any vendor) -> error text for every upsert naming it.
    pub failing_regions: BTreeMap<String, String>,
    /// Zone -> the answer every API request for it gets (after routing and authentication).
    pub zone_errors: BTreeMap<String, ApiFailure>,
    /// Zones whose setting reports `editable: false`; writes to them are refused.
    pub non_editable_zones: BTreeSet<String>,
    v1_batch_faults_remaining: u64,
    v1_batch_fault: Option<V1BatchFault>,
}

impl Faults {
    pub fn rate_limit_requests(&mut self, requests: u64, retry_after_secs: u64) {
        self.rate_limit_remaining = requests;
        self.retry_after_secs = retry_after_secs;
    }

    pub fn rate_limit_window(&mut self, until: Instant, retry_after_secs: u64) {
        self.rate_limit_until = Some(until);
        self.retry_after_secs = retry_after_secs;
    }

    pub fn server_errors(&mut self, requests: u64, status: u16) {
        self.server_errors_remaining = requests;
        self.server_error_status = status;
    }

    pub fn drop_connections(&mut self, requests: u64) {
        self.drops_remaining = requests;
    }

    /// The next `requests` writes are applied, then their connection is closed unanswered: the
    /// client cannot tell whether its write landed.
    pub fn lose_write_answers(&mut self, requests: u64) {
        self.lost_write_answers_remaining = requests;
    }

    /// Whether the answer to a write just applied is lost (consumes one).
    pub fn take_lost_write_answer(&mut self) -> bool {
        let lost = self.lost_write_answers_remaining > 0;
        self.lost_write_answers_remaining = self.lost_write_answers_remaining.saturating_sub(1);
        lost
    }

    /// The delay before answering a request with `method`.
    pub fn latency_for(&self, method: &str) -> Duration {
        if method == "DELETE" {
            self.latency + self.delete_latency
        } else {
            self.latency
        }
    }

    pub fn fail_v1_batches(&mut self, requests: u64, fault: V1BatchFault) {
        self.v1_batch_faults_remaining = requests;
        self.v1_batch_fault = Some(fault);
    }

    /// Consumes the fault for one v1 batch PATCH, if one is armed.
    pub fn next_v1_batch_fault(&mut self) -> Option<V1BatchFault> {
        if self.v1_batch_faults_remaining == 0 {
            return None;
        }
        self.v1_batch_faults_remaining -= 1;
        self.v1_batch_fault
    }

    /// Decides (and consumes) the fault for one incoming API request.
    pub fn next_injection(&mut self, now: Instant) -> Option<Injected> {
        if self.drops_remaining > 0 {
            self.drops_remaining -= 1;
            return Some(Injected::Drop);
        }
        if self.rate_limit_until.is_some_and(|until| now >= until) {
            self.rate_limit_until = None;
        }
        if self.rate_limit_until.is_some() || self.rate_limit_remaining > 0 {
            self.rate_limit_remaining = self.rate_limit_remaining.saturating_sub(1);
            return Some(Injected::RateLimited {
                retry_after_secs: self.retry_after_secs,
            });
        }
        if self.server_errors_remaining > 0 {
            self.server_errors_remaining -= 1;
            return Some(Injected::ServerError {
                status: self.server_error_status,
            });
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // `next_injection` takes the time as input, so no clock control is needed.
    #[test]
    fn lost_write_answers_are_counted() {
        let mut faults = Faults::default();
        faults.lose_write_answers(1);
        assert!(faults.take_lost_write_answer());
        assert!(!faults.take_lost_write_answer());
    }

    #[test]
    fn counted_faults_are_consumed_in_priority_order() {
        let mut faults = Faults::default();
        faults.drop_connections(1);
        faults.rate_limit_requests(1, 7);
        faults.server_errors(2, 503);
        let now = Instant::now();
        assert_eq!(faults.next_injection(now), Some(Injected::Drop));
        assert_eq!(
            faults.next_injection(now),
            Some(Injected::RateLimited {
                retry_after_secs: 7
            })
        );
        assert_eq!(
            faults.next_injection(now),
            Some(Injected::ServerError { status: 503 })
        );
        assert_eq!(
            faults.next_injection(now),
            Some(Injected::ServerError { status: 503 })
        );
        assert_eq!(faults.next_injection(now), None);
    }

    #[test]
    fn delete_latency_adds_to_deletes_only() {
        let faults = Faults {
            latency: Duration::from_millis(10),
            delete_latency: Duration::from_millis(200),
            ..Faults::default()
        };
        assert_eq!(faults.latency_for("DELETE"), Duration::from_millis(210));
        assert_eq!(faults.latency_for("PATCH"), Duration::from_millis(10));
    }

    #[test]
    fn v1_batch_faults_are_counted() {
        let mut faults = Faults::default();
        assert_eq!(faults.next_v1_batch_fault(), None);
        faults.fail_v1_batches(1, V1BatchFault::RegionValidation);
        assert_eq!(faults.next_v1_batch_fault(), Some(V1BatchFault::RegionValidation));
        assert_eq!(faults.next_v1_batch_fault(), None);
    }

    #[test]
    fn rate_limit_window_ends() {
        let mut faults = Faults::default();
        let start = Instant::now();
        faults.rate_limit_window(start + Duration::from_secs(5), 5);
        assert!(faults.next_injection(start).is_some());
        assert!(faults
            .next_injection(start + Duration::from_secs(4))
            .is_some());
        assert_eq!(faults.next_injection(start + Duration::from_secs(5)), None);
    }
}

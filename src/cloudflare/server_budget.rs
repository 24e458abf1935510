//! Pacing by Cloudflare's own account of the budget: every answer carries
//! `Ratelimit: "default";r=<remaining>;t=<seconds to reset>` (and `Ratelimit-Policy`, the quota
//! `q` per window `w`). When the server says nothing is left, requests wait for the reset
//! instead of running into a 429 and its five-minute block.

use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;
use tokio_util::sync::CancellationToken;
use tracing::debug;

use super::error::ApiError;

/// Longest pause taken on the server's word (a window is 5 minutes at most).
const MAX_PAUSE: Duration = Duration::from_secs(300);

/// The `r` and `t` parameters of a `Ratelimit` header value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Reported {
    pub remaining: u64,
    pub reset: Duration,
}

/// Parses `"default";r=50;t=30` (parameter order and the policy name do not matter).
pub(crate) fn parse_ratelimit(value: &str) -> Option<Reported> {
    let mut remaining = None;
    let mut reset = None;
    for parameter in value.split(';').skip(1) {
        let (name, number) = parameter.trim().split_once('=')?;
        let number: u64 = number.trim().parse().ok()?;
        match name.trim() {
            "r" => remaining = Some(number),
            "t" => reset = Some(Duration::from_secs(number)),
            _ => {}
        }
    }
    Some(Reported { remaining: remaining?, reset: reset? })
}

#[derive(Debug, Default)]
struct Budget {
    /// Requests the server still allows until `resets_at` (counted down as we send).
    remaining: u64,
    resets_at: Option<Instant>,
}

/// The last budget the server reported, shared by every request of the process.
#[derive(Debug, Default)]
pub(crate) struct ServerBudget {
    budget: Mutex<Budget>,
}

impl ServerBudget {
    fn lock(&self) -> std::sync::MutexGuard<'_, Budget> {
        // Plain numbers: a panic elsewhere cannot leave them inconsistent.
        self.budget.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Records what an answer's `Ratelimit` header said.
    pub fn observe(&self, reported: Reported) {
        let mut budget = self.lock();
        budget.remaining = reported.remaining;
        budget.resets_at = Some(Instant::now() + reported.reset.min(MAX_PAUSE));
    }

    /// Takes one request from the budget, first waiting for the reset if none is left.
    pub async fn acquire(&self, cancel: &CancellationToken) -> Result<(), ApiError> {
        let wait_until = {
            let mut budget = self.lock();
            match budget.resets_at {
                Some(at) if Instant::now() >= at => {
                    *budget = Budget::default();
                    None
                }
                Some(at) if budget.remaining == 0 => Some(at),
                Some(_) => {
                    budget.remaining -= 1;
                    None
                }
                None => None,
            }
        };
        let Some(at) = wait_until else { return Ok(()) };
        debug!(wait_ms = at.saturating_duration_since(Instant::now()).as_millis() as u64, "Cloudflare reports no requests left; waiting for the reset");
        tokio::select! {
            biased;
            _ = cancel.cancelled() => Err(ApiError::Cancelled),
            _ = tokio::time::sleep_until(at) => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_documented_form() {
        assert_eq!(parse_ratelimit("\"default\";r=50;t=30"), Some(Reported { remaining: 50, reset: Duration::from_secs(30) }));
        assert_eq!(parse_ratelimit("\"burst\"; t=0; r=0"), Some(Reported { remaining: 0, reset: Duration::ZERO }));
        assert_eq!(parse_ratelimit("\"default\";q=100;w=60"), None, "a policy is not a budget");
        assert_eq!(parse_ratelimit("garbage"), None);
    }

    #[tokio::test(start_paused = true)]
    async fn waits_for_the_reset_only_when_nothing_is_left() {
        let budget = ServerBudget::default();
        let cancel = CancellationToken::new();
        let start = Instant::now();
        budget.acquire(&cancel).await.unwrap();
        budget.observe(Reported { remaining: 2, reset: Duration::from_secs(10) });
        budget.acquire(&cancel).await.unwrap();
        budget.acquire(&cancel).await.unwrap();
        assert_eq!(start.elapsed(), Duration::ZERO, "two requests were left");
        budget.acquire(&cancel).await.unwrap();
        assert_eq!(start.elapsed(), Duration::from_secs(10), "the third waited for the reset");
        budget.acquire(&cancel).await.unwrap();
        assert_eq!(start.elapsed(), Duration::from_secs(10), "after the reset the budget is unknown again");
    }

    #[tokio::test(start_paused = true)]
    async fn cancellation_ends_the_wait() {
        let budget = ServerBudget::default();
        budget.observe(Reported { remaining: 0, reset: Duration::from_secs(60) });
        let cancel = CancellationToken::new();
        cancel.cancel();
        assert!(matches!(budget.acquire(&cancel).await, Err(ApiError::Cancelled)));
    }
}

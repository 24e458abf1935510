//! Cloudflare-style request budget: a quota per fixed window, told to clients on every answer
//! with `Ratelimit: "default";r=<remaining>;t=<seconds to reset>` and
//! `Ratelimit-Policy: "default";q=<quota>;w=<window seconds>`; past the quota, 429 with
//! `Retry-After` until the window resets. Off unless configured (Cloudflare's own budget is
//! 1,200 requests per 300 s).

use std::time::Duration;

use axum::http::{HeaderMap, HeaderValue};
use tokio::time::Instant;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RatelimitPolicy {
    pub quota: u64,
    pub window: Duration,
}

impl RatelimitPolicy {
    /// Parses `QUOTA/WINDOW_SECS`, e.g. `1200/300`.
    pub fn parse(text: &str) -> Result<RatelimitPolicy, String> {
        let parsed = text.split_once('/').and_then(|(quota, window)| {
            Some(RatelimitPolicy { quota: quota.trim().parse().ok()?, window: Duration::from_secs(window.trim().parse().ok()?) })
        });
        parsed
            .filter(|policy| policy.quota > 0 && !policy.window.is_zero())
            .ok_or_else(|| format!("{text:?} is not QUOTA/WINDOW_SECS with both above zero, e.g. 1200/300"))
    }
}

/// What one request got: through or not, and the header values to send either way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Admission {
    pub allowed: bool,
    pub remaining: u64,
    /// Whole seconds until the window resets (rounded up).
    pub reset_secs: u64,
    pub policy: RatelimitPolicy,
}

impl Admission {
    pub fn write_headers(&self, headers: &mut HeaderMap) {
        let budget = format!("\"default\";r={};t={}", self.remaining, self.reset_secs);
        let policy = format!("\"default\";q={};w={}", self.policy.quota, self.policy.window.as_secs());
        for (name, value) in [("ratelimit", budget), ("ratelimit-policy", policy)] {
            if let Ok(value) = HeaderValue::from_str(&value) {
                headers.insert(name, value);
            }
        }
    }
}

/// The current window of a policy.
#[derive(Debug)]
pub struct RatelimitWindow {
    policy: RatelimitPolicy,
    started: Instant,
    used: u64,
}

impl RatelimitWindow {
    pub fn new(policy: RatelimitPolicy, now: Instant) -> Self {
        Self { policy, started: now, used: 0 }
    }

    /// Counts one request at `now`.
    pub fn admit(&mut self, now: Instant) -> Admission {
        if now.saturating_duration_since(self.started) >= self.policy.window {
            self.started = now;
            self.used = 0;
        }
        let allowed = self.used < self.policy.quota;
        if allowed {
            self.used += 1;
        }
        let left = self.policy.window.saturating_sub(now.saturating_duration_since(self.started));
        Admission {
            allowed,
            remaining: self.policy.quota - self.used,
            reset_secs: left.as_secs() + u64::from(left.subsec_nanos() > 0),
            policy: self.policy,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quota_per_window_then_reset() {
        let policy = RatelimitPolicy::parse("2/10").unwrap();
        let start = Instant::now();
        let mut window = RatelimitWindow::new(policy, start);
        let first = window.admit(start);
        assert!(first.allowed && first.remaining == 1 && first.reset_secs == 10);
        assert!(window.admit(start + Duration::from_millis(1500)).allowed);
        let refused = window.admit(start + Duration::from_secs(2));
        assert!(!refused.allowed && refused.remaining == 0 && refused.reset_secs == 8);
        assert!(window.admit(start + Duration::from_secs(10)).allowed, "a new window");
    }

    #[test]
    fn headers_look_like_the_docs() {
        let policy = RatelimitPolicy::parse("100/60").unwrap();
        let admission = Admission { allowed: true, remaining: 50, reset_secs: 30, policy };
        let mut headers = HeaderMap::new();
        admission.write_headers(&mut headers);
        assert_eq!(headers["ratelimit"], "\"default\";r=50;t=30");
        assert_eq!(headers["ratelimit-policy"], "\"default\";q=100;w=60");
        assert!(RatelimitPolicy::parse("0/5").is_err() && RatelimitPolicy::parse("x").is_err());
    }
}

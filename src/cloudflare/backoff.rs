//! How long to wait before the next attempt.

use std::time::Duration;

/// Exponential backoff with "equal jitter": retry `n` waits between half and all of
/// `initial * 2^(n-1)` (capped at `max`), so concurrent clients spread out but never hammer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Backoff {
    pub initial: Duration,
    pub max: Duration,
}

impl Backoff {
    /// Delay before retry number `retry` (1 = first retry); `jitter` in [0, 1).
    pub fn delay(&self, retry: u32, jitter: f64) -> Duration {
        let exponent = retry.saturating_sub(1).min(30);
        let base = self.initial.saturating_mul(1u32 << exponent).min(self.max);
        let jitter = jitter.clamp(0.0, 1.0);
        base.mul_f64(0.5 + 0.5 * jitter)
    }

    /// [`Backoff::delay`] with random jitter.
    pub fn random_delay(&self, retry: u32) -> Duration {
        self.delay(retry, rand::random::<f64>())
    }
}

/// The wait a 429 asks for: `Retry-After` in (possibly fractional) seconds, capped at `cap`.
/// HTTP-date values and garbage yield `None` (the caller falls back to backoff).
pub(crate) fn retry_after(header: Option<&str>, cap: Duration) -> Option<Duration> {
    let seconds: f64 = header?.trim().parse().ok()?;
    if !seconds.is_finite() || seconds < 0.0 {
        return None;
    }
    Some(Duration::try_from_secs_f64(seconds).map_or(cap, |wait| wait.min(cap)))
}

#[cfg(test)]
mod tests {
    use super::*;

    const BACKOFF: Backoff = Backoff { initial: Duration::from_millis(500), max: Duration::from_secs(8) };

    #[test]
    fn doubles_then_caps() {
        let full: Vec<u128> = (1..=7).map(|retry| BACKOFF.delay(retry, 1.0).as_millis()).collect();
        assert_eq!(full, [500, 1000, 2000, 4000, 8000, 8000, 8000]);
        assert_eq!(BACKOFF.delay(1000, 1.0), Duration::from_secs(8), "no overflow on huge retry counts");
    }

    #[test]
    fn jitter_stays_between_half_and_full() {
        assert_eq!(BACKOFF.delay(3, 0.0), Duration::from_secs(1));
        assert_eq!(BACKOFF.delay(3, 0.5), Duration::from_millis(1500));
        for _ in 0..100 {
            let wait = BACKOFF.random_delay(2);
            assert!(wait >= Duration::from_millis(500) && wait <= Duration::from_secs(1), "{wait:?}");
        }
    }

    #[test]
    fn retry_after_is_parsed_and_capped() {
        let cap = Duration::from_secs(60);
        assert_eq!(retry_after(Some("7"), cap), Some(Duration::from_secs(7)));
        assert_eq!(retry_after(Some(" 1.5 "), cap), Some(Duration::from_millis(1500)));
        assert_eq!(retry_after(Some("300"), cap), Some(cap));
        assert_eq!(retry_after(Some("1e300"), cap), Some(cap));
        assert_eq!(retry_after(Some("Wed, 21 Oct 2015 07:28:00 GMT"), cap), None);
        assert_eq!(retry_after(Some("-1"), cap), None);
        assert_eq!(retry_after(None, cap), None);
    }
}

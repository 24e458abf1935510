//! A token bucket shared by every request of the process, so concurrent resources together
//! stay within Cloudflare's per-token budget.

use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use super::error::ApiError;

/// `rate` tokens per second, at most `burst` saved up. Waiters reserve their token up front
/// (the balance may go negative), so they are served in arrival order without a busy loop.
#[derive(Debug)]
pub(crate) struct RateLimiter {
    rate: f64,
    burst: f64,
    bucket: Mutex<Bucket>,
}

#[derive(Debug)]
struct Bucket {
    tokens: f64,
    updated: Instant,
}

impl RateLimiter {
    /// `rate` must be positive and finite (checked by `ClientConfig::validate`).
    pub fn new(rate: f64, burst: u32) -> Self {
        let burst = f64::from(burst.max(1));
        Self { rate, burst, bucket: Mutex::new(Bucket { tokens: burst, updated: Instant::now() }) }
    }

    /// Waits for a token; gives it back and returns `Cancelled` if cancelled meanwhile.
    pub async fn acquire(&self, cancel: &CancellationToken) -> Result<(), ApiError> {
        if cancel.is_cancelled() {
            return Err(ApiError::Cancelled);
        }
        let Some(wait) = self.reserve() else {
            return Ok(());
        };
        tokio::select! {
            biased;
            _ = cancel.cancelled() => {
                self.refund();
                Err(ApiError::Cancelled)
            }
            _ = tokio::time::sleep(wait) => Ok(()),
        }
    }

    /// Takes a token; returns how long to wait until it is actually available.
    fn reserve(&self) -> Option<Duration> {
        let mut bucket = self.lock();
        let now = Instant::now();
        let earned = now.saturating_duration_since(bucket.updated).as_secs_f64() * self.rate;
        bucket.tokens = (bucket.tokens + earned).min(self.burst) - 1.0;
        bucket.updated = now;
        (bucket.tokens < 0.0).then(|| Duration::from_secs_f64(-bucket.tokens / self.rate))
    }

    fn refund(&self) {
        let mut bucket = self.lock();
        bucket.tokens = (bucket.tokens + 1.0).min(self.burst);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Bucket> {
        // The bucket is plain numbers; a panic elsewhere cannot leave it inconsistent.
        self.bucket.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[tokio::test(start_paused = true)]
    async fn burst_then_steady_rate() {
        let limiter = RateLimiter::new(4.0, 3);
        let cancel = CancellationToken::new();
        let start = Instant::now();
        for _ in 0..3 {
            limiter.acquire(&cancel).await.unwrap();
        }
        assert_eq!(start.elapsed(), Duration::ZERO, "the burst goes out at once");
        for _ in 0..4 {
            limiter.acquire(&cancel).await.unwrap();
        }
        assert_eq!(start.elapsed(), Duration::from_secs(1), "then 4 per second");
    }

    #[tokio::test(start_paused = true)]
    async fn shared_by_concurrent_callers() {
        let limiter = Arc::new(RateLimiter::new(2.0, 1));
        let cancel = CancellationToken::new();
        let start = Instant::now();
        let tasks: Vec<_> = (0..5)
            .map(|_| {
                let (limiter, cancel) = (limiter.clone(), cancel.clone());
                tokio::spawn(async move { limiter.acquire(&cancel).await })
            })
            .collect();
        for task in tasks {
            task.await.unwrap().unwrap();
        }
        assert_eq!(start.elapsed(), Duration::from_secs(2), "5 requests at 2/s with burst 1");
    }

    #[tokio::test(start_paused = true)]
    async fn idle_time_refills_only_up_to_the_burst() {
        let limiter = RateLimiter::new(1.0, 2);
        let cancel = CancellationToken::new();
        tokio::time::sleep(Duration::from_secs(100)).await;
        let start = Instant::now();
        for _ in 0..3 {
            limiter.acquire(&cancel).await.unwrap();
        }
        assert_eq!(start.elapsed(), Duration::from_secs(1));
    }

    #[tokio::test(start_paused = true)]
    async fn cancellation_interrupts_the_wait_and_refunds() {
        let limiter = Arc::new(RateLimiter::new(0.01, 1));
        let cancel = CancellationToken::new();
        limiter.acquire(&cancel).await.unwrap();
        let waiter = {
            let (limiter, cancel) = (limiter.clone(), cancel.clone());
            tokio::spawn(async move { limiter.acquire(&cancel).await })
        };
        tokio::time::sleep(Duration::from_secs(1)).await;
        cancel.cancel();
        assert!(matches!(waiter.await.unwrap(), Err(ApiError::Cancelled)));
        assert!(limiter.lock().tokens > -0.5, "the reserved token was given back");
    }
}

//! Terraform's Stop, as a signal that can fire more than once in one process.
//!
//! Stop cancels the work in flight. A provider process normally ends right after, but one
//! started with `--debug` serves every later Terraform command too, so each Stop cancels the
//! current generation and opens a fresh one for work that starts afterwards.

use std::sync::{Arc, Mutex};

use tokio_util::sync::CancellationToken;

#[derive(Debug, Clone)]
pub struct StopSignal {
    /// Cancelled at shutdown: every generation is a child of it.
    parent: CancellationToken,
    current: Arc<Mutex<CancellationToken>>,
}

impl StopSignal {
    pub fn new(parent: CancellationToken) -> StopSignal {
        let current = Arc::new(Mutex::new(parent.child_token()));
        StopSignal { parent, current }
    }

    /// The token for work starting now: cancelled by the next Stop or by shutdown.
    pub fn token(&self) -> CancellationToken {
        self.lock().clone()
    }

    /// Cancels the work in flight; work started afterwards gets a fresh token.
    pub fn stop(&self) {
        let mut current = self.lock();
        current.cancel();
        *current = self.parent.child_token();
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, CancellationToken> {
        // A poisoned lock only means a panic while swapping a token; the token is still valid.
        self.current.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stop_cancels_work_in_flight_but_not_later_work() {
        let shutdown = CancellationToken::new();
        let signal = StopSignal::new(shutdown.clone());
        let in_flight = signal.token();
        signal.stop();
        assert!(in_flight.is_cancelled());
        let later = signal.token();
        assert!(!later.is_cancelled());
        shutdown.cancel();
        assert!(later.is_cancelled(), "shutdown cancels every generation");
        assert!(signal.token().is_cancelled());
    }
}

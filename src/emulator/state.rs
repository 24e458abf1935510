//! State shared by the HTTP handlers and the in-process control handle.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};

use time::OffsetDateTime;

use super::config::{EmulatorConfig, TokenStatus};
use super::envelope::{codes, ApiFailure};
use super::faults::Faults;
use super::page_hook::PageHook;
use super::ratelimit::RatelimitWindow;
use super::request_log::RequestLog;
use super::retirement::V1Retirement;
use super::store::{PersistError, Store};

/// Locks a mutex even if a previous holder panicked (state stays usable for tests).
pub fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Formats like the docs' examples: `2026-03-01T12:00:00Z`.
pub fn format_timestamp(at: OffsetDateTime) -> String {
    let at = at.to_offset(time::UtcOffset::UTC);
    let format =
        time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z");
    // Formatting a UTC date with this description cannot fail for years 0..=9999.
    at.format(format)
        .unwrap_or_else(|_| "1970-01-01T00:00:00Z".to_string())
}

pub struct Shared {
    pub credentials: Credentials,
    persist_path: Option<PathBuf>,
    pub store: Mutex<Store>,
    pub faults: Mutex<Faults>,
    pub log: Mutex<RequestLog>,
    pub v1_enabled: AtomicBool,
    pub v2_enabled: AtomicBool,
    /// How v1 answers while it is not served.
    pub v1_retirement: Mutex<V1Retirement>,
    /// The request budget, when one is configured.
    pub ratelimit: Mutex<Option<RatelimitWindow>>,
    /// API requests being answered now, and the most at once since the counters were reset.
    pub in_flight: std::sync::atomic::AtomicU64,
    pub max_in_flight: std::sync::atomic::AtomicU64,
    /// One-shot hooks on the v2 list (see [`PageHook`]).
    pub page_hooks: Mutex<Vec<PageHook>>,
    /// Fixed time for `modified_on` (tests); `None` = the system clock.
    pub fixed_now: Mutex<Option<OffsetDateTime>>,
}

/// Accepted credentials; never printed.
pub struct Credentials {
    pub token: Option<String>,
    pub key_and_email: Option<(String, String)>,
    /// The account owning `token` when it is an Account API token (None: a user token).
    pub token_account: Option<String>,
    pub token_status: TokenStatus,
}

impl Shared {
    pub fn new(config: &EmulatorConfig) -> Result<Shared, PersistError> {
        let store = match &config.persist_path {
            Some(path) => Store::load(path)?,
            None => Store::default(),
        };
        let key_and_email = match (&config.api_key, &config.api_email) {
            (Some(key), Some(email)) => Some((key.clone(), email.clone())),
            _ => None,
        };
        Ok(Shared {
            credentials: Credentials {
                token: config.api_token.clone(),
                key_and_email,
                token_account: config.token_account.clone(),
                token_status: config.token_status,
            },
            persist_path: config.persist_path.clone(),
            store: Mutex::new(store),
            faults: Mutex::new(Faults::default()),
            log: Mutex::new(RequestLog::default()),
            v1_enabled: AtomicBool::new(config.v1_enabled && config.v1_retired.is_none()),
            v2_enabled: AtomicBool::new(config.v2_enabled),
            v1_retirement: Mutex::new(config.v1_retired.unwrap_or_default()),
            ratelimit: Mutex::new(
                config.ratelimit.map(|policy| RatelimitWindow::new(policy, tokio::time::Instant::now())),
            ),
            page_hooks: Mutex::new(Vec::new()),
            in_flight: Default::default(),
            max_in_flight: Default::default(),
            fixed_now: Mutex::new(None),
        })
    }

    pub fn now(&self) -> String {
        let now = (*lock(&self.fixed_now)).unwrap_or_else(OffsetDateTime::now_utc);
        format_timestamp(now)
    }

    pub fn family_enabled(&self, v1: bool) -> bool {
        let flag = if v1 {
            &self.v1_enabled
        } else {
            &self.v2_enabled
        };
        flag.load(Ordering::SeqCst)
    }

    /// Takes the hook set for this page of the zone's v2 list, if any (each fires once).
    pub fn take_page_hook(&self, zone_id: &str, page: usize) -> Option<PageHook> {
        let mut hooks = lock(&self.page_hooks);
        let index = hooks.iter().position(|hook| hook.fires_for(zone_id, page))?;
        Some(hooks.remove(index))
    }

    /// Whether the zone's setting may be changed (`editable` in v1 answers).
    pub fn is_editable(&self, zone_id: &str) -> bool {
        !lock(&self.faults).non_editable_zones.contains(zone_id)
    }

    /// Runs a change under the store lock and persists the result before answering, so a
    /// response is only sent for a state that is on disk.
    pub fn mutate<R>(
        &self,
        change: impl FnOnce(&mut Store) -> Result<R, ApiFailure>,
    ) -> Result<R, ApiFailure> {
        let mut store = lock(&self.store);
        let result = change(&mut store)?;
        if let Some(path) = &self.persist_path {
            if let Err(err) = store.save(path) {
                tracing::error!(error = %err, "emulator could not persist its state");
                return Err(codes::internal());
            }
        }
        Ok(result)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_look_like_the_docs() {
        let at = OffsetDateTime::from_unix_timestamp(1_772_366_400).unwrap();
        assert_eq!(format_timestamp(at), "2026-03-01T12:00:00Z");
    }
}

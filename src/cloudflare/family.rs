//! Which endpoint family serves a call for a zone, and `auto`'s one-way move from v1 to v2.
//!
//! Under `auto` a zone starts on v1 (its batch PATCH is the product's first choice). When v1
//! answers with a route-level failure ([`ApiError::is_route_failure`]), the same call is sent to
//! v2 as a probe; only if v2 answers does the process switch, for that zone and (v1's end of life
//! being API-wide) for every zone not yet known. Auth errors, item validation, rate limits and
//! 5xx never switch. Until v1 has answered once, v1 calls go one at a time, so a process whose
//! zones are all on v2 spends at most one v1 request finding out. Families learnt elsewhere (a
//! resource's private state) are fed in with [`FamilySelector::remember`].

use std::collections::HashMap;
use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

use tracing::warn;

use super::config::ApiFamily;
use super::error::ApiError;

#[derive(Debug)]
pub(crate) struct FamilySelector {
    configured: ApiFamily,
    /// Zone -> `V1` or `V2`, as answered in this process or remembered from earlier runs.
    zones: Mutex<HashMap<String, ApiFamily>>,
    /// Some zone's v1 route failed and v2 answered: v1 is gone, for every zone.
    v1_retired: AtomicBool,
    /// v1 answered a call successfully in this process: no need to probe one call at a time.
    v1_answered: AtomicBool,
    /// Held by the v1 call that finds out whether v1 is still served.
    probe: tokio::sync::Mutex<()>,
    /// Set at the switch, taken by the first [`FamilySelector::take_switch_notice`].
    notice: Mutex<Option<String>>,
}

impl FamilySelector {
    pub fn new(configured: ApiFamily) -> Self {
        Self {
            configured,
            zones: Mutex::new(HashMap::new()),
            v1_retired: AtomicBool::new(false),
            v1_answered: AtomicBool::new(false),
            probe: tokio::sync::Mutex::new(()),
            notice: Mutex::new(None),
        }
    }

    pub fn configured(&self) -> ApiFamily {
        self.configured
    }

    /// The family new calls for an unknown zone go to: `V1` or `V2`, never `Auto`.
    pub fn in_use(&self) -> ApiFamily {
        match self.configured {
            ApiFamily::Auto if self.v1_retired.load(Ordering::Acquire) => ApiFamily::V2,
            ApiFamily::Auto => ApiFamily::V1,
            pinned => pinned,
        }
    }

    fn zones(&self) -> std::sync::MutexGuard<'_, HashMap<String, ApiFamily>> {
        // A plain map: a panic elsewhere cannot leave it half-written.
        self.zones.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The family known to serve `zone`, if any: the pinned one, or what `auto` has learnt.
    pub fn known(&self, zone: &str) -> Option<ApiFamily> {
        if self.configured != ApiFamily::Auto {
            return Some(self.configured);
        }
        let remembered = self.zones().get(zone).copied();
        if remembered == Some(ApiFamily::V2) || self.v1_retired.load(Ordering::Acquire) {
            return Some(ApiFamily::V2);
        }
        remembered.or_else(|| self.v1_answered.load(Ordering::Acquire).then_some(ApiFamily::V1))
    }

    /// Feeds in a family learnt in an earlier run. What this process has seen itself wins.
    pub fn remember(&self, zone: &str, family: ApiFamily) {
        if family != ApiFamily::Auto {
            self.zones().entry(zone.to_string()).or_insert(family);
        }
    }

    /// The warning to show the user once after the switch (None before it, and after the first take).
    pub fn take_switch_notice(&self) -> Option<String> {
        self.notice.lock().unwrap_or_else(std::sync::PoisonError::into_inner).take()
    }

    /// Runs the call for `zone` on the family that serves it (see the module comment).
    pub async fn run<T, V1, V1Fut, V2, V2Fut>(&self, zone: &str, v1: V1, v2: V2) -> Result<T, ApiError>
    where
        V1: FnOnce() -> V1Fut,
        V1Fut: Future<Output = Result<T, ApiError>>,
        V2: FnOnce() -> V2Fut,
        V2Fut: Future<Output = Result<T, ApiError>>,
    {
        match self.configured {
            ApiFamily::V1 => return v1().await,
            ApiFamily::V2 => return v2().await,
            ApiFamily::Auto => {}
        }
        match self.known(zone) {
            Some(ApiFamily::V2) => v2().await,
            Some(_) => self.try_v1(zone, v1, v2).await,
            None => {
                let _probing = self.probe.lock().await;
                // Whoever held the gate before may have found the answer.
                if self.known(zone) == Some(ApiFamily::V2) {
                    return v2().await;
                }
                self.try_v1(zone, v1, v2).await
            }
        }
    }

    async fn try_v1<T, V1, V1Fut, V2, V2Fut>(&self, zone: &str, v1: V1, v2: V2) -> Result<T, ApiError>
    where
        V1: FnOnce() -> V1Fut,
        V1Fut: Future<Output = Result<T, ApiError>>,
        V2: FnOnce() -> V2Fut,
        V2Fut: Future<Output = Result<T, ApiError>>,
    {
        let v1_error = match v1().await {
            Ok(answer) => {
                self.v1_answered.store(true, Ordering::Release);
                // Every batch chunk lands here: no new key (and no allocation) once the zone is known.
                let mut zones = self.zones();
                if !zones.contains_key(zone) {
                    zones.insert(zone.to_string(), ApiFamily::V1);
                }
                return Ok(answer);
            }
            Err(error) if error.is_route_failure() => error,
            Err(other) => return Err(other),
        };
        // The probe is the same call on v2: if v2 answers, its answer is the call's answer.
        match v2().await {
            Ok(answer) => {
                self.switch(zone, &v1_error);
                Ok(answer)
            }
            Err(v2_error) if v2_error.shows_route_exists() => {
                self.switch(zone, &v1_error);
                Err(v2_error)
            }
            Err(v2_error) if v2_error.is_route_failure() => {
                Err(ApiError::Unrouted { zone: zone.to_string(), v1: Box::new(v1_error), v2: Box::new(v2_error) })
            }
            // v2 could not be reached: nothing is proven either way; report what happened.
            Err(v2_error) => Err(v2_error),
        }
    }

    fn switch(&self, zone: &str, v1_error: &ApiError) {
        self.zones().insert(zone.to_string(), ApiFamily::V2);
        if self.v1_retired.swap(true, Ordering::AcqRel) {
            return;
        }
        warn!(
            zone, v1_answer = %v1_error,
            "the deprecated v1 endpoints (/cache/origin_cloud_regions) are no longer served and v2 answered; \
             switching to the v2 endpoints (/origin/cloud_regions) for the rest of this process"
        );
        let notice = format!(
            "Cloudflare no longer serves the deprecated v1 endpoints (/zones/{zone}/cache/origin_cloud_regions; \
             v1 answered: {v1_error}), and the v2 endpoints (/zones/{{zone_id}}/origin/cloud_regions) answered, \
             so this provider now uses v2: reads page through v2's list, writes go through v2's batch PUT and \
             DELETE. The family is remembered per resource; set api_family = \"v2\" in the \
             provider block to skip the v1 check altogether."
        );
        *self.notice.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = Some(notice);
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::AtomicU32;

    use super::*;
    use crate::cloudflare::error::ErrorDetail;

    const ZONE: &str = "023e105f4ecef8ad9ca31a8372d0c353";

    fn error(status: u16, codes: &[i64]) -> ApiError {
        let errors = codes.iter().map(|code| ErrorDetail { code: *code, message: "x".into(), chain: vec![] }).collect();
        ApiError::Api { status, errors, attempts: 1 }
    }

    fn retired() -> ApiError {
        error(400, &[7003, 7000])
    }

    #[tokio::test]
    async fn auto_switches_when_v2_answers_and_stays() {
        let selector = FamilySelector::new(ApiFamily::Auto);
        assert_eq!(selector.known(ZONE), None);
        let result = selector.run(ZONE, || async { Err::<&str, _>(retired()) }, || async { Ok("v2") }).await;
        assert_eq!(result.unwrap(), "v2");
        assert_eq!(selector.known(ZONE), Some(ApiFamily::V2));
        assert_eq!(selector.known("another-zone"), Some(ApiFamily::V2), "v1's end of life is API-wide");
        let result = selector.run(ZONE, || async { Ok("v1") }, || async { Ok("v2") }).await;
        assert_eq!(result.unwrap(), "v2");
        assert!(selector.take_switch_notice().is_some_and(|text| text.contains("api_family")));
        assert_eq!(selector.take_switch_notice(), None, "the warning is shown once");
    }

    #[tokio::test]
    async fn a_v2_error_from_behind_the_route_still_switches() {
        let selector = FamilySelector::new(ApiFamily::Auto);
        let result = selector.run(ZONE, || async { Err::<(), _>(error(410, &[])) }, || async { Err(error(404, &[1142])) }).await;
        assert!(result.unwrap_err().is_not_found());
        assert_eq!(selector.in_use(), ApiFamily::V2);
    }

    #[tokio::test]
    async fn no_switch_when_v2_fails_the_same_way() {
        let selector = FamilySelector::new(ApiFamily::Auto);
        let result = selector.run(ZONE, || async { Err::<(), _>(retired()) }, || async { Err(error(404, &[7003])) }).await;
        let error = result.unwrap_err();
        assert!(matches!(error, ApiError::Unrouted { .. }), "{error:?}");
        assert!(error.to_string().contains(ZONE) && error.to_string().contains("zone ID"), "{error}");
        assert_eq!(selector.in_use(), ApiFamily::V1);
        assert_eq!(selector.take_switch_notice(), None);
    }

    #[tokio::test]
    async fn no_switch_when_v2_is_unreachable() {
        let selector = FamilySelector::new(ApiFamily::Auto);
        let result = selector.run(ZONE, || async { Err::<(), _>(retired()) }, || async { Err(error(503, &[])) }).await;
        assert_eq!(result.unwrap_err().status(), Some(503));
        assert_eq!(selector.in_use(), ApiFamily::V1);
    }

    #[tokio::test]
    async fn other_v1_errors_never_probe() {
        for v1_error in [error(403, &[9109]), error(401, &[10000]), error(400, &[1157]), error(429, &[]), error(502, &[]), error(404, &[1001])] {
            let selector = FamilySelector::new(ApiFamily::Auto);
            let probes = AtomicU32::new(0);
            let result = selector
                .run(ZONE, || async { Err::<(), _>(v1_error.clone()) }, || async {
                    probes.fetch_add(1, Ordering::SeqCst);
                    Ok(())
                })
                .await;
            assert!(result.is_err());
            assert_eq!(probes.load(Ordering::SeqCst), 0, "{v1_error:?}");
            assert_eq!(selector.in_use(), ApiFamily::V1);
        }
    }

    #[tokio::test]
    async fn pinned_families_never_switch() {
        let selector = FamilySelector::new(ApiFamily::V1);
        let result = selector.run(ZONE, || async { Err::<&str, _>(retired()) }, || async { Ok("v2") }).await;
        assert!(result.unwrap_err().is_route_failure());
        assert_eq!(selector.in_use(), ApiFamily::V1);
        assert_eq!(selector.known(ZONE), Some(ApiFamily::V1));
    }

    #[tokio::test]
    async fn a_remembered_v2_zone_costs_no_v1_call() {
        let selector = FamilySelector::new(ApiFamily::Auto);
        selector.remember(ZONE, ApiFamily::V2);
        let result = selector.run(ZONE, || async { panic!("v1 must not be called") }, || async { Ok::<_, ApiError>("v2") }).await;
        assert_eq!(result.unwrap(), "v2");
        assert_eq!(selector.known("other"), None, "the memory is per zone");
    }

    #[tokio::test]
    async fn concurrent_first_calls_probe_v1_once() {
        let selector = std::sync::Arc::new(FamilySelector::new(ApiFamily::Auto));
        let v1_calls = std::sync::Arc::new(AtomicU32::new(0));
        let tasks: Vec<_> = (0..8)
            .map(|_| {
                let (selector, v1_calls) = (selector.clone(), v1_calls.clone());
                tokio::spawn(async move {
                    selector
                        .run(ZONE, || async {
                            v1_calls.fetch_add(1, Ordering::SeqCst);
                            tokio::task::yield_now().await;
                            Err::<(), _>(error(404, &[7003]))
                        }, || async { Ok(()) })
                        .await
                })
            })
            .collect();
        for task in tasks {
            task.await.unwrap().unwrap();
        }
        assert_eq!(v1_calls.load(Ordering::SeqCst), 1);
    }
}

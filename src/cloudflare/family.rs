//! Which endpoint family serves a call, including `auto`'s one-way switch from v1 to v2.

use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};

use tracing::warn;

use super::config::ApiFamily;
use super::error::ApiError;

#[derive(Debug)]
pub(crate) struct FamilySelector {
    configured: ApiFamily,
    /// Set once, when `auto` finds the v1 routes gone; never reset for the process.
    switched_to_v2: AtomicBool,
}

impl FamilySelector {
    pub fn new(configured: ApiFamily) -> Self {
        Self { configured, switched_to_v2: AtomicBool::new(false) }
    }

    pub fn configured(&self) -> ApiFamily {
        self.configured
    }

    /// `V1` or `V2`, never `Auto`.
    pub fn in_use(&self) -> ApiFamily {
        match self.configured {
            ApiFamily::V2 => ApiFamily::V2,
            ApiFamily::V1 => ApiFamily::V1,
            ApiFamily::Auto if self.switched_to_v2.load(Ordering::Acquire) => ApiFamily::V2,
            ApiFamily::Auto => ApiFamily::V1,
        }
    }

    /// Runs the call with the family in use; under `auto`, a v1 "no route" answer switches the
    /// process to v2 and the same call is repeated there.
    pub async fn run<T, V1, V1Fut, V2, V2Fut>(&self, v1: V1, v2: V2) -> Result<T, ApiError>
    where
        V1: FnOnce() -> V1Fut,
        V1Fut: Future<Output = Result<T, ApiError>>,
        V2: FnOnce() -> V2Fut,
        V2Fut: Future<Output = Result<T, ApiError>>,
    {
        if self.in_use() == ApiFamily::V2 {
            return v2().await;
        }
        match v1().await {
            Err(error) if self.configured == ApiFamily::Auto && error.is_no_route() => {
                if !self.switched_to_v2.swap(true, Ordering::AcqRel) {
                    warn!(
                        error = %error,
                        "the deprecated v1 endpoints (/cache/origin_cloud_regions) are no longer served; \
                         switching to the v2 endpoints (/origin/cloud_regions) for the rest of this run"
                    );
                }
                v2().await
            }
            other => other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cloudflare::error::ErrorDetail;

    fn no_route() -> ApiError {
        ApiError::Api { status: 404, errors: vec![ErrorDetail { code: 7003, message: "No route".into(), chain: vec![] }], attempts: 1 }
    }

    #[tokio::test]
    async fn auto_switches_once_and_stays() {
        let selector = FamilySelector::new(ApiFamily::Auto);
        assert_eq!(selector.in_use(), ApiFamily::V1);
        let result = selector.run(|| async { Err::<&str, _>(no_route()) }, || async { Ok("v2") }).await;
        assert_eq!(result.unwrap(), "v2");
        assert_eq!(selector.in_use(), ApiFamily::V2);
        let result = selector.run(|| async { Ok("v1") }, || async { Ok("v2") }).await;
        assert_eq!(result.unwrap(), "v2");
    }

    #[tokio::test]
    async fn pinned_families_never_switch() {
        let selector = FamilySelector::new(ApiFamily::V1);
        let result = selector.run(|| async { Err::<&str, _>(no_route()) }, || async { Ok("v2") }).await;
        assert!(result.unwrap_err().is_no_route());
        assert_eq!(selector.in_use(), ApiFamily::V1);
    }

    #[tokio::test]
    async fn other_errors_do_not_switch() {
        let selector = FamilySelector::new(ApiFamily::Auto);
        let not_found = ApiError::Api { status: 404, errors: vec![ErrorDetail { code: 1142, message: String::new(), chain: vec![] }], attempts: 1 };
        let result = selector.run(|| async { Err::<&str, _>(not_found) }, || async { Ok("v2") }).await;
        assert!(result.unwrap_err().is_not_found());
        assert_eq!(selector.in_use(), ApiFamily::V1);
    }
}

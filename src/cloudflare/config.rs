//! Client settings. The provider layer fills these from provider attributes and environment
//! variables; the client itself never reads the environment.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use url::Url;

use super::error::ApiError;
use super::secret::Credentials;

/// Cloudflare's stable v4 API base; every endpoint path is appended to it.
pub const DEFAULT_BASE_URL: &str = "https://api.cloudflare.com/client/v4";
/// Cloudflare allows 1,200 requests per 5 minutes per token: 1200 / 300 s = 4 per second.
pub const DEFAULT_REQUESTS_PER_SECOND: f64 = 4.0;
/// Requests allowed back to back before the steady rate applies. With 20, a 3,500-mapping
/// apply (35 batch requests) waits at most ~3.75 s in the limiter instead of ~8.5 s; the
/// 5-minute budget can then be exceeded by at most 20 requests (1.7 %) and only by a process
/// already running flat out for 5 minutes, where Cloudflare's 429 + Retry-After still protects us.
pub const DEFAULT_BURST: u32 = 20;
pub const DEFAULT_MAX_RETRIES: u32 = 3;
/// Batch requests one operation keeps in flight. A few hide the round-trip time of a large
/// apply (35 requests for 3,500 mappings) without fanning out like Terraform's per-resource
/// parallelism of 10; the rate limit above still caps the request rate.
pub const DEFAULT_BATCH_PARALLELISM: u32 = 4;
/// Upper bound for the batch parallelism setting (Terraform's own default parallelism).
pub const MAX_BATCH_PARALLELISM: u32 = 10;
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// Longest `Retry-After` honoured; longer requests are shortened to this.
pub const DEFAULT_MAX_RETRY_AFTER: Duration = Duration::from_secs(60);
pub const DEFAULT_INITIAL_BACKOFF: Duration = Duration::from_millis(500);
pub const DEFAULT_MAX_BACKOFF: Duration = Duration::from_secs(8);

/// Which endpoint family the client talks to.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum ApiFamily {
    /// Start with v1 (the batch PATCH the product is built around); if Cloudflare answers that
    /// the v1 route no longer exists, switch to v2 for the rest of the process.
    #[default]
    Auto,
    /// `/zones/{zone_id}/cache/origin_cloud_regions…` (deprecated, EOL 2026-10-01).
    V1,
    /// `/zones/{zone_id}/origin/cloud_regions…`.
    V2,
}

impl ApiFamily {
    pub fn as_str(self) -> &'static str {
        match self {
            ApiFamily::Auto => "auto",
            ApiFamily::V1 => "v1",
            ApiFamily::V2 => "v2",
        }
    }
}

impl fmt::Display for ApiFamily {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The text is not one of `auto`, `v1`, `v2`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("\"{0}\" is not an API family; use \"auto\", \"v1\" or \"v2\"")]
pub struct UnknownFamily(pub String);

impl FromStr for ApiFamily {
    type Err = UnknownFamily;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text.trim().to_ascii_lowercase().as_str() {
            "auto" => Ok(ApiFamily::Auto),
            "v1" => Ok(ApiFamily::V1),
            "v2" => Ok(ApiFamily::V2),
            _ => Err(UnknownFamily(text.to_string())),
        }
    }
}

/// Everything [`super::Client::new`] needs. `Debug` is safe: credentials redact themselves.
#[derive(Clone, Debug)]
pub struct ClientConfig {
    /// API base, e.g. [`DEFAULT_BASE_URL`] or an emulator's `http://127.0.0.1:PORT/client/v4`.
    pub base_url: Url,
    pub credentials: Credentials,
    /// The account an Account API token belongs to, so the token can be checked there.
    pub account_id: Option<String>,
    pub family: ApiFamily,
    /// Retries after the first attempt (so `max_retries + 1` attempts at most).
    pub max_retries: u32,
    /// Steady request rate shared by every operation of the process.
    pub requests_per_second: f64,
    /// Requests allowed back to back before `requests_per_second` applies (at least 1).
    pub burst: u32,
    /// Batch requests (of up to 100 items) one operation keeps in flight; 1 sends them one after
    /// the other. Deletes still all finish before upserts start.
    pub batch_parallelism: u32,
    /// Limit for one HTTP attempt (connect + send + read body); a timeout is retried.
    pub request_timeout: Duration,
    /// Cap on how long a `Retry-After` is honoured.
    pub max_retry_after: Duration,
    /// First backoff delay; doubles per retry up to `max_backoff`, with jitter.
    pub initial_backoff: Duration,
    pub max_backoff: Duration,
}

impl ClientConfig {
    /// Settings with every default filled in.
    pub fn new(base_url: Url, credentials: Credentials) -> Self {
        Self {
            base_url,
            credentials,
            account_id: None,
            family: ApiFamily::Auto,
            max_retries: DEFAULT_MAX_RETRIES,
            requests_per_second: DEFAULT_REQUESTS_PER_SECOND,
            burst: DEFAULT_BURST,
            batch_parallelism: DEFAULT_BATCH_PARALLELISM,
            request_timeout: DEFAULT_REQUEST_TIMEOUT,
            max_retry_after: DEFAULT_MAX_RETRY_AFTER,
            initial_backoff: DEFAULT_INITIAL_BACKOFF,
            max_backoff: DEFAULT_MAX_BACKOFF,
        }
    }

    /// Rejects settings the client cannot work with, naming the setting.
    pub fn validate(&self) -> Result<(), ApiError> {
        if !matches!(self.base_url.scheme(), "http" | "https") || self.base_url.cannot_be_a_base() {
            return Err(ApiError::Config(format!(
                "base URL \"{}\" must be an http(s) URL such as {DEFAULT_BASE_URL}",
                self.base_url
            )));
        }
        if !(self.requests_per_second.is_finite() && self.requests_per_second > 0.0) {
            return Err(ApiError::Config(format!(
                "requests_per_second must be a positive number, got {}",
                self.requests_per_second
            )));
        }
        if !(1..=MAX_BATCH_PARALLELISM).contains(&self.batch_parallelism) {
            return Err(ApiError::Config(format!(
                "batch_parallelism must be from 1 to {MAX_BATCH_PARALLELISM}, got {}",
                self.batch_parallelism
            )));
        }
        if self.request_timeout.is_zero() {
            return Err(ApiError::Config("the request timeout must be longer than zero".into()));
        }
        match &self.credentials {
            Credentials::Token(token) if token.is_empty() => {
                Err(ApiError::Config("the API token is empty (set `api_token` or CLOUDFLARE_API_TOKEN)".into()))
            }
            Credentials::KeyAndEmail { key, email } if key.is_empty() || email.is_empty() => Err(ApiError::Config(
                "the Global API key needs both `api_key` and `email` (or CLOUDFLARE_API_KEY and CLOUDFLARE_EMAIL)"
                    .into(),
            )),
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cloudflare::secret::Secret;

    fn config() -> ClientConfig {
        ClientConfig::new(DEFAULT_BASE_URL.parse().unwrap(), Credentials::Token(Secret::new("t")))
    }

    #[test]
    fn family_parses_case_insensitively() {
        assert_eq!("AUTO".parse::<ApiFamily>().unwrap(), ApiFamily::Auto);
        assert_eq!("v2".parse::<ApiFamily>().unwrap(), ApiFamily::V2);
        assert!("v3".parse::<ApiFamily>().is_err());
        assert_eq!(ApiFamily::V1.to_string(), "v1");
    }

    #[test]
    fn validation_names_the_setting() {
        assert!(config().validate().is_ok());
        let mut bad = config();
        bad.requests_per_second = 0.0;
        assert!(bad.validate().unwrap_err().to_string().contains("requests_per_second"));
        let mut bad = config();
        bad.batch_parallelism = 0;
        assert!(bad.validate().unwrap_err().to_string().contains("batch_parallelism"));
        let mut bad = config();
        bad.base_url = "ftp://example.com".parse().unwrap();
        assert!(bad.validate().is_err());
        let mut bad = config();
        bad.credentials = Credentials::KeyAndEmail { key: Secret::new("k"), email: String::new() };
        assert!(bad.validate().unwrap_err().to_string().contains("email"));
    }
}

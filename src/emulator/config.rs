//! How an emulator instance is set up before it starts.

use std::fmt;
use std::path::PathBuf;

use super::ratelimit::RatelimitPolicy;
use super::retirement::V1Retirement;

/// The token [`EmulatorConfig::default`] accepts: `Authorization: Bearer test-token`.
pub const DEFAULT_TEST_TOKEN: &str = "test-token";

/// Start-up settings. `Default` accepts the bearer token [`DEFAULT_TEST_TOKEN`], keeps state in
/// memory only and serves both endpoint families.
///
/// Authentication: a request is accepted when it carries `Authorization: Bearer <api_token>`
/// matching `api_token`, or `X-Auth-Key`/`X-Auth-Email` matching `api_key`/`api_email` (both must
/// be configured for that scheme). When no credential at all is configured, auth is not checked.
#[derive(Clone)]
pub struct EmulatorConfig {
    pub api_token: Option<String>,
    pub api_key: Option<String>,
    pub api_email: Option<String>,
    /// Load state from this JSON file at start (if it exists) and rewrite it after every change.
    pub persist_path: Option<PathBuf>,
    /// Serve `/zones/{zone}/cache/origin_cloud_regions…` (the deprecated family).
    pub v1_enabled: bool,
    /// Serve `/zones/{zone}/origin/cloud_regions…` (the current family).
    pub v2_enabled: bool,
    /// How v1 answers when it is not served (`v1_enabled: false`); `Some` also turns v1 off.
    pub v1_retired: Option<V1Retirement>,
    /// Send `Ratelimit`/`Ratelimit-Policy` headers and enforce this quota (None = neither).
    pub ratelimit: Option<RatelimitPolicy>,
    /// `Some(account_id)`: `api_token` is an Account API token of that account, so
    /// `GET /user/tokens/verify` refuses it while zone calls accept it (as Cloudflare does).
    pub token_account: Option<String>,
    /// What the token verify endpoints report; a disabled or expired token is refused everywhere.
    pub token_status: TokenStatus,
}

/// The `status` Cloudflare's token verify endpoints report.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum TokenStatus {
    #[default]
    Active,
    Disabled,
    Expired,
}

impl TokenStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            TokenStatus::Active => "active",
            TokenStatus::Disabled => "disabled",
            TokenStatus::Expired => "expired",
        }
    }

    pub fn parse(text: &str) -> Option<TokenStatus> {
        [TokenStatus::Active, TokenStatus::Disabled, TokenStatus::Expired].into_iter().find(|s| s.as_str() == text)
    }
}

impl Default for EmulatorConfig {
    fn default() -> Self {
        Self {
            api_token: Some(DEFAULT_TEST_TOKEN.to_string()),
            api_key: None,
            api_email: None,
            persist_path: None,
            v1_enabled: true,
            v2_enabled: true,
            v1_retired: None,
            ratelimit: None,
            token_account: None,
            token_status: TokenStatus::Active,
        }
    }
}

/// Secrets never appear in Debug output.
impl fmt::Debug for EmulatorConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let redact = |s: &Option<String>| s.as_ref().map(|_| "<redacted>");
        f.debug_struct("EmulatorConfig")
            .field("api_token", &redact(&self.api_token))
            .field("api_key", &redact(&self.api_key))
            .field("api_email", &self.api_email)
            .field("persist_path", &self.persist_path)
            .field("v1_enabled", &self.v1_enabled)
            .field("v2_enabled", &self.v2_enabled)
            .field("v1_retired", &self.v1_retired)
            .field("ratelimit", &self.ratelimit)
            .field("token_account", &self.token_account)
            .field("token_status", &self.token_status)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_redacts_secrets() {
        let config = EmulatorConfig {
            api_key: Some("global-key-123".into()),
            ..EmulatorConfig::default()
        };
        let text = format!("{config:?}");
        assert!(!text.contains(DEFAULT_TEST_TOKEN), "{text}");
        assert!(!text.contains("global-key-123"), "{text}");
    }
}

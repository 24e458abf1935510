//! Everything that can go wrong talking to Cloudflare, worded so a user knows what to do.

use std::fmt::Write as _;
use std::time::Duration;

use serde::Deserialize;

use super::auth_kind::AuthContext;

/// "Could not route to …" / "No route for that URI": the codes of a route-level failure.
const ROUTE_CODES: [i64; 2] = [7003, 7000];
/// The documented "mapping does not exist" codes (1142; v1 DELETE's text names 1163).
const NOT_FOUND_CODES: [i64; 2] = [1142, 1163];
/// "Maximum number of IP mappings configured for zone" — a 403 that is not about credentials.
const ZONE_FULL_CODE: i64 = 1164;
/// v1 POST: a mapping for that IP already exists.
const ALREADY_EXISTS_CODE: i64 = 1145;

/// One entry of Cloudflare's `errors` array (`error_chain` holds nested causes).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ErrorDetail {
    #[serde(default)]
    pub code: i64,
    #[serde(default)]
    pub message: String,
    #[serde(default, rename = "error_chain")]
    pub chain: Vec<ErrorDetail>,
}

/// An API client failure. Never contains a credential.
#[derive(Debug, Clone, thiserror::Error)]
pub enum ApiError {
    /// 401, or 403 for a reason other than the zone's mapping limit.
    #[error("{} (HTTP {status}{}): {}", auth_summary(*auth), details(errors), auth.hint())]
    Auth { status: u16, errors: Vec<ErrorDetail>, auth: AuthContext },
    /// Any other non-success answer (after retries, for retryable statuses).
    #[error("Cloudflare API error (HTTP {status}{}){}", attempts_note(*attempts), details(errors))]
    Api { status: u16, errors: Vec<ErrorDetail>, attempts: u32 },
    /// Still 429 after every allowed retry.
    #[error(
        "Cloudflare rate limit still exceeded after {attempts} attempt(s){}; Cloudflare allows 1,200 requests per 5 minutes per user across all tools: wait, lower `requests_per_second`, or raise `max_retries`",
        retry_after.map(|wait| format!(" (Cloudflare asked to wait {} s)", wait.as_secs())).unwrap_or_default()
    )]
    RateLimited { attempts: u32, retry_after: Option<Duration> },
    /// The connection failed (refused, reset, TLS, DNS) on every attempt.
    #[error("could not reach the Cloudflare API after {attempts} attempt(s): {message}")]
    Transport { attempts: u32, message: String },
    /// No complete answer within the per-request timeout, on every attempt.
    #[error("the Cloudflare API did not answer within {} s on any of {attempts} attempt(s); check connectivity or raise the request timeout", timeout.as_secs_f64())]
    Timeout { attempts: u32, timeout: Duration },
    /// An answer we could not understand.
    #[error("unexpected response from the Cloudflare API (HTTP {status}): {message}")]
    Decode { status: u16, message: String },
    /// A create-only call found an existing mapping. `after_retry`: the create was sent more
    /// than once, so an earlier attempt whose answer was lost may have written it.
    #[error("a mapping for {ip} already exists")]
    AlreadyExists { ip: String, after_retry: bool },
    /// Neither family routes the zone: v1 failed at route level and so did the v2 probe.
    #[error(
        "Cloudflare has no route for zone {zone} on either endpoint family, so the zone ID is most likely wrong \
         (it must be the zone's 32-character identifier from the dashboard's Overview page). v1 answered: {v1}. v2 answered: {v2}"
    )]
    Unrouted { zone: String, v1: Box<ApiError>, v2: Box<ApiError> },
    /// A paged v2 list kept changing under concurrent writes, on every attempt.
    #[error(
        "the mappings of zone {zone} kept changing while they were listed page by page ({attempts} attempts; last: {reason}). \
         Another writer is busy in this zone; run Terraform again once it is done"
    )]
    ListingUnstable { zone: String, attempts: u32, reason: String },
    /// The provider was asked to stop.
    #[error("cancelled: Terraform asked the provider to stop before the request finished")]
    Cancelled,
    /// The client could not be set up.
    #[error("invalid Cloudflare client settings: {0}")]
    Config(String),
}

impl ApiError {
    /// The HTTP status Cloudflare answered with, if there was an answer.
    pub fn status(&self) -> Option<u16> {
        match self {
            ApiError::Auth { status, .. } | ApiError::Api { status, .. } | ApiError::Decode { status, .. } => {
                Some(*status)
            }
            ApiError::RateLimited { .. } => Some(429),
            _ => None,
        }
    }

    /// Cloudflare error codes (top level and nested).
    pub fn codes(&self) -> Vec<i64> {
        fn collect(errors: &[ErrorDetail], into: &mut Vec<i64>) {
            for error in errors {
                into.push(error.code);
                collect(&error.chain, into);
            }
        }
        let mut codes = Vec::new();
        if let ApiError::Auth { errors, .. } | ApiError::Api { errors, .. } = self {
            collect(errors, &mut codes);
        }
        codes
    }

    /// A route-level failure: the path is not served (or the identifier in it cannot be routed).
    /// 400/404/405/410 carrying 7000 or 7003 in any order, 410 alone, or a 404 without a
    /// Cloudflare envelope. Status and code alone cannot tell a retired family from a malformed
    /// zone ID, so the family selector confirms with a v2 probe before switching.
    pub fn is_route_failure(&self) -> bool {
        match self {
            ApiError::Api { status: 410, .. } => true,
            ApiError::Api { status: 404, errors, .. } if errors.is_empty() => true,
            ApiError::Api { status: 400 | 404 | 405, .. } => self.codes().iter().any(|code| ROUTE_CODES.contains(code)),
            ApiError::Unrouted { .. } => true,
            _ => false,
        }
    }

    /// The mapping (or the zone's mapping set) does not exist: 404 with Cloudflare's documented
    /// not-found code. Any other 404 (an invalid zone, a missing route) is an error, never "none".
    pub fn is_not_found(&self) -> bool {
        matches!(self, ApiError::Api { status: 404, .. })
            && !self.is_route_failure()
            && self.codes().iter().any(|code| NOT_FOUND_CODES.contains(code))
    }

    /// Whether this answer shows that the endpoint exists (so a family probe may switch to it):
    /// a success, or an error Cloudflare sent from behind the route. Route failures, 5xx,
    /// timeouts and connection failures prove nothing.
    pub fn shows_route_exists(&self) -> bool {
        match self {
            ApiError::Auth { .. } | ApiError::RateLimited { .. } | ApiError::AlreadyExists { .. } => true,
            ApiError::Api { status, .. } => *status < 500 && !self.is_route_failure(),
            _ => false,
        }
    }

    pub fn is_auth(&self) -> bool {
        matches!(self, ApiError::Auth { .. })
    }

    /// A refusal of a credential Cloudflare confirmed when the provider started: about one
    /// zone's permissions, not about the credential.
    pub fn is_zone_refusal(&self) -> bool {
        matches!(self, ApiError::Auth { auth, .. } if auth.confirmed)
    }

    /// The summary for an authentication refusal: about the credential, or (when the start-up
    /// check confirmed the credential) about the zone's permissions. None for other errors.
    pub fn auth_summary(&self) -> Option<&'static str> {
        match self {
            ApiError::Auth { auth, .. } => Some(auth_summary(*auth)),
            _ => None,
        }
    }

    /// For rejected credentials: what Cloudflare answered and what to check, without the words
    /// a diagnostic already shows as its summary ([`Self::auth_summary`]).
    pub fn auth_detail(&self) -> Option<String> {
        self.auth_detail_asking("")
    }

    /// [`Self::auth_detail`] naming the request that was `asked` (e.g. "GET /user"; "" for none).
    pub fn auth_detail_asking(&self, asked: &str) -> Option<String> {
        match self {
            ApiError::Auth { status, errors, auth } => {
                let hint = auth.hint();
                let mut hint_chars = hint.chars();
                let hint = hint_chars.next().map(|c| c.to_uppercase().chain(hint_chars).collect::<String>()).unwrap_or_default();
                let asked = if asked.is_empty() { String::new() } else { format!(" {asked} with") };
                Some(format!("Cloudflare answered{asked} HTTP {status}{}. {hint}.", details(errors)))
            }
            _ => None,
        }
    }

    pub fn is_cancelled(&self) -> bool {
        matches!(self, ApiError::Cancelled)
    }

    /// How many times the failed request was sent (1 where not counted).
    pub fn attempts(&self) -> u32 {
        match self {
            ApiError::Api { attempts, .. }
            | ApiError::RateLimited { attempts, .. }
            | ApiError::Transport { attempts, .. }
            | ApiError::Timeout { attempts, .. } => *attempts,
            _ => 1,
        }
    }

    pub fn is_already_exists(&self) -> bool {
        matches!(self, ApiError::AlreadyExists { .. }) || self.codes().contains(&ALREADY_EXISTS_CODE)
    }

    /// Failures after which further requests of the same operation are pointless.
    pub fn aborts_batch(&self) -> bool {
        matches!(self, ApiError::Cancelled | ApiError::Auth { .. } | ApiError::Config(_) | ApiError::Unrouted { .. })
    }

    /// Builds the error for a non-success HTTP answer (`attempts` so far).
    pub(crate) fn from_status(status: u16, errors: Vec<ErrorDetail>, auth: AuthContext, attempts: u32) -> Self {
        let zone_full = errors.iter().any(|error| error.code == ZONE_FULL_CODE);
        match status {
            401 => ApiError::Auth { status, errors, auth },
            403 if !zone_full => ApiError::Auth { status, errors, auth },
            _ => ApiError::Api { status, errors, attempts },
        }
    }
}

fn auth_summary(auth: AuthContext) -> &'static str {
    if auth.confirmed {
        "Cloudflare refused access to the zone"
    } else {
        "Cloudflare rejected the credentials"
    }
}

fn attempts_note(attempts: u32) -> String {
    if attempts > 1 {
        format!(", gave up after {attempts} attempts")
    } else {
        String::new()
    }
}

/// ": [1157] message (cause: [..] ..); [..] .." or "" when Cloudflare sent no details.
fn details(errors: &[ErrorDetail]) -> String {
    fn write(errors: &[ErrorDetail], out: &mut String) {
        for (index, error) in errors.iter().enumerate() {
            if index > 0 {
                out.push_str("; ");
            }
            let _ = write!(out, "[{}] {}", error.code, error.message);
            if !error.chain.is_empty() {
                out.push_str(" (cause: ");
                write(&error.chain, out);
                out.push(')');
            }
        }
    }
    if errors.is_empty() {
        return String::new();
    }
    let mut out = String::from(": ");
    write(errors, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cloudflare::auth_kind::AuthKind;

    fn detail(code: i64, message: &str) -> ErrorDetail {
        ErrorDetail { code, message: message.into(), chain: vec![] }
    }

    #[test]
    fn auth_detail_does_not_repeat_the_summary() {
        let error = ApiError::from_status(403, vec![detail(10000, "Authentication error")], AuthKind::Token.into(), 1);
        let detail = error.auth_detail().expect("an auth error");
        assert!(detail.starts_with("Cloudflare answered HTTP 403: [10000] Authentication error. Check the API token"), "{detail}");
        assert!(!detail.contains("rejected the credentials"), "{detail}");
        assert_eq!(ApiError::Cancelled.auth_detail(), None);
    }

    #[test]
    fn auth_errors_name_the_settings_to_check() {
        let error = ApiError::from_status(403, vec![detail(9109, "Invalid access token")], AuthKind::Token.into(), 1);
        let text = error.to_string();
        assert!(error.is_auth());
        assert!(text.contains("api_token") && text.contains("CLOUDFLARE_API_TOKEN") && text.contains("9109"), "{text}");
        let text = ApiError::from_status(401, vec![], AuthKind::KeyAndEmail.into(), 1).to_string();
        assert!(text.contains("CLOUDFLARE_API_KEY") && text.contains("CLOUDFLARE_EMAIL"), "{text}");
    }

    #[test]
    fn zone_full_is_not_an_auth_problem() {
        let error = ApiError::from_status(403, vec![detail(1164, "Maximum number")], AuthKind::Token.into(), 1);
        assert!(!error.is_auth());
        assert_eq!(error.status(), Some(403));
    }

    fn api(status: u16, codes: &[i64]) -> ApiError {
        ApiError::from_status(status, codes.iter().map(|code| detail(*code, "x")).collect(), AuthKind::Token.into(), 1)
    }

    #[test]
    fn route_failures_follow_the_documented_rules() {
        for route_failure in [
            api(404, &[7003]),
            api(400, &[7003, 7000]),
            api(400, &[7000, 7003]),
            api(405, &[7000]),
            api(410, &[7003]),
            api(410, &[]),
            api(404, &[]),
        ] {
            assert!(route_failure.is_route_failure(), "{route_failure:?}");
            assert!(!route_failure.is_not_found() && !route_failure.shows_route_exists(), "{route_failure:?}");
        }
        for other in [api(404, &[1001]), api(404, &[1142]), api(400, &[1146]), api(405, &[]), api(401, &[7003]), api(503, &[7003]), api(403, &[9109])] {
            assert!(!other.is_route_failure(), "{other:?}");
        }
    }

    #[test]
    fn only_documented_codes_mean_not_found() {
        assert!(api(404, &[1142]).is_not_found());
        assert!(api(404, &[1163]).is_not_found());
        assert!(!api(404, &[1001]).is_not_found(), "an invalid zone is an error, not an empty answer");
        assert!(!api(404, &[7003]).is_not_found());
        assert!(!api(400, &[1142]).is_not_found());
    }

    #[test]
    fn what_proves_a_route_exists() {
        assert!(api(404, &[1142]).shows_route_exists());
        assert!(api(403, &[10000]).shows_route_exists());
        assert!(!api(502, &[]).shows_route_exists());
        assert!(!ApiError::Timeout { attempts: 1, timeout: Duration::from_secs(1) }.shows_route_exists());
    }

    #[test]
    fn messages_show_chain_and_attempts() {
        let mut outer = detail(6003, "Invalid request headers");
        outer.chain.push(detail(6111, "Invalid format for Authorization header"));
        let text = ApiError::Api { status: 400, errors: vec![outer], attempts: 1 }.to_string();
        assert_eq!(text, "Cloudflare API error (HTTP 400): [6003] Invalid request headers (cause: [6111] Invalid format for Authorization header)");
        let text = ApiError::Api { status: 503, errors: vec![], attempts: 4 }.to_string();
        assert_eq!(text, "Cloudflare API error (HTTP 503, gave up after 4 attempts)");
    }
}

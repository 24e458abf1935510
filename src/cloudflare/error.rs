//! Everything that can go wrong talking to Cloudflare, worded so a user knows what to do.

use std::fmt::Write as _;
use std::time::Duration;

use serde::Deserialize;

use super::auth_kind::AuthKind;

/// Cloudflare's "no route for the URI" code: the path (or the whole family) is not served.
const NO_ROUTE_CODE: i64 = 7003;
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
    #[error("Cloudflare rejected the credentials (HTTP {status}{}): {}", details(errors), auth.hint())]
    Auth { status: u16, errors: Vec<ErrorDetail>, auth: AuthKind },
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
    /// A create-only call found an existing mapping.
    #[error("a mapping for {ip} already exists")]
    AlreadyExists { ip: String },
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

    /// The route itself is missing (404 "no route", 405 or 410): the family is not served.
    pub fn is_no_route(&self) -> bool {
        match self {
            ApiError::Api { status: 405 | 410, .. } => true,
            ApiError::Api { status: 404, errors, .. } => {
                errors.is_empty() || errors.iter().any(|error| error.code == NO_ROUTE_CODE)
            }
            _ => false,
        }
    }

    /// The mapping (or zone's mapping set) does not exist.
    pub fn is_not_found(&self) -> bool {
        matches!(self, ApiError::Api { status: 404, .. }) && !self.is_no_route()
    }

    pub fn is_auth(&self) -> bool {
        matches!(self, ApiError::Auth { .. })
    }

    pub fn is_cancelled(&self) -> bool {
        matches!(self, ApiError::Cancelled)
    }

    pub fn is_already_exists(&self) -> bool {
        matches!(self, ApiError::AlreadyExists { .. }) || self.codes().contains(&ALREADY_EXISTS_CODE)
    }

    /// Failures after which further requests of the same operation are pointless.
    pub fn aborts_batch(&self) -> bool {
        matches!(self, ApiError::Cancelled | ApiError::Auth { .. } | ApiError::Config(_))
    }

    /// Builds the error for a non-success HTTP answer (`attempts` so far).
    pub(crate) fn from_status(status: u16, errors: Vec<ErrorDetail>, auth: AuthKind, attempts: u32) -> Self {
        let zone_full = errors.iter().any(|error| error.code == ZONE_FULL_CODE);
        match status {
            401 => ApiError::Auth { status, errors, auth },
            403 if !zone_full => ApiError::Auth { status, errors, auth },
            _ => ApiError::Api { status, errors, attempts },
        }
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

    fn detail(code: i64, message: &str) -> ErrorDetail {
        ErrorDetail { code, message: message.into(), chain: vec![] }
    }

    #[test]
    fn auth_errors_name_the_settings_to_check() {
        let error = ApiError::from_status(403, vec![detail(9109, "Invalid access token")], AuthKind::Token, 1);
        let text = error.to_string();
        assert!(error.is_auth());
        assert!(text.contains("api_token") && text.contains("CLOUDFLARE_API_TOKEN") && text.contains("9109"), "{text}");
        let text = ApiError::from_status(401, vec![], AuthKind::KeyAndEmail, 1).to_string();
        assert!(text.contains("CLOUDFLARE_API_KEY") && text.contains("CLOUDFLARE_EMAIL"), "{text}");
    }

    #[test]
    fn zone_full_is_not_an_auth_problem() {
        let error = ApiError::from_status(403, vec![detail(1164, "Maximum number")], AuthKind::Token, 1);
        assert!(!error.is_auth());
        assert_eq!(error.status(), Some(403));
    }

    #[test]
    fn no_route_versus_not_found() {
        let no_route = ApiError::from_status(404, vec![detail(7003, "No route")], AuthKind::Token, 1);
        let not_found = ApiError::from_status(404, vec![detail(1142, "does not exist")], AuthKind::Token, 1);
        let bad_zone = ApiError::from_status(400, vec![detail(7003, "Could not route")], AuthKind::Token, 1);
        assert!(no_route.is_no_route() && !no_route.is_not_found());
        assert!(not_found.is_not_found() && !not_found.is_no_route());
        assert!(!bad_zone.is_no_route());
        assert!(ApiError::from_status(410, vec![], AuthKind::Token, 1).is_no_route());
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

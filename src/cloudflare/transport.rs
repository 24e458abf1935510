//! One HTTP exchange with Cloudflare, with everything around it: rate limit, timeout, retries
//! with backoff or `Retry-After`, cancellation, envelope decoding and redacted DEBUG logging.

use std::fmt::Write as _;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use reqwest::header::{HeaderMap, RETRY_AFTER};
use reqwest::Method;
use serde::de::DeserializeOwned;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;
use tracing::{debug, warn};
use url::Url;

use super::backoff::{self, Backoff};
use super::config::ClientConfig;
use super::error::{ApiError, ErrorDetail};
use super::rate_limit::RateLimiter;
use super::auth_kind::{AuthContext, AuthKind};
use super::server_budget::{parse_ratelimit, ServerBudget};
use super::wire::{Envelope, FailureBody, ResultInfo};

const USER_AGENT: &str = concat!(env!("CARGO_PKG_NAME"), "/", env!("CARGO_PKG_VERSION"));
/// Bodies longer than this are shortened in logs.
const LOG_BODY_LIMIT: usize = 2048;

/// What to send: method, path segments after the base URL (each percent-encoded on its own, so
/// IPv6 colons stay raw as Cloudflare's own SDKs send them), query and JSON body.
#[derive(Debug, Clone)]
pub(crate) struct ApiRequest {
    pub method: Method,
    pub path: Vec<String>,
    pub query: Vec<(&'static str, String)>,
    pub body: Option<serde_json::Value>,
}

impl ApiRequest {
    pub fn new<S: Into<String>>(method: Method, path: impl IntoIterator<Item = S>) -> Self {
        Self { method, path: path.into_iter().map(Into::into).collect(), query: Vec::new(), body: None }
    }

    pub fn query(mut self, name: &'static str, value: impl ToString) -> Self {
        self.query.push((name, value.to_string()));
        self
    }

    pub fn json(mut self, body: serde_json::Value) -> Self {
        self.body = Some(body);
        self
    }
}

/// A successful answer's payload.
#[derive(Debug)]
pub(crate) struct Answer<T> {
    pub result: Option<T>,
    pub result_info: Option<ResultInfo>,
}

impl<T> Answer<T> {
    /// The `result`, which these endpoints always send on success.
    pub fn into_result(self, status_hint: &str) -> Result<T, ApiError> {
        self.result.ok_or_else(|| ApiError::Decode {
            status: 200,
            message: format!("the answer to {status_hint} has no `result`"),
        })
    }
}

/// Why one attempt failed; turned into an [`ApiError`] once retries are over.
#[derive(Debug)]
enum AttemptFailure {
    Status { status: u16, errors: Vec<ErrorDetail>, retry_after: Option<Duration> },
    Timeout,
    Connection(String),
    Decode { status: u16, message: String },
    Cancelled,
}

impl AttemptFailure {
    fn is_retryable(&self) -> bool {
        match self {
            AttemptFailure::Status { status, .. } => matches!(status, 408 | 409 | 429) || *status >= 500,
            AttemptFailure::Timeout | AttemptFailure::Connection(_) => true,
            AttemptFailure::Decode { .. } | AttemptFailure::Cancelled => false,
        }
    }

    fn into_error(self, attempts: u32, timeout: Duration, auth: AuthContext) -> ApiError {
        match self {
            AttemptFailure::Status { status: 429, retry_after, .. } => ApiError::RateLimited { attempts, retry_after },
            AttemptFailure::Status { status, errors, .. } => ApiError::from_status(status, errors, auth, attempts),
            AttemptFailure::Timeout => ApiError::Timeout { attempts, timeout },
            AttemptFailure::Connection(message) => ApiError::Transport { attempts, message },
            AttemptFailure::Decode { status, message } => ApiError::Decode { status, message },
            AttemptFailure::Cancelled => ApiError::Cancelled,
        }
    }
}

/// The process-wide HTTP side of the client.
#[derive(Debug)]
pub(crate) struct Transport {
    http: reqwest::Client,
    base_url: Url,
    auth_headers: HeaderMap,
    auth: AuthKind,
    /// Set once Cloudflare confirmed the credential (the start-up check).
    credentials_confirmed: AtomicBool,
    limiter: RateLimiter,
    /// What Cloudflare's `Ratelimit` header last said is left.
    server_budget: ServerBudget,
    backoff: Backoff,
    max_retries: u32,
    max_retry_after: Duration,
    timeout: Duration,
    cancel: CancellationToken,
}

impl Transport {
    pub fn new(config: &ClientConfig, cancel: CancellationToken) -> Result<Self, ApiError> {
        config.validate()?;
        let http = reqwest::Client::builder()
            .user_agent(USER_AGENT)
            .connect_timeout(config.request_timeout.min(Duration::from_secs(10)))
            .build()
            .map_err(|error| ApiError::Config(format!("cannot build the HTTP client: {}", error_chain(&error))))?;
        Ok(Self {
            http,
            base_url: config.base_url.clone(),
            auth_headers: config.credentials.headers()?,
            auth: config.credentials.kind(),
            credentials_confirmed: AtomicBool::new(false),
            limiter: RateLimiter::new(config.requests_per_second, config.burst),
            server_budget: ServerBudget::default(),
            backoff: Backoff { initial: config.initial_backoff, max: config.max_backoff },
            max_retries: config.max_retries,
            max_retry_after: config.max_retry_after,
            timeout: config.request_timeout,
            cancel,
        })
    }

    /// Cloudflare said the credential is alive: later refusals are about a zone's permissions.
    pub fn confirm_credentials(&self) {
        self.credentials_confirmed.store(true, Ordering::Relaxed);
    }

    pub fn cancel_token(&self) -> &CancellationToken {
        &self.cancel
    }

    /// Sends `request` until it succeeds, fails for good, runs out of attempts or is cancelled.
    pub async fn send<T: DeserializeOwned>(&self, request: &ApiRequest) -> Result<Answer<T>, ApiError> {
        let url = self.url(request);
        let mut attempt = 0;
        loop {
            attempt += 1;
            self.limiter.acquire(&self.cancel).await?;
            self.server_budget.acquire(&self.cancel).await?;
            let failure = match self.attempt(request, &url, attempt, self.timeout).await {
                Ok(answer) => return Ok(answer),
                Err(failure) => failure,
            };
            if !failure.is_retryable() || attempt > self.max_retries {
                return Err(failure.into_error(attempt, self.timeout, self.auth_context()));
            }
            let wait = match &failure {
                AttemptFailure::Status { retry_after: Some(wait), .. } => *wait,
                _ => self.backoff.random_delay(attempt),
            };
            warn!(
                method = %request.method, url = %url, attempt, wait_ms = wait.as_millis() as u64,
                failure = ?failure, "Cloudflare request failed; retrying"
            );
            tokio::select! {
                biased;
                _ = self.cancel.cancelled() => return Err(ApiError::Cancelled),
                _ = tokio::time::sleep(wait) => {}
            }
        }
    }

    /// One attempt within `timeout`, no retry and no rate-limit wait: for a question whose
    /// answer is optional (the start-up credential check), so an outage cannot hold up start-up.
    pub async fn send_once<T: DeserializeOwned>(&self, request: &ApiRequest, timeout: Duration) -> Result<Answer<T>, ApiError> {
        let url = self.url(request);
        self.attempt(request, &url, 1, timeout).await.map_err(|failure| failure.into_error(1, timeout, self.auth_context()))
    }

    /// The scheme, and whether Cloudflare has confirmed the credential: how a refusal is worded.
    fn auth_context(&self) -> AuthContext {
        AuthContext { kind: self.auth, confirmed: self.credentials_confirmed.load(Ordering::Relaxed) }
    }

    fn url(&self, request: &ApiRequest) -> Url {
        let mut url = self.base_url.clone();
        // `validate` guaranteed an http(s) base, which always has path segments.
        if let Ok(mut segments) = url.path_segments_mut() {
            segments.pop_if_empty().extend(&request.path);
        }
        if !request.query.is_empty() {
            url.query_pairs_mut().extend_pairs(request.query.iter().map(|(name, value)| (*name, value.as_str())));
        }
        url
    }

    /// One attempt, bounded by `timeout` and the cancellation token.
    async fn attempt<T: DeserializeOwned>(
        &self,
        request: &ApiRequest,
        url: &Url,
        attempt: u32,
        timeout: Duration,
    ) -> Result<Answer<T>, AttemptFailure> {
        tokio::select! {
            biased;
            _ = self.cancel.cancelled() => Err(AttemptFailure::Cancelled),
            outcome = tokio::time::timeout(timeout, self.exchange(request, url, attempt)) => {
                outcome.unwrap_or(Err(AttemptFailure::Timeout))
            }
        }
    }

    async fn exchange<T: DeserializeOwned>(
        &self,
        request: &ApiRequest,
        url: &Url,
        attempt: u32,
    ) -> Result<Answer<T>, AttemptFailure> {
        let mut builder = self.http.request(request.method.clone(), url.clone()).headers(self.auth_headers.clone());
        if let Some(body) = &request.body {
            builder = builder.json(body);
        }
        debug!(
            method = %request.method, url = %url, attempt,
            headers = %redacted_headers(&self.auth_headers),
            body = %request.body.as_ref().map(|body| preview(body.to_string().as_bytes())).unwrap_or_default(),
            "Cloudflare request"
        );
        let started = Instant::now();
        let response = builder.send().await.map_err(|error| connection_failure(&error))?;
        let status = response.status().as_u16();
        let retry_after_header = response.headers().get(RETRY_AFTER).and_then(|value| value.to_str().ok()).map(str::to_owned);
        if let Some(reported) = response.headers().get("ratelimit").and_then(|value| value.to_str().ok()).and_then(parse_ratelimit) {
            self.server_budget.observe(reported);
        }
        let body = response.bytes().await.map_err(|error| connection_failure(&error))?;
        debug!(
            method = %request.method, url = %url, attempt, status,
            elapsed_ms = started.elapsed().as_millis() as u64, body = %preview(&body),
            "Cloudflare response"
        );
        decode_answer(status, &body, retry_after_header.as_deref(), self.max_retry_after)
    }
}

/// Turns status + body into the payload or a failure.
fn decode_answer<T: DeserializeOwned>(
    status: u16,
    body: &[u8],
    retry_after_header: Option<&str>,
    max_retry_after: Duration,
) -> Result<Answer<T>, AttemptFailure> {
    if !(200..300).contains(&status) {
        // Failure bodies are read leniently: proxies may answer with HTML or nothing.
        let errors = serde_json::from_slice::<FailureBody>(body).map(|failure| failure.errors).unwrap_or_default();
        let retry_after = backoff::retry_after(retry_after_header, max_retry_after);
        return Err(AttemptFailure::Status { status, errors, retry_after });
    }
    let envelope: Envelope<T> = serde_json::from_slice(body).map_err(|error| AttemptFailure::Decode {
        status,
        message: format!("{error}; body starts with: {}", preview(&body[..body.len().min(200)])),
    })?;
    if envelope.success == Some(false) {
        return Err(AttemptFailure::Status { status, errors: envelope.errors, retry_after: None });
    }
    Ok(Answer { result: envelope.result, result_info: envelope.result_info })
}

fn connection_failure(error: &reqwest::Error) -> AttemptFailure {
    if error.is_timeout() {
        AttemptFailure::Timeout
    } else {
        AttemptFailure::Connection(error_chain(error))
    }
}

/// An error and its sources, "outer: inner: innermost".
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let _ = write!(text, ": {cause}");
        source = cause.source();
    }
    text
}

/// Header names with sensitive values hidden, for logs.
fn redacted_headers(headers: &HeaderMap) -> String {
    headers
        .iter()
        .map(|(name, value)| {
            let shown = if value.is_sensitive() { "<redacted>" } else { value.to_str().unwrap_or("<binary>") };
            format!("{name}: {shown}")
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn preview(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(&body[..body.len().min(LOG_BODY_LIMIT)]);
    if body.len() > LOG_BODY_LIMIT {
        format!("{text}… ({} bytes)", body.len())
    } else {
        text.into_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cloudflare::secret::{Credentials, Secret};
    use crate::cloudflare::wire::Entry;

    fn transport(base: &str) -> Transport {
        let config = ClientConfig::new(base.parse().unwrap(), Credentials::Token(Secret::new("tok-secret")));
        Transport::new(&config, CancellationToken::new()).unwrap()
    }

    #[test]
    fn urls_keep_ipv6_colons_and_the_base_path() {
        let transport = transport("http://127.0.0.1:1/client/v4/");
        let request = ApiRequest::new(Method::GET, ["zones", "z1", "origin", "cloud_regions", "2001:db8::1"]);
        assert_eq!(transport.url(&request).as_str(), "http://127.0.0.1:1/client/v4/zones/z1/origin/cloud_regions/2001:db8::1");
        let request = ApiRequest::new(Method::GET, ["zones", "z/1"]).query("page", 2).query("per_page", 100);
        assert_eq!(transport.url(&request).as_str(), "http://127.0.0.1:1/client/v4/zones/z%2F1?page=2&per_page=100");
    }

    #[test]
    fn logged_headers_hide_credentials() {
        let text = redacted_headers(&transport("http://127.0.0.1:1/").auth_headers);
        assert_eq!(text, "authorization: <redacted>");
    }

    #[test]
    fn decoding_statuses() {
        let cap = Duration::from_secs(60);
        let ok = br#"{"success":true,"errors":[],"result":{"origin_ip":"192.0.2.1","vendor":"aws","region":"us-east-1"}}"#;
        assert!(decode_answer::<Entry>(200, ok, None, cap).unwrap().result.is_some());

        let limited = br#"{"success":false,"errors":[{"code":971,"message":"Please wait"}]}"#;
        match decode_answer::<Entry>(429, limited, Some("5"), cap).unwrap_err() {
            AttemptFailure::Status { status: 429, errors, retry_after } => {
                assert_eq!(errors[0].code, 971);
                assert_eq!(retry_after, Some(Duration::from_secs(5)));
            }
            other => panic!("{other:?}"),
        }
        let html = decode_answer::<Entry>(502, b"<html>Bad gateway</html>", None, cap).unwrap_err();
        assert!(matches!(&html, AttemptFailure::Status { status: 502, errors, .. } if errors.is_empty()));
        assert!(html.is_retryable());

        let unsuccessful = br#"{"success":false,"errors":[{"code":1000,"message":"x"}],"result":null}"#;
        assert!(matches!(decode_answer::<Entry>(200, unsuccessful, None, cap), Err(AttemptFailure::Status { status: 200, .. })));
        let garbage = decode_answer::<Entry>(200, b"not json", None, cap).unwrap_err();
        assert!(matches!(garbage, AttemptFailure::Decode { .. }) && !garbage.is_retryable());
    }

    #[test]
    fn retryable_statuses() {
        let status = |status| AttemptFailure::Status { status, errors: vec![], retry_after: None };
        for code in [408, 409, 429, 500, 502, 503, 504] {
            assert!(status(code).is_retryable(), "{code}");
        }
        for code in [400, 401, 403, 404] {
            assert!(!status(code).is_retryable(), "{code}");
        }
    }
}

//! The `provider "cloudflare"` block: its schema, and how it resolves (with the environment as a
//! fallback) into settings the API client can use.
//!
//! Values in the block win over environment variables. Secrets are only ever held inside
//! `Secret`, which never prints its contents.

use std::net::IpAddr;
use std::time::Duration;

use crate::cloudflare::{
    ApiFamily, ClientConfig, CredentialShape, Credentials, Secret, DEFAULT_BASE_URL, DEFAULT_BATCH_PARALLELISM, DEFAULT_MAX_RETRIES,
    DEFAULT_REQUESTS_PER_SECOND, DEFAULT_REQUEST_TIMEOUT, MAX_BATCH_PARALLELISM,
};
use crate::tfplugin::{AttributePath, Attribute, Block, Diagnostics, Schema, Type, Value};

const MAX_MAX_RETRIES: i64 = 20;

/// One configuration attribute and the environment variable that stands in for it.
struct Setting {
    name: &'static str,
    env: Option<&'static str>,
}

const API_TOKEN: Setting = Setting { name: "api_token", env: Some("CLOUDFLARE_API_TOKEN") };
const API_KEY: Setting = Setting { name: "api_key", env: Some("CLOUDFLARE_API_KEY") };
const EMAIL: Setting = Setting { name: "email", env: Some("CLOUDFLARE_EMAIL") };
const ACCOUNT_ID: Setting = Setting { name: "account_id", env: Some("CLOUDFLARE_ACCOUNT_ID") };
const BASE_URL: Setting = Setting { name: "base_url", env: Some("CLOUDFLARE_BASE_URL") };
const API_FAMILY: Setting = Setting { name: "api_family", env: Some("CLOUDFLARE_API_FAMILY") };
const MAX_RETRIES: Setting = Setting { name: "max_retries", env: Some("CLOUDFLARE_MAX_RETRIES") };
const REQUESTS_PER_SECOND: Setting =
    Setting { name: "requests_per_second", env: Some("CLOUDFLARE_REQUESTS_PER_SECOND") };
const BATCH_PARALLELISM: Setting =
    Setting { name: "batch_parallelism", env: Some("CLOUDFLARE_BATCH_PARALLELISM") };
const REQUEST_TIMEOUT: Setting =
    Setting { name: "request_timeout_seconds", env: Some("CLOUDFLARE_REQUEST_TIMEOUT_SECONDS") };

/// The schema of the provider block.
pub fn provider_schema() -> Schema {
    let block = Block::new()
        .description(
            "Manages Cloudflare origin cloud-region mappings (which cloud vendor region each \
             origin IP of a zone lives in). Authenticate with an API token (`api_token` or \
             `CLOUDFLARE_API_TOKEN`), or with a global API key and its e-mail (`api_key` + \
             `email`, or `CLOUDFLARE_API_KEY` + `CLOUDFLARE_EMAIL`). Values set here win over \
             the environment.",
        )
        .attribute(
            Attribute::optional(API_TOKEN.name, Type::String).sensitive().description(
                "Cloudflare API token with the zone permission to edit cache settings. \
                 Falls back to `CLOUDFLARE_API_TOKEN`. Conflicts with `api_key`.",
            ),
        )
        .attribute(
            Attribute::optional(API_KEY.name, Type::String).sensitive().description(
                "Cloudflare global API key, used together with `email`. Falls back to \
                 `CLOUDFLARE_API_KEY`. Prefer `api_token`.",
            ),
        )
        .attribute(Attribute::optional(EMAIL.name, Type::String).description(
            "E-mail address of the account that owns `api_key`. Falls back to `CLOUDFLARE_EMAIL`.",
        ))
        .attribute(Attribute::optional(ACCOUNT_ID.name, Type::String).description(
            "ID of the Cloudflare account an Account API token belongs to (32 hexadecimal \
             characters). Used only to check that token when the provider starts: Cloudflare \
             checks user tokens at `/user/tokens/verify` and Account API tokens only at their \
             account. Without it, an Account API token is checked by the first zone request \
             instead. Falls back to `CLOUDFLARE_ACCOUNT_ID` (ignored there when it is not an \
             account ID). See \"Credentials\" above.",
        ))
        .attribute(Attribute::optional(BASE_URL.name, Type::String).description(format!(
            "Base URL of the Cloudflare API. Falls back to `CLOUDFLARE_BASE_URL`, then \
             `{DEFAULT_BASE_URL}`. Plain `http` is accepted only for loopback hosts \
             (a local test server)."
        )))
        .attribute(Attribute::optional(API_FAMILY.name, Type::String).description(
            "Which endpoint family to call: `auto` (default) uses v1, \
             `/zones/{zone_id}/cache/origin_cloud_regions` with its batch `PATCH`, while it \
             answers; when v1 fails at route level and v2 (`/zones/{zone_id}/origin/cloud_regions`) \
             answers the same call, it switches to v2 (with one warning) and remembers that per \
             zone in each resource's private state, so later runs go straight to v2. `v1` or `v2` \
             pin one family and never switch. v1 passed its end of life on 2026-10-01. Falls back \
             to `CLOUDFLARE_API_FAMILY`. See \"Endpoint families\" above.",
        ))
        .attribute(Attribute::optional(MAX_RETRIES.name, Type::Number).description(format!(
            "How many times a request is retried after a rate limit (429), a server error \
             (5xx, 408, 409), a timeout or a dropped connection. Default {DEFAULT_MAX_RETRIES}, \
             at most {MAX_MAX_RETRIES}. Falls back to `CLOUDFLARE_MAX_RETRIES`."
        )))
        .attribute(Attribute::optional(REQUESTS_PER_SECOND.name, Type::Number).description(format!(
            "Client-side limit on API requests per second, shared by everything this provider \
             does at once. Default {DEFAULT_REQUESTS_PER_SECOND} (Cloudflare allows 1,200 \
             requests per 5 minutes). Falls back to `CLOUDFLARE_REQUESTS_PER_SECOND`."
        )))
        .attribute(Attribute::optional(BATCH_PARALLELISM.name, Type::Number).description(format!(
            "How many batch requests (of up to 100 mappings each) one apply keeps in flight at \
             once. Default {DEFAULT_BATCH_PARALLELISM}, from 1 (one after the other) to \
             {MAX_BATCH_PARALLELISM}. Deletions always finish before additions start, and every \
             request still counts against `requests_per_second`. Falls back to \
             `CLOUDFLARE_BATCH_PARALLELISM`."
        )))
        .attribute(Attribute::optional(REQUEST_TIMEOUT.name, Type::Number).description(format!(
            "Seconds to wait for one API response before retrying it. Default \
             {}. Falls back to `CLOUDFLARE_REQUEST_TIMEOUT_SECONDS`.",
            DEFAULT_REQUEST_TIMEOUT.as_secs()
        )));
    Schema::new(0, block)
}

/// The result of resolving the provider block.
#[derive(Debug)]
pub enum Resolution {
    Ready(Box<ClientConfig>),
    /// Some value depends on resources not created yet (only during plan).
    NotYetKnown,
    Invalid(Diagnostics),
}

/// A value from the provider block, else from its environment variable.
enum Source {
    Config(String),
    Env(String),
    Unset,
    Unknown,
}

impl Source {
    fn value(&self) -> Option<&str> {
        match self {
            Source::Config(v) | Source::Env(v) => Some(v),
            Source::Unset | Source::Unknown => None,
        }
    }
}

fn lookup(config: &Value, setting: &Setting, env: &dyn Fn(&str) -> Option<String>) -> Source {
    match config.get_attr(setting.name) {
        Some(Value::Unknown) => return Source::Unknown,
        Some(Value::String(text)) => return Source::Config(text.clone()),
        Some(Value::Number(number)) => return Source::Config(number.to_string()),
        _ => {}
    }
    match setting.env.and_then(env) {
        Some(text) if !text.is_empty() => Source::Env(text),
        _ => Source::Unset,
    }
}

fn path(setting: &Setting) -> AttributePath {
    AttributePath::new(setting.name)
}

/// Checks the known values of the block alone (no environment): the `validate` step.
pub fn validate(config: &Value) -> Diagnostics {
    let no_env = |_: &str| None;
    let mut diags = Diagnostics::new();
    let token = lookup(config, &API_TOKEN, &no_env);
    let key = lookup(config, &API_KEY, &no_env);
    if let (Source::Config(_), Source::Config(_)) = (&token, &key) {
        diags.error_at(path(&API_KEY), "Conflicting credentials", conflict_detail());
    }
    if let Source::Config(text) = lookup(config, &BASE_URL, &no_env) {
        if let Err(detail) = parse_base_url(&text) {
            diags.error_at(path(&BASE_URL), "Invalid base_url", detail);
        }
    }
    resolve_account_id(config, &no_env, &mut diags);
    check_tuning(config, &no_env, &mut diags);
    diags
}

/// Resolves the block and the environment into the API client's settings.
pub fn resolve(config: &Value, env: &dyn Fn(&str) -> Option<String>) -> Resolution {
    let mut diags = Diagnostics::new();
    let credentials = resolve_credentials(config, env, &mut diags);
    let base_url = match lookup(config, &BASE_URL, env) {
        Source::Unknown => return Resolution::NotYetKnown,
        Source::Unset => parse_base_url(DEFAULT_BASE_URL).ok(),
        source => {
            let text = source.value().unwrap_or_default();
            match parse_base_url(text) {
                Ok(url) => Some(url),
                Err(detail) => {
                    let detail = match source {
                        Source::Env(_) => format!("{detail} (from {})", env_name(&BASE_URL)),
                        _ => detail,
                    };
                    diags.error_at(path(&BASE_URL), "Invalid base_url", detail);
                    None
                }
            }
        }
    };
    let account_id = resolve_account_id(config, env, &mut diags);
    let tuning = check_tuning(config, env, &mut diags);
    if diags.has_errors() {
        return Resolution::Invalid(diags);
    }
    match (credentials, base_url, tuning) {
        (CredentialState::Ready(credentials), Some(base_url), Some(tuning)) => {
            let mut client_config = ClientConfig::new(base_url, credentials);
            client_config.account_id = account_id;
            client_config.family = tuning.family;
            client_config.max_retries = tuning.max_retries;
            client_config.requests_per_second = tuning.requests_per_second;
            client_config.batch_parallelism = tuning.batch_parallelism;
            client_config.request_timeout = tuning.request_timeout;
            Resolution::Ready(Box::new(client_config))
        }
        _ => Resolution::NotYetKnown,
    }
}

enum CredentialState {
    Ready(Credentials),
    NotYetKnown,
    Invalid,
}

fn resolve_credentials(
    config: &Value,
    env: &dyn Fn(&str) -> Option<String>,
    diags: &mut Diagnostics,
) -> CredentialState {
    let token = lookup(config, &API_TOKEN, env);
    let key = lookup(config, &API_KEY, env);
    let email = lookup(config, &EMAIL, env);
    if [&token, &key, &email].iter().any(|s| matches!(s, Source::Unknown)) {
        return CredentialState::NotYetKnown;
    }
    // The block decides when it names any credential; the environment only fills gaps.
    let (token, key) = match (&token, &key) {
        (Source::Config(_), Source::Env(_)) => (token, Source::Unset),
        (Source::Env(_), Source::Config(_)) => (Source::Unset, key),
        _ => (token, key),
    };
    match (token.value(), key.value()) {
        (Some(_), Some(_)) => {
            diags.error_at(path(&API_KEY), "Conflicting credentials", conflict_detail());
            CredentialState::Invalid
        }
        (Some(token), None) if CredentialShape::of(token) == CredentialShape::GlobalKey => {
            diags.error(
                "Global API key given as an API token",
                format!(
                    "The value of `api_token` (or {}) starts with cfk_, Cloudflare's prefix for a \
                     Global API key. Set it as `api_key` with `email` (or {} and {}), or create \
                     an API token.",
                    env_name(&API_TOKEN),
                    env_name(&API_KEY),
                    env_name(&EMAIL)
                ),
            );
            CredentialState::Invalid
        }
        (None, Some(key)) if matches!(CredentialShape::of(key), CredentialShape::UserToken | CredentialShape::AccountToken) => {
            diags.error(
                "API token given as a Global API key",
                format!(
                    "The value of `api_key` (or {}) starts with {}, Cloudflare's prefix for an \
                     API token. Set it as `api_token` (or {}) and leave `api_key` and `email` unset.",
                    env_name(&API_KEY),
                    &key[..5],
                    env_name(&API_TOKEN)
                ),
            );
            CredentialState::Invalid
        }
        (Some(token), None) => CredentialState::Ready(Credentials::Token(Secret::new(token))),
        (None, Some(key)) => match email.value() {
            Some(email) if !email.trim().is_empty() => CredentialState::Ready(
                Credentials::KeyAndEmail { key: Secret::new(key), email: email.to_string() },
            ),
            _ => {
                diags.error_at(
                    path(&EMAIL),
                    "Missing email for api_key",
                    format!(
                        "A global API key needs the e-mail address of its account: set `email` \
                         in the provider block or {}. Or use an API token instead (`api_token` \
                         or {}).",
                        env_name(&EMAIL),
                        env_name(&API_TOKEN)
                    ),
                );
                CredentialState::Invalid
            }
        },
        (None, None) => {
            diags.error(
                "Missing Cloudflare credentials",
                format!(
                    "Set an API token with `api_token` in the provider block or the {} \
                     environment variable, or a global API key with `api_key` and `email` \
                     (or {} and {}).",
                    env_name(&API_TOKEN),
                    env_name(&API_KEY),
                    env_name(&EMAIL)
                ),
            );
            CredentialState::Invalid
        }
    }
}

/// The optional account of an Account API token: 32 hexadecimal characters (any case). A bad
/// value in the block is an error; a bad CLOUDFLARE_ACCOUNT_ID, which other tools set too, is
/// only ignored (it can only cost the start-up check). An unknown value means the token is
/// checked later, so it never defers configuration. The value is never echoed: a token pasted
/// there by mistake must not reach the output.
fn resolve_account_id(
    config: &Value,
    env: &dyn Fn(&str) -> Option<String>,
    diags: &mut Diagnostics,
) -> Option<String> {
    let source = lookup(config, &ACCOUNT_ID, env);
    let text = source.value()?.trim();
    if text.len() == 32 && text.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Some(text.to_ascii_lowercase());
    }
    if let Source::Env(_) = source {
        tracing::debug!(length = text.len(), "CLOUDFLARE_ACCOUNT_ID is not an account ID; ignored");
        return None;
    }
    let looks_like = if text.starts_with("cf") && text.contains('_') {
        " It looks like an API token: tokens belong in `api_token`."
    } else {
        ""
    };
    diags.error_at(
        path(&ACCOUNT_ID),
        "Invalid account_id",
        format!(
            "`account_id` is not an account ID ({} characters): an account ID is 32 hexadecimal \
             characters, as in the dashboard's address after dash.cloudflare.com/.{looks_like}",
            text.chars().count()
        ),
    );
    None
}

fn conflict_detail() -> String {
    format!(
        "Give exactly one kind of credential: an API token (`api_token` or {}) or a global API \
         key with its e-mail (`api_key` + `email`, or {} + {}), not both.",
        env_name(&API_TOKEN),
        env_name(&API_KEY),
        env_name(&EMAIL)
    )
}

fn env_name(setting: &Setting) -> &'static str {
    setting.env.unwrap_or(setting.name)
}

/// Accepts https anywhere and http only for loopback hosts, so tokens never cross a network
/// in clear text.
fn parse_base_url(text: &str) -> Result<url::Url, String> {
    let url = url::Url::parse(text)
        .map_err(|err| format!("{text:?} is not a valid URL ({err}); expected e.g. {DEFAULT_BASE_URL}"))?;
    match url.scheme() {
        "https" => {}
        "http" if is_loopback(&url) => {}
        "http" => {
            return Err(format!(
                "{text:?} uses plain http to a host that is not loopback; credentials would \
                 travel unencrypted. Use https (plain http is accepted only for 127.0.0.1, ::1 \
                 and localhost)."
            ))
        }
        other => return Err(format!("{text:?} has scheme {other:?}; use https")),
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(format!("{text:?} has no host"));
    }
    Ok(url)
}

fn is_loopback(url: &url::Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(domain)) => domain.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(addr)) => IpAddr::V4(addr).is_loopback(),
        Some(url::Host::Ipv6(addr)) => IpAddr::V6(addr).is_loopback(),
        None => false,
    }
}

struct Tuning {
    family: ApiFamily,
    max_retries: u32,
    requests_per_second: f64,
    batch_parallelism: u32,
    request_timeout: Duration,
}

/// Family, retries, rate, batch parallelism and timeout; `None` when a value is unknown or invalid.
fn check_tuning(
    config: &Value,
    env: &dyn Fn(&str) -> Option<String>,
    diags: &mut Diagnostics,
) -> Option<Tuning> {
    let family = match lookup(config, &API_FAMILY, env) {
        Source::Unknown => None,
        Source::Unset => Some(ApiFamily::Auto),
        source => match source.value().unwrap_or_default().parse::<ApiFamily>() {
            Ok(family) => Some(family),
            Err(err) => {
                diags.error_at(path(&API_FAMILY), "Invalid api_family", err.to_string());
                None
            }
        },
    };
    let max_retries = number_setting(config, &MAX_RETRIES, env, diags, DEFAULT_MAX_RETRIES as f64, |n| {
        (n.fract() == 0.0 && (0.0..=MAX_MAX_RETRIES as f64).contains(&n))
            .then_some(())
            .ok_or_else(|| format!("must be a whole number from 0 to {MAX_MAX_RETRIES}"))
    });
    let requests_per_second =
        number_setting(config, &REQUESTS_PER_SECOND, env, diags, DEFAULT_REQUESTS_PER_SECOND, |n| {
            (n > 0.0 && n <= 1000.0).then_some(()).ok_or_else(|| "must be above 0 and at most 1000".to_string())
        });
    let batch_parallelism =
        number_setting(config, &BATCH_PARALLELISM, env, diags, f64::from(DEFAULT_BATCH_PARALLELISM), |n| {
            (n.fract() == 0.0 && (1.0..=f64::from(MAX_BATCH_PARALLELISM)).contains(&n))
                .then_some(())
                .ok_or_else(|| format!("must be a whole number from 1 to {MAX_BATCH_PARALLELISM}"))
        });
    let timeout = number_setting(
        config,
        &REQUEST_TIMEOUT,
        env,
        diags,
        DEFAULT_REQUEST_TIMEOUT.as_secs_f64(),
        |n| (1.0..=3600.0).contains(&n).then_some(()).ok_or_else(|| "must be from 1 to 3600 seconds".to_string()),
    );
    Some(Tuning {
        family: family?,
        max_retries: max_retries? as u32,
        requests_per_second: requests_per_second?,
        batch_parallelism: batch_parallelism? as u32,
        request_timeout: Duration::from_secs_f64(timeout?),
    })
}

fn number_setting(
    config: &Value,
    setting: &Setting,
    env: &dyn Fn(&str) -> Option<String>,
    diags: &mut Diagnostics,
    default: f64,
    check: impl Fn(f64) -> Result<(), String>,
) -> Option<f64> {
    let source = lookup(config, setting, env);
    let text = match &source {
        Source::Unknown => return None,
        Source::Unset => return Some(default),
        Source::Config(text) | Source::Env(text) => text,
    };
    let origin = match source {
        Source::Env(_) => format!(" (from {})", env_name(setting)),
        _ => String::new(),
    };
    match text.trim().parse::<f64>() {
        Ok(number) if number.is_finite() => match check(number) {
            Ok(()) => Some(number),
            Err(rule) => {
                diags.error_at(path(setting), format!("Invalid {}", setting.name), format!("{} {rule}; got {text}{origin}.", setting.name));
                None
            }
        },
        _ => {
            diags.error_at(path(setting), format!("Invalid {}", setting.name), format!("{} must be a number; got {text:?}{origin}.", setting.name));
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tfplugin::Number;
    use std::collections::BTreeMap;

    fn block(pairs: &[(&str, Value)]) -> Value {
        let mut attrs: BTreeMap<String, Value> = provider_schema()
            .block
            .attributes
            .iter()
            .map(|a| (a.name.clone(), Value::Null))
            .collect();
        for (name, value) in pairs {
            attrs.insert((*name).to_string(), value.clone());
        }
        Value::Object(attrs)
    }

    fn env_of(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |name| pairs.iter().find(|(k, _)| *k == name).map(|(_, v)| (*v).to_string())
    }

    fn errors(resolution: Resolution) -> Vec<(Option<String>, String, String)> {
        match resolution {
            Resolution::Invalid(diags) => diags
                .iter()
                .map(|d| (d.path.as_ref().map(|p| p.to_string()), d.summary.clone(), d.detail.clone()))
                .collect(),
            other => panic!("expected errors, got {other:?}"),
        }
    }

    #[test]
    fn token_from_config_wins_over_env_key() {
        let config = block(&[("api_token", Value::string("tok-config"))]);
        let env = env_of(&[("CLOUDFLARE_API_KEY", "key-env"), ("CLOUDFLARE_EMAIL", "a@b.c")]);
        match resolve(&config, &env) {
            Resolution::Ready(settings) => {
                assert!(matches!(settings.credentials, Credentials::Token(_)));
                assert_eq!(settings.base_url.as_str(), "https://api.cloudflare.com/client/v4");
                assert_eq!(settings.family, ApiFamily::Auto);
                assert_eq!(settings.max_retries, DEFAULT_MAX_RETRIES);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn env_fills_what_config_leaves_out() {
        let config = block(&[("api_key", Value::string("key-config"))]);
        let env = env_of(&[("CLOUDFLARE_EMAIL", "ops@example.com"), ("CLOUDFLARE_MAX_RETRIES", "7")]);
        match resolve(&config, &env) {
            Resolution::Ready(settings) => {
                assert!(matches!(&settings.credentials, Credentials::KeyAndEmail { email, .. } if email == "ops@example.com"));
                assert_eq!(settings.max_retries, 7);
            }
            other => panic!("{other:?}"),
        }
    }

    fn account_of(resolution: Resolution) -> Option<String> {
        match resolution {
            Resolution::Ready(settings) => settings.account_id,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn account_id_is_checked_in_the_block_and_only_ignored_from_the_environment() {
        let token = ("api_token", Value::string("tok"));
        let upper = block(&[token.clone(), ("account_id", Value::string("9A7806061C88ADA191ED06F989CC3DAC"))]);
        assert_eq!(account_of(resolve(&upper, &env_of(&[]))).as_deref(), Some("9a7806061c88ada191ed06f989cc3dac"));
        let env = env_of(&[("CLOUDFLARE_ACCOUNT_ID", "my-other-tool's-account")]);
        assert_eq!(account_of(resolve(&block(&[token.clone()]), &env)), None, "a stray variable never fails the run");
        let pasted = block(&[token, ("account_id", Value::string("cfut_SECRETSECRETSECRET"))]);
        let found = errors(resolve(&pasted, &env_of(&[])));
        assert_eq!((found[0].0.as_deref(), found[0].1.as_str()), (Some("account_id"), "Invalid account_id"));
        assert!(found[0].2.contains("looks like an API token") && !found[0].2.contains("SECRET"), "{found:?}");
    }

    #[test]
    fn missing_credentials_name_attributes_and_env_vars() {
        let found = errors(resolve(&block(&[]), &env_of(&[])));
        assert_eq!(found.len(), 1);
        let (path, summary, detail) = &found[0];
        assert_eq!(path, &None);
        assert_eq!(summary, "Missing Cloudflare credentials");
        for needle in ["api_token", "CLOUDFLARE_API_TOKEN", "api_key", "CLOUDFLARE_API_KEY", "CLOUDFLARE_EMAIL"] {
            assert!(detail.contains(needle), "{needle} in {detail}");
        }
    }

    #[test]
    fn conflicting_credentials_point_at_api_key_and_hide_secrets() {
        let config = block(&[
            ("api_token", Value::string("secret-token-123")),
            ("api_key", Value::string("secret-key-456")),
            ("email", Value::string("a@b.c")),
        ]);
        let found = errors(resolve(&config, &env_of(&[])));
        assert_eq!(found[0].0.as_deref(), Some("api_key"));
        assert_eq!(found[0].1, "Conflicting credentials");
        let text = format!("{found:?}");
        assert!(!text.contains("secret-token-123") && !text.contains("secret-key-456"));
        assert!(validate(&config).has_errors());
    }

    #[test]
    fn both_credential_kinds_in_env_conflict() {
        let env = env_of(&[("CLOUDFLARE_API_TOKEN", "t"), ("CLOUDFLARE_API_KEY", "k"), ("CLOUDFLARE_EMAIL", "e@x.y")]);
        assert_eq!(errors(resolve(&block(&[]), &env))[0].1, "Conflicting credentials");
    }

    #[test]
    fn api_key_needs_email() {
        let found = errors(resolve(&block(&[("api_key", Value::string("k"))]), &env_of(&[])));
        assert_eq!(found[0].0.as_deref(), Some("email"));
    }

    #[test]
    fn plain_http_only_for_loopback() {
        let token = ("api_token", Value::string("t"));
        for ok in ["http://127.0.0.1:8080/client/v4", "http://localhost/x", "http://[::1]:9/x", "https://api.example.com/v4"] {
            let config = block(&[token.clone(), ("base_url", Value::string(ok))]);
            assert!(matches!(resolve(&config, &env_of(&[])), Resolution::Ready(_)), "{ok}");
        }
        for bad in ["http://api.cloudflare.com/client/v4", "http://10.0.0.1/x", "ftp://127.0.0.1/", "not a url"] {
            let config = block(&[token.clone(), ("base_url", Value::string(bad))]);
            let found = errors(resolve(&config, &env_of(&[])));
            assert_eq!(found[0].0.as_deref(), Some("base_url"), "{bad}");
            assert!(validate(&config).has_errors(), "{bad}");
        }
        let env = env_of(&[("CLOUDFLARE_BASE_URL", "http://example.com/")]);
        let found = errors(resolve(&block(&[token]), &env));
        assert!(found[0].2.contains("CLOUDFLARE_BASE_URL"));
    }

    #[test]
    fn unknown_values_defer_instead_of_failing() {
        let config = block(&[("api_token", Value::Unknown)]);
        assert!(matches!(resolve(&config, &env_of(&[])), Resolution::NotYetKnown));
        assert!(!validate(&config).has_errors());
        let config = block(&[("api_token", Value::string("t")), ("base_url", Value::Unknown)]);
        assert!(matches!(resolve(&config, &env_of(&[])), Resolution::NotYetKnown));
    }

    #[test]
    fn tuning_values_are_checked() {
        let token = ("api_token", Value::string("t"));
        let config = block(&[token.clone(), ("api_family", Value::string("v3"))]);
        assert_eq!(errors(resolve(&config, &env_of(&[])))[0].0.as_deref(), Some("api_family"));
        let env = env_of(&[("CLOUDFLARE_MAX_RETRIES", "lots")]);
        let found = errors(resolve(&block(std::slice::from_ref(&token)), &env));
        assert!(found[0].2.contains("CLOUDFLARE_MAX_RETRIES"));
        for bad in [0.0, 2.5, 11.0] {
            let config = block(&[token.clone(), ("batch_parallelism", Value::Number(Number::from_f64(bad).unwrap()))]);
            let found = errors(resolve(&config, &env_of(&[])));
            assert_eq!(found[0].0.as_deref(), Some("batch_parallelism"), "{bad}");
            assert!(found[0].2.contains("from 1 to 10"), "{bad}");
        }
        let env = env_of(&[
            ("CLOUDFLARE_API_FAMILY", "v2"),
            ("CLOUDFLARE_REQUESTS_PER_SECOND", "0.5"),
            ("CLOUDFLARE_BATCH_PARALLELISM", "1"),
        ]);
        match resolve(&block(std::slice::from_ref(&token)), &env) {
            Resolution::Ready(settings) => {
                assert_eq!(settings.family, ApiFamily::V2);
                assert_eq!(settings.requests_per_second, 0.5);
                assert_eq!(settings.batch_parallelism, 1);
            }
            other => panic!("{other:?}"),
        }
        match resolve(&block(&[token]), &env_of(&[])) {
            Resolution::Ready(settings) => assert_eq!(settings.batch_parallelism, DEFAULT_BATCH_PARALLELISM),
            other => panic!("{other:?}"),
        }
    }
}

//! One question to Cloudflare before any zone call: is this credential alive? A wrong one is
//! then reported once, at the provider block, instead of at every resource.
//!
//! Only a certain answer counts as a rejection. Cloudflare's user-token check refuses Account
//! API tokens, so an account token is checked at its account (`account_id`), where only a
//! disabled or expired status rejects it (a refusal there may mean `account_id` names another
//! account); a token without Cloudflare's scannable prefix that the user check refuses is
//! asked at the account when `account_id` is set, else left to the first zone call. Outages, rate limits, refusals without Cloudflare's error
//! codes (a proxy) and odd answers never block.

use std::time::Duration;

use reqwest::Method;
use serde::Deserialize;

use super::error::ApiError;
use super::secret::Credentials;
use super::transport::{ApiRequest, Transport};

/// What the check found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CredentialVerdict {
    /// Cloudflare confirmed the credential is active.
    Accepted,
    /// The credential cannot work: what Cloudflare said and what to check, without the words
    /// "Cloudflare rejected the credentials" (the diagnostic's summary).
    Rejected(String),
    /// No certain answer (why, for the log); the first zone call will tell.
    Unchecked(String),
}

/// What a credential's text says it is: Cloudflare's scannable prefixes (`cfut_` user token,
/// `cfat_` account token, `cfk_` global key), or none (made before those prefixes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CredentialShape {
    UserToken,
    AccountToken,
    GlobalKey,
    Unprefixed,
}

impl CredentialShape {
    pub fn of(text: &str) -> CredentialShape {
        if text.starts_with("cfut_") {
            CredentialShape::UserToken
        } else if text.starts_with("cfat_") {
            CredentialShape::AccountToken
        } else if text.starts_with("cfk_") {
            CredentialShape::GlobalKey
        } else {
            CredentialShape::Unprefixed
        }
    }
}

/// What to ask, decided from the settings alone (the client keeps no credential text).
#[derive(Debug, Clone)]
pub(crate) enum CheckPlan {
    Token { shape: CredentialShape, account_id: Option<String> },
    KeyAndEmail,
}

impl CheckPlan {
    pub fn new(credentials: &Credentials, account_id: Option<&str>) -> CheckPlan {
        match credentials {
            Credentials::Token(token) => CheckPlan::Token {
                shape: CredentialShape::of(token.expose()),
                account_id: account_id.map(str::to_string),
            },
            Credentials::KeyAndEmail { .. } => CheckPlan::KeyAndEmail,
        }
    }
}

#[derive(Deserialize)]
struct TokenState {
    status: String,
}

const USER_TOKEN_CHECK: &str = "GET /user/tokens/verify";
/// The check is one attempt within this; the zone calls that follow have their own retries.
const CHECK_TIMEOUT: Duration = Duration::from_secs(10);
const USER_CHECK: &str = "GET /user";

pub(crate) async fn check(transport: &Transport, plan: &CheckPlan) -> CredentialVerdict {
    let verdict = ask(transport, plan).await;
    if verdict == CredentialVerdict::Accepted {
        transport.confirm_credentials();
    }
    verdict
}

async fn ask(transport: &Transport, plan: &CheckPlan) -> CredentialVerdict {
    match plan {
        CheckPlan::KeyAndEmail => match transport.send_once::<serde_json::Value>(&ApiRequest::new(Method::GET, ["user"]), CHECK_TIMEOUT).await {
            Ok(_) => CredentialVerdict::Accepted,
            Err(error) => not_accepted(&error, USER_CHECK),
        },
        CheckPlan::Token { shape: CredentialShape::AccountToken, account_id: None } => CredentialVerdict::Unchecked(
            "an Account API token can only be checked at its account, and `account_id` is not set".into(),
        ),
        CheckPlan::Token { shape: CredentialShape::AccountToken, account_id: Some(account) } => {
            account_verdict(verify(transport, Some(account)).await, account)
        }
        CheckPlan::Token { shape, account_id } => {
            let user = verify(transport, None).await;
            match (&user, shape, account_id) {
                // Made before the prefixes: maybe an Account API token, which this check refuses.
                (Err(error), CredentialShape::Unprefixed, Some(account)) if error.is_auth() => {
                    account_verdict(verify(transport, Some(account)).await, account)
                }
                (Err(error), CredentialShape::Unprefixed, None) if error.is_auth() => CredentialVerdict::Unchecked(
                    "Cloudflare does not know it as a user API token; it may be an Account API token (set `account_id` to check those)".into(),
                ),
                _ => verdict(user, USER_TOKEN_CHECK),
            }
        }
    }
}

/// At the account, only a status can reject: a refusal there may just mean `account_id` names
/// another account (CLOUDFLARE_ACCOUNT_ID is shared with other tools), not a wrong token.
fn account_verdict(answer: Result<TokenState, ApiError>, account: &str) -> CredentialVerdict {
    let asked = format!("GET /accounts/{account}/tokens/verify");
    match answer {
        Err(error) if error.is_auth() => CredentialVerdict::Unchecked(format!(
            "{asked} refused the token; it may belong to another account than `account_id`"
        )),
        answer => verdict(answer, &asked),
    }
}

async fn verify(transport: &Transport, account: Option<&str>) -> Result<TokenState, ApiError> {
    let path: Vec<&str> = match account {
        Some(account) => vec!["accounts", account, "tokens", "verify"],
        None => vec!["user", "tokens", "verify"],
    };
    transport.send_once::<TokenState>(&ApiRequest::new(Method::GET, path), CHECK_TIMEOUT).await?.into_result("the token check")
}

fn verdict(answer: Result<TokenState, ApiError>, asked: &str) -> CredentialVerdict {
    match answer {
        Ok(state) if state.status == "active" => CredentialVerdict::Accepted,
        Ok(state) if matches!(state.status.as_str(), "disabled" | "expired") => CredentialVerdict::Rejected(format!(
            "Cloudflare says this API token is {} ({asked}). Roll it or create a new one in the dashboard, then set it in `api_token` or CLOUDFLARE_API_TOKEN.",
            state.status
        )),
        Ok(state) => CredentialVerdict::Unchecked(format!("{asked} reported the unknown status {:?}", state.status)),
        Err(error) => not_accepted(&error, asked),
    }
}

/// A refusal counts only with Cloudflare's own error codes: a bare 401/403 may come from a proxy
/// or gateway in front of the API that does not pass these paths.
fn not_accepted(error: &ApiError, asked: &str) -> CredentialVerdict {
    match error.auth_detail_asking(asked) {
        Some(detail) if !error.codes().is_empty() => CredentialVerdict::Rejected(detail),
        _ => CredentialVerdict::Unchecked(format!("{asked} failed: {error}")),
    }
}

//! Who is calling: `GET /user/tokens/verify`, `GET /accounts/{account_id}/tokens/verify` and
//! `GET /user`, so a client can check its credential before any zone call.
//!
//! As at Cloudflare, the user endpoint refuses an Account API token (401, 1000 "Invalid API
//! Token") and reports a user token's `status` (active, disabled, expired) with 200. The account
//! endpoint accepts only a token of that account (invented: Cloudflare does not document what
//! it answers for another account's token). `GET /user` accepts a global key and its e-mail.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use serde_json::json;

use super::envelope::{ok, ApiFailure};
use super::request::authenticate;
use super::state::Shared;

/// The id the verify endpoints report for the emulator's token.
const TOKEN_ID: &str = "ed17574386854bf78a67040be0a770b0";

pub fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/user/tokens/verify", get(verify_user_token))
        .route("/accounts/{account_id}/tokens/verify", get(verify_account_token))
        .route("/user", get(user))
}

fn invalid_token() -> ApiFailure {
    ApiFailure::new(StatusCode::UNAUTHORIZED, 1000, "Invalid API Token")
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers.get("authorization")?.to_str().ok()?.strip_prefix("Bearer ")
}

/// The token's verify answer when `headers` carry it and it belongs where `owner` says.
fn verify(shared: &Shared, headers: &HeaderMap, owner: Option<&str>) -> Result<Response, ApiFailure> {
    let credentials = &shared.credentials;
    if credentials.token.is_none() && credentials.key_and_email.is_none() {
        return Ok(ok(json!({ "id": TOKEN_ID, "status": "active" })));
    }
    match (bearer(headers), &credentials.token) {
        (Some(sent), Some(expected)) if sent == expected && credentials.token_account.as_deref() == owner => {
            Ok(ok(json!({ "id": TOKEN_ID, "status": credentials.token_status.as_str() })))
        }
        _ => Err(invalid_token()),
    }
}

async fn verify_user_token(State(shared): State<Arc<Shared>>, headers: HeaderMap) -> Result<Response, ApiFailure> {
    verify(&shared, &headers, None)
}

async fn verify_account_token(
    State(shared): State<Arc<Shared>>,
    Path(account_id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiFailure> {
    verify(&shared, &headers, Some(&account_id))
}

/// The user behind a global key (or a user token); Account API tokens have no user.
async fn user(State(shared): State<Arc<Shared>>, headers: HeaderMap) -> Result<Response, ApiFailure> {
    authenticate(&shared, &headers)?;
    if bearer(&headers).is_some() && shared.credentials.token_account.is_some() {
        return Err(ApiFailure::new(StatusCode::FORBIDDEN, 9109, "Unauthorized to access requested resource"));
    }
    let email = shared.credentials.key_and_email.as_ref().map_or("user@example.com", |(_, email)| email.as_str());
    Ok(ok(json!({ "id": "7c5dae5552338874e5053f2534d2767a", "email": email })))
}

//! What every API handler needs first: the family is served, the zone id is well-formed, the
//! caller is authenticated — checked in that order, as routing precedes authentication.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{FromRequestParts, OriginalUri, Path};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method};
use serde_json::Value;

use super::envelope::{codes, ApiFailure};
use super::config::TokenStatus;
use super::state::{lock, Shared};

/// An admitted call to family v1 (`V1 = true`) or v2, for one zone.
pub struct ZoneCall<const V1: bool> {
    pub shared: Arc<Shared>,
    pub zone_id: String,
    /// The `{origin_ip}` path segment, percent-decoded, when the route has one.
    pub origin_ip: Option<String>,
}

impl<const V1: bool> FromRequestParts<Arc<Shared>> for ZoneCall<V1> {
    type Rejection = ApiFailure;

    async fn from_request_parts(
        parts: &mut Parts,
        shared: &Arc<Shared>,
    ) -> Result<Self, ApiFailure> {
        // Inside the nested API router `parts.uri` lacks the `/client/v4` prefix. Only failures
        // quote the path, so it is copied only for them.
        let full_path = |parts: &Parts| {
            parts.extensions.get::<OriginalUri>().map_or(parts.uri.path(), |uri| uri.0.path()).to_string()
        };
        if !shared.family_enabled(V1) {
            return Err(if V1 { lock(&shared.v1_retirement).failure(&full_path(parts)) } else { codes::no_route() });
        }
        let Path(mut params) = Path::<HashMap<String, String>>::from_request_parts(parts, shared)
            .await
            .map_err(|_| codes::no_route())?;
        let zone_id = params.remove("zone_id").unwrap_or_default();
        if !is_zone_id(&zone_id) {
            return Err(codes::unroutable(&full_path(parts)));
        }
        authenticate(shared, &parts.headers)?;
        {
            let faults = lock(&shared.faults);
            if let Some(failure) = faults.zone_errors.get(&zone_id) {
                return Err(failure.clone());
            }
            if parts.method != Method::GET && faults.non_editable_zones.contains(&zone_id) {
                return Err(codes::not_editable());
            }
        }
        Ok(ZoneCall {
            shared: shared.clone(),
            zone_id,
            origin_ip: params.remove("origin_ip"),
        })
    }
}

/// Cloudflare zone identifiers are 32 lower-case hex characters.
pub fn is_zone_id(text: &str) -> bool {
    text.len() == 32
        && text
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|value| value.to_str().ok())
}

/// Bearer token or key+email. Missing credentials: 401/9106; malformed Authorization: 400/6003
/// (chain 6111); wrong, disabled or expired token: 403/10000; wrong key or email: 403/9103.
pub fn authenticate(shared: &Shared, headers: &HeaderMap) -> Result<(), ApiFailure> {
    use axum::http::StatusCode;
    let credentials = &shared.credentials;
    if credentials.token.is_none() && credentials.key_and_email.is_none() {
        return Ok(());
    }
    if let Some(authorization) = header(headers, "authorization") {
        let Some(token) = authorization
            .strip_prefix("Bearer ")
            .filter(|t| !t.is_empty())
        else {
            return Err(
                ApiFailure::new(StatusCode::BAD_REQUEST, 6003, "Invalid request headers")
                    .with_chain(6111, "Invalid format for Authorization header"),
            );
        };
        return match &credentials.token {
            Some(expected) if expected == token && credentials.token_status == TokenStatus::Active => Ok(()),
            _ => Err(ApiFailure::new(
                StatusCode::FORBIDDEN,
                10000,
                "Authentication error",
            )),
        };
    }
    match (
        header(headers, "x-auth-key"),
        header(headers, "x-auth-email"),
    ) {
        (Some(key), Some(email)) => match &credentials.key_and_email {
            Some((k, e)) if k == key && e.eq_ignore_ascii_case(email) => Ok(()),
            _ => Err(ApiFailure::new(
                StatusCode::FORBIDDEN,
                9103,
                "Unknown X-Auth-Key or X-Auth-Email",
            )),
        },
        _ => Err(ApiFailure::new(
            StatusCode::UNAUTHORIZED,
            9106,
            "Missing X-Auth-Key, X-Auth-Email or Authorization headers",
        )),
    }
}

/// Parses a JSON body, answering Cloudflare-style on garbage.
pub fn json_body(bytes: &[u8]) -> Result<Value, ApiFailure> {
    serde_json::from_slice(bytes).map_err(codes::malformed_json)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zone_ids() {
        assert!(is_zone_id("023e105f4ecef8ad9ca31a8372d0c353"));
        assert!(!is_zone_id("023e105f4ecef8ad9ca31a8372d0c35"));
        assert!(!is_zone_id("023E105F4ECEF8AD9CA31A8372D0C353"));
        assert!(!is_zone_id("zzze105f4ecef8ad9ca31a8372d0c353"));
    }
}

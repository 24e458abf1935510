//! Cloudflare's response envelope: `{success, errors, messages, result[, result_info]}` on
//! every answer, failures included.

use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::{json, Value};

/// A 200 answer with `result`.
pub fn ok(result: impl Serialize) -> Response {
    success(result, None::<()>)
}

/// A 200 answer with `result` and `result_info` (the v2 list).
pub fn ok_paged(result: impl Serialize, result_info: impl Serialize) -> Response {
    success(result, Some(result_info))
}

/// `{success: true, errors: [], messages: [], result[, result_info]}`, written straight from
/// `result` (which may be large) without copying it into a JSON tree first.
#[derive(Serialize)]
struct Success<R, I> {
    success: bool,
    errors: [Value; 0],
    messages: [Value; 0],
    result: R,
    #[serde(skip_serializing_if = "Option::is_none")]
    result_info: Option<I>,
}

fn success(result: impl Serialize, result_info: Option<impl Serialize>) -> Response {
    let body = Success { success: true, errors: [], messages: [], result, result_info };
    (StatusCode::OK, axum::Json(body)).into_response()
}

/// A whole-request failure: HTTP status plus one Cloudflare error object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiFailure {
    pub status: StatusCode,
    pub code: u32,
    pub message: String,
    /// Extra headers (e.g. `Retry-After`).
    pub retry_after_secs: Option<u64>,
    /// Nested causes, as Cloudflare sends for header problems.
    pub chain: Vec<(u32, String)>,
    /// Further entries of `errors` after the first (e.g. 7003 then 7000 for an unroutable path).
    pub more: Vec<(u32, String)>,
}

impl ApiFailure {
    pub fn new(status: StatusCode, code: u32, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            retry_after_secs: None,
            chain: Vec::new(),
            more: Vec::new(),
        }
    }

    /// Adds another entry to `errors`.
    pub fn and_error(mut self, code: u32, message: impl Into<String>) -> Self {
        self.more.push((code, message.into()));
        self
    }

    pub fn with_chain(mut self, code: u32, message: impl Into<String>) -> Self {
        self.chain.push((code, message.into()));
        self
    }

    pub fn body(&self) -> Value {
        let mut error = json!({ "code": self.code, "message": self.message });
        if !self.chain.is_empty() {
            let chain: Vec<Value> = self
                .chain
                .iter()
                .map(|(code, message)| json!({ "code": code, "message": message }))
                .collect();
            error["error_chain"] = Value::Array(chain);
        }
        let mut errors = vec![error];
        errors.extend(self.more.iter().map(|(code, message)| json!({ "code": code, "message": message })));
        json!({ "success": false, "errors": errors, "messages": [], "result": null })
    }
}

impl IntoResponse for ApiFailure {
    fn into_response(self) -> Response {
        let mut response = (self.status, axum::Json(self.body())).into_response();
        if let Some(secs) = self.retry_after_secs {
            response
                .headers_mut()
                .insert("retry-after", HeaderValue::from(secs));
        }
        response
    }
}

/// Error codes and texts, as documented where documentation exists.
pub mod codes {
    use super::ApiFailure;
    use axum::http::StatusCode;

    pub const NOT_FOUND_TEXT: &str =
        "Unable to retrieve origin_public_cloud_region setting value. The zone setting does not exist.";

    /// 404/1142: no mapping for the IP (or none in the zone).
    pub fn not_found() -> ApiFailure {
        ApiFailure::new(StatusCode::NOT_FOUND, 1142, NOT_FOUND_TEXT)
    }

    /// 404/1163: what the v1 DELETE-one description names for a missing mapping.
    pub fn delete_not_found() -> ApiFailure {
        ApiFailure::new(
            StatusCode::NOT_FOUND,
            1163,
            "Unable to delete origin_public_cloud_region setting value. The zone setting does not exist.",
        )
    }

    /// 400/1145: v1 POST for an IP that already has a mapping.
    pub fn already_exists() -> ApiFailure {
        ApiFailure::new(
            StatusCode::BAD_REQUEST,
            1145,
            "Unable to create new origin_public_cloud_region setting. The zone setting already exists.",
        )
    }

    /// 400/1146: bad or missing IP, body/URL mismatch, bad paging parameter, malformed batch.
    pub fn invalid_parameter(message: impl Into<String>) -> ApiFailure {
        ApiFailure::new(StatusCode::BAD_REQUEST, 1146, message)
    }

    /// 400/1157: vendor unknown or region not valid for it.
    pub fn invalid_vendor_region(message: impl Into<String>) -> ApiFailure {
        ApiFailure::new(StatusCode::BAD_REQUEST, 1157, message)
    }

    /// 403/1164: the zone holds the maximum number of mappings.
    pub fn zone_full() -> ApiFailure {
        ApiFailure::new(
            StatusCode::FORBIDDEN,
            1164,
            "Maximum number of IP mappings configured for zone.",
        )
    }

    /// 500/1140: storage failure (e.g. the state file cannot be written).
    pub fn internal() -> ApiFailure {
        ApiFailure::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            1140,
            "Unable to update origin_public_cloud_region setting value. Internal error.",
        )
    }

    /// 404/7003: a path (or method) no route serves — also how a disabled family answers.
    pub fn no_route() -> ApiFailure {
        ApiFailure::new(StatusCode::NOT_FOUND, 7003, NO_ROUTE_TEXT)
    }

    /// 400/7003: the zone identifier is not 32 hex characters.
    pub fn bad_object_identifier(path: &str) -> ApiFailure {
        ApiFailure::new(
            StatusCode::BAD_REQUEST,
            7003,
            format!("Could not route to {path}, perhaps your object identifier is invalid?"),
        )
    }

    pub const NO_ROUTE_TEXT: &str = "No route for that URI";

    /// 400/7003 + 7000: how Cloudflare answers a path it cannot route (a malformed identifier,
    /// or a route that is gone).
    pub fn unroutable(path: &str) -> ApiFailure {
        bad_object_identifier(path).and_error(7000, NO_ROUTE_TEXT)
    }

    /// Writes to a zone whose setting reports `editable: false`. Cloudflare does not document
    /// this answer; the emulator's choice is 400 with code 1155 and a plain message (a 403
    /// would read as a credentials problem to clients).
    pub fn not_editable() -> ApiFailure {
        ApiFailure::new(
            StatusCode::BAD_REQUEST,
            NOT_EDITABLE_CODE,
            "origin_public_cloud_region setting is not editable for this zone",
        )
    }

    /// See [`not_editable`].
    pub const NOT_EDITABLE_CODE: u32 = 1155;

    /// 500/1156: v1 batch PATCH could not validate regions against the cloud vendor (documented).
    pub fn region_validation_failed() -> ApiFailure {
        ApiFailure::new(StatusCode::INTERNAL_SERVER_ERROR, 1156, REGION_VALIDATION_TEXT)
    }

    pub const REGION_VALIDATION_TEXT: &str = "Failed to validate region against cloud vendor";

    /// 400/6007: the body is not JSON of the expected shape.
    pub fn malformed_json(detail: impl std::fmt::Display) -> ApiFailure {
        ApiFailure::new(
            StatusCode::BAD_REQUEST,
            6007,
            format!("Malformed JSON in request body: {detail}"),
        )
    }
}

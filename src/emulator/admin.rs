//! The HTTP test controls under `/__emulator` (same operations as [`super::EmulatorControl`]).
//!
//! | Method + path | Body / query | Effect |
//! |---|---|---|
//! | `GET /__emulator/health` | | `{"ok":true}` |
//! | `GET /__emulator/zones/{zone}/mappings` | | `{"<ip>":{vendor,region,modified_on}}` |
//! | `DELETE /__emulator/zones/{zone}/mappings` | | remove all of the zone's mappings |
//! | `PUT /__emulator/zones/{zone}/mappings/{ip}` | `{vendor,region}` | out-of-band create/replace |
//! | `DELETE /__emulator/zones/{zone}/mappings/{ip}` | | out-of-band removal (`{"removed":bool}`) |
//! | `GET /__emulator/requests` | | `{"requests":[{method,path,query,status}]}` |
//! | `GET /__emulator/requests/count` | `?method=PATCH&path_suffix=/batch` | `{"count":n}` |
//! | `DELETE /__emulator/requests` | | reset log and counters |
//! | `POST /__emulator/faults/latency` | `{millis}` | delay every API answer |
//! | `POST /__emulator/faults/rate_limit` | `{requests?, window_secs?, retry_after_secs}` | 429s |
//! | `POST /__emulator/faults/server_errors` | `{requests, status}` | next N answer `status` |
//! | `POST /__emulator/faults/drop_connections` | `{requests}` | next N closed unanswered |
//! | `POST /__emulator/faults/lose_write_answers` | `{requests}` | next N writes applied, then closed unanswered |
//! | `POST /__emulator/faults/fail_ip` | `{ip, message}` | writes touching ip fail |
//! | `POST /__emulator/faults/fail_region` | `{region, message}` | upserts naming region fail |
//! | `DELETE /__emulator/faults` | | clear all faults and latency |
//! | `POST /__emulator/families` | `{v1?: bool, v2?: bool, v1_retired?: "404"\|"400"\|"405"\|"410"}` | enable/disable a family; retire v1 in a style |
//! | `POST /__emulator/faults/zone_error` | `{zone, status, code, message}` | every request for the zone answers this |
//! | `POST /__emulator/faults/v1_batch` | `{requests, kind: "5xx"\|"region_validation"\|"item_region_validation", status?}` | next N v1 batch PATCHes fail |
//! | `POST /__emulator/zones/{zone}/editable` | `{editable}` | `editable` in v1 answers; writes refused when false |
//! | `POST /__emulator/ratelimit` | `{quota?, window_secs?}` | `Ratelimit` headers and quota (no quota: off) |
//! | `POST /__emulator/faults/page_hook` | `{zone, after_page, remove_first, delay_millis?}` | one-shot store change between v2 pages |
//!
//! Control errors answer 400 `{"ok":false,"error":"…"}`; successes `{"ok":true}` unless noted.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::json;

use super::control::{ControlError, EmulatorControl};
use super::faults::V1BatchFault;
use super::ratelimit::RatelimitPolicy;
use super::retirement::V1Retirement;
use super::state::Shared;

pub fn routes(shared: Arc<Shared>) -> Router {
    let control = EmulatorControl { shared };
    Router::new()
        .route(
            "/__emulator/health",
            get(|| async { Json(json!({ "ok": true })) }),
        )
        .route(
            "/__emulator/zones/{zone}/mappings",
            get(mappings).delete(clear_zone),
        )
        .route(
            "/__emulator/zones/{zone}/mappings/{ip}",
            put(put_mapping).delete(remove_mapping),
        )
        .route("/__emulator/requests", get(requests).delete(reset_requests))
        .route("/__emulator/requests/count", get(request_count))
        .route("/__emulator/faults/latency", post(latency))
        .route("/__emulator/faults/rate_limit", post(rate_limit))
        .route("/__emulator/faults/server_errors", post(server_errors))
        .route(
            "/__emulator/faults/drop_connections",
            post(drop_connections),
        )
        .route("/__emulator/faults/lose_write_answers", post(lose_write_answers))
        .route("/__emulator/faults/fail_ip", post(fail_ip))
        .route("/__emulator/faults/fail_region", post(fail_region))
        .route("/__emulator/faults", axum::routing::delete(clear_faults))
        .route("/__emulator/families", post(families))
        .route("/__emulator/faults/zone_error", post(zone_error))
        .route("/__emulator/faults/v1_batch", post(v1_batch))
        .route("/__emulator/zones/{zone}/editable", post(editable))
        .route("/__emulator/ratelimit", post(ratelimit))
        .route("/__emulator/faults/page_hook", post(page_hook))
        .with_state(control)
}

type Ctl = State<EmulatorControl>;

fn done() -> Response {
    Json(json!({ "ok": true })).into_response()
}

fn refused(err: ControlError) -> Response {
    (
        StatusCode::BAD_REQUEST,
        Json(json!({ "ok": false, "error": err.to_string() })),
    )
        .into_response()
}

fn outcome(result: Result<(), ControlError>) -> Response {
    result.map_or_else(refused, |()| done())
}

async fn mappings(State(control): Ctl, Path(zone): Path<String>) -> Response {
    Json(control.mappings(&zone)).into_response()
}

async fn clear_zone(State(control): Ctl, Path(zone): Path<String>) -> Response {
    outcome(control.clear_zone(&zone))
}

#[derive(Deserialize)]
struct MappingBody {
    vendor: String,
    region: String,
}

async fn put_mapping(
    State(control): Ctl,
    Path((zone, ip)): Path<(String, String)>,
    Json(body): Json<MappingBody>,
) -> Response {
    outcome(control.put_mapping(&zone, &ip, &body.vendor, &body.region))
}

async fn remove_mapping(State(control): Ctl, Path((zone, ip)): Path<(String, String)>) -> Response {
    match control.remove_mapping(&zone, &ip) {
        Ok(removed) => Json(json!({ "ok": true, "removed": removed })).into_response(),
        Err(err) => refused(err),
    }
}

async fn requests(State(control): Ctl) -> Response {
    Json(json!({ "requests": control.requests() })).into_response()
}

async fn reset_requests(State(control): Ctl) -> Response {
    control.reset_counters();
    done()
}

async fn request_count(
    State(control): Ctl,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let method = query.get("method").map_or("*", String::as_str);
    let suffix = query.get("path_suffix").map_or("", String::as_str);
    Json(json!({ "count": control.request_count(method, suffix) })).into_response()
}

#[derive(Deserialize)]
struct LatencyBody {
    millis: u64,
}

async fn latency(State(control): Ctl, Json(body): Json<LatencyBody>) -> Response {
    control.set_latency(Duration::from_millis(body.millis));
    done()
}

#[derive(Deserialize)]
struct RateLimitBody {
    requests: Option<u64>,
    window_secs: Option<u64>,
    retry_after_secs: u64,
}

async fn rate_limit(State(control): Ctl, Json(body): Json<RateLimitBody>) -> Response {
    if let Some(requests) = body.requests {
        control.rate_limit(requests, body.retry_after_secs);
    }
    if let Some(window) = body.window_secs {
        control.rate_limit_for(Duration::from_secs(window), body.retry_after_secs);
    }
    done()
}

#[derive(Deserialize)]
struct ServerErrorsBody {
    requests: u64,
    status: u16,
}

async fn server_errors(State(control): Ctl, Json(body): Json<ServerErrorsBody>) -> Response {
    control.fail_5xx(body.requests, body.status);
    done()
}

#[derive(Deserialize)]
struct CountBody {
    requests: u64,
}

async fn drop_connections(State(control): Ctl, Json(body): Json<CountBody>) -> Response {
    control.drop_connections(body.requests);
    done()
}

async fn lose_write_answers(State(control): Ctl, Json(body): Json<CountBody>) -> Response {
    control.lose_write_answers(body.requests);
    done()
}

#[derive(Deserialize)]
struct FailIpBody {
    ip: String,
    message: String,
}

async fn fail_ip(State(control): Ctl, Json(body): Json<FailIpBody>) -> Response {
    outcome(control.fail_ip(&body.ip, &body.message))
}

#[derive(Deserialize)]
struct FailRegionBody {
    region: String,
    message: String,
}

async fn fail_region(State(control): Ctl, Json(body): Json<FailRegionBody>) -> Response {
    control.fail_region(&body.region, &body.message);
    done()
}

async fn clear_faults(State(control): Ctl) -> Response {
    control.clear_faults();
    done()
}

#[derive(Deserialize)]
struct FamiliesBody {
    v1: Option<bool>,
    v2: Option<bool>,
    v1_retired: Option<String>,
}

async fn families(State(control): Ctl, Json(body): Json<FamiliesBody>) -> Response {
    if let Some(enabled) = body.v1 {
        control.set_v1_enabled(enabled);
    }
    if let Some(style) = body.v1_retired {
        match style.parse::<V1Retirement>() {
            Ok(style) => control.set_v1_retired(Some(style)),
            Err(message) => return bad_request(message),
        }
    }
    if let Some(enabled) = body.v2 {
        control.set_v2_enabled(enabled);
    }
    done()
}

fn bad_request(message: String) -> Response {
    (StatusCode::BAD_REQUEST, Json(json!({ "ok": false, "error": message }))).into_response()
}

#[derive(Deserialize)]
struct ZoneErrorBody {
    zone: String,
    status: u16,
    code: u32,
    message: String,
}

async fn zone_error(State(control): Ctl, Json(body): Json<ZoneErrorBody>) -> Response {
    outcome(control.fail_zone(&body.zone, body.status, body.code, &body.message))
}

#[derive(Deserialize)]
struct V1BatchBody {
    requests: u64,
    kind: String,
    status: Option<u16>,
}

async fn v1_batch(State(control): Ctl, Json(body): Json<V1BatchBody>) -> Response {
    let fault = match body.kind.as_str() {
        "5xx" => V1BatchFault::ServerError { status: body.status.unwrap_or(500) },
        "region_validation" => V1BatchFault::RegionValidation,
        "item_region_validation" => V1BatchFault::ItemRegionValidation,
        other => return bad_request(format!("unknown kind {other:?}: use 5xx, region_validation or item_region_validation")),
    };
    control.fail_v1_batches(body.requests, fault);
    done()
}

#[derive(Deserialize)]
struct EditableBody {
    editable: bool,
}

async fn editable(State(control): Ctl, Path(zone): Path<String>, Json(body): Json<EditableBody>) -> Response {
    control.set_editable(&zone, body.editable);
    done()
}

#[derive(Deserialize)]
struct RatelimitBody {
    quota: Option<u64>,
    window_secs: Option<u64>,
}

async fn ratelimit(State(control): Ctl, Json(body): Json<RatelimitBody>) -> Response {
    let Some(quota) = body.quota else {
        control.set_ratelimit(None);
        return done();
    };
    match RatelimitPolicy::parse(&format!("{quota}/{}", body.window_secs.unwrap_or(300))) {
        Ok(policy) => {
            control.set_ratelimit(Some(policy));
            done()
        }
        Err(message) => bad_request(message),
    }
}

#[derive(Deserialize)]
struct PageHookBody {
    zone: String,
    after_page: usize,
    remove_first: usize,
    delay_millis: Option<u64>,
}

async fn page_hook(State(control): Ctl, Json(body): Json<PageHookBody>) -> Response {
    let delay = Duration::from_millis(body.delay_millis.unwrap_or(0));
    control.remove_between_pages(&body.zone, body.after_page, body.remove_first, delay);
    done()
}

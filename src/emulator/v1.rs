//! The deprecated family `/zones/{zone_id}/cache/origin_cloud_regions…`: requests use `ip`,
//! responses use `origin-ip`, results are wrapped like a zone setting.

use std::net::IpAddr;
use std::sync::Arc;

use axum::body::Bytes;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, patch};
use axum::Router;
use serde::Serialize;

use super::answers::{BatchJson, MappingJson, MappingsJson};
use super::catalogue;
use super::envelope::{codes, ok, ApiFailure};
use super::faults::V1BatchFault;
use super::request::{json_body, ZoneCall};
use super::state::{lock, Shared};
use super::store::StoredMapping;

type Call = ZoneCall<true>;
type Answer = Result<Response, ApiFailure>;

const IP_KEY: &str = "origin-ip";
const SETTING_ID: &str = "origin_public_cloud_region";

pub fn routes() -> Router<Arc<Shared>> {
    let base = "/zones/{zone_id}/cache/origin_cloud_regions";
    Router::new()
        .route(base, get(list).post(create).patch(upsert))
        .route(
            &format!("{base}/batch"),
            patch(batch_upsert).delete(batch_delete),
        )
        .route(&format!("{base}/supported_regions"), get(supported_regions))
        .route(
            &format!("{base}/{{origin_ip}}"),
            get(get_one).delete(delete_one),
        )
}

/// Results are wrapped like a zone setting: `{id, editable, modified_on, value}`.
#[derive(Serialize)]
struct Setting<'a, V> {
    id: &'static str,
    editable: bool,
    modified_on: Option<&'a str>,
    value: V,
}

fn wrapper<'a, V: Serialize>(call: &Call, modified_on: Option<&'a str>, value: V) -> Setting<'a, V> {
    Setting { id: SETTING_ID, editable: call.shared.is_editable(&call.zone_id), modified_on, value }
}

fn list_answer(call: &Call) -> Response {
    let (mappings, modified_on) = call.shared.list(&call.zone_id);
    ok(wrapper(call, modified_on.as_deref(), MappingsJson { ip_key: IP_KEY, mappings: &mappings }))
}

fn single_answer(call: &Call, (ip, mapping): (IpAddr, StoredMapping)) -> Response {
    ok(wrapper(call, Some(&mapping.modified_on), MappingJson { ip_key: IP_KEY, ip: &ip, mapping: &mapping }))
}

async fn list(call: Call) -> Answer {
    Ok(list_answer(&call))
}

async fn create(call: Call, body: Bytes) -> Answer {
    let item = json_body(&body)?;
    let created = call.shared.create(&call.zone_id, &item, "ip")?;
    Ok(single_answer(&call, created))
}

/// Answers with the whole updated set (list wrapper), as documented.
async fn upsert(call: Call, body: Bytes) -> Answer {
    let item = json_body(&body)?;
    call.shared.upsert(&call.zone_id, &item, "ip")?;
    Ok(list_answer(&call))
}

async fn get_one(call: Call) -> Answer {
    let found = call
        .shared
        .get(&call.zone_id, call.origin_ip.as_deref().unwrap_or_default())?;
    Ok(single_answer(&call, found))
}

/// Answers with the deleted entry; a missing mapping is 404/1163 (the description's code).
async fn delete_one(call: Call) -> Answer {
    let ip = call.origin_ip.as_deref().unwrap_or_default();
    let deleted = call
        .shared
        .delete(&call.zone_id, ip, codes::delete_not_found)?;
    Ok(single_answer(&call, deleted))
}

/// Also where the armed [`V1BatchFault`]s strike.
async fn batch_upsert(call: Call, body: Bytes) -> Answer {
    let body = json_body(&body)?;
    let fault = lock(&call.shared.faults).next_v1_batch_fault();
    let result = match fault {
        Some(V1BatchFault::ServerError { status }) => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            return Err(ApiFailure { status, ..codes::internal() });
        }
        Some(V1BatchFault::RegionValidation) => return Err(codes::region_validation_failed()),
        Some(V1BatchFault::ItemRegionValidation) => {
            call.shared.batch_all_failed(&body, "ip", codes::REGION_VALIDATION_TEXT)?
        }
        None => call.shared.batch_upsert(&call.zone_id, &body, "ip")?,
    };
    Ok(ok(wrapper(
        &call,
        result.modified_on.as_deref(),
        BatchJson { ip_key: IP_KEY, result: &result },
    )))
}

async fn batch_delete(call: Call, body: Bytes) -> Answer {
    let result = call
        .shared
        .batch_delete(&call.zone_id, &json_body(&body)?)?;
    Ok(ok(wrapper(
        &call,
        result.modified_on.as_deref(),
        BatchJson { ip_key: IP_KEY, result: &result },
    )))
}

async fn supported_regions(_call: Call) -> Answer {
    Ok(ok(catalogue::supported_regions_json()))
}

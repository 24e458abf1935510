//! The current family `/zones/{zone_id}/origin/cloud_regions…`: `origin_ip` everywhere, flat
//! results, PUT upserts, paginated list.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::RawQuery;
use axum::response::Response;
use axum::routing::{get, put};
use axum::Router;
use serde_json::json;

use super::answers::{BatchJson, MappingJson};
use super::catalogue;
use super::control::EmulatorControl;
use super::envelope::{codes, ok, ok_paged, ApiFailure};
use super::request::{json_body, ZoneCall};
use super::state::Shared;
use super::store::StoredMapping;
use super::validate::parse_address;

type Call = ZoneCall<false>;
type Answer = Result<Response, ApiFailure>;

const IP_KEY: &str = "origin_ip";
const DEFAULT_PER_PAGE: usize = 20;
const MAX_PER_PAGE: usize = 100;

pub fn routes() -> Router<Arc<Shared>> {
    let base = "/zones/{zone_id}/origin/cloud_regions";
    Router::new()
        .route(base, get(list))
        .route(
            &format!("{base}/batch"),
            put(batch_upsert).delete(batch_delete),
        )
        .route(&format!("{base}/supported_regions"), get(supported_regions))
        .route(
            &format!("{base}/{{origin_ip}}"),
            get(get_one).put(upsert).delete(delete_one),
        )
}

fn entry<'a>(ip: &'a IpAddr, mapping: &'a StoredMapping) -> MappingJson<'a> {
    MappingJson { ip_key: IP_KEY, ip, mapping }
}

fn paging(query: &HashMap<String, String>) -> Result<(usize, usize), ApiFailure> {
    let page = match query.get("page") {
        None => 1,
        Some(text) => text
            .parse::<usize>()
            .ok()
            .filter(|page| *page >= 1)
            .ok_or_else(|| {
                codes::invalid_parameter("invalid page parameter, must be 1 or greater")
            })?,
    };
    let per_page = match query.get("per_page") {
        None => DEFAULT_PER_PAGE,
        Some(text) => text
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=MAX_PER_PAGE).contains(n))
            .ok_or_else(|| {
                codes::invalid_parameter("invalid per_page parameter, must be between 1 and 100")
            })?,
    };
    Ok((page, per_page))
}

async fn list(call: Call, RawQuery(query): RawQuery) -> Answer {
    // Parsed by hand so a malformed query still gets a Cloudflare-shaped answer.
    let query: HashMap<String, String> =
        url::form_urlencoded::parse(query.unwrap_or_default().as_bytes())
            .into_owned()
            .collect();
    let (page, per_page) = paging(&query)?;
    let (mappings, _) = call.shared.list(&call.zone_id);
    let total = mappings.len();
    let items: Vec<MappingJson<'_>> = mappings
        .iter()
        .skip((page - 1).saturating_mul(per_page))
        .take(per_page)
        .map(|(ip, m)| entry(ip, m))
        .collect();
    let info = json!({
        "page": page, "per_page": per_page, "count": items.len(),
        "total_count": total, "total_pages": total.div_ceil(per_page),
    });
    let answer = ok_paged(items, info);
    // Another writer changes the store between this page and the next (tests of paging).
    if let Some(hook) = call.shared.take_page_hook(&call.zone_id, page) {
        (hook.change)(&EmulatorControl { shared: call.shared.clone() });
        tokio::time::sleep(hook.delay).await;
    }
    Ok(answer)
}

async fn get_one(call: Call) -> Answer {
    let (ip, mapping) = call
        .shared
        .get(&call.zone_id, call.origin_ip.as_deref().unwrap_or_default())?;
    Ok(ok(entry(&ip, &mapping)))
}

/// The body's `origin_ip` must name the path's address (compared canonically).
async fn upsert(call: Call, body: Bytes) -> Answer {
    let path_ip = parse_address(call.origin_ip.as_deref().unwrap_or_default())?;
    let item = json_body(&body)?;
    let valid = call.shared.validate(&item, IP_KEY)?;
    if valid.ip != path_ip {
        return Err(codes::invalid_parameter(
            "body origin_ip does not match URL",
        ));
    }
    let (ip, mapping) = call.shared.upsert_valid(&call.zone_id, valid)?;
    Ok(ok(entry(&ip, &mapping)))
}

async fn delete_one(call: Call) -> Answer {
    let ip = call.origin_ip.as_deref().unwrap_or_default();
    let (ip, _) = call.shared.delete(&call.zone_id, ip, codes::not_found)?;
    Ok(ok(json!({ IP_KEY: ip.to_string() })))
}

async fn batch_upsert(call: Call, body: Bytes) -> Answer {
    let result = call
        .shared
        .batch_upsert(&call.zone_id, &json_body(&body)?, IP_KEY)?;
    Ok(ok(BatchJson { ip_key: IP_KEY, result: &result }))
}

async fn batch_delete(call: Call, body: Bytes) -> Answer {
    let result = call
        .shared
        .batch_delete(&call.zone_id, &json_body(&body)?)?;
    Ok(ok(BatchJson { ip_key: IP_KEY, result: &result }))
}

async fn supported_regions(_call: Call) -> Answer {
    Ok(ok(catalogue::supported_regions_json()))
}

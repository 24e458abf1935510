//! The current family: `/zones/{zone_id}/origin/cloud_regions…`. Flat results, `origin_ip`
//! everywhere, idempotent PUT, paginated list.

use std::collections::HashSet;

use reqwest::Method;
use serde_json::json;

use super::batch::ChunkResult;
use super::error::ApiError;
use super::model::{later_timestamp, Mapping, MappingList, MappingRecord, SupportedRegions};
use super::transport::{ApiRequest, Transport};
use super::wire::{canonical_or_raw, BatchResult, Deleted, Entry, V2Item};

/// Cloudflare's maximum page size.
const PER_PAGE: u64 = 100;
/// 3,500 mappings fit in 35 pages; this only stops a server that never ends its pages.
const MAX_PAGES: u64 = 1_000;

fn path(zone: &str, tail: &[&str]) -> Vec<String> {
    let mut path: Vec<String> = ["zones", zone, "origin", "cloud_regions"].map(String::from).into();
    path.extend(tail.iter().map(|segment| segment.to_string()));
    path
}

fn item(mapping: &Mapping) -> V2Item<'_> {
    V2Item { origin_ip: &mapping.ip, vendor: &mapping.vendor, region: &mapping.region }
}

/// Follows every page. An address seen twice (pages shifting under concurrent writes) is kept once.
pub(crate) async fn list(transport: &Transport, zone: &str) -> Result<MappingList, ApiError> {
    let mut list = MappingList::default();
    let mut seen = HashSet::new();
    for page in 1..=MAX_PAGES {
        let request = ApiRequest::new(Method::GET, path(zone, &[])).query("page", page).query("per_page", PER_PAGE);
        let answer = transport.send::<Vec<Entry>>(&request).await?;
        let total_pages = answer.result_info.map(|info| info.total_pages);
        let entries = answer.into_result("the v2 list")?;
        if entries.is_empty() {
            break;
        }
        for entry in entries {
            list.modified_on = later_timestamp(list.modified_on.take(), entry.modified_on.clone());
            if seen.insert(canonical_or_raw(&entry.ip)) {
                entry.add_to(&mut list);
            }
        }
        if total_pages.is_some_and(|total| page >= total) {
            break;
        }
    }
    Ok(list)
}

pub(crate) async fn get(transport: &Transport, zone: &str, ip: &str) -> Result<Option<MappingRecord>, ApiError> {
    let request = ApiRequest::new(Method::GET, path(zone, &[&canonical_or_raw(ip)]));
    match transport.send::<Entry>(&request).await {
        Ok(answer) => Ok(Some(answer.into_result("the v2 get")?.into_record(None))),
        Err(error) if error.is_not_found() => Ok(None),
        Err(error) => Err(error),
    }
}

/// v2 has no create-only call: check first, then PUT.
pub(crate) async fn create(transport: &Transport, zone: &str, mapping: &Mapping) -> Result<MappingRecord, ApiError> {
    if get(transport, zone, &mapping.ip).await?.is_some() {
        return Err(ApiError::AlreadyExists { ip: canonical_or_raw(&mapping.ip), after_retry: false });
    }
    put(transport, zone, mapping).await
}

pub(crate) async fn put(transport: &Transport, zone: &str, mapping: &Mapping) -> Result<MappingRecord, ApiError> {
    // The body IP must match the path IP, so both use the canonical spelling.
    let mapping = Mapping { ip: canonical_or_raw(&mapping.ip), ..mapping.clone() };
    let request = ApiRequest::new(Method::PUT, path(zone, &[&mapping.ip])).json(json!(item(&mapping)));
    Ok(transport.send::<Entry>(&request).await?.into_result("the v2 put")?.into_record(None))
}

pub(crate) async fn delete(transport: &Transport, zone: &str, ip: &str) -> Result<bool, ApiError> {
    let request = ApiRequest::new(Method::DELETE, path(zone, &[&canonical_or_raw(ip)]));
    match transport.send::<Deleted>(&request).await {
        Ok(_) => Ok(true),
        Err(error) if error.is_not_found() => Ok(false),
        Err(error) => Err(error),
    }
}

pub(crate) async fn batch_put(transport: &Transport, zone: &str, chunk: &[Mapping]) -> Result<ChunkResult, ApiError> {
    let body: Vec<V2Item<'_>> = chunk.iter().map(item).collect();
    batch(transport, ApiRequest::new(Method::PUT, path(zone, &["batch"])).json(json!(body))).await
}

pub(crate) async fn batch_delete(transport: &Transport, zone: &str, chunk: &[String]) -> Result<ChunkResult, ApiError> {
    batch(transport, ApiRequest::new(Method::DELETE, path(zone, &["batch"])).json(json!(chunk))).await
}

async fn batch(transport: &Transport, request: ApiRequest) -> Result<ChunkResult, ApiError> {
    let items = transport.send::<BatchResult>(&request).await?.into_result("the v2 batch")?;
    Ok(ChunkResult { items, modified_on: None })
}

pub(crate) async fn supported_regions(transport: &Transport, zone: &str) -> Result<SupportedRegions, ApiError> {
    let request = ApiRequest::new(Method::GET, path(zone, &["supported_regions"]));
    transport.send::<SupportedRegions>(&request).await?.into_result("the v2 supported_regions")
}

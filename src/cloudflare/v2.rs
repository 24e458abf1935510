//! The current family: `/zones/{zone_id}/origin/cloud_regions…`. Flat results, `origin_ip`
//! everywhere, idempotent PUT, paginated list.

use std::collections::HashSet;
use std::time::Duration;

use futures::stream::{self, StreamExt, TryStreamExt};
use reqwest::Method;
use tracing::debug;
use serde_json::json;

use super::batch::ChunkResult;
use super::error::ApiError;
use super::model::{later_timestamp, Mapping, MappingList, MappingRecord, SupportedRegions};
use super::transport::{ApiRequest, Transport};
use super::wire::{canonical_or_raw, BatchResult, Deleted, Entry, ResultInfo, V2Item};

/// Cloudflare's maximum page size.
const PER_PAGE: u64 = 100;
/// 3,500 mappings fit in 35 pages; this only stops a server that never ends its pages.
const MAX_PAGES: u64 = 1_000;
/// Listings taken before giving up on a zone whose pages keep shifting.
const MAX_LIST_ATTEMPTS: u32 = 4;
/// Pause before listing again (times the attempt number), to let a burst of writes pass.
const RELIST_PAUSE: Duration = Duration::from_millis(250);

fn path(zone: &str, tail: &[&str]) -> Vec<String> {
    let mut path: Vec<String> = ["zones", zone, "origin", "cloud_regions"].map(String::from).into();
    path.extend(tail.iter().map(|segment| segment.to_string()));
    path
}

fn item(mapping: &Mapping) -> V2Item<'_> {
    V2Item { origin_ip: &mapping.ip, vendor: &mapping.vendor, region: &mapping.region }
}

/// Every mapping of the zone. Page 1 tells how many pages there are; the rest are fetched
/// `parallelism` at a time. Offsets shift when someone else writes meanwhile, which would skip
/// mappings that still exist, so a listing whose pages do not agree (total changed, duplicates,
/// short pages) is thrown away and taken again, up to [`MAX_LIST_ATTEMPTS`] times.
pub(crate) async fn list(transport: &Transport, zone: &str, parallelism: usize) -> Result<MappingList, ApiError> {
    let mut reason = String::new();
    for attempt in 1..=MAX_LIST_ATTEMPTS {
        if attempt > 1 {
            debug!(zone, attempt, %reason, "the v2 listing changed while paging; listing again");
            let pause = RELIST_PAUSE * (attempt - 1);
            tokio::select! {
                biased;
                _ = transport.cancel_token().cancelled() => return Err(ApiError::Cancelled),
                _ = tokio::time::sleep(pause) => {}
            }
        }
        match list_once(transport, zone, parallelism).await? {
            Ok(list) => return Ok(list),
            Err(inconsistency) => reason = inconsistency,
        }
    }
    Err(ApiError::ListingUnstable { zone: zone.to_string(), attempts: MAX_LIST_ATTEMPTS, reason })
}

/// One page: its entries and paging information.
struct Page {
    number: u64,
    entries: Vec<Entry>,
    info: Option<ResultInfo>,
}

async fn fetch_page(transport: &Transport, zone: &str, number: u64) -> Result<Page, ApiError> {
    let request = ApiRequest::new(Method::GET, path(zone, &[])).query("page", number).query("per_page", PER_PAGE);
    let answer = transport.send::<Vec<Entry>>(&request).await?;
    let info = answer.result_info;
    Ok(Page { number, entries: answer.into_result("the v2 list")?, info })
}

/// `Ok(Err(reason))` when the pages do not fit together.
async fn list_once(
    transport: &Transport,
    zone: &str,
    parallelism: usize,
) -> Result<Result<MappingList, String>, ApiError> {
    let first = fetch_page(transport, zone, 1).await?;
    let Some(info) = first.info else {
        return walk_without_paging_info(transport, zone, first).await.map(Ok);
    };
    let total_pages = info.total_pages.min(MAX_PAGES);
    let rest: Vec<Page> = stream::iter(2..=total_pages)
        .map(|number| fetch_page(transport, zone, number))
        .buffered(parallelism.max(1))
        .try_collect()
        .await?;
    let pages: Vec<Page> = std::iter::once(first).chain(rest).collect();
    Ok(assemble(&info, pages))
}

/// Checks that the pages describe one unchanged listing, then joins them.
fn assemble(first: &ResultInfo, pages: Vec<Page>) -> Result<MappingList, String> {
    let per_page = if first.per_page == 0 { PER_PAGE } else { first.per_page };
    let total = first.total_count;
    let total_pages = pages.len() as u64;
    // An empty zone is one empty page.
    if total.div_ceil(per_page).max(1) != total_pages {
        return Err(format!("{total} mappings at {per_page} per page do not make {total_pages} pages"));
    }
    let mut list = MappingList::default();
    let mut seen = HashSet::new();
    for page in pages {
        let reported = page.info.map_or(total, |info| info.total_count);
        if reported != total {
            return Err(format!("the total went from {total} to {reported} by page {}", page.number));
        }
        let expected = if page.number < total_pages { per_page } else { total - per_page * (total_pages - 1) };
        if page.entries.len() as u64 != expected {
            return Err(format!("page {} held {} mappings instead of {expected}", page.number, page.entries.len()));
        }
        for entry in page.entries {
            list.modified_on = later_timestamp(list.modified_on.take(), entry.modified_on.clone());
            let record = entry.into_record(None);
            if !seen.insert(record.mapping.ip.clone()) {
                return Err(format!("{} appeared twice (on page {})", record.mapping.ip, page.number));
            }
            list.push(record);
        }
    }
    Ok(list)
}

/// A server that sends no `result_info`: pages one after another until a short or empty one.
async fn walk_without_paging_info(transport: &Transport, zone: &str, first: Page) -> Result<MappingList, ApiError> {
    let mut list = MappingList::default();
    let mut seen = HashSet::new();
    let mut page = first;
    loop {
        let short = (page.entries.len() as u64) < PER_PAGE;
        for entry in page.entries {
            list.modified_on = later_timestamp(list.modified_on.take(), entry.modified_on.clone());
            let record = entry.into_record(None);
            if seen.insert(record.mapping.ip.clone()) {
                list.push(record);
            }
        }
        if short || page.number >= MAX_PAGES {
            return Ok(list);
        }
        page = fetch_page(transport, zone, page.number + 1).await?;
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn page(number: u64, total: u64, ips: std::ops::Range<u32>) -> Page {
        let entries = ips
            .map(|n| Entry { ip: format!("192.0.2.{n}"), vendor: "aws".into(), region: "us-east-1".into(), modified_on: None })
            .collect();
        Page { number, entries, info: Some(ResultInfo { total_count: total, per_page: 2, ..ResultInfo::default() }) }
    }

    fn info(total: u64) -> ResultInfo {
        ResultInfo { page: 1, per_page: 2, count: 2, total_count: total, total_pages: total.div_ceil(2) }
    }

    #[test]
    fn consistent_pages_join() {
        let list = assemble(&info(5), vec![page(1, 5, 1..3), page(2, 5, 3..5), page(3, 5, 5..6)]).unwrap();
        assert_eq!(list.mappings.len(), 5);
    }

    #[test]
    fn shifted_pages_are_refused() {
        let changed = assemble(&info(5), vec![page(1, 5, 1..3), page(2, 4, 4..6), page(3, 5, 6..7)]);
        assert!(changed.unwrap_err().contains("total went from 5 to 4"));
        let duplicate = assemble(&info(4), vec![page(1, 4, 1..3), page(2, 4, 2..4)]);
        assert!(duplicate.unwrap_err().contains("twice"));
        let short = assemble(&info(4), vec![page(1, 4, 1..3), page(2, 4, 3..4)]);
        assert!(short.unwrap_err().contains("instead of 2"));
        let missing_page = assemble(&info(5), vec![page(1, 5, 1..3), page(2, 5, 3..5)]);
        assert!(missing_page.is_err());
    }

    #[test]
    fn an_empty_zone_is_one_empty_page() {
        let empty = Page { number: 1, entries: vec![], info: Some(ResultInfo::default()) };
        assert!(assemble(&ResultInfo::default(), vec![empty]).unwrap().mappings.is_empty());
    }
}

//! The deprecated family: `/zones/{zone_id}/cache/origin_cloud_regions…`. Results come wrapped
//! as a zone setting `{id, editable, modified_on, value}`; requests name the IP `ip`.

use reqwest::Method;
use serde::Deserialize;
use serde_json::json;

use super::batch::ChunkResult;
use super::error::ApiError;
use super::model::{Mapping, MappingList, MappingRecord, SupportedRegions};
use super::transport::{ApiRequest, Transport};
use super::wire::{canonical_or_raw, BatchResult, Entry, V1Item, V1Setting};

fn path(zone: &str, tail: &[&str]) -> Vec<String> {
    let mut path: Vec<String> = ["zones", zone, "cache", "origin_cloud_regions"].map(String::from).into();
    path.extend(tail.iter().map(|segment| segment.to_string()));
    path
}

fn item(mapping: &Mapping) -> V1Item<'_> {
    V1Item { ip: &mapping.ip, vendor: &mapping.vendor, region: &mapping.region }
}

/// PATCH returns the whole list; accept a single entry too in case that ever changes.
#[derive(Deserialize)]
#[serde(untagged)]
enum ListOrEntry {
    List(Vec<Entry>),
    Entry(Entry),
}

pub(crate) async fn list(transport: &Transport, zone: &str) -> Result<MappingList, ApiError> {
    let request = ApiRequest::new(Method::GET, path(zone, &[]));
    let setting = transport.send::<V1Setting<Vec<Entry>>>(&request).await?.into_result("the v1 list")?;
    let mut list = MappingList { modified_on: setting.modified_on, ..MappingList::default() };
    setting.value.into_iter().for_each(|entry| list.push(entry.into_record(None)));
    Ok(list)
}

pub(crate) async fn get(transport: &Transport, zone: &str, ip: &str) -> Result<Option<MappingRecord>, ApiError> {
    let request = ApiRequest::new(Method::GET, path(zone, &[&canonical_or_raw(ip)]));
    match transport.send::<V1Setting<Entry>>(&request).await {
        Ok(answer) => Ok(Some(single_record(answer.into_result("the v1 get")?))),
        Err(error) if error.is_not_found() => Ok(None),
        Err(error) => Err(error),
    }
}

/// A single result's wrapper time is that mapping's.
fn single_record(setting: V1Setting<Entry>) -> MappingRecord {
    setting.value.into_record(setting.modified_on)
}

pub(crate) async fn create(transport: &Transport, zone: &str, mapping: &Mapping) -> Result<MappingRecord, ApiError> {
    let mapping = Mapping { ip: canonical_or_raw(&mapping.ip), ..mapping.clone() };
    let request = ApiRequest::new(Method::POST, path(zone, &[])).json(json!(item(&mapping)));
    match transport.send::<V1Setting<Entry>>(&request).await {
        Ok(answer) => Ok(single_record(answer.into_result("the v1 create")?)),
        Err(error) if error.is_already_exists() => {
            Err(ApiError::AlreadyExists { ip: mapping.ip, after_retry: error.attempts() > 1 })
        }
        Err(error) => Err(error),
    }
}

pub(crate) async fn upsert(transport: &Transport, zone: &str, mapping: &Mapping) -> Result<MappingRecord, ApiError> {
    let mapping = Mapping { ip: canonical_or_raw(&mapping.ip), ..mapping.clone() };
    let request = ApiRequest::new(Method::PATCH, path(zone, &[])).json(json!(item(&mapping)));
    let setting = transport.send::<V1Setting<ListOrEntry>>(&request).await?.into_result("the v1 upsert")?;
    let entries = match setting.value {
        ListOrEntry::List(entries) => entries,
        ListOrEntry::Entry(entry) => vec![entry],
    };
    // The wrapper time is the set's last change, which this write just made.
    entries
        .into_iter()
        .find(|entry| canonical_or_raw(&entry.ip) == mapping.ip)
        .map(|entry| entry.into_record(setting.modified_on))
        .ok_or_else(|| ApiError::Decode {
            status: 200,
            message: format!("the v1 upsert answer does not list {}", mapping.ip),
        })
}

pub(crate) async fn delete(transport: &Transport, zone: &str, ip: &str) -> Result<bool, ApiError> {
    let request = ApiRequest::new(Method::DELETE, path(zone, &[&canonical_or_raw(ip)]));
    match transport.send::<serde_json::Value>(&request).await {
        Ok(_) => Ok(true),
        Err(error) if error.is_not_found() => Ok(false),
        Err(error) => Err(error),
    }
}

pub(crate) async fn batch_upsert(transport: &Transport, zone: &str, chunk: &[Mapping]) -> Result<ChunkResult, ApiError> {
    let body: Vec<V1Item<'_>> = chunk.iter().map(item).collect();
    batch(transport, ApiRequest::new(Method::PATCH, path(zone, &["batch"])).json(json!(body))).await
}

pub(crate) async fn batch_delete(transport: &Transport, zone: &str, chunk: &[String]) -> Result<ChunkResult, ApiError> {
    batch(transport, ApiRequest::new(Method::DELETE, path(zone, &["batch"])).json(json!(chunk))).await
}

async fn batch(transport: &Transport, request: ApiRequest) -> Result<ChunkResult, ApiError> {
    let setting = transport.send::<V1Setting<BatchResult>>(&request).await?.into_result("the v1 batch")?;
    Ok(ChunkResult { items: setting.value, modified_on: setting.modified_on })
}

pub(crate) async fn supported_regions(transport: &Transport, zone: &str) -> Result<SupportedRegions, ApiError> {
    let request = ApiRequest::new(Method::GET, path(zone, &["supported_regions"]));
    transport.send::<SupportedRegions>(&request).await?.into_result("the v1 supported_regions")
}

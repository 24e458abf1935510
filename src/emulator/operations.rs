//! The operations both endpoint families perform, independent of their wire shapes.
//!
//! Batch semantics (documented choices where Cloudflare's docs are silent):
//! - more than [`MAX_BATCH_ITEMS`] items, or a body that is not a JSON array: whole request 400/1146;
//! - an empty array: 200 with empty `succeeded`/`failed` and `modified_on: null`;
//! - each item is validated on its own; invalid ones go to `failed` with an `error` text;
//! - the same address twice (after canonicalisation): the first occurrence is processed, later
//!   ones go to `failed` ("duplicate origin IP in batch");
//! - upserts that would take the zone past 3,500 mappings: whole request 403/1164, nothing applied;
//! - batch delete of an address without a mapping: `failed` ("no mapping exists for this origin IP");
//! - all items failed: still 200, `modified_on: null`;
//! - `succeeded` and `failed` each keep request order.

use std::collections::HashSet;
use std::net::IpAddr;

use serde_json::Value;

use super::envelope::{codes, ApiFailure};
use super::state::{lock, Shared};
use super::store::StoredMapping;
use super::validate::{
    check_ip_fault, echo_ip, item_ip_text, parse_address, validate_item, ValidMapping,
};

/// Cloudflare's documented `maxItems` on every batch body.
pub const MAX_BATCH_ITEMS: usize = 100;

pub const DUPLICATE_IN_BATCH: &str = "duplicate origin IP in batch";
pub const NO_MAPPING: &str = "no mapping exists for this origin IP";

/// One entry of `succeeded` or `failed`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemResult {
    pub ip: String,
    pub vendor: Option<String>,
    pub region: Option<String>,
    pub error: Option<String>,
}

impl ItemResult {
    fn succeeded(ip: &IpAddr, vendor: &str, region: &str) -> Self {
        ItemResult {
            ip: ip.to_string(),
            vendor: Some(vendor.into()),
            region: Some(region.into()),
            error: None,
        }
    }

    fn failed(ip: String, error: impl Into<String>) -> Self {
        ItemResult {
            ip,
            vendor: None,
            region: None,
            error: Some(error.into()),
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct BatchResult {
    pub succeeded: Vec<ItemResult>,
    pub failed: Vec<ItemResult>,
    /// The set's new timestamp; `None` when nothing was applied.
    pub modified_on: Option<String>,
}

fn batch_items(body: &Value) -> Result<&[Value], ApiFailure> {
    let items = body
        .as_array()
        .ok_or_else(|| codes::invalid_parameter("request body must be a JSON array"))?;
    if items.len() > MAX_BATCH_ITEMS {
        return Err(codes::invalid_parameter(format!(
            "too many items in batch: {} given, at most {MAX_BATCH_ITEMS} allowed",
            items.len()
        )));
    }
    Ok(items)
}

impl Shared {
    /// All mappings of a zone in address order, with the set's timestamp.
    pub fn list(&self, zone_id: &str) -> (Vec<(IpAddr, StoredMapping)>, Option<String>) {
        let store = lock(&self.store);
        match store.zone(zone_id) {
            Some(zone) => (
                zone.mappings
                    .iter()
                    .map(|(ip, m)| (*ip, m.clone()))
                    .collect(),
                zone.modified_on.clone(),
            ),
            None => (Vec::new(), None),
        }
    }

    pub fn get(&self, zone_id: &str, ip_text: &str) -> Result<(IpAddr, StoredMapping), ApiFailure> {
        let ip = parse_address(ip_text)?;
        let store = lock(&self.store);
        let stored = store
            .zone(zone_id)
            .and_then(|zone| zone.mappings.get(&ip))
            .cloned();
        stored.map(|m| (ip, m)).ok_or_else(codes::not_found)
    }

    fn validate_one(&self, item: &Value, ip_key: &str) -> Result<ValidMapping, ApiFailure> {
        validate_item(item, ip_key, &lock(&self.faults))
    }

    /// v1 POST: fails with 1145 when the address already has a mapping.
    pub fn create(
        &self,
        zone_id: &str,
        item: &Value,
        ip_key: &str,
    ) -> Result<(IpAddr, StoredMapping), ApiFailure> {
        let valid = self.validate_one(item, ip_key)?;
        let now = self.now();
        self.mutate(|store| {
            let zone = store.zone_mut(zone_id);
            if zone.mappings.contains_key(&valid.ip) {
                return Err(codes::already_exists());
            }
            if zone.would_overflow(1) {
                return Err(codes::zone_full());
            }
            Ok((
                valid.ip,
                zone.upsert(valid.ip, &valid.vendor, &valid.region, &now).clone(),
            ))
        })
    }

    /// Validated item already in hand (v2 PUT checks the path first).
    pub fn upsert_valid(
        &self,
        zone_id: &str,
        valid: ValidMapping,
    ) -> Result<(IpAddr, StoredMapping), ApiFailure> {
        let now = self.now();
        self.mutate(|store| {
            let zone = store.zone_mut(zone_id);
            if !zone.mappings.contains_key(&valid.ip) && zone.would_overflow(1) {
                return Err(codes::zone_full());
            }
            Ok((
                valid.ip,
                zone.upsert(valid.ip, &valid.vendor, &valid.region, &now).clone(),
            ))
        })
    }

    pub fn upsert(
        &self,
        zone_id: &str,
        item: &Value,
        ip_key: &str,
    ) -> Result<(IpAddr, StoredMapping), ApiFailure> {
        let valid = self.validate_one(item, ip_key)?;
        self.upsert_valid(zone_id, valid)
    }

    pub fn validate(&self, item: &Value, ip_key: &str) -> Result<ValidMapping, ApiFailure> {
        self.validate_one(item, ip_key)
    }

    /// Deletes one mapping; `not_found` is the family's 404.
    pub fn delete(
        &self,
        zone_id: &str,
        ip_text: &str,
        not_found: fn() -> ApiFailure,
    ) -> Result<(IpAddr, StoredMapping), ApiFailure> {
        let ip = parse_address(ip_text)?;
        check_ip_fault(&lock(&self.faults), &ip)?;
        let now = self.now();
        self.mutate(|store| {
            let zone = store.zone_mut(zone_id);
            zone.remove(&ip, &now)
                .map(|m| (ip, m))
                .ok_or_else(not_found)
        })
    }

    pub fn batch_upsert(
        &self,
        zone_id: &str,
        body: &Value,
        ip_key: &str,
    ) -> Result<BatchResult, ApiFailure> {
        let items = batch_items(body)?;
        let mut result = BatchResult::default();
        let mut valid = Vec::new();
        let mut seen = HashSet::new();
        {
            let faults = lock(&self.faults);
            for item in items {
                match validate_item(item, ip_key, &faults) {
                    Ok(mapping) if !seen.insert(mapping.ip) => {
                        result.failed.push(ItemResult::failed(
                            mapping.ip.to_string(),
                            DUPLICATE_IN_BATCH,
                        ));
                    }
                    Ok(mapping) => valid.push(mapping),
                    Err(failure) => {
                        result.failed.push(ItemResult::failed(
                            item_ip_text(item, ip_key),
                            failure.message,
                        ));
                    }
                }
            }
        }
        let now = self.now();
        self.mutate(|store| {
            let zone = store.zone_mut(zone_id);
            let new_ips = valid
                .iter()
                .filter(|m| !zone.mappings.contains_key(&m.ip))
                .count();
            if zone.would_overflow(new_ips) {
                return Err(codes::zone_full());
            }
            for mapping in &valid {
                zone.upsert(mapping.ip, &mapping.vendor, &mapping.region, &now);
                result.succeeded.push(ItemResult::succeeded(
                    &mapping.ip,
                    &mapping.vendor,
                    &mapping.region,
                ));
            }
            Ok(())
        })?;
        if !result.succeeded.is_empty() {
            result.modified_on = Some(now);
        }
        Ok(result)
    }

    /// A batch whose every item failed with `error` (nothing applied), e.g. when the regions
    /// could not be validated.
    pub fn batch_all_failed(&self, body: &Value, ip_key: &str, error: &str) -> Result<BatchResult, ApiFailure> {
        let failed = batch_items(body)?
            .iter()
            .map(|item| ItemResult::failed(item_ip_text(item, ip_key), error))
            .collect();
        Ok(BatchResult { succeeded: Vec::new(), failed, modified_on: None })
    }

    pub fn batch_delete(&self, zone_id: &str, body: &Value) -> Result<BatchResult, ApiFailure> {
        let items = batch_items(body)?;
        // Per item, in request order: the address to delete, or why it already failed.
        let mut checked: Vec<Result<IpAddr, ItemResult>> = Vec::with_capacity(items.len());
        let mut seen = HashSet::new();
        {
            let faults = lock(&self.faults);
            for item in items {
                let Some(text) = item.as_str() else {
                    checked.push(Err(ItemResult::failed(
                        String::new(),
                        "each item must be an IP address string",
                    )));
                    continue;
                };
                let outcome =
                    parse_address(text).and_then(|ip| check_ip_fault(&faults, &ip).map(|()| ip));
                checked.push(match outcome {
                    Ok(ip) if !seen.insert(ip) => {
                        Err(ItemResult::failed(ip.to_string(), DUPLICATE_IN_BATCH))
                    }
                    Ok(ip) => Ok(ip),
                    Err(failure) => Err(ItemResult::failed(echo_ip(text), failure.message)),
                });
            }
        }
        let now = self.now();
        let mut result = BatchResult::default();
        self.mutate(|store| {
            let zone = store.zone_mut(zone_id);
            for entry in checked {
                match entry.map(|ip| (ip, zone.remove(&ip, &now))) {
                    Ok((ip, Some(old))) => {
                        result
                            .succeeded
                            .push(ItemResult::succeeded(&ip, &old.vendor, &old.region))
                    }
                    Ok((ip, None)) => result
                        .failed
                        .push(ItemResult::failed(ip.to_string(), NO_MAPPING)),
                    Err(failed) => result.failed.push(failed),
                }
            }
            Ok(())
        })?;
        if !result.succeeded.is_empty() {
            result.modified_on = Some(now);
        }
        Ok(result)
    }
}

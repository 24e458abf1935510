//! PlanResourceChange: validation, the plan decisions, and the region check against the zone's
//! supported regions (only for entries that will be sent).

use std::sync::Arc;

use super::finding::{Finding, Place};
use super::model::{canonical_key, Address, MappingSet, MappingsConfig, Maybe, Target};
use super::plan::{decide, PlannedMappings};
use super::regions::{fetch_catalog, RegionCache};
use super::remote::list;
use super::schema::{ID, MAPPINGS, MODIFIED_ON, ZONE_ID};
use super::takeover::{added_keys, takeover_warning};
use super::validate::{validate_all, VENDORS};
use super::values::{config_from_value, maybe_to_value, state_from_value, to_diagnostics};
use crate::cloudflare::{ApiError, Client};
use crate::provider::shared::plan_start::{plan_response, start_plan, PlanInputs};
use crate::tfplugin::{AttributePath, Diagnostics, PlanRequest, PlanResponse, Value};

/// Takes the request by value: the planned state is built from its parts, not from copies of
/// maps with thousands of entries.
pub async fn plan(mut request: PlanRequest, client: Option<Arc<Client>>, regions: &RegionCache) -> PlanResponse {
    let validate = |config: &_| to_diagnostics(validate_all(config));
    let inputs = start_plan(&request, config_from_value, validate, state_from_value);
    let PlanInputs { config, prior } = match inputs {
        Ok(inputs) => inputs,
        Err(response) => return response,
    };

    let decision = decide(prior.as_ref(), &config);
    let mut diagnostics = Diagnostics::new();
    if decision.mappings == PlannedMappings::FromConfig {
        let unchanged = if decision.replace { None } else { prior.as_ref().map(|p| &p.mappings) };
        diagnostics = to_diagnostics(check_regions(client.clone(), regions, &config, unchanged).await);
        diagnostics.extend(to_diagnostics(check_takeover(client, regions, &config, unchanged).await));
    }

    let mappings = match decision.mappings {
        PlannedMappings::KeepPrior => request.prior_state.take_attr(MAPPINGS),
        PlannedMappings::FromConfig => request.config.take_attr(MAPPINGS),
    };
    let mut planned = std::mem::replace(&mut request.proposed_new_state, Value::Null);
    planned.set_attr(MAPPINGS, mappings.unwrap_or(Value::Null));
    planned.set_attr(ID, maybe_to_value(&decision.id));
    planned.set_attr(MODIFIED_ON, decision.modified_on.as_ref().map_or(Value::Unknown, maybe_to_value));
    let requires_replace = if decision.replace { vec![AttributePath::new(ZONE_ID)] } else { Vec::new() };
    plan_response(&request, planned, requires_replace, diagnostics)
}

/// Entries that will be sent, fully known, with a vendor the validation accepted.
fn entries_to_check<'a>(config: &'a MappingsConfig, prior: Option<&MappingSet>) -> Vec<(&'a str, &'a str, &'a str)> {
    let Maybe::Known(entries) = &config.mappings else { return Vec::new() };
    entries
        .iter()
        .filter_map(|(key, entry)| {
            let entry = entry.known()?;
            let (vendor, region) = (entry.vendor.known()?, entry.region.known()?);
            let already_there = prior
                .and_then(|p| p.find(&Address::of(key)))
                .is_some_and(|(_, target)| &target.vendor == vendor && &target.region == region);
            let checkable = VENDORS.contains(&vendor.as_str()) && !already_there;
            checkable.then_some((key.as_str(), vendor.as_str(), region.as_str()))
        })
        .collect()
}

/// Unsupported regions are errors; a zone that cannot say which it supports gets a warning.
/// Skipped when the provider has no client yet or the zone is not known.
async fn check_regions(
    client: Option<Arc<Client>>,
    regions: &RegionCache,
    config: &MappingsConfig,
    prior: Option<&MappingSet>,
) -> Vec<Finding> {
    let (Some(client), Maybe::Known(zone_id)) = (client, &config.zone_id) else {
        return Vec::new();
    };
    let entries = entries_to_check(config, prior);
    if entries.is_empty() {
        return Vec::new();
    }
    match regions.get_or_fetch(zone_id, || fetch_catalog(client, zone_id.clone())).await {
        Ok(catalog) => {
            entries.into_iter().filter_map(|(key, vendor, region)| catalog.check(key, vendor, region)).collect()
        }
        Err(error) => regions.finding(&error, Place::Mappings, zone_id).into_iter().collect(),
    }
}

/// A warning for added IPs that the zone already maps outside this resource (see `takeover`).
/// One listing, only when the plan adds IPs and the provider can reach the API.
async fn check_takeover(
    client: Option<Arc<Client>>,
    regions: &RegionCache,
    config: &MappingsConfig,
    managed: Option<&MappingSet>,
) -> Vec<Finding> {
    let (Some(client), Maybe::Known(zone_id)) = (client, &config.zone_id) else {
        return Vec::new();
    };
    let added = added_keys(&config.mappings, managed);
    if added.is_empty() {
        return Vec::new();
    }
    match mappings_held(&client, zone_id, &added).await {
        Ok(held) => takeover_warning(zone_id, &added, managed, &held).into_iter().collect(),
        // A refusal is said once per run (or zone), like the region check's.
        Err(error) => regions.refusal(&error, zone_id).unwrap_or_else(|| {
            vec![Finding::warning(
                Place::Mappings,
                "Could not check for mappings set outside Terraform",
                format!(
                    "Listing zone {zone_id} failed ({error}), so this plan cannot tell whether the IPs \
                     it adds are already mapped outside this resource; applying would overwrite them."
                ),
            )]
        }),
    }
}

/// Up to this many added IPs are looked up one by one; more take one listing of the zone (one
/// request on v1, a page per 100 mappings on v2), so adding an IP to a large zone stays cheap.
pub(super) const SINGLE_LOOKUPS: usize = 3;

/// The zone's mappings for the `added` keys (more when the whole zone was listed).
async fn mappings_held(client: &Client, zone_id: &str, added: &[&str]) -> Result<MappingSet, ApiError> {
    if added.len() > SINGLE_LOOKUPS {
        return list(client, zone_id).await.map(|listing| listing.mappings);
    }
    let mut held = MappingSet::new();
    for key in added {
        if let Some(record) = client.get(zone_id, key).await? {
            let mapping = record.mapping;
            held.insert(canonical_key(&mapping.ip), Target::new(mapping.vendor, mapping.region));
        }
    }
    Ok(held)
}

#[cfg(test)]
mod tests {
    use super::super::model::{ConfigEntry, Target};
    use super::*;

    fn config(entries: &[(&str, &str, &str)]) -> MappingsConfig {
        let known = |s: &str| Maybe::Known(s.to_string());
        MappingsConfig {
            zone_id: known("023e105f4ecef8ad9ca31a8372d0c353"),
            mappings: Maybe::Known(
                entries
                    .iter()
                    .map(|(ip, vendor, region)| {
                        (ip.to_string(), Maybe::Known(ConfigEntry { vendor: known(vendor), region: known(region) }))
                    })
                    .collect(),
            ),
        }
    }

    #[test]
    fn only_entries_that_will_be_sent_are_checked() {
        let config =
            config(&[("2001:DB8::1", "gcp", "us-central1"), ("192.0.2.1", "aws", "new"), ("192.0.2.2", "AWS", "x")]);
        let prior: MappingSet = [("2001:db8::1".to_string(), Target::new("gcp", "us-central1"))].into_iter().collect();
        assert_eq!(entries_to_check(&config, Some(&prior)), vec![("192.0.2.1", "aws", "new")]);
        assert_eq!(entries_to_check(&config, None).len(), 2);
    }
}

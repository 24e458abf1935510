//! PlanResourceChange: validation, the plan decision, and the region check against the zone's
//! supported regions (only when vendor or region will be sent).

use std::sync::Arc;

use super::plan::{decide, ReplaceReason};
use super::remote::fetch_catalog;
use super::schema::{ID, MODIFIED_ON, ORIGIN_IP, ZONE_ID};
use super::validate::validate_config;
use super::values::{config_from_value, maybe_to_value, state_from_value, to_diagnostics};
use super::model::{api_vendor, SingleConfig};
use crate::cloudflare::Client;
use crate::provider::shared::plan_start::{plan_response, start_plan, PlanInputs};
use crate::provider::concepts::checks::VENDORS;
use crate::provider::concepts::finding::{Finding, Place};
use crate::provider::concepts::maybe::Maybe;
use crate::provider::concepts::regions::RegionCache;
use crate::tfplugin::{AttributePath, Diagnostics, PlanRequest, PlanResponse};

pub async fn plan(request: &PlanRequest, client: Option<Arc<Client>>, regions: &RegionCache) -> PlanResponse {
    let validate = |config: &_| to_diagnostics(validate_config(config));
    let inputs = start_plan(request, config_from_value, validate, state_from_value);
    let PlanInputs { config, prior } = match inputs { Ok(inputs) => inputs, Err(response) => return response };
    let decision = decide(prior.as_ref(), &config);
    // Required attributes are planned exactly as configured (that is Terraform's rule); only
    // the computed ones are ours to set.
    let mut planned = request.proposed_new_state.clone();
    planned.set_attr(ID, maybe_to_value(&decision.id));
    planned.set_attr(MODIFIED_ON, maybe_to_value(&decision.modified_on));
    let requires_replace = decision
        .replace
        .iter()
        .map(|reason| match reason {
            ReplaceReason::ZoneId => AttributePath::new(ZONE_ID),
            ReplaceReason::OriginIp => AttributePath::new(ORIGIN_IP),
        })
        .collect();
    let diagnostics = if decision.writes {
        to_diagnostics(check_region(client, regions, &config).await)
    } else {
        Diagnostics::new()
    };
    plan_response(request, planned, requires_replace, diagnostics)
}

/// An unsupported region is an error; a zone that cannot say which it supports gets a warning.
/// Skipped while the provider has no client or anything needed is unknown.
async fn check_region(client: Option<Arc<Client>>, regions: &RegionCache, config: &SingleConfig) -> Vec<Finding> {
    let (Some(client), Maybe::Known(zone_id), Maybe::Known(vendor), Maybe::Known(region)) =
        (client, &config.zone_id, &config.vendor, &config.region)
    else {
        return Vec::new();
    };
    let vendor = api_vendor(vendor);
    if !VENDORS.contains(&vendor.as_str()) {
        return Vec::new();
    }
    let key = config.origin_ip.known().map_or("", String::as_str);
    match regions.get_or_fetch(zone_id, || fetch_catalog(client, zone_id.clone())).await {
        Ok(catalog) => catalog.check(key, &vendor, region).into_iter().collect(),
        Err(error) => regions.finding(&error, Place::Region(key.to_string()), zone_id).into_iter().collect(),
    }
}

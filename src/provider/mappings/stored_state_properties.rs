//! Property: the provider never writes a state it cannot read back. Whatever ImportResourceState
//! or ReadResource returns for any zone listing, the next UpgradeResourceState, ReadResource and
//! PlanResourceChange accept it (and a configuration written from it plans nothing).

use std::net::{Ipv4Addr, Ipv6Addr};

use proptest::prelude::*;

use super::import_id::{parse_import_id, ImportTarget};
use super::model::{MappingsState, Target};
use super::read::{imported_state, refreshed_state};
use super::refresh::remote_set;
use super::regions::RegionCache;
use super::remote::Listing;
use super::schema::{schema, ID, MODIFIED_ON, SCHEMA_VERSION};
use super::upgrade::upgrade;
use super::validate::{check_ip, VENDORS};
use super::values::{state_from_value, state_to_value};
use super::planning;
use crate::tfplugin::{json, PlanRequest, UpgradeStateRequest, Value};

const ZONE: &str = "023e105f4ecef8ad9ca31a8372d0c353";

/// What a zone listing may hold as an IP: usual addresses, odd spellings, IPv4-mapped IPv6
/// (written by other tools), and text that is no address at all.
fn listed_ip() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<[u8; 4]>().prop_map(|o| Ipv4Addr::from(o).to_string()),
        any::<[u16; 8]>().prop_map(|g| Ipv6Addr::from(g).to_string()),
        any::<[u16; 8]>().prop_map(|g| Ipv6Addr::from(g).to_string().to_uppercase()),
        any::<[u8; 4]>().prop_map(|o| format!("::ffff:{}", Ipv4Addr::from(o))),
        any::<[u8; 4]>().prop_map(|o| format!("::FFFF:{}", Ipv4Addr::from(o))),
        "[0-9a-fA-F:./% -]{0,20}",
    ]
}

fn target() -> impl Strategy<Value = Target> {
    (proptest::sample::select(VENDORS.to_vec()), "[a-z]{2,6}-[a-z]{2,8}-[1-9]")
        .prop_map(|(vendor, region)| Target::new(vendor, region))
}

fn listing() -> impl Strategy<Value = (Vec<(String, Target)>, Option<String>)> {
    (proptest::collection::vec((listed_ip(), target()), 0..12), proptest::option::of("[ -~]{0,25}"))
}

fn to_listing((entries, modified_on): (Vec<(String, Target)>, Option<String>)) -> Listing {
    Listing { mappings: remote_set(entries), modified_on }
}

/// UpgradeResourceState on the JSON Terraform stores for `value`; the upgraded state.
fn upgraded(value: &Value) -> Result<MappingsState, String> {
    let raw = json::encode_value(value, &schema().value_type()).map_err(|e| e.to_string())?;
    let response = upgrade(UpgradeStateRequest { version: SCHEMA_VERSION, raw_state_json: Some(raw) });
    if response.diagnostics.has_errors() {
        return Err(format!("upgrade refused {value}: {:?}", response.diagnostics));
    }
    state_from_value(&response.state).map_err(|e| e.to_string())?.ok_or_else(|| "upgrade gave null".to_string())
}

/// PlanResourceChange for a configuration written from `state` (its keys, vendors and regions).
fn plan_of_own_config(state: &MappingsState) -> Result<(), String> {
    let stored = state_to_value(state);
    let mut config = stored.clone();
    config.set_attr(ID, Value::Null);
    config.set_attr(MODIFIED_ON, Value::Null);
    let request = PlanRequest {
        prior_state: stored.clone(),
        proposed_new_state: stored.clone(),
        config,
        prior_private: Vec::new(),
    };
    let response = futures::executor::block_on(planning::plan(request, None, &RegionCache::new()));
    if response.diagnostics.has_errors() {
        return Err(format!("plan refused {stored}: {:?}", response.diagnostics));
    }
    if response.planned_state != stored {
        return Err(format!("plan of its own config is not empty: {stored} -> {}", response.planned_state));
    }
    Ok(())
}

/// Every later step accepts `written`; then the same for what ReadResource makes of it.
fn accepted_from_here_on(written: &MappingsState, later: Listing) -> Result<(), String> {
    let stored = upgraded(&state_to_value(written))?;
    plan_of_own_config(&stored)?;
    let (read, diagnostics) = refreshed_state(&stored, later);
    if diagnostics.has_errors() {
        return Err(format!("read refused: {diagnostics:?}"));
    }
    if read.is_null() {
        return Ok(());
    }
    let again = upgraded(&read)?;
    plan_of_own_config(&again)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn whatever_import_and_read_write_is_read_back(
        zone in listing(),
        later in listing(),
        picks in proptest::collection::vec(any::<bool>(), 12),
    ) {
        let entries = zone.0.clone();
        let whole = imported_state(ImportTarget { zone_id: ZONE.into(), ips: None }, to_listing(zone.clone()));
        if let Ok(state) = whole {
            prop_assert_eq!(accepted_from_here_on(&state, to_listing(later.clone())), Ok(()));
        }
        // An ID that lists some of the zone's IPs, as the listing spells them.
        let picked: Vec<&str> =
            entries.iter().zip(&picks).filter(|(_, pick)| **pick).map(|((ip, _), _)| ip.as_str()).collect();
        if let Ok(target) = parse_import_id(&format!("{ZONE}/{}", picked.join(","))) {
            if let Ok(state) = imported_state(target, to_listing(zone)) {
                prop_assert_eq!(accepted_from_here_on(&state, to_listing(later)), Ok(()));
            }
        }
    }

    #[test]
    fn a_zone_import_fails_only_for_ips_it_names(zone in listing()) {
        let usable = zone.0.iter().all(|(ip, _)| check_ip(ip).is_ok());
        let result = imported_state(ImportTarget { zone_id: ZONE.into(), ips: None }, to_listing(zone.clone()));
        match result {
            Ok(_) => prop_assert!(usable),
            Err(diagnostics) => {
                let detail = &diagnostics.0[0].detail;
                let named = zone.0.iter().filter(|(ip, _)| check_ip(ip).is_err()).all(|(ip, _)| {
                    detail.contains(&super::model::canonical_key(ip))
                });
                prop_assert!(zone.0.is_empty() || (!usable && named), "{}", detail);
            }
        }
    }
}

#[test]
fn the_reported_listing_is_refused_and_leaves_no_state() {
    let zone = (
        vec![
            ("192.0.2.1".to_string(), Target::new("aws", "us-east-1")),
            ("::ffff:192.0.2.7".to_string(), Target::new("aws", "us-east-1")),
        ],
        None,
    );
    let error = imported_state(ImportTarget { zone_id: ZONE.into(), ips: None }, to_listing(zone)).unwrap_err();
    assert_eq!(error.0.len(), 1);
    assert_eq!(error.0[0].summary, "Cannot import these mappings");
    assert!(error.0[0].detail.contains("::ffff:192.0.2.7"), "{}", error.0[0].detail);
}

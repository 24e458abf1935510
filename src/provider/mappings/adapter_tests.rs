//! The adapter against the in-process emulator: real HTTP, real client, real batches.

use std::sync::Arc;

use tokio_util::sync::CancellationToken;
use url::Url;

use super::coordinated::Coordination;
use super::regions::RegionCache;
use super::schema::{ID, MAPPINGS, MODIFIED_ON, REGION, VENDOR, ZONE_ID};
use super::values::state_from_value;
use super::{apply, planning, read};
use crate::cloudflare::{Client, ClientConfig, Credentials, Secret};
use crate::emulator::{Emulator, EmulatorConfig, DEFAULT_TEST_TOKEN};
use crate::tfplugin::{AttributePath, PlanRequest, Severity, Value};

pub(super) const ZONE: &str = "023e105f4ecef8ad9ca31a8372d0c353";
const BATCH: &str = "/cache/origin_cloud_regions/batch";

pub(super) async fn start() -> (Emulator, Arc<Client>) {
    let emulator = Emulator::start(EmulatorConfig::default(), "127.0.0.1:0".parse().unwrap()).await.unwrap();
    let url = Url::parse(&emulator.base_url()).unwrap();
    let mut config = ClientConfig::new(url, Credentials::Token(Secret::new(DEFAULT_TEST_TOKEN)));
    config.requests_per_second = 1000.0;
    config.max_retries = 0;
    let client = Client::new(config, CancellationToken::new()).unwrap();
    (emulator, Arc::new(client))
}

pub(super) fn mappings(entries: &[(&str, &str, &str)]) -> Value {
    Value::map(entries.iter().map(|(ip, vendor, region)| {
        (ip.to_string(), Value::object([(VENDOR, Value::string(*vendor)), (REGION, Value::string(*region))]))
    }))
}

pub(super) fn config(entries: &[(&str, &str, &str)]) -> Value {
    Value::object([
        (ID, Value::Null),
        (ZONE_ID, Value::string(ZONE)),
        (MAPPINGS, mappings(entries)),
        (MODIFIED_ON, Value::Null),
    ])
}

/// What Terraform proposes: the config with computed attributes taken from the prior state.
pub(super) fn proposed(config: &Value, prior: &Value) -> Value {
    let mut proposed = config.clone();
    for name in [ID, MODIFIED_ON] {
        proposed.set_attr(name, prior.get_attr(name).cloned().unwrap_or(Value::Null));
    }
    proposed
}

pub(super) async fn plan_for(
    client: &Arc<Client>,
    cache: &RegionCache,
    prior: &Value,
    config: &Value,
) -> crate::tfplugin::PlanResponse {
    let request = PlanRequest {
        prior_state: prior.clone(),
        proposed_new_state: proposed(config, prior),
        config: config.clone(),
        prior_private: Vec::new(),
    };
    planning::plan(request, Some(Arc::clone(client)), cache).await
}

/// plan + apply, like `terraform apply`.
async fn converge(client: &Arc<Client>, prior: &Value, config: &Value) -> (Value, crate::tfplugin::Diagnostics) {
    let plan = plan_for(client, &RegionCache::new(), prior, config).await;
    assert!(!plan.diagnostics.has_errors(), "{:?}", plan.diagnostics);
    let prior_state = state_from_value(prior).unwrap();
    let mut planned = plan.planned_state;
    let planned_mappings = planned.take_attr(MAPPINGS);
    apply::create_or_update(client, &Coordination::alone(), prior_state.as_ref(), &planned, planned_mappings).await
}

fn entry_path(key: &str) -> Option<AttributePath> {
    Some(AttributePath::new(MAPPINGS).key(key))
}

#[tokio::test]
async fn lifecycle_leaves_unmanaged_mappings_alone() {
    let (emulator, client) = start().await;
    let control = emulator.control();
    control.put_mapping(ZONE, "198.51.100.77", "oci", "us-ashburn-1").unwrap();
    let first = config(&[
        ("192.0.2.1", "aws", "us-east-1"),
        ("2001:db8::1", "gcp", "us-central1"),
        ("2001:DB8:0:0::2", "azure", "eastus"),
    ]);

    let (state, diagnostics) = converge(&client, &Value::Null, &first).await;
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    assert_eq!(state.get_attr(MAPPINGS), first.get_attr(MAPPINGS), "config spelling kept");
    assert_eq!(state.get_attr(ID), Some(&Value::string(ZONE)));
    assert!(state.get_attr(MODIFIED_ON).and_then(Value::as_str).is_some());
    assert_eq!(control.mappings(ZONE).len(), 4);
    assert_eq!(control.request_count("PATCH", BATCH), 1);

    // Refresh and plan again: nothing to do.
    let prior = state_from_value(&state).unwrap().unwrap();
    let (refreshed, diagnostics) = read::read(&client, &prior, &Default::default()).await;
    assert!(diagnostics.is_empty());
    assert_eq!(refreshed, state);
    let plan = plan_for(&client, &RegionCache::new(), &refreshed, &first).await;
    assert_eq!(plan.planned_state, refreshed, "empty plan");
    assert!(plan.requires_replace.is_empty());

    // Change a region, add one, remove one.
    control.reset_counters();
    let second = config(&[
        ("192.0.2.1", "aws", "us-west-2"),
        ("2001:db8::1", "gcp", "us-central1"),
        ("192.0.2.3", "aws", "eu-west-1"),
    ]);
    let (state, diagnostics) = converge(&client, &refreshed, &second).await;
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    assert_eq!(state.get_attr(MAPPINGS), second.get_attr(MAPPINGS));
    assert_eq!(control.request_count("PATCH", BATCH), 1);
    assert_eq!(control.request_count("DELETE", BATCH), 1);
    let remote = control.mappings(ZONE);
    assert_eq!(remote.keys().collect::<Vec<_>>(), vec!["192.0.2.1", "192.0.2.3", "198.51.100.77", "2001:db8::1"]);
    assert_eq!(remote["192.0.2.1"].region, "us-west-2");

    // Destroy deletes only what the resource manages; an already-gone IP is fine.
    control.remove_mapping(ZONE, "192.0.2.3").unwrap();
    let prior = state_from_value(&state).unwrap().unwrap();
    let (after, diagnostics) = apply::destroy(&client, &Coordination::alone(), &prior).await;
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    assert_eq!(after, Value::Null);
    assert_eq!(control.mappings(ZONE).keys().collect::<Vec<_>>(), vec!["198.51.100.77"]);
    emulator.shutdown().await;
}

#[tokio::test]
async fn batches_are_chunked_and_only_changes_are_sent() {
    let (emulator, client) = start().await;
    let control = emulator.control();
    let ips: Vec<String> = (0..250u32).map(|i| std::net::Ipv4Addr::from(0x0a00_0000 + i).to_string()).collect();
    let entries: Vec<(&str, &str, &str)> = ips.iter().map(|ip| (ip.as_str(), "aws", "us-east-1")).collect();
    let (state, diagnostics) = converge(&client, &Value::Null, &config(&entries)).await;
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    assert_eq!(control.request_count("PATCH", BATCH), 3);
    assert_eq!(control.mappings(ZONE).len(), 250);

    control.reset_counters();
    let mut changed = entries.clone();
    changed[17].2 = "us-east-2";
    let (state, diagnostics) = converge(&client, &state, &config(&changed)).await;
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    assert_eq!(control.request_count("PATCH", BATCH), 1);
    // Besides the batch, only the plan's region check (fresh cache here; once per process).
    assert_eq!(control.request_count("*", ""), 2, "{:?}", control.requests());
    assert_eq!(control.request_count("GET", "/supported_regions"), 1);
    assert_eq!(state.get_attr(MAPPINGS), Some(&mappings(&changed)));
    emulator.shutdown().await;
}

#[tokio::test]
async fn rejected_items_become_errors_at_their_keys() {
    let (emulator, client) = start().await;
    let control = emulator.control();
    control.fail_ip("192.0.2.4", "region capacity exhausted").unwrap();
    control.fail_ip("2001:db8::9", "origin not allowed").unwrap();
    let mut entries: Vec<(String, &str, &str)> =
        (1..=9).map(|i| (format!("192.0.2.{i}"), "aws", "us-east-1")).collect();
    entries.push(("2001:DB8::9".to_string(), "gcp", "us-central1"));
    let borrowed: Vec<(&str, &str, &str)> = entries.iter().map(|(ip, v, r)| (ip.as_str(), *v, *r)).collect();

    let (state, diagnostics) = converge(&client, &Value::Null, &config(&borrowed)).await;
    let errors: Vec<_> = diagnostics.iter().filter(|d| d.severity == Severity::Error).collect();
    assert_eq!(errors.len(), 2, "{diagnostics:?}");
    assert_eq!(errors[0].path, entry_path("192.0.2.4"));
    assert!(errors[0].summary.contains("192.0.2.4"));
    assert!(errors[0].detail.contains("region capacity exhausted"));
    assert!(errors[0].detail.contains("The next apply replaces it"));
    assert_eq!(errors[1].path, entry_path("2001:DB8::9"));
    let kept = state_from_value(&state).unwrap().unwrap();
    assert_eq!(kept.mappings.len(), 8);
    assert_eq!(control.mappings(ZONE).len(), 8);

    // Fix the config (drop the bad entries) and apply again: converges, then an empty plan.
    let fixed: Vec<(&str, &str, &str)> =
        borrowed.iter().copied().filter(|(ip, _, _)| *ip != "192.0.2.4" && *ip != "2001:DB8::9").collect();
    let (state, diagnostics) = converge(&client, &state, &config(&fixed)).await;
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    let plan = plan_for(&client, &RegionCache::new(), &state, &config(&fixed)).await;
    assert_eq!(plan.planned_state, state);
    emulator.shutdown().await;
}

#[tokio::test]
async fn drift_and_disappearance() {
    let (emulator, client) = start().await;
    let control = emulator.control();
    let (state, _) = converge(
        &client,
        &Value::Null,
        &config(&[("192.0.2.1", "aws", "us-east-1"), ("192.0.2.2", "aws", "us-east-1")]),
    )
    .await;
    control.put_mapping(ZONE, "192.0.2.1", "aws", "eu-west-1").unwrap();
    control.remove_mapping(ZONE, "192.0.2.2").unwrap();
    let prior = state_from_value(&state).unwrap().unwrap();
    let (refreshed, diagnostics) = read::read(&client, &prior, &Default::default()).await;
    assert!(diagnostics.is_empty());
    assert_eq!(refreshed.get_attr(MAPPINGS), Some(&mappings(&[("192.0.2.1", "aws", "eu-west-1")])));
    assert_eq!(refreshed.get_attr(MODIFIED_ON), state.get_attr(MODIFIED_ON), "refresh keeps modified_on");

    control.clear_zone(ZONE).unwrap();
    let (gone, diagnostics) = read::read(&client, &prior, &Default::default()).await;
    assert_eq!(gone, Value::Null);
    assert_eq!(diagnostics.0[0].severity, Severity::Warning);
    emulator.shutdown().await;
}

#[tokio::test]
async fn import_by_zone_or_by_ips() {
    let (emulator, client) = start().await;
    let control = emulator.control();
    control.put_mapping(ZONE, "192.0.2.1", "aws", "us-east-1").unwrap();
    control.put_mapping(ZONE, "2001:db8::1", "gcp", "us-central1").unwrap();

    let (imported, diagnostics) = read::import(&client, ZONE).await;
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    let state = &imported[0].state;
    let all = mappings(&[("192.0.2.1", "aws", "us-east-1"), ("2001:db8::1", "gcp", "us-central1")]);
    assert_eq!(state.get_attr(MAPPINGS), Some(&all));
    // The plan against matching config is empty.
    let matching = config(&[("192.0.2.1", "aws", "us-east-1"), ("2001:db8::1", "gcp", "us-central1")]);
    let plan = plan_for(&client, &RegionCache::new(), state, &matching).await;
    assert_eq!(&plan.planned_state, state);
    // Another spelling in config only renames the key: the timestamp stays known, nothing is sent.
    let respelled = config(&[("192.0.2.1", "aws", "us-east-1"), ("2001:DB8::1", "gcp", "us-central1")]);
    let plan = plan_for(&client, &RegionCache::new(), state, &respelled).await;
    assert_eq!(plan.planned_state.get_attr(MAPPINGS), respelled.get_attr(MAPPINGS));
    assert_eq!(plan.planned_state.get_attr(MODIFIED_ON), state.get_attr(MODIFIED_ON));

    let (imported, diagnostics) = read::import(&client, &format!("{ZONE}/2001:DB8::1")).await;
    assert!(diagnostics.is_empty());
    assert_eq!(imported[0].state.get_attr(MAPPINGS), Some(&mappings(&[("2001:DB8::1", "gcp", "us-central1")])));

    for (id, summary) in [
        (format!("{ZONE}/192.0.2.99"), "Nothing to import"),
        ("not-a-zone".to_string(), "Invalid import ID"),
        ("11111111111111111111111111111111".to_string(), "Nothing to import"),
    ] {
        let (imported, diagnostics) = read::import(&client, &id).await;
        assert!(imported.is_empty());
        assert_eq!(diagnostics.0[0].summary, summary, "{id}");
    }
    emulator.shutdown().await;
}

#[tokio::test]
async fn plan_time_errors_send_no_writes() {
    let (emulator, client) = start().await;
    let control = emulator.control();
    let cache = RegionCache::new();
    let plan = plan_for(&client, &cache, &Value::Null, &config(&[("192.0.2.1", "aws", "us-eats-1")])).await;
    let diagnostic = &plan.diagnostics.0[0];
    assert_eq!(diagnostic.severity, Severity::Error);
    assert_eq!(diagnostic.path, Some(AttributePath::new(MAPPINGS).key("192.0.2.1")));
    assert!(diagnostic.detail.contains("Did you mean \"us-east-1\"?"), "{}", diagnostic.detail);

    let bad =
        config(&[("2001:db8::1", "AWS", "us-east-1"), ("2001:DB8::1", "aws", "us-east-1"), ("10.0.0.0/8", "aws", "x")]);
    let plan = plan_for(&client, &cache, &Value::Null, &bad).await;
    // Three errors, and the region check they stop is said to be skipped.
    let summaries: Vec<(&Severity, &str)> = plan.diagnostics.0.iter().map(|d| (&d.severity, d.summary.as_str())).collect();
    assert_eq!(summaries.len(), 4, "{:?}", plan.diagnostics);
    assert_eq!(summaries.iter().filter(|(severity, _)| **severity == Severity::Error).count(), 3, "{summaries:?}");
    assert_eq!(summaries[3], (&Severity::Warning, "Regions not checked"));

    // The supported regions were asked for once; nothing was written.
    let _ = plan_for(&client, &cache, &Value::Null, &config(&[("192.0.2.2", "aws", "nowhere")])).await;
    assert_eq!(control.request_count("GET", "/supported_regions"), 1);
    assert_eq!(control.request_count("PATCH", ""), 0);
    assert_eq!(control.request_count("DELETE", ""), 0);
    emulator.shutdown().await;
}

#[tokio::test]
async fn unknown_values_plan_as_unknown_and_skip_checks() {
    let (emulator, client) = start().await;
    let mut partly = config(&[("192.0.2.1", "aws", "us-east-1")]);
    partly.set_attr(
        MAPPINGS,
        Value::map([("192.0.2.1", Value::object([(VENDOR, Value::string("aws")), (REGION, Value::Unknown)]))]),
    );
    let plan = plan_for(&client, &RegionCache::new(), &Value::Null, &partly).await;
    assert!(plan.diagnostics.is_empty(), "{:?}", plan.diagnostics);
    assert_eq!(plan.planned_state.get_attr(MODIFIED_ON), Some(&Value::Unknown));
    assert_eq!(plan.planned_state.get_attr(MAPPINGS), partly.get_attr(MAPPINGS));
    emulator.shutdown().await;
}

#[tokio::test]
async fn zone_change_requires_replacement() {
    let (emulator, client) = start().await;
    let (state, _) = converge(&client, &Value::Null, &config(&[("192.0.2.1", "aws", "us-east-1")])).await;
    let mut moved = config(&[("192.0.2.1", "aws", "us-east-1")]);
    moved.set_attr(ZONE_ID, Value::string("11111111111111111111111111111111"));
    let plan = plan_for(&client, &RegionCache::new(), &state, &moved).await;
    assert_eq!(plan.requires_replace, vec![AttributePath::new(ZONE_ID)]);
    assert_eq!(plan.planned_state.get_attr(ID), Some(&Value::string("11111111111111111111111111111111")));
    emulator.shutdown().await;
}

pub(super) mod through_the_resource_trait {
    use super::*;
    use crate::provider::data::ProviderData;
    use crate::provider::mappings::MappingsResource;
    use crate::tfplugin::{ApplyRequest, ImportRequest, ReadRequest, Resource};

    /// The client a provider configured for `emulator` gets.
    pub(in super::super) fn client_for(emulator: &Emulator) -> Client {
        let url = Url::parse(&emulator.base_url()).unwrap();
        let client_config = ClientConfig::new(url, Credentials::Token(Secret::new(DEFAULT_TEST_TOKEN)));
        Client::new(client_config, CancellationToken::new()).unwrap()
    }

    /// A configured provider's data, as a new provider process (one run) has it.
    pub(in super::super) fn data_for(emulator: &Emulator) -> Arc<ProviderData> {
        let data = ProviderData::new();
        data.set_client(client_for(emulator));
        data
    }

    async fn data_with_client() -> (Emulator, Arc<ProviderData>) {
        let (emulator, _) = start().await;
        let data = data_for(&emulator);
        (emulator, data)
    }

    async fn resource_with_client() -> (Emulator, MappingsResource) {
        let (emulator, data) = data_with_client().await;
        (emulator, MappingsResource::new(data))
    }

    #[tokio::test]
    async fn both_resources_share_one_region_cache() {
        use crate::provider::single_mapping::SingleMappingResource;
        let (emulator, data) = data_with_client().await;
        let plan_request = |config: Value| PlanRequest {
            prior_state: Value::Null,
            proposed_new_state: config.clone(),
            config,
            prior_private: Vec::new(),
        };
        let many = MappingsResource::new(Arc::clone(&data));
        let plan = many.plan(plan_request(config(&[("192.0.2.1", "aws", "us-east-1")]))).await;
        assert!(plan.diagnostics.is_empty(), "{:?}", plan.diagnostics);
        let single = SingleMappingResource::new(Arc::clone(&data));
        let single_config = Value::object([
            (ID, Value::Null),
            (ZONE_ID, Value::string(ZONE)),
            ("origin_ip", Value::string("192.0.2.2")),
            (VENDOR, Value::string("aws")),
            (REGION, Value::string("us-east-1")),
            (MODIFIED_ON, Value::Null),
        ]);
        let plan = single.plan(plan_request(single_config)).await;
        assert!(plan.diagnostics.is_empty(), "{:?}", plan.diagnostics);
        assert_eq!(emulator.control().request_count("GET", "/supported_regions"), 1);
        emulator.shutdown().await;
    }

    #[tokio::test]
    async fn create_read_import_destroy() {
        let (emulator, resource) = resource_with_client().await;
        let desired = config(&[("192.0.2.1", "aws", "us-east-1"), ("2001:DB8::1", "gcp", "us-central1")]);
        assert!(resource.validate(&desired).await.is_empty());

        let plan = resource
            .plan(PlanRequest {
                prior_state: Value::Null,
                proposed_new_state: proposed(&desired, &Value::Null),
                config: desired.clone(),
                prior_private: Vec::new(),
            })
            .await;
        assert!(plan.diagnostics.is_empty(), "{:?}", plan.diagnostics);
        let created = resource
            .apply(ApplyRequest {
                prior_state: Value::Null,
                planned_state: plan.planned_state,
                planned_private: Vec::new(),
            })
            .await;
        assert!(created.diagnostics.is_empty(), "{:?}", created.diagnostics);
        assert_eq!(created.new_state.get_attr(MAPPINGS), desired.get_attr(MAPPINGS));

        let read = resource.read(ReadRequest { current_state: created.new_state.clone(), private: Vec::new() }).await;
        assert_eq!(read.new_state, created.new_state);

        let imported = resource.import(ImportRequest { id: ZONE.to_string() }).await;
        assert_eq!(imported.imported.len(), 1);

        // The destroy comes in a later run, with a provider process of its own: this run's
        // create announced that it holds these IPs, which keeps this run's deletes off them.
        let later_run = MappingsResource::new(data_for(&emulator));
        let destroyed = later_run
            .apply(ApplyRequest {
                prior_state: created.new_state,
                planned_state: Value::Null,
                planned_private: Vec::new(),
            })
            .await;
        assert!(destroyed.diagnostics.is_empty(), "{:?}", destroyed.diagnostics);
        assert_eq!(destroyed.new_state, Value::Null);
        assert!(emulator.control().mappings(ZONE).is_empty());
        emulator.shutdown().await;
    }

    #[tokio::test]
    async fn without_a_client_state_is_left_alone() {
        let resource = MappingsResource::new(ProviderData::new());
        let state = Value::object([
            (ID, Value::string(ZONE)),
            (ZONE_ID, Value::string(ZONE)),
            (MAPPINGS, mappings(&[("192.0.2.1", "aws", "us-east-1")])),
            (MODIFIED_ON, Value::Null),
        ]);
        let read = resource.read(ReadRequest { current_state: state.clone(), private: Vec::new() }).await;
        assert!(read.diagnostics.has_errors());
        assert_eq!(read.new_state, state);
        // Planning works without a client (regions are simply not checked).
        let plan = resource
            .plan(PlanRequest {
                prior_state: Value::Null,
                proposed_new_state: proposed(&state, &Value::Null),
                config: state.clone(),
                prior_private: Vec::new(),
            })
            .await;
        assert!(plan.diagnostics.is_empty(), "{:?}", plan.diagnostics);
    }
}

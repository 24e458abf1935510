//! Instances of one run, through the resource trait against the in-process emulator: moves
//! between instances and the halves of a replacement never delete what another one holds.

use std::sync::Arc;
use std::time::Duration;

use super::adapter_tests::through_the_resource_trait::{client_for, data_for};
use super::adapter_tests::{config, proposed, start, ZONE};
use super::successor_note::SuccessorNote;
use super::MappingsResource;
use crate::emulator::Emulator;
use crate::provider::data::ProviderData;
use crate::tfplugin::{ApplyRequest, PlanRequest, PlanResponse, Resource, Value};

type Entries<'a> = &'a [(&'a str, &'a str, &'a str)];

async fn plan(resource: &MappingsResource, prior: &Value, entries: Entries<'_>) -> PlanResponse {
    let desired = config(entries);
    let plan = resource
        .plan(PlanRequest {
            prior_state: prior.clone(),
            proposed_new_state: proposed(&desired, prior),
            config: desired,
            prior_private: Vec::new(),
        })
        .await;
    // A moved IP is still held by the instance giving it up, so the receiving plan may warn
    // that the zone already maps it (see `takeover`); nothing else is expected.
    let unexpected: Vec<_> =
        plan.diagnostics.iter().filter(|d| !d.summary.contains("is already mapped outside this resource")).collect();
    assert!(unexpected.is_empty(), "{unexpected:?}");
    plan
}

async fn apply(resource: &MappingsResource, prior: &Value, plan: PlanResponse) -> Value {
    let applied = resource
        .apply(ApplyRequest {
            prior_state: prior.clone(),
            planned_state: plan.planned_state,
            planned_private: plan.planned_private,
        })
        .await;
    assert!(applied.diagnostics.is_empty(), "{:?}", applied.diagnostics);
    assert_eq!(SuccessorNote::from_private(&applied.private), None, "the plan's note never reaches the state");
    applied.new_state
}

/// Plans and applies `entries` in a run of its own (a fresh provider process).
async fn create(emulator: &Emulator, entries: Entries<'_>) -> Value {
    let resource = MappingsResource::new(data_for(emulator));
    let planned = plan(&resource, &Value::Null, entries).await;
    apply(&resource, &Value::Null, planned).await
}

fn remote(emulator: &Emulator) -> Vec<(String, String)> {
    emulator.control().mappings(ZONE).into_iter().map(|(ip, stored)| (ip, stored.region)).collect()
}

/// "a" gives up 192.0.2.2 and "b" takes it with a new region in the same run; a slow delete
/// from "a" is in flight when "b" writes, or "a" deletes after "b" has written.
async fn move_in_one_run(data: Arc<ProviderData>, emulator: &Emulator, delete_first: bool) {
    let a_before: Entries = &[("192.0.2.1", "aws", "us-east-1"), ("192.0.2.2", "aws", "us-east-1")];
    let b_before: Entries = &[("192.0.2.9", "aws", "us-east-1")];
    let a_after: Entries = &[("192.0.2.1", "aws", "us-east-1")];
    let b_after: Entries = &[("192.0.2.9", "aws", "us-east-1"), ("192.0.2.2", "aws", "eu-west-1")];
    let a_prior = create(emulator, a_before).await;
    let b_prior = create(emulator, b_before).await;

    let a = Arc::new(MappingsResource::new(Arc::clone(&data)));
    let b = MappingsResource::new(data);
    let a_plan = plan(&a, &a_prior, a_after).await;
    let a_apply = {
        let a = Arc::clone(&a);
        tokio::spawn(async move { apply(&a, &a_prior, a_plan).await })
    };
    if delete_first {
        // Give "a"'s (slowed) delete time to leave before "b" plans; should "b" plan first
        // after all, the test takes the other path, with the same outcome required.
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let b_plan = plan(&b, &b_prior, b_after).await;
    apply(&b, &b_prior, b_plan).await;
    a_apply.await.unwrap();
    assert_eq!(
        remote(emulator),
        [("192.0.2.1", "us-east-1"), ("192.0.2.2", "eu-west-1"), ("192.0.2.9", "us-east-1")]
            .map(|(ip, region)| (ip.to_string(), region.to_string()))
    );
}

#[tokio::test]
async fn a_slow_delete_in_flight_lands_before_the_other_instance_writes() {
    let (emulator, _) = start().await;
    emulator.control().set_delete_latency(Duration::from_millis(300));
    let data = data_for(&emulator);
    move_in_one_run(data, &emulator, true).await;
    emulator.shutdown().await;
}

#[tokio::test]
async fn a_delete_after_the_other_instance_planned_leaves_its_ip_alone() {
    let (emulator, _) = start().await;
    let data = data_for(&emulator);
    move_in_one_run(data, &emulator, false).await;
    emulator.shutdown().await;
}

#[tokio::test]
async fn the_delete_half_of_a_replacement_keeps_what_the_new_object_holds() {
    let (emulator, _) = start().await;
    let old = create(&emulator, &[("192.0.2.1", "aws", "us-east-1"), ("192.0.2.2", "aws", "us-east-1")]).await;
    // The replacement's plan ran in another process; only its note reaches the delete half.
    let note = SuccessorNote {
        zone_id: ZONE.to_string(),
        ips: ["192.0.2.2".to_string(), "192.0.2.3".to_string()].into_iter().collect(),
    };
    let destroyed = MappingsResource::new(data_for(&emulator))
        .apply(ApplyRequest { prior_state: old, planned_state: Value::Null, planned_private: note.to_private() })
        .await;
    assert!(destroyed.diagnostics.is_empty(), "{:?}", destroyed.diagnostics);
    assert_eq!(destroyed.new_state, Value::Null);
    assert_eq!(remote(&emulator), [("192.0.2.2".to_string(), "us-east-1".to_string())]);
    emulator.shutdown().await;
}

#[tokio::test]
async fn plans_leave_a_note_and_destroy_plans_none() {
    let (emulator, _) = start().await;
    let resource = MappingsResource::new(data_for(&emulator));
    let planned = plan(&resource, &Value::Null, &[("2001:DB8::1", "gcp", "us-central1")]).await;
    let note = SuccessorNote::from_private(&planned.planned_private).expect("a note");
    assert_eq!(note.ips.iter().collect::<Vec<_>>(), ["2001:db8::1"]);
    let destroy_plan = resource
        .plan(PlanRequest {
            prior_state: planned.planned_state.clone(),
            proposed_new_state: Value::Null,
            config: Value::Null,
            prior_private: planned.planned_private,
        })
        .await;
    assert_eq!(destroy_plan.planned_state, Value::Null);
    assert_eq!(SuccessorNote::from_private(&destroy_plan.planned_private), None, "a destroy plan carries no note");
    emulator.shutdown().await;
}

#[tokio::test]
async fn a_new_configuration_starts_a_new_run() {
    let (emulator, _) = start().await;
    let data = data_for(&emulator);
    let resource = MappingsResource::new(Arc::clone(&data));
    let planned = plan(&resource, &Value::Null, &[("192.0.2.1", "aws", "us-east-1")]).await;
    let created = apply(&resource, &Value::Null, planned).await;
    // Debug mode keeps one process for every command, and configures it again for each: the
    // create's announcement belongs to the run before and must not keep the destroy off the IP.
    data.set_client(client_for(&emulator));
    let destroyed = resource
        .apply(ApplyRequest { prior_state: created, planned_state: Value::Null, planned_private: Vec::new() })
        .await;
    assert!(destroyed.diagnostics.is_empty(), "{:?}", destroyed.diagnostics);
    assert!(remote(&emulator).is_empty());
    emulator.shutdown().await;
}

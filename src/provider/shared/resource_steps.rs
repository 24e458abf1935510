//! The protocol side of ReadResource, ApplyResourceChange and ImportResourceState shared by
//! both resources: parse the stored state, get the client, and answer with the prior state
//! plus an error when either is missing. Each resource supplies only its API work.

use std::fmt::Display;
use std::future::Future;
use std::sync::Arc;

use super::family_memory::{add_switch_notice, recall, record, zone_of};
use crate::cloudflare::Client;
use crate::provider::data::ProviderData;
use crate::tfplugin::{
    ApplyRequest, ApplyResponse, Diagnostics, ImportRequest, ImportResponse, ImportedResource, PlanRequest,
    PlanResponse, ReadRequest, ReadResponse, Value,
};

/// The error for a stored state of `type_name` that cannot be used.
pub fn invalid_state(type_name: &str, error: impl Display) -> Diagnostics {
    Diagnostics::from_error(
        "Invalid state",
        format!("The stored state of this {type_name} is unusable: {error}. Remove it from state and import it again."),
    )
}

/// ReadResource: a null state stays null; otherwise `read` refreshes the parsed prior state.
pub async fn read<S, E, F, Fut>(
    data: &ProviderData,
    type_name: &str,
    request: &ReadRequest,
    state_from_value: impl FnOnce(&Value) -> Result<Option<S>, E>,
    read: F,
) -> ReadResponse
where
    E: Display,
    F: FnOnce(Arc<Client>, S) -> Fut,
    Fut: Future<Output = (Value, Diagnostics)>,
{
    let respond = |new_state, diagnostics| ReadResponse { new_state, private: None, diagnostics };
    let prior = match state_from_value(&request.current_state) {
        Ok(Some(prior)) => prior,
        Ok(None) => return respond(Value::Null, Diagnostics::new()),
        Err(error) => return respond(request.current_state.clone(), invalid_state(type_name, error)),
    };
    let client = match data.client() {
        Ok(client) => client,
        Err(diagnostics) => return respond(request.current_state.clone(), diagnostics),
    };
    let zone = zone_of(&request.current_state);
    recall(&client, &request.private, zone);
    let (new_state, mut diagnostics) = read(client.clone(), prior).await;
    add_switch_notice(&client, &mut diagnostics);
    ReadResponse { new_state, private: Some(record(&client, &request.private, zone)), diagnostics }
}

/// PlanResourceChange around the resource's own planning: the family remembered in the private
/// data is told to the client before planning calls the API, and written into the planned
/// private data so the apply (often another provider process) starts with it too.
pub async fn plan<F, Fut>(data: &ProviderData, request: PlanRequest, plan: F) -> PlanResponse
where
    F: FnOnce(PlanRequest) -> Fut,
    Fut: Future<Output = PlanResponse>,
{
    let client = data.try_client();
    let zone = zone_of(&request.proposed_new_state).or_else(|| zone_of(&request.prior_state)).map(str::to_string);
    if let Some(client) = &client {
        recall(client, &request.prior_private, zone.as_deref());
    }
    let mut response = plan(request).await;
    if let Some(client) = &client {
        response.planned_private = record(client, &response.planned_private, zone.as_deref());
        add_switch_notice(client, &mut response.diagnostics);
    }
    response
}

/// What an apply does with the resource's remote object.
pub enum Change<S> {
    /// The plan is null: delete what the prior state holds.
    Destroy(S),
    /// Make the remote object match the planned state, starting from the prior state if any.
    Write(Option<S>),
}

/// ApplyResourceChange: destroying a resource that never existed needs no client; any other
/// change goes to `apply` with the planned state still in `request`.
pub async fn apply<S, E, F, Fut>(
    data: &ProviderData,
    type_name: &str,
    request: &ApplyRequest,
    state_from_value: impl FnOnce(&Value) -> Result<Option<S>, E>,
    apply: F,
) -> ApplyResponse
where
    E: Display,
    F: FnOnce(Arc<Client>, Change<S>) -> Fut,
    Fut: Future<Output = (Value, Diagnostics)>,
{
    let respond =
        |new_state, diagnostics| ApplyResponse { new_state, private: request.planned_private.clone(), diagnostics };
    let zone = zone_of(&request.planned_state).or_else(|| zone_of(&request.prior_state));
    let prior = match state_from_value(&request.prior_state) {
        Ok(prior) => prior,
        Err(error) => return respond(request.prior_state.clone(), invalid_state(type_name, error)),
    };
    let client = match data.client() {
        Ok(client) => client,
        Err(diagnostics) => return respond(request.prior_state.clone(), diagnostics),
    };
    let change = match (prior, request.planned_state.is_null()) {
        (Some(prior), true) => Change::Destroy(prior),
        (None, true) => return respond(Value::Null, Diagnostics::new()),
        (prior, false) => Change::Write(prior),
    };
    recall(&client, &request.planned_private, zone);
    let (new_state, mut diagnostics) = apply(client.clone(), change).await;
    add_switch_notice(&client, &mut diagnostics);
    ApplyResponse { new_state, private: record(&client, &request.planned_private, zone), diagnostics }
}

/// ImportResourceState: `import` reads the object named by the import ID.
pub async fn import<F, Fut>(data: &ProviderData, request: &ImportRequest, import: F) -> ImportResponse
where
    F: FnOnce(Arc<Client>, String) -> Fut,
    Fut: Future<Output = (Vec<ImportedResource>, Diagnostics)>,
{
    let client = match data.client() {
        Ok(client) => client,
        Err(diagnostics) => return ImportResponse { imported: Vec::new(), diagnostics },
    };
    let (mut imported, mut diagnostics) = import(client.clone(), request.id.clone()).await;
    for resource in &mut imported {
        resource.private = record(&client, &resource.private, zone_of(&resource.state));
    }
    add_switch_notice(&client, &mut diagnostics);
    ImportResponse { imported, diagnostics }
}

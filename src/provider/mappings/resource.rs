//! `tfplugin::Resource` for `cloudflare_origin_cloud_region_mappings`: a thin adapter from
//! the protocol to the pure logic and the API client.

use std::sync::Arc;

use async_trait::async_trait;

use super::regions::RegionCache;
use super::schema::{schema, TYPE_NAME};
use super::validate::validate_config;
use super::values::{config_from_value, state_from_value, to_diagnostics};
use super::{apply, planning, read, upgrade};
use crate::provider::data::ProviderData;
use crate::tfplugin::{
    ApplyRequest, ApplyResponse, Diagnostics, ImportRequest, ImportResponse, PlanRequest, PlanResponse, ReadRequest,
    ReadResponse, Resource, Schema, UpgradeStateRequest, UpgradeStateResponse, Value,
};

/// The resource. Create one per provider process: it holds the supported-regions cache.
pub struct MappingsResource {
    data: Arc<ProviderData>,
    regions: RegionCache,
}

impl MappingsResource {
    pub fn new(data: Arc<ProviderData>) -> MappingsResource {
        MappingsResource { data, regions: RegionCache::new() }
    }
}

fn invalid_state(error: impl std::fmt::Display) -> Diagnostics {
    Diagnostics::from_error(
        "Invalid state",
        format!("The stored state of this {TYPE_NAME} is unusable: {error}. Remove it from state and import it again."),
    )
}

#[async_trait]
impl Resource for MappingsResource {
    fn type_name(&self) -> &'static str {
        TYPE_NAME
    }

    fn schema(&self) -> Schema {
        schema()
    }

    async fn validate(&self, config: &Value) -> Diagnostics {
        to_diagnostics(validate_config(&config_from_value(config)))
    }

    async fn upgrade_state(&self, request: UpgradeStateRequest) -> UpgradeStateResponse {
        upgrade::upgrade(request)
    }

    async fn read(&self, request: ReadRequest) -> ReadResponse {
        let respond = |new_state, diagnostics| ReadResponse { new_state, private: None, diagnostics };
        let prior = match state_from_value(&request.current_state) {
            Ok(Some(prior)) => prior,
            Ok(None) => return respond(Value::Null, Diagnostics::new()),
            Err(error) => return respond(request.current_state.clone(), invalid_state(error)),
        };
        let client = match self.data.client() {
            Ok(client) => client,
            Err(diagnostics) => return respond(request.current_state.clone(), diagnostics),
        };
        let (new_state, diagnostics) = read::read(&client, &prior).await;
        respond(new_state, diagnostics)
    }

    async fn plan(&self, request: PlanRequest) -> PlanResponse {
        planning::plan(&request, self.data.try_client(), &self.regions).await
    }

    async fn apply(&self, request: ApplyRequest) -> ApplyResponse {
        let respond =
            |new_state, diagnostics| ApplyResponse { new_state, private: request.planned_private.clone(), diagnostics };
        let prior = match state_from_value(&request.prior_state) {
            Ok(prior) => prior,
            Err(error) => return respond(request.prior_state.clone(), invalid_state(error)),
        };
        let client = match self.data.client() {
            Ok(client) => client,
            Err(diagnostics) => return respond(request.prior_state.clone(), diagnostics),
        };
        let (new_state, diagnostics) = match (&prior, request.planned_state.is_null()) {
            (Some(prior), true) => apply::destroy(&client, prior).await,
            (None, true) => (Value::Null, Diagnostics::new()),
            (prior, false) => apply::create_or_update(&client, prior.as_ref(), &request.planned_state).await,
        };
        respond(new_state, diagnostics)
    }

    async fn import(&self, request: ImportRequest) -> ImportResponse {
        let client = match self.data.client() {
            Ok(client) => client,
            Err(diagnostics) => return ImportResponse { imported: Vec::new(), diagnostics },
        };
        let (imported, diagnostics) = read::import(&client, &request.id).await;
        ImportResponse { imported, diagnostics }
    }
}

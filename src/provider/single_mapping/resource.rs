//! `tfplugin::Resource` for `cloudflare_origin_cloud_region`: a thin adapter from the protocol
//! to the pure logic and the API client.

use std::sync::Arc;

use async_trait::async_trait;

use super::schema::{schema, TYPE_NAME};
use super::validate::validate_config;
use super::values::{config_from_value, state_from_value, to_diagnostics};
use super::{apply, planning, refresh, stored_state};
use crate::provider::data::ProviderData;
use crate::provider::shared::resource_steps::{self, Change};
use crate::tfplugin::{
    ApplyRequest, ApplyResponse, Diagnostics, ImportRequest, ImportResponse, MoveStateRequest, MoveStateResponse,
    PlanRequest, PlanResponse, ReadRequest, ReadResponse, Resource, Schema, UpgradeStateRequest, UpgradeStateResponse,
    Value,
};

/// The resource; the supported-regions cache lives in `ProviderData`, one per process.
pub struct SingleMappingResource {
    data: Arc<ProviderData>,
}

impl SingleMappingResource {
    pub fn new(data: Arc<ProviderData>) -> SingleMappingResource {
        SingleMappingResource { data }
    }
}

#[async_trait]
impl Resource for SingleMappingResource {
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
        stored_state::upgrade(request)
    }

    async fn move_state(&self, request: MoveStateRequest) -> MoveStateResponse {
        stored_state::move_from(request)
    }

    async fn read(&self, request: ReadRequest) -> ReadResponse {
        let refusals = self.data.refusals();
        resource_steps::read(&self.data, TYPE_NAME, &request, state_from_value, |client, prior| async move {
            refresh::read(&client, &prior, refusals).await
        })
        .await
    }

    async fn plan(&self, request: PlanRequest) -> PlanResponse {
        let data = &self.data;
        resource_steps::plan(data, request, |request| async move {
            planning::plan(&request, data.try_client(), data.regions()).await
        })
        .await
    }

    async fn apply(&self, request: ApplyRequest) -> ApplyResponse {
        let planned = &request.planned_state;
        resource_steps::apply(&self.data, TYPE_NAME, &request, state_from_value, |client, change| async move {
            match change {
                Change::Destroy(prior) => apply::destroy(&client, &prior).await,
                Change::Write(Some(prior)) => apply::update(&client, &prior, planned).await,
                Change::Write(None) => apply::create(&client, planned).await,
            }
        })
        .await
    }

    async fn import(&self, request: ImportRequest) -> ImportResponse {
        resource_steps::import(&self.data, &request, |client, id| async move { refresh::import(&client, &id).await })
            .await
    }
}

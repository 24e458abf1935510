//! `tfplugin::Resource` for `cloudflare_origin_cloud_region_mappings`: a thin adapter from
//! the protocol to the pure logic and the API client.

use std::sync::Arc;

use async_trait::async_trait;

use super::schema::{schema, MAPPINGS, TYPE_NAME};
use super::validate::validate_config;
use super::values::{config_from_value, state_from_value, to_diagnostics};
use super::{apply, planning, read, upgrade};
use crate::provider::data::ProviderData;
use crate::provider::shared::resource_steps::{self, Change};
use crate::tfplugin::{
    ApplyRequest, ApplyResponse, Diagnostics, ImportRequest, ImportResponse, PlanRequest, PlanResponse, ReadRequest,
    ReadResponse, Resource, Schema, UpgradeStateRequest, UpgradeStateResponse, Value,
};

/// The resource; the supported-regions cache lives in `ProviderData`, one per process.
pub struct MappingsResource {
    data: Arc<ProviderData>,
}

impl MappingsResource {
    pub fn new(data: Arc<ProviderData>) -> MappingsResource {
        MappingsResource { data }
    }
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
        resource_steps::read(&self.data, TYPE_NAME, &request, state_from_value, |client, prior| async move {
            read::read(&client, &prior).await
        })
        .await
    }

    async fn plan(&self, request: PlanRequest) -> PlanResponse {
        let data = &self.data;
        resource_steps::plan(data, request, |request| planning::plan(request, data.try_client(), data.regions())).await
    }

    async fn apply(&self, mut request: ApplyRequest) -> ApplyResponse {
        // Moved out, not copied: a fully applied map becomes the new state as it is. The
        // planned object stays (only a null plan means destroy).
        let planned_mappings = request.planned_state.take_attr(MAPPINGS);
        let planned = &request.planned_state;
        resource_steps::apply(&self.data, TYPE_NAME, &request, state_from_value, |client, change| async move {
            match change {
                Change::Destroy(prior) => apply::destroy(&client, &prior).await,
                Change::Write(prior) => {
                    apply::create_or_update(&client, prior.as_ref(), planned, planned_mappings).await
                }
            }
        })
        .await
    }

    async fn import(&self, request: ImportRequest) -> ImportResponse {
        resource_steps::import(&self.data, &request, |client, id| async move { read::import(&client, &id).await }).await
    }
}

//! `tfplugin::Resource` for `cloudflare_origin_cloud_region_mappings`: a thin adapter from
//! the protocol to the pure logic and the API client.

use std::sync::Arc;

use async_trait::async_trait;

use super::coordinated::Coordination;
use super::schema::{schema, MAPPINGS, TYPE_NAME};
use super::successor_note::SuccessorNote;
use super::validate::validate_all;
use super::values::{config_from_value, state_from_value, to_diagnostics};
use super::{apply, moved, planning, read, upgrade};
use crate::cloudflare::Client;
use crate::provider::data::ProviderData;
use crate::provider::shared::resource_steps::{self, Change};
use crate::tfplugin::{
    ApplyRequest, ApplyResponse, Diagnostics, ImportRequest, ImportResponse, MoveStateRequest, MoveStateResponse,
    PlanRequest, PlanResponse, ReadRequest,
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
        to_diagnostics(validate_all(&config_from_value(config)))
    }

    async fn upgrade_state(&self, request: UpgradeStateRequest) -> UpgradeStateResponse {
        upgrade::upgrade(request)
    }

    async fn move_state(&self, request: MoveStateRequest) -> MoveStateResponse {
        moved::move_from(request)
    }

    async fn read(&self, request: ReadRequest) -> ReadResponse {
        let refusals = self.data.refusals();
        resource_steps::read(&self.data, TYPE_NAME, &request, state_from_value, |client, prior| async move {
            read::read(&client, &prior, refusals).await
        })
        .await
    }

    async fn plan(&self, request: PlanRequest) -> PlanResponse {
        let data = &self.data;
        resource_steps::plan(data, request, |request| async move {
            let mut response = planning::plan(request, data.try_client(), data.regions()).await;
            // What this object will hold: announced to the other instances of this run, and
            // noted for the delete half should Terraform make this plan a replacement. A destroy
            // plan (null) carries no note.
            let note =
                SuccessorNote::of_planned(&response.planned_state).filter(|_| !response.diagnostics.has_errors());
            if let Some(note) = &note {
                data.claims().hold(&note.zone_id, note.ips.iter().cloned());
            }
            response.planned_private = match note {
                Some(note) => note.write_into(&response.planned_private),
                None => SuccessorNote::remove_from_private(&response.planned_private),
            };
            response
        })
        .await
    }

    async fn apply(&self, mut request: ApplyRequest) -> ApplyResponse {
        // Moved out, not copied: a fully applied map becomes the new state as it is. The
        // planned object stays (only a null plan means destroy).
        let planned_mappings = request.planned_state.take_attr(MAPPINGS);
        let planned = &request.planned_state;
        let coordination = Coordination {
            claims: self.data.claims(),
            successor: SuccessorNote::from_private(&request.planned_private),
        };
        let coordination = &coordination;
        let write = |client: Arc<Client>, change| async move {
            match change {
                Change::Destroy(prior) => apply::destroy(&client, coordination, &prior).await,
                Change::Write(prior) => {
                    apply::create_or_update(&client, coordination, prior.as_ref(), planned, planned_mappings).await
                }
            }
        };
        let mut response = resource_steps::apply(&self.data, TYPE_NAME, &request, state_from_value, write).await;
        // The plan's note is about that plan only; the state keeps the rest (the zone's family).
        response.private = SuccessorNote::remove_from_private(&response.private);
        response
    }

    async fn import(&self, request: ImportRequest) -> ImportResponse {
        resource_steps::import(&self.data, &request, |client, id| async move { read::import(&client, &id).await }).await
    }
}

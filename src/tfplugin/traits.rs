//! What a provider implements: `Provider`, `Resource`, `DataSource`, with plain request/response
//! structs (no protobuf types cross this line).

use std::sync::Arc;

use async_trait::async_trait;

use super::diagnostics::{AttributePath, Diagnostics};
use super::json;
use super::schema::Schema;
use super::value::Value;

#[async_trait]
pub trait Provider: Send + Sync + 'static {
    /// Schema of the `provider` configuration block.
    fn schema(&self) -> Schema;

    /// Managed resource types; called once when the gRPC service is built.
    fn resources(&self) -> Vec<Arc<dyn Resource>>;

    /// Data source types; called once when the gRPC service is built.
    fn data_sources(&self) -> Vec<Arc<dyn DataSource>> {
        Vec::new()
    }

    /// Validates the provider configuration (may contain unknowns).
    async fn validate_config(&self, _config: &Value) -> Diagnostics {
        Diagnostics::new()
    }

    /// Configures the provider (config may contain unknowns during plan).
    async fn configure(&self, request: ConfigureRequest) -> Diagnostics;
}

#[derive(Debug, Clone, PartialEq)]
pub struct ConfigureRequest {
    pub terraform_version: String,
    pub config: Value,
}

#[async_trait]
pub trait Resource: Send + Sync + 'static {
    /// Full type name, e.g. `cloudflare_origin_cloud_region_mappings`.
    fn type_name(&self) -> &'static str;

    fn schema(&self) -> Schema;

    /// Validates a resource configuration (may contain unknowns).
    async fn validate(&self, _config: &Value) -> Diagnostics {
        Diagnostics::new()
    }

    /// Turns stored state (raw JSON, any schema version) into a value of the current schema.
    /// Called without a configured provider. The default decodes the JSON with the current
    /// schema, which is right while the schema has only ever had one version.
    async fn upgrade_state(&self, request: UpgradeStateRequest) -> UpgradeStateResponse {
        let ty = self.schema().value_type();
        match request.raw_state_json {
            None => UpgradeStateResponse {
                state: Value::Null,
                diagnostics: Diagnostics::new(),
            },
            Some(raw) => match json::decode_value(&raw, &ty) {
                Ok(state) => UpgradeStateResponse {
                    state,
                    diagnostics: Diagnostics::new(),
                },
                Err(err) => UpgradeStateResponse {
                    state: Value::Null,
                    diagnostics: Diagnostics::from_error(
                        "Could not read stored state",
                        format!(
                            "The stored state of {} does not match its schema: {err}",
                            self.type_name()
                        ),
                    ),
                },
            },
        }
    }

    /// Refresh. Returning a null `new_state` tells Terraform the object is gone.
    async fn read(&self, request: ReadRequest) -> ReadResponse;

    /// Plan a create (prior null), update, or destroy (proposed null).
    async fn plan(&self, request: PlanRequest) -> PlanResponse;

    /// Apply a create, update, or destroy (planned null).
    async fn apply(&self, request: ApplyRequest) -> ApplyResponse;

    /// MoveResourceState (a `moved` block across resource types or providers, Terraform 1.8+):
    /// the source resource's stored state becomes this type's state. The default refuses.
    async fn move_state(&self, request: MoveStateRequest) -> MoveStateResponse {
        MoveStateResponse::refused(format!(
            "{} cannot take over the state of {} (from {}): this resource type accepts no moved \
             state from another resource type or provider.",
            self.type_name(),
            request.source_type_name,
            request.source_provider_address
        ))
    }

    async fn import(&self, _request: ImportRequest) -> ImportResponse {
        ImportResponse {
            imported: Vec::new(),
            diagnostics: Diagnostics::from_error(
                "Import not supported",
                format!(
                    "The resource type {} does not support import.",
                    self.type_name()
                ),
            ),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct UpgradeStateRequest {
    /// The schema version the state was stored with.
    pub version: i64,
    /// The stored attributes object; `None` when Terraform sent no JSON state.
    pub raw_state_json: Option<serde_json::Value>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct UpgradeStateResponse {
    pub state: Value,
    pub diagnostics: Diagnostics,
}

#[derive(Debug, Clone, PartialEq)]
pub struct MoveStateRequest {
    /// For example `registry.terraform.io/cloudflare/cloudflare`.
    pub source_provider_address: String,
    pub source_type_name: String,
    pub source_schema_version: i64,
    /// The source's stored attributes object; `None` when Terraform sent no JSON state.
    pub source_state_json: Option<serde_json::Value>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct MoveStateResponse {
    pub target_state: Value,
    pub target_private: Vec<u8>,
    pub diagnostics: Diagnostics,
}

impl MoveStateResponse {
    pub fn refused(detail: String) -> MoveStateResponse {
        MoveStateResponse {
            target_state: Value::Null,
            target_private: Vec::new(),
            diagnostics: Diagnostics::from_error("Cannot move this resource state", detail),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct ReadRequest {
    pub current_state: Value,
    pub private: Vec<u8>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ReadResponse {
    pub new_state: Value,
    /// `None` keeps the private data Terraform sent.
    pub private: Option<Vec<u8>>,
    pub diagnostics: Diagnostics,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PlanRequest {
    pub prior_state: Value,
    pub proposed_new_state: Value,
    pub config: Value,
    pub prior_private: Vec<u8>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PlanResponse {
    pub planned_state: Value,
    pub requires_replace: Vec<AttributePath>,
    pub planned_private: Vec<u8>,
    pub diagnostics: Diagnostics,
}

/// Terraform also sends the configuration, but applying works from the planned state (which
/// planning built from it), so the configuration is not decoded: for a 3,500-entry map that is
/// a whole tree decoded and freed for nothing on every apply.
#[derive(Debug, Clone, PartialEq)]
pub struct ApplyRequest {
    pub prior_state: Value,
    pub planned_state: Value,
    pub planned_private: Vec<u8>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ApplyResponse {
    pub new_state: Value,
    pub private: Vec<u8>,
    pub diagnostics: Diagnostics,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ImportRequest {
    pub id: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ImportResponse {
    pub imported: Vec<ImportedResource>,
    pub diagnostics: Diagnostics,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ImportedResource {
    pub state: Value,
    pub private: Vec<u8>,
}

#[async_trait]
pub trait DataSource: Send + Sync + 'static {
    fn type_name(&self) -> &'static str;

    fn schema(&self) -> Schema;

    async fn validate(&self, _config: &Value) -> Diagnostics {
        Diagnostics::new()
    }

    async fn read(&self, request: ReadDataSourceRequest) -> ReadDataSourceResponse;
}

#[derive(Debug, Clone, PartialEq)]
pub struct ReadDataSourceRequest {
    pub config: Value,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ReadDataSourceResponse {
    pub state: Value,
    pub diagnostics: Diagnostics,
}

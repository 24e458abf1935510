//! The tonic `tfplugin5.Provider` service: a thin adapter that decodes requests with the
//! schemas' types, dispatches to the `Provider`/`Resource`/`DataSource` trait objects, and
//! encodes their answers. Every handler runs under `catch_unwind`, so a panic becomes an error
//! diagnostic instead of a broken connection or a hung Terraform.

use std::collections::HashMap;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Instant;

use futures::FutureExt as _;
use super::stop::StopSignal;
use tonic::{Request, Response, Status};

use crate::proto::tfplugin5 as pb;
use pb::provider_server::ProviderServer;

use super::convert::{
    decode_dynamic, diagnostics_to_proto, encode_dynamic, error, path_to_proto, schema_to_proto,
};
use super::traits::{
    ApplyRequest, ConfigureRequest, DataSource, ImportRequest, MoveStateRequest, PlanRequest, Provider,
    ReadDataSourceRequest, ReadRequest, Resource, UpgradeStateRequest,
};
use super::types::Type;
use super::value::Value;

/// Terraform's client accepts large messages; tonic's default limit (4 MiB) is too small for
/// big states. Same limit as HashiCorp's Go SDKs.
pub const MAX_MESSAGE_BYTES: usize = 256 * 1024 * 1024;

/// Builds the gRPC service for `provider`. Schemas are read and converted once, here; the
/// `Stop` RPC fires `stop`.
pub fn provider_service(
    provider: Arc<dyn Provider>,
    stop: StopSignal,
) -> ProviderServer<ProviderService> {
    ProviderServer::new(ProviderService::new(provider, stop))
        .max_decoding_message_size(MAX_MESSAGE_BYTES)
        .max_encoding_message_size(MAX_MESSAGE_BYTES)
}

struct Registered<T: ?Sized> {
    handler: Arc<T>,
    /// Type of the whole configuration/state object.
    ty: Type,
}

/// Implements the generated `Provider` service trait; build it with [`provider_service`].
pub struct ProviderService {
    provider: Arc<dyn Provider>,
    provider_type: Type,
    resources: HashMap<String, Registered<dyn Resource>>,
    data_sources: HashMap<String, Registered<dyn DataSource>>,
    schema_response: pb::get_provider_schema::Response,
    stop: StopSignal,
}

fn capabilities() -> pb::ServerCapabilities {
    pb::ServerCapabilities {
        plan_destroy: true,
        get_provider_schema_optional: false,
        move_resource_state: true,
        generate_resource_config: false,
    }
}

impl ProviderService {
    pub fn new(provider: Arc<dyn Provider>, stop: StopSignal) -> ProviderService {
        let provider_schema = provider.schema();
        let mut schema_diagnostics = Vec::new();
        let mut resource_schemas = HashMap::new();
        let mut resources = HashMap::new();
        for resource in provider.resources() {
            let name = resource.type_name().to_owned();
            let schema = resource.schema();
            if resources.contains_key(&name) {
                schema_diagnostics.push(error(
                    "Duplicate resource type",
                    format!("The provider defines the resource type {name:?} twice. This is a bug in the provider."),
                ));
            }
            resource_schemas.insert(name.clone(), schema_to_proto(&schema));
            resources.insert(
                name,
                Registered {
                    handler: resource,
                    ty: schema.value_type(),
                },
            );
        }
        let mut data_source_schemas = HashMap::new();
        let mut data_sources = HashMap::new();
        for data_source in provider.data_sources() {
            let name = data_source.type_name().to_owned();
            let schema = data_source.schema();
            if data_sources.contains_key(&name) {
                schema_diagnostics.push(error(
                    "Duplicate data source type",
                    format!("The provider defines the data source {name:?} twice. This is a bug in the provider."),
                ));
            }
            data_source_schemas.insert(name.clone(), schema_to_proto(&schema));
            data_sources.insert(
                name,
                Registered {
                    handler: data_source,
                    ty: schema.value_type(),
                },
            );
        }
        let schema_response = pb::get_provider_schema::Response {
            provider: Some(schema_to_proto(&provider_schema)),
            resource_schemas,
            data_source_schemas,
            diagnostics: schema_diagnostics,
            provider_meta: None,
            server_capabilities: Some(capabilities()),
            functions: HashMap::new(),
            ephemeral_resource_schemas: HashMap::new(),
            list_resource_schemas: HashMap::new(),
            action_schemas: HashMap::new(),
        };
        ProviderService {
            provider,
            provider_type: provider_schema.value_type(),
            resources,
            data_sources,
            schema_response,
            stop,
        }
    }

    fn resource(&self, type_name: &str) -> Result<&Registered<dyn Resource>, pb::Diagnostic> {
        self.resources.get(type_name).ok_or_else(|| {
            error(
                "Unknown resource type",
                format!("This provider does not define a resource type named {type_name:?}."),
            )
        })
    }

    fn data_source(&self, type_name: &str) -> Result<&Registered<dyn DataSource>, pb::Diagnostic> {
        self.data_sources.get(type_name).ok_or_else(|| {
            error(
                "Unknown data source",
                format!("This provider does not define a data source named {type_name:?}."),
            )
        })
    }
}

// ---- Shared handler plumbing ----------------------------------------------------------------

/// Responses that carry a diagnostics list.
trait WithDiagnostics: Default {
    fn diagnostics_mut(&mut self) -> &mut Vec<pb::Diagnostic>;

    fn from_diagnostic(diagnostic: pb::Diagnostic) -> Self {
        let mut response = Self::default();
        response.diagnostics_mut().push(diagnostic);
        response
    }
}

macro_rules! with_diagnostics {
    ($($response:ty),* $(,)?) => {
        $(impl WithDiagnostics for $response {
            fn diagnostics_mut(&mut self) -> &mut Vec<pb::Diagnostic> {
                &mut self.diagnostics
            }
        })*
    };
}

with_diagnostics!(
    pb::get_metadata::Response,
    pb::get_provider_schema::Response,
    pb::prepare_provider_config::Response,
    pb::validate_resource_type_config::Response,
    pb::validate_data_source_config::Response,
    pb::upgrade_resource_state::Response,
    pb::get_resource_identity_schemas::Response,
    pb::upgrade_resource_identity::Response,
    pb::configure::Response,
    pb::read_resource::Response,
    pb::plan_resource_change::Response,
    pb::apply_resource_change::Response,
    pb::import_resource_state::Response,
    pb::move_resource_state::Response,
    pb::read_data_source::Response,
    pb::generate_resource_config::Response,
    pb::validate_ephemeral_resource_config::Response,
    pb::open_ephemeral_resource::Response,
    pb::renew_ephemeral_resource::Response,
    pb::close_ephemeral_resource::Response,
    pb::validate_list_resource_config::Response,
    pb::get_functions::Response,
    pb::plan_action::Response,
    pb::validate_action_config::Response,
);

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "(no message)".to_owned()
    }
}

fn panic_diagnostic(rpc: &str, payload: &(dyn std::any::Any + Send)) -> pb::Diagnostic {
    error(
        "Provider crashed",
        format!(
            "The provider panicked while handling {rpc}: {}. This is a bug in the provider; please report it.",
            panic_message(payload)
        ),
    )
}

/// Runs one RPC: logs it, turns a panic into an error diagnostic.
async fn guarded<T, F>(
    rpc: &'static str,
    type_name: &str,
    handler: F,
) -> Result<Response<T>, Status>
where
    T: WithDiagnostics,
    F: Future<Output = T>,
{
    let started = Instant::now();
    tracing::debug!(
        tf_rpc = rpc,
        tf_resource_type = type_name,
        "received request"
    );
    let response = match AssertUnwindSafe(handler).catch_unwind().await {
        Ok(response) => response,
        Err(payload) => {
            tracing::error!(
                tf_rpc = rpc,
                tf_resource_type = type_name,
                "handler panicked"
            );
            T::from_diagnostic(panic_diagnostic(rpc, payload.as_ref()))
        }
    };
    let mut response = response;
    let diagnostics = response.diagnostics_mut().len();
    tracing::debug!(
        tf_rpc = rpc,
        tf_resource_type = type_name,
        tf_req_duration_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
        diagnostics,
        "served request"
    );
    Ok(Response::new(response))
}

/// The JSON of a stored state (`None` when Terraform sent none); the pre-0.12 flatmap format
/// and invalid JSON are errors naming `what`.
fn stored_json(raw: Option<pb::RawState>, what: &str) -> Result<Option<serde_json::Value>, pb::Diagnostic> {
    let raw = raw.unwrap_or_default();
    if raw.json.is_empty() {
        if !raw.flatmap.is_empty() {
            return Err(error(
                "Unsupported state format",
                format!("The {what} uses the pre-0.12 flatmap format, which this provider cannot read."),
            ));
        }
        return Ok(None);
    }
    serde_json::from_slice::<serde_json::Value>(&raw.json)
        .map(Some)
        .map_err(|err| error("Invalid stored state", format!("The {what} is not valid JSON: {err}")))
}

fn not_supported(what: &str) -> pb::Diagnostic {
    error(
        format!("{what} not supported"),
        format!("{what} is not supported by this provider."),
    )
}

/// Decode-or-return: on a codec error, answer with a diagnostic naming what failed.
macro_rules! decode_or_return {
    ($value:expr, $ty:expr, $what:expr) => {
        match decode_dynamic($value, $ty) {
            Ok(value) => value,
            Err(err) => {
                return WithDiagnostics::from_diagnostic(error(
                    "Invalid value from Terraform",
                    format!("Could not decode the {}: {err}", $what),
                ))
            }
        }
    };
}

/// Encodes a handler's value; a failure (value not matching the schema) is a provider bug.
fn encode_or_diagnose(
    value: &Value,
    ty: &Type,
    what: &str,
    diagnostics: &mut Vec<pb::Diagnostic>,
) -> Option<pb::DynamicValue> {
    match encode_dynamic(value, ty) {
        Ok(encoded) => Some(encoded),
        Err(err) => {
            diagnostics.push(error(
                "Provider produced an invalid value",
                format!(
                    "The {what} does not match its schema: {err}. This is a bug in the provider."
                ),
            ));
            None
        }
    }
}

type EventStream<T> = Pin<Box<dyn futures::Stream<Item = Result<T, Status>> + Send + 'static>>;

fn one_event<T: Send + 'static>(event: T) -> EventStream<T> {
    Box::pin(futures::stream::once(async move { Ok(event) }))
}

// ---- The RPCs -------------------------------------------------------------------------------

#[tonic::async_trait]
impl pb::provider_server::Provider for ProviderService {
    async fn get_metadata(
        &self,
        _request: Request<pb::get_metadata::Request>,
    ) -> Result<Response<pb::get_metadata::Response>, Status> {
        guarded("GetMetadata", "", async {
            let mut resources: Vec<_> = self.resources.keys().cloned().collect();
            resources.sort();
            let mut data_sources: Vec<_> = self.data_sources.keys().cloned().collect();
            data_sources.sort();
            pb::get_metadata::Response {
                server_capabilities: Some(capabilities()),
                diagnostics: self.schema_response.diagnostics.clone(),
                resources: resources
                    .into_iter()
                    .map(|type_name| pb::get_metadata::ResourceMetadata { type_name })
                    .collect(),
                data_sources: data_sources
                    .into_iter()
                    .map(|type_name| pb::get_metadata::DataSourceMetadata { type_name })
                    .collect(),
                ..Default::default()
            }
        })
        .await
    }

    async fn get_schema(
        &self,
        _request: Request<pb::get_provider_schema::Request>,
    ) -> Result<Response<pb::get_provider_schema::Response>, Status> {
        guarded("GetProviderSchema", "", async {
            self.schema_response.clone()
        })
        .await
    }

    async fn prepare_provider_config(
        &self,
        request: Request<pb::prepare_provider_config::Request>,
    ) -> Result<Response<pb::prepare_provider_config::Response>, Status> {
        let req = request.into_inner();
        guarded("PrepareProviderConfig", "", async {
            let config = decode_or_return!(
                req.config.as_ref(),
                &self.provider_type,
                "provider configuration"
            );
            let diagnostics = self.provider.validate_config(&config).await;
            pb::prepare_provider_config::Response {
                // Terraform 1.x ignores the prepared config; echo what it sent.
                prepared_config: req.config.clone(),
                diagnostics: diagnostics_to_proto(diagnostics),
            }
        })
        .await
    }

    async fn validate_resource_type_config(
        &self,
        request: Request<pb::validate_resource_type_config::Request>,
    ) -> Result<Response<pb::validate_resource_type_config::Response>, Status> {
        let req = request.into_inner();
        guarded("ValidateResourceTypeConfig", &req.type_name, async {
            let entry = match self.resource(&req.type_name) {
                Ok(entry) => entry,
                Err(diag) => return WithDiagnostics::from_diagnostic(diag),
            };
            let config =
                decode_or_return!(req.config.as_ref(), &entry.ty, "resource configuration");
            let diagnostics = entry.handler.validate(&config).await;
            pb::validate_resource_type_config::Response {
                diagnostics: diagnostics_to_proto(diagnostics),
            }
        })
        .await
    }

    async fn validate_data_source_config(
        &self,
        request: Request<pb::validate_data_source_config::Request>,
    ) -> Result<Response<pb::validate_data_source_config::Response>, Status> {
        let req = request.into_inner();
        guarded("ValidateDataSourceConfig", &req.type_name, async {
            let entry = match self.data_source(&req.type_name) {
                Ok(entry) => entry,
                Err(diag) => return WithDiagnostics::from_diagnostic(diag),
            };
            let config =
                decode_or_return!(req.config.as_ref(), &entry.ty, "data source configuration");
            let diagnostics = entry.handler.validate(&config).await;
            pb::validate_data_source_config::Response {
                diagnostics: diagnostics_to_proto(diagnostics),
            }
        })
        .await
    }

    async fn upgrade_resource_state(
        &self,
        request: Request<pb::upgrade_resource_state::Request>,
    ) -> Result<Response<pb::upgrade_resource_state::Response>, Status> {
        let req = request.into_inner();
        guarded("UpgradeResourceState", &req.type_name, async {
            let entry = match self.resource(&req.type_name) {
                Ok(entry) => entry,
                Err(diag) => return WithDiagnostics::from_diagnostic(diag),
            };
            let raw_state_json = match stored_json(req.raw_state, "stored state") {
                Ok(json) => json,
                Err(diag) => return WithDiagnostics::from_diagnostic(diag),
            };
            let upgraded = entry
                .handler
                .upgrade_state(UpgradeStateRequest { version: req.version, raw_state_json })
                .await;
            let mut diagnostics = diagnostics_to_proto(upgraded.diagnostics);
            let upgraded_state = encode_or_diagnose(&upgraded.state, &entry.ty, "upgraded state", &mut diagnostics);
            pb::upgrade_resource_state::Response { upgraded_state, diagnostics }
        })
        .await
    }

    async fn get_resource_identity_schemas(
        &self,
        _request: Request<pb::get_resource_identity_schemas::Request>,
    ) -> Result<Response<pb::get_resource_identity_schemas::Response>, Status> {
        // No resource of this provider has an identity: an empty map is the valid answer.
        guarded("GetResourceIdentitySchemas", "", async {
            Default::default()
        })
        .await
    }

    async fn upgrade_resource_identity(
        &self,
        request: Request<pb::upgrade_resource_identity::Request>,
    ) -> Result<Response<pb::upgrade_resource_identity::Response>, Status> {
        let type_name = request.into_inner().type_name;
        guarded("UpgradeResourceIdentity", &type_name, async {
            WithDiagnostics::from_diagnostic(not_supported("Resource identity"))
        })
        .await
    }

    async fn configure(
        &self,
        request: Request<pb::configure::Request>,
    ) -> Result<Response<pb::configure::Response>, Status> {
        let req = request.into_inner();
        guarded("ConfigureProvider", "", async {
            let config = decode_or_return!(
                req.config.as_ref(),
                &self.provider_type,
                "provider configuration"
            );
            let diagnostics = self
                .provider
                .configure(ConfigureRequest {
                    terraform_version: req.terraform_version,
                    config,
                })
                .await;
            pb::configure::Response {
                diagnostics: diagnostics_to_proto(diagnostics),
            }
        })
        .await
    }

    async fn read_resource(
        &self,
        request: Request<pb::read_resource::Request>,
    ) -> Result<Response<pb::read_resource::Response>, Status> {
        let req = request.into_inner();
        guarded("ReadResource", &req.type_name, async {
            let entry = match self.resource(&req.type_name) {
                Ok(entry) => entry,
                Err(diag) => return WithDiagnostics::from_diagnostic(diag),
            };
            let current_state =
                decode_or_return!(req.current_state.as_ref(), &entry.ty, "current state");
            let read = entry
                .handler
                .read(ReadRequest {
                    current_state,
                    private: req.private.clone(),
                })
                .await;
            let mut diagnostics = diagnostics_to_proto(read.diagnostics);
            let new_state = encode_or_diagnose(
                &read.new_state,
                &entry.ty,
                "refreshed state",
                &mut diagnostics,
            );
            pb::read_resource::Response {
                new_state,
                diagnostics,
                // Terraform replaces its stored private data with ours: keep it unless replaced.
                private: read.private.unwrap_or(req.private),
                deferred: None,
                new_identity: None,
            }
        })
        .await
    }

    async fn plan_resource_change(
        &self,
        request: Request<pb::plan_resource_change::Request>,
    ) -> Result<Response<pb::plan_resource_change::Response>, Status> {
        let req = request.into_inner();
        guarded("PlanResourceChange", &req.type_name, async {
            let entry = match self.resource(&req.type_name) {
                Ok(entry) => entry,
                Err(diag) => return WithDiagnostics::from_diagnostic(diag),
            };
            let prior_state = decode_or_return!(req.prior_state.as_ref(), &entry.ty, "prior state");
            let proposed_new_state = decode_or_return!(
                req.proposed_new_state.as_ref(),
                &entry.ty,
                "proposed new state"
            );
            let config =
                decode_or_return!(req.config.as_ref(), &entry.ty, "resource configuration");
            let plan = entry
                .handler
                .plan(PlanRequest {
                    prior_state,
                    proposed_new_state,
                    config,
                    prior_private: req.prior_private,
                })
                .await;
            let mut diagnostics = diagnostics_to_proto(plan.diagnostics);
            let planned_state = encode_or_diagnose(
                &plan.planned_state,
                &entry.ty,
                "planned state",
                &mut diagnostics,
            );
            pb::plan_resource_change::Response {
                planned_state,
                requires_replace: plan.requires_replace.iter().map(path_to_proto).collect(),
                planned_private: plan.planned_private,
                diagnostics,
                legacy_type_system: false,
                deferred: None,
                planned_identity: None,
            }
        })
        .await
    }

    async fn apply_resource_change(
        &self,
        request: Request<pb::apply_resource_change::Request>,
    ) -> Result<Response<pb::apply_resource_change::Response>, Status> {
        let req = request.into_inner();
        guarded("ApplyResourceChange", &req.type_name, async {
            let entry = match self.resource(&req.type_name) {
                Ok(entry) => entry,
                Err(diag) => return WithDiagnostics::from_diagnostic(diag),
            };
            let prior_state = decode_or_return!(req.prior_state.as_ref(), &entry.ty, "prior state");
            let planned_state =
                decode_or_return!(req.planned_state.as_ref(), &entry.ty, "planned state");
            let applied = entry
                .handler
                .apply(ApplyRequest { prior_state, planned_state, planned_private: req.planned_private })
                .await;
            let mut diagnostics = diagnostics_to_proto(applied.diagnostics);
            let new_state =
                encode_or_diagnose(&applied.new_state, &entry.ty, "new state", &mut diagnostics);
            pb::apply_resource_change::Response {
                new_state,
                private: applied.private,
                diagnostics,
                legacy_type_system: false,
                new_identity: None,
            }
        })
        .await
    }

    async fn import_resource_state(
        &self,
        request: Request<pb::import_resource_state::Request>,
    ) -> Result<Response<pb::import_resource_state::Response>, Status> {
        let req = request.into_inner();
        guarded("ImportResourceState", &req.type_name, async {
            let entry = match self.resource(&req.type_name) {
                Ok(entry) => entry,
                Err(diag) => return WithDiagnostics::from_diagnostic(diag),
            };
            let imported = entry.handler.import(ImportRequest { id: req.id }).await;
            let mut diagnostics = diagnostics_to_proto(imported.diagnostics);
            let mut imported_resources = Vec::new();
            for resource in imported.imported {
                let state = encode_or_diagnose(
                    &resource.state,
                    &entry.ty,
                    "imported state",
                    &mut diagnostics,
                );
                imported_resources.push(pb::import_resource_state::ImportedResource {
                    type_name: req.type_name.clone(),
                    state,
                    private: resource.private,
                    identity: None,
                });
            }
            pb::import_resource_state::Response {
                imported_resources,
                diagnostics,
                deferred: None,
            }
        })
        .await
    }

    async fn move_resource_state(
        &self,
        request: Request<pb::move_resource_state::Request>,
    ) -> Result<Response<pb::move_resource_state::Response>, Status> {
        let req = request.into_inner();
        guarded("MoveResourceState", &req.target_type_name, async {
            let entry = match self.resource(&req.target_type_name) {
                Ok(entry) => entry,
                Err(diag) => return WithDiagnostics::from_diagnostic(diag),
            };
            let source_state_json = match stored_json(req.source_state, "state of the moved resource") {
                Ok(json) => json,
                Err(diag) => return WithDiagnostics::from_diagnostic(diag),
            };
            let moved = entry
                .handler
                .move_state(MoveStateRequest {
                    source_provider_address: req.source_provider_address,
                    source_type_name: req.source_type_name,
                    source_schema_version: req.source_schema_version,
                    source_state_json,
                })
                .await;
            let mut diagnostics = diagnostics_to_proto(moved.diagnostics);
            let target_state = encode_or_diagnose(&moved.target_state, &entry.ty, "moved state", &mut diagnostics);
            pb::move_resource_state::Response {
                target_state,
                diagnostics,
                target_private: moved.target_private,
                target_identity: None,
            }
        })
        .await
    }

    async fn read_data_source(
        &self,
        request: Request<pb::read_data_source::Request>,
    ) -> Result<Response<pb::read_data_source::Response>, Status> {
        let req = request.into_inner();
        guarded("ReadDataSource", &req.type_name, async {
            let entry = match self.data_source(&req.type_name) {
                Ok(entry) => entry,
                Err(diag) => return WithDiagnostics::from_diagnostic(diag),
            };
            let config =
                decode_or_return!(req.config.as_ref(), &entry.ty, "data source configuration");
            let read = entry.handler.read(ReadDataSourceRequest { config }).await;
            let mut diagnostics = diagnostics_to_proto(read.diagnostics);
            let state = encode_or_diagnose(
                &read.state,
                &entry.ty,
                "data source result",
                &mut diagnostics,
            );
            pb::read_data_source::Response {
                state,
                diagnostics,
                deferred: None,
            }
        })
        .await
    }

    async fn generate_resource_config(
        &self,
        request: Request<pb::generate_resource_config::Request>,
    ) -> Result<Response<pb::generate_resource_config::Response>, Status> {
        let type_name = request.into_inner().type_name;
        guarded("GenerateResourceConfig", &type_name, async {
            WithDiagnostics::from_diagnostic(not_supported("Generating resource configuration"))
        })
        .await
    }

    async fn validate_ephemeral_resource_config(
        &self,
        request: Request<pb::validate_ephemeral_resource_config::Request>,
    ) -> Result<Response<pb::validate_ephemeral_resource_config::Response>, Status> {
        let type_name = request.into_inner().type_name;
        guarded("ValidateEphemeralResourceConfig", &type_name, async {
            WithDiagnostics::from_diagnostic(not_supported("Ephemeral resources"))
        })
        .await
    }

    async fn open_ephemeral_resource(
        &self,
        request: Request<pb::open_ephemeral_resource::Request>,
    ) -> Result<Response<pb::open_ephemeral_resource::Response>, Status> {
        let type_name = request.into_inner().type_name;
        guarded("OpenEphemeralResource", &type_name, async {
            WithDiagnostics::from_diagnostic(not_supported("Ephemeral resources"))
        })
        .await
    }

    async fn renew_ephemeral_resource(
        &self,
        request: Request<pb::renew_ephemeral_resource::Request>,
    ) -> Result<Response<pb::renew_ephemeral_resource::Response>, Status> {
        let type_name = request.into_inner().type_name;
        guarded("RenewEphemeralResource", &type_name, async {
            WithDiagnostics::from_diagnostic(not_supported("Ephemeral resources"))
        })
        .await
    }

    async fn close_ephemeral_resource(
        &self,
        request: Request<pb::close_ephemeral_resource::Request>,
    ) -> Result<Response<pb::close_ephemeral_resource::Response>, Status> {
        let type_name = request.into_inner().type_name;
        guarded("CloseEphemeralResource", &type_name, async {
            WithDiagnostics::from_diagnostic(not_supported("Ephemeral resources"))
        })
        .await
    }

    type ListResourceStream = EventStream<pb::list_resource::Event>;

    async fn list_resource(
        &self,
        request: Request<pb::list_resource::Request>,
    ) -> Result<Response<Self::ListResourceStream>, Status> {
        let type_name = request.into_inner().type_name;
        tracing::debug!(tf_rpc = "ListResource", tf_resource_type = %type_name, "received request");
        Ok(Response::new(one_event(pb::list_resource::Event {
            diagnostic: vec![not_supported("Listing resources")],
            ..Default::default()
        })))
    }

    async fn validate_list_resource_config(
        &self,
        request: Request<pb::validate_list_resource_config::Request>,
    ) -> Result<Response<pb::validate_list_resource_config::Response>, Status> {
        let type_name = request.into_inner().type_name;
        guarded("ValidateListResourceConfig", &type_name, async {
            WithDiagnostics::from_diagnostic(not_supported("Listing resources"))
        })
        .await
    }

    async fn get_functions(
        &self,
        _request: Request<pb::get_functions::Request>,
    ) -> Result<Response<pb::get_functions::Response>, Status> {
        // No provider functions: an empty map is the valid answer.
        guarded("GetFunctions", "", async { Default::default() }).await
    }

    async fn call_function(
        &self,
        request: Request<pb::call_function::Request>,
    ) -> Result<Response<pb::call_function::Response>, Status> {
        let name = request.into_inner().name;
        tracing::debug!(tf_rpc = "CallFunction", tf_function_name = %name, "received request");
        Ok(Response::new(pb::call_function::Response {
            result: None,
            error: Some(pb::FunctionError {
                text: format!("This provider defines no functions (called {name:?})."),
                function_argument: None,
            }),
        }))
    }

    async fn plan_action(
        &self,
        request: Request<pb::plan_action::Request>,
    ) -> Result<Response<pb::plan_action::Response>, Status> {
        let action_type = request.into_inner().action_type;
        guarded("PlanAction", &action_type, async {
            WithDiagnostics::from_diagnostic(not_supported("Actions"))
        })
        .await
    }

    type InvokeActionStream = EventStream<pb::invoke_action::Event>;

    async fn invoke_action(
        &self,
        request: Request<pb::invoke_action::Request>,
    ) -> Result<Response<Self::InvokeActionStream>, Status> {
        let action_type = request.into_inner().action_type;
        tracing::debug!(tf_rpc = "InvokeAction", tf_action_type = %action_type, "received request");
        let completed = pb::invoke_action::event::Completed {
            diagnostics: vec![not_supported("Actions")],
        };
        Ok(Response::new(one_event(pb::invoke_action::Event {
            r#type: Some(pb::invoke_action::event::Type::Completed(completed)),
        })))
    }

    async fn validate_action_config(
        &self,
        request: Request<pb::validate_action_config::Request>,
    ) -> Result<Response<pb::validate_action_config::Response>, Status> {
        let type_name = request.into_inner().type_name;
        guarded("ValidateActionConfig", &type_name, async {
            WithDiagnostics::from_diagnostic(not_supported("Actions"))
        })
        .await
    }

    async fn stop(
        &self,
        _request: Request<pb::stop::Request>,
    ) -> Result<Response<pb::stop::Response>, Status> {
        tracing::debug!(tf_rpc = "StopProvider", "received request");
        self.stop.stop();
        Ok(Response::new(pb::stop::Response {
            error: String::new(),
        }))
    }
}

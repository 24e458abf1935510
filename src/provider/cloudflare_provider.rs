//! The provider as Terraform sees it: its configuration block and the types it serves.

use std::sync::Arc;

use async_trait::async_trait;

use super::config::{self, Resolution};
use super::data::ProviderData;
use super::data_sources::{MappingListDataSource, OneMappingDataSource, SupportedRegionsDataSource};
use super::mappings::MappingsResource;
use super::single_mapping::SingleMappingResource;
use crate::cloudflare::{Client, CredentialVerdict};
use crate::tfplugin::{StopSignal, ConfigureRequest, DataSource, Diagnostics, Provider, Resource, Schema, Value};

pub struct CloudflareProvider {
    /// Fired when Terraform sends Stop or the plugin shuts down; every API wait observes it.
    stop: StopSignal,
    data: Arc<ProviderData>,
}

impl CloudflareProvider {
    pub fn new(stop: StopSignal) -> Arc<CloudflareProvider> {
        Arc::new(CloudflareProvider { stop, data: ProviderData::new() })
    }
}

#[async_trait]
impl Provider for CloudflareProvider {
    fn schema(&self) -> Schema {
        config::provider_schema()
    }

    fn resources(&self) -> Vec<Arc<dyn Resource>> {
        vec![
            Arc::new(MappingsResource::new(Arc::clone(&self.data))),
            Arc::new(SingleMappingResource::new(Arc::clone(&self.data))),
        ]
    }

    fn data_sources(&self) -> Vec<Arc<dyn DataSource>> {
        vec![
            Arc::new(OneMappingDataSource::new(Arc::clone(&self.data))),
            Arc::new(MappingListDataSource::new(Arc::clone(&self.data))),
            Arc::new(SupportedRegionsDataSource::new(Arc::clone(&self.data))),
        ]
    }

    async fn validate_config(&self, config: &Value) -> Diagnostics {
        config::validate(config)
    }

    async fn configure(&self, request: ConfigureRequest) -> Diagnostics {
        let env = |name: &str| std::env::var(name).ok();
        match config::resolve(&request.config, &env) {
            Resolution::Invalid(diags) => diags,
            Resolution::NotYetKnown => {
                tracing::debug!("provider configuration has unknown values; API calls deferred");
                self.data.set_not_yet_known();
                Diagnostics::new()
            }
            Resolution::Ready(client_config) => {
                tracing::debug!(
                    base_url = %client_config.base_url,
                    family = %client_config.family,
                    terraform_version = %request.terraform_version,
                    "configuring the Cloudflare API client"
                );
                match Client::new(*client_config, self.stop.token()) {
                    Ok(client) => {
                        // Checked here so a dead credential is one error at the provider block,
                        // not one at every resource.
                        match client.check_credentials().await {
                            CredentialVerdict::Rejected(detail) => {
                                return Diagnostics::from_error("Cloudflare rejected the credentials", detail)
                            }
                            CredentialVerdict::Accepted => tracing::debug!("Cloudflare confirmed the credentials are active"),
                            CredentialVerdict::Unchecked(why) => {
                                tracing::debug!(%why, "credentials not checked at start; the first zone request will tell")
                            }
                        }
                        self.data.set_client(client);
                        Diagnostics::new()
                    }
                    Err(err) => Diagnostics::from_error(
                        "Cannot create the Cloudflare API client",
                        err.to_string(),
                    ),
                }
            }
        }
    }
}

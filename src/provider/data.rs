//! What the provider hands its resources: the API client once Terraform has configured it, and
//! the supported-regions cache.

use std::sync::{Arc, RwLock};

use crate::cloudflare::Client;
use crate::provider::concepts::refusals::RefusalLog;
use crate::provider::concepts::regions::RegionCache;
use crate::provider::zone_claims::ZoneClaims;
use crate::tfplugin::Diagnostics;

/// The configured client, shared by every resource and data source of the process.
pub struct ProviderData {
    state: RwLock<ClientState>,
    /// One cache for the process, so both resources ask for a zone's regions at most once.
    regions: RegionCache,
    /// Refusals said this run, shared by planning (through `regions`) and refreshing.
    refusals: Arc<RefusalLog>,
    /// What the resource instances of this run hold, so one never deletes another's mappings.
    claims: Arc<ZoneClaims>,
}

#[derive(Default)]
enum ClientState {
    #[default]
    NotConfigured,
    /// The provider block depends on values known only after apply.
    NotYetKnown,
    Ready(Arc<Client>),
}

impl ProviderData {
    pub fn new() -> Arc<ProviderData> {
        let refusals = Arc::new(RefusalLog::default());
        Arc::new(ProviderData {
            state: RwLock::default(),
            regions: RegionCache::sharing(Arc::clone(&refusals)),
            refusals,
            claims: Arc::default(),
        })
    }

    /// The refusals said this run (see `concepts::refusals`).
    pub fn refusals(&self) -> &RefusalLog {
        &self.refusals
    }

    /// The zones' supported regions, fetched once per zone per provider process.
    pub fn regions(&self) -> &RegionCache {
        &self.regions
    }

    /// The zone claims of this run (see `provider::zone_claims`).
    pub fn claims(&self) -> Arc<ZoneClaims> {
        Arc::clone(&self.claims)
    }

    pub(crate) fn set_client(&self, client: Client) {
        self.replace(ClientState::Ready(Arc::new(client)));
    }

    pub(crate) fn set_not_yet_known(&self) {
        self.replace(ClientState::NotYetKnown);
    }

    fn replace(&self, state: ClientState) {
        // A new configuration is a new run: earlier announcements no longer stand.
        self.claims.clear_holds();
        self.regions.start_run();
        self.refusals.start_run();
        // A poisoned lock only means another thread panicked mid-write of a plain enum.
        let mut guard = self.state.write().unwrap_or_else(|poisoned| poisoned.into_inner());
        *guard = state;
    }

    /// The client, if the provider is configured with known values.
    pub fn try_client(&self) -> Option<Arc<Client>> {
        let guard = self.state.read().unwrap_or_else(|poisoned| poisoned.into_inner());
        match &*guard {
            ClientState::Ready(client) => Some(Arc::clone(client)),
            _ => None,
        }
    }

    /// The client, or an error diagnostic saying why there is none.
    pub fn client(&self) -> Result<Arc<Client>, Diagnostics> {
        let guard = self.state.read().unwrap_or_else(|poisoned| poisoned.into_inner());
        match &*guard {
            ClientState::Ready(client) => Ok(Arc::clone(client)),
            ClientState::NotYetKnown => Err(Diagnostics::from_error(
                "Provider configuration not known yet",
                "The provider block uses values that are only known after other resources are \
                 applied, so the Cloudflare API cannot be called yet. Apply those resources \
                 first (for example with -target), then run this again.",
            )),
            ClientState::NotConfigured => Err(Diagnostics::from_error(
                "Provider not configured",
                "Terraform asked for an API call before configuring the provider. This is a bug \
                 in the provider; please report it.",
            )),
        }
    }
}

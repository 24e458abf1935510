//! The typed interface the provider uses; one instance per provider process.

use std::fmt;

use tokio_util::sync::CancellationToken;
use tracing::debug;

use super::batch;
use super::config::{ApiFamily, ClientConfig};
use super::credential_check::{self, CheckPlan, CredentialVerdict};
use super::error::ApiError;
use super::family::FamilySelector;
use super::model::{DeleteOutcome, Mapping, MappingList, MappingRecord, SupportedRegions, UpsertOutcome};
use super::transport::Transport;
use super::{v1, v2};

/// Cloudflare origin cloud-region API client. Cheap to share behind an `Arc`; every call of
/// every clone shares the rate limit, the family switch and the cancellation token.
pub struct Client {
    transport: Transport,
    family: FamilySelector,
    batch_parallelism: usize,
    credential_check: CheckPlan,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("family", &self.family.configured())
            .field("family_in_use", &self.family.in_use())
            .finish_non_exhaustive()
    }
}

impl Client {
    /// Checks the settings and builds the HTTP client. `cancel` stops every request and every
    /// wait (rate limit, backoff, Retry-After) of this client.
    pub fn new(config: ClientConfig, cancel: CancellationToken) -> Result<Client, ApiError> {
        Ok(Client {
            transport: Transport::new(&config, cancel)?,
            family: FamilySelector::new(config.family),
            batch_parallelism: config.batch_parallelism as usize,
            credential_check: CheckPlan::new(&config.credentials, config.account_id.as_deref()),
        })
    }

    /// Asks Cloudflare whether the credential is alive (one request, two for a token made
    /// before Cloudflare's prefixes when `account_id` is set; none for an Account API token
    /// without it). See [`CredentialVerdict`].
    pub async fn check_credentials(&self) -> CredentialVerdict {
        credential_check::check(&self.transport, &self.credential_check).await
    }

    /// The family calls go to now: `V1` or `V2` (`auto` resolves to one of them).
    pub fn family_in_use(&self) -> ApiFamily {
        self.family.in_use()
    }

    /// The family setting as configured (may be `Auto`).
    pub fn configured_family(&self) -> ApiFamily {
        self.family.configured()
    }

    /// The family known to serve `zone` (pinned, or learnt under `auto`); None until known.
    pub fn known_family(&self, zone: &str) -> Option<ApiFamily> {
        self.family.known(zone)
    }

    /// Tells `auto` which family served `zone` in an earlier run, so it goes there directly.
    pub fn remember_family(&self, zone: &str, family: ApiFamily) {
        self.family.remember(zone, family)
    }

    /// The user-facing warning about the switch to v2, once per process (then None).
    pub fn take_switch_notice(&self) -> Option<String> {
        self.family.take_switch_notice()
    }

    /// Every mapping of the zone (v2: all pages, `batch_parallelism` at a time, taken again when
    /// concurrent writes shift them). An error is never turned into an empty list.
    pub async fn list(&self, zone: &str) -> Result<MappingList, ApiError> {
        let t = &self.transport;
        self.family.run(zone, || v1::list(t, zone), || v2::list(t, zone, self.batch_parallelism)).await
    }

    /// The mapping for `ip` (any spelling), or `None` if there is none.
    pub async fn get(&self, zone: &str, ip: &str) -> Result<Option<MappingRecord>, ApiError> {
        let t = &self.transport;
        self.family.run(zone, || v1::get(t, zone, ip), || v2::get(t, zone, ip)).await
    }

    /// Creates a mapping that must not exist yet ([`ApiError::AlreadyExists`] otherwise).
    /// v1 uses its create-only POST; v2 has none, so it checks with GET, then PUTs.
    pub async fn create(&self, zone: &str, mapping: &Mapping) -> Result<MappingRecord, ApiError> {
        let t = &self.transport;
        self.family.run(zone, || v1::create(t, zone, mapping), || v2::create(t, zone, mapping)).await
    }

    /// Creates or replaces one mapping (v1 PATCH, v2 PUT); returns it as stored.
    pub async fn upsert(&self, zone: &str, mapping: &Mapping) -> Result<MappingRecord, ApiError> {
        let t = &self.transport;
        self.family.run(zone, || v1::upsert(t, zone, mapping), || v2::put(t, zone, mapping)).await
    }

    /// Deletes one mapping; `Ok(false)` when there was none.
    pub async fn delete(&self, zone: &str, ip: &str) -> Result<bool, ApiError> {
        let t = &self.transport;
        self.family.run(zone, || v1::delete(t, zone, ip), || v2::delete(t, zone, ip)).await
    }

    /// Creates or replaces many mappings, 100 per request, `batch_parallelism` requests in
    /// flight. Mappings not named are untouched. Never fails as a whole: see [`super::BatchOutcome`].
    pub async fn batch_upsert(&self, zone: &str, mappings: &[Mapping]) -> UpsertOutcome {
        let t = &self.transport;
        batch::run(mappings, self.batch_parallelism, t.cancel_token(), |chunk| async move {
            self.family.run(zone, || v1::batch_upsert(t, zone, &chunk), || v2::batch_put(t, zone, &chunk)).await
        })
        .await
    }

    /// Deletes many mappings by IP, 100 per request. Cloudflare reports IPs without a mapping
    /// as failed; when anything failed, one list call checks which of them are in fact absent
    /// and moves those to `succeeded` / `already_absent` (no error text is interpreted).
    pub async fn batch_delete(&self, zone: &str, ips: &[String]) -> DeleteOutcome {
        let t = &self.transport;
        let mut outcome = batch::run(ips, self.batch_parallelism, t.cancel_token(), |chunk| async move {
            self.family.run(zone, || v1::batch_delete(t, zone, &chunk), || v2::batch_delete(t, zone, &chunk)).await
        })
        .await;
        if !outcome.failed.is_empty() && !t.cancel_token().is_cancelled() {
            match self.list(zone).await {
                Ok(list) => batch::settle_absent(&mut outcome, &list),
                Err(error) => debug!(%error, "could not check which failed deletes were already absent"),
            }
        }
        outcome
    }

    /// The vendors and regions Cloudflare accepts for this zone.
    pub async fn supported_regions(&self, zone: &str) -> Result<SupportedRegions, ApiError> {
        let t = &self.transport;
        self.family.run(zone, || v1::supported_regions(t, zone), || v2::supported_regions(t, zone)).await
    }
}

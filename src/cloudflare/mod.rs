//! Cloudflare API client for origin cloud-region mappings.
//!
//! One [`Client`] per provider process (reqwest + rustls). It speaks both endpoint families
//! behind one interface ([`ApiFamily`]: `auto` starts on v1 and moves to v2 for good when v1
//! fails at route level and a v2 probe answers; the family is remembered per zone), splits batches into chunks of 100 keyed by canonical IP, retries 429
//! (honouring `Retry-After`), 408, 409, 5xx, timeouts and connection failures with jittered
//! exponential backoff, shares one request-rate limit across all concurrent operations, and
//! stops every wait when the cancellation token fires. Requests and responses are logged at
//! DEBUG with credentials redacted.
//!
//! Files: `config` (settings), `secret` (credentials), `auth_kind` (which scheme, safe to show),
//! `credential_check` (is the credential alive, asked once when the provider starts),
//! `error`, `model` (public data types), `wire` (JSON shapes), `transport` (HTTP + retries),
//! `backoff`, `rate_limit`, `server_budget` (pacing by Cloudflare's `Ratelimit` header), `family`,
//! `batch`, `v1`, `v2`, `client`.

mod auth_kind;
mod backoff;
mod batch;
mod client;
mod config;
mod credential_check;
mod error;
mod family;
mod model;
mod rate_limit;
mod secret;
mod server_budget;
mod transport;
mod v1;
mod v2;
mod wire;

pub use batch::CHUNK_SIZE as BATCH_CHUNK_SIZE;
pub use client::Client;
pub use config::{
    ApiFamily, ClientConfig, UnknownFamily, DEFAULT_BASE_URL, DEFAULT_BATCH_PARALLELISM, DEFAULT_BURST, DEFAULT_INITIAL_BACKOFF,
    DEFAULT_MAX_BACKOFF, DEFAULT_MAX_RETRIES, DEFAULT_MAX_RETRY_AFTER, DEFAULT_REQUESTS_PER_SECOND,
    DEFAULT_REQUEST_TIMEOUT, MAX_BATCH_PARALLELISM,
};
pub use credential_check::{CredentialShape, CredentialVerdict};
pub use error::{ApiError, ErrorDetail};
pub use model::{BatchOutcome, ChunkFailure, DeleteOutcome, Mapping, MappingList, MappingRecord, Region, SupportedRegions, UpsertOutcome};
pub use auth_kind::{AuthContext, AuthKind};
pub use secret::{Credentials, Secret};

//! A local stand-in for Cloudflare's API, limited to origin cloud-region mappings.
//!
//! Serves both families over one per-zone store: v1 `/zones/{zone}/cache/origin_cloud_regions…`
//! (deprecated, wrapped results, `origin-ip`) and v2 `/zones/{zone}/origin/cloud_regions…`
//! (flat results, `origin_ip`, paginated list), under `http://127.0.0.1:PORT/client/v4`.
//! Every answer uses Cloudflare's envelope. Test controls exist in process
//! ([`EmulatorControl`]) and over HTTP under `/__emulator/…` (see [`admin`]).
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! use terraform_provider_cloudflare::emulator::{Emulator, EmulatorConfig};
//! let emulator = Emulator::start(EmulatorConfig::default(), "127.0.0.1:0".parse().unwrap()).await?;
//! let base = emulator.base_url(); // token: "test-token"
//! emulator.control().rate_limit(1, 2);
//! emulator.shutdown().await;
//! # Ok(()) }
//! ```

pub mod admin;
mod answers;
pub mod catalogue;
pub mod cli;
mod config;
mod control;
mod envelope;
mod faults;
mod identity;
mod operations;
mod page_hook;
mod ratelimit;
mod request;
mod request_log;
mod retirement;
mod server;
mod state;
mod store;
mod v1;
mod v2;
mod validate;

pub use config::{EmulatorConfig, TokenStatus, DEFAULT_TEST_TOKEN};
pub use control::{ControlError, EmulatorControl};
pub use faults::V1BatchFault;
pub use page_hook::{PageHook, StoreChange};
pub use ratelimit::RatelimitPolicy;
pub use retirement::V1Retirement;
pub use operations::{DUPLICATE_IN_BATCH, MAX_BATCH_ITEMS, NO_MAPPING};
pub use request_log::RecordedRequest;
pub use server::{Emulator, ADMIN_PREFIX, API_PREFIX};
pub use store::{StoredMapping, MAX_MAPPINGS_PER_ZONE};

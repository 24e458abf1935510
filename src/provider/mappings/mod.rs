//! The resource `cloudflare_origin_cloud_region_mappings`: many origin IP -> cloud region
//! mappings of one zone, applied in batches.
//!
//! The decisions are pure functions over plain data (`model`), one concern per file:
//! `validate`, `regions`, `plan`, `diff`, `outcome`, `refresh`, `import_id`.
//! The adapter (`resource`, with `planning`, `apply`, `read`, `upgrade`, `values`, `remote`)
//! wires them to Terraform values and the API client.
//! The resource owns only the IPs in its `mappings`: other mappings of the zone are never read
//! into state, changed or deleted.

#[cfg(test)]
mod adapter_tests;
mod apply;
mod coordinated;
#[cfg(test)]
mod coordination_tests;
pub mod diff;
pub mod failure_groups;
pub mod import_id;
pub mod model;
mod moved;
pub mod outcome;
pub mod plan;
mod planning;
mod read;
pub mod refresh;
mod remote;
mod resource;
pub mod schema;
pub mod successor_note;
#[cfg(test)]
mod stored_state_properties;
pub mod takeover;
#[cfg(test)]
mod takeover_plan_tests;
mod upgrade;
pub mod validate;
mod values;

pub use resource::MappingsResource;
pub use schema::TYPE_NAME;

// Shared concepts under the names this room's files use.
use crate::provider::concepts::{finding, regions};

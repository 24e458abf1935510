//! The resource `cloudflare_origin_cloud_region`: exactly one origin IP -> cloud region mapping,
//! the shape of Cloudflare's own provider, without its weak points.
//!
//! Differences that matter to users: the origin IP is compared as an address, so
//! `2001:DB8:0::1` in the configuration never plans a replacement (the state keeps the
//! spelling written); create refuses to silently take over a mapping that already exists (import
//! it instead); both endpoint families work.
//!
//! Pure decisions live in `model`, `validate`, `plan` and `import_id`; `resource` (with `planning`,
//! `apply`, `refresh` and `remote`) wires them to Terraform values and the API client. Configuration checks reuse the mappings
//! resource's validators, so both resources accept and reject exactly the same values.

mod apply;
pub mod import_id;
pub mod model;
pub mod plan;
mod planning;
mod refresh;
mod remote;
mod resource;
pub mod schema;
mod stored_state;
pub mod validate;
mod values;

pub use resource::SingleMappingResource;
pub use schema::TYPE_NAME;

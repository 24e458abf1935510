//! Our provider: configuration, the mappings resource, and what the resources share.

mod cloudflare_provider;
pub mod concepts;
pub mod config;
pub mod data;
pub mod mappings;
pub mod single_mapping;
pub mod data_sources;
pub mod shared;
pub mod zone_claims;

pub use cloudflare_provider::CloudflareProvider;
pub use data::ProviderData;

//! A Terraform provider (plugin protocol 5) for Cloudflare origin cloud-region mappings.
//!
//! Layers, data flowing top to bottom only:
//! `plugin` (process and transport) -> `tfplugin` (the protocol as plain Rust) ->
//! `provider` (our resources) -> `cloudflare` (the API client).
//! `emulator` is a local stand-in for Cloudflare's API used by the quickstart and the tests.

pub mod cloudflare;
pub mod emulator;
pub mod ip;
pub mod plugin;
pub mod proto;
pub mod provider;
pub mod provider_address;
pub mod registry_docs;
pub mod tfplugin;

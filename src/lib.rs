//! A Terraform provider (plugin protocol 5) for Cloudflare origin cloud-region mappings.
//!
//! Layers, data flowing top to bottom only:
//! `plugin` (process and transport) -> `tfplugin` (the protocol as plain Rust) ->
//! `provider` (our resources) -> `cloudflare` (the API client).
//! `emulator` is a local stand-in for Cloudflare's API used by the quickstart and the tests.

/// The allocator of the provider and emulator binaries (and the RPC benchmark): a large apply
/// builds and drops msgpack, JSON and state trees of thousands of small strings, where glibc's
/// malloc spent about 40 % of the CPU time (BENCHMARKS.md, scenario 5). Each binary declares
/// `#[global_allocator] static ALLOCATOR: FastAllocator = FastAllocator;` (tests keep their own).
pub use mimalloc::MiMalloc as FastAllocator;

pub mod cloudflare;
pub mod emulator;
pub mod ip;
pub mod plugin;
pub mod proto;
pub mod provider;
pub mod provider_address;
pub mod registry_docs;
pub mod tfplugin;

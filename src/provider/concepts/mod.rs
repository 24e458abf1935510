//! Concepts every room of the provider uses: configuration values that may be unknown, findings
//! and where they point, origin addresses and their checks, and the zones' supported regions.
//! Nothing here depends on a resource or data source, so dependencies run one way.

pub mod address;
pub mod checks;
pub mod finding;
pub mod maybe;
pub mod refusals;
pub mod regions;

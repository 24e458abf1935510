//! Data sources: one mapping (`cloudflare_origin_cloud_region`), every mapping of a zone with
//! filters (`cloudflare_origin_cloud_regions`), and the vendors and regions a zone supports
//! (`cloudflare_origin_cloud_region_supported_regions`).
//!
//! Inputs are checked with the same validators as the resources (`checks`); the pure parts
//! (filtering, ordering, shaping) sit beside each adapter and are unit-tested there.

mod checks;
pub mod mapping_list;
pub mod one_mapping;
pub mod supported_regions;

pub use mapping_list::MappingListDataSource;
pub use one_mapping::OneMappingDataSource;
pub use supported_regions::SupportedRegionsDataSource;

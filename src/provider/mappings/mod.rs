//! The resource cloudflare_origin_cloud_region_mappings.

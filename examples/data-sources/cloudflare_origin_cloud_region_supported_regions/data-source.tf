data "cloudflare_origin_cloud_region_supported_regions" "gcp" {
  provider = cloudflare-origins

  zone_id = "023e105f4ecef8ad9ca31a8372d0c353"
  vendor  = "gcp"
}

# Validate a region before using it.
locals {
  gcp_regions = [for r in data.cloudflare_origin_cloud_region_supported_regions.gcp.vendors["gcp"] : r.name]
}

resource "cloudflare_origin_cloud_region_mappings" "origins" {
  provider = cloudflare-origins

  zone_id = "023e105f4ecef8ad9ca31a8372d0c353"

  mappings = {
    "192.0.2.1"   = { vendor = "aws", region = "us-east-1" }
    "192.0.2.2"   = { vendor = "azure", region = "eastus" }
    "2001:db8::1" = { vendor = "gcp", region = "us-central1" }
  }
}

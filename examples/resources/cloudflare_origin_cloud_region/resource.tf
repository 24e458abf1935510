resource "cloudflare_origin_cloud_region" "api_origin" {
  provider = cloudflare-origins

  zone_id   = "023e105f4ecef8ad9ca31a8372d0c353"
  origin_ip = "2001:db8::1"
  vendor    = "gcp"
  region    = "us-central1"
}

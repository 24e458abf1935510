data "cloudflare_origin_cloud_region" "api_origin" {
  provider = cloudflare-origins

  zone_id   = "023e105f4ecef8ad9ca31a8372d0c353"
  origin_ip = "192.0.2.1"
}

output "api_origin_region" {
  value = "${data.cloudflare_origin_cloud_region.api_origin.vendor}/${data.cloudflare_origin_cloud_region.api_origin.region}"
}

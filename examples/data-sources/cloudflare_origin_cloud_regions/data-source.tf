# Every AWS origin of the zone in us-east-1 (all pages are read).
data "cloudflare_origin_cloud_regions" "aws_east" {
  provider = cloudflare-origins

  zone_id = "023e105f4ecef8ad9ca31a8372d0c353"
  vendor  = "aws"
  region  = "us-east-1"
}

output "aws_east_origins" {
  value = [for m in data.cloudflare_origin_cloud_regions.aws_east.mappings : m.origin_ip]
}

# This provider sits beside Cloudflare's official provider, the way google-beta sits beside
# google: the official one keeps the local name `cloudflare`, this one gets a name of its own,
# and each of its resources and data sources says `provider = cloudflare-origins`.
terraform {
  required_providers {
    cloudflare = {
      source = "cloudflare/cloudflare"
    }
    cloudflare-origins = {
      source = "originmaps/cloudflare-origins"
    }
  }
}

# Cloudflare's official provider: zones, DNS and everything else.
provider "cloudflare" {}

# This provider: origin cloud-region mappings, in batches. Credentials come from the
# environment (CLOUDFLARE_API_TOKEN) so they stay out of the configuration; every attribute
# below is optional.
provider "cloudflare-origins" {
  # api_token  = var.cloudflare_api_token  # or CLOUDFLARE_API_TOKEN
  # api_family = "auto"                    # "v1" or "v2" to pin an endpoint family
  # max_retries         = 3
  # requests_per_second = 4
  # batch_parallelism   = 4                # batch requests in flight at once; 1 = one by one
}

# Each resource and data source of ours names its provider; the official provider's need not.
resource "cloudflare_origin_cloud_region_mappings" "example" {
  provider = cloudflare-origins

  zone_id = "023e105f4ecef8ad9ca31a8372d0c353"
  mappings = {
    "198.51.100.1" = { vendor = "aws", region = "us-east-1" }
  }
}

data "cloudflare_origin_cloud_region_supported_regions" "example" {
  provider = cloudflare-origins

  zone_id = "023e105f4ecef8ad9ca31a8372d0c353"
}

# The quickstart configuration: three origins of one zone mapped to their cloud regions.
# `scripts/quickstart.py` runs it against the local API emulator; point the provider at real
# Cloudflare by setting CLOUDFLARE_API_TOKEN (and leaving CLOUDFLARE_BASE_URL unset).

# In a real configuration this provider sits beside Cloudflare's official provider: the official
# one keeps the local name `cloudflare`, ours is `cloudflare-origins`, and our resources say
# `provider = cloudflare-origins`. The quickstart runs offline, so the official provider is only
# shown here, commented out.
terraform {
  required_providers {
    cloudflare-origins = {
      source = "originmaps/cloudflare-origins"
    }
    # cloudflare = {
    #   source  = "cloudflare/cloudflare"
    #   version = "~> 5.0"
    # }
  }
}

provider "cloudflare-origins" {}
# provider "cloudflare" {}

variable "zone_id" {
  type    = string
  default = "023e105f4ecef8ad9ca31a8372d0c353"
}

variable "extra_mappings" {
  description = "More origins to map, merged into the ones below."
  type        = map(object({ vendor = string, region = string }))
  default     = {}
}

resource "cloudflare_origin_cloud_region_mappings" "origins" {
  provider = cloudflare-origins

  zone_id = var.zone_id
  mappings = merge({
    "192.0.2.1"     = { vendor = "aws", region = "us-east-1" }
    "192.0.2.2"     = { vendor = "gcp", region = "us-central1" }
    "2001:db8::10"  = { vendor = "azure", region = "eastus" }
  }, var.extra_mappings)
}

output "mapped_origins" {
  value = keys(cloudflare_origin_cloud_region_mappings.origins.mappings)
}

terraform {
  required_providers {
    cloudflare = {
      source = "cloudflare/cloudflare"
    }
  }
}

# Credentials come from the environment (CLOUDFLARE_API_TOKEN) so they stay out of the
# configuration; every attribute below is optional.
provider "cloudflare" {
  # api_token  = var.cloudflare_api_token  # or CLOUDFLARE_API_TOKEN
  # api_family = "auto"                    # "v1" or "v2" to pin an endpoint family
  # max_retries         = 3
  # requests_per_second = 4
  # batch_parallelism   = 4                # batch requests in flight at once; 1 = one by one
}

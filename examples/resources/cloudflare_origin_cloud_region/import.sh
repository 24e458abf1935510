# <zone_id>/<origin_ip>
terraform import cloudflare_origin_cloud_region.api_origin 023e105f4ecef8ad9ca31a8372d0c353/2001:db8::1

# Every mapping of the zone:
terraform import cloudflare_origin_cloud_region_mappings.origins 023e105f4ecef8ad9ca31a8372d0c353

# Only the listed origin IPs:
terraform import cloudflare_origin_cloud_region_mappings.origins 023e105f4ecef8ad9ca31a8372d0c353/192.0.2.1,2001:db8::1

# Every mapping of the zone. A zone that also holds a mapping this resource cannot manage (an
# IPv4-mapped IPv6 address such as ::ffff:192.0.2.7, written by another tool) is refused and
# nothing is imported: the error names each such IP and gives the ID that imports the others.
terraform import cloudflare_origin_cloud_region_mappings.origins 023e105f4ecef8ad9ca31a8372d0c353

# Only the listed origin IPs:
terraform import cloudflare_origin_cloud_region_mappings.origins 023e105f4ecef8ad9ca31a8372d0c353/192.0.2.1,2001:db8::1

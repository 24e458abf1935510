//! The resource's schema: attribute names, types and their documentation.

use crate::tfplugin::{Attribute, Block, Schema, Type};

/// The same type name as the official provider's, whose state this resource reads.
pub use crate::provider::shared::stored_mapping::SOURCE_TYPE_NAME as TYPE_NAME;

/// Schema version stored in state: the official provider's, so that its state is ours to read
/// (`stored_state.rs` also reads our own version 0).
pub use crate::provider::shared::stored_mapping::SCHEMA_VERSION;

pub const ID: &str = "id";
pub const ZONE_ID: &str = "zone_id";
pub const ORIGIN_IP: &str = "origin_ip";
pub const VENDOR: &str = "vendor";
pub const REGION: &str = "region";
pub const MODIFIED_ON: &str = "modified_on";

const RESOURCE_DOC: &str = "\
Maps one origin IP address of a zone to the public-cloud region it runs in, so that (Smart) \
Tiered Cache picks an upper-tier data center close to that origin.

Use this resource for a handful of origins; for many, `cloudflare_origin_cloud_region_mappings` \
manages them in batches of up to 100 per request. Do not manage the same IP with both.

Creating the resource fails when the IP already has a mapping (made in the dashboard or by \
another tool): import it with `terraform import` instead of overwriting it silently. When the \
mapping is deleted outside Terraform, the next plan shows it being created again.

Import with `terraform import <address> '<zone_id>/<origin_ip>'`. State written by Cloudflare's \
official provider (`cloudflare/cloudflare`, schema version 500) is read as it is: change the \
resource's `provider` to this one, or use a `moved` block (Terraform 1.8+); neither writes to \
the API (see the migration guide).";

const ID_DOC: &str = "\
The origin IP in canonical form (lower case, RFC 5952 for IPv6), the same value whichever way \
`origin_ip` is spelled; as in Cloudflare's official provider.";

const ZONE_ID_DOC: &str = "\
The zone's ID: 32 lower-case hexadecimal characters (shown on the zone's Overview page). \
Changing it replaces the resource.";

const ORIGIN_IP_DOC: &str = "\
The origin's IPv4 or IPv6 address. IPv6 may be written in any form (`2001:DB8:0::1` and \
`2001:db8::1` are the same address, and the state keeps the form you wrote); changing the \
spelling of the same address never replaces the resource. Ranges (CIDR), zone indexes \
(`%eth0`) and IPv4-mapped IPv6 addresses are not accepted. Changing the address replaces the \
resource.";

const VENDOR_DOC: &str = "\
The cloud vendor: one of `aws`, `azure`, `gcp`, `oci`, in any case (`AWS` is accepted, as by \
Cloudflare's official provider). The API is sent the lower-case name; the state keeps your \
spelling, and changing only the case writes nothing. Changes are applied in place.";

const REGION_DOC: &str = "\
The vendor's region the origin runs in, for example `us-east-1`; checked during planning \
against the regions the zone supports (see the data source \
`cloudflare_origin_cloud_region_supported_regions`). Changes are applied in place.";

const MODIFIED_ON_DOC: &str = "\
When the mapping last changed at Cloudflare (RFC 3339), as the API reports it; an import right \
after an apply reads the same value. Null when the API does not report it (never the \
provider's own clock).";

pub fn schema() -> Schema {
    let block = Block::new()
        .description(RESOURCE_DOC)
        .attribute(Attribute::computed(ID, Type::String).description(ID_DOC))
        .attribute(Attribute::required(ZONE_ID, Type::String).description(ZONE_ID_DOC))
        .attribute(Attribute::required(ORIGIN_IP, Type::String).description(ORIGIN_IP_DOC))
        .attribute(Attribute::required(VENDOR, Type::String).description(VENDOR_DOC))
        .attribute(Attribute::required(REGION, Type::String).description(REGION_DOC))
        .attribute(Attribute::computed(MODIFIED_ON, Type::String).description(MODIFIED_ON_DOC));
    Schema::new(SCHEMA_VERSION, block)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn required_and_computed_attributes() {
        let schema = schema();
        for required in [ZONE_ID, ORIGIN_IP, VENDOR, REGION] {
            assert!(schema.block.find_attribute(required).is_some_and(|a| a.required), "{required}");
        }
        for computed in [ID, MODIFIED_ON] {
            assert!(schema.block.find_attribute(computed).is_some_and(|a| a.computed && !a.optional), "{computed}");
        }
    }
}

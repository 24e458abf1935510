//! The resource's schema: attribute names, types and their documentation.

use crate::tfplugin::{Attribute, Block, Schema, Type};

pub const TYPE_NAME: &str = "cloudflare_origin_cloud_region_mappings";

/// Schema version stored in state; bump it together with a migration in `upgrade.rs`.
pub const SCHEMA_VERSION: i64 = 0;

pub const ID: &str = "id";
pub const ZONE_ID: &str = "zone_id";
pub const MAPPINGS: &str = "mappings";
pub const MODIFIED_ON: &str = "modified_on";
pub const VENDOR: &str = "vendor";
pub const REGION: &str = "region";

/// `object({vendor = string, region = string})`
pub fn entry_type() -> Type {
    Type::object([(VENDOR, Type::String), (REGION, Type::String)])
}

const RESOURCE_DOC: &str = "\
Maps origin IP addresses of one zone to the public-cloud region they run in, so that (Smart) \
Tiered Cache picks an upper-tier data center close to each origin.

This resource manages **only the IPs listed in `mappings`**. Other mappings of the zone (made in \
the dashboard, by other tools, or by other instances of this resource) are never read into \
state, changed or deleted; destroying the resource deletes only its own IPs. Two resources \
must not list the same IP.

Changes are sent in batches of at most 100 mappings per request, and only added or changed \
entries are sent. When Cloudflare rejects individual entries, the others are still applied, \
each rejected entry is reported as an error at its line of the configuration, and the state \
records exactly what was applied.";

const ZONE_ID_DOC: &str = "\
The zone's ID: 32 lower-case hexadecimal characters (shown on the zone's Overview page). \
Changing it replaces the resource: the mappings are deleted from the old zone and created in \
the new one.";

const MAPPINGS_DOC: &str = "\
The mappings this resource manages, keyed by origin IP address (IPv4, or IPv6 in any spelling: \
`2001:DB8::1` and `2001:db8::1` are the same address and may not both appear). Each value \
names the cloud `vendor` (exactly one of `aws`, `azure`, `gcp`, `oci`) and its `region` (for \
example `us-east-1`; checked against the regions the zone supports). At most 3,500 entries, \
Cloudflare's limit per zone. Ranges (CIDR), zone indexes (`%eth0`) and IPv4-mapped IPv6 \
addresses are not accepted.";

const ID_DOC: &str = "The zone ID (the resource has one instance per zone and configuration).";

const MODIFIED_ON_DOC: &str = "\
When this resource last changed mappings at Cloudflare (RFC 3339). Unchanged by refreshes and \
by applies that send nothing.";

pub fn schema() -> Schema {
    let block = Block::new()
        .description(RESOURCE_DOC)
        .attribute(Attribute::computed(ID, Type::String).description(ID_DOC))
        .attribute(Attribute::required(ZONE_ID, Type::String).description(ZONE_ID_DOC))
        .attribute(Attribute::required(MAPPINGS, Type::map(entry_type())).description(MAPPINGS_DOC))
        .attribute(Attribute::computed(MODIFIED_ON, Type::String).description(MODIFIED_ON_DOC));
    Schema::new(SCHEMA_VERSION, block)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attributes_and_value_type() {
        let schema = schema();
        assert!(schema.block.find_attribute(ZONE_ID).is_some_and(|a| a.required));
        assert!(schema.block.find_attribute(ID).is_some_and(|a| a.computed && !a.optional));
        assert_eq!(
            schema.value_type(),
            Type::object([
                (ID, Type::String),
                (ZONE_ID, Type::String),
                (MAPPINGS, Type::map(entry_type())),
                (MODIFIED_ON, Type::String),
            ])
        );
    }
}

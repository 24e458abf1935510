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
the state records exactly what was applied, and every rejected IP is named: the first three \
rejections of each cause are errors at their lines of the configuration, further rejections of \
the same cause are listed together in one error, and advice that concerns the whole resource is \
given once.

When a plan adds an IP that the zone already maps outside this resource (in the dashboard, by \
another tool, workspace or resource), the plan warns before anything is written, naming each \
such IP with its current vendor and region and the `terraform import` command that takes it \
over without a write. Applying the plan anyway overwrites the mapping, and the resource then \
owns it: destroying the resource deletes it. This is a warning, not a refusal, because moving \
IPs between resources (for example between `for_each` instances) in one apply is legitimate. \
The single-mapping resource `cloudflare_origin_cloud_region` refuses to create over an existing \
mapping instead, since importing that one mapping is always the remedy.";

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
addresses are not accepted. `mappings = null` is an error; write `mappings = {}` for a resource \
that manages no mappings. State keeps the keys exactly as the configuration spells them: \
changing only a key's spelling (`2001:0db8::1` to `2001:db8::1`) plans an in-place update that \
renames the key in state and sends nothing to Cloudflare.";

const ID_DOC: &str = "The zone ID (the resource has one instance per zone and configuration).";

const MODIFIED_ON_DOC: &str = "\
When this resource last changed mappings at Cloudflare (RFC 3339), as Cloudflare reports it \
(read back with one request when a write's answer carries no time), never the provider's \
clock. Unchanged by refreshes and by applies that send nothing.";

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

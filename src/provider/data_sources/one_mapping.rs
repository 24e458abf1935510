//! Data source `cloudflare_origin_cloud_region`: the mapping of one origin IP.

use std::sync::Arc;

use async_trait::async_trait;

use super::checks::{api_failure, check_address, check_zone, known_str, ZONE_ID};
use crate::provider::data::ProviderData;
use crate::provider::shared::data_source_read::read_data_source;
use crate::provider::single_mapping::model::mapping_id;
use crate::tfplugin::{
    Attribute, AttributePath, Block, DataSource, Diagnostics, ReadDataSourceRequest, ReadDataSourceResponse,
    Schema, Type, Value,
};

pub const TYPE_NAME: &str = "cloudflare_origin_cloud_region";

const ID: &str = "id";
const ORIGIN_IP: &str = "origin_ip";
const VENDOR: &str = "vendor";
const REGION: &str = "region";
const MODIFIED_ON: &str = "modified_on";

pub fn schema() -> Schema {
    let block = Block::new()
        .description(
            "The cloud region mapping of one origin IP address of a zone. Reading fails with an \
             error when the address has no mapping; use `cloudflare_origin_cloud_regions` to \
             look mappings up without failing.",
        )
        .attribute(Attribute::computed(ID, Type::String).description(
            "The origin IP in canonical form (lower case, RFC 5952 for IPv6), as in Cloudflare's official provider.",
        ))
        .attribute(Attribute::required(ZONE_ID, Type::String).description(
            "The zone's ID: 32 lower-case hexadecimal characters.",
        ))
        .attribute(Attribute::required(ORIGIN_IP, Type::String).description(
            "The origin's IPv4 or IPv6 address, in any spelling (`2001:DB8:0::1` finds the \
             mapping of `2001:db8::1`).",
        ))
        .attribute(Attribute::computed(VENDOR, Type::String).description(
            "The cloud vendor: `aws`, `azure`, `gcp` or `oci`.",
        ))
        .attribute(Attribute::computed(REGION, Type::String).description(
            "The vendor's region, for example `us-east-1`.",
        ))
        .attribute(Attribute::computed(MODIFIED_ON, Type::String).description(
            "When Cloudflare last changed the mapping (RFC 3339); null when the API does not report it.",
        ));
    Schema::new(0, block)
}

pub struct OneMappingDataSource {
    data: Arc<ProviderData>,
}

impl OneMappingDataSource {
    pub fn new(data: Arc<ProviderData>) -> OneMappingDataSource {
        OneMappingDataSource { data }
    }
}

fn check(config: &Value) -> Diagnostics {
    let mut diagnostics = Diagnostics::new();
    check_zone(config, &mut diagnostics);
    check_address(config, ORIGIN_IP, &mut diagnostics);
    diagnostics
}

#[async_trait]
impl DataSource for OneMappingDataSource {
    fn type_name(&self) -> &'static str {
        TYPE_NAME
    }

    fn schema(&self) -> Schema {
        schema()
    }

    async fn validate(&self, config: &Value) -> Diagnostics {
        check(config)
    }

    async fn read(&self, request: ReadDataSourceRequest) -> ReadDataSourceResponse {
        let config = &request.config;
        let required = |config| match (known_str(config, ZONE_ID), known_str(config, ORIGIN_IP)) {
            (Some(zone_id), Some(origin_ip)) => Ok((zone_id, origin_ip)),
            _ => Err(Diagnostics::from_error("Missing zone_id or origin_ip", "Both must be set to read a mapping.")),
        };
        read_data_source(&self.data, config, check, required, |client, (zone_id, origin_ip)| async move {
            match client.get(zone_id, origin_ip).await {
                Ok(Some(record)) => {
                    let mut state = config.clone();
                    state.set_attr(ID, Value::string(mapping_id(origin_ip)));
                    state.set_attr(VENDOR, Value::string(record.mapping.vendor));
                    state.set_attr(REGION, Value::string(record.mapping.region));
                    state.set_attr(MODIFIED_ON, Value::from(record.modified_on));
                    Ok(state)
                }
                Ok(None) => {
                    let mut diagnostics = Diagnostics::new();
                    diagnostics.error_at(
                        AttributePath::new(ORIGIN_IP),
                        "No origin cloud region mapping",
                        format!(
                            "Zone {zone_id} has no cloud region mapping for {origin_ip}. Create one with a \
                             cloudflare_origin_cloud_region resource, or use the cloudflare_origin_cloud_regions \
                             data source to read mappings that may be absent."
                        ),
                    );
                    Err(diagnostics)
                }
                Err(error) => Err(api_failure(&format!("the mapping of {origin_ip}"), zone_id, &error)),
            }
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation_points_at_attributes() {
        let config = Value::object([(ZONE_ID, Value::string("z")), (ORIGIN_IP, Value::string("::ffff:192.0.2.1"))]);
        let diagnostics = check(&config);
        let paths: Vec<String> = diagnostics.iter().filter_map(|d| d.path.as_ref().map(ToString::to_string)).collect();
        assert_eq!(paths, vec![ZONE_ID, ORIGIN_IP]);
    }
}

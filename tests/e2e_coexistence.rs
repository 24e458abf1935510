//! End-to-end: our provider installed beside a provider at Cloudflare's official address
//! (`cloudflare/cloudflare`, local name `cloudflare`) in one configuration. The neighbour is a
//! stand-in (a copy of our binary); what matters is that Terraform holds both addresses, routes
//! each resource to the provider it names, and that every step works.

mod support;

use support::workspace::{NEIGHBOUR_ADDRESS, NEIGHBOUR_VERSION};
use support::{connected_workspace, for_each_terraform, PROVIDER_ADDRESS, PROVIDER_SOURCE};
use terraform_provider_cloudflare::provider_address::LOCAL_NAME;

const OUR_ZONE: &str = "023e105f4ecef8ad9ca31a8372d0c353";
const NEIGHBOUR_ZONE: &str = "9a7806061c88ada191ed06f989cc3dac";

fn two_provider_config() -> String {
    format!(
        r#"terraform {{
  required_providers {{
    cloudflare = {{
      source  = "cloudflare/cloudflare"
      version = "{NEIGHBOUR_VERSION}"
    }}
    {LOCAL_NAME} = {{
      source = "{PROVIDER_SOURCE}"
    }}
  }}
}}

provider "cloudflare" {{}}
provider "{LOCAL_NAME}" {{}}

resource "cloudflare_origin_cloud_region_mappings" "ours" {{
  provider = {LOCAL_NAME}
  zone_id  = "{OUR_ZONE}"
  mappings = {{
    "192.0.2.1"   = {{ vendor = "aws", region = "us-east-1" }}
    "2001:db8::1" = {{ vendor = "gcp", region = "us-central1" }}
  }}
}}

data "cloudflare_origin_cloud_regions" "ours" {{
  provider   = {LOCAL_NAME}
  zone_id    = "{OUR_ZONE}"
  depends_on = [cloudflare_origin_cloud_region_mappings.ours]
}}

# No `provider =`: the type name's prefix picks the provider named `cloudflare`.
resource "cloudflare_origin_cloud_region" "neighbours" {{
  zone_id   = "{NEIGHBOUR_ZONE}"
  origin_ip = "198.51.100.9"
  vendor    = "azure"
  region    = "eastus"
}}
"#
    )
}

/// `resources` of `terraform show -json`: (address, provider_name) pairs.
fn resource_providers(state: &serde_json::Value) -> Vec<(String, String)> {
    state["values"]["root_module"]["resources"]
        .as_array()
        .map(|resources| {
            resources
                .iter()
                .map(|r| {
                    (
                        r["address"].as_str().unwrap_or_default().to_string(),
                        r["provider_name"].as_str().unwrap_or_default().to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn beside_a_provider_at_the_official_address_every_step_works() {
    for_each_terraform("two providers", |terraform| {
        let api = support::LocalApi::start();
        let workspace = connected_workspace(terraform, &api, &two_provider_config());
        let lock = std::fs::read_to_string(workspace.path().join(".terraform.lock.hcl")).expect("lock file");
        assert!(lock.contains(&format!("provider \"{PROVIDER_ADDRESS}\"")), "{lock}");
        assert!(lock.contains(&format!("provider \"{NEIGHBOUR_ADDRESS}\"")), "{lock}");

        let plan = workspace.plan();
        assert_eq!(plan.code, 2, "Terraform {}: the first plan adds both:\n{}", terraform.version, plan.all());
        workspace.apply().assert_ok("apply with two providers");
        workspace.assert_plan_empty();

        let mut providers = resource_providers(&workspace.state());
        providers.sort();
        assert_eq!(
            providers,
            vec![
                ("cloudflare_origin_cloud_region.neighbours".to_string(), NEIGHBOUR_ADDRESS.to_string()),
                ("cloudflare_origin_cloud_region_mappings.ours".to_string(), PROVIDER_ADDRESS.to_string()),
                ("data.cloudflare_origin_cloud_regions.ours".to_string(), PROVIDER_ADDRESS.to_string()),
            ],
            "Terraform {}: each resource belongs to the provider it names",
            terraform.version
        );
        assert_eq!(api.control.mappings(OUR_ZONE).len(), 2);
        assert_eq!(api.control.mappings(NEIGHBOUR_ZONE).len(), 1);

        workspace.run(&["destroy", "-auto-approve", "-no-color"]).assert_ok("destroy with two providers");
        assert!(api.control.mappings(OUR_ZONE).is_empty());
        assert!(api.control.mappings(NEIGHBOUR_ZONE).is_empty());
    });
}

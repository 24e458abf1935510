//! End-to-end: real Terraform drives the types that match Cloudflare's own provider — the
//! resource `cloudflare_origin_cloud_region` and the data sources `cloudflare_origin_cloud_region`,
//! `cloudflare_origin_cloud_regions` and `cloudflare_origin_cloud_region_supported_regions` —
//! against the in-process emulator, once per Terraform version.
//!
//! Run with `cargo test --test e2e_parity`.

mod support;

use support::mappings::{assert_diagnostic_at, remote, required_providers, resource_values, says};
use support::{connected_workspace, for_each_terraform, LocalApi, Workspace};

const ZONE: &str = "023e105f4ecef8ad9ca31a8372d0c353";
const RESOURCE: &str = "cloudflare_origin_cloud_region.origin";

fn resource_block(ip: &str, vendor: &str, region: &str) -> String {
    format!(
        "resource \"cloudflare_origin_cloud_region\" \"origin\" {{\n  zone_id   = \"{ZONE}\"\n  origin_ip = \"{ip}\"\n  vendor    = \"{vendor}\"\n  region    = \"{region}\"\n}}\n"
    )
}

fn main_tf(ip: &str, vendor: &str, region: &str) -> String {
    required_providers() + &resource_block(ip, vendor, region)
}

/// The emulator's mappings of the zone as `(canonical ip, vendor, region)`.
fn remote_list(api: &LocalApi) -> Vec<(String, String, String)> {
    remote(api, ZONE).into_iter().map(|(ip, (vendor, region))| (ip, vendor, region)).collect()
}

fn one(ip: &str, vendor: &str, region: &str) -> Vec<(String, String, String)> {
    vec![(ip.to_string(), vendor.to_string(), region.to_string())]
}

/// The resource's attribute in `terraform show -json`.
fn attribute(workspace: &Workspace, name: &str) -> String {
    let state = workspace.state();
    let values = resource_values(&state, RESOURCE).unwrap_or_else(|| panic!("{RESOURCE} in state: {state}"));
    values[name].as_str().unwrap_or_else(|| panic!("{name} in {values}")).to_string()
}

fn apply_ok(workspace: &Workspace, what: &str) -> String {
    let run = workspace.apply();
    run.assert_ok(what);
    run.all()
}

fn plan_changes(workspace: &Workspace, what: &str) -> String {
    let plan = workspace.plan();
    assert_eq!(plan.code, 2, "{what}: the plan shows changes:\n{}", plan.all());
    plan.all()
}

fn reimport(workspace: &Workspace, id: &str) {
    workspace.run(&["state", "rm", RESOURCE]).assert_ok("terraform state rm");
    workspace.run(&["import", "-no-color", RESOURCE, id]).assert_ok("terraform import");
}

#[test]
fn resource_create_update_replace_import() {
    for_each_terraform("single mapping lifecycle", |terraform| {
        let api = LocalApi::start();
        let ws = connected_workspace(terraform, &api, &main_tf("192.0.2.1", "aws", "us-east-1"));

        apply_ok(&ws, "create");
        assert_eq!(remote_list(&api), one("192.0.2.1", "aws", "us-east-1"));
        assert_eq!(attribute(&ws, "id"), "192.0.2.1", "id is the address, as in the official provider");
        assert!(!attribute(&ws, "modified_on").is_empty());
        ws.assert_plan_empty();

        // vendor/region: updated in place, one write
        ws.write("main.tf", &main_tf("192.0.2.1", "aws", "us-east-2"));
        let plan = plan_changes(&ws, "region change");
        assert!(plan.contains("updated in-place") && !plan.contains("must be replaced"), "{plan}");
        api.control.reset_counters();
        apply_ok(&ws, "update");
        assert_eq!(api.write_requests(), 1, "one write for an in-place update: {:?}", api.control.requests());
        assert_eq!(remote_list(&api), one("192.0.2.1", "aws", "us-east-2"));
        ws.assert_plan_empty();

        // a new address replaces the resource: the old mapping is deleted
        ws.write("main.tf", &main_tf("192.0.2.2", "aws", "us-east-2"));
        let plan = plan_changes(&ws, "address change");
        assert!(plan.contains("must be replaced") && plan.contains("forces replacement"), "{plan}");
        apply_ok(&ws, "replace");
        assert_eq!(remote_list(&api), one("192.0.2.2", "aws", "us-east-2"));
        assert_eq!(attribute(&ws, "id"), "192.0.2.2");
        ws.assert_plan_empty();

        // import by <zone_id>/<origin_ip>
        reimport(&ws, &format!("{ZONE}/192.0.2.2"));
        assert_eq!(attribute(&ws, "region"), "us-east-2");
        ws.assert_plan_empty();

        ws.run(&["destroy", "-auto-approve", "-no-color"]).assert_ok("destroy");
        assert!(remote_list(&api).is_empty());
    });
}

#[test]
fn non_canonical_ipv6_never_plans_a_diff_or_replacement() {
    for_each_terraform("single mapping IPv6 spelling", |terraform| {
        let api = LocalApi::start();
        let ws = connected_workspace(terraform, &api, &main_tf("2001:DB8:0::1", "gcp", "us-central1"));

        apply_ok(&ws, "create");
        assert_eq!(remote_list(&api), one("2001:db8::1", "gcp", "us-central1"));
        assert_eq!(attribute(&ws, "origin_ip"), "2001:DB8:0::1", "state keeps the written spelling");
        assert_eq!(attribute(&ws, "id"), "2001:db8::1");
        api.control.reset_counters();
        ws.assert_plan_empty();
        assert_eq!(api.write_requests(), 0);

        // in-place update through the non-canonical spelling
        ws.write("main.tf", &main_tf("2001:DB8:0::1", "gcp", "europe-west1"));
        let plan = plan_changes(&ws, "IPv6 region change");
        assert!(!plan.contains("must be replaced"), "{plan}");
        apply_ok(&ws, "IPv6 update");
        assert_eq!(remote_list(&api), one("2001:db8::1", "gcp", "europe-west1"));
        ws.assert_plan_empty();

        // import with the configuration's spelling, then nothing to do
        reimport(&ws, &format!("{ZONE}/2001:DB8:0::1"));
        assert_eq!(attribute(&ws, "origin_ip"), "2001:DB8:0::1");
        ws.assert_plan_empty();

        // another spelling of the same address: no replacement and nothing sent
        ws.write("main.tf", &main_tf("2001:0db8:0000:0000:0000:0000:0000:0001", "gcp", "europe-west1"));
        let plan = ws.plan();
        assert!(!plan.all().contains("must be replaced"), "{}", plan.all());
        api.control.reset_counters();
        apply_ok(&ws, "respelling");
        assert_eq!(api.write_requests(), 0, "a new spelling sends nothing: {:?}", api.control.requests());
        ws.assert_plan_empty();
    });
}

#[test]
fn mapping_deleted_outside_terraform_is_recreated() {
    for_each_terraform("single mapping 404 on refresh", |terraform| {
        let api = LocalApi::start();
        let ws = connected_workspace(terraform, &api, &main_tf("2001:db8::7", "aws", "us-west-2"));
        apply_ok(&ws, "create");
        assert!(api.control.remove_mapping(ZONE, "2001:db8::7").unwrap());

        let plan = plan_changes(&ws, "after removal");
        assert!(plan.contains("removed outside Terraform"), "the refresh warns:\n{plan}");
        assert!(plan.contains("will be created"), "{plan}");
        apply_ok(&ws, "re-create");
        assert_eq!(remote_list(&api), one("2001:db8::7", "aws", "us-west-2"));
        ws.assert_plan_empty();
    });
}

#[test]
fn existing_mapping_is_not_taken_over_and_bad_values_point_at_their_line() {
    for_each_terraform("single mapping refusals", |terraform| {
        let api = LocalApi::start();
        api.control.put_mapping(ZONE, "192.0.2.9", "azure", "eastus").unwrap();
        let ws = connected_workspace(terraform, &api, &main_tf("192.0.2.9", "aws", "us-east-1"));
        let run = ws.apply();
        assert_eq!(run.code, 1, "{}", run.all());
        assert!(run.all().contains("Mapping already exists") && run.all().contains("terraform import"), "{}", run.all());
        assert_eq!(remote_list(&api), one("192.0.2.9", "azure", "eastus"), "left untouched");
        api.control.reset_counters();

        // Any case of a vendor is accepted, as by the official provider; spaces are not.
        let config = main_tf("192.0.2.9", " AWS", "us-east-1");
        ws.write("main.tf", &config);
        let plan = ws.plan();
        assert_eq!(plan.code, 1, "{}", plan.all());
        assert!(says(&plan.all(), "write \"aws\""), "{}", plan.all());
        assert_diagnostic_at(&plan, &config, "vendor    = \" AWS\"", "invalid vendor");

        let config = main_tf("192.0.2.9", "aws", "us-eats-1");
        ws.write("main.tf", &config);
        let plan = ws.plan();
        assert_eq!(plan.code, 1, "{}", plan.all());
        assert!(says(&plan.all(), "Did you mean \"us-east-1\"?"), "{}", plan.all());
        assert_diagnostic_at(&plan, &config, "region    = \"us-eats-1\"", "unsupported region");
        assert_eq!(api.write_requests(), 0);
    });
}

const DATA_SOURCES: &str = r#"
data "cloudflare_origin_cloud_region" "one" {
  zone_id   = "ZONE"
  origin_ip = "2001:DB8:0::1"
}

data "cloudflare_origin_cloud_regions" "all" {
  zone_id = "ZONE"
}

data "cloudflare_origin_cloud_regions" "aws_east1" {
  zone_id = "ZONE"
  vendor  = "aws"
  region  = "us-east-1"
}

data "cloudflare_origin_cloud_regions" "first_two" {
  zone_id   = "ZONE"
  max_items = 2
}

# The official provider's spelling: vendor in any case, max_items = 0 for no cap, `result`.
data "cloudflare_origin_cloud_regions" "official_style" {
  zone_id   = "ZONE"
  vendor    = "AWS"
  max_items = 0
}

data "cloudflare_origin_cloud_region_supported_regions" "gcp" {
  zone_id = "ZONE"
  vendor  = "gcp"
}

data "cloudflare_origin_cloud_region_supported_regions" "all" {
  zone_id = "ZONE"
}

output "one" { value = data.cloudflare_origin_cloud_region.one }
output "all_ips" { value = data.cloudflare_origin_cloud_regions.all.mappings[*].origin_ip }
output "aws_east1_ips" { value = data.cloudflare_origin_cloud_regions.aws_east1.mappings[*].origin_ip }
output "first_two" { value = data.cloudflare_origin_cloud_regions.first_two.mappings[*].origin_ip }
output "official_ids" { value = data.cloudflare_origin_cloud_regions.official_style.result[*].id }
output "official_first" { value = data.cloudflare_origin_cloud_regions.official_style.result[0] }
output "gcp_vendors" { value = keys(data.cloudflare_origin_cloud_region_supported_regions.gcp.vendors) }
output "gcp_has_us_central1" {
  value = contains(data.cloudflare_origin_cloud_region_supported_regions.gcp.vendors["gcp"][*].name, "us-central1")
}
output "us_east_1_colos" {
  value = [for r in data.cloudflare_origin_cloud_region_supported_regions.all.regions : r.upper_tier_colos if r.vendor == "aws" && r.name == "us-east-1"][0]
}
output "all_vendors" { value = keys(data.cloudflare_origin_cloud_region_supported_regions.all.vendors) }
"#;

fn outputs(workspace: &Workspace) -> serde_json::Value {
    let run = workspace.run(&["output", "-json"]);
    run.assert_ok("terraform output -json");
    let parsed: serde_json::Value = serde_json::from_str(&run.stdout).expect("outputs are JSON");
    let values: serde_json::Map<String, serde_json::Value> = parsed
        .as_object()
        .expect("outputs object")
        .iter()
        .map(|(name, output)| (name.clone(), output["value"].clone()))
        .collect();
    serde_json::Value::Object(values)
}

#[test]
fn data_sources_read_filter_and_cap() {
    for_each_terraform("data sources", |terraform| {
        let api = LocalApi::start();
        for (ip, vendor, region) in [
            ("2001:db8::1", "gcp", "us-central1"),
            ("192.0.2.10", "aws", "us-east-1"),
            ("192.0.2.9", "aws", "us-east-2"),
            ("10.0.0.1", "aws", "us-east-1"),
        ] {
            api.control.put_mapping(ZONE, ip, vendor, region).unwrap();
        }
        let ws = connected_workspace(terraform, &api, &(required_providers() + &DATA_SOURCES.replace("ZONE", ZONE)));
        apply_ok(&ws, "read data sources");
        let out = outputs(&ws);
        let one = &out["one"];
        assert_eq!(one["origin_ip"], "2001:DB8:0::1");
        assert_eq!(one["vendor"], "gcp");
        assert_eq!(one["region"], "us-central1");
        assert_eq!(one["id"], "2001:db8::1");
        assert_eq!(out["all_ips"], serde_json::json!(["10.0.0.1", "192.0.2.9", "192.0.2.10", "2001:db8::1"]));
        assert_eq!(out["aws_east1_ips"], serde_json::json!(["10.0.0.1", "192.0.2.10"]));
        assert_eq!(out["first_two"], serde_json::json!(["10.0.0.1", "192.0.2.9"]));
        assert_eq!(out["official_ids"], serde_json::json!(["10.0.0.1", "192.0.2.9", "192.0.2.10"]));
        let stored_time = api.control.mappings(ZONE)["10.0.0.1"].modified_on.clone();
        assert_eq!(
            out["official_first"],
            serde_json::json!({"id": "10.0.0.1", "origin_ip": "10.0.0.1", "vendor": "aws",
                               "region": "us-east-1", "modified_on": stored_time})
        );
        assert_eq!(one["modified_on"], serde_json::json!(api.control.mappings(ZONE)["2001:db8::1"].modified_on));
        assert_eq!(out["gcp_vendors"], serde_json::json!(["gcp"]));
        assert_eq!(out["gcp_has_us_central1"], serde_json::json!(true));
        assert_eq!(out["us_east_1_colos"], serde_json::json!(["IAD", "EWR"]));
        assert_eq!(out["all_vendors"], serde_json::json!(["aws", "azure", "gcp", "oci"]));
        ws.assert_plan_empty();
        assert_eq!(api.write_requests(), 0, "data sources never write");

        // a missing mapping is a clear error at origin_ip
        let missing = required_providers()
            + &format!("data \"cloudflare_origin_cloud_region\" \"gone\" {{\n  zone_id   = \"{ZONE}\"\n  origin_ip = \"198.51.100.1\"\n}}\n");
        ws.write("main.tf", &missing);
        let plan = ws.plan();
        assert_eq!(plan.code, 1, "{}", plan.all());
        assert!(plan.all().contains("No origin cloud region mapping"), "{}", plan.all());
        assert_diagnostic_at(&plan, &missing, "origin_ip = \"198.51.100.1\"", "missing mapping");

        // invalid filters point at their line
        let bad = required_providers()
            + &format!("data \"cloudflare_origin_cloud_regions\" \"bad\" {{\n  zone_id   = \"{ZONE}\"\n  max_items = -1\n}}\n");
        ws.write("main.tf", &bad);
        let plan = ws.plan();
        assert_eq!(plan.code, 1, "{}", plan.all());
        assert_diagnostic_at(&plan, &bad, "max_items = -1", "max_items -1");
    });
}

#[test]
fn list_follows_every_v2_page() {
    for_each_terraform("data source v2 pagination", |terraform| {
        let api = LocalApi::start();
        let count = 250;
        for n in 0..count {
            api.control.put_mapping(ZONE, &format!("198.18.{}.{}", n / 200, n % 200 + 1), "aws", "us-east-1").unwrap();
        }
        let config = required_providers()
            + "provider \"cloudflare\" {\n  api_family = \"v2\"\n}\n"
            + &format!(
                "data \"cloudflare_origin_cloud_regions\" \"all\" {{\n  zone_id = \"{ZONE}\"\n}}\n\
                 output \"count\" {{ value = length(data.cloudflare_origin_cloud_regions.all.mappings) }}\n\
                 output \"last\" {{ value = data.cloudflare_origin_cloud_regions.all.mappings[{}].origin_ip }}\n",
                count - 1
            );
        let ws = connected_workspace(terraform, &api, &config);
        api.control.reset_counters();
        apply_ok(&ws, "read 250 mappings");
        let out = outputs(&ws);
        assert_eq!(out["count"], serde_json::json!(count));
        assert_eq!(out["last"], "198.18.1.50");
        let pages = api.count("GET", "/origin/cloud_regions");
        assert!(pages >= 3, "250 mappings need at least 3 pages of 100, saw {pages}");
        assert_eq!(api.count("GET", "/cache/origin_cloud_regions"), 0, "v1 is not used");
    });
}

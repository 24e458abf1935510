//! End-to-end: every `modified_on` this provider stores or reports is Cloudflare's, never the
//! provider's clock. The emulator's clock is fixed in the past, so any time the provider made up
//! would differ from it. Covered: the mappings resource on both endpoint families (create,
//! update, import; v2 batch answers carry no time and are read back), the per-IP resource
//! (create, import) and both data sources.

mod support;

use support::mappings::{required_providers, resource_values};
use support::{connected_workspace, for_each_terraform, LocalApi};
use time::macros::datetime;

const ZONE: &str = "023e105f4ecef8ad9ca31a8372d0c353";
const CREATED: &str = "2026-03-01T12:00:00Z";
const UPDATED: &str = "2026-03-02T08:30:00Z";

fn config(family: &str, region: &str) -> String {
    format!(
        "{}provider \"cloudflare\" {{\n  api_family = \"{family}\"\n}}\n\n\
         resource \"cloudflare_origin_cloud_region_mappings\" \"set\" {{\n  zone_id  = \"{ZONE}\"\n  mappings = {{\n    \"192.0.2.1\"   = {{ vendor = \"aws\", region = \"{region}\" }}\n    \"2001:db8::1\" = {{ vendor = \"gcp\", region = \"us-central1\" }}\n  }}\n}}\n\n\
         resource \"cloudflare_origin_cloud_region\" \"one\" {{\n  zone_id   = \"{ZONE}\"\n  origin_ip = \"198.51.100.7\"\n  vendor    = \"azure\"\n  region    = \"eastus\"\n}}\n\n\
         data \"cloudflare_origin_cloud_region\" \"one\" {{\n  zone_id    = \"{ZONE}\"\n  origin_ip  = \"198.51.100.7\"\n  depends_on = [cloudflare_origin_cloud_region.one]\n}}\n\n\
         data \"cloudflare_origin_cloud_regions\" \"all\" {{\n  zone_id    = \"{ZONE}\"\n  depends_on = [cloudflare_origin_cloud_region_mappings.set, cloudflare_origin_cloud_region.one]\n}}\n\n\
         output \"one\" {{ value = data.cloudflare_origin_cloud_region.one.modified_on }}\n\
         output \"all\" {{ value = distinct(data.cloudflare_origin_cloud_regions.all.result[*].modified_on) }}\n",
        required_providers()
    )
}

fn value(workspace: &support::Workspace, address: &str) -> serde_json::Value {
    let state = workspace.state();
    resource_values(&state, address).unwrap_or_else(|| panic!("{address} in {state}"))["modified_on"].clone()
}

fn output(workspace: &support::Workspace, name: &str) -> serde_json::Value {
    let run = workspace.run(&["output", "-json", name]);
    run.assert_ok("terraform output");
    serde_json::from_str(&run.stdout).expect("output is JSON")
}

/// An emulator whose clock says 2026-03-01 12:00 UTC, and a workspace that created the
/// configuration (us-east-1) there through `family`.
fn created(terraform: &support::Terraform, family: &str) -> (LocalApi, support::Workspace) {
    let api = LocalApi::start();
    api.control.set_clock(Some(datetime!(2026-03-01 12:00:00 UTC)));
    let workspace = connected_workspace(terraform, &api, &config(family, "us-east-1"));
    workspace.apply().assert_ok(&format!("create on {family}"));
    (api, workspace)
}

#[test]
fn every_modified_on_is_cloudflares() {
    for_each_terraform("modified_on", |terraform| {
        for family in ["v1", "v2"] {
            let (api, workspace) = created(terraform, family);
            for address in ["cloudflare_origin_cloud_region_mappings.set", "cloudflare_origin_cloud_region.one"] {
                assert_eq!(value(&workspace, address), CREATED, "{family}: {address}");
            }
            assert_eq!(output(&workspace, "one"), CREATED, "{family}: one-mapping data source");
            assert_eq!(output(&workspace, "all"), serde_json::json!([CREATED]), "{family}: list data source");
            workspace.assert_plan_empty();

            api.control.set_clock(Some(datetime!(2026-03-02 08:30:00 UTC)));
            workspace.write("main.tf", &config(family, "us-west-2"));
            workspace.apply().assert_ok(&format!("update on {family}"));
            assert_eq!(value(&workspace, "cloudflare_origin_cloud_region_mappings.set"), UPDATED, "{family}: update");
            workspace.assert_plan_empty();

            for (address, id) in [
                ("cloudflare_origin_cloud_region_mappings.set", format!("{ZONE}/192.0.2.1,2001:db8::1")),
                ("cloudflare_origin_cloud_region.one", format!("{ZONE}/198.51.100.7")),
            ] {
                workspace.run(&["state", "rm", "-no-color", address]).assert_ok("state rm");
                workspace.run(&["import", "-no-color", address, &id]).assert_ok("import");
            }
            assert_eq!(value(&workspace, "cloudflare_origin_cloud_region_mappings.set"), UPDATED, "{family}: import");
            assert_eq!(value(&workspace, "cloudflare_origin_cloud_region.one"), CREATED, "{family}: per-IP import");
            workspace.assert_plan_empty();
        }
    });
}

/// The answer to a batch write is lost after the write landed: the retry lands again (upserts are
/// idempotent), the state holds what Cloudflare holds with Cloudflare's time, and the next plan
/// reads it back empty. Another writer then changes one mapping between two runs: the refresh
/// shows it, and the apply puts the configured value back.
#[test]
fn lost_write_answers_and_another_writer_keep_state_and_time_exact() {
    for_each_terraform("modified_on, lost answers", |terraform| {
        for family in ["v1", "v2"] {
            let (api, workspace) = created(terraform, family);

            api.control.set_clock(Some(datetime!(2026-03-02 08:30:00 UTC)));
            api.control.reset_counters();
            api.control.lose_write_answers(1);
            workspace.write("main.tf", &config(family, "us-west-2"));
            workspace.apply().assert_ok(&format!("update on {family} with a lost answer"));
            let batch_method = if family == "v1" { "PATCH" } else { "PUT" };
            assert_eq!(api.count(batch_method, "/batch"), 2, "{family}: the batch was sent again after its answer was lost");
            assert_eq!(value(&workspace, "cloudflare_origin_cloud_region_mappings.set"), UPDATED, "{family}");
            let stored = api.control.mappings(ZONE);
            assert_eq!(stored["192.0.2.1"].region, "us-west-2", "{family}");
            workspace.assert_plan_empty();

            // Another writer between two runs.
            api.control.put_mapping(ZONE, "192.0.2.1", "aws", "eu-west-1").unwrap();
            let plan = workspace.plan();
            assert_eq!(plan.code, 2, "{family}: the other writer's change is drift:\n{}", plan.all());
            workspace.apply().assert_ok(&format!("converge on {family}"));
            assert_eq!(api.control.mappings(ZONE)["192.0.2.1"].region, "us-west-2", "{family}");
            workspace.assert_plan_empty();
        }
    });
}

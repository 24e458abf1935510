//! End-to-end: taking over `cloudflare_origin_cloud_region` resources that Cloudflare's official
//! provider manages, by each path the migration guide describes, with real Terraform. Every path
//! must write nothing to the API and end with an empty plan.
//!
//! The official provider's state is built by hand from its documented schema (version 500,
//! `id` = the origin IP, vendor kept as configured). The provider at the official address is a
//! stand-in (a copy of ours, see `support::workspace`), which is all Terraform needs of it here.

mod support;

use serde_json::json;
use support::mappings::resource_values;
use support::workspace::{NEIGHBOUR_ADDRESS, NEIGHBOUR_VERSION};
use support::{for_each_terraform, LocalApi, Terraform, Workspace, PROVIDER_ADDRESS, PROVIDER_SOURCE};
use terraform_provider_cloudflare::ip::canonical_ip;
use terraform_provider_cloudflare::provider_address::LOCAL_NAME;

const ZONE: &str = "023e105f4ecef8ad9ca31a8372d0c353";

/// (resource name, origin_ip as configured, vendor as configured, region)
type Origin = (&'static str, &'static str, &'static str, &'static str);

const WEB: Origin = ("web", "192.0.2.10", "AWS", "us-east-1");
const API: Origin = ("api", "2001:DB8::20", "gcp", "us-central1");

fn canonical(ip: &str) -> String {
    canonical_ip(ip).expect("an address")
}

/// The two providers side by side, then `body`.
fn config(body: &str) -> String {
    format!(
        "terraform {{\n  required_providers {{\n    cloudflare = {{\n      source  = \"cloudflare/cloudflare\"\n      version = \"{NEIGHBOUR_VERSION}\"\n    }}\n    {LOCAL_NAME} = {{ source = \"{PROVIDER_SOURCE}\" }}\n  }}\n}}\n\n{body}"
    )
}

/// A per-IP resource block; `provider` is a local name, or `None` for the official default.
fn single_block(origin: Origin, name: &str, provider: Option<&str>) -> String {
    let (_, ip, vendor, region) = origin;
    let provider = provider.map(|p| format!("  provider  = {p}\n")).unwrap_or_default();
    format!(
        "resource \"cloudflare_origin_cloud_region\" \"{name}\" {{\n{provider}  zone_id   = \"{ZONE}\"\n  origin_ip = \"{ip}\"\n  vendor    = \"{vendor}\"\n  region    = \"{region}\"\n}}\n"
    )
}

/// One state instance of `cloudflare_origin_cloud_region` as `provider` stored it.
fn stored_instance(origin: Origin, provider: &str, version: i64, id: String, modified_on: serde_json::Value) -> serde_json::Value {
    let (name, ip, vendor, region) = origin;
    json!({
        "mode": "managed", "type": "cloudflare_origin_cloud_region", "name": name,
        "provider": format!("provider[\"{provider}\"]"),
        "instances": [{
            "schema_version": version,
            "attributes": {
                "id": id, "zone_id": ZONE, "origin_ip": ip, "vendor": vendor,
                "region": region, "modified_on": modified_on
            },
            "sensitive_attributes": []
        }]
    })
}

/// As the official provider stores it: schema version 500, `id` = the address.
fn official_instance(origin: Origin, modified_on: &str) -> serde_json::Value {
    stored_instance(origin, NEIGHBOUR_ADDRESS, 500, canonical(origin.1), json!(modified_on))
}

/// As this provider stored it before schema version 500: `id` = `<zone_id>/<ip>`.
fn legacy_instance(origin: Origin) -> serde_json::Value {
    stored_instance(origin, PROVIDER_ADDRESS, 0, format!("{ZONE}/{}", canonical(origin.1)), json!(null))
}

fn write_state(workspace: &Workspace, resources: Vec<serde_json::Value>) {
    let state = json!({
        "version": 4,
        "terraform_version": workspace.terraform.version,
        "serial": 1,
        "lineage": "5b2f6a0e-3c1d-4e59-9d4b-0c6f1e2a7b81",
        "outputs": {},
        "resources": resources,
    });
    workspace.write("terraform.tfstate", &serde_json::to_string_pretty(&state).unwrap());
}

/// An emulator holding the mappings the official provider created, and a workspace whose state
/// holds `resources` and whose configuration is `body`.
fn migration(terraform: &Terraform, resources: impl Fn(&str) -> Vec<serde_json::Value>, body: &str) -> (LocalApi, Workspace) {
    let api = LocalApi::start();
    for (_, ip, vendor, region) in [WEB, API] {
        api.control.put_mapping(ZONE, ip, &vendor.to_ascii_lowercase(), region).unwrap();
    }
    let modified_on = api.control.mappings(ZONE).values().next().unwrap().modified_on.clone();
    let mut workspace = Workspace::new(terraform);
    api.connect(&mut workspace);
    write_state(&workspace, resources(&modified_on));
    workspace.write("main.tf", &config(body));
    workspace.init();
    api.control.reset_counters();
    (api, workspace)
}

/// (address, provider) of each resource in state.
fn resources_in_state(workspace: &Workspace) -> Vec<(String, String)> {
    let state = workspace.state();
    let mut found: Vec<(String, String)> = state["values"]["root_module"]["resources"]
        .as_array()
        .map(|resources| {
            resources
                .iter()
                .filter(|r| r["mode"] == "managed")
                .map(|r| (r["address"].as_str().unwrap().to_string(), r["provider_name"].as_str().unwrap().to_string()))
                .collect()
        })
        .unwrap_or_default();
    found.sort();
    found
}

fn attribute(workspace: &Workspace, address: &str, name: &str) -> serde_json::Value {
    let state = workspace.state();
    resource_values(&state, address).unwrap_or_else(|| panic!("{address} in state: {state}"))[name].clone()
}

fn assert_nothing_written(api: &LocalApi, terraform: &Terraform, path: &str) {
    assert_eq!(
        api.write_requests(),
        0,
        "Terraform {} ({path}) must not write to the API: {:?}",
        terraform.version,
        api.control.requests()
    );
    let held = api.control.mappings(ZONE);
    assert_eq!(held.len(), 2, "both mappings still at Cloudflare: {held:?}");
}

#[test]
fn changing_provider_in_place_reads_official_and_legacy_state_without_writes() {
    for_each_terraform("provider = in place", |terraform| {
        // `web` was the official provider's; `api` is this provider's own pre-500 state.
        let body = single_block(WEB, "web", Some(LOCAL_NAME)) + &single_block(API, "api", Some(LOCAL_NAME));
        let (api, workspace) =
            migration(terraform, |time| vec![official_instance(WEB, time), legacy_instance(API)], &body);
        workspace.assert_plan_empty();
        workspace.apply().assert_ok("apply after the provider change");
        assert_eq!(
            resources_in_state(&workspace),
            vec![
                ("cloudflare_origin_cloud_region.api".to_string(), PROVIDER_ADDRESS.to_string()),
                ("cloudflare_origin_cloud_region.web".to_string(), PROVIDER_ADDRESS.to_string()),
            ],
            "Terraform {}: both now belong to this provider",
            terraform.version
        );
        assert_eq!(attribute(&workspace, "cloudflare_origin_cloud_region.web", "id"), json!("192.0.2.10"));
        assert_eq!(attribute(&workspace, "cloudflare_origin_cloud_region.web", "vendor"), json!("AWS"));
        assert_eq!(attribute(&workspace, "cloudflare_origin_cloud_region.api", "id"), json!("2001:db8::20"));
        assert!(attribute(&workspace, "cloudflare_origin_cloud_region.api", "modified_on").is_string(), "read from the API");
        workspace.assert_plan_empty();
        assert_nothing_written(&api, terraform, "provider change");
    });
}

#[test]
fn replace_provider_moves_official_state_without_writes() {
    for_each_terraform("state replace-provider", |terraform| {
        let body = single_block(WEB, "web", Some(LOCAL_NAME)) + &single_block(API, "api", Some(LOCAL_NAME));
        let (api, workspace) =
            migration(terraform, |time| vec![official_instance(WEB, time), official_instance(API, time)], &body);
        workspace
            .run(&["state", "replace-provider", "-auto-approve", "-no-color", NEIGHBOUR_ADDRESS, PROVIDER_ADDRESS])
            .assert_ok("terraform state replace-provider");
        workspace.assert_plan_empty();
        workspace.apply().assert_ok("apply after replace-provider");
        assert!(resources_in_state(&workspace).iter().all(|(_, provider)| provider == PROVIDER_ADDRESS));
        workspace.assert_plan_empty();
        assert_nothing_written(&api, terraform, "replace-provider");
    });
}

#[test]
fn moved_blocks_take_official_resources_into_both_resource_types() {
    let Some(terraform) = support::terraform::all().iter().find(|t| t.at_least(1, 8)) else {
        panic!("moved blocks across providers need Terraform 1.8 or later on PATH; found only {:?}",
            support::terraform::all().iter().map(|t| &t.version).collect::<Vec<_>>());
    };
    eprintln!("[moved blocks] Terraform {}", terraform.version);
    let (_, api_ip, api_vendor, api_region) = API;
    let body = format!(
        "{web}\nmoved {{\n  from = cloudflare_origin_cloud_region.web\n  to   = cloudflare_origin_cloud_region.web_origin\n}}\n\n\
         resource \"cloudflare_origin_cloud_region_mappings\" \"api\" {{\n  provider = {LOCAL_NAME}\n  zone_id  = \"{ZONE}\"\n  mappings = {{\n    \"{api_ip}\" = {{ vendor = \"{api_vendor}\", region = \"{api_region}\" }}\n  }}\n}}\n\n\
         moved {{\n  from = cloudflare_origin_cloud_region.api\n  to   = cloudflare_origin_cloud_region_mappings.api\n}}\n",
        web = single_block(WEB, "web_origin", Some(LOCAL_NAME)),
    );
    let (api, workspace) =
        migration(terraform, |time| vec![official_instance(WEB, time), official_instance(API, time)], &body);
    let plan = workspace.plan();
    assert_eq!(plan.code, 2, "Terraform counts moves as changes:\n{}", plan.all());
    assert!(plan.all().contains("Plan: 0 to add, 0 to change, 0 to destroy."), "moves alone change nothing:\n{}", plan.all());
    assert!(plan.all().contains("has moved to cloudflare_origin_cloud_region_mappings.api"), "{}", plan.all());
    workspace.apply().assert_ok("apply the moves");
    assert_eq!(
        resources_in_state(&workspace),
        vec![
            ("cloudflare_origin_cloud_region.web_origin".to_string(), PROVIDER_ADDRESS.to_string()),
            ("cloudflare_origin_cloud_region_mappings.api".to_string(), PROVIDER_ADDRESS.to_string()),
        ]
    );
    workspace.assert_plan_empty();
    assert_nothing_written(&api, terraform, "moved blocks");

    // Anything else is refused at plan time, naming what was asked: here a mappings resource
    // moved into a per-IP resource.
    let back = format!(
        "{}\nmoved {{\n  from = cloudflare_origin_cloud_region_mappings.api\n  to   = cloudflare_origin_cloud_region.api_again\n}}\n",
        single_block(WEB, "web_origin", Some(LOCAL_NAME)) + &single_block(API, "api_again", Some(LOCAL_NAME))
    );
    workspace.write("main.tf", &config(&back));
    let refused = workspace.plan();
    assert_eq!(refused.code, 1, "{}", refused.all());
    for needle in ["Cannot move this resource state", "cloudflare_origin_cloud_region_mappings of"] {
        assert!(refused.all().contains(needle), "{needle:?} in:\n{}", refused.all());
    }
    assert_nothing_written(&api, terraform, "refused move");
}

#[test]
fn removed_and_import_bring_official_resources_into_one_mappings_resource() {
    for_each_terraform("removed + import", |terraform| {
        let ids = format!("{ZONE}/{},{}", WEB.1, API.1);
        let mappings = format!(
            "resource \"cloudflare_origin_cloud_region_mappings\" \"all\" {{\n  provider = {LOCAL_NAME}\n  zone_id  = \"{ZONE}\"\n  mappings = {{\n    \"{}\" = {{ vendor = \"aws\", region = \"{}\" }}\n    \"{}\" = {{ vendor = \"{}\", region = \"{}\" }}\n  }}\n}}\n",
            WEB.1, WEB.3, API.1, API.2, API.3
        );
        let official = |time: &str| vec![official_instance(WEB, time), official_instance(API, time)];
        if terraform.at_least(1, 7) {
            let body = format!(
                "{mappings}\nimport {{\n  provider = {LOCAL_NAME}\n  to       = cloudflare_origin_cloud_region_mappings.all\n  id       = \"{ids}\"\n}}\n\n\
                 removed {{\n  from = cloudflare_origin_cloud_region.web\n  lifecycle {{\n    destroy = false\n  }}\n}}\n\n\
                 removed {{\n  from = cloudflare_origin_cloud_region.api\n  lifecycle {{\n    destroy = false\n  }}\n}}\n"
            );
            let (api, workspace) = migration(terraform, official, &body);
            let plan = workspace.run(&["plan", "-no-color"]);
            plan.assert_ok("plan the import");
            assert!(plan.all().contains("1 to import, 0 to add, 0 to change, 0 to destroy"), "{}", plan.all());
            workspace.apply().assert_ok("apply the import");
            assert_eq!(
                resources_in_state(&workspace),
                vec![("cloudflare_origin_cloud_region_mappings.all".to_string(), PROVIDER_ADDRESS.to_string())]
            );
            workspace.assert_plan_empty();
            assert_nothing_written(&api, terraform, "removed + import");
        } else {
            // Before import and removed blocks: state rm, then import on the command line.
            let (api, workspace) = migration(terraform, official, &mappings);
            workspace
                .run(&["state", "rm", "-no-color", "cloudflare_origin_cloud_region.web", "cloudflare_origin_cloud_region.api"])
                .assert_ok("terraform state rm");
            workspace
                .run(&["import", "-no-color", "cloudflare_origin_cloud_region_mappings.all", &ids])
                .assert_ok("terraform import");
            workspace.assert_plan_empty();
            assert_nothing_written(&api, terraform, "state rm + import");
        }
    });
}

#[test]
fn an_import_right_after_an_apply_equals_the_applied_state() {
    for_each_terraform("import equals apply", |terraform| {
        let api = LocalApi::start();
        let workspace = support::connected_workspace(terraform, &api, &config(&single_block(API, "web", Some(LOCAL_NAME))));
        workspace.apply().assert_ok("create");
        let applied = attribute(&workspace, "cloudflare_origin_cloud_region.web", "modified_on");
        let stored = api.control.mappings(ZONE).values().next().unwrap().modified_on.clone();
        assert_eq!(applied, json!(stored), "Cloudflare's time, not the provider's");
        workspace.run(&["state", "rm", "-no-color", "cloudflare_origin_cloud_region.web"]).assert_ok("state rm");
        std::thread::sleep(std::time::Duration::from_millis(1100)); // a clock-based time would now differ
        workspace
            .run(&["import", "-no-color", "cloudflare_origin_cloud_region.web", &format!("{ZONE}/{}", API.1)])
            .assert_ok("import");
        assert_eq!(attribute(&workspace, "cloudflare_origin_cloud_region.web", "modified_on"), applied);
        workspace.assert_plan_empty();
    });
}

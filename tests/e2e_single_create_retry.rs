//! End-to-end: the per-IP resource's create survives its own retry. The first POST lands at
//! Cloudflare but its answer is lost; the retry is told "already exists". The mapping then found
//! is the one this create sent, so it is adopted: the apply succeeds, the state holds it, and
//! the next plan is empty. A mapping with other values still belongs to someone else and is
//! refused, retry or not.

mod support;

use support::mappings::{remote, required_providers, says};
use support::{connected_workspace, for_each_terraform, LocalApi};

const ZONE: &str = "023e105f4ecef8ad9ca31a8372d0c353";

/// v1 is pinned: only its POST is create-only (v2 creates by GET then an idempotent PUT).
fn config(ip: &str, vendor: &str, region: &str) -> String {
    format!(
        "{}provider \"cloudflare\" {{\n  api_family = \"v1\"\n}}\n\nresource \"cloudflare_origin_cloud_region\" \"origin\" {{\n  zone_id   = \"{ZONE}\"\n  origin_ip = \"{ip}\"\n  vendor    = \"{vendor}\"\n  region    = \"{region}\"\n}}\n",
        required_providers()
    )
}

fn stored(api: &LocalApi, ip: &str) -> Option<(String, String)> {
    remote(api, ZONE).remove(ip)
}

#[test]
fn a_create_whose_answer_was_lost_adopts_its_own_write() {
    for_each_terraform("lost create answer", |terraform| {
        let api = LocalApi::start();
        let workspace = connected_workspace(terraform, &api, &config("192.0.2.44", "AWS", "us-east-1"));
        api.control.lose_write_answers(1);
        workspace.apply().assert_ok("create with the first answer lost");
        assert_eq!(api.count("POST", "/origin_cloud_regions"), 2, "{:?}", api.control.requests());
        assert_eq!(stored(&api, "192.0.2.44"), Some(("aws".into(), "us-east-1".into())));
        let state = workspace.state();
        let values = &state["values"]["root_module"]["resources"][0]["values"];
        assert_eq!(values["origin_ip"], "192.0.2.44");
        assert_eq!(values["vendor"], "AWS", "the configuration's spelling is kept");
        workspace.assert_plan_empty();
    });
}

#[test]
fn another_owners_mapping_is_still_refused_with_or_without_a_retry() {
    for_each_terraform("create conflict", |terraform| {
        let api = LocalApi::start();
        api.control.put_mapping(ZONE, "192.0.2.45", "azure", "eastus").unwrap();
        let workspace = connected_workspace(terraform, &api, &config("192.0.2.45", "aws", "us-east-1"));
        for lose_first_answer in [false, true] {
            if lose_first_answer {
                api.control.lose_write_answers(1);
            }
            let run = workspace.apply();
            assert_ne!(run.code, 0, "must refuse (lost answer: {lose_first_answer}):\n{}", run.all());
            // Terraform wraps long lines: `says` compares with single spaces.
            let text = run.all();
            assert!(says(&text, "Mapping already exists"), "{text}");
            assert!(says(&text, &format!("terraform import cloudflare_origin_cloud_region.<name> '{ZONE}/192.0.2.45'")), "{text}");
            assert_eq!(stored(&api, "192.0.2.45"), Some(("azure".into(), "eastus".into())), "not overwritten");
            assert!(workspace.state()["values"].is_null() || workspace.state()["values"]["root_module"]["resources"].is_null());
        }
    });
}

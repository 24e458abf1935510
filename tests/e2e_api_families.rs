//! End-to-end: real Terraform after v1's end of life. Each retired-v1 style: create 150
//! mappings, an empty next plan, an update, destroy — nothing lost, writes through v2's batch calls, and
//! the v1 requests counted per command (≤ 1 on a fresh process, 0 once the family is in the
//! resource's private state). Also: a non-route 404 is an error everywhere (plan fails, state
//! unchanged, destroy refuses); a concurrent delete between v2 pages loses nothing; an auth
//! error on v1 never switches families.
//!
//! Runs on one Terraform (the newest found): the behaviour is the provider's, not Terraform's.
//! `cargo test --test e2e_api_families -- --nocapture` prints the request counts.

mod support;

use std::time::Duration;

use support::mappings::{expected, main_tf, many_ips, remote, says, state_view, Entry, View, RESOURCE_TYPE};
use support::{connected_workspace, newest_terraform, LocalApi, Run, Workspace};
use terraform_provider_cloudflare::emulator::{EmulatorConfig, V1Retirement};

const ZONE: &str = "023e105f4ecef8ad9ca31a8372d0c353";
const NAME: &str = "origins";
const V1_PATH: &str = "/cache/origin_cloud_regions";
const V2_PATH: &str = "/origin/cloud_regions";
const SWITCH_WARNING: &str = "Switched to Cloudflare's v2 origin cloud region endpoints";

fn address() -> String {
    format!("{RESOURCE_TYPE}.{NAME}")
}

fn generated(ips: &[String]) -> Vec<Entry<'_>> {
    ips.iter().map(|ip| (ip.as_str(), "aws", "us-east-1")).collect()
}

/// API requests to one family since the counters were last reset.
fn family_requests(api: &LocalApi, family_path: &str) -> usize {
    api.control.requests().iter().filter(|request| request.path.contains(family_path)).count()
}

/// Runs `args`, returning the run and the v1 / v2 requests it made.
fn counted(workspace: &Workspace, api: &LocalApi, args: &[&str]) -> (Run, usize, usize) {
    api.control.reset_counters();
    let run = workspace.run(args);
    (run, family_requests(api, V1_PATH), family_requests(api, V2_PATH))
}

fn assert_state(workspace: &Workspace, want: &View, what: &str) {
    assert!(&state_view(&workspace.state(), &address()) == want, "{what}: state holds exactly the configuration");
}

#[test]
fn every_retired_v1_style_crosses_over_without_losing_anything() {
    let terraform = newest_terraform();
    let ips = many_ips(150);
    let entries = generated(&ips);
    let want = expected(&entries);
    let config = main_tf(NAME, ZONE, &entries);
    for style in V1Retirement::ALL {
        let api = LocalApi::start_with(EmulatorConfig { v1_retired: Some(style), ..EmulatorConfig::default() });
        let workspace = connected_workspace(terraform, &api, &config);

        // Plan and apply as separate commands: each is one fresh provider process.
        let (plan, v1_plan, _) = counted(&workspace, &api, &["plan", "-out=create.tfplan", "-no-color"]);
        plan.assert_ok(&format!("plan with v1 retired ({style})"));
        assert!(says(&plan.all(), SWITCH_WARNING), "style {style}: the switch is shown:\n{}", plan.all());
        assert_eq!(plan.all().matches(SWITCH_WARNING).count(), 1, "style {style}: shown once");
        let (apply, v1_apply, _) = counted(&workspace, &api, &["apply", "-no-color", "create.tfplan"]);
        apply.assert_ok(&format!("apply with v1 retired ({style})"));
        for (v1, command) in [(v1_plan, "plan"), (v1_apply, "apply")] {
            assert!(v1 <= 1, "style {style}: a fresh process ({command}) spends at most one v1 request, saw {v1}");
        }
        assert_eq!(api.count("PUT", "/origin/cloud_regions/batch"), 2, "style {style}: writes through v2 batch PUTs");
        assert_eq!(api.count("PATCH", "/cache/origin_cloud_regions/batch"), 0, "style {style}");
        assert!(remote(&api, ZONE) == want, "style {style}: the emulator holds all 150");
        assert_state(&workspace, &want, &format!("style {style}"));
        eprintln!("[{style}] create 150: plan {v1_plan} v1 request(s), apply {v1_apply} v1 request(s)");

        let (plan, v1, v2) = counted(&workspace, &api, &["plan", "-detailed-exitcode", "-no-color"]);
        assert_eq!(plan.code, 0, "style {style}: empty next plan:\n{}", plan.all());
        assert_eq!(v1, 0, "style {style}: the family is known from private state");
        assert!(!says(&plan.all(), SWITCH_WARNING), "style {style}: nothing switched in this run");
        eprintln!("[{style}] plan: {v1} v1, {v2} v2 request(s)");

        // An update once the family is known: both walks (two provider processes) go straight to v2.
        let mut updated = entries.clone();
        updated[0].2 = "us-east-2";
        workspace.write("main.tf", &main_tf(NAME, ZONE, &updated));
        let (update, v1, v2) = counted(&workspace, &api, &["apply", "-auto-approve", "-no-color"]);
        update.assert_ok(&format!("update ({style})"));
        assert_eq!(v1, 0, "style {style}: an update of a zone known to be on v2 sends no v1 request");
        assert_eq!(api.count("PUT", "/origin/cloud_regions/batch"), 1, "style {style}: one v2 batch PUT");
        assert!(remote(&api, ZONE) == expected(&updated), "style {style}: the update is applied");
        eprintln!("[{style}] update 1 of 150: {v1} v1, {v2} v2 request(s)");

        let (destroy, v1, v2) = counted(&workspace, &api, &["destroy", "-auto-approve", "-no-color"]);
        destroy.assert_ok(&format!("destroy ({style})"));
        assert_eq!(v1, 0, "style {style}: destroy sends no v1 request");
        assert_eq!(api.count("DELETE", "/origin/cloud_regions/batch"), 2, "style {style}: deletes through v2 batches");
        assert!(remote(&api, ZONE).is_empty(), "style {style}: nothing left behind");
        eprintln!("[{style}] destroy: {v1} v1, {v2} v2 request(s)");
    }
}

#[test]
fn a_non_route_404_fails_the_plan_and_the_destroy_and_keeps_the_state() {
    let terraform = newest_terraform();
    let api = LocalApi::start();
    let entries: Vec<Entry> = vec![("192.0.2.1", "aws", "us-east-1"), ("2001:db8::1", "gcp", "us-central1")];
    let want = expected(&entries);
    let config = main_tf(NAME, ZONE, &entries)
        + &format!(
            "resource \"cloudflare_origin_cloud_region\" \"single\" {{\n  zone_id = \"{ZONE}\"\n  origin_ip = \"192.0.2.9\"\n  vendor = \"aws\"\n  region = \"us-east-1\"\n}}\n\
             data \"cloudflare_origin_cloud_regions\" \"all\" {{\n  zone_id = \"{ZONE}\"\n}}\n"
        );
    let workspace = connected_workspace(terraform, &api, &config);
    workspace.apply().assert_ok("apply");
    assert_eq!(remote(&api, ZONE).len(), 3);
    let state_before = workspace.state();

    api.control.fail_zone(ZONE, 404, 1001, "Invalid zone identifier").unwrap();
    let plan = workspace.plan();
    assert_eq!(plan.code, 1, "the plan fails:\n{}", plan.all());
    let output = plan.all();
    assert!(says(&output, "Could not read origin cloud region mappings"), "the list resource's read fails:\n{output}");
    assert!(says(&output, "Could not read the origin cloud region mapping"), "the single resource's read fails:\n{output}");
    assert!(output.contains("[1001] Invalid zone identifier"), "{output}");
    assert!(!output.contains("will be created"), "nothing is planned for creation:\n{output}");

    let destroy = workspace.run(&["destroy", "-auto-approve", "-no-color"]);
    assert_ne!(destroy.code, 0, "destroy refuses:\n{}", destroy.all());
    assert_eq!(remote(&api, ZONE).len(), 3, "nothing deleted");
    api.control.clear_faults();
    let state_after = workspace.state();
    assert_eq!(state_after["values"], state_before["values"], "state unchanged");
    assert_state(&workspace, &want, "after the refused destroy");
    workspace.assert_plan_empty();
}

#[test]
fn a_delete_between_v2_pages_drops_nothing_from_state() {
    let terraform = newest_terraform();
    let api = LocalApi::start_with(EmulatorConfig { v1_retired: Some(V1Retirement::Unroutable), ..EmulatorConfig::default() });
    let ips = many_ips(150);
    let entries = generated(&ips);
    let want = expected(&entries);
    let workspace = connected_workspace(terraform, &api, &main_tf(NAME, ZONE, &entries));
    workspace.apply().assert_ok("apply");
    // Another team's 20 mappings sort before ours, so they fill the start of page 1.
    for n in 1..=20 {
        api.control.put_mapping(ZONE, &format!("10.0.0.{n}"), "aws", "us-east-1").unwrap();
    }
    // After page 1, that team deletes 10 of theirs: every later offset shifts by 10.
    api.control.remove_between_pages(ZONE, 1, 10, Duration::from_millis(50));
    api.control.reset_counters();
    let refresh = workspace.run(&["apply", "-refresh-only", "-auto-approve", "-no-color"]);
    refresh.assert_ok("refresh-only apply");
    let pages = api.count("GET", "/origin/cloud_regions");
    eprintln!("refresh with a delete between pages: {pages} v2 page requests, {} v1", family_requests(&api, V1_PATH));
    assert_eq!(pages, 4, "2 pages, shifted, then both again");
    assert_eq!(remote(&api, ZONE).len(), 160);
    assert_state(&workspace, &want, "every managed mapping stays in state");
    workspace.assert_plan_empty();
}

#[test]
fn an_auth_error_on_v1_is_a_credentials_error_not_a_switch() {
    let terraform = newest_terraform();
    let api = LocalApi::start();
    let entries: Vec<Entry> = vec![("192.0.2.1", "aws", "us-east-1")];
    let mut workspace = connected_workspace(terraform, &api, &main_tf(NAME, ZONE, &entries));
    workspace.set_env("CLOUDFLARE_API_TOKEN", "not-the-token");
    let (plan, v1, v2) = counted(&workspace, &api, &["plan", "-no-color"]);
    assert_eq!(plan.code, 1, "{}", plan.all());
    let output = plan.all();
    assert!(says(&output, "rejected the credentials") && output.contains("CLOUDFLARE_API_TOKEN"), "{output}");
    assert!(!output.contains("not-the-token"), "the token is never shown");
    assert!(!says(&output, SWITCH_WARNING));
    assert!(v1 >= 1, "v1 was asked");
    assert_eq!(v2, 0, "and v2 never: an auth error is not a missing route");
}

#[test]
fn mappings_created_on_v1_cross_over_when_v1_retires() {
    let terraform = newest_terraform();
    let api = LocalApi::start();
    let ips = many_ips(120);
    let entries = generated(&ips);
    let want = expected(&entries);
    let workspace = connected_workspace(terraform, &api, &main_tf(NAME, ZONE, &entries));
    workspace.apply().assert_ok("apply on v1");
    assert_eq!(api.count("PATCH", "/cache/origin_cloud_regions/batch"), 2, "v1's batch PATCH while v1 answers");

    api.control.set_v1_retired(Some(V1Retirement::Unroutable));
    let (plan, v1, _) = counted(&workspace, &api, &["plan", "-detailed-exitcode", "-no-color"]);
    assert_eq!(plan.code, 0, "no hiccup: the plan is empty:\n{}", plan.all());
    assert!(says(&plan.all(), SWITCH_WARNING), "{}", plan.all());
    assert_eq!(v1, 1, "one v1 request finds v1 gone");
    // A plan does not store what it learnt; any apply (here refresh-only) does.
    let (refresh, v1, _) = counted(&workspace, &api, &["apply", "-refresh-only", "-auto-approve", "-no-color"]);
    refresh.assert_ok("refresh-only apply");
    assert!(v1 <= 1, "a fresh process: at most one v1 request, saw {v1}");
    let (plan, v1, _) = counted(&workspace, &api, &["plan", "-detailed-exitcode", "-no-color"]);
    assert_eq!(plan.code, 0, "{}", plan.all());
    assert_eq!(v1, 0, "the family is now in private state");
    assert_state(&workspace, &want, "nothing lost");
    eprintln!("created on v1, then v1 retired: first plan 1 v1 request, after a stored refresh 0");
}

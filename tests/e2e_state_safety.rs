//! End-to-end: state safety of `cloudflare_origin_cloud_region_mappings` in situations a
//! careful user meets (issue 12): a zone holding an IPv4-mapped IPv6 mapping, `mappings = null`,
//! a respelled key, an IP the zone already maps outside the resource, and a hundred rejections
//! of one cause. Each scenario runs on every Terraform version the suite finds.
//!
//! Run with `cargo test --test e2e_state_safety`.

mod support;

use support::mappings::{
    assert_diagnostic_at, expected, line_of, main_tf, remote, required_providers, resource_values, says,
    state_keys, state_view, Entry, View, RESOURCE_TYPE,
};
use support::{connected_workspace, for_each_terraform, LocalApi, Run};

const ZONE: &str = "023e105f4ecef8ad9ca31a8372d0c353";

fn address(name: &str) -> String {
    format!("{RESOURCE_TYPE}.{name}")
}

fn with(view: &View, extra: &[Entry]) -> View {
    let mut view = view.clone();
    view.extend(expected(extra));
    view
}

/// How many error diagnostics Terraform printed (`-no-color` output, any version).
fn error_blocks(run: &Run) -> usize {
    run.all().lines().filter(|line| line.trim_start_matches(['│', ' ']).starts_with("Error: ")).count()
}

fn warning_blocks(run: &Run) -> usize {
    run.all().lines().filter(|line| line.trim_start_matches(['│', ' ']).starts_with("Warning: ")).count()
}

// Defect 1 -----------------------------------------------------------------------------------

#[test]
fn a_zone_holding_an_ipv4_mapped_address_is_refused_at_import_and_leaves_no_state() {
    for_each_terraform("ipv4-mapped import", |terraform| {
        let api = LocalApi::start();
        let usable: &[Entry] = &[("192.0.2.1", "aws", "us-east-1"), ("2001:db8::1", "gcp", "us-central1")];
        for (ip, vendor, region) in usable {
            api.control.put_mapping(ZONE, ip, vendor, region).unwrap();
        }
        // Written by another tool: Cloudflare keeps it as an IPv6 address.
        api.control.put_mapping(ZONE, "::ffff:192.0.2.7", "aws", "us-east-1").unwrap();
        let workspace = connected_workspace(terraform, &api, &main_tf("zone", ZONE, usable));

        let import = workspace.run(&["import", "-no-color", &address("zone"), ZONE]);
        assert_ne!(import.code, 0, "the import must fail:\n{}", import.all());
        assert!(import.all().contains("::ffff:192.0.2.7"), "the IP is named:\n{}", import.all());
        assert!(says(&import.all(), "nothing was imported"), "{}", import.all());
        let suggested = format!("{ZONE}/192.0.2.1,2001:db8::1");
        assert!(says(&import.all(), &suggested), "the ID for the other IPs is given:\n{}", import.all());
        assert!(resource_values(&workspace.state(), &address("zone")).is_none(), "no state is written");
        let plan = workspace.plan();
        assert_eq!(plan.code, 2, "later plans still work (and plan a create):\n{}", plan.all());
        assert!(!plan.all().contains("Could not read stored state"), "{}", plan.all());

        // The way out the error gives: import the other IPs; everything works afterwards.
        workspace.run(&["import", "-no-color", &address("zone"), &suggested]).assert_ok("import the usable IPs");
        workspace.assert_plan_empty();
        workspace.run(&["destroy", "-auto-approve", "-no-color"]).assert_ok("destroy");
        assert_eq!(remote(&api, ZONE).into_keys().collect::<Vec<_>>(), ["::ffff:192.0.2.7"]);
    });
}

// Defect 2 -----------------------------------------------------------------------------------

#[test]
fn null_mappings_fail_at_plan_at_the_attribute_without_writes() {
    for_each_terraform("null mappings", |terraform| {
        let api = LocalApi::start();
        let entries: &[Entry] = &[("192.0.2.1", "aws", "us-east-1")];
        let workspace = connected_workspace(terraform, &api, &main_tf("origins", ZONE, entries));
        workspace.apply().assert_ok("create");

        let config = format!(
            "{}resource \"{RESOURCE_TYPE}\" \"origins\" {{\n  zone_id  = \"{ZONE}\"\n  mappings = null\n}}\n",
            required_providers()
        );
        workspace.write("main.tf", &config);
        api.control.reset_counters();
        for run in [workspace.plan(), workspace.apply()] {
            assert_eq!(run.code, 1, "refused:\n{}", run.all());
            assert!(!says(&run.all(), "bug in the provider"), "{}", run.all());
            assert!(says(&run.all(), "mappings = {}"), "advice names the alternative:\n{}", run.all());
            assert_diagnostic_at(&run, &config, "mappings = null", "null mappings");
        }
        assert_eq!(api.write_requests(), 0, "{:?}", api.control.requests());
        assert_eq!(remote(&api, ZONE), expected(entries));
        assert_eq!(state_view(&workspace.state(), &address("origins")), expected(entries));
    });
}

// Defect 4 -----------------------------------------------------------------------------------

#[test]
fn a_respelled_key_becomes_the_state_key_without_an_api_write() {
    for_each_terraform("respelled key", |terraform| {
        let api = LocalApi::start();
        let long = "2001:0db8:0000:0000:0000:0000:0000:0001";
        let with_output = |ip: &str| {
            main_tf("origins", ZONE, &[(ip, "gcp", "us-central1"), ("192.0.2.1", "aws", "us-east-1")])
                + &format!("output \"region\" {{\n  value = {}.mappings[\"{ip}\"].region\n}}\n", address("origins"))
        };
        let workspace = connected_workspace(terraform, &api, &with_output(long));
        workspace.apply().assert_ok("create with the long spelling");
        assert!(state_keys(&workspace.state(), &address("origins")).contains(&long.to_string()));

        for ip in ["2001:db8::1", "2001:DB8::1", long] {
            workspace.write("main.tf", &with_output(ip));
            api.control.reset_counters();
            let apply = workspace.apply();
            apply.assert_ok(&format!("apply with {ip}"));
            assert_eq!(api.write_requests(), 0, "a respelling alone sends nothing: {:?}", api.control.requests());
            let state = workspace.state();
            let mut keys = state_keys(&state, &address("origins"));
            keys.sort();
            assert_eq!(keys, ["192.0.2.1", ip], "state keys are the config's keys");
            assert_eq!(state["values"]["outputs"]["region"]["value"], "us-central1", "{state}");
            workspace.assert_plan_empty();
        }
        assert_eq!(
            remote(&api, ZONE),
            expected(&[("2001:db8::1", "gcp", "us-central1"), ("192.0.2.1", "aws", "us-east-1")])
        );
    });
}

// Defect 5 -----------------------------------------------------------------------------------

#[test]
fn adding_an_ip_the_zone_already_maps_warns_at_plan_before_any_write() {
    for_each_terraform("takeover warning", |terraform| {
        let api = LocalApi::start();
        let foreign: &[Entry] = &[("192.0.2.50", "azure", "westeurope"), ("192.0.2.51", "oci", "us-ashburn-1")];
        for (ip, vendor, region) in foreign {
            api.control.put_mapping(ZONE, ip, vendor, region).unwrap();
        }
        let own: &[Entry] = &[("192.0.2.1", "aws", "us-east-1")];
        let workspace = connected_workspace(terraform, &api, &main_tf("origins", ZONE, own));
        let create = workspace.apply();
        create.assert_ok("create without foreign IPs");
        assert_eq!(warning_blocks(&create), 0, "no warning without a takeover:\n{}", create.all());

        // An update adding one IP the zone already maps: a warning at its line, before any write.
        let grown: Vec<Entry> = vec![own[0], ("192.0.2.50", "aws", "eu-west-1"), ("192.0.2.9", "aws", "us-east-2")];
        let config = main_tf("origins", ZONE, &grown);
        workspace.write("main.tf", &config);
        api.control.reset_counters();
        let plan = workspace.plan();
        assert_eq!(plan.code, 2, "{}", plan.all());
        assert_eq!(api.write_requests(), 0, "plan writes nothing");
        let out = plan.all();
        assert_eq!(warning_blocks(&plan), 1, "{out}");
        assert!(says(&out, "192.0.2.50 is already mapped outside this resource"), "{out}");
        assert!(says(&out, "192.0.2.50 (now azure westeurope)"), "{out}");
        assert!(!out.contains("192.0.2.51") && !says(&out, "192.0.2.9 is"), "only the held IP is named:\n{out}");
        assert!(says(&out, "destroying it deletes them"), "{out}");
        assert!(says(&out, &format!("terraform import <address of this resource> '{ZONE}/192.0.2.1,192.0.2.50'")), "{out}");
        let line = line_of(&config, "\"192.0.2.50\" = ");
        assert!(out.contains(&format!("on main.tf line {line}")), "points at the entry's line:\n{out}");

        // The plan was the notice; applying it takes the IP over as documented.
        workspace.apply().assert_ok("apply the takeover");
        assert_eq!(remote(&api, ZONE), with(&expected(&grown), &foreign[1..]));
        workspace.assert_plan_empty();

        // A new resource with a held IP: the warning gives the plain import command; following
        // it imports the mapping without a write, and the next plan adds only the rest.
        let other = main_tf("second", ZONE, &[("192.0.2.51", "oci", "us-ashburn-1"), ("192.0.2.60", "aws", "us-east-1")]);
        let second = connected_workspace(terraform, &api, &other);
        let plan = second.plan();
        let import = format!("{ZONE}/192.0.2.51");
        assert!(says(&plan.all(), &format!("terraform import <address of this resource> '{import}'")), "{}", plan.all());
        api.control.reset_counters();
        second.run(&["import", "-no-color", &address("second"), &import]).assert_ok("import as advised");
        let plan = second.plan();
        assert_eq!(warning_blocks(&plan), 0, "nothing left to take over:\n{}", plan.all());
        second.apply().assert_ok("add the rest");
        assert_eq!(api.write_requests(), 1, "only 192.0.2.60 is sent: {:?}", api.control.requests());
        second.assert_plan_empty();
    });
}

// Defect 7 -----------------------------------------------------------------------------------

const REJECTED: &str = "origin is not allowed for this account";

#[test]
fn a_hundred_rejections_of_one_cause_give_few_error_blocks_naming_every_ip() {
    for_each_terraform("grouped rejections", |terraform| {
        let api = LocalApi::start();
        api.control.fail_region("us-west-2", REJECTED);
        let ips: Vec<String> = (1..=100).map(|i| format!("198.51.100.{i}")).collect();
        let mut entries: Vec<Entry> = ips.iter().map(|ip| (ip.as_str(), "aws", "us-west-2")).collect();
        entries.push(("192.0.2.1", "aws", "us-east-1"));
        let config = main_tf("many", ZONE, &entries);
        let workspace = connected_workspace(terraform, &api, &config);

        let apply = workspace.apply();
        assert_ne!(apply.code, 0, "{}", apply.all());
        let out = apply.all();
        let blocks = error_blocks(&apply);
        eprintln!("[grouped rejections] Terraform {}: 100 rejections gave {blocks} error blocks, {} lines", terraform.version, out.lines().count());
        assert!((1..=10).contains(&blocks), "{blocks} error blocks:\n{out}");
        for ip in &ips {
            let named = squashed_words(&out).any(|word| word.trim_end_matches([',', '.']) == ip);
            assert!(named, "{ip} named in:\n{out}");
        }
        assert_diagnostic_at(&apply, &config, "\"198.51.100.1\" = ", "the first rejection");
        assert!(says(&out, "Cloudflare rejected 97 more mappings for the same reason"), "{out}");
        assert_eq!(out.matches("marks it as tainted").count(), 1, "shared advice once:\n{out}");
        assert_eq!(remote(&api, ZONE), expected(&[("192.0.2.1", "aws", "us-east-1")]));
    });
}

fn squashed_words(text: &str) -> impl Iterator<Item = &str> {
    text.split_whitespace()
}

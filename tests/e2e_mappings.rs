//! End-to-end: real Terraform drives `cloudflare_origin_cloud_region_mappings` against the
//! in-process emulator — lifecycle, batching, partial failure, drift, import, plan-time errors.
//!
//! Run with `cargo test --test e2e_mappings -- --nocapture` (the batch counts are printed).

mod support;

use support::mappings::{
    assert_diagnostic_at, entry_line, expected, line_of, main_tf, many_ips, remote,
    resource_values, says, state_keys, state_view, Entry, View,
    RESOURCE_TYPE,
};
use support::{for_each_terraform, LocalApi, Workspace, PROVIDER_SOURCE};

const ZONE: &str = "023e105f4ecef8ad9ca31a8372d0c353";
const BATCH_V1: &str = "/cache/origin_cloud_regions/batch";

fn address(name: &str) -> String {
    format!("{RESOURCE_TYPE}.{name}")
}

/// A workspace connected to `api`, with `config` as main.tf, initialised.
fn workspace(terraform: &support::Terraform, api: &LocalApi, config: &str) -> Workspace {
    let mut workspace = Workspace::new(terraform);
    api.connect(&mut workspace);
    workspace.write("main.tf", config);
    workspace.init();
    workspace
}

fn with(view: &View, extra: &[Entry]) -> View {
    let mut view = view.clone();
    view.extend(expected(extra));
    view
}

/// Whether `version` ("1.11.4") is at least `major.minor`.

// Scenario 1 ---------------------------------------------------------------------------------

#[test]
fn apply_update_destroy_touch_only_managed_ips() {
    for_each_terraform("lifecycle", |terraform| {
        let api = LocalApi::start();
        let unmanaged: &[Entry] = &[("203.0.113.77", "azure", "westeurope")];
        api.control.put_mapping(ZONE, "203.0.113.77", "azure", "westeurope").unwrap();

        let first: &[Entry] = &[
            ("192.0.2.1", "aws", "us-east-1"),
            ("2001:db8::1", "gcp", "us-central1"),
            ("2001:DB8:0::5", "oci", "us-ashburn-1"),
        ];
        let workspace = workspace(terraform, &api, &main_tf("origins", ZONE, first));
        workspace.apply().assert_ok("first apply");
        assert_eq!(remote(&api, ZONE), with(&expected(first), unmanaged));
        let state = workspace.state();
        assert_eq!(state_view(&state, &address("origins")), expected(first));
        assert!(
            state_keys(&state, &address("origins")).contains(&"2001:DB8:0::5".to_string()),
            "state keeps the IP as written: {state}"
        );
        let values = resource_values(&state, &address("origins")).unwrap();
        assert_eq!(values["id"], ZONE);
        assert!(values["modified_on"].as_str().is_some_and(|s| !s.is_empty()), "{values}");
        workspace.assert_plan_empty();

        // Change a region, add one, remove one.
        let second: &[Entry] = &[
            ("192.0.2.1", "aws", "us-west-2"),
            ("2001:db8::1", "gcp", "us-central1"),
            ("192.0.2.9", "azure", "eastus"),
        ];
        workspace.write("main.tf", &main_tf("origins", ZONE, second));
        api.control.reset_counters();
        workspace.apply().assert_ok("update apply");
        assert_eq!(api.count("PATCH", BATCH_V1), 1, "one upsert batch for the change and the add");
        assert_eq!(api.count("DELETE", BATCH_V1), 1, "one delete batch for the removal");
        assert_eq!(api.write_requests(), 2, "{:?}", api.control.requests());
        assert_eq!(remote(&api, ZONE), with(&expected(second), unmanaged));
        assert_eq!(state_view(&workspace.state(), &address("origins")), expected(second));
        workspace.assert_plan_empty();

        // Moving to another zone replaces the resource: the old zone keeps only the unmanaged one.
        const OTHER_ZONE: &str = "0123456789abcdef0123456789abcdef";
        workspace.write("main.tf", &main_tf("origins", OTHER_ZONE, second));
        let plan = workspace.plan();
        assert_eq!(plan.code, 2, "{}", plan.all());
        assert!(plan.all().contains("1 to add, 0 to change, 1 to destroy"), "{}", plan.all());
        assert!(plan.all().contains("forces replacement"), "{}", plan.all());
        workspace.apply().assert_ok("apply the zone move");
        assert_eq!(remote(&api, ZONE), expected(unmanaged));
        assert_eq!(remote(&api, OTHER_ZONE), expected(second));
        workspace.assert_plan_empty();
        workspace.write("main.tf", &main_tf("origins", ZONE, second));
        workspace.apply().assert_ok("move back");
        assert_eq!(remote(&api, ZONE), with(&expected(second), unmanaged));
        assert!(remote(&api, OTHER_ZONE).is_empty());

        let destroy = workspace.run(&["destroy", "-auto-approve", "-no-color"]);
        destroy.assert_ok("destroy");
        assert_eq!(remote(&api, ZONE), expected(unmanaged), "only the unmanaged mapping is left");
        assert!(resource_values(&workspace.state(), &address("origins")).is_none());
    });
}

// Scenario 2 ---------------------------------------------------------------------------------

#[test]
fn batches_of_one_hundred_and_only_changes_are_sent() {
    for_each_terraform("batching", |terraform| {
        let api = LocalApi::start();
        let ips = many_ips(250);
        let mut entries: Vec<Entry> = ips.iter().map(|ip| (ip.as_str(), "aws", "us-east-1")).collect();
        let workspace = workspace(terraform, &api, &main_tf("many", ZONE, &entries));

        workspace.apply().assert_ok("apply 250 mappings");
        let create_patches = api.count("PATCH", BATCH_V1);
        let create_writes = api.write_requests();
        eprintln!(
            "[batching] Terraform {}: creating 250 mappings sent {create_patches} PATCH batch requests ({create_writes} writes in all)",
            terraform.version
        );
        assert_eq!(create_patches, 3);
        assert_eq!(create_writes, 3, "{:?}", api.control.requests());
        assert_eq!(remote(&api, ZONE), expected(&entries));
        workspace.assert_plan_empty();

        entries[137] = (ips[137].as_str(), "aws", "eu-west-1");
        workspace.write("main.tf", &main_tf("many", ZONE, &entries));
        api.control.reset_counters();
        workspace.apply().assert_ok("change one of 250");
        let update_patches = api.count("PATCH", BATCH_V1);
        let update_writes = api.write_requests();
        eprintln!(
            "[batching] Terraform {}: changing 1 of 250 sent {update_patches} PATCH batch request ({update_writes} writes in all)",
            terraform.version
        );
        assert_eq!(update_patches, 1);
        assert_eq!(update_writes, 1, "{:?}", api.control.requests());
        assert_eq!(remote(&api, ZONE), expected(&entries));
        workspace.assert_plan_empty();
    });
}

// Scenario 3 ---------------------------------------------------------------------------------

const REJECTED: &str = "origin is not allowed for this account";

fn ten_entries() -> Vec<Entry<'static>> {
    vec![
        ("192.0.2.10", "aws", "us-east-1"),
        ("192.0.2.11", "aws", "us-east-2"),
        ("192.0.2.12", "gcp", "us-central1"),
        ("192.0.2.13", "gcp", "us-east1"),
        ("192.0.2.14", "azure", "eastus"),
        ("192.0.2.15", "azure", "westus2"),
        ("192.0.2.16", "oci", "us-ashburn-1"),
        ("2001:db8::16", "oci", "us-phoenix-1"),
        ("2001:db8::17", "aws", "eu-west-1"),
        ("2001:DB8::18", "gcp", "europe-west1"),
    ]
}

/// Asserts the failed apply names `ip`, the API's text, and shows the entry's config line.
fn assert_item_error(run: &support::Run, config: &str, entry: Entry) {
    let out = run.all();
    let (ip, vendor, region) = entry;
    assert!(out.contains(ip), "{ip} named in:\n{out}");
    assert!(says(&out, REJECTED), "API error text shown:\n{out}");
    assert_diagnostic_at(run, config, &format!("\"{ip}\" = "), "failed item");
    assert!(out.contains(entry_line(ip, vendor, region).trim()), "config line shown:\n{out}");
}

#[test]
fn partial_failure_keeps_what_was_applied_and_converges() {
    for_each_terraform("partial failure", |terraform| {
        let api = LocalApi::start();
        let entries = ten_entries();
        let failing = [entries[3], entries[9]];
        for (ip, _, _) in failing {
            api.control.fail_ip(ip, REJECTED).unwrap();
        }
        let config = main_tf("origins", ZONE, &entries);
        let workspace = workspace(terraform, &api, &config);
        let addr = address("origins");

        let apply = workspace.apply();
        assert_ne!(apply.code, 0, "apply must fail:\n{}", apply.all());
        for entry in failing {
            assert_item_error(&apply, &config, entry);
        }
        assert!(says(&apply.all(), "The next apply replaces it"), "says what comes next:\n{}", apply.all());
        let applied: Vec<Entry> = entries.iter().copied().filter(|e| !failing.contains(e)).collect();
        assert_eq!(remote(&api, ZONE), expected(&applied));
        let state = workspace.state();
        assert_eq!(state_view(&state, &addr), expected(&applied), "state holds the other 8");
        let tainted = state["values"]["root_module"]["resources"][0]["tainted"].as_bool();
        assert_eq!(tainted, Some(true), "a create with failures is kept tainted: {state}");

        // `terraform untaint` (optional: the next apply is safe without it) makes the retry an
        // update that sends only the two missing entries.
        api.control.clear_faults();
        workspace.run(&["untaint", "-no-color", &addr]).assert_ok("terraform untaint");
        api.control.reset_counters();
        workspace.apply().assert_ok("apply after untaint");
        assert_eq!(api.write_requests(), 1, "only the 2 missing entries are sent: {:?}", api.control.requests());
        assert_eq!(remote(&api, ZONE), expected(&entries));
        workspace.assert_plan_empty();

        // An update with rejected items is not tainted; fixing the config converges.
        let mut grown = entries.clone();
        grown.push(("192.0.2.20", "aws", "us-west-1"));
        grown.push(("2001:db8::20", "aws", "us-west-2"));
        api.control.fail_ip("192.0.2.20", REJECTED).unwrap();
        api.control.fail_ip("2001:db8::20", REJECTED).unwrap();
        let grown_config = main_tf("origins", ZONE, &grown);
        workspace.write("main.tf", &grown_config);
        let apply = workspace.apply();
        assert_ne!(apply.code, 0, "apply must fail:\n{}", apply.all());
        assert_item_error(&apply, &grown_config, grown[10]);
        assert_item_error(&apply, &grown_config, grown[11]);
        assert_eq!(remote(&api, ZONE), expected(&entries));
        assert_eq!(state_view(&workspace.state(), &addr), expected(&entries));

        let mut fixed = entries.clone();
        fixed.push(("192.0.2.21", "aws", "us-west-1"));
        workspace.write("main.tf", &main_tf("origins", ZONE, &fixed));
        workspace.apply().assert_ok("apply the fixed config");
        assert_eq!(remote(&api, ZONE), expected(&fixed));
        workspace.assert_plan_empty();

        // A deletion the API rejects fails the destroy and stays in state; the rest is gone.
        let kept = fixed[0];
        api.control.fail_ip(kept.0, REJECTED).unwrap();
        let destroy = workspace.run(&["destroy", "-auto-approve", "-no-color"]);
        assert_ne!(destroy.code, 0, "destroy must fail:\n{}", destroy.all());
        assert!(destroy.all().contains(kept.0) && says(&destroy.all(), REJECTED), "{}", destroy.all());
        assert_eq!(remote(&api, ZONE), expected(&[kept]));
        assert_eq!(state_view(&workspace.state(), &addr), expected(&[kept]));
        api.control.clear_faults();
        workspace.run(&["destroy", "-auto-approve", "-no-color"]).assert_ok("destroy after the fault");
        assert!(remote(&api, ZONE).is_empty());
    });
}

// Scenario 4 ---------------------------------------------------------------------------------

#[test]
fn out_of_band_edits_show_as_exactly_those_changes() {
    for_each_terraform("drift", |terraform| {
        let api = LocalApi::start();
        api.control.put_mapping(ZONE, "203.0.113.77", "azure", "westeurope").unwrap();
        let entries: &[Entry] = &[
            ("192.0.2.1", "aws", "us-east-1"),
            ("192.0.2.2", "aws", "us-east-2"),
            ("2001:DB8::3", "gcp", "us-central1"),
            ("2001:db8::4", "oci", "us-ashburn-1"),
        ];
        let workspace = workspace(terraform, &api, &main_tf("origins", ZONE, entries));
        workspace.apply().assert_ok("apply");
        workspace.assert_plan_empty();

        api.control.put_mapping(ZONE, "192.0.2.2", "aws", "eu-central-1").unwrap();
        api.control.remove_mapping(ZONE, "2001:db8::3").unwrap();
        api.control.put_mapping(ZONE, "203.0.113.77", "azure", "eastus").unwrap();

        let plan = workspace.run(&["plan", "-detailed-exitcode", "-no-color", "-out=drift.tfplan"]);
        assert_eq!(plan.code, 2, "plan shows changes:\n{}", plan.all());
        let out = plan.all();
        assert!(out.contains("192.0.2.2") && out.contains("eu-central-1"), "edited IP shown:\n{out}");
        assert!(out.contains("2001:DB8::3"), "deleted IP shown as written:\n{out}");
        assert!(!out.contains("203.0.113.77"), "the unmanaged mapping is not in the plan:\n{out}");
        assert!(out.contains("0 to add, 1 to change, 0 to destroy"), "{out}");

        let shown = workspace.run(&["show", "-json", "drift.tfplan"]);
        shown.assert_ok("terraform show -json plan");
        let plan_json: serde_json::Value = serde_json::from_str(&shown.stdout).unwrap();
        let change = plan_json["resource_changes"]
            .as_array()
            .and_then(|changes| changes.iter().find(|c| c["address"] == address("origins")))
            .map(|c| &c["change"])
            .unwrap_or_else(|| panic!("a change for the resource: {plan_json}"));
        assert_eq!(change["actions"], serde_json::json!(["update"]));
        let before = mappings_of(&change["before"]);
        let after = mappings_of(&change["after"]);
        let differing: Vec<&String> = after.keys().filter(|ip| before.get(*ip) != after.get(*ip)).collect();
        assert_eq!(differing, ["192.0.2.2", "2001:DB8::3"], "before {before:?} after {after:?}");
        assert!(!before.contains_key("2001:DB8::3"), "refresh dropped the deleted IP: {before:?}");

        api.control.reset_counters();
        workspace.run(&["apply", "-auto-approve", "-no-color", "drift.tfplan"]).assert_ok("apply the plan");
        assert_eq!(api.count("PATCH", BATCH_V1), 1);
        assert_eq!(remote(&api, ZONE), with(&expected(entries), &[("203.0.113.77", "azure", "eastus")]));
        workspace.assert_plan_empty();

        // Every managed IP gone: the resource leaves state and is planned for creation.
        for (ip, _, _) in entries {
            api.control.remove_mapping(ZONE, ip).unwrap();
        }
        let plan = workspace.plan();
        assert_eq!(plan.code, 2, "{}", plan.all());
        assert!(plan.all().contains("1 to add, 0 to change, 0 to destroy"), "{}", plan.all());
        workspace.apply().assert_ok("re-create");
        workspace.assert_plan_empty();
    });
}

fn mappings_of(values: &serde_json::Value) -> std::collections::BTreeMap<String, serde_json::Value> {
    values["mappings"]
        .as_object()
        .map(|m| m.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
        .unwrap_or_default()
}

// Scenario 5 ---------------------------------------------------------------------------------

#[test]
fn import_by_zone_and_by_ip_list_then_plan_is_empty() {
    for_each_terraform("import", |terraform| {
        let api = LocalApi::start();
        let zone_entries: &[Entry] = &[
            ("192.0.2.1", "aws", "us-east-1"),
            ("192.0.2.2", "azure", "eastus"),
            ("2001:db8::1", "gcp", "us-central1"),
        ];
        for (ip, vendor, region) in zone_entries {
            api.control.put_mapping(ZONE, ip, vendor, region).unwrap();
        }

        // Whole zone.
        let whole = workspace(terraform, &api, &main_tf("all", ZONE, zone_entries));
        let import = whole.run(&["import", "-no-color", &address("all"), ZONE]);
        import.assert_ok("import by zone");
        assert_eq!(state_view(&whole.state(), &address("all")), expected(zone_entries));
        whole.assert_plan_empty();

        // Listed IPs, in the spelling the config uses.
        let some: &[Entry] = &[("192.0.2.1", "aws", "us-east-1"), ("2001:DB8::1", "gcp", "us-central1")];
        let listed = workspace(terraform, &api, &main_tf("some", ZONE, some));
        let id = format!("{ZONE}/192.0.2.1,2001:DB8::1");
        listed.run(&["import", "-no-color", &address("some"), &id]).assert_ok("import by IP list");
        let state = listed.state();
        assert_eq!(state_view(&state, &address("some")), expected(some));
        assert!(state_keys(&state, &address("some")).contains(&"2001:DB8::1".to_string()), "{state}");
        listed.assert_plan_empty();

        // Bad IDs.
        let probe = workspace(terraform, &api, &main_tf("probe", ZONE, some));
        let bad_ids = [
            ("not-a-zone".to_string(), "<zone_id>/<ip>,<ip>"),
            (format!("{ZONE}/"), "Nothing follows"),
            (format!("{ZONE}/192.0.2.1,,192.0.2.2"), "empty entry"),
            (format!("{ZONE}/192.0.2.0/24"), "192.0.2.0"),
            (format!("{ZONE}/192.0.2.1,192.0.2.99"), "192.0.2.99"),
            ("0123456789abcdef0123456789abcdef".to_string(), "nothing to import"),
        ];
        for (id, needle) in &bad_ids {
            let run = probe.run(&["import", "-no-color", &address("probe"), id]);
            assert_ne!(run.code, 0, "import {id:?} must fail:\n{}", run.all());
            assert!(says(&run.all(), needle), "import {id:?}: {needle:?} in:\n{}", run.all());
        }
        let missing = probe.run(&["import", "-no-color", &address("probe"), &format!("{ZONE}/192.0.2.99")]);
        assert!(says(&missing.all(), "has no mapping for 192.0.2.99"), "{}", missing.all());
        assert!(resource_values(&probe.state(), &address("probe")).is_none());

        // import {} with generated configuration.
        if terraform.at_least(1, 5) {
            // Terraform names the provider by its type in generated configuration, so this
            // workspace uses the local name users are told to use.
            let local = terraform_provider_cloudflare::provider_address::LOCAL_NAME;
            let import_block = format!(
                "terraform {{\n  required_providers {{\n    {local} = {{ source = \"{PROVIDER_SOURCE}\" }}\n  }}\n}}\n\
                 import {{\n  provider = {local}\n  to = {}\n  id = \"{ZONE}/192.0.2.2,2001:DB8::1\"\n}}\n",
                address("gen")
            );
            let generated = workspace(terraform, &api, &import_block);
            let plan = generated.run(&["plan", "-no-color", "-generate-config-out=generated.tf"]);
            plan.assert_ok("plan -generate-config-out");
            let text = std::fs::read_to_string(generated.path().join("generated.tf")).unwrap();
            for needle in ["192.0.2.2", "eastus", "azure", "2001:DB8::1", "us-central1", ZONE] {
                assert!(text.contains(needle), "{needle} in generated.tf:\n{text}");
            }
            generated.apply().assert_ok("apply the import");
            generated.assert_plan_empty();
        } else {
            eprintln!("[import] Terraform {}: no import blocks, generated config skipped", terraform.version);
        }
        assert_eq!(api.write_requests(), 0, "imports only read: {:?}", api.control.requests());
        assert_eq!(remote(&api, ZONE), expected(zone_entries));
    });
}

// Scenario 6 ---------------------------------------------------------------------------------

#[test]
fn invalid_configurations_fail_at_plan_at_their_line_without_writes() {
    // Every case on every version runs before asserting, so one report lists every mismatch.
    let problems = std::cell::RefCell::new(Vec::new());
    for_each_terraform("plan-time errors", |terraform| {
        let mut problems = problems.borrow_mut();
        let api = LocalApi::start();
        let good: Entry = ("192.0.2.1", "aws", "us-east-1");
        let cases: &[(&str, &[Entry], &str, &[&str])] = &[
            ("bad IP", &[good, ("192.0.2.300", "aws", "us-east-1")], "\"192.0.2.300\" = ", &["192.0.2.300"]),
            ("CIDR", &[good, ("192.0.2.0/24", "aws", "us-east-1")], "\"192.0.2.0/24\" = ", &["192.0.2.0/24"]),
            ("bad vendor", &[good, ("192.0.2.2", "amazon", "us-east-1")], "\"192.0.2.2\" = ", &["amazon"]),
            (
                "unknown region",
                &[good, ("192.0.2.3", "aws", "us-eest-1")],
                "\"192.0.2.3\" = ",
                &["us-eest-1", "Did you mean \"us-east-1\"?"],
            ),
            (
                "duplicate canonical IPs",
                &[good, ("2001:DB8::1", "gcp", "us-central1"), ("2001:db8::1", "gcp", "us-east1")],
                "\"2001:db8::1\" = ",
                &["2001:DB8::1", "2001:db8::1"],
            ),
        ];
        let mut workspace = Workspace::new(terraform);
        api.connect(&mut workspace);
        workspace.write("main.tf", &main_tf("origins", ZONE, &[good]));
        workspace.init();
        for (what, entries, line_needle, needles) in cases {
            let what = &format!("Terraform {} {what}", terraform.version);
            let config = main_tf("origins", ZONE, entries);
            workspace.write("main.tf", &config);
            let plan = workspace.plan();
            let out = plan.all();
            let line = line_of(&config, line_needle);
            if plan.code != 1 {
                problems.push(format!("{what}: plan exit code {} (want 1)", plan.code));
            }
            if !out.contains(&format!("on main.tf line {line}")) {
                problems.push(format!("{what}: diagnostic not at main.tf line {line} ({line_needle:?})"));
            }
            for needle in *needles {
                if !says(&out, needle) {
                    problems.push(format!("{what}: {needle:?} missing"));
                }
            }
            if problems.last().is_some_and(|p| p.starts_with(what.as_str())) {
                problems.push(format!("{what}: terraform plan said:\n{out}"));
            }
            let apply = workspace.apply();
            if apply.code == 0 {
                problems.push(format!("{what}: apply succeeded:\n{}", apply.all()));
            }
        }
        if api.write_requests() != 0 {
            problems.push(format!("writes reached the API: {:?}", api.control.requests()));
        }
        if !remote(&api, ZONE).is_empty() {
            problems.push(format!("the zone is not empty: {:?}", remote(&api, ZONE)));
        }
    });
    let problems = problems.into_inner();
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

// Unknown values --------------------------------------------------------------------------------

#[test]
fn mappings_from_unknown_values_are_accepted_at_plan() {
    for_each_terraform("unknown values", |terraform| {
        let api = LocalApi::start();
        let first: &[Entry] = &[("192.0.2.1", "aws", "us-east-1")];
        // `id` is computed, so during the first plan this region is unknown.
        let dependent = format!(
            "resource \"{RESOURCE_TYPE}\" \"second\" {{\n  zone_id = \"{ZONE}\"\n  mappings = {{\n    \"192.0.2.2\" = {{ vendor = \"gcp\", region = \"${{substr({}.id, 0, 0)}}us-east1\" }}\n  }}\n}}\n",
            address("first")
        );
        // The whole map is unknown during the first plan.
        let whole_map = format!(
            "resource \"{RESOURCE_TYPE}\" \"third\" {{\n  zone_id = \"{ZONE}\"\n  mappings = {}.id == \"\" ? {{}} : {{\n    \"2001:DB8::3\" = {{ vendor = \"oci\", region = \"us-ashburn-1\" }}\n  }}\n}}\n",
            address("first")
        );
        let config = main_tf("first", ZONE, first) + &dependent + &whole_map;
        let workspace = workspace(terraform, &api, &config);
        let plan = workspace.plan();
        assert_eq!(plan.code, 2, "{}", plan.all());
        assert!(plan.all().contains("3 to add"), "{}", plan.all());
        assert!(plan.all().contains("(known after apply)"), "{}", plan.all());
        workspace.apply().assert_ok("apply with values known only at apply time");
        assert_eq!(
            remote(&api, ZONE),
            with(&expected(first), &[("192.0.2.2", "gcp", "us-east1"), ("2001:db8::3", "oci", "us-ashburn-1")])
        );
        workspace.assert_plan_empty();
    });
}

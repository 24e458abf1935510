//! End-to-end (issue 12, defect 6): mappings that move between two `for_each` instances of one
//! zone in one apply, and the two halves of a replacement, are never lost — whichever of the
//! instances' deletes and upserts reaches the API first, at natural speed and with slowed
//! deletes.
//!
//! In the suite: one natural round and two slowed ones per Terraform version.
//! The loop (20 rounds each way by default, `MOVE_ROUNDS=n` to change):
//! `cargo test --test e2e_moves -- --ignored --nocapture move_loop`

mod support;

use std::time::Duration;

use support::mappings::{expected, remote, required_providers, state_view, Entry, View, RESOURCE_TYPE};
use support::{connected_workspace, for_each_terraform, LocalApi, Terraform, Workspace};

const ZONE: &str = "023e105f4ecef8ad9ca31a8372d0c353";
const BATCH_V1: &str = "/cache/origin_cloud_regions/batch";
/// Long enough that a delete sent before another instance's upsert lands after it.
const SLOW_DELETE: Duration = Duration::from_millis(400);

/// Stay with instance "a" in every layout.
const A_STAYS: &[Entry] = &[("192.0.2.1", "aws", "us-east-1"), ("192.0.2.2", "aws", "us-east-1")];
/// Stay with instance "b" in every layout.
const B_STAYS: &[Entry] = &[("192.0.2.101", "gcp", "us-central1"), ("192.0.2.102", "gcp", "us-central1")];
/// Move between the instances keeping their value.
const SAME_VALUE: &[Entry] = &[
    ("198.51.100.1", "aws", "us-east-1"),
    ("198.51.100.2", "aws", "us-east-1"),
    ("198.51.100.3", "aws", "us-east-1"),
    ("198.51.100.4", "aws", "us-east-1"),
    ("198.51.100.5", "aws", "us-east-1"),
    ("198.51.100.6", "aws", "us-east-1"),
    ("198.51.100.7", "aws", "us-east-1"),
    ("198.51.100.8", "aws", "us-east-1"),
    ("198.51.100.9", "aws", "us-east-1"),
    ("198.51.100.10", "aws", "us-east-1"),
];
/// Move between the instances, with this value in "a" ...
const NEW_VALUE_IN_A: &[Entry] = &[
    ("198.51.100.21", "aws", "us-east-1"),
    ("198.51.100.22", "aws", "us-east-1"),
    ("198.51.100.23", "aws", "us-east-1"),
    ("198.51.100.24", "aws", "us-east-1"),
    ("198.51.100.25", "aws", "us-east-1"),
];
/// ... and this one in "b".
const NEW_VALUE_IN_B: &[Entry] = &[
    ("198.51.100.21", "aws", "eu-west-1"),
    ("198.51.100.22", "aws", "eu-west-1"),
    ("198.51.100.23", "aws", "eu-west-1"),
    ("198.51.100.24", "aws", "eu-west-1"),
    ("198.51.100.25", "aws", "eu-west-1"),
];
/// Move the other way at the same time.
const AGAINST: &[Entry] = &[
    ("2001:db8::1", "gcp", "us-central1"),
    ("2001:db8::2", "gcp", "us-central1"),
    ("2001:db8::3", "gcp", "us-central1"),
    ("2001:db8::4", "gcp", "us-central1"),
    ("2001:db8::5", "gcp", "us-central1"),
];

/// Which IPs a round moves.
#[derive(Debug, Clone, Copy)]
enum Moves {
    /// The movers one way and `AGAINST` the other way at once: both instances delete and write.
    BothWays,
    /// Only the movers (`AGAINST` stays in "b"): one instance deletes while the other only
    /// writes, so a slowed delete lands after that write unless the provider prevents it.
    OneWay,
}

/// Instance "a"'s and "b"'s mappings in `round`: even rounds hold the movers in "a", odd rounds
/// in "b"; `AGAINST` goes the other way when `moves` is `BothWays`.
fn layout(round: usize, moves: Moves) -> (Vec<Entry<'static>>, Vec<Entry<'static>>) {
    let join = |parts: &[&[Entry<'static>]]| parts.concat();
    let movers_in_a = round.is_multiple_of(2);
    let (against_in_a, against_in_b): (&[Entry], &[Entry]) = match moves {
        Moves::BothWays if !movers_in_a => (AGAINST, &[]),
        _ => (&[], AGAINST),
    };
    if movers_in_a {
        (join(&[A_STAYS, SAME_VALUE, NEW_VALUE_IN_A, against_in_a]), join(&[B_STAYS, against_in_b]))
    } else {
        (join(&[A_STAYS, against_in_a]), join(&[B_STAYS, SAME_VALUE, NEW_VALUE_IN_B, against_in_b]))
    }
}

fn hcl_map(entries: &[Entry]) -> String {
    let lines: Vec<String> = entries
        .iter()
        .map(|(ip, vendor, region)| format!("      \"{ip}\" = {{ vendor = \"{vendor}\", region = \"{region}\" }}"))
        .collect();
    format!("{{\n{}\n    }}", lines.join("\n"))
}

/// One `for_each` resource with an instance per `(key, mappings)`.
fn for_each_config(instances: &[(&str, &[Entry])]) -> String {
    let origins: String =
        instances.iter().map(|(key, entries)| format!("    {key} = {}\n", hcl_map(entries))).collect();
    let resource = format!(
        "resource \"{RESOURCE_TYPE}\" \"moved\" {{\n  for_each = local.origins\n  zone_id  = \"{ZONE}\"\n  \
         mappings = each.value\n}}\n"
    );
    format!("{}locals {{\n  origins = {{\n{origins}  }}\n}}\n\n{resource}", required_providers())
}

fn instance(key: &str) -> String {
    format!("{RESOURCE_TYPE}.moved[\"{key}\"]")
}

fn union(a: &[Entry], b: &[Entry]) -> View {
    let mut view = expected(a);
    view.extend(expected(b));
    view
}

/// Applies `round`'s layout and checks the outcome: exactly the union of both maps in the API,
/// each instance's map in state, and an empty next plan. An error says what differed.
fn move_round(workspace: &Workspace, api: &LocalApi, round: usize, moves: Moves) -> Result<(), String> {
    let (a, b) = layout(round, moves);
    workspace.write("main.tf", &for_each_config(&[("a", &a), ("b", &b)]));
    let applied = workspace.apply();
    if applied.code != 0 {
        return Err(format!("apply failed:\n{}", applied.all()));
    }
    let (want, found) = (union(&a, &b), remote(api, ZONE));
    if found != want {
        let lost: Vec<&String> = want.keys().filter(|ip| found.get(*ip) != want.get(*ip)).collect();
        return Err(format!("the API does not hold the union of both maps; wrong or missing: {lost:?}"));
    }
    let state = workspace.state();
    for (key, entries) in [("a", &a), ("b", &b)] {
        if state_view(&state, &instance(key)) != expected(entries) {
            return Err(format!("state of instance {key:?} is not its map"));
        }
    }
    let plan = workspace.plan();
    if plan.code != 0 {
        return Err(format!("the next plan is not empty:\n{}", plan.all()));
    }
    Ok(())
}

/// A workspace holding round 0's layout.
fn moves_workspace(terraform: &Terraform, api: &LocalApi) -> Workspace {
    let (a, b) = layout(0, Moves::BothWays);
    let workspace = connected_workspace(terraform, api, &for_each_config(&[("a", &a), ("b", &b)]));
    workspace.apply().assert_ok("first apply");
    assert_eq!(remote(api, ZONE), union(&a, &b));
    workspace
}

#[test]
fn ips_move_between_instances_in_both_directions_without_loss() {
    for_each_terraform("moves", |terraform| {
        let api = LocalApi::start();
        let workspace = moves_workspace(terraform, &api);
        move_round(&workspace, &api, 1, Moves::BothWays).unwrap_or_else(|error| panic!("natural speed: {error}"));
        api.control.set_delete_latency(SLOW_DELETE);
        move_round(&workspace, &api, 2, Moves::OneWay).unwrap_or_else(|error| panic!("slowed deletes: {error}"));
        move_round(&workspace, &api, 3, Moves::BothWays).unwrap_or_else(|error| panic!("slowed, both ways: {error}"));

        // Instance "a" leaves the for_each and "b" takes all its IPs: a's destroy (slowed)
        // deletes none of them.
        let (a, b) = layout(4, Moves::BothWays);
        let everything: Vec<Entry> = [a.as_slice(), b.as_slice()].concat();
        workspace.write("main.tf", &for_each_config(&[("b", &everything)]));
        workspace.apply().assert_ok("a leaves, b takes its IPs");
        assert_eq!(remote(&api, ZONE), expected(&everything), "instance a's destroy deleted b's IPs");
        let state = workspace.state();
        assert!(support::mappings::resource_values(&state, &instance("a")).is_none(), "a is destroyed");
        assert_eq!(state_view(&state, &instance("b")), expected(&everything));
        workspace.assert_plan_empty();
    });
}

/// The loop behind its own command: `MOVE_ROUNDS` rounds (default 20) at natural speed and as
/// many with slowed deletes (one way, and both ways at once), on every Terraform version;
/// prints and checks the figures.
#[test]
#[ignore = "a long loop: cargo test --test e2e_moves -- --ignored --nocapture move_loop"]
fn move_loop() {
    let rounds: usize = std::env::var("MOVE_ROUNDS").ok().and_then(|n| n.parse().ok()).unwrap_or(20);
    let figures = std::cell::RefCell::new(Vec::new());
    for_each_terraform("move loop", |terraform| {
        let variants = [
            ("natural speed, both ways", Duration::ZERO, Moves::BothWays),
            ("slowed deletes, one way", SLOW_DELETE, Moves::OneWay),
            ("slowed deletes, both ways", SLOW_DELETE, Moves::BothWays),
        ];
        for (speed, delete_latency, moves) in variants {
            let api = LocalApi::start();
            let workspace = moves_workspace(terraform, &api);
            api.control.set_delete_latency(delete_latency);
            let mut passed = 0;
            for round in 1..=rounds {
                match move_round(&workspace, &api, round, moves) {
                    Ok(()) => passed += 1,
                    Err(error) => eprintln!("[{} {speed}] round {round} failed: {error}", terraform.version),
                }
            }
            let figure = format!("Terraform {} {speed}: {passed}/{rounds}", terraform.version);
            eprintln!("{figure}");
            figures.borrow_mut().push((figure, passed == rounds));
        }
    });
    let figures = figures.into_inner();
    eprintln!("move loop figures:\n{}", figures.iter().map(|(f, _)| f.as_str()).collect::<Vec<_>>().join("\n"));
    assert!(figures.iter().all(|(_, all)| *all), "{figures:?}");
}

fn replaced_config(entries: &[Entry], create_before_destroy: bool) -> String {
    let lifecycle = if create_before_destroy { "  lifecycle {\n    create_before_destroy = true\n  }\n" } else { "" };
    format!(
        "{}resource \"{RESOURCE_TYPE}\" \"replaced\" {{\n  zone_id  = \"{ZONE}\"\n  mappings = {}\n{lifecycle}}}\n",
        required_providers(),
        hcl_map(entries)
    )
}

/// `terraform apply -replace` of one mappings resource whose old and new maps share IPs: the
/// destroy half never deletes what the create half holds, whichever half runs first.
#[test]
fn replacement_halves_keep_the_mappings_they_share() {
    let old: &[Entry] = &[
        ("192.0.2.1", "aws", "us-east-1"),
        ("192.0.2.2", "aws", "us-east-1"),
        ("192.0.2.3", "aws", "us-east-1"),
        ("192.0.2.4", "aws", "us-east-1"),
    ];
    let new: &[Entry] = &[
        ("192.0.2.2", "aws", "us-east-1"),
        ("192.0.2.3", "aws", "eu-west-1"),
        ("192.0.2.4", "aws", "us-east-1"),
        ("192.0.2.5", "aws", "us-east-1"),
    ];
    let newer: &[Entry] = &[
        ("192.0.2.2", "aws", "us-east-1"),
        ("192.0.2.3", "aws", "eu-west-1"),
        ("192.0.2.4", "aws", "us-east-1"),
        ("192.0.2.5", "aws", "us-east-1"),
        ("192.0.2.6", "aws", "us-east-1"),
    ];
    let address = format!("-replace={RESOURCE_TYPE}.replaced");
    let replace = ["apply", "-auto-approve", "-no-color", address.as_str()];
    for_each_terraform("replacement halves", |terraform| {
        let api = LocalApi::start();
        api.control.set_delete_latency(SLOW_DELETE);
        let workspace = connected_workspace(terraform, &api, &replaced_config(old, true));
        workspace.apply().assert_ok("create");

        // create_before_destroy: the create half writes first, then the old object is deleted.
        workspace.write("main.tf", &replaced_config(new, true));
        workspace.run(&replace).assert_ok("replace, create before destroy");
        assert_eq!(remote(&api, ZONE), expected(new), "create before destroy");
        workspace.assert_plan_empty();

        // The default order: the old object is deleted first; what the new one will hold is
        // not deleted at all.
        api.control.reset_counters();
        workspace.write("main.tf", &replaced_config(newer, false));
        workspace.run(&replace).assert_ok("replace, destroy before create");
        assert_eq!(remote(&api, ZONE), expected(newer), "destroy before create");
        assert_eq!(api.count("DELETE", BATCH_V1), 0, "nothing the new object holds is deleted");
        workspace.assert_plan_empty();
    });
}

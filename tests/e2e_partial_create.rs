//! End-to-end (issue 12, defect 8): a create that the API accepts only in part leaves a
//! tainted resource, and the next apply (Terraform replaces a tainted resource) neither deletes
//! nor loses any mapping that stays in the configuration — no `terraform untaint` needed.

mod support;

use support::mappings::{expected, main_tf, remote, says, Entry, RESOURCE_TYPE};
use support::{connected_workspace, for_each_terraform, LocalApi};

const ZONE: &str = "023e105f4ecef8ad9ca31a8372d0c353";
const BATCH_V1: &str = "/cache/origin_cloud_regions/batch";

fn tainted(state: &serde_json::Value, address: &str) -> bool {
    state["values"]["root_module"]["resources"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|resource| resource["address"] == address && resource["tainted"] == true)
}

#[test]
fn the_apply_after_a_partial_create_deletes_nothing_it_keeps() {
    let entries: &[Entry] = &[
        ("192.0.2.1", "aws", "us-east-1"),
        ("192.0.2.2", "aws", "us-east-1"),
        ("192.0.2.3", "gcp", "us-central1"),
        ("192.0.2.4", "aws", "us-east-1"),
        ("2001:db8::1", "gcp", "us-central1"),
    ];
    let accepted: Vec<Entry> = entries.iter().copied().filter(|(ip, _, _)| *ip != "192.0.2.4").collect();
    let address = format!("{RESOURCE_TYPE}.origins");
    for_each_terraform("partial create", |terraform| {
        let api = LocalApi::start();
        api.control.fail_ip("192.0.2.4", "region capacity exhausted").unwrap();
        let workspace = connected_workspace(terraform, &api, &main_tf("origins", ZONE, entries));

        let first = workspace.apply();
        assert_eq!(first.code, 1, "{}", first.all());
        let out = first.all();
        assert!(says(&out, "Cloudflare rejected the mapping for 192.0.2.4"), "{out}");
        assert!(says(&out, "The next apply replaces it"), "the advice says what happens next:\n{out}");
        assert!(!out.contains("untaint"), "no manual step is advised:\n{out}");
        assert_eq!(remote(&api, ZONE), expected(&accepted));
        assert!(tainted(&workspace.state(), &address), "Terraform taints a partly failed create");

        // The cause goes away; the next apply replaces the tainted resource without deleting
        // anything the configuration keeps.
        api.control.clear_faults();
        api.control.reset_counters();
        workspace.apply().assert_ok("the apply after the partial create");
        assert_eq!(api.count("DELETE", BATCH_V1), 0, "{:?}", api.control.requests());
        assert_eq!(remote(&api, ZONE), expected(entries));
        assert!(!tainted(&workspace.state(), &address));
        workspace.assert_plan_empty();
    });
}

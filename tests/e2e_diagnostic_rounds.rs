//! What one plan tells a user fixing a configuration: every error Terraform could report in
//! that round (with the region check, which needs the API, said to be skipped when it cannot
//! run), and rejected credentials once for the provider rather than once per resource.

mod support;

use support::mappings::{required_providers, resource_block, squashed, Entry};
use support::{connected_workspace, for_each_terraform, LocalApi};

const ZONE: &str = "023e105f4ecef8ad9ca31a8372d0c353";
const OTHER_ZONE: &str = "0123456789abcdef0123456789abcdef";

fn count(text: &str, needle: &str) -> usize {
    text.matches(needle).count()
}

#[test]
fn each_plan_shows_every_error_it_can_and_says_when_regions_were_not_checked() {
    let typo: Entry = ("192.0.2.1", "aws", "us-eats-1");
    let bad_ip: Entry = ("192.0.2.300", "aws", "us-east-1");
    let bad_vendor: Entry = ("192.0.2.3", "amazon", "us-east-1");
    for_each_terraform("errors in one round", |terraform| {
        let api = LocalApi::start();
        let config = |zone: &str, entries: &[Entry]| required_providers() + &resource_block("o", zone, entries);
        let workspace = connected_workspace(terraform, &api, &config("not-a-zone", &[typo, bad_ip, bad_vendor]));

        // Round 1: the zone ID, the address and the vendor at once; the region check needs a
        // valid zone, and says it was skipped.
        let plan = workspace.plan();
        let shown = squashed(&plan.all());
        assert_eq!(plan.code, 1, "{shown}");
        for summary in ["Error: Invalid zone ID", "Error: Invalid origin IP address", "Error: Invalid cloud vendor", "Warning: Regions not checked"] {
            assert_eq!(count(&shown, summary), 1, "{summary} once in:\n{shown}");
        }
        assert!(shown.contains("once the zone ID is fixed"), "{shown}");

        // Round 2: the zone fixed, the other errors still stop planning; still said.
        workspace.write("main.tf", &config(ZONE, &[typo, bad_ip, bad_vendor]));
        let shown = squashed(&workspace.plan().all());
        assert!(shown.contains("Error: Invalid origin IP address") && shown.contains("Error: Invalid cloud vendor"), "{shown}");
        assert!(shown.contains("Warning: Regions not checked") && shown.contains("only once the errors here are fixed"), "{shown}");
        assert!(!shown.contains("Invalid zone ID"), "{shown}");

        // Round 3: only the region typo is left, and planning finds it.
        workspace.write("main.tf", &config(ZONE, &[typo, ("192.0.2.30", "aws", "us-east-1"), ("192.0.2.3", "aws", "us-east-1")]));
        let plan = workspace.plan();
        let shown = squashed(&plan.all());
        assert_eq!(plan.code, 1, "{shown}");
        assert!(shown.contains("Error: Unsupported region") && shown.contains("Did you mean \"us-east-1\"?"), "{shown}");
        assert!(!shown.contains("Regions not checked"), "{shown}");
        assert_eq!(api.write_requests(), 0);
    });
}

#[test]
fn rejected_credentials_are_reported_once_without_a_mapping_line() {
    for_each_terraform("rejected credentials once", |terraform| {
        let api = LocalApi::start();
        let config = required_providers()
            + &resource_block("first", ZONE, &[("192.0.2.1", "aws", "us-east-1")])
            + &resource_block("second", OTHER_ZONE, &[("192.0.2.2", "gcp", "us-central1")]);
        let mut workspace = connected_workspace(terraform, &api, &config);
        workspace.set_env("CLOUDFLARE_API_TOKEN", "tok-WRONG-SECRET-1234");
        let plan = workspace.plan();
        let shown = plan.all();
        assert_eq!(plan.code, 1, "{shown}");
        assert_eq!(count(&shown, "Error: "), 1, "one error for the run:\n{shown}");
        assert_eq!(count(&shown, "rejected the credentials"), 1, "the summary is not repeated in the detail:\n{shown}");
        assert!(shown.contains("HTTP 403") && shown.contains("CLOUDFLARE_API_TOKEN"), "{shown}");
        let error = &shown[shown.find("Error: ").expect("the error")..];
        assert!(!error.contains("mappings = {") && !error.contains("192.0.2."), "not pinned to mapping lines:\n{error}");
        assert!(!shown.contains("tok-WRONG-SECRET-1234"), "{shown}");
        assert_eq!(api.write_requests(), 0);
    });
}

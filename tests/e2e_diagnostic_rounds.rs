//! What one plan tells a user fixing a configuration: every error Terraform could report in
//! that round (with the region check, which needs the API, said to be skipped when it cannot
//! run), and rejected credentials once for the provider rather than once per resource: at the
//! provider block when the start-up check is certain, else once at the first resource.

mod support;

use support::mappings::{required_providers, resource_block, squashed, Entry};
use support::{connected_workspace, for_each_terraform, newest_terraform, LocalApi};
use terraform_provider_cloudflare::emulator::{EmulatorConfig, TokenStatus};

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

const ACCOUNT: &str = "9a7806061c88ada191ed06f989cc3dac";
const USER_TOKEN: &str = "cfut_Sn3lZJTBX6kkg7OdcBUAxOO963GEIyGQqnFTOFYY1a2b3c4d";
const ACCOUNT_TOKEN: &str = "cfat_Zq8pWlq4N0cLQ2mT7rXy5vB1nK3jH6gF9dS2aE4u7f1e2d3c";

/// Two resources in two zones behind an explicit provider block, so positions are visible.
fn two_resources() -> String {
    required_providers()
        + "provider \"cloudflare\" {}\n"
        + &resource_block("first", ZONE, &[("192.0.2.1", "aws", "us-east-1")])
        + &resource_block("second", OTHER_ZONE, &[("192.0.2.2", "gcp", "us-central1")])
}

fn emulator_with(token: &str, adjust: impl FnOnce(&mut EmulatorConfig)) -> LocalApi {
    let mut config = EmulatorConfig { api_token: Some(token.to_string()), ..EmulatorConfig::default() };
    adjust(&mut config);
    LocalApi::start_with(config)
}

/// One plan whose only error is the rejected credential, shown at the provider block.
fn assert_rejected_at_provider_block(api: &LocalApi, env: &[(&str, &str)], secrets: &[&str], says: &str) {
    for_each_terraform("rejected at the provider block", |terraform| {
        let mut workspace = connected_workspace(terraform, api, &two_resources());
        for (name, value) in env {
            workspace.set_env(name, value);
        }
        let plan = workspace.plan();
        let shown = plan.all();
        assert_eq!(plan.code, 1, "{shown}");
        assert_eq!(count(&shown, "Error: "), 1, "one error for the run:\n{shown}");
        assert_eq!(count(&shown, "rejected the credentials"), 1, "the summary is not repeated in the detail:\n{shown}");
        let error = &shown[shown.find("Error: ").expect("the error")..];
        assert!(error.contains("in provider \"cloudflare\""), "at the provider block:\n{error}");
        assert!(!error.contains("resource \"") && !error.contains("192.0.2."), "not at a resource:\n{error}");
        assert!(squashed(error).contains(says), "{says:?} in:\n{error}");
        for secret in secrets {
            assert!(!shown.contains(secret), "a secret is shown:\n{shown}");
        }
    });
    assert!(api.zone_requests().is_empty(), "no zone request with a dead credential");
}

#[test]
fn a_dead_user_token_is_one_error_at_the_provider_block() {
    let api = LocalApi::start();
    let wrong = "cfut_WRONGWRONGWRONGWRONGWRONGWRONGWRONGWRONG0a1b2c3d";
    assert_rejected_at_provider_block(&api, &[("CLOUDFLARE_API_TOKEN", wrong)], &[wrong, &wrong[5..]], "Cloudflare answered GET /user/tokens/verify with HTTP 401: [1000] Invalid API Token.");
    let expired = emulator_with(USER_TOKEN, |config| config.token_status = TokenStatus::Expired);
    assert_rejected_at_provider_block(&expired, &[("CLOUDFLARE_API_TOKEN", USER_TOKEN)], &[USER_TOKEN], "this API token is expired");
}

#[test]
fn a_wrong_global_key_is_one_error_at_the_provider_block() {
    let keyed = emulator_with("unused", |config| {
        config.api_key = Some("0123456789abcdef0123456789abcdef01234".into());
        config.api_email = Some("ops@example.com".into());
    });
    let wrong_key = "fedcba9876543210fedcba9876543210fedcb";
    assert_rejected_at_provider_block(
        &keyed,
        &[("CLOUDFLARE_API_TOKEN", ""), ("CLOUDFLARE_API_KEY", wrong_key), ("CLOUDFLARE_EMAIL", "ops@example.com")],
        &[wrong_key],
        "Cloudflare answered GET /user with HTTP 403: [9103]",
    );
}

#[test]
fn account_api_tokens_are_never_refused_at_start() {
    let terraform = newest_terraform();
    // With and without the account: a prefixed account token, and one made before the prefixes
    // (which Cloudflare's user-token check refuses).
    for (token, account) in [(ACCOUNT_TOKEN, Some(ACCOUNT)), (ACCOUNT_TOKEN, None), ("old-account-token-000000000000000000000000", None), ("old-account-token-000000000000000000000000", Some(ACCOUNT))] {
        let api = emulator_with(token, |config| config.token_account = Some(ACCOUNT.to_string()));
        let mut workspace = connected_workspace(terraform, &api, &two_resources());
        workspace.set_env("CLOUDFLARE_API_TOKEN", token);
        if let Some(account) = account {
            workspace.set_env("CLOUDFLARE_ACCOUNT_ID", account);
        }
        let plan = workspace.plan();
        assert_eq!(plan.code, 2, "{token:.9}… with account {account:?}:\n{}", plan.all());
        let checks = api.control.requests().iter().filter(|request| request.path.contains("tokens/verify")).count();
        let expected = match (token.starts_with("cfat_"), account) {
            (true, None) => 0,
            (true, Some(_)) => 1,
            (false, None) => 1,
            (false, Some(_)) => 2,
        };
        assert_eq!(checks, expected, "{token:.9}… with account {account:?}");
    }
}

#[test]
fn a_credential_in_the_wrong_setting_is_named_before_any_request() {
    let api = LocalApi::start();
    let terraform = newest_terraform();
    let mut workspace = connected_workspace(terraform, &api, &two_resources());
    workspace.set_env("CLOUDFLARE_API_TOKEN", "cfk_0123456789abcdef0123456789abcdef01234567a1b2c3d4");
    let shown = squashed(&workspace.plan().all());
    assert!(shown.contains("Error: Global API key given as an API token") && shown.contains("Set it as `api_key` with `email`"), "{shown}");
    assert!(!shown.contains("0123456789abcdef0123456789abcdef01234567"), "{shown}");
    assert!(api.control.requests().is_empty(), "{:?}", api.control.requests());
}

/// A failing plan whose only errors are one "refused access" per zone in `zones`, each naming
/// its zone; the output, squashed.
fn assert_one_error_per_refused_zone(workspace: &support::Workspace, zones: &[&str]) -> String {
    let plan = workspace.plan();
    let shown = squashed(&plan.all());
    assert_eq!(plan.code, 1, "{shown}");
    assert_eq!(count(&shown, "Error: "), zones.len(), "one error per refused zone:\n{shown}");
    assert_eq!(count(&shown, "Error: Cloudflare refused access to the zone"), zones.len(), "{shown}");
    for zone in zones {
        assert_eq!(count(&shown, &format!("Zone {zone}:")), 1, "{zone} named once:\n{shown}");
    }
    assert_eq!(count(&shown, "Warning: "), 0, "the refusal is not repeated as a warning:\n{shown}");
    shown
}

#[test]
fn a_confirmed_token_refused_by_zones_is_one_error_per_zone_naming_it() {
    const THIRD_ZONE: &str = "fedcba9876543210fedcba9876543210";
    for_each_terraform("refused zones", |terraform| {
        let api = LocalApi::start();
        for zone in [OTHER_ZONE, THIRD_ZONE] {
            api.control.fail_zone(zone, 403, 9109, "Unauthorized to access requested resource").expect("fail the zone");
        }
        let config = required_providers()
            + &resource_block("allowed", ZONE, &[("192.0.2.1", "aws", "us-east-1")])
            + &resource_block("refused_a", OTHER_ZONE, &[("192.0.2.2", "gcp", "us-central1")])
            + &resource_block("refused_b", OTHER_ZONE, &[("192.0.2.3", "gcp", "us-central1")])
            + &resource_block("refused_c", THIRD_ZONE, &[("192.0.2.4", "gcp", "us-central1")]);
        let workspace = connected_workspace(terraform, &api, &config);
        let shown = assert_one_error_per_refused_zone(&workspace, &[OTHER_ZONE, THIRD_ZONE]);
        assert!(!shown.contains(&format!("Zone {ZONE}")) && !shown.contains("rejected the credentials"), "{shown}");
        assert!(shown.contains("Cloudflare confirmed this API token when the provider started"), "{shown}");
        assert_eq!(api.write_requests(), 0);
    });
}

#[test]
fn refreshing_many_resources_says_a_refusal_once_per_run_or_per_zone() {
    const THIRD_ZONE: &str = "fedcba9876543210fedcba9876543210";
    for_each_terraform("refusals at refresh", |terraform| {
        let api = LocalApi::start();
        let config = required_providers()
            + &resource_block("a", ZONE, &[("192.0.2.1", "aws", "us-east-1")])
            + &resource_block("b", OTHER_ZONE, &[("192.0.2.2", "gcp", "us-central1")])
            + &resource_block("c", OTHER_ZONE, &[("192.0.2.3", "gcp", "us-central1")])
            + &resource_block("d", THIRD_ZONE, &[("192.0.2.4", "gcp", "us-central1")]);
        let mut workspace = connected_workspace(terraform, &api, &config);
        workspace.apply().assert_ok("apply with the right token");

        // A token Cloudflare's start-up check cannot place (no prefix, refused as a user
        // token, no account_id): the four refreshes fail alike and say it once.
        workspace.set_env("CLOUDFLARE_API_TOKEN", "tok-WRONG-SECRET-9999");
        let plan = workspace.plan();
        let shown = squashed(&plan.all());
        assert_eq!(plan.code, 1, "{shown}");
        assert_eq!(count(&shown, "Error: "), 1, "one error for the run:\n{shown}");
        assert_eq!(count(&shown, "Error: Cloudflare rejected the credentials"), 1, "{shown}");
        assert!(!shown.contains("tok-WRONG-SECRET-9999") && !shown.contains("Could not read"), "{shown}");

        // The right token, confirmed at start, but two zones refuse it: one error per zone.
        workspace.set_env("CLOUDFLARE_API_TOKEN", api.token());
        for zone in [OTHER_ZONE, THIRD_ZONE] {
            api.control.fail_zone(zone, 403, 9109, "Unauthorized to access requested resource").expect("fail the zone");
        }
        assert_one_error_per_refused_zone(&workspace, &[OTHER_ZONE, THIRD_ZONE]);
        assert_eq!(api.write_requests(), 4, "only the first apply wrote");
    });
}

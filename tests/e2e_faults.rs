//! End-to-end: real Terraform and the provider against the emulator's fault controls — rate
//! limit storms, server errors, dropped connections, slow answers, rejected credentials, a
//! provider killed mid-apply and Ctrl-C. Each scenario ends with the emulator holding exactly
//! the configuration, state agreeing, and an empty plan.
//!
//! Run with `cargo test --test e2e_faults -- --nocapture` (the figures are printed).

mod support;

use std::time::{Duration, Instant};

use support::faults::{kill, wait_until, Background, RequestClock};
use support::mappings::{
    expected, many_ips, remote, required_providers, resource_block, state_view, Entry, View, RESOURCE_TYPE,
};
use support::{connected_workspace, for_each_terraform, LocalApi, Run, Workspace};
use terraform_provider_cloudflare::emulator::EmulatorConfig;

const ZONE: &str = "023e105f4ecef8ad9ca31a8372d0c353";
const BATCH_V1: &str = "/cache/origin_cloud_regions/batch";
const NAME: &str = "origins";
/// For scenarios that pin which request meets which fault: one batch request at a time makes
/// "the next N requests" land on one chunk. The others run with the default parallelism.
const ONE_BATCH_AT_A_TIME: &str = "batch_parallelism = 1";
/// The provider's default `batch_parallelism`.
const DEFAULT_PARALLELISM: u64 = 4;

fn address() -> String {
    format!("{RESOURCE_TYPE}.{NAME}")
}

/// `count` generated mappings, all in `region` of aws.
fn generated(count: usize, region: &'static str) -> Vec<(String, &'static str, &'static str)> {
    many_ips(count).into_iter().map(|ip| (ip, "aws", region)).collect()
}

fn entries<'a>(owned: &'a [(String, &'static str, &'static str)]) -> Vec<Entry<'a>> {
    owned.iter().map(|(ip, vendor, region)| (ip.as_str(), *vendor, *region)).collect()
}

/// main.tf: a provider block with `settings` (one `name = value` per line) and the resource.
fn main_tf(settings: &[&str], entries: &[Entry]) -> String {
    let mut provider = String::from("provider \"cloudflare\" {\n");
    for setting in settings {
        provider.push_str(&format!("  {setting}\n"));
    }
    provider.push_str("}\n");
    required_providers() + &provider + &resource_block(NAME, ZONE, entries)
}

/// The end condition of every scenario: emulator == configuration == state, and an empty plan.
fn assert_converged(workspace: &Workspace, api: &LocalApi, want: &View) {
    assert_eq!(remote(api, ZONE).len(), want.len(), "mapping count in the emulator");
    assert!(&remote(api, ZONE) == want, "the emulator holds exactly the configuration");
    assert!(&state_view(&workspace.state(), &address()) == want, "state holds exactly the configuration");
    workspace.assert_plan_empty();
}

fn statuses(api: &LocalApi) -> Vec<u16> {
    api.control.requests().iter().map(|request| request.status).collect()
}

fn patches(api: &LocalApi) -> u64 {
    api.count("PATCH", BATCH_V1)
}

fn is_tainted(workspace: &Workspace) -> bool {
    let state = workspace.state();
    state["values"]["root_module"]["resources"][0]["tainted"].as_bool() == Some(true)
}

/// `terraform untaint` of the resource: optional after a partial create, it turns the next
/// apply's replacement into an update that sends only what is missing.
fn untaint(workspace: &Workspace) {
    workspace.run(&["untaint", "-no-color", &address()]).assert_ok("terraform untaint");
}

/// Waits until the background apply has had `count` batch requests answered.
fn wait_for_batches(api: &LocalApi, count: u64) {
    wait_until(&format!("{count} batch requests were answered"), Duration::from_secs(60), || patches(api) >= count);
}

fn assert_shows(run: &Run, needles: &[&str]) {
    let out = run.all();
    for needle in needles {
        assert!(out.contains(needle), "{needle:?} shown in:\n{out}");
    }
}

// 429 storms ---------------------------------------------------------------------------------

#[test]
fn rate_limit_storm_is_waited_out_within_the_retry_budget() {
    for_each_terraform("429 storm", |terraform| {
        let api = LocalApi::start();
        let owned = generated(300, "us-east-1");
        let entries = entries(&owned);
        let workspace = connected_workspace(terraform, &api, &main_tf(&["max_retries = 2", ONE_BATCH_AT_A_TIME], &entries));
        workspace.run(&["plan", "-out=tfplan", "-no-color"]).assert_ok("plan -out");

        api.control.reset_counters();
        let clock = RequestClock::start(&api.control);
        // Four 429s with `Retry-After: 1`: the apply's region check (GET) gives up after its 3
        // attempts (a warning), then the plan's listing of the zone (the check for IPs already
        // mapped outside the resource) is limited once and retried; the batches go through.
        api.control.rate_limit(4, 1);
        let started = Instant::now();
        let apply = workspace.run(&["apply", "-no-color", "tfplan"]);
        let elapsed = started.elapsed();
        apply.assert_ok("apply through a 429 storm");
        let times = clock.times();
        drop(clock);
        assert_shows(&apply, &["Regions not checked", "rate limit still exceeded after 3 attempt(s)", "asked to wait 1 s"]);
        // The provider's start-up credential check comes first and is not rate limited here.
        let all = api.control.requests();
        assert_eq!((all[0].path.ends_with("/user/tokens/verify"), all[0].status), (true, 200));
        let zone_positions: Vec<usize> = (0..all.len()).filter(|&i| all[i].path.contains("/zones/")).collect();
        let requests = api.zone_requests();
        let seen: Vec<(&str, u16)> = requests.iter().map(|r| (r.method.as_str(), r.status)).collect();
        assert_eq!(
            seen,
            [("GET", 429), ("GET", 429), ("GET", 429), ("GET", 429), ("GET", 200), ("PATCH", 200), ("PATCH", 200), ("PATCH", 200)]
        );
        // Budget: 5 operations (region check, listing, 3 batches) x (1 + max_retries) attempts.
        let budget = 5 * 3;
        assert!(requests.len() <= budget);
        // Retries (not the first request after giving up) wait what Retry-After asked for.
        let waits: Vec<Duration> =
            [0, 1, 3].iter().map(|&i| times[zone_positions[i + 1]] - times[zone_positions[i]]).collect();
        for wait in &waits {
            assert!(*wait >= Duration::from_millis(950) && *wait < Duration::from_secs(3), "waits {waits:?}");
        }
        eprintln!(
            "429 storm: 4 x 429 survived, {} requests (budget {budget}), retry waits {waits:?}, apply took {elapsed:?}",
            requests.len()
        );
        assert_converged(&workspace, &api, &expected(&entries));
    });
}

#[test]
fn cancellation_during_a_retry_after_wait_sends_nothing_more() {
    for_each_terraform("429 then Ctrl-C", |terraform| {
        let api = LocalApi::start();
        let owned = generated(300, "us-east-1");
        let entries = entries(&owned);
        let workspace = connected_workspace(terraform, &api, &main_tf(&["max_retries = 3", ONE_BATCH_AT_A_TIME], &entries));

        api.control.set_latency(Duration::from_millis(200));
        let apply = Background::spawn(&workspace, &api, &["apply", "-auto-approve", "-no-color"]);
        wait_for_batches(&api, 1);
        // From now on every request is limited with a long Retry-After.
        api.control.rate_limit_for(Duration::from_secs(300), 30);
        wait_until("a batch request was rate limited", Duration::from_secs(30), || {
            api.control.requests().iter().any(|r| r.status == 429)
        });
        let providers = apply.provider_pids();
        assert_eq!(providers.len(), 1, "one provider process under terraform");
        let at_interrupt = api.control.requests().len();
        let sent = Instant::now();
        apply.interrupt();
        let (run, took) = apply.finish(sent, Duration::from_secs(60));
        assert_ne!(run.code, 0, "an interrupted apply fails:\n{}", run.all());
        assert_shows(&run, &["cancelled"]);
        assert!(took < Duration::from_secs(5), "terraform returned {took:?} after Ctrl-C, not after the 30 s Retry-After");
        assert!(!std::path::Path::new(&format!("/proc/{}", providers[0])).exists(), "the provider exited");
        assert_eq!(api.control.requests().len(), at_interrupt, "no request after Ctrl-C");

        let applied = remote(&api, ZONE);
        assert!(is_tainted(&workspace));
        assert_eq!(state_view(&workspace.state(), &address()), applied, "state holds what succeeded");
        eprintln!(
            "429 + Ctrl-C: returned after {took:?} (Retry-After 30 s), {} of 300 applied and in state, 0 requests after Ctrl-C",
            applied.len()
        );

        api.control.clear_faults();
        untaint(&workspace);
        api.control.reset_counters();
        workspace.apply().assert_ok("apply after Ctrl-C");
        assert_eq!(patches(&api) as usize, (300 - applied.len()).div_ceil(100), "only what is missing is sent");
        assert_converged(&workspace, &api, &expected(&entries));
    });
}

// 5xx and dropped connections ---------------------------------------------------------------

#[test]
fn server_errors_and_dropped_connections_mid_batch() {
    for_each_terraform("5xx and drops", |terraform| {
        let api = LocalApi::start();
        let owned = generated(400, "us-east-1");
        let first = entries(&owned);
        let workspace = connected_workspace(terraform, &api, &main_tf(&["max_retries = 3", ONE_BATCH_AT_A_TIME], &first));

        // Retried: a dropped connection then two 503s on a later chunk of the create.
        api.control.set_latency(Duration::from_millis(100));
        let apply = Background::spawn(&workspace, &api, &["apply", "-auto-approve", "-no-color"]);
        wait_for_batches(&api, 1);
        api.control.drop_connections(1);
        api.control.fail_5xx(2, 503);
        let (run, _) = apply.finish(Instant::now(), Duration::from_secs(120));
        run.assert_ok("apply through a dropped connection and 503s");
        let faulted: Vec<u16> = statuses(&api).into_iter().filter(|s| *s != 200).collect();
        assert_eq!(faulted, [0, 503, 503], "the drop (status 0) and both 503s were met and retried");
        assert_eq!(patches(&api), 4 + 3, "4 chunks plus 3 retries");
        api.control.set_latency(Duration::ZERO);
        assert_converged(&workspace, &api, &expected(&first));

        // Finally failing: one chunk of an update gets 500 on all of its 4 attempts.
        let owned_more = generated(700, "us-east-1");
        let grown = entries(&owned_more);
        workspace.write("main.tf", &main_tf(&["max_retries = 3", ONE_BATCH_AT_A_TIME], &grown));
        api.control.reset_counters();
        api.control.set_latency(Duration::from_millis(100));
        let apply = Background::spawn(&workspace, &api, &["apply", "-auto-approve", "-no-color"]);
        wait_for_batches(&api, 1);
        api.control.fail_5xx(4, 500);
        let (run, _) = apply.finish(Instant::now(), Duration::from_secs(120));
        api.control.clear_faults();
        assert_ne!(run.code, 0, "the apply fails:\n{}", run.all());
        assert_shows(&run, &["Batch update of origin cloud region mappings failed", "HTTP 500, gave up after 4 attempts", "100 mappings were not applied: "]);
        let missing: Vec<String> = expected(&grown).into_keys().filter(|ip| !remote(&api, ZONE).contains_key(ip)).collect();
        assert_eq!(missing.len(), 100, "exactly one chunk is missing");
        let listed = not_applied_list(&run);
        assert_eq!(listed, missing, "the error lists exactly the entries that were not applied");
        assert!(!is_tainted(&workspace), "a failed update is not tainted");
        assert_eq!(state_view(&workspace.state(), &address()), remote(&api, ZONE), "state keeps what succeeded");
        eprintln!("5xx/drops: drop + 2 x 503 survived (7 batch requests for 4 chunks); 4 x 500 left exactly 100 listed entries unapplied, 600 kept");

        api.control.reset_counters();
        workspace.apply().assert_ok("apply after the 500s");
        assert_eq!(patches(&api), 1, "only the missing chunk is sent");
        assert_converged(&workspace, &api, &expected(&grown));
    });
}

/// The IPs listed after "mappings were not applied: " (one failed request), sorted. Terraform
/// wraps long diagnostics at spaces, so the list may span lines; it ends with a full stop.
fn not_applied_list(run: &Run) -> Vec<String> {
    const MARKER: &str = "mappings were not applied: ";
    let out = run.all();
    let rest = &out[out.find(MARKER).expect("the not-applied list") + MARKER.len()..];
    let list = rest.split(".\n").next().unwrap_or_default().trim_end_matches('.');
    let mut ips: Vec<String> = list.split(',').map(|ip| ip.trim().to_string()).collect();
    ips.sort();
    ips
}

// Slow answers ------------------------------------------------------------------------------

#[test]
fn answers_slower_than_the_timeout_are_retried_then_fail_clearly() {
    for_each_terraform("timeouts", |terraform| {
        let api = LocalApi::start();
        let owned = generated(50, "us-east-1");
        let entries = entries(&owned);
        let settings = ["max_retries = 1", "request_timeout_seconds = 1"];
        let workspace = connected_workspace(terraform, &api, &main_tf(&settings, &entries));
        workspace.run(&["plan", "-out=tfplan", "-no-color"]).assert_ok("plan -out");

        api.control.reset_counters();
        api.control.set_latency(Duration::from_millis(1500));
        let started = Instant::now();
        let apply = workspace.run(&["apply", "-no-color", "tfplan"]);
        let elapsed = started.elapsed();
        assert_ne!(apply.code, 0, "{}", apply.all());
        assert_shows(&apply, &["did not answer within 1 s on any of 2 attempt(s)", "Regions not checked"]);
        // Region check: 2 attempts, batch: 2 attempts, each cut off after 1 s.
        assert!(elapsed >= Duration::from_secs(4), "{elapsed:?}");
        eprintln!(
            "timeouts: 4 timed-out attempts, error after {elapsed:?}; emulator recorded {} requests, holds {} mappings",
            api.control.requests().len(),
            remote(&api, ZONE).len()
        );
        assert!(state_view(&workspace.state(), &address()).is_empty(), "nothing confirmed, nothing in state");

        api.control.set_latency(Duration::ZERO);
        workspace.apply().assert_ok("apply once answers are fast again");
        assert_converged(&workspace, &api, &expected(&entries));
    });
}

// Rejected credentials ----------------------------------------------------------------------

const WRONG_TOKEN: &str = "tok-WRONG-SECRET-4711";
const WRONG_KEY: &str = "key-WRONG-SECRET-0815";

#[test]
fn rejected_credentials_name_the_settings_and_hide_the_secret() {
    for_each_terraform("401/403", |terraform| {
        let api = LocalApi::start();
        let owned = generated(200, "us-east-1");
        let entries = entries(&owned);
        let mut workspace = connected_workspace(terraform, &api, &main_tf(&[], &entries));
        let token_settings = ["api_token", "CLOUDFLARE_API_TOKEN"];

        // 403 before anything is written: the plan's region lookup is refused, so the run stops
        // at plan time with the credential settings named, and no write is attempted.
        workspace.set_env("CLOUDFLARE_API_TOKEN", WRONG_TOKEN);
        let apply = workspace.apply();
        assert_ne!(apply.code, 0);
        assert_shows(&apply, &["Cloudflare rejected the credentials"]);
        assert_shows(&apply, &token_settings);
        assert_shows(&apply, &["HTTP 403", "10000"]);
        assert!(!apply.all().contains(WRONG_TOKEN), "the token is not shown:\n{}", apply.all());
        assert_eq!(patches(&api), 0, "nothing is written with rejected credentials");
        assert_eq!(api.write_requests(), 0);
        assert!(remote(&api, ZONE).is_empty());

        workspace.set_env("CLOUDFLARE_API_TOKEN", api.token());
        workspace.apply().assert_ok("apply with the right token");
        assert_converged(&workspace, &api, &expected(&entries));

        // 403 on refresh.
        workspace.set_env("CLOUDFLARE_API_TOKEN", WRONG_TOKEN);
        let plan = workspace.plan();
        assert_eq!(plan.code, 1);
        assert_shows(&plan, &token_settings);
        assert!(!plan.all().contains(WRONG_TOKEN), "the token is not shown:\n{}", plan.all());

        // 401 (e.g. a token revoked mid-run) on refresh.
        workspace.set_env("CLOUDFLARE_API_TOKEN", api.token());
        api.control.fail_5xx(1, 401);
        let plan = workspace.plan();
        assert_eq!(plan.code, 1);
        assert_shows(&plan, &token_settings);
        assert_shows(&plan, &["HTTP 401"]);
        api.control.clear_faults();
        assert_converged(&workspace, &api, &expected(&entries));
    });
}

#[test]
fn rejected_global_key_names_key_and_email_settings() {
    for_each_terraform("403 key+email", |terraform| {
        let api = LocalApi::start_with(EmulatorConfig {
            api_token: None,
            api_key: Some("key-GOOD-0001".into()),
            api_email: Some("ops@example.com".into()),
            ..EmulatorConfig::default()
        });
        let owned = generated(3, "us-east-1");
        let entries = entries(&owned);
        let mut workspace = Workspace::new(terraform);
        workspace.set_env("CLOUDFLARE_BASE_URL", &api.base_url);
        workspace.set_env("CLOUDFLARE_API_KEY", WRONG_KEY);
        workspace.set_env("CLOUDFLARE_EMAIL", "ops@example.com");
        workspace.write("main.tf", &main_tf(&[], &entries));
        workspace.init();

        let apply = workspace.apply();
        assert_ne!(apply.code, 0);
        assert_shows(&apply, &["api_key", "email", "CLOUDFLARE_API_KEY", "CLOUDFLARE_EMAIL", "9103"]);
        assert!(!apply.all().contains(WRONG_KEY), "the key is not shown:\n{}", apply.all());
        assert!(remote(&api, ZONE).is_empty());

        workspace.set_env("CLOUDFLARE_API_KEY", "key-GOOD-0001");
        workspace.apply().assert_ok("apply with the right key");
        assert_converged(&workspace, &api, &expected(&entries));
    });
}

// The provider killed mid-apply -------------------------------------------------------------

#[test]
fn provider_killed_mid_apply_then_the_next_apply_converges() {
    for_each_terraform("SIGKILL", |terraform| {
        let api = LocalApi::start();
        let owned = generated(1000, "us-east-1");
        let first = entries(&owned);
        let workspace = connected_workspace(terraform, &api, &main_tf(&["requests_per_second = 100"], &first));

        // The provider alone is killed during a create.
        api.control.set_latency(Duration::from_millis(300));
        let apply = Background::spawn(&workspace, &api, &["apply", "-auto-approve", "-no-color"]);
        wait_for_batches(&api, 3);
        let providers = apply.provider_pids();
        assert_eq!(providers.len(), 1, "one provider process under terraform");
        kill(providers[0]);
        let (run, _) = apply.finish(Instant::now(), Duration::from_secs(60));
        assert_ne!(run.code, 0, "{}", run.all());
        let landed = remote(&api, ZONE).len();
        assert!(landed > 0 && landed < 1000, "killed mid-apply: {landed} landed");
        assert!(state_view(&workspace.state(), &address()).is_empty(), "the create never returned");
        api.control.set_latency(Duration::ZERO);
        workspace.apply().assert_ok("apply after the provider was killed");
        assert_converged(&workspace, &api, &expected(&first));
        eprintln!("SIGKILL provider during create: {landed} of 1000 had landed; next apply converged, 0 lost, 0 orphaned");

        // Terraform and the provider are killed together (a crash) during an update.
        let owned_moved = generated(1000, "us-west-2");
        let moved = entries(&owned_moved);
        workspace.write("main.tf", &main_tf(&["requests_per_second = 100"], &moved));
        api.control.reset_counters();
        api.control.set_latency(Duration::from_millis(300));
        let apply = Background::spawn(&workspace, &api, &["apply", "-auto-approve", "-no-color"]);
        wait_for_batches(&api, 3);
        apply.kill_group();
        let _ = apply.finish(Instant::now(), Duration::from_secs(30));
        api.control.set_latency(Duration::ZERO);
        let moved_count = remote(&api, ZONE).values().filter(|(_, region)| region == "us-west-2").count();
        assert!(moved_count > 0 && moved_count < 1000, "killed mid-update: {moved_count} moved");
        let again = workspace.apply();
        again.assert_ok("apply after terraform and the provider were killed");
        assert_converged(&workspace, &api, &expected(&moved));
        eprintln!("SIGKILL terraform + provider during update: {moved_count} of 1000 had moved; next apply converged");
    });
}

// Ctrl-C -------------------------------------------------------------------------------------

#[test]
fn ctrl_c_during_a_long_apply_returns_promptly_with_what_succeeded() {
    for_each_terraform("Ctrl-C", |terraform| {
        let api = LocalApi::start();
        let owned = generated(1000, "us-east-1");
        let entries = entries(&owned);
        let workspace = connected_workspace(terraform, &api, &main_tf(&["requests_per_second = 100"], &entries));

        api.control.set_latency(Duration::from_millis(300));
        let apply = Background::spawn(&workspace, &api, &["apply", "-auto-approve", "-no-color"]);
        wait_for_batches(&api, 3);
        let providers = apply.provider_pids();
        assert_eq!(providers.len(), 1);
        let at_interrupt = patches(&api);
        let sent = Instant::now();
        apply.interrupt();
        let (run, took) = apply.finish(sent, Duration::from_secs(60));
        assert_ne!(run.code, 0, "{}", run.all());
        assert_shows(&run, &["cancelled"]);
        assert!(!run.all().contains("plugin crashed") && !run.all().contains("did not respond"), "a graceful stop:\n{}", run.all());
        assert!(took < Duration::from_secs(5), "returned {took:?} after Ctrl-C");
        assert!(!std::path::Path::new(&format!("/proc/{}", providers[0])).exists(), "the provider exited");
        let after = patches(&api);
        assert!(after <= at_interrupt + DEFAULT_PARALLELISM, "at most the requests in flight complete after Ctrl-C");

        let in_state = state_view(&workspace.state(), &address());
        let applied = remote(&api, ZONE);
        assert!(is_tainted(&workspace));
        // One error for the whole interrupted batch, not one per chunk of 100.
        assert_eq!(run.all().matches("Batch update of origin cloud region mappings failed").count(), 1, "{}", run.all());
        assert_shows(&run, &[&format!("{} mappings were not applied", 1000 - in_state.len())]);
        assert!(in_state.len() >= 300 && in_state.len() < 1000, "{} in state", in_state.len());
        assert!(in_state.iter().all(|(ip, target)| applied.get(ip) == Some(target)), "state holds only what succeeded");
        eprintln!(
            "Ctrl-C: returned after {took:?}; {} in state, {} in the emulator ({} batch requests at Ctrl-C, {after} after)",
            in_state.len(),
            applied.len(),
            at_interrupt
        );

        api.control.set_latency(Duration::ZERO);
        untaint(&workspace);
        workspace.apply().assert_ok("apply after Ctrl-C");
        assert_converged(&workspace, &api, &expected(&entries));
    });
}

//! End-to-end bad-input catalogue: every case runs through real Terraform against its own
//! emulator and must fail with a clear diagnostic (its summary, and the configuration line it
//! belongs to when it has one), exit code 1, no panic, and no write request sent.
//!
//! Cases run concurrently (a few workers per Terraform version), each in its own workspace with
//! its own emulator, so one case can never hide or cause another's failure. Every mismatch of
//! every case is collected before the test fails, so one run reports them all.

mod support;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Instant;

use support::mappings::{line_of, many_ips, required_providers, resource_block, Entry, RESOURCE_TYPE};
use support::{for_each_terraform, LocalApi, Terraform, Workspace, PROVIDER_ADDRESS};

const ZONE: &str = "023e105f4ecef8ad9ca31a8372d0c353";
const SINGLE_TYPE: &str = "cloudflare_origin_cloud_region";
const GOOD: Entry = ("192.0.2.1", "aws", "us-east-1");

/// Concurrent cases per Terraform version (the machine has 2 cores; Terraform mostly waits).
const WORKERS: usize = 3;

/// What the case asks Terraform to do.
enum Action {
    Plan,
    Import { address: String, id: String },
}

/// How the provider finds the emulator and its credentials.
enum Credentials {
    /// `CLOUDFLARE_BASE_URL` and `CLOUDFLARE_API_TOKEN` point at the case's emulator.
    Emulator,
    /// Only `CLOUDFLARE_BASE_URL`; the configuration supplies (or omits) the credentials.
    BaseUrlOnly,
}

struct Case {
    name: String,
    main_tf: String,
    credentials: Credentials,
    env: Vec<(&'static str, String)>,
    /// A hand-written terraform.tfstate, for malformed-state cases.
    state: Option<String>,
    action: Action,
    summary: &'static str,
    /// The diagnostic must point at the line containing this text, and show that line.
    at: Option<String>,
    /// More text the output must contain (the offending value, advice).
    needles: Vec<String>,
}

impl Case {
    fn plan(name: impl Into<String>, main_tf: String, summary: &'static str) -> Case {
        Case {
            name: name.into(),
            main_tf,
            credentials: Credentials::Emulator,
            env: Vec::new(),
            state: None,
            action: Action::Plan,
            summary,
            at: None,
            needles: Vec::new(),
        }
    }

    fn at(mut self, needle: impl Into<String>) -> Case {
        self.at = Some(needle.into());
        self
    }

    fn needles(mut self, needles: &[&str]) -> Case {
        self.needles.extend(needles.iter().map(|n| n.to_string()));
        self
    }
}

fn mappings_tf(entries: &[Entry]) -> String {
    required_providers() + &resource_block("origins", ZONE, entries)
}

fn key(ip: &str) -> String {
    format!("\"{ip}\" = ")
}

/// One bad entry beside a good one; the diagnostic must sit on the bad entry's line.
fn entry_case(name: &str, bad: Entry, summary: &'static str, needles: &[&str]) -> Case {
    Case::plan(name, mappings_tf(&[GOOD, bad]), summary).at(key(bad.0)).needles(needles)
}

fn zone_case(name: &str, zone: &str, needles: &[&str]) -> Case {
    let main_tf = required_providers() + &resource_block("origins", zone, &[GOOD]);
    Case::plan(name, main_tf, "Invalid zone ID").at("zone_id = ").needles(needles)
}

/// A provider block (secrets come from sensitive variables, as in real configurations).
fn provider_case(name: &str, provider_body: &str, summary: &'static str, at: &str) -> Case {
    let variables = "variable \"token\" {\n  type      = string\n  sensitive = true\n  default   = \"tok-BAD-INPUT-0001\"\n}\n\
                     variable \"key\" {\n  type      = string\n  sensitive = true\n  default   = \"key-BAD-INPUT-0002\"\n}\n";
    let main_tf = required_providers()
        + variables
        + &format!("provider \"cloudflare\" {{\n{provider_body}}}\n")
        + &resource_block("origins", ZONE, &[GOOD]);
    let mut case = Case::plan(name, main_tf, summary).at(at);
    case.credentials = Credentials::BaseUrlOnly;
    case
}

fn import_case(name: &str, id: &str, needles: &[&str]) -> Case {
    let mut case = Case::plan(name, mappings_tf(&[GOOD]), "Invalid import ID").needles(needles);
    case.action = Action::Import { address: format!("{RESOURCE_TYPE}.origins"), id: id.to_string() };
    case
}

fn single_import_case(name: &str, id: &str, needles: &[&str]) -> Case {
    let main_tf = required_providers()
        + &format!(
            "resource \"{SINGLE_TYPE}\" \"one\" {{\n  zone_id   = \"{ZONE}\"\n  origin_ip = \"192.0.2.1\"\n  vendor    = \"aws\"\n  region    = \"us-east-1\"\n}}\n"
        );
    let mut case = Case::plan(name, main_tf, "Invalid import ID").needles(needles);
    case.action = Action::Import { address: format!("{SINGLE_TYPE}.one"), id: id.to_string() };
    case
}

/// A state file as an older provider version (or a hand edit) might have left it.
fn state_case(
    name: &str,
    schema_version: u64,
    attributes: serde_json::Value,
    summary: &'static str,
    needles: &[&str],
) -> Case {
    let state = serde_json::json!({
        "version": 4,
        "terraform_version": "1.0.0",
        "serial": 1,
        "lineage": "00000000-0000-0000-0000-0000000000b1",
        "outputs": {},
        "resources": [{
            "mode": "managed",
            "type": RESOURCE_TYPE,
            "name": "origins",
            "provider": format!("provider[\"{PROVIDER_ADDRESS}\"]"),
            "instances": [{
                "schema_version": schema_version,
                "attributes": attributes,
                "sensitive_attributes": []
            }]
        }]
    });
    let mut case = Case::plan(name, mappings_tf(&[GOOD]), summary).needles(needles);
    case.state = Some(serde_json::to_string_pretty(&state).unwrap());
    case
}

fn catalogue() -> Vec<Case> {
    const IP: &str = "Invalid origin IP address";
    const VENDOR: &str = "Invalid cloud vendor";
    const REGION: &str = "Invalid region";
    const DUPLICATE: &str = "Duplicate origin IP address";
    let mut cases = vec![
        // Origin IPs (the map keys).
        entry_case("IPv4 octet above 255", ("999.1.1.1", "aws", "us-east-1"), IP, &["999.1.1.1"]),
        entry_case("non-hex IPv6 group", ("::g", "aws", "us-east-1"), IP, &["::g"]),
        entry_case("CIDR range", ("192.0.2.0/24", "aws", "us-east-1"), IP, &["CIDR"]),
        entry_case("IPv6 zone index", ("fe80::1%eth0", "aws", "us-east-1"), IP, &["zone index"]),
        entry_case("empty IP", ("", "aws", "us-east-1"), IP, &["empty"]),
        entry_case("leading space", (" 192.0.2.2", "aws", "us-east-1"), IP, &["whitespace", "\"192.0.2.2\""]),
        entry_case("inner space", ("192.0.2. 3", "aws", "us-east-1"), IP, &["whitespace"]),
        entry_case("IPv4-mapped IPv6", ("::ffff:192.0.2.4", "aws", "us-east-1"), IP, &["\"192.0.2.4\""]),
        entry_case("leading zeros", ("192.000.2.005", "aws", "us-east-1"), IP, &["leading zero", "\"192.0.2.5\""]),
        entry_case("octal-looking octet", ("010.0.0.1", "aws", "us-east-1"), IP, &["leading zero", "\"10.0.0.1\""]),
        entry_case("host name", ("origin.example.com", "aws", "us-east-1"), IP, &["origin.example.com"]),
        entry_case("two :: in IPv6", ("2001:db8::1::2", "aws", "us-east-1"), IP, &["2001:db8::1::2"]),
        entry_case("nine IPv6 groups", ("2001:db8:0:0:0:0:0:0:1", "aws", "us-east-1"), IP, &["2001:db8:0:0:0:0:0:0:1"]),
        entry_case("three IPv4 octets", ("192.0.2", "aws", "us-east-1"), IP, &["192.0.2"]),
        // Vendors.
        entry_case("upper-case vendor", ("192.0.2.10", "AWS", "us-east-1"), VENDOR, &["write \"aws\""]),
        entry_case("empty vendor", ("192.0.2.11", "", "us-east-1"), VENDOR, &["\"aws\", \"azure\", \"gcp\" or \"oci\""]),
        entry_case("unknown vendor", ("192.0.2.12", "ibm", "us-south"), VENDOR, &["\"ibm\""]),
        entry_case("vendor with a space", ("192.0.2.13", " gcp", "us-central1"), VENDOR, &["write \"gcp\""]),
        // Regions (unknown ones are checked against the zone's supported regions: a GET only).
        entry_case("unknown region", ("192.0.2.20", "aws", "us-eest-1"), "Unsupported region", &["us-eest-1", "Did you mean \"us-east-1\"?"]),
        entry_case("region of another vendor", ("192.0.2.21", "gcp", "us-east-1"), "Unsupported region", &["us-east-1"]),
        entry_case("empty region", ("192.0.2.22", "aws", ""), REGION, &["must not be empty"]),
        entry_case("region with spaces", ("192.0.2.23", "aws", "us-east-1 "), REGION, &["whitespace"]),
        {
            let main_tf = mappings_tf(&[GOOD]).replace(&key(GOOD.0), "\"192.0.2.30\" = null\n    \"192.0.2.1\" = ");
            Case::plan("null mapping", main_tf, "Missing mapping").at(key("192.0.2.30")).needles(&["is null"])
        },
        // Duplicates once canonical.
        Case::plan("upper/lower-case IPv6", mappings_tf(&[("2001:DB8::1", "aws", "us-east-1"), ("2001:db8::1", "aws", "us-east-1")]), DUPLICATE)
            .at(key("2001:db8::1"))
            .needles(&["2001:DB8::1", "2001:db8::1"]),
        Case::plan(
            "uncompressed IPv6",
            mappings_tf(&[("2001:0db8:0000:0000:0000:0000:0000:0001", "gcp", "us-east1"), ("2001:db8::1", "gcp", "us-east1")]),
            DUPLICATE,
        )
        .at(key("2001:db8::1"))
        .needles(&["2001:0db8:0000:0000:0000:0000:0000:0001"]),
        Case::plan("partly compressed IPv6", mappings_tf(&[("2001:db8::2:0:1", "oci", "us-ashburn-1"), ("2001:db8:0:0:0:2:0:1", "oci", "us-ashburn-1")]), DUPLICATE)
            .at(key("2001:db8::2:0:1"))
            .needles(&["2001:db8:0:0:0:2:0:1"]),
        // Size.
        {
            let ips = many_ips(3_501);
            let entries: Vec<Entry> = ips.iter().map(|ip| (ip.as_str(), "aws", "us-east-1")).collect();
            Case::plan("3,501 entries", mappings_tf(&entries), "Too many mappings").at("mappings = {").needles(&["3,500", "3501"])
        },
        // Zone IDs.
        zone_case("short zone ID", "023e105f", &["32 lower-case hexadecimal"]),
        zone_case("upper-case zone ID", "023E105F4ECEF8AD9CA31A8372D0C353", &["Write it in lower case"]),
        zone_case("empty zone ID", "", &["32 lower-case hexadecimal"]),
        zone_case("non-hex zone ID", "023e105f4ecef8ad9ca31a8372d0c35g", &["023e105f4ecef8ad9ca31a8372d0c35g"]),
        zone_case("zone name instead of ID", "example.com", &["example.com"]),
    ];
    // Credentials and the provider block.
    let mut missing = Case::plan("missing credentials", mappings_tf(&[GOOD]), "Missing Cloudflare credentials")
        .needles(&["api_token", "CLOUDFLARE_API_TOKEN", "CLOUDFLARE_API_KEY", "CLOUDFLARE_EMAIL"]);
    missing.credentials = Credentials::BaseUrlOnly;
    cases.push(missing);
    cases.push(provider_case(
        "conflicting credentials",
        "  api_token = var.token\n  api_key   = var.key\n  email     = \"ops@example.com\"\n",
        "Conflicting credentials",
        "api_key   = var.key",
    ));
    // `email` is not in the block, so Terraform shows the block's first line.
    cases.push(provider_case("api_key without email", "  api_key = var.key\n", "Missing email for api_key", "provider \"cloudflare\" {"));
    let mut env_conflict = Case::plan("token and key both from the environment", mappings_tf(&[GOOD]), "Conflicting credentials");
    env_conflict.env = vec![("CLOUDFLARE_API_KEY", "key-BAD-INPUT-0003".into()), ("CLOUDFLARE_EMAIL", "ops@example.com".into())];
    cases.push(env_conflict);
    cases.push(
        provider_case(
            "http base_url to a remote host",
            "  api_token = var.token\n  base_url  = \"http://api.example.com/client/v4\"\n",
            "Invalid base_url",
            "base_url  = ",
        )
        .needles(&["plain http"]),
    );
    cases.push(
        provider_case(
            "http base_url to a private address",
            "  api_token = var.token\n  base_url  = \"http://10.1.2.3:8080/client/v4\"\n",
            "Invalid base_url",
            "base_url  = ",
        )
        .needles(&["plain http"]),
    );
    let mut env_url = Case::plan("http base_url from the environment", mappings_tf(&[GOOD]), "Invalid base_url")
        .needles(&["CLOUDFLARE_BASE_URL", "plain http"]);
    env_url.env = vec![("CLOUDFLARE_BASE_URL", "http://api.example.com/client/v4".into())];
    cases.push(env_url);
    cases.push(provider_case(
        "base_url that is not a URL",
        "  api_token = var.token\n  base_url  = \"api.cloudflare.com\"\n",
        "Invalid base_url",
        "base_url  = ",
    ));
    cases.push(provider_case("unknown api_family", "  api_token = var.token\n  api_family = \"v3\"\n", "Invalid api_family", "api_family = "));
    cases.push(provider_case("too many retries", "  api_token = var.token\n  max_retries = 99\n", "Invalid max_retries", "max_retries = "));
    cases.push(provider_case(
        "zero requests per second",
        "  api_token = var.token\n  requests_per_second = 0\n",
        "Invalid requests_per_second",
        "requests_per_second = ",
    ));
    cases.push(
        provider_case(
            "fractional batch parallelism",
            "  api_token = var.token\n  batch_parallelism = 2.5\n",
            "Invalid batch_parallelism",
            "batch_parallelism = ",
        )
        .needles(&["whole number from 1 to 10"]),
    );
    // Import IDs.
    cases.push(import_case("import ID not a zone", "not-a-zone", &["zone ID"]));
    cases.push(import_case("import ID upper-case zone", "023E105F4ECEF8AD9CA31A8372D0C353", &["lower case"]));
    cases.push(import_case("import ID nothing after /", &format!("{ZONE}/"), &["Nothing follows"]));
    cases.push(import_case("import ID empty list entry", &format!("{ZONE}/192.0.2.1,,192.0.2.2"), &["empty entry"]));
    cases.push(import_case("import ID bad IP", &format!("{ZONE}/999.1.1.1"), &["999.1.1.1"]));
    cases.push(import_case("import ID CIDR", &format!("{ZONE}/192.0.2.0/24"), &["192.0.2.0/24"]));
    cases.push(import_case("import ID duplicate IPs", &format!("{ZONE}/2001:DB8::1,2001:db8::1"), &["same address"]));
    cases.push(single_import_case("single-mapping import ID without /", ZONE, &["no \"/\""]));
    cases.push(single_import_case("single-mapping import ID, mapped IPv6", &format!("{ZONE}/::ffff:192.0.2.1"), &["\"192.0.2.1\""]));
    // State written by another provider version, or edited by hand.
    const UNREADABLE: &str = "Could not read stored state";
    let good_state = |mappings: serde_json::Value| {
        serde_json::json!({"id": ZONE, "zone_id": ZONE, "mappings": mappings, "modified_on": "2026-01-01T00:00:00Z"})
    };
    // A schema version above ours: Terraform itself refuses before asking the provider.
    cases.push(state_case(
        "state with unknown schema version 7",
        7,
        good_state(serde_json::json!({})),
        "Resource instance managed by newer provider version",
        &["newer provider version"],
    ));
    cases.push(state_case(
        "state with mappings as a string",
        0,
        good_state(serde_json::json!("192.0.2.1=aws/us-east-1")),
        UNREADABLE,
        &["terraform import"],
    ));
    cases.push(state_case(
        "state with mappings as a list",
        0,
        good_state(serde_json::json!(["192.0.2.1"])),
        UNREADABLE,
        &["terraform import"],
    ));
    cases.push(state_case(
        "state with a numeric vendor",
        0,
        good_state(serde_json::json!({"192.0.2.1": {"vendor": 5, "region": "us-east-1"}})),
        UNREADABLE,
        &["terraform import"],
    ));
    cases.push(state_case(
        "state entry without region",
        0,
        good_state(serde_json::json!({"192.0.2.1": {"vendor": "aws"}})),
        UNREADABLE,
        &["192.0.2.1", "terraform import"],
    ));
    cases.push(state_case(
        "state keyed by something that is no address",
        0,
        good_state(serde_json::json!({"999.1.1.1": {"vendor": "aws", "region": "us-east-1"}})),
        UNREADABLE,
        &["999.1.1.1", "terraform import"],
    ));
    cases.push(state_case(
        "state without zone_id",
        0,
        serde_json::json!({"id": ZONE, "mappings": {}}),
        UNREADABLE,
        &["zone_id", "terraform import"],
    ));
    cases
}

fn flatten(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Runs one case in its own workspace against its own emulator; returns what went wrong.
fn run_case(terraform: &Terraform, case: &Case) -> Vec<String> {
    let api = LocalApi::start();
    let mut workspace = Workspace::new(terraform);
    match case.credentials {
        Credentials::Emulator => api.connect(&mut workspace),
        Credentials::BaseUrlOnly => workspace.set_env("CLOUDFLARE_BASE_URL", &api.base_url),
    }
    for (key, value) in &case.env {
        workspace.set_env(key, value);
    }
    workspace.write("main.tf", &case.main_tf);
    workspace.init();
    if let Some(state) = &case.state {
        workspace.write("terraform.tfstate", state);
    }
    let run = match &case.action {
        Action::Plan => workspace.plan(),
        Action::Import { address, id } => workspace.run(&["import", "-no-color", address, id]),
    };
    let out = run.all();
    // Terraform wraps long detail text; compare with every run of whitespace made one space.
    let flat = flatten(&out);
    let mut problems = Vec::new();
    if run.code != 1 {
        problems.push(format!("exit code {} (want 1)", run.code));
    }
    if !flat.contains(case.summary) {
        problems.push(format!("summary {:?} missing", case.summary));
    }
    if let Some(needle) = &case.at {
        let line = line_of(&case.main_tf, needle);
        if !out.contains(&format!("on main.tf line {line}")) {
            problems.push(format!("diagnostic not at main.tf line {line} ({needle:?})"));
        }
        let text = case.main_tf.lines().nth(line - 1).unwrap_or_default().trim();
        if !out.contains(text) {
            problems.push(format!("configuration line {line} ({text:?}) not shown"));
        }
    }
    for needle in &case.needles {
        if !flat.contains(&flatten(needle)) {
            problems.push(format!("{needle:?} missing"));
        }
    }
    for crash in ["panic", "crashed", "Plugin did not respond"] {
        if out.contains(crash) {
            problems.push(format!("output mentions {crash:?}"));
        }
    }
    for secret in ["tok-BAD-INPUT-0001", "key-BAD-INPUT-0002", "key-BAD-INPUT-0003", api.token()] {
        if out.contains(secret) {
            problems.push(format!("secret {secret:?} shown"));
        }
    }
    if api.write_requests() != 0 {
        problems.push(format!("write requests reached the API: {:?}", api.control.requests()));
    }
    if !problems.is_empty() {
        problems.push(format!("terraform said:\n{out}"));
    }
    problems
}

#[test]
fn every_bad_input_fails_cleanly_at_its_place_without_writes() {
    let cases = catalogue();
    assert!(cases.len() >= 30, "the catalogue has {} cases", cases.len());
    let problems = Mutex::new(Vec::new());
    for_each_terraform("bad input", |terraform| {
        let started = Instant::now();
        let next = AtomicUsize::new(0);
        std::thread::scope(|scope| {
            for _ in 0..WORKERS {
                scope.spawn(|| {
                    while let Some(case) = cases.get(next.fetch_add(1, Ordering::Relaxed)) {
                        let found = run_case(terraform, case);
                        if !found.is_empty() {
                            let header = format!("--- Terraform {} / {}:", terraform.version, case.name);
                            let mut all = problems.lock().unwrap();
                            all.push(header);
                            all.extend(found);
                        }
                    }
                });
            }
        });
        eprintln!(
            "[bad input] Terraform {}: {} cases in {:.1?}",
            terraform.version,
            cases.len(),
            started.elapsed()
        );
    });
    let problems = problems.into_inner().unwrap();
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

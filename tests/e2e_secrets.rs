//! End-to-end: credentials are `sensitive` in the provider schema and never show up anywhere a
//! user or a log collector could read them — Terraform's stdout and stderr, the `TF_LOG=trace`
//! log (which carries the provider's own stderr), the provider's stderr when run by hand at
//! `TF_LOG_PROVIDER=trace`, the state file, and error text — on success and on the auth-error
//! path. Each test greps every one of those for the distinctive secret values.

mod support;

use std::fs;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};

use support::mappings::main_tf;
use support::{for_each_terraform, LocalApi, Run, Terraform, Workspace, PROVIDER_ADDRESS};
use terraform_provider_cloudflare::emulator::EmulatorConfig;

const ZONE: &str = "023e105f4ecef8ad9ca31a8372d0c353";
const TOKEN: &str = "cfTOKEN-e2e-SECRET-41d7b2c9";
const WRONG_TOKEN: &str = "cfTOKEN-e2e-WRONG-93ae0f17";
const KEY: &str = "cfKEY-e2e-SECRET-5c1e88d0";
const WRONG_KEY: &str = "cfKEY-e2e-WRONG-0b7a4e62";
const EMAIL: &str = "ops@example.com";

/// Everything a run left behind that someone could read, labelled for the failure message.
#[derive(Default)]
struct Transcript {
    parts: Vec<(String, String)>,
}

impl Transcript {
    fn add_run(&mut self, label: &str, run: &Run) {
        self.parts.push((format!("{label} stdout"), run.stdout.clone()));
        self.parts.push((format!("{label} stderr"), run.stderr.clone()));
    }

    fn add_file(&mut self, label: &str, path: &Path) {
        if let Ok(text) = fs::read_to_string(path) {
            self.parts.push((label.to_string(), text));
        }
    }

    fn text(&self, label_contains: &str) -> String {
        self.parts
            .iter()
            .filter(|(label, _)| label.contains(label_contains))
            .map(|(_, text)| text.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// Asserts no secret (nor its first 12 characters, in case of truncation) appears anywhere.
    fn assert_no_secret(&self, what: &str, secrets: &[&str]) {
        let mut leaks = Vec::new();
        for (label, text) in &self.parts {
            for secret in secrets {
                for needle in [*secret, &secret[..12]] {
                    if let Some(at) = text.find(needle) {
                        let start = text[..at].rfind('\n').map_or(0, |n| n + 1);
                        let end = text[at..].find('\n').map_or(text.len(), |n| at + n);
                        leaks.push(format!("{label}: {needle:?} in line: {}", &text[start..end]));
                    }
                }
            }
        }
        assert!(leaks.is_empty(), "{what}: secrets leaked:\n{}", leaks.join("\n"));
    }
}

/// A workspace talking to `api` with TF_LOG=trace written to `terraform.log`.
fn traced_workspace(terraform: &Terraform, api: &LocalApi, config: &str) -> Workspace {
    let mut workspace = Workspace::new(terraform);
    workspace.set_env("CLOUDFLARE_BASE_URL", &api.base_url);
    workspace.write("main.tf", config);
    workspace.set_env("TF_LOG", "trace");
    let log = workspace.path().join("terraform.log");
    workspace.set_env("TF_LOG_PATH", &log.display().to_string());
    workspace
}

fn log_path(workspace: &Workspace) -> std::path::PathBuf {
    workspace.path().join("terraform.log")
}

/// init, apply, plan, destroy; everything they printed and logged.
fn lifecycle(workspace: &Workspace, api: &LocalApi) -> Transcript {
    let mut transcript = Transcript::default();
    let version = &workspace.terraform.version;
    let init = workspace.run(&["init", "-no-color"]);
    transcript.add_run("init", &init);
    init.assert_ok(&format!("init with Terraform {version}"));
    let apply = workspace.apply();
    transcript.add_run("apply", &apply);
    apply.assert_ok(&format!("apply with Terraform {version}"));
    assert_eq!(api.control.mappings(ZONE).len(), 2, "the apply reached the emulator");
    transcript.add_file("state after apply", &workspace.path().join("terraform.tfstate"));
    let plan = workspace.plan();
    transcript.add_run("plan", &plan);
    assert_eq!(plan.code, 0, "empty plan with Terraform {version}:\n{}", plan.all());
    let destroy = workspace.run(&["destroy", "-auto-approve", "-no-color"]);
    transcript.add_run("destroy", &destroy);
    destroy.assert_ok(&format!("destroy with Terraform {version}"));
    assert!(api.control.mappings(ZONE).is_empty());
    transcript.add_file("TF_LOG=trace log", &log_path(workspace));
    transcript
}

fn two_mappings() -> String {
    main_tf("origins", ZONE, &[("192.0.2.1", "aws", "us-east-1"), ("2001:DB8::1", "gcp", "us-central1")])
}

/// The provider's own lines in the trace log, including its request log, must be there:
/// otherwise the grep would prove nothing.
fn assert_provider_logged(transcript: &Transcript, what: &str) {
    let log = transcript.text("TF_LOG=trace log");
    let ours: Vec<&str> = log.lines().filter(|l| l.contains(&format!("provider.{}", support::PROVIDER_BINARY_NAME))).collect();
    assert!(
        ours.iter().any(|l| l.contains("Cloudflare request")),
        "{what}: the provider's request log is in the trace log ({} provider lines)",
        ours.len()
    );
}

fn token_api(token: &str) -> LocalApi {
    LocalApi::start_with(EmulatorConfig { api_token: Some(token.to_string()), ..EmulatorConfig::default() })
}

fn key_api() -> LocalApi {
    LocalApi::start_with(EmulatorConfig {
        api_token: None,
        api_key: Some(KEY.to_string()),
        api_email: Some(EMAIL.to_string()),
        ..EmulatorConfig::default()
    })
}

#[test]
fn credentials_are_sensitive_in_the_schema() {
    for_each_terraform("sensitive schema", |terraform| {
        let workspace = Workspace::new(terraform);
        workspace.write("main.tf", &two_mappings());
        workspace.init();
        let run = workspace.run(&["providers", "schema", "-json"]);
        run.assert_ok("terraform providers schema -json");
        let schema: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
        let attributes = &schema["provider_schemas"][PROVIDER_ADDRESS]["provider"]["block"]["attributes"];
        for name in ["api_token", "api_key"] {
            assert_eq!(attributes[name]["sensitive"], true, "{name} is sensitive: {attributes}");
        }
    });
}

#[test]
fn token_from_the_environment_never_appears_at_trace_level() {
    for_each_terraform("token in env, TF_LOG=trace", |terraform| {
        let api = token_api(TOKEN);
        let mut workspace = traced_workspace(terraform, &api, &two_mappings());
        workspace.set_env("CLOUDFLARE_API_TOKEN", TOKEN);
        let transcript = lifecycle(&workspace, &api);
        assert_provider_logged(&transcript, "token in env");
        transcript.assert_no_secret(&format!("Terraform {}, token in env", terraform.version), &[TOKEN]);
    });
}

#[test]
fn token_from_a_sensitive_variable_never_appears_at_trace_level() {
    for_each_terraform("token in provider block, TF_LOG=trace", |terraform| {
        let api = token_api(TOKEN);
        let provider = "variable \"token\" {\n  type      = string\n  sensitive = true\n}\n\
                        provider \"cloudflare\" {\n  api_token = var.token\n}\n";
        let mut workspace = traced_workspace(terraform, &api, &(two_mappings() + provider));
        workspace.set_env("TF_VAR_token", TOKEN);
        let transcript = lifecycle(&workspace, &api);
        assert_provider_logged(&transcript, "token in block");
        transcript.assert_no_secret(&format!("Terraform {}, token in block", terraform.version), &[TOKEN]);
    });
}

#[test]
fn api_key_and_email_never_appear_at_trace_level() {
    for_each_terraform("api_key in env, TF_LOG=trace", |terraform| {
        let api = key_api();
        let mut workspace = traced_workspace(terraform, &api, &two_mappings());
        workspace.set_env("CLOUDFLARE_API_KEY", KEY);
        workspace.set_env("CLOUDFLARE_EMAIL", EMAIL);
        let transcript = lifecycle(&workspace, &api);
        assert_provider_logged(&transcript, "api_key");
        transcript.assert_no_secret(&format!("Terraform {}, api_key", terraform.version), &[KEY]);
    });
}

/// A rejected credential: the error names the attributes and variables to fix, shows no
/// secret (neither the one sent nor the one expected), and nothing is written.
fn assert_auth_error(
    terraform: &Terraform,
    api: &LocalApi,
    env: &[(&str, &str)],
    names: &[&str],
    secrets: &[&str],
) {
    let mut workspace = traced_workspace(terraform, api, &two_mappings());
    for (key, value) in env {
        workspace.set_env(key, value);
    }
    let mut transcript = Transcript::default();
    transcript.add_run("init", &workspace.init());
    let apply = workspace.apply();
    transcript.add_run("apply", &apply);
    transcript.add_file("TF_LOG=trace log", &log_path(&workspace));
    let what = format!("Terraform {}, rejected {}", terraform.version, names[0]);
    assert_eq!(apply.code, 1, "{what}: apply fails:\n{}", apply.all());
    let out = apply.all().split_whitespace().collect::<Vec<_>>().join(" ");
    for name in names {
        assert!(out.contains(name), "{what}: {name} named in:\n{}", apply.all());
    }
    for crash in ["panic", "crashed"] {
        assert!(!out.contains(crash), "{what}: {crash}:\n{}", apply.all());
    }
    let requests = api.control.requests();
    assert!(
        requests.iter().all(|r| r.status == 401 || r.status == 403),
        "{what}: every request was refused: {requests:?}\n{}",
        apply.all()
    );
    assert!(api.control.mappings(ZONE).is_empty(), "{what}: nothing written");
    assert_provider_logged(&transcript, &what);
    transcript.assert_no_secret(&what, secrets);
}

#[test]
fn a_wrong_token_is_reported_without_showing_any_token() {
    for_each_terraform("wrong token", |terraform| {
        let api = token_api(TOKEN);
        assert_auth_error(
            terraform,
            &api,
            &[("CLOUDFLARE_API_TOKEN", WRONG_TOKEN)],
            &["api_token", "CLOUDFLARE_API_TOKEN"],
            &[TOKEN, WRONG_TOKEN],
        );
    });
}

#[test]
fn a_wrong_api_key_is_reported_without_showing_any_key() {
    for_each_terraform("wrong api_key", |terraform| {
        let api = key_api();
        assert_auth_error(
            terraform,
            &api,
            &[("CLOUDFLARE_API_KEY", WRONG_KEY), ("CLOUDFLARE_EMAIL", EMAIL)],
            &["api_key", "CLOUDFLARE_API_KEY"],
            &[KEY, WRONG_KEY],
        );
    });
}

/// The provider started by hand (`--debug`) at TF_LOG_PROVIDER=trace: its raw stderr, not
/// filtered through Terraform, holds no secret either.
#[test]
fn provider_stderr_at_trace_level_holds_no_secret() {
    for_each_terraform("provider stderr", |terraform| {
        let api = token_api(TOKEN);
        let scratch = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
        let stderr_path = scratch.path().join("provider.stderr");
        let mut provider = Command::new(support::workspace::provider_binary())
            .arg("--debug")
            .env("CLOUDFLARE_BASE_URL", &api.base_url)
            .env("CLOUDFLARE_API_TOKEN", TOKEN)
            .env("TF_LOG_PROVIDER", "trace")
            .env_remove("TF_PLUGIN_MAGIC_COOKIE")
            .stdout(Stdio::piped())
            .stderr(fs::File::create(&stderr_path).unwrap())
            .spawn()
            .expect("start the provider with --debug");
        let stdout = provider.stdout.take().unwrap();
        let mut lines = BufReader::new(stdout).lines().map_while(Result::ok);
        let reattach = lines
            .find_map(|line| {
                let value = line.trim().strip_prefix("TF_REATTACH_PROVIDERS='")?;
                Some(value.strip_suffix('\'').unwrap_or(value).to_string())
            })
            .expect("the provider prints TF_REATTACH_PROVIDERS");

        let mut workspace = Workspace::new(terraform);
        workspace.write("main.tf", &two_mappings());
        workspace.set_env("TF_REATTACH_PROVIDERS", &reattach);
        let mut transcript = Transcript::default();
        transcript.add_run("init", &workspace.init());
        let apply = workspace.apply();
        transcript.add_run("apply", &apply);
        let destroy = workspace.run(&["destroy", "-auto-approve", "-no-color"]);
        transcript.add_run("destroy", &destroy);
        let _ = provider.kill();
        let _ = provider.wait();
        let rest: Vec<String> = lines.collect();
        transcript.parts.push(("provider stdout".into(), rest.join("\n")));
        transcript.add_file("provider stderr", &stderr_path);
        apply.assert_ok("apply through the reattached provider");
        destroy.assert_ok("destroy through the reattached provider");
        let stderr = transcript.text("provider stderr");
        assert!(stderr.contains("Cloudflare request"), "the provider logged its requests:\n{stderr}");
        transcript.assert_no_secret(&format!("Terraform {}, provider stderr", terraform.version), &[TOKEN]);
    });
}

/// The emulator (and so every test) listens on loopback only.
#[test]
fn the_emulator_refuses_to_listen_beyond_loopback() {
    use terraform_provider_cloudflare::emulator::Emulator;
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    for bind in ["0.0.0.0:0", "[::]:0", "192.0.2.1:0"] {
        let result = runtime.block_on(Emulator::start(EmulatorConfig::default(), bind.parse().unwrap()));
        assert!(result.is_err(), "the emulator listened on {bind}");
    }
    let api = LocalApi::start();
    let url = url::Url::parse(&api.base_url).unwrap();
    let host: std::net::IpAddr = url.host_str().unwrap().trim_matches(['[', ']']).parse().unwrap();
    assert!(host.is_loopback(), "{}", api.base_url);
}

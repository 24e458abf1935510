//! End-to-end: real Terraform installs, validates, describes and configures the provider.

mod support;

use support::{for_each_terraform, LocalApi, Workspace, PROVIDER_ADDRESS, PROVIDER_SOURCE};

const ZONE: &str = "023e105f4ecef8ad9ca31a8372d0c353";

fn required_providers() -> String {
    format!("terraform {{\n  required_providers {{\n    cloudflare = {{ source = \"{PROVIDER_SOURCE}\" }}\n  }}\n}}\n")
}

fn one_mapping() -> String {
    format!(
        "resource \"cloudflare_origin_cloud_region_mappings\" \"origins\" {{\n  zone_id = \"{ZONE}\"\n  mappings = {{\n    \"192.0.2.1\" = {{ vendor = \"aws\", region = \"us-east-1\" }}\n  }}\n}}\n"
    )
}

#[test]
fn init_validate_and_schema_match_the_golden_file() {
    for_each_terraform("init/validate/schema", |terraform| {
        let workspace = Workspace::new(terraform);
        workspace.write("main.tf", &(required_providers() + &one_mapping()));
        let init = workspace.init();
        assert!(
            init.stdout.contains(&format!("Installing {PROVIDER_SOURCE}")),
            "init installs from the mirror:\n{}",
            init.all()
        );
        workspace.run(&["validate", "-no-color"]).assert_ok("terraform validate");

        let schema = workspace.run(&["providers", "schema", "-json"]);
        schema.assert_ok("terraform providers schema -json");
        let parsed: serde_json::Value =
            serde_json::from_str(&schema.stdout).expect("schema output is JSON");
        let mut ours = parsed["provider_schemas"][PROVIDER_ADDRESS].clone();
        assert!(ours.is_object(), "our provider is in the schema output: {parsed}");
        // Terraform 1.0 prints a data source's version as that of the resource of the same name
        // (500 for cloudflare_origin_cloud_region); data source versions are stored nowhere, so
        // they are left out of the comparison.
        if let Some(data_sources) = ours["data_source_schemas"].as_object_mut() {
            data_sources.values_mut().for_each(|schema| schema["version"] = serde_json::json!(0));
        }
        let ours = &ours;
        let golden_path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/golden/providers-schema.json");
        if std::env::var_os("UPDATE_GOLDEN").is_some() {
            let pretty = serde_json::to_string_pretty(ours).expect("render JSON") + "\n";
            std::fs::write(golden_path, pretty).expect("write the golden file");
        }
        let golden: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(golden_path).expect("read the golden schema (UPDATE_GOLDEN=1 writes it)"),
        )
        .expect("golden file is JSON");
        assert_eq!(ours, &golden, "schema differs from tests/golden/providers-schema.json (Terraform {})", terraform.version);
    });
}

#[test]
fn plan_without_credentials_names_attributes_and_env_vars() {
    for_each_terraform("missing credentials", |terraform| {
        let api = LocalApi::start();
        let mut workspace = Workspace::new(terraform);
        workspace.set_env("CLOUDFLARE_BASE_URL", &api.base_url);
        workspace.write("main.tf", &(required_providers() + &one_mapping()));
        workspace.init();
        let plan = workspace.plan();
        assert_eq!(plan.code, 1, "plan must fail:\n{}", plan.all());
        let out = plan.all();
        assert!(out.contains("Missing Cloudflare credentials"), "{out}");
        for needle in ["api_token", "CLOUDFLARE_API_TOKEN", "api_key", "CLOUDFLARE_API_KEY", "CLOUDFLARE_EMAIL"] {
            assert!(out.contains(needle), "{needle} named in:\n{out}");
        }
        assert_eq!(api.write_requests(), 0, "no write request may reach the API");
    });
}

#[test]
fn plan_with_conflicting_credentials_points_at_api_key_without_echoing_secrets() {
    for_each_terraform("conflicting credentials", |terraform| {
        let api = LocalApi::start();
        let mut workspace = Workspace::new(terraform);
        workspace.set_env("CLOUDFLARE_BASE_URL", &api.base_url);
        // Secrets live in sensitive variables, as in real configurations; Terraform then shows
        // only the expression, so any secret in the output would have come from the provider.
        let provider = r#"
variable "token" {
  type      = string
  sensitive = true
  default   = "tok-SECRET-0001"
}
variable "key" {
  type      = string
  sensitive = true
  default   = "key-SECRET-0002"
}
provider "cloudflare" {
  api_token = var.token
  api_key   = var.key
  email     = "ops@example.com"
}
"#;
        workspace.write("main.tf", &(required_providers() + provider + &one_mapping()));
        workspace.init();
        let plan = workspace.plan();
        assert_eq!(plan.code, 1, "plan must fail:\n{}", plan.all());
        let out = plan.all();
        assert!(out.contains("Conflicting credentials"), "{out}");
        assert!(out.contains("api_key   = var.key"), "diagnostic shows the api_key line:\n{out}");
        assert!(!out.contains("tok-SECRET-0001") && !out.contains("key-SECRET-0002"), "secret echoed:\n{out}");
        assert_eq!(api.write_requests(), 0);
    });
}

#[test]
fn plain_http_base_url_to_a_remote_host_is_refused() {
    for_each_terraform("http base_url", |terraform| {
        let mut workspace = Workspace::new(terraform);
        workspace.set_env("CLOUDFLARE_API_TOKEN", "tok-SECRET-0003");
        let provider = "provider \"cloudflare\" {\n  base_url = \"http://api.example.com/client/v4\"\n}\n";
        workspace.write("main.tf", &(required_providers() + provider + &one_mapping()));
        workspace.init();
        let validate = workspace.run(&["validate", "-no-color"]);
        assert_eq!(validate.code, 1, "{}", validate.all());
        assert!(validate.all().contains("Invalid base_url"), "{}", validate.all());
        assert!(validate.all().contains("base_url = "), "points at the line:\n{}", validate.all());
    });
}

#[test]
fn tf_log_debug_shows_provider_lines_at_their_level_and_no_secret() {
    for_each_terraform("TF_LOG", |terraform| {
        let api = LocalApi::start();
        let mut workspace = Workspace::new(terraform);
        api.connect(&mut workspace);
        workspace.write("main.tf", &(required_providers() + &one_mapping()));
        workspace.init();
        let log_path = workspace.path().join("terraform.log");
        workspace.set_env("TF_LOG", "DEBUG");
        workspace.set_env("TF_LOG_PATH", &log_path.display().to_string());
        let plan = workspace.plan();
        assert_eq!(plan.code, 2, "plan shows the create:\n{}", plan.all());
        let log = std::fs::read_to_string(&log_path).expect("read the Terraform log");
        let ours: Vec<&str> = log
            .lines()
            .filter(|line| line.contains(&format!("provider.{}", support::PROVIDER_BINARY_NAME)))
            .collect();
        assert!(
            ours.iter().any(|line| line.contains("[DEBUG]") && line.contains("configuring the Cloudflare API client")),
            "our DEBUG line is in the log:\n{}",
            ours.join("\n")
        );
        assert!(!log.contains(api.token()), "the API token appears in the log");
    });
}

/// A provider started by hand with `--debug` serves `terraform plan` through TF_REATTACH_PROVIDERS.
#[test]
fn debug_mode_reattaches_to_terraform_plan() {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};

    for_each_terraform("--debug reattach", |terraform| {
        let api = LocalApi::start();
        let mut provider = Command::new(support::workspace::provider_binary())
            .arg("--debug")
            .env("CLOUDFLARE_BASE_URL", &api.base_url)
            .env("CLOUDFLARE_API_TOKEN", api.token())
            .env_remove("TF_PLUGIN_MAGIC_COOKIE")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start the provider with --debug");
        let stdout = provider.stdout.take().expect("provider stdout");
        let reattach = BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
            .find_map(|line| {
                let value = line.trim().strip_prefix("TF_REATTACH_PROVIDERS='")?;
                Some(value.strip_suffix('\'').unwrap_or(value).to_string())
            })
            .expect("the provider prints TF_REATTACH_PROVIDERS");

        let mut workspace = Workspace::new(terraform);
        workspace.write("main.tf", &(required_providers() + &one_mapping()));
        workspace.set_env("TF_REATTACH_PROVIDERS", &reattach);
        workspace.init();
        let plan = workspace.plan();
        let exited_early = provider.try_wait().ok().flatten();
        let _ = provider.kill();
        let _ = provider.wait();
        assert_eq!(exited_early, None, "Terraform must not stop a reattached provider");
        assert_eq!(plan.code, 2, "plan through the reattached provider:\n{}", plan.all());
        assert!(plan.stdout.contains("cloudflare_origin_cloud_region_mappings.origins will be created"), "{}", plan.all());
    });
}

/// Every example the docs show is a configuration Terraform accepts with this provider.
#[test]
fn documented_examples_validate() {
    let examples = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    let mut files = vec![examples.join("provider/provider.tf")];
    for kind in ["resources", "data-sources"] {
        for entry in std::fs::read_dir(examples.join(kind)).expect("list examples").flatten() {
            for name in ["resource.tf", "data-source.tf"] {
                let file = entry.path().join(name);
                if file.is_file() {
                    files.push(file);
                }
            }
        }
    }
    assert!(files.len() >= 6, "examples found: {files:?}");
    for_each_terraform("examples validate", |terraform| {
        let workspace = Workspace::new(terraform);
        for (index, file) in files.iter().enumerate() {
            let text = std::fs::read_to_string(file).expect("read an example");
            workspace.write(&format!("example_{index}.tf"), &text);
        }
        workspace.init();
        let validate = workspace.run(&["validate", "-no-color"]);
        validate.assert_ok("terraform validate of the documented examples");
    });
}

/// Which Terraform ran is visible in a plain `cargo test`, whose harness captures `eprintln!`:
/// this test binary, run again for one test with capture on, still shows the versions.
#[test]
fn terraform_versions_are_shown_despite_output_capture() {
    let versions: Vec<&str> = support::terraform::all().iter().map(|t| t.version.as_str()).collect();
    assert!(versions.contains(&"1.0.3"), "the pinned Terraform is always among them: {versions:?}");
    if std::env::var_os("VERSIONS_SHOWN_CHILD").is_some() {
        return;
    }
    let rerun = std::process::Command::new(std::env::current_exe().expect("this test binary"))
        .args(["--exact", "terraform_versions_are_shown_despite_output_capture"])
        .env("VERSIONS_SHOWN_CHILD", "1")
        .output()
        .expect("rerun this test binary");
    assert!(rerun.status.success(), "{}", String::from_utf8_lossy(&rerun.stdout));
    let shown = String::from_utf8_lossy(&rerun.stderr);
    let expected = format!(
        "e2e_foundation: end-to-end scenarios run against {}",
        versions.iter().map(|v| format!("Terraform {v}")).collect::<Vec<_>>().join(" and ")
    );
    assert!(shown.contains(&expected), "expected {expected:?} on stderr, got:\n{shown}");
}

//! What the two binaries do when a person runs them: `--help` and `--version`, and the
//! emulator used by hand the way the README's "The emulator by hand" section shows.

use std::process::{Command, Output};

use tokio::io::AsyncBufReadExt;

const PROVIDER: &str = env!("CARGO_BIN_EXE_terraform-provider-cloudflare-origins");
const EMULATOR: &str = env!("CARGO_BIN_EXE_cloudflare-emulator");
const ZONE: &str = "023e105f4ecef8ad9ca31a8372d0c353";

fn run(binary: &str, args: &[&str]) -> Output {
    Command::new(binary).args(args).output().expect("run the binary")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn both_binaries_print_their_version_to_stdout() {
    for (binary, name) in [(PROVIDER, "terraform-provider-cloudflare-origins"), (EMULATOR, "cloudflare-emulator")] {
        let output = run(binary, &["--version"]);
        assert_eq!(output.status.code(), Some(0), "{name} --version");
        assert_eq!(text(&output.stdout).trim(), format!("{name} {}", env!("CARGO_PKG_VERSION")));
        assert!(output.stderr.is_empty(), "{name} --version wrote to stderr: {}", text(&output.stderr));
    }
}

#[test]
fn emulator_help_goes_to_stdout_and_exits_0() {
    let output = run(EMULATOR, &["--help"]);
    assert_eq!(output.status.code(), Some(0));
    let help = text(&output.stdout);
    for flag in ["--listen", "--token", "--state-file", "--no-auth", "--version", "/__emulator/"] {
        assert!(help.contains(flag), "--help mentions {flag}:\n{help}");
    }
    assert!(output.stderr.is_empty(), "{}", text(&output.stderr));
}

#[test]
fn emulator_mistakes_print_the_usage_to_stderr_and_exit_2() {
    let output = run(EMULATOR, &["--listen"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(output.stdout.is_empty());
    let said = text(&output.stderr);
    assert!(said.contains("--listen needs a value") && said.contains("usage: cloudflare-emulator"), "{said}");
}

/// Starts the emulator binary and returns it with the base URL it printed first.
async fn start_emulator(args: &[&str]) -> (tokio::process::Child, String) {
    let mut child = tokio::process::Command::new(EMULATOR)
        .args(args)
        .stdout(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("start cloudflare-emulator");
    let mut line = String::new();
    tokio::io::BufReader::new(child.stdout.take().expect("stdout piped"))
        .read_line(&mut line)
        .await
        .expect("read the base URL");
    (child, line.trim().to_string())
}

#[tokio::test]
async fn emulator_by_hand_own_token_seeded_state_kept_on_disk() {
    let dir = tempfile::tempdir().expect("temp dir");
    let state_file = dir.path().join("emulator-state.json");
    let state_arg = state_file.to_str().expect("UTF-8 temp path");
    let client = reqwest::Client::new();
    let (mut first, base_url) = start_emulator(&["--token", "my-token", "--state-file", state_arg]).await;
    let control = base_url.replace("/client/v4", "/__emulator");

    // Seed a mapping through the control endpoint, as an out-of-band writer would.
    let seeded = client
        .put(format!("{control}/zones/{ZONE}/mappings/192.0.2.10"))
        .json(&serde_json::json!({ "vendor": "aws", "region": "us-east-1" }))
        .send()
        .await
        .expect("seed");
    assert_eq!(seeded.status(), 200);

    // The API answers with the own token only.
    let list = format!("{base_url}/zones/{ZONE}/origin/cloud_regions");
    let refused = client.get(&list).bearer_auth("test-token").send().await.expect("list");
    assert_eq!(refused.status(), 403, "the default token is replaced by --token");
    let listed: serde_json::Value = client.get(&list).bearer_auth("my-token").send().await.expect("list").json().await.expect("JSON");
    assert_eq!(listed["result"][0]["origin_ip"], "192.0.2.10", "{listed}");
    first.kill().await.expect("stop the emulator");

    // A new emulator on the same state file still holds the mapping.
    let (_second, base_url) = start_emulator(&["--token", "my-token", "--state-file", state_arg]).await;
    let inspected: serde_json::Value = client
        .get(format!("{}/zones/{ZONE}/mappings", base_url.replace("/client/v4", "/__emulator")))
        .send()
        .await
        .expect("inspect")
        .json()
        .await
        .expect("JSON");
    assert_eq!(inspected["192.0.2.10"]["region"], "us-east-1", "{inspected}");
}

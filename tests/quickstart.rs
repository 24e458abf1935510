//! A newcomer's path: the README's first screen names the two commands, CI runs the same test
//! command, and `scripts/quickstart.py` runs through on this build with every Terraform, with
//! every warning it shows explained.

mod support;

use std::process::Command;

use support::for_each_terraform;

#[test]
fn quickstart_runs_through_and_explains_every_warning() {
    let binaries = support::workspace::provider_binary().parent().expect("the binaries' directory");
    for_each_terraform("quickstart", |terraform| {
        // The quickstart uses the first `terraform` on PATH: put this version first.
        let terraform_dir = terraform.path.parent().expect("Terraform's directory");
        let path = std::env::join_paths(
            std::iter::once(terraform_dir.to_path_buf()).chain(std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())),
        )
        .expect("PATH");
        let output = Command::new("python3")
            .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/quickstart.py"))
            .arg("--binaries")
            .arg(binaries)
            .env("PATH", path)
            .env_remove("CLOUDFLARE_API_TOKEN")
            .env_remove("TF_CLI_CONFIG_FILE")
            .output()
            .expect("run scripts/quickstart.py");
        let shown = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
        assert!(output.status.success(), "the quickstart failed with Terraform {}:\n{shown}", terraform.version);
        assert!(shown.contains(&format!("Terraform v{}", terraform.version)), "{shown}");
        assert!(shown.contains("Quickstart finished: every step behaved as expected"), "{shown}");
        let warnings: Vec<&str> = shown.lines().filter(|line| line.starts_with("Warning:")).collect();
        for warning in &warnings {
            assert_eq!(*warning, "Warning: Incomplete lock file information for providers", "an unexplained warning:\n{shown}");
            assert!(shown.contains("About the warning above: expected here, and harmless"), "{shown}");
        }
    });
}

#[test]
fn readme_first_screen_names_both_commands_and_ci_runs_the_same_tests() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("README.md")).expect("README.md");
    let first_screen: String = readme.lines().take(30).collect::<Vec<_>>().join("\n");
    for shown in ["`python3 scripts/quickstart.py`", "`cargo test --locked`", "5 minutes on 2 cores"] {
        assert!(first_screen.contains(shown), "the README's first 30 lines show {shown}");
    }
    let ci = std::fs::read_to_string(root.join(".ci/run")).expect(".ci/run");
    let commands: Vec<&str> = ci.lines().filter(|line| line.trim_start().starts_with("cargo ")).collect();
    assert_eq!(commands, ["cargo test --locked"], "CI runs exactly the README's test command");
}

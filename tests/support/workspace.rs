//! A Terraform working directory wired to the provider binary this build produced.
//!
//! The provider is installed the way users install a private build: from a filesystem mirror
//! with `terraform init`, fully offline.

use super::terraform::Terraform;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

/// The provider's source address in configurations (set in Cargo.toml).
pub const PROVIDER_SOURCE: &str = terraform_provider_cloudflare::provider_address::SOURCE;
pub const PROVIDER_ADDRESS: &str = terraform_provider_cloudflare::provider_address::ADDRESS;
pub const PROVIDER_BINARY_NAME: &str = terraform_provider_cloudflare::provider_address::BINARY_NAME;

/// The built provider binary. Cargo builds every binary before the integration tests and puts
/// it beside their `deps/` directory; its name follows the package name, so it is found by name.
pub fn provider_binary() -> &'static Path {
    static BINARY: OnceLock<PathBuf> = OnceLock::new();
    BINARY.get_or_init(|| {
        let test_executable = std::env::current_exe().expect("the test executable's path");
        let profile_dir = test_executable
            .parent()
            .and_then(Path::parent)
            .expect("test executables live in <target>/<profile>/deps");
        let binary = profile_dir.join(PROVIDER_BINARY_NAME);
        assert!(binary.exists(), "the provider binary {} was not built", binary.display());
        binary
    })
}

pub fn provider_version() -> &'static str {
    env!("CARGO_PKG_VERSION")
}

/// The official provider's address. Tests install a stand-in there (a copy of ours) to show
/// that the two providers sit side by side in one configuration.
pub const NEIGHBOUR_ADDRESS: &str = terraform_provider_cloudflare::provider_address::OFFICIAL_ADDRESS;
/// The stand-in's version, shaped like the official provider's.
pub const NEIGHBOUR_VERSION: &str = "5.22.0";

/// A filesystem mirror holding the built provider and the neighbour's stand-in, made once per
/// test process.
fn mirror() -> &'static Path {
    static MIRROR: OnceLock<PathBuf> = OnceLock::new();
    MIRROR.get_or_init(|| {
        let root = Path::new(env!("CARGO_TARGET_TMPDIR"))
            .join(format!("provider-mirror-{}", std::process::id()));
        place_in_mirror(&root, PROVIDER_ADDRESS, provider_version(), PROVIDER_BINARY_NAME);
        place_in_mirror(&root, NEIGHBOUR_ADDRESS, NEIGHBOUR_VERSION, "terraform-provider-cloudflare");
        root
    })
}

/// Installs the built binary in `root` (unpacked layout) as `address` at `version`.
fn place_in_mirror(root: &Path, address: &str, version: &str, binary_name: &str) {
    let platform = root.join(address).join(version).join("linux_amd64");
    fs::create_dir_all(&platform).expect("create the mirror directory");
    let installed = platform.join(format!("{binary_name}_v{version}"));
    let _ = fs::remove_file(&installed);
    if fs::hard_link(provider_binary(), &installed).is_err() {
        fs::copy(provider_binary(), &installed).expect("copy the provider into the mirror");
    }
}

/// What one `terraform` command did.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    fn from(output: Output) -> Run {
        Run {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }

    /// stdout and stderr together, for assertions about what the user sees.
    pub fn all(&self) -> String {
        format!("{}\n{}", self.stdout, self.stderr)
    }

    pub fn assert_ok(&self, what: &str) -> &Run {
        assert_eq!(self.code, 0, "{what} failed:\n{}", self.all());
        self
    }
}

/// A temporary Terraform working directory using one Terraform binary.
pub struct Workspace {
    pub terraform: Terraform,
    dir: tempfile::TempDir,
    env: Vec<(String, String)>,
}

impl Workspace {
    pub fn new(terraform: &Terraform) -> Workspace {
        let dir = tempfile::Builder::new()
            .prefix("tf-e2e-")
            .tempdir_in(env!("CARGO_TARGET_TMPDIR"))
            .expect("create a workspace directory");
        let mut workspace = Workspace { terraform: terraform.clone(), env: Vec::new(), dir };
        workspace.install_from_mirror(mirror());
        workspace
    }

    /// Makes Terraform install this provider from `mirror` (unpacked or packed layout).
    pub fn install_from_mirror(&mut self, mirror: &Path) {
        self.install_with(&format!(
            "  filesystem_mirror {{\n    path    = \"{}\"\n    include = [\"{PROVIDER_ADDRESS}\"]\n  }}\n",
            mirror.display()
        ));
    }

    /// Makes Terraform install this provider from the network mirror at `url` (HTTPS), trusting
    /// the certificate in `ca_file`.
    pub fn install_from_network_mirror(&mut self, url: &str, ca_file: &Path) {
        self.install_with(&format!(
            "  network_mirror {{\n    url     = \"{url}\"\n    include = [\"{PROVIDER_ADDRESS}\"]\n  }}\n"
        ));
        self.set_env("SSL_CERT_FILE", &ca_file.display().to_string());
    }

    /// A CLI configuration installing this provider as `ours` says and the neighbour's
    /// stand-in from the shared mirror; nothing from the internet.
    fn install_with(&mut self, ours: &str) {
        let cli_config = self.dir.path().join("cli.tfrc");
        fs::write(
            &cli_config,
            format!(
                "provider_installation {{\n{ours}  filesystem_mirror {{\n    path    = \"{neighbours}\"\n    include = [\"{NEIGHBOUR_ADDRESS}\"]\n  }}\n  direct {{\n    exclude = [\"{PROVIDER_ADDRESS}\", \"{NEIGHBOUR_ADDRESS}\"]\n  }}\n}}\n",
                neighbours = self::mirror().display()
            ),
        )
        .expect("write the CLI configuration");
        self.set_env("TF_CLI_CONFIG_FILE", &cli_config.display().to_string());
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Sets an environment variable for every later command.
    pub fn set_env(&mut self, key: &str, value: &str) {
        self.env.retain(|(k, _)| k != key);
        self.env.push((key.to_string(), value.to_string()));
    }

    pub fn write(&self, name: &str, contents: &str) {
        fs::write(self.dir.path().join(name), contents).expect("write a workspace file");
    }

    /// `terraform <args>` in this workspace with no colour and no prompts: the caller's
    /// Terraform and Cloudflare settings removed, this workspace's variables set.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(&self.terraform.path);
        command
            .args(args)
            .current_dir(self.dir.path())
            .env("CHECKPOINT_DISABLE", "1")
            .env("TF_IN_AUTOMATION", "1")
            .env("TF_INPUT", "0")
            .env_remove("TF_LOG")
            .env_remove("TF_LOG_PROVIDER")
            .env_remove("TF_LOG_PATH")
            .env_remove("TF_REATTACH_PROVIDERS")
            .env_remove("SSL_CERT_FILE")
            .env_remove("CLOUDFLARE_API_TOKEN")
            .env_remove("CLOUDFLARE_API_KEY")
            .env_remove("CLOUDFLARE_EMAIL")
            .env_remove("CLOUDFLARE_BASE_URL")
            .env_remove("CLOUDFLARE_MAX_RETRIES");
        for (key, value) in &self.env {
            command.env(key, value);
        }
        command
    }

    /// Runs `terraform <args>` with no colour and no prompts.
    pub fn run(&self, args: &[&str]) -> Run {
        Run::from(self.command(args).output().expect("run terraform"))
    }

    pub fn init(&self) -> Run {
        let run = self.run(&["init", "-no-color"]);
        run.assert_ok(&format!("terraform {} init", self.terraform.version));
        run
    }

    pub fn apply(&self) -> Run {
        self.run(&["apply", "-auto-approve", "-no-color"])
    }

    /// `terraform plan -detailed-exitcode`: 0 = no changes, 2 = changes, 1 = error.
    pub fn plan(&self) -> Run {
        self.run(&["plan", "-detailed-exitcode", "-no-color"])
    }

    pub fn assert_plan_empty(&self) {
        let run = self.plan();
        assert_eq!(
            run.code, 0,
            "expected an empty plan with Terraform {}:\n{}",
            self.terraform.version,
            run.all()
        );
    }

    /// The state as `terraform show -json` renders it.
    pub fn state(&self) -> serde_json::Value {
        let run = self.run(&["show", "-json"]);
        run.assert_ok("terraform show -json");
        serde_json::from_str(&run.stdout).expect("terraform show -json prints JSON")
    }
}

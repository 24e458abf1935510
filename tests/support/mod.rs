//! Shared end-to-end test support: Terraform binaries, workspaces, the emulator.
#![allow(dead_code, unused_imports)]

pub mod emulator;
pub mod faults;
pub mod https_mirror;
pub mod mappings;
pub mod terraform;
pub mod workspace;

pub use emulator::LocalApi;
pub use terraform::Terraform;
pub use workspace::{Run, Workspace, PROVIDER_ADDRESS, PROVIDER_BINARY_NAME, PROVIDER_SOURCE};

/// Runs `scenario` once per available Terraform version, saying which.
pub fn for_each_terraform(name: &str, scenario: impl Fn(&Terraform)) {
    for terraform in terraform::all() {
        eprintln!("[{name}] Terraform {}", terraform.version);
        scenario(terraform);
    }
}

/// The newest Terraform the tests have, for scenarios whose behaviour no version changes.
#[allow(dead_code)]
pub fn newest_terraform() -> &'static Terraform {
    terraform::all().last().expect("at least one Terraform")
}

/// A workspace connected to `api`, with `config` as main.tf, initialised.
pub fn connected_workspace(terraform: &Terraform, api: &LocalApi, config: &str) -> Workspace {
    let mut workspace = Workspace::new(terraform);
    api.connect(&mut workspace);
    workspace.write("main.tf", config);
    workspace.init();
    workspace
}

use std::process::ExitCode;

use terraform_provider_cloudflare::{plugin, provider::CloudflareProvider};

fn main() -> ExitCode {
    plugin::run(CloudflareProvider::new)
}

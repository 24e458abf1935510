use std::process::ExitCode;

use terraform_provider_cloudflare::{plugin, provider::CloudflareProvider, FastAllocator};

#[global_allocator]
static ALLOCATOR: FastAllocator = FastAllocator;

fn main() -> ExitCode {
    plugin::run(CloudflareProvider::new)
}

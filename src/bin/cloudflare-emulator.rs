//! Local Cloudflare API emulator for origin cloud-region mappings; see `emulator::cli::USAGE`.

#[global_allocator]
static ALLOCATOR: terraform_provider_cloudflare::FastAllocator = terraform_provider_cloudflare::FastAllocator;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    terraform_provider_cloudflare::emulator::cli::main(std::env::args().skip(1).collect()).await
}

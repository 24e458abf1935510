//! The provider's registry address, set once in Cargo.toml (`[package.metadata.terraform]` and
//! the package name) and handed over by build.rs.
//!
//! The address is our own, so the provider installs beside Cloudflare's official provider
//! (`cloudflare/cloudflare`); resource and data source type names stay `cloudflare_*`, and
//! configurations pick ours with `provider = <LOCAL_NAME>`.

/// The public registry's hostname, implied when a source address has none.
pub const HOSTNAME: &str = "registry.terraform.io";
/// The provider type (the binary is `terraform-provider-<TYPE>`).
pub const TYPE: &str = env!("TF_PROVIDER_TYPE");
/// The source address users write in `required_providers`.
pub const SOURCE: &str = concat!(env!("TF_PROVIDER_NAMESPACE"), "/", env!("TF_PROVIDER_TYPE"));
/// The fully qualified address Terraform uses in state, mirrors and reattach.
pub const ADDRESS: &str =
    concat!("registry.terraform.io/", env!("TF_PROVIDER_NAMESPACE"), "/", env!("TF_PROVIDER_TYPE"));
/// The local name our docs and examples use (Terraform's default for this source).
pub const LOCAL_NAME: &str = env!("TF_PROVIDER_TYPE");
/// The executable's name.
pub const BINARY_NAME: &str = env!("CARGO_PKG_NAME");
/// The official provider we sit beside; its resources can be taken over (see docs/guides).
pub const OFFICIAL_ADDRESS: &str = "registry.terraform.io/cloudflare/cloudflare";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_address_is_our_own_and_consistent() {
        assert_ne!(ADDRESS, OFFICIAL_ADDRESS);
        assert_eq!(ADDRESS, format!("{HOSTNAME}/{SOURCE}"));
        assert_eq!(BINARY_NAME, format!("terraform-provider-{TYPE}"));
    }
}

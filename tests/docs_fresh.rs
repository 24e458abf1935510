//! `docs/` must match what the provider's schemas and `examples/` render today.
//! Regenerate with: `UPDATE_DOCS=1 cargo test --test docs_fresh`.

use std::path::Path;

use terraform_provider_cloudflare::provider::CloudflareProvider;
use terraform_provider_cloudflare::registry_docs::render_all;
use terraform_provider_cloudflare::tfplugin::StopSignal;
use tokio_util::sync::CancellationToken;

#[test]
fn registry_docs_are_up_to_date() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let provider = CloudflareProvider::new(StopSignal::new(CancellationToken::new()));
    let pages = render_all(provider.as_ref(), &root.join("examples"));
    let update = std::env::var_os("UPDATE_DOCS").is_some();
    let mut stale = Vec::new();
    for page in &pages {
        let path = root.join("docs").join(&page.path);
        if update {
            std::fs::create_dir_all(path.parent().expect("docs pages live in a directory")).expect("create docs directory");
            std::fs::write(&path, &page.markdown).expect("write a docs page");
        } else if std::fs::read_to_string(&path).ok().as_deref() != Some(page.markdown.as_str()) {
            stale.push(page.path.clone());
        }
    }
    assert!(
        stale.is_empty(),
        "docs/ is stale for {stale:?}; run `UPDATE_DOCS=1 cargo test --test docs_fresh` and commit the result"
    );
    let resource_page = pages
        .iter()
        .find(|p| p.path == "resources/origin_cloud_region_mappings.md")
        .expect("the mappings resource has a page");
    assert!(resource_page.markdown.contains("## Import"));
    assert!(resource_page.markdown.contains("## Example Usage"));
}

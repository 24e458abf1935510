//! The provider's source address is set once (Cargo.toml); every configuration the docs,
//! examples and README show uses it, and names Cloudflare's official provider only as the
//! neighbour it sits beside.

use std::path::{Path, PathBuf};

use terraform_provider_cloudflare::provider_address::{LOCAL_NAME, OFFICIAL_ADDRESS, SOURCE};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("list a directory").flatten() {
        let path = entry.path();
        if path.is_dir() {
            files_under(&path, out);
        } else if path.extension().is_some_and(|e| e == "tf" || e == "md" || e == "sh") {
            out.push(path);
        }
    }
}

fn user_facing_files() -> Vec<PathBuf> {
    let root = Path::new(ROOT);
    let mut files = vec![root.join("README.md")];
    files_under(&root.join("docs"), &mut files);
    files_under(&root.join("examples"), &mut files);
    files
}

/// Every `source = "..."` value in `text`.
fn sources(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    for line in text.lines() {
        let mut rest = line;
        while let Some(at) = rest.find("source") {
            rest = &rest[at + "source".len()..];
            let after = rest.trim_start();
            if let Some(value) = after.strip_prefix('=').map(str::trim_start).and_then(|v| v.strip_prefix('"')) {
                if let Some(end) = value.find('"') {
                    found.push(value[..end].to_string());
                }
            }
        }
    }
    found
}

#[test]
fn docs_and_examples_use_the_address_set_in_cargo_toml() {
    let official_source = OFFICIAL_ADDRESS.trim_start_matches("registry.terraform.io/");
    let mut ours_seen = 0;
    for file in user_facing_files() {
        let text = std::fs::read_to_string(&file).expect("read a file");
        let found = sources(&text);
        for source in &found {
            if source.starts_with("hashicorp/") {
                continue;
            }
            assert!(
                source == SOURCE || source == official_source,
                "{}: source \"{source}\" is neither ours ({SOURCE}) nor the official neighbour",
                file.display()
            );
        }
        if found.iter().any(|s| s == official_source) {
            assert!(
                found.iter().any(|s| s == SOURCE),
                "{}: names the official provider without ours beside it",
                file.display()
            );
        }
        ours_seen += found.iter().filter(|s| *s == SOURCE).count();
        for line in text.lines().map(str::trim) {
            if let Some(name) = line.strip_prefix("provider = ").or_else(|| line.strip_prefix("provider  = ")) {
                let name = name.split_whitespace().next().unwrap_or_default();
                assert_eq!(name, LOCAL_NAME, "{}: `{line}` names a provider other than ours", file.display());
            }
        }
    }
    assert!(ours_seen >= 4, "README, docs and examples show the source address ({ours_seen} found)");
}

//! Compiles every `.proto` file under `proto/` into Rust (prost messages + tonic server and
//! client). protox parses the files in-process, so no system `protoc` is needed.

use std::io;
use std::path::{Path, PathBuf};

const PROTO_DIR: &str = "proto";

fn main() -> Result<(), Box<dyn std::error::Error>> {
    export_provider_address()?;
    println!("cargo:rerun-if-changed={PROTO_DIR}");
    let mut files = Vec::new();
    collect_protos(Path::new(PROTO_DIR), &mut files)?;
    files.sort();
    for file in &files {
        println!("cargo:rerun-if-changed={}", file.display());
    }
    // Paths relative to the include root, as `import` statements see them.
    let relative: Vec<PathBuf> = files
        .iter()
        .map(|f| f.strip_prefix(PROTO_DIR).map(Path::to_path_buf))
        .collect::<Result<_, _>>()?;
    let descriptors = protox::compile(&relative, [PROTO_DIR])?;
    tonic_prost_build::configure()
        .build_server(true)
        .build_client(true)
        .compile_fds(descriptors)?;
    Ok(())
}

fn collect_protos(dir: &Path, out: &mut Vec<PathBuf>) -> io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            println!("cargo:rerun-if-changed={}", path.display());
            collect_protos(&path, out)?;
        } else if path.extension().is_some_and(|ext| ext == "proto") {
            out.push(path);
        }
    }
    Ok(())
}

/// Hands the registry address set in Cargo.toml to the code as `TF_PROVIDER_NAMESPACE` and
/// `TF_PROVIDER_TYPE`, so that the address is written in one place.
fn export_provider_address() -> Result<(), Box<dyn std::error::Error>> {
    println!("cargo:rerun-if-changed=Cargo.toml");
    let package = std::env::var("CARGO_PKG_NAME")?;
    let provider_type = package
        .strip_prefix("terraform-provider-")
        .ok_or("the package name must start with terraform-provider-")?;
    let manifest = std::fs::read_to_string("Cargo.toml")?;
    let namespace = metadata_value(&manifest, "package.metadata.terraform", "namespace")
        .ok_or("Cargo.toml needs [package.metadata.terraform] namespace = \"...\"")?;
    println!("cargo:rustc-env=TF_PROVIDER_NAMESPACE={namespace}");
    println!("cargo:rustc-env=TF_PROVIDER_TYPE={provider_type}");
    Ok(())
}

/// `key = "value"` inside `[table]` of a TOML file (the only shape Cargo.toml uses there).
fn metadata_value(manifest: &str, table: &str, key: &str) -> Option<String> {
    let header = format!("[{table}]");
    let mut inside = false;
    for line in manifest.lines().map(str::trim) {
        if line.starts_with('[') {
            inside = line == header;
        } else if inside {
            if let Some((name, value)) = line.split_once('=') {
                if name.trim() == key {
                    return Some(value.trim().trim_matches('"').to_string());
                }
            }
        }
    }
    None
}

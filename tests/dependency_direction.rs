//! Dependencies inside the crate run one way: what several rooms of the provider share never
//! reaches into a resource's room, and the API client's files import each other without cycles.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn source(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src").join(relative)
}

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.expect("directory entry").path();
        if path.is_dir() {
            files.extend(rust_files(&path));
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            files.push(path);
        }
    }
    files
}

#[test]
fn shared_rooms_do_not_import_from_the_resources() {
    let mut files = rust_files(&source("provider/shared"));
    files.extend(rust_files(&source("provider/concepts")));
    files.push(source("provider/data.rs"));
    for file in files {
        let text = std::fs::read_to_string(&file).expect("read a source file");
        for room in ["mappings", "single_mapping", "data_sources"] {
            assert!(
                !text.contains(&format!("provider::{room}")) && !text.contains(&format!("super::{room}")),
                "{} imports from provider/{room}/",
                file.display()
            );
        }
    }
}

#[test]
fn the_api_client_files_import_each_other_without_cycles() {
    let dir = source("cloudflare");
    let names: BTreeSet<String> = rust_files(&dir)
        .iter()
        .filter_map(|path| Some(path.file_stem()?.to_str()?.to_string()))
        .filter(|name| name != "mod")
        .collect();
    // file -> the sibling files it names as `super::<file>` or `crate::cloudflare::<file>`.
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for name in &names {
        let text = std::fs::read_to_string(dir.join(format!("{name}.rs"))).expect("read a source file");
        let code = text.split("#[cfg(test)]").next().unwrap_or_default();
        let used = names
            .iter()
            .filter(|other| *other != name)
            .filter(|other| {
                code.contains(&format!("super::{other}::")) || code.contains(&format!("crate::cloudflare::{other}::"))
            })
            .cloned()
            .collect();
        edges.insert(name.clone(), used);
    }
    // Depth-first search for a path back to the start.
    fn reaches(edges: &BTreeMap<String, BTreeSet<String>>, from: &str, to: &str, seen: &mut BTreeSet<String>) -> bool {
        edges[from].iter().any(|next| next == to || (seen.insert(next.clone()) && reaches(edges, next, to, seen)))
    }
    for name in &names {
        assert!(!reaches(&edges, name, name, &mut BTreeSet::new()), "cloudflare/{name}.rs is part of an import cycle: {edges:?}");
    }
}

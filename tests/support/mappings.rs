//! Helpers for the `cloudflare_origin_cloud_region_mappings` end-to-end tests: writing
//! configurations with one mapping per line, and reading mappings back from the emulator and
//! from Terraform's state in one comparable shape.

use std::collections::BTreeMap;

use terraform_provider_cloudflare::ip::canonical_ip;

use super::emulator::LocalApi;
use super::workspace::{Run, PROVIDER_SOURCE};

pub const RESOURCE_TYPE: &str = "cloudflare_origin_cloud_region_mappings";

/// One configured mapping: `(ip as written, vendor, region)`.
pub type Entry<'a> = (&'a str, &'a str, &'a str);

/// canonical IP -> (vendor, region): what "the mappings" are, whoever holds them.
pub type View = BTreeMap<String, (String, String)>;

pub fn required_providers() -> String {
    format!(
        "terraform {{\n  required_providers {{\n    cloudflare = {{ source = \"{PROVIDER_SOURCE}\" }}\n  }}\n}}\n"
    )
}

/// A resource block with each mapping on its own line, so diagnostics point at a known line.
pub fn resource_block(name: &str, zone: &str, entries: &[Entry]) -> String {
    let mut block = format!(
        "resource \"{RESOURCE_TYPE}\" \"{name}\" {{\n  zone_id = \"{zone}\"\n  mappings = {{\n"
    );
    for (ip, vendor, region) in entries {
        block.push_str(&entry_line(ip, vendor, region));
        block.push('\n');
    }
    block.push_str("  }\n}\n");
    block
}

/// The exact text of an entry's line in [`resource_block`].
pub fn entry_line(ip: &str, vendor: &str, region: &str) -> String {
    format!("    \"{ip}\" = {{ vendor = \"{vendor}\", region = \"{region}\" }}")
}

/// `required_providers` plus one resource block: a whole main.tf.
pub fn main_tf(name: &str, zone: &str, entries: &[Entry]) -> String {
    required_providers() + &resource_block(name, zone, entries)
}

/// 1-based line number of the first line of `text` containing `needle`.
pub fn line_of(text: &str, needle: &str) -> usize {
    text.lines()
        .position(|line| line.contains(needle))
        .map(|index| index + 1)
        .unwrap_or_else(|| panic!("{needle:?} not found in:\n{text}"))
}

/// The configuration's entries as a [`View`].
pub fn expected(entries: &[Entry]) -> View {
    entries
        .iter()
        .map(|(ip, vendor, region)| {
            let ip = canonical_ip(ip).unwrap_or_else(|e| panic!("{ip}: {e}"));
            (ip, (vendor.to_string(), region.to_string()))
        })
        .collect()
}

/// The emulator's mappings of `zone`.
pub fn remote(api: &LocalApi, zone: &str) -> View {
    api.control
        .mappings(zone)
        .into_iter()
        .map(|(ip, stored)| (ip, (stored.vendor, stored.region)))
        .collect()
}

/// The resource's attribute values in `terraform show -json` output (None when absent).
pub fn resource_values<'a>(
    state: &'a serde_json::Value,
    address: &str,
) -> Option<&'a serde_json::Value> {
    state["values"]["root_module"]["resources"]
        .as_array()?
        .iter()
        .find(|resource| resource["address"] == address)
        .map(|resource| &resource["values"])
}

/// The resource's `mappings` in state, keyed by canonical IP (empty when the resource is absent).
pub fn state_view(state: &serde_json::Value, address: &str) -> View {
    let Some(values) = resource_values(state, address) else {
        return View::new();
    };
    values["mappings"]
        .as_object()
        .map(|mappings| {
            mappings
                .iter()
                .map(|(ip, entry)| {
                    let ip = canonical_ip(ip).unwrap_or_else(|e| panic!("{ip} in state: {e}"));
                    let text = |key: &str| entry[key].as_str().unwrap_or_default().to_string();
                    (ip, (text("vendor"), text("region")))
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The IP keys exactly as state spells them.
pub fn state_keys(state: &serde_json::Value, address: &str) -> Vec<String> {
    resource_values(state, address)
        .and_then(|values| values["mappings"].as_object())
        .map(|mappings| mappings.keys().cloned().collect())
        .unwrap_or_default()
}

/// `count` generated IPv4 mappings in 198.18.0.0/15 (benchmarking range), all aws/us-east-1.
pub fn many_ips(count: usize) -> Vec<String> {
    (0..count)
        .map(|n| format!("198.18.{}.{}", n / 250, n % 250 + 1))
        .collect()
}

/// Asserts that `run` failed and that its output shows `needle` with the line it sits on.
pub fn assert_diagnostic_at(run: &Run, config: &str, needle: &str, what: &str) {
    let out = run.all();
    let line = line_of(config, needle);
    assert!(
        out.contains(&format!("on main.tf line {line}")),
        "{what}: the diagnostic points at main.tf line {line} ({needle:?}):\n{out}"
    );
}

/// `text` with every run of whitespace made one space: Terraform wraps diagnostic details at
/// ~78 columns, so phrases are searched in this form.
pub fn squashed(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Whether `output` contains `phrase`, ignoring how Terraform wrapped the lines.
pub fn says(output: &str, phrase: &str) -> bool {
    squashed(output).contains(&squashed(phrase))
}

//! The plan-time takeover check against the in-process emulator: which IPs it names, and that a
//! few added IPs are looked up one by one while many take one listing.

use super::adapter_tests::{config, plan_for, start, ZONE};
use super::planning::SINGLE_LOOKUPS;
use super::regions::RegionCache;
use super::schema::MAPPINGS;
use crate::tfplugin::{AttributePath, Severity, Value};

const LIST: &str = "/cache/origin_cloud_regions";

#[tokio::test]
async fn held_ips_are_named_whether_looked_up_one_by_one_or_listed() {
    let (emulator, client) = start().await;
    let control = emulator.control();
    control.put_mapping(ZONE, "192.0.2.50", "azure", "westeurope").unwrap();
    let cache = RegionCache::new();

    // One added IP, held outside: one GET for it, a warning at its entry, no write.
    control.reset_counters();
    let plan = plan_for(&client, &cache, &Value::Null, &config(&[("192.0.2.50", "aws", "us-east-1")])).await;
    let warnings: Vec<_> = plan.diagnostics.iter().filter(|d| d.severity == Severity::Warning).collect();
    assert_eq!(warnings.len(), 1, "{:?}", plan.diagnostics);
    assert_eq!(warnings[0].path, Some(AttributePath::new(MAPPINGS).key("192.0.2.50")));
    assert!(warnings[0].detail.contains("192.0.2.50 (now azure westeurope)"), "{}", warnings[0].detail);
    assert_eq!(control.request_count("GET", "/192.0.2.50"), 1);
    assert_eq!(control.request_count("GET", LIST), 0, "no listing for one IP");
    assert!(control.requests().iter().all(|r| r.method == "GET"));

    // More added IPs than single lookups: one listing, the same warning, nothing else named.
    let many: Vec<String> = (1..=SINGLE_LOOKUPS + 1).map(|i| format!("192.0.2.{i}")).collect();
    let mut entries: Vec<(&str, &str, &str)> = many.iter().map(|ip| (ip.as_str(), "aws", "us-east-1")).collect();
    entries.push(("192.0.2.50", "aws", "us-east-1"));
    control.reset_counters();
    let plan = plan_for(&client, &cache, &Value::Null, &config(&entries)).await;
    assert_eq!(control.request_count("GET", LIST), 1, "{:?}", control.requests());
    let details: Vec<&str> = plan.diagnostics.iter().map(|d| d.detail.as_str()).collect();
    assert_eq!(details.len(), 1, "{details:?}");
    assert!(details[0].contains("192.0.2.50") && !details[0].contains("192.0.2.1 "), "{}", details[0]);

    // Nothing held: no warning.
    let plan = plan_for(&client, &cache, &Value::Null, &config(&[("192.0.2.9", "aws", "us-east-1")])).await;
    assert!(plan.diagnostics.is_empty(), "{:?}", plan.diagnostics);
    emulator.shutdown().await;
}

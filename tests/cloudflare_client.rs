//! The API client against the real emulator: every operation of both families, chunking,
//! partial failures, retries, rate limiting, cancellation, both auth schemes and `auto`'s
//! fallback from v1 to v2. Time is paused wherever the client waits.

use std::time::Duration;

use terraform_provider_cloudflare::cloudflare::{
    ApiError, ApiFamily, Client, ClientConfig, Credentials, Mapping, Secret,
};
use terraform_provider_cloudflare::emulator::{
    Emulator, EmulatorConfig, RatelimitPolicy, V1BatchFault, V1Retirement, DEFAULT_TEST_TOKEN,
};
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

const ZONE: &str = "023e105f4ecef8ad9ca31a8372d0c353";
const V1: &str = "/cache/origin_cloud_regions";
const V2: &str = "/origin/cloud_regions";

async fn start(config: EmulatorConfig) -> Emulator {
    Emulator::start(config, "127.0.0.1:0".parse().unwrap()).await.unwrap()
}

/// Defaults, but a limiter that never slows the tests down.
fn config(emulator: &Emulator, family: ApiFamily, credentials: Credentials) -> ClientConfig {
    let mut config = ClientConfig::new(emulator.base_url().parse().unwrap(), credentials);
    config.family = family;
    config.requests_per_second = 1_000.0;
    config.burst = 1_000;
    config
}

fn token() -> Credentials {
    Credentials::Token(Secret::new(DEFAULT_TEST_TOKEN))
}

fn client(emulator: &Emulator, family: ApiFamily) -> Client {
    Client::new(config(emulator, family, token()), CancellationToken::new()).unwrap()
}

fn mappings(count: u32) -> Vec<Mapping> {
    (0..count).map(|n| Mapping::new(format!("2001:DB8::{n:x}"), "aws", "us-east-1")).collect()
}

/// Every single-item operation plus both batch calls of one family, checking the emulator's
/// store and that the other family's routes were never touched.
async fn exercise_every_operation(family: ApiFamily, own: &str, other: &str) {
    let emulator = start(EmulatorConfig::default()).await;
    let control = emulator.control();
    let client = client(&emulator, family);

    let regions = client.supported_regions(ZONE).await.unwrap();
    assert!(regions.is_supported("aws", "us-east-1") && regions.is_supported("gcp", "us-central1"));

    let empty = client.list(ZONE).await.unwrap();
    assert!(empty.mappings.is_empty() && empty.modified_on.is_none());

    let created = client.create(ZONE, &Mapping::new("2001:DB8:0:0::1", "gcp", "us-central1")).await.unwrap();
    assert_eq!(created.mapping, Mapping::new("2001:db8::1", "gcp", "us-central1"), "canonical IP back");
    assert!(created.modified_on.is_some(), "the answer's own time");
    let again = client.create(ZONE, &Mapping::new("2001:db8::1", "gcp", "us-central1")).await.unwrap_err();
    assert!(again.is_already_exists(), "{again}");

    let got = client.get(ZONE, "2001:0DB8::0001").await.unwrap();
    assert_eq!(got, Some(created.clone()), "any spelling finds the mapping, with its time");
    assert_eq!(client.get(ZONE, "192.0.2.200").await.unwrap(), None);

    let updated = client.upsert(ZONE, &Mapping::new("2001:db8::1", "aws", "us-west-2")).await.unwrap().mapping;
    assert_eq!(updated, Mapping::new("2001:db8::1", "aws", "us-west-2"));
    let inserted = client.upsert(ZONE, &Mapping::new("192.0.2.1", "aws", "us-east-1")).await.unwrap();
    assert_eq!(inserted.mapping.ip, "192.0.2.1");
    let inserted = inserted.mapping;

    let list = client.list(ZONE).await.unwrap();
    assert_eq!(list.mappings.len(), 2);
    assert!(list.mappings.contains(&updated) && list.mappings.contains(&inserted));
    assert_eq!(list.entry_modified_on.len(), 2, "each entry's own time");
    assert!(list.modified_on.is_some());

    assert!(client.delete(ZONE, "2001:DB8::1").await.unwrap());
    assert!(!client.delete(ZONE, "2001:db8::1").await.unwrap(), "second delete finds nothing");
    assert_eq!(control.mappings(ZONE).len(), 1);

    let batch = vec![Mapping::new("192.0.2.10", "azure", "eastus"), Mapping::new("2001:db8::a", "gcp", "us-central1")];
    let upserted = client.batch_upsert(ZONE, &batch).await;
    assert_eq!(upserted.requests, 1);
    assert!(upserted.is_complete(), "{upserted:?}");
    assert_eq!(upserted.succeeded["2001:db8::a"], Mapping::new("2001:db8::a", "gcp", "us-central1"));
    let deleted = client.batch_delete(ZONE, &["192.0.2.1".to_string(), "2001:DB8::A".to_string()]).await;
    assert!(deleted.is_complete(), "{deleted:?}");
    assert_eq!(deleted.succeeded["2001:db8::a"], Some(Mapping::new("2001:db8::a", "gcp", "us-central1")));
    assert!(deleted.already_absent.is_empty());
    assert!(!control.mappings(ZONE).contains_key("2001:db8::a"));

    assert!(control.request_count("*", "") > 10);
    assert_eq!(control.request_count("*", ""), control.requests().iter().filter(|r| r.path.contains(own)).count() as u64);
    assert!(control.requests().iter().all(|r| !r.path.contains(other)), "only {own} was used");
    assert_eq!(client.family_in_use(), family);
    emulator.shutdown().await;
}

#[tokio::test]
async fn v1_every_operation() {
    exercise_every_operation(ApiFamily::V1, V1, V2).await;
}

#[tokio::test]
async fn v2_every_operation() {
    exercise_every_operation(ApiFamily::V2, V2, V1).await;
}

#[tokio::test]
async fn v2_list_follows_every_page() {
    let emulator = start(EmulatorConfig::default()).await;
    let control = emulator.control();
    for mapping in mappings(250) {
        control.put_mapping(ZONE, &mapping.ip, &mapping.vendor, &mapping.region).unwrap();
    }
    let list = client(&emulator, ApiFamily::V2).list(ZONE).await.unwrap();
    assert_eq!(list.mappings.len(), 250);
    assert!(list.mappings.iter().any(|mapping| mapping.ip == "2001:db8::f9"));
    let pages: Vec<_> = control.requests().into_iter().filter_map(|r| r.query).collect();
    assert_eq!(pages.len(), 3, "{pages:?}");
    assert!(pages.iter().all(|query| query.contains("per_page=100")), "{pages:?}");
    emulator.shutdown().await;
}

#[tokio::test]
async fn batch_of_250_is_exactly_three_requests_per_direction() {
    let emulator = start(EmulatorConfig::default()).await;
    let control = emulator.control();
    let client = client(&emulator, ApiFamily::V1);
    let items = mappings(250);

    let upserted = client.batch_upsert(ZONE, &items).await;
    assert_eq!(control.request_count("PATCH", "/cache/origin_cloud_regions/batch"), 3);
    assert_eq!(control.request_count("*", ""), 3);
    assert_eq!(upserted.requests, 3);
    assert_eq!(upserted.succeeded.len(), 250);
    assert!(upserted.is_complete());
    assert_eq!(control.mappings(ZONE).len(), 250);
    assert!(upserted.modified_on.is_some());

    let ips: Vec<String> = items.iter().map(|mapping| mapping.ip.clone()).collect();
    let deleted = client.batch_delete(ZONE, &ips).await;
    assert_eq!(control.request_count("DELETE", "/cache/origin_cloud_regions/batch"), 3);
    assert_eq!(deleted.succeeded.len(), 250);
    assert!(control.mappings(ZONE).is_empty());
    emulator.shutdown().await;
}

#[tokio::test]
async fn mixed_results_are_keyed_by_canonical_ip_in_both_families() {
    for family in [ApiFamily::V1, ApiFamily::V2] {
        let emulator = start(EmulatorConfig::default()).await;
        let control = emulator.control();
        control.fail_ip("2001:db8::2", "origin is on a deny list").unwrap();
        let items = vec![
            Mapping::new("2001:DB8:0::1", "aws", "us-east-1"),
            Mapping::new("2001:DB8::2", "aws", "us-east-1"),
            Mapping::new("192.0.2.3", "gcp", "us-east-1"), // wrong region for gcp
            Mapping::new("192.0.2.4", "ibm", "x"),         // unknown vendor
            Mapping::new("not-an-ip", "aws", "us-east-1"),
        ];
        let outcome = client(&emulator, family).batch_upsert(ZONE, &items).await;
        let succeeded: Vec<&str> = outcome.succeeded.keys().map(String::as_str).collect();
        let failed: Vec<&str> = outcome.failed.keys().map(String::as_str).collect();
        assert_eq!(succeeded, ["2001:db8::1"], "{family}");
        assert_eq!(failed, ["192.0.2.3", "192.0.2.4", "2001:db8::2", "not-an-ip"], "{family}");
        assert_eq!(outcome.failed["2001:db8::2"], "origin is on a deny list");
        assert!(outcome.not_applied.is_empty());
        assert_eq!(control.mappings(ZONE).len(), 1);
        emulator.shutdown().await;
    }
}

#[tokio::test]
async fn batch_delete_of_absent_ips_counts_as_done() {
    let emulator = start(EmulatorConfig::default()).await;
    let control = emulator.control();
    control.put_mapping(ZONE, "192.0.2.1", "aws", "us-east-1").unwrap();
    control.put_mapping(ZONE, "192.0.2.2", "aws", "us-east-1").unwrap();
    control.fail_ip("192.0.2.2", "locked").unwrap();
    let ips = ["192.0.2.1", "192.0.2.9", "192.0.2.2"].map(String::from);
    let outcome = client(&emulator, ApiFamily::V1).batch_delete(ZONE, &ips).await;
    assert_eq!(outcome.succeeded["192.0.2.1"], Some(Mapping::new("192.0.2.1", "aws", "us-east-1")));
    assert_eq!(outcome.succeeded["192.0.2.9"], None);
    assert!(outcome.already_absent.contains("192.0.2.9"));
    assert_eq!(outcome.failed.keys().collect::<Vec<_>>(), ["192.0.2.2"], "still there: a real failure");
    emulator.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn a_chunk_that_fails_whole_does_not_stop_the_rest() {
    let emulator = start(EmulatorConfig::default()).await;
    let control = emulator.control();
    let mut config = config(&emulator, ApiFamily::V1, token());
    config.max_retries = 0;
    let client = Client::new(config, CancellationToken::new()).unwrap();
    control.fail_5xx(1, 500);
    let outcome = client.batch_upsert(ZONE, &mappings(250)).await;
    assert_eq!(outcome.requests, 3);
    assert_eq!(outcome.not_applied.len(), 1);
    assert_eq!(outcome.not_applied[0].ips.len(), 100);
    assert_eq!(outcome.not_applied[0].error.status(), Some(500));
    assert_eq!(outcome.succeeded.len(), 150);
    assert_eq!(control.mappings(ZONE).len(), 150);
    emulator.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn rate_limited_requests_wait_for_retry_after() {
    let emulator = start(EmulatorConfig::default()).await;
    let control = emulator.control();
    let client = client(&emulator, ApiFamily::V1);
    control.rate_limit(2, 7);
    let started = Instant::now();
    client.list(ZONE).await.unwrap();
    let waited = started.elapsed();
    assert!(waited >= Duration::from_secs(14) && waited < Duration::from_secs(15), "{waited:?}");
    assert_eq!(control.request_count("GET", V1), 3);
    emulator.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn retry_after_is_capped() {
    let emulator = start(EmulatorConfig::default()).await;
    let mut config = config(&emulator, ApiFamily::V1, token());
    config.max_retry_after = Duration::from_secs(5);
    let client = Client::new(config, CancellationToken::new()).unwrap();
    emulator.control().rate_limit(1, 3_600);
    let started = Instant::now();
    client.list(ZONE).await.unwrap();
    assert!(started.elapsed() < Duration::from_secs(6), "{:?}", started.elapsed());
    emulator.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn still_rate_limited_after_all_retries() {
    let emulator = start(EmulatorConfig::default()).await;
    let mut config = config(&emulator, ApiFamily::V1, token());
    config.max_retries = 2;
    let client = Client::new(config, CancellationToken::new()).unwrap();
    emulator.control().rate_limit(10, 1);
    let error = client.list(ZONE).await.unwrap_err();
    assert!(matches!(error, ApiError::RateLimited { attempts: 3, .. }), "{error:?}");
    assert!(error.to_string().contains("requests_per_second"), "{error}");
    emulator.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn server_errors_and_dropped_connections_are_retried() {
    let emulator = start(EmulatorConfig::default()).await;
    let control = emulator.control();
    let client = client(&emulator, ApiFamily::V2);
    control.fail_5xx(2, 503);
    assert!(client.list(ZONE).await.unwrap().mappings.is_empty());
    assert_eq!(control.request_count("GET", V2), 3);

    control.drop_connections(1);
    assert!(client.list(ZONE).await.unwrap().mappings.is_empty());
    assert_eq!(control.request_count("GET", V2), 5);
    emulator.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn exhausted_retries_say_so() {
    let emulator = start(EmulatorConfig::default()).await;
    let mut config = config(&emulator, ApiFamily::V1, token());
    config.max_retries = 2;
    let client = Client::new(config, CancellationToken::new()).unwrap();
    emulator.control().fail_5xx(100, 500);
    let error = client.get(ZONE, "192.0.2.1").await.unwrap_err();
    assert!(matches!(error, ApiError::Api { status: 500, attempts: 3, .. }), "{error:?}");
    let text = error.to_string();
    assert!(text.contains("HTTP 500") && text.contains("gave up after 3 attempts"), "{text}");
    assert_eq!(emulator.control().request_count("*", ""), 3);
    emulator.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn slow_answers_time_out_and_are_retried() {
    let emulator = start(EmulatorConfig::default()).await;
    let mut config = config(&emulator, ApiFamily::V1, token());
    config.max_retries = 1;
    config.request_timeout = Duration::from_secs(2);
    let client = Client::new(config, CancellationToken::new()).unwrap();
    emulator.control().set_latency(Duration::from_secs(60));
    let error = client.list(ZONE).await.unwrap_err();
    assert!(matches!(error, ApiError::Timeout { attempts: 2, .. }), "{error:?}");
    emulator.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn cancellation_ends_a_backoff_wait() {
    let emulator = start(EmulatorConfig::default()).await;
    let mut config = config(&emulator, ApiFamily::V1, token());
    config.initial_backoff = Duration::from_secs(600);
    config.max_backoff = Duration::from_secs(600);
    let cancel = CancellationToken::new();
    let client = Client::new(config, cancel.clone()).unwrap();
    emulator.control().fail_5xx(100, 503);
    let started = Instant::now();
    let call = tokio::spawn(async move { client.batch_upsert(ZONE, &mappings(250)).await });
    tokio::time::sleep(Duration::from_secs(5)).await;
    assert_eq!(emulator.control().request_count("*", ""), 1, "first attempt done, now backing off");
    cancel.cancel();
    let outcome = call.await.unwrap();
    assert!(started.elapsed() < Duration::from_secs(10), "{:?}", started.elapsed());
    assert_eq!(outcome.requests, 1);
    assert_eq!(outcome.not_applied.len(), 3, "every chunk is reported as not applied");
    assert!(outcome.not_applied.iter().all(|chunk| chunk.error.is_cancelled()));
    assert_eq!(emulator.control().request_count("*", ""), 1);
    emulator.shutdown().await;
}

#[tokio::test]
async fn token_auth_and_its_error_message() {
    let emulator = start(EmulatorConfig::default()).await;
    assert!(client(&emulator, ApiFamily::V1).list(ZONE).await.is_ok());
    let wrong = Credentials::Token(Secret::new("wrong-token-value"));
    let client = Client::new(config(&emulator, ApiFamily::V1, wrong), CancellationToken::new()).unwrap();
    let error = client.list(ZONE).await.unwrap_err();
    assert!(error.is_auth(), "{error:?}");
    let text = error.to_string();
    assert!(text.contains("api_token") && text.contains("CLOUDFLARE_API_TOKEN"), "{text}");
    assert!(!text.contains("wrong-token-value") && !format!("{error:?}").contains("wrong-token-value"));
    assert_eq!(emulator.control().request_count("*", ""), 2, "authentication failures are not retried");
    emulator.shutdown().await;
}

#[tokio::test]
async fn key_and_email_auth_and_its_error_message() {
    let emulator = start(EmulatorConfig {
        api_token: None,
        api_key: Some("global-key-1234".into()),
        api_email: Some("ops@example.com".into()),
        ..EmulatorConfig::default()
    })
    .await;
    let good = Credentials::KeyAndEmail { key: Secret::new("global-key-1234"), email: "ops@example.com".into() };
    let client = Client::new(config(&emulator, ApiFamily::V2, good), CancellationToken::new()).unwrap();
    let outcome = client.batch_upsert(ZONE, &mappings(3)).await;
    assert!(outcome.is_complete(), "{outcome:?}");

    let bad = Credentials::KeyAndEmail { key: Secret::new("not-the-key-999"), email: "ops@example.com".into() };
    let client = Client::new(config(&emulator, ApiFamily::V2, bad), CancellationToken::new()).unwrap();
    let outcome = client.batch_upsert(ZONE, &mappings(250)).await;
    assert_eq!(outcome.requests, 1, "no more chunks after an authentication failure");
    assert_eq!(outcome.not_applied_ips().count(), 250);
    let text = outcome.not_applied[0].error.to_string();
    assert!(text.contains("CLOUDFLARE_API_KEY") && text.contains("CLOUDFLARE_EMAIL"), "{text}");
    assert!(!text.contains("not-the-key-999"));
    emulator.shutdown().await;
}

#[tokio::test]
async fn auto_falls_back_to_v2_when_v1_is_gone() {
    let emulator = start(EmulatorConfig { v1_enabled: false, ..EmulatorConfig::default() }).await;
    let control = emulator.control();
    let client = client(&emulator, ApiFamily::Auto);
    assert_eq!(client.family_in_use(), ApiFamily::V1);

    let outcome = client.batch_upsert(ZONE, &mappings(150)).await;
    assert!(outcome.is_complete(), "{outcome:?}");
    assert_eq!(outcome.succeeded.len(), 150);
    assert_eq!(client.family_in_use(), ApiFamily::V2);
    assert_eq!(control.request_count("PATCH", "/cache/origin_cloud_regions/batch"), 1, "v1 tried once");
    assert_eq!(control.request_count("PUT", "/origin/cloud_regions/batch"), 2);

    assert_eq!(client.list(ZONE).await.unwrap().mappings.len(), 150);
    let v1_requests = control.requests().iter().filter(|r| r.path.contains(V1)).count();
    assert_eq!(v1_requests, 1, "v1 never asked again");
    emulator.shutdown().await;
}

#[tokio::test]
async fn pinned_v1_reports_the_missing_route() {
    let emulator = start(EmulatorConfig { v1_enabled: false, ..EmulatorConfig::default() }).await;
    let error = client(&emulator, ApiFamily::V1).list(ZONE).await.unwrap_err();
    assert!(error.is_route_failure(), "{error:?}");
    assert!(error.to_string().contains("7003"), "{error}");
    emulator.shutdown().await;
}

fn v1_requests(emulator: &Emulator) -> usize {
    emulator.control().requests().iter().filter(|r| r.path.contains(V1)).count()
}

#[tokio::test]
async fn auto_switches_on_every_retired_v1_style_after_one_probe() {
    for style in V1Retirement::ALL {
        let emulator = start(EmulatorConfig { v1_retired: Some(style), ..EmulatorConfig::default() }).await;
        let control = emulator.control();
        let client = client(&emulator, ApiFamily::Auto);
        let outcome = client.batch_upsert(ZONE, &mappings(150)).await;
        assert!(outcome.is_complete(), "style {style}: {outcome:?}");
        assert_eq!(v1_requests(&emulator), 1, "style {style}: one v1 probe");
        assert_eq!(control.request_count("PUT", "/origin/cloud_regions/batch"), 2, "style {style}");
        assert_eq!(client.known_family(ZONE), Some(ApiFamily::V2));
        assert!(client.take_switch_notice().is_some(), "style {style}");
        assert_eq!(client.list(ZONE).await.unwrap().mappings.len(), 150);
        assert_eq!(v1_requests(&emulator), 1, "style {style}: v1 never asked again");
        emulator.shutdown().await;
    }
}

#[tokio::test]
async fn a_zone_known_to_be_on_v2_costs_no_v1_request() {
    let emulator = start(EmulatorConfig { v1_retired: Some(V1Retirement::Gone), ..EmulatorConfig::default() }).await;
    let client = client(&emulator, ApiFamily::Auto);
    client.remember_family(ZONE, ApiFamily::V2);
    client.batch_upsert(ZONE, &mappings(3)).await;
    assert_eq!(client.list(ZONE).await.unwrap().mappings.len(), 3);
    assert_eq!(v1_requests(&emulator), 0);
    assert_eq!(client.take_switch_notice(), None, "nothing switched in this process");
    emulator.shutdown().await;
}

#[tokio::test]
async fn an_unroutable_zone_id_is_reported_without_switching() {
    let emulator = start(EmulatorConfig::default()).await;
    let client = client(&emulator, ApiFamily::Auto);
    let error = client.list("not-a-zone").await.unwrap_err();
    assert!(matches!(error, ApiError::Unrouted { .. }), "{error:?}");
    let text = error.to_string();
    assert!(text.contains("not-a-zone") && text.contains("zone ID is most likely wrong") && text.contains("7000"), "{text}");
    assert_eq!(client.known_family("not-a-zone"), None);
    assert_eq!(client.list(ZONE).await.unwrap().mappings.len(), 0);
    assert_eq!(client.known_family(ZONE), Some(ApiFamily::V1), "v1 still serves real zones");
    emulator.shutdown().await;
}

#[tokio::test]
async fn a_non_route_404_is_an_error_never_an_empty_zone() {
    let emulator = start(EmulatorConfig::default()).await;
    emulator.control().fail_zone(ZONE, 404, 1001, "Invalid zone identifier").unwrap();
    for family in [ApiFamily::Auto, ApiFamily::V1, ApiFamily::V2] {
        let client = client(&emulator, family);
        let error = client.list(ZONE).await.unwrap_err();
        assert!(!error.is_not_found() && !error.is_route_failure(), "{family}: {error:?}");
        assert!(error.to_string().contains("1001"), "{error}");
        let error = client.get(ZONE, "192.0.2.1").await.unwrap_err();
        assert!(error.to_string().contains("1001"), "{family}: a get is an error too, not None");
    }
    let v2_requests = emulator.control().requests().iter().filter(|r| r.path.contains(V2)).count();
    assert_eq!(v2_requests, 2, "only the pinned v2 client's list and get: auto never probed v2");
    emulator.shutdown().await;
}

#[tokio::test]
async fn auth_errors_and_5xx_on_v1_never_switch() {
    let emulator = start(EmulatorConfig::default()).await;
    let wrong = Credentials::Token(Secret::new("wrong-token"));
    let client = Client::new(config(&emulator, ApiFamily::Auto, wrong), CancellationToken::new()).unwrap();
    let error = client.list(ZONE).await.unwrap_err();
    assert!(error.is_auth() && error.to_string().contains("CLOUDFLARE_API_TOKEN"), "{error}");
    assert_eq!(emulator.control().request_count("*", V2), 0, "no probe after an auth error");
    assert_eq!(client.family_in_use(), ApiFamily::V1);

    let mut settings = config(&emulator, ApiFamily::Auto, token());
    settings.initial_backoff = Duration::from_millis(1);
    let client = Client::new(settings, CancellationToken::new()).unwrap();
    emulator.control().fail_v1_batches(1, V1BatchFault::ServerError { status: 503 });
    let outcome = client.batch_upsert(ZONE, &mappings(3)).await;
    assert!(outcome.is_complete(), "the 5xx was retried on v1: {outcome:?}");
    assert_eq!(emulator.control().request_count("PATCH", "/cache/origin_cloud_regions/batch"), 2);
    assert_eq!(emulator.control().request_count("*", V2), 0);
    assert_eq!(client.known_family(ZONE), Some(ApiFamily::V1));
    emulator.shutdown().await;
}

#[tokio::test]
async fn non_editable_zones_refuse_writes_with_a_clear_error() {
    let emulator = start(EmulatorConfig::default()).await;
    emulator.control().set_editable(ZONE, false);
    let outcome = client(&emulator, ApiFamily::Auto).batch_upsert(ZONE, &mappings(2)).await;
    assert_eq!(outcome.not_applied_ips().count(), 2);
    let text = outcome.not_applied[0].error.to_string();
    assert!(text.contains("1155") && text.contains("not editable"), "{text}");
    emulator.shutdown().await;
}

/// 250 mappings in pages of 100: 3 pages.
async fn zone_of_250(emulator: &Emulator) {
    let control = emulator.control();
    for n in 0..250u32 {
        control.put_mapping(ZONE, &format!("10.0.{}.{}", n / 200, n % 200 + 1), "aws", "us-east-1").unwrap();
    }
}

#[tokio::test]
async fn v2_paging_relists_when_a_concurrent_delete_shifts_the_pages() {
    let emulator = start(EmulatorConfig::default()).await;
    zone_of_250(&emulator).await;
    let control = emulator.control();
    control.remove_between_pages(ZONE, 1, 5, Duration::from_millis(20));
    let list = client(&emulator, ApiFamily::V2).list(ZONE).await.unwrap();
    let listed: std::collections::BTreeSet<String> = list.mappings.iter().map(|m| m.ip.clone()).collect();
    let stored: std::collections::BTreeSet<String> = control.mappings(ZONE).into_keys().collect();
    assert_eq!(stored.len(), 245);
    assert_eq!(listed, stored, "every mapping that still exists is listed");
    let page_requests = control.request_count("GET", "/origin/cloud_regions");
    assert_eq!(page_requests, 6, "3 pages, then all 3 again");
    emulator.shutdown().await;
}

#[tokio::test]
async fn v2_paging_gives_up_with_a_clear_error_when_the_zone_never_settles() {
    let emulator = start(EmulatorConfig::default()).await;
    zone_of_250(&emulator).await;
    let control = emulator.control();
    for _ in 0..4 {
        control.remove_between_pages(ZONE, 1, 1, Duration::ZERO);
    }
    let error = client(&emulator, ApiFamily::V2).list(ZONE).await.unwrap_err();
    assert!(matches!(error, ApiError::ListingUnstable { attempts: 4, .. }), "{error:?}");
    assert!(error.to_string().contains("kept changing"), "{error}");
    emulator.shutdown().await;
}

#[tokio::test]
async fn v2_pages_after_the_first_are_fetched_concurrently() {
    let emulator = start(EmulatorConfig::default()).await;
    zone_of_250(&emulator).await;
    emulator.control().set_latency(Duration::from_millis(300));
    emulator.control().reset_counters();
    let client = client(&emulator, ApiFamily::V2);
    let started = std::time::Instant::now();
    assert_eq!(client.list(ZONE).await.unwrap().mappings.len(), 250);
    let elapsed = started.elapsed();
    eprintln!("v2 list of 3 pages at 300 ms latency: {elapsed:?}");
    let pages: Vec<String> = emulator.control().requests().iter().filter_map(|r| r.query.clone()).collect();
    assert_eq!(pages.len(), 3);
    assert_eq!(emulator.control().max_concurrent_requests(), 2, "pages 2 and 3 were in flight together");
    emulator.shutdown().await;
}

#[tokio::test]
async fn the_client_paces_itself_by_the_ratelimit_header() {
    let emulator = start(EmulatorConfig {
        ratelimit: Some(RatelimitPolicy::parse("3/1").unwrap()),
        ..EmulatorConfig::default()
    })
    .await;
    let client = client(&emulator, ApiFamily::V2);
    for _ in 0..7 {
        client.list(ZONE).await.unwrap();
    }
    let statuses: Vec<u16> = emulator.control().requests().iter().map(|r| r.status).collect();
    assert_eq!(statuses, vec![200; 7], "no request ran into a 429");
    emulator.shutdown().await;
}

#[tokio::test]
async fn an_unroutable_zone_stops_a_batch_after_one_probe() {
    let emulator = start(EmulatorConfig::default()).await;
    let outcome = client(&emulator, ApiFamily::Auto).batch_upsert("not-a-zone", &mappings(250)).await;
    assert_eq!(outcome.not_applied_ips().count(), 250);
    assert!(outcome.not_applied.iter().all(|chunk| matches!(chunk.error, ApiError::Unrouted { .. })));
    assert_eq!(emulator.control().requests().len(), 2, "one v1 request, one v2 probe, then no more chunks");
    emulator.shutdown().await;
}

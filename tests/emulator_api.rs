//! The emulator driven over real HTTP: documented shapes, validation, auth, limits, faults,
//! persistence, counters and the test controls.

use std::time::{Duration, Instant};

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use terraform_provider_cloudflare::emulator::{
    Emulator, EmulatorConfig, V1BatchFault, V1Retirement, MAX_MAPPINGS_PER_ZONE,
};

const ZONE: &str = "023e105f4ecef8ad9ca31a8372d0c353";
const V1: &str = "/zones/023e105f4ecef8ad9ca31a8372d0c353/cache/origin_cloud_regions";
const V2: &str = "/zones/023e105f4ecef8ad9ca31a8372d0c353/origin/cloud_regions";

async fn start_with(config: EmulatorConfig) -> Emulator {
    Emulator::start(config, "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap()
}

async fn start() -> Emulator {
    let emulator = start_with(EmulatorConfig::default()).await;
    // 2026-03-01T12:00:00Z, the docs' example time.
    emulator.control().set_clock(Some(
        time::OffsetDateTime::from_unix_timestamp(1_772_366_400).unwrap(),
    ));
    emulator
}

struct Answer {
    status: StatusCode,
    headers: reqwest::header::HeaderMap,
    body: Value,
}

async fn call_raw(request: reqwest::RequestBuilder) -> Answer {
    let response = request.send().await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let body: Value = response.json().await.unwrap();
    Answer {
        status,
        headers,
        body,
    }
}

fn request(emulator: &Emulator, method: Method, path: &str) -> reqwest::RequestBuilder {
    reqwest::Client::new().request(method, format!("{}{path}", emulator.base_url()))
}

async fn call(emulator: &Emulator, method: Method, path: &str, body: Option<Value>) -> Answer {
    let mut builder = request(emulator, method, path).bearer_auth("test-token");
    if let Some(body) = body {
        builder = builder.json(&body);
    }
    call_raw(builder).await
}

fn assert_failure(answer: &Answer, status: u16, code: u64) {
    assert_eq!(answer.status.as_u16(), status, "{}", answer.body);
    assert_eq!(answer.body["success"], json!(false), "{}", answer.body);
    assert_eq!(
        answer.body["errors"][0]["code"],
        json!(code),
        "{}",
        answer.body
    );
    assert_eq!(answer.body["messages"], json!([]));
    assert_eq!(answer.body["result"], Value::Null);
}

fn documented_batch() -> Value {
    json!([
        { "ip": "192.0.2.1", "vendor": "aws", "region": "us-east-1" },
        { "ip": "2001:db8::1", "vendor": "gcp", "region": "us-central1" }
    ])
}

#[tokio::test]
async fn v1_documented_examples() {
    let emulator = start().await;
    let empty = call(&emulator, Method::GET, V1, None).await;
    assert_eq!(
        empty.body,
        json!({ "success": true, "errors": [], "messages": [],
            "result": { "id": "origin_public_cloud_region", "editable": true, "modified_on": null, "value": [] } })
    );

    let batch = call(
        &emulator,
        Method::PATCH,
        &format!("{V1}/batch"),
        Some(documented_batch()),
    )
    .await;
    assert_eq!(batch.status, StatusCode::OK);
    assert_eq!(
        batch.body,
        json!({ "errors": [], "messages": [], "success": true,
            "result": { "editable": true, "id": "origin_public_cloud_region", "modified_on": "2026-03-01T12:00:00Z",
                "value": { "failed": [], "succeeded": [
                    { "origin-ip": "192.0.2.1", "region": "us-east-1", "vendor": "aws" },
                    { "origin-ip": "2001:db8::1", "region": "us-central1", "vendor": "gcp" } ] } } })
    );

    let list = call(&emulator, Method::GET, V1, None).await;
    assert_eq!(
        list.body["result"],
        json!({ "id": "origin_public_cloud_region", "editable": true, "modified_on": "2026-03-01T12:00:00Z",
            "value": [
                { "origin-ip": "192.0.2.1", "vendor": "aws", "region": "us-east-1", "modified_on": "2026-03-01T12:00:00Z" },
                { "origin-ip": "2001:db8::1", "vendor": "gcp", "region": "us-central1", "modified_on": "2026-03-01T12:00:00Z" } ] })
    );

    let deleted = call(
        &emulator,
        Method::DELETE,
        &format!("{V1}/batch"),
        Some(json!(["192.0.2.1", "2001:DB8:0::1"])),
    )
    .await;
    assert_eq!(
        deleted.body["result"]["value"],
        json!({ "succeeded": [
            { "origin-ip": "192.0.2.1", "vendor": "aws", "region": "us-east-1" },
            { "origin-ip": "2001:db8::1", "vendor": "gcp", "region": "us-central1" } ], "failed": [] })
    );
    let after = call(&emulator, Method::GET, V1, None).await;
    assert_eq!(
        after.body["result"]["modified_on"],
        Value::Null,
        "empty set has no timestamp"
    );
    assert_eq!(after.body["result"]["value"], json!([]));

    let regions = call(
        &emulator,
        Method::GET,
        &format!("{V1}/supported_regions"),
        None,
    )
    .await;
    let result = &regions.body["result"];
    assert_eq!(result["obtained_codes"], json!(true));
    for (vendor, region) in [
        ("aws", "us-east-1"),
        ("gcp", "us-central1"),
        ("azure", "eastus"),
        ("oci", "us-ashburn-1"),
    ] {
        let list = result["vendors"][vendor].as_array().unwrap();
        let entry = list.iter().find(|e| e["name"] == json!(region)).unwrap();
        assert!(!entry["upper_tier_colos"].as_array().unwrap().is_empty());
    }
    assert_eq!(result["vendors"].as_object().unwrap().len(), 4);
    emulator.shutdown().await;
}

#[tokio::test]
async fn v1_single_item_calls() {
    let emulator = start().await;
    let body = json!({ "ip": "2001:DB8:0:0:0:0:0:1", "vendor": "gcp", "region": "us-central1" });
    let created = call(&emulator, Method::POST, V1, Some(body.clone())).await;
    assert_eq!(created.status, StatusCode::OK);
    assert_eq!(
        created.body["result"],
        json!({ "id": "origin_public_cloud_region", "editable": true, "modified_on": "2026-03-01T12:00:00Z",
            "value": { "origin-ip": "2001:db8::1", "vendor": "gcp", "region": "us-central1", "modified_on": "2026-03-01T12:00:00Z" } })
    );
    assert_failure(
        &call(&emulator, Method::POST, V1, Some(body)).await,
        400,
        1145,
    );

    let upserted = call(
        &emulator,
        Method::PATCH,
        V1,
        Some(json!({ "ip": "192.0.2.1", "vendor": "aws", "region": "us-west-2" })),
    )
    .await;
    let value = upserted.body["result"]["value"].as_array().unwrap();
    assert_eq!(value.len(), 2, "PATCH answers with the whole set");

    let got = call(&emulator, Method::GET, &format!("{V1}/2001:db8:0::1"), None).await;
    assert_eq!(
        got.body["result"]["value"]["origin-ip"],
        json!("2001:db8::1")
    );
    let got = call(
        &emulator,
        Method::GET,
        &format!("{V1}/2001%3Adb8%3A%3A1"),
        None,
    )
    .await;
    assert_eq!(
        got.status,
        StatusCode::OK,
        "percent-encoded colons work too"
    );

    let deleted = call(&emulator, Method::DELETE, &format!("{V1}/192.0.2.1"), None).await;
    assert_eq!(
        deleted.body["result"]["value"]["region"],
        json!("us-west-2"),
        "answers the deleted entry"
    );
    let again = call(&emulator, Method::DELETE, &format!("{V1}/192.0.2.1"), None).await;
    assert_eq!(again.status, StatusCode::NOT_FOUND);
    assert_failure(
        &call(&emulator, Method::GET, &format!("{V1}/192.0.2.1"), None).await,
        404,
        1142,
    );
    emulator.shutdown().await;
}

#[tokio::test]
async fn v2_calls_and_pagination() {
    let emulator = start().await;
    let empty = call(&emulator, Method::GET, V2, None).await;
    assert_eq!(
        empty.body,
        json!({ "success": true, "errors": [], "messages": [], "result": [],
            "result_info": { "page": 1, "per_page": 20, "count": 0, "total_count": 0, "total_pages": 0 } })
    );

    let put = call(
        &emulator,
        Method::PUT,
        &format!("{V2}/2001:DB8::1"),
        Some(json!({ "origin_ip": "2001:db8::1", "vendor": "gcp", "region": "us-central1" })),
    )
    .await;
    assert_eq!(
        put.body["result"],
        json!({ "origin_ip": "2001:db8::1", "vendor": "gcp", "region": "us-central1", "modified_on": "2026-03-01T12:00:00Z" })
    );
    let mismatch = call(
        &emulator,
        Method::PUT,
        &format!("{V2}/192.0.2.1"),
        Some(json!({ "origin_ip": "192.0.2.2", "vendor": "aws", "region": "us-east-1" })),
    )
    .await;
    assert_failure(&mismatch, 400, 1146);

    let items: Vec<Value> = (1..=44).map(|i| json!({ "origin_ip": format!("198.51.100.{i}"), "vendor": "aws", "region": "us-east-1" })).collect();
    let batch = call(
        &emulator,
        Method::PUT,
        &format!("{V2}/batch"),
        Some(Value::Array(items)),
    )
    .await;
    assert_eq!(
        batch.body["result"]["succeeded"].as_array().unwrap().len(),
        44
    );
    assert_eq!(
        batch.body["result"]["succeeded"][0],
        json!({ "origin_ip": "198.51.100.1", "vendor": "aws", "region": "us-east-1" })
    );

    let mut seen = Vec::new();
    for page in 1..=4 {
        let answer = call(&emulator, Method::GET, &format!("{V2}?page={page}"), None).await;
        let info = &answer.body["result_info"];
        assert_eq!(
            (
                info["total_count"].clone(),
                info["total_pages"].clone(),
                info["per_page"].clone()
            ),
            (json!(45), json!(3), json!(20))
        );
        let result = answer.body["result"].as_array().unwrap();
        assert_eq!(info["count"], json!(result.len()));
        seen.extend(
            result
                .iter()
                .map(|e| e["origin_ip"].as_str().unwrap().to_string()),
        );
    }
    assert_eq!(seen.len(), 45, "pages cover every mapping exactly once");
    let big = call(&emulator, Method::GET, &format!("{V2}?per_page=100"), None).await;
    assert_eq!(big.body["result"].as_array().unwrap().len(), 45);
    for bad in ["per_page=0", "per_page=101", "per_page=x", "page=0"] {
        assert_failure(
            &call(&emulator, Method::GET, &format!("{V2}?{bad}"), None).await,
            400,
            1146,
        );
    }

    let got = call(
        &emulator,
        Method::GET,
        &format!("{V2}/2001:0db8::0001"),
        None,
    )
    .await;
    assert_eq!(got.body["result"]["origin_ip"], json!("2001:db8::1"));
    let deleted = call(
        &emulator,
        Method::DELETE,
        &format!("{V2}/2001:db8::1"),
        None,
    )
    .await;
    assert_eq!(
        deleted.body["result"],
        json!({ "origin_ip": "2001:db8::1" })
    );
    assert_failure(
        &call(
            &emulator,
            Method::DELETE,
            &format!("{V2}/2001:db8::1"),
            None,
        )
        .await,
        404,
        1142,
    );

    let batch_delete = call(
        &emulator,
        Method::DELETE,
        &format!("{V2}/batch"),
        Some(json!(["198.51.100.1", "203.0.113.9"])),
    )
    .await;
    assert_eq!(
        batch_delete.body["result"],
        json!({ "succeeded": [ { "origin_ip": "198.51.100.1", "vendor": "aws", "region": "us-east-1" } ],
                "failed": [ { "origin_ip": "203.0.113.9", "error": "no mapping exists for this origin IP" } ] })
    );
    let regions = call(
        &emulator,
        Method::GET,
        &format!("{V2}/supported_regions"),
        None,
    )
    .await;
    assert!(regions.body["result"]["vendors"]["oci"].is_array());
    emulator.shutdown().await;
}

#[tokio::test]
async fn validation_codes_and_batch_semantics() {
    let emulator = start().await;
    let single = |ip: &str, vendor: &str, region: &str| {
        Some(json!({ "ip": ip, "vendor": vendor, "region": region }))
    };
    assert_failure(
        &call(
            &emulator,
            Method::POST,
            V1,
            single("192.0.2.300", "aws", "us-east-1"),
        )
        .await,
        400,
        1146,
    );
    assert_failure(
        &call(
            &emulator,
            Method::POST,
            V1,
            single("192.0.2.0/24", "aws", "us-east-1"),
        )
        .await,
        400,
        1146,
    );
    assert_failure(
        &call(
            &emulator,
            Method::POST,
            V1,
            single("192.0.2.1", "ibm", "us-east-1"),
        )
        .await,
        400,
        1157,
    );
    assert_failure(
        &call(
            &emulator,
            Method::PATCH,
            V1,
            single("192.0.2.1", "gcp", "us-east-1"),
        )
        .await,
        400,
        1157,
    );
    assert_failure(
        &call(
            &emulator,
            Method::PATCH,
            V1,
            single("192.0.2.1", "AWS", "us-east-1"),
        )
        .await,
        400,
        1157,
    );
    let garbage = call_raw(
        request(&emulator, Method::PATCH, V1)
            .bearer_auth("test-token")
            .body("{not json"),
    )
    .await;
    assert_failure(&garbage, 400, 6007);

    let batch = call(
        &emulator,
        Method::PATCH,
        &format!("{V1}/batch"),
        Some(json!([
            { "ip": "192.0.2.1", "vendor": "aws", "region": "us-east-1" },
            { "ip": "192.0.2.01", "vendor": "aws", "region": "us-east-1" },
            { "ip": "192.0.2.2", "vendor": "gcp", "region": "us-east-1" },
            { "ip": "192.0.2.3", "vendor": "oracle", "region": "us-ashburn-1" },
            { "ip": "192.0.2.1", "vendor": "aws", "region": "us-west-2" },
            { "vendor": "aws", "region": "us-east-1" }
        ])),
    )
    .await;
    assert_eq!(batch.status, StatusCode::OK);
    let value = &batch.body["result"]["value"];
    assert_eq!(
        value["succeeded"],
        json!([{ "origin-ip": "192.0.2.1", "vendor": "aws", "region": "us-east-1" }])
    );
    let failed: Vec<&str> = value["failed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["origin-ip"].as_str().unwrap())
        .collect();
    assert_eq!(
        failed,
        ["192.0.2.01", "192.0.2.2", "192.0.2.3", "192.0.2.1", ""]
    );
    assert!(value["failed"]
        .as_array()
        .unwrap()
        .iter()
        .all(|f| f["error"].is_string() && f.get("vendor").is_none()));

    let all_failed = call(
        &emulator,
        Method::PATCH,
        &format!("{V1}/batch"),
        Some(json!([{ "ip": "x", "vendor": "aws", "region": "us-east-1" }])),
    )
    .await;
    assert_eq!(all_failed.status, StatusCode::OK);
    assert_eq!(all_failed.body["result"]["modified_on"], Value::Null);
    let empty = call(
        &emulator,
        Method::PATCH,
        &format!("{V1}/batch"),
        Some(json!([])),
    )
    .await;
    assert_eq!(
        empty.body["result"]["value"],
        json!({ "succeeded": [], "failed": [] })
    );
    assert_failure(
        &call(
            &emulator,
            Method::PATCH,
            &format!("{V1}/batch"),
            Some(json!({ "ip": "192.0.2.1" })),
        )
        .await,
        400,
        1146,
    );
    emulator.shutdown().await;
}

#[tokio::test]
async fn batches_over_100_items_are_rejected_whole() {
    let emulator = start().await;
    let items: Vec<Value> = (0..101).map(|i| json!({ "ip": format!("10.0.{}.{}", i / 256, i % 256), "vendor": "aws", "region": "us-east-1" })).collect();
    assert_failure(
        &call(
            &emulator,
            Method::PATCH,
            &format!("{V1}/batch"),
            Some(Value::Array(items.clone())),
        )
        .await,
        400,
        1146,
    );
    let ips: Vec<Value> = (0..101).map(|i| json!(format!("10.0.0.{i}"))).collect();
    assert_failure(
        &call(
            &emulator,
            Method::DELETE,
            &format!("{V2}/batch"),
            Some(Value::Array(ips)),
        )
        .await,
        400,
        1146,
    );
    assert!(emulator.control().mappings(ZONE).is_empty());
    let hundred = Value::Array(items[..100].to_vec());
    let ok = call(
        &emulator,
        Method::PATCH,
        &format!("{V1}/batch"),
        Some(hundred),
    )
    .await;
    assert_eq!(
        ok.body["result"]["value"]["succeeded"]
            .as_array()
            .unwrap()
            .len(),
        100
    );
    emulator.shutdown().await;
}

#[tokio::test]
async fn zone_limit_of_3500() {
    let emulator = start().await;
    let control = emulator.control();
    for i in 0..(MAX_MAPPINGS_PER_ZONE - 1) {
        control
            .put_mapping(
                ZONE,
                &format!("10.{}.{}.1", i / 256, i % 256),
                "aws",
                "us-east-1",
            )
            .unwrap();
    }
    let two_new = json!([
        { "ip": "192.0.2.1", "vendor": "aws", "region": "us-east-1" },
        { "ip": "192.0.2.2", "vendor": "aws", "region": "us-east-1" },
        { "ip": "10.0.0.1", "vendor": "gcp", "region": "us-central1" }
    ]);
    assert_failure(
        &call(
            &emulator,
            Method::PATCH,
            &format!("{V1}/batch"),
            Some(two_new),
        )
        .await,
        403,
        1164,
    );
    assert_eq!(
        control.mappings(ZONE).len(),
        MAX_MAPPINGS_PER_ZONE - 1,
        "nothing applied"
    );
    let one = Some(json!({ "ip": "192.0.2.1", "vendor": "aws", "region": "us-east-1" }));
    assert_eq!(
        call(&emulator, Method::PATCH, V1, one).await.status,
        StatusCode::OK
    );
    let another = Some(json!({ "origin_ip": "192.0.2.2", "vendor": "aws", "region": "us-east-1" }));
    assert_failure(
        &call(&emulator, Method::PUT, &format!("{V2}/192.0.2.2"), another).await,
        403,
        1164,
    );
    let update = Some(json!({ "ip": "10.0.0.1", "vendor": "gcp", "region": "us-central1" }));
    assert_eq!(
        call(&emulator, Method::PATCH, V1, update).await.status,
        StatusCode::OK,
        "updates still allowed"
    );
    emulator.shutdown().await;
}

#[tokio::test]
async fn authentication() {
    let emulator = start_with(EmulatorConfig {
        api_key: Some("global-key".into()),
        api_email: Some("ops@example.com".into()),
        ..EmulatorConfig::default()
    })
    .await;
    let list = || request(&emulator, Method::GET, V1);
    assert_failure(&call_raw(list()).await, 401, 9106);
    assert_failure(&call_raw(list().bearer_auth("wrong")).await, 403, 10000);
    assert_failure(
        &call_raw(list().header("Authorization", "Token x")).await,
        400,
        6003,
    );
    let key = |k: &str| {
        list()
            .header("X-Auth-Key", k)
            .header("X-Auth-Email", "ops@example.com")
    };
    assert_failure(&call_raw(key("nope")).await, 403, 9103);
    assert_eq!(call_raw(key("global-key")).await.status, StatusCode::OK);
    assert_eq!(
        call_raw(list().bearer_auth("test-token")).await.status,
        StatusCode::OK
    );
    emulator.shutdown().await;
}

#[tokio::test]
async fn routing_errors() {
    let emulator = start().await;
    let bad_zone = call(
        &emulator,
        Method::GET,
        "/zones/not-a-zone/cache/origin_cloud_regions",
        None,
    )
    .await;
    assert_failure(&bad_zone, 400, 7003);
    assert!(bad_zone.body["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("/client/v4/zones/not-a-zone/"));
    assert_failure(
        &call(&emulator, Method::GET, "/zones", None).await,
        404,
        7003,
    );
    assert_failure(
        &call(
            &emulator,
            Method::POST,
            &format!("{V2}/batch"),
            Some(json!([])),
        )
        .await,
        404,
        7003,
    );
    let outside =
        call_raw(reqwest::Client::new().get(format!("http://{}/nothing", emulator.local_addr())))
            .await;
    assert_failure(&outside, 404, 7003);
    emulator.shutdown().await;
}

#[tokio::test]
async fn disabled_v1_answers_like_a_removed_route() {
    let emulator = start().await;
    emulator.control().set_v1_enabled(false);
    for (method, path) in [
        (Method::GET, V1.to_string()),
        (Method::PATCH, format!("{V1}/batch")),
        (Method::GET, format!("{V1}/supported_regions")),
    ] {
        assert_failure(
            &call(&emulator, method, &path, Some(json!([]))).await,
            404,
            7003,
        );
    }
    assert_eq!(
        call(&emulator, Method::GET, V2, None).await.status,
        StatusCode::OK
    );
    let admin = reqwest::Client::new()
        .post(format!("{}/families", emulator.admin_url()))
        .json(&json!({ "v1": true }));
    assert!(admin.send().await.unwrap().status().is_success());
    assert_eq!(
        call(&emulator, Method::GET, V1, None).await.status,
        StatusCode::OK
    );
    emulator.shutdown().await;
}

#[tokio::test]
async fn rate_limit_server_errors_and_latency() {
    let emulator = start().await;
    let control = emulator.control();
    control.rate_limit(2, 7);
    for _ in 0..2 {
        let limited = call(&emulator, Method::GET, V1, None).await;
        assert_failure(&limited, 429, 971);
        assert_eq!(limited.headers["retry-after"], "7");
    }
    assert_eq!(
        call(&emulator, Method::GET, V1, None).await.status,
        StatusCode::OK
    );

    control.rate_limit_for(Duration::from_secs(3600), 30);
    for _ in 0..3 {
        assert_eq!(
            call(&emulator, Method::GET, V1, None).await.status,
            StatusCode::TOO_MANY_REQUESTS
        );
    }
    control.clear_faults();

    control.fail_5xx(2, 503);
    assert_failure(
        &call(
            &emulator,
            Method::PATCH,
            &format!("{V1}/batch"),
            Some(documented_batch()),
        )
        .await,
        503,
        1140,
    );
    assert_failure(
        &call(
            &emulator,
            Method::PATCH,
            &format!("{V1}/batch"),
            Some(documented_batch()),
        )
        .await,
        503,
        1140,
    );
    assert!(
        control.mappings(ZONE).is_empty(),
        "faulted requests change nothing"
    );
    assert_eq!(
        call(
            &emulator,
            Method::PATCH,
            &format!("{V1}/batch"),
            Some(documented_batch())
        )
        .await
        .status,
        StatusCode::OK
    );

    control.set_latency(Duration::from_millis(120));
    let began = Instant::now();
    assert_eq!(
        call(&emulator, Method::GET, V1, None).await.status,
        StatusCode::OK
    );
    assert!(began.elapsed() >= Duration::from_millis(120));
    emulator.shutdown().await;
}

#[tokio::test]
async fn dropped_connections() {
    let emulator = start().await;
    let control = emulator.control();
    control.drop_connections(2);
    let client = reqwest::Client::new();
    for _ in 0..2 {
        let result = client
            .get(format!("{}{V1}", emulator.base_url()))
            .bearer_auth("test-token")
            .send()
            .await;
        let err = result.expect_err("the connection must close without an answer");
        assert!(!err.is_status() && !err.is_timeout(), "{err:?}");
    }
    let ok = client
        .get(format!("{}{V1}", emulator.base_url()))
        .bearer_auth("test-token")
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), StatusCode::OK);
    let statuses: Vec<u16> = control.requests().iter().map(|r| r.status).collect();
    assert_eq!(statuses, [0, 0, 200]);
    emulator.shutdown().await;
}

#[tokio::test]
async fn failing_ip_and_region() {
    let emulator = start().await;
    let control = emulator.control();
    control.fail_ip("2001:DB8::1", "origin is locked").unwrap();
    control.fail_region("us-west-2", "region temporarily unavailable");
    let batch = call(
        &emulator,
        Method::PATCH,
        &format!("{V1}/batch"),
        Some(json!([
            { "ip": "192.0.2.1", "vendor": "aws", "region": "us-east-1" },
            { "ip": "2001:db8::1", "vendor": "gcp", "region": "us-central1" },
            { "ip": "192.0.2.2", "vendor": "aws", "region": "us-west-2" }
        ])),
    )
    .await;
    assert_eq!(
        batch.body["result"]["value"]["failed"],
        json!([ { "origin-ip": "2001:db8::1", "error": "origin is locked" },
                { "origin-ip": "192.0.2.2", "error": "region temporarily unavailable" } ])
    );
    let single = call(
        &emulator,
        Method::PUT,
        &format!("{V2}/2001:db8::1"),
        Some(json!({ "origin_ip": "2001:db8::1", "vendor": "gcp", "region": "us-central1" })),
    )
    .await;
    assert_failure(&single, 400, 1146);
    assert_eq!(
        single.body["errors"][0]["message"],
        json!("origin is locked")
    );
    control
        .put_mapping(ZONE, "2001:db8::1", "gcp", "us-central1")
        .unwrap();
    let deletion = call(
        &emulator,
        Method::DELETE,
        &format!("{V1}/batch"),
        Some(json!(["2001:db8::1", "192.0.2.1"])),
    )
    .await;
    assert_eq!(
        deletion.body["result"]["value"]["failed"],
        json!([{ "origin-ip": "2001:db8::1", "error": "origin is locked" }])
    );
    assert_eq!(
        deletion.body["result"]["value"]["succeeded"][0]["origin-ip"],
        json!("192.0.2.1")
    );
    emulator.shutdown().await;
}

#[tokio::test]
async fn counters_are_exact() {
    let emulator = start().await;
    let control = emulator.control();
    for _ in 0..3 {
        call(
            &emulator,
            Method::PATCH,
            &format!("{V1}/batch"),
            Some(documented_batch()),
        )
        .await;
    }
    call(&emulator, Method::GET, V1, None).await;
    call(
        &emulator,
        Method::DELETE,
        &format!("{V1}/batch"),
        Some(json!(["192.0.2.1"])),
    )
    .await;
    assert_eq!(
        control.request_count("PATCH", "/cache/origin_cloud_regions/batch"),
        3
    );
    assert_eq!(control.request_count("PATCH", ""), 3);
    assert_eq!(control.request_count("DELETE", "/batch"), 1);
    assert_eq!(
        control.request_count("GET", "/cache/origin_cloud_regions"),
        1
    );
    assert_eq!(control.request_count("*", ""), 5);
    let admin = reqwest::Client::new();
    let counted: Value = admin
        .get(format!(
            "{}/requests/count?method=PATCH&path_suffix=/batch",
            emulator.admin_url()
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(counted, json!({ "count": 3 }));
    assert_eq!(
        control.request_count("*", ""),
        5,
        "admin calls are not counted"
    );
    let log = control.requests();
    assert_eq!(log[0].method, "PATCH");
    assert_eq!(log[0].path, format!("/client/v4{V1}/batch"));
    assert_eq!(log[0].status, 200);
    control.reset_counters();
    assert_eq!(control.request_count("*", ""), 0);
    assert!(control.requests().is_empty());
    emulator.shutdown().await;
}

#[tokio::test]
async fn out_of_band_edits_over_rust_and_http() {
    let emulator = start().await;
    let control = emulator.control();
    control
        .put_mapping(ZONE, "2001:DB8::5", "azure", "eastus")
        .unwrap();
    let got = call(&emulator, Method::GET, &format!("{V2}/2001:db8::5"), None).await;
    assert_eq!(got.body["result"]["region"], json!("eastus"));
    let http = reqwest::Client::new();
    let put = http
        .put(format!(
            "{}/zones/{ZONE}/mappings/192.0.2.8",
            emulator.admin_url()
        ))
        .json(&json!({ "vendor": "oci", "region": "us-ashburn-1" }))
        .send()
        .await
        .unwrap();
    assert!(put.status().is_success());
    let listed: Value = http
        .get(format!("{}/zones/{ZONE}/mappings", emulator.admin_url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(listed["192.0.2.8"]["vendor"], json!("oci"));
    assert!(control.remove_mapping(ZONE, "2001:db8::5").unwrap());
    assert!(!control.remove_mapping(ZONE, "2001:db8::5").unwrap());
    assert!(control
        .put_mapping("short", "192.0.2.1", "aws", "us-east-1")
        .is_err());
    let dropped = http
        .post(format!("{}/faults/server_errors", emulator.admin_url()))
        .json(&json!({ "requests": 1, "status": 502 }))
        .send()
        .await
        .unwrap();
    assert!(dropped.status().is_success());
    assert_eq!(
        call(&emulator, Method::GET, V1, None).await.status.as_u16(),
        502
    );
    assert_eq!(
        control.request_count("*", ""),
        2,
        "admin calls are not counted"
    );
    emulator.shutdown().await;
}

#[tokio::test]
async fn persistence_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.json");
    let config = EmulatorConfig {
        persist_path: Some(path.clone()),
        ..EmulatorConfig::default()
    };
    let first = start_with(config.clone()).await;
    call(
        &first,
        Method::PATCH,
        &format!("{V1}/batch"),
        Some(documented_batch()),
    )
    .await;
    let before = call(&first, Method::GET, V1, None).await.body;
    first.shutdown().await;
    let file: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(
        file["zones"][ZONE]["mappings"]["2001:db8::1"]["region"],
        json!("us-central1")
    );

    let second = start_with(config).await;
    let after = call(&second, Method::GET, V1, None).await.body;
    assert_eq!(before, after);
    second.shutdown().await;
}

#[tokio::test]
async fn refuses_non_loopback_addresses() {
    let err = Emulator::start(EmulatorConfig::default(), "0.0.0.0:0".parse().unwrap())
        .await
        .err()
        .unwrap();
    assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
}

#[tokio::test]
async fn binary_prints_its_base_url_first() {
    use tokio::io::AsyncBufReadExt;
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_cloudflare-emulator"))
        .args(["--listen", "127.0.0.1:0", "--token", "bin-token"])
        .stdout(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut line = String::new();
    tokio::io::BufReader::new(stdout)
        .read_line(&mut line)
        .await
        .unwrap();
    let base = line.trim();
    assert!(
        base.starts_with("http://127.0.0.1:") && base.ends_with("/client/v4"),
        "{base}"
    );
    let answer = reqwest::Client::new()
        .get(format!("{base}{V2}"))
        .bearer_auth("bin-token")
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), StatusCode::OK);
    child.kill().await.unwrap();
}

async fn admin_post(emulator: &Emulator, path: &str, body: Value) -> reqwest::StatusCode {
    let response = reqwest::Client::new()
        .post(format!("{}{path}", emulator.admin_url()))
        .json(&body)
        .send()
        .await
        .unwrap();
    response.status()
}

fn error_codes(answer: &Answer) -> Vec<u64> {
    answer.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|error| error["code"].as_u64().unwrap())
        .collect()
}

#[tokio::test]
async fn a_malformed_zone_id_is_unroutable() {
    let emulator = start().await;
    let answer = call(&emulator, Method::GET, "/zones/not-a-zone/origin/cloud_regions", None).await;
    assert_failure(&answer, 400, 7003);
    assert_eq!(error_codes(&answer), [7003, 7000]);
    emulator.shutdown().await;
}

#[tokio::test]
async fn each_retired_v1_style_over_the_controls() {
    let emulator = start().await;
    for (style, status, codes) in [("404", 404, vec![7003]), ("400", 400, vec![7003, 7000]), ("405", 405, vec![7000]), ("410", 410, vec![1000])] {
        assert!(admin_post(&emulator, "/families", json!({ "v1_retired": style })).await.is_success());
        for (method, path) in [(Method::GET, V1.to_string()), (Method::PATCH, format!("{V1}/batch")), (Method::DELETE, format!("{V1}/batch"))] {
            let answer = call(&emulator, method, &path, Some(json!([]))).await;
            assert_failure(&answer, status, codes[0]);
            assert_eq!(error_codes(&answer), codes, "style {style}");
        }
        assert_eq!(call(&emulator, Method::GET, V2, None).await.status, StatusCode::OK, "v2 still served");
    }
    assert_eq!(admin_post(&emulator, "/families", json!({ "v1_retired": "418" })).await, StatusCode::BAD_REQUEST);
    assert!(admin_post(&emulator, "/families", json!({ "v1": true })).await.is_success());
    assert_eq!(call(&emulator, Method::GET, V1, None).await.status, StatusCode::OK);
    emulator.shutdown().await;

    let retired_at_start = start_with(EmulatorConfig {
        v1_retired: Some(V1Retirement::Unroutable),
        ..EmulatorConfig::default()
    })
    .await;
    assert_eq!(error_codes(&call(&retired_at_start, Method::GET, V1, None).await), [7003, 7000]);
    retired_at_start.shutdown().await;
}

#[tokio::test]
async fn zone_errors_editable_false_and_v1_batch_faults() {
    let emulator = start().await;
    let control = emulator.control();
    let other_zone = "11111111111111111111111111111111";
    control.fail_zone(other_zone, 404, 1001, "Invalid zone identifier").unwrap();
    for family in [format!("/zones/{other_zone}/cache/origin_cloud_regions"), format!("/zones/{other_zone}/origin/cloud_regions")] {
        assert_failure(&call(&emulator, Method::GET, &family, None).await, 404, 1001);
    }
    assert_eq!(call(&emulator, Method::GET, V2, None).await.status, StatusCode::OK, "other zones unaffected");

    assert!(admin_post(&emulator, &format!("/zones/{ZONE}/editable"), json!({ "editable": false })).await.is_success());
    let list = call(&emulator, Method::GET, V1, None).await;
    assert_eq!(list.body["result"]["editable"], json!(false));
    assert_failure(&call(&emulator, Method::PATCH, &format!("{V1}/batch"), Some(documented_batch())).await, 400, 1155);
    let v2_item = json!([{ "origin_ip": "192.0.2.1", "vendor": "aws", "region": "us-east-1" }]);
    assert_failure(&call(&emulator, Method::PUT, &format!("{V2}/batch"), Some(v2_item)).await, 400, 1155);
    assert!(control.mappings(ZONE).is_empty(), "nothing written");
    control.set_editable(ZONE, true);
    assert_eq!(call(&emulator, Method::GET, V1, None).await.body["result"]["editable"], json!(true));

    control.fail_v1_batches(1, V1BatchFault::ServerError { status: 503 });
    assert_failure(&call(&emulator, Method::PATCH, &format!("{V1}/batch"), Some(documented_batch())).await, 503, 1140);
    assert!(admin_post(&emulator, "/faults/v1_batch", json!({ "requests": 1, "kind": "region_validation" })).await.is_success());
    assert_failure(&call(&emulator, Method::PATCH, &format!("{V1}/batch"), Some(documented_batch())).await, 500, 1156);
    control.fail_v1_batches(1, V1BatchFault::ItemRegionValidation);
    let items_failed = call(&emulator, Method::PATCH, &format!("{V1}/batch"), Some(documented_batch())).await;
    assert_eq!(items_failed.status, StatusCode::OK);
    let failed = items_failed.body["result"]["value"]["failed"].as_array().unwrap();
    assert_eq!(failed.len(), 2);
    assert!(failed.iter().all(|item| item["error"].as_str().unwrap().contains("validate region")));
    assert_eq!(items_failed.body["result"]["modified_on"], Value::Null);
    assert!(control.mappings(ZONE).is_empty(), "nothing applied");
    let applied = call(&emulator, Method::PATCH, &format!("{V1}/batch"), Some(documented_batch())).await;
    assert_eq!(applied.body["result"]["value"]["succeeded"].as_array().unwrap().len(), 2, "faults are used up");
    emulator.shutdown().await;
}

#[tokio::test]
async fn ratelimit_headers_and_quota() {
    let emulator = start().await;
    let first = call(&emulator, Method::GET, V2, None).await;
    assert!(first.headers.get("ratelimit").is_none(), "off by default");
    assert!(admin_post(&emulator, "/ratelimit", json!({ "quota": 2, "window_secs": 60 })).await.is_success());
    let answer = call(&emulator, Method::GET, V2, None).await;
    assert_eq!(answer.headers["ratelimit-policy"], "\"default\";q=2;w=60");
    assert_eq!(answer.headers["ratelimit"], "\"default\";r=1;t=60");
    let answer = call(&emulator, Method::GET, V1, None).await;
    assert!(answer.headers["ratelimit"].to_str().unwrap().starts_with("\"default\";r=0;"));
    let refused = call(&emulator, Method::GET, V2, None).await;
    assert_failure(&refused, 429, 971);
    assert!(refused.headers.contains_key("retry-after") && refused.headers.contains_key("ratelimit"));
    emulator.shutdown().await;
}

#[tokio::test]
async fn page_hook_changes_the_store_between_pages() {
    let emulator = start().await;
    let control = emulator.control();
    for n in 1..=5 {
        control.put_mapping(ZONE, &format!("192.0.2.{n}"), "aws", "us-east-1").unwrap();
    }
    assert!(admin_post(&emulator, "/faults/page_hook", json!({ "zone": ZONE, "after_page": 1, "remove_first": 1 })).await.is_success());
    let page_path = |n: u32| format!("{V2}?page={n}&per_page=2");
    let first = call(&emulator, Method::GET, &page_path(1), None).await;
    assert_eq!(first.body["result_info"]["total_count"], 5, "page 1 answered from before the change");
    assert_eq!(control.mappings(ZONE).len(), 4, "the hook removed one mapping");
    let second = call(&emulator, Method::GET, &page_path(2), None).await;
    assert_eq!(second.body["result_info"]["total_count"], 4);
    assert_eq!(second.body["result"][0]["origin_ip"], "192.0.2.4", "offsets shifted: 192.0.2.3 is skipped");
    let again = call(&emulator, Method::GET, &page_path(1), None).await;
    assert_eq!(again.body["result_info"]["total_count"], 4, "the hook fired once");
    emulator.shutdown().await;
}

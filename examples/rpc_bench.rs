//! Benchmark (scenario 5 of BENCHMARKS.md): tfplugin5 RPC times for one
//! `cloudflare_origin_cloud_region_mappings` holding a large map, through the real gRPC service
//! on 127.0.0.1 and the real provider, against the in-process emulator (no latency).
//! Times cover the whole RPC: the provider's msgpack decode of the request and encode of the
//! answer are included; Terraform's side (encoding the request) is done before the clock starts.
//!
//! Run: `cargo run --release --example rpc_bench -- [--entries 3500] [--runs 20]`
//! Prints a human-readable summary on stderr and one JSON line on stdout.

use std::collections::BTreeMap;
use std::error::Error;
use std::sync::Arc;
use std::time::{Duration, Instant};

use terraform_provider_cloudflare::cloudflare::{self as api, ClientConfig, Credentials, Mapping, Secret};
use terraform_provider_cloudflare::emulator::{Emulator, EmulatorConfig, EmulatorControl, DEFAULT_TEST_TOKEN};
use terraform_provider_cloudflare::proto::tfplugin5 as pb;
use terraform_provider_cloudflare::provider::CloudflareProvider;
use terraform_provider_cloudflare::tfplugin::{msgpack, provider_service, Provider, StopSignal, Type, Value};
use tokio_util::sync::CancellationToken;
use tonic::transport::Channel;

// As the provider binary allocates.
#[global_allocator]
static ALLOCATOR: terraform_provider_cloudflare::FastAllocator = terraform_provider_cloudflare::FastAllocator;

type Client = pb::provider_client::ProviderClient<Channel>;
type BoxError = Box<dyn Error + Send + Sync>;

const TYPE_NAME: &str = "cloudflare_origin_cloud_region_mappings";
const ZONE: &str = "0123456789abcdef0123456789abcdef";
const REGIONS: [&str; 4] = ["us-east-1", "us-west-2", "eu-west-1", "ap-south-1"];

struct Options {
    entries: usize,
    runs: usize,
}

fn options() -> Result<Options, BoxError> {
    let mut options = Options { entries: 3500, runs: 20 };
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut iter = args.iter();
    while let Some(flag) = iter.next() {
        let value = iter.next().ok_or_else(|| format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--entries" => options.entries = value.parse()?,
            "--runs" => options.runs = value.parse()?,
            _ => return Err(format!("unknown flag {flag}").into()),
        }
    }
    Ok(options)
}

fn dynamic(value: &Value, ty: &Type) -> Result<Option<pb::DynamicValue>, BoxError> {
    Ok(Some(pb::DynamicValue { msgpack: msgpack::encode(value, ty)?, json: Vec::new() }))
}

fn undynamic(value: Option<pb::DynamicValue>, ty: &Type) -> Result<Value, BoxError> {
    let value = value.ok_or("the provider answered without a value")?;
    Ok(msgpack::decode(&value.msgpack, ty)?)
}

/// Fails on any error diagnostic, so a broken run is never timed as a fast one.
fn check(diagnostics: &[pb::Diagnostic], what: &str) -> Result<(), BoxError> {
    let errors: Vec<String> = diagnostics
        .iter()
        .filter(|d| d.severity == pb::diagnostic::Severity::Error as i32)
        .map(|d| format!("{}: {}", d.summary, d.detail))
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(format!("{what}: {}", errors.join("; ")).into())
    }
}

/// `{"198.18.x.y" = {vendor = "aws", region = …}}` with `entries` addresses.
fn mappings(entries: usize, region_shift: usize) -> Value {
    Value::map((1..=entries).map(|i| {
        let ip = format!("198.{}.{}.{}", 18 + i / 65536, (i / 256) % 256, i % 256);
        let region = REGIONS[(i + region_shift) % REGIONS.len()];
        (ip, Value::object([("vendor", Value::string("aws")), ("region", Value::string(region))]))
    }))
}

/// An object of `ty` with every attribute null except `set`.
fn object_of(ty: &Type, set: &[(&str, Value)]) -> Result<Value, BoxError> {
    let Type::Object(attributes) = ty else {
        return Err("a schema's value type is an object".into());
    };
    let mut fields: BTreeMap<String, Value> =
        attributes.keys().map(|name| (name.clone(), Value::Null)).collect();
    for (name, value) in set {
        fields.insert((*name).to_string(), value.clone());
    }
    Ok(Value::Object(fields))
}

/// CPU time of this whole process (provider, tonic, client and in-process emulator together):
/// unlike wall time it does not grow when other work on the machine takes the cores.
fn process_cpu() -> Duration {
    let mut now = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: clock_gettime only writes the timespec it is given.
    let status = unsafe { libc::clock_gettime(libc::CLOCK_PROCESS_CPUTIME_ID, &mut now) };
    if status != 0 {
        return Duration::ZERO;
    }
    Duration::new(now.tv_sec as u64, now.tv_nsec as u32)
}

/// Wall and process CPU time of one call.
#[derive(Clone, Copy)]
struct Took {
    wall: Duration,
    cpu: Duration,
}

struct Clock {
    wall: Instant,
    cpu: Duration,
}

impl Clock {
    fn start() -> Clock {
        Clock { wall: Instant::now(), cpu: process_cpu() }
    }

    fn stop(&self) -> Took {
        Took { wall: self.wall.elapsed(), cpu: process_cpu().saturating_sub(self.cpu) }
    }
}

fn medians(samples: &[Took]) -> (f64, f64) {
    (
        median_ms(samples.iter().map(|t| t.wall).collect()),
        median_ms(samples.iter().map(|t| t.cpu).collect()),
    )
}

fn median_ms(mut samples: Vec<Duration>) -> f64 {
    samples.sort();
    let mid = samples.len() / 2;
    let median = match (samples.get(mid.wrapping_sub(1)), samples.get(mid)) {
        (Some(low), Some(high)) if mid * 2 == samples.len() => (*low + *high) / 2,
        (_, Some(middle)) => *middle,
        _ => return f64::NAN,
    };
    median.as_secs_f64() * 1000.0
}

struct Bench {
    client: Client,
    state_type: Type,
}

impl Bench {
    async fn plan(&mut self, prior: &Value, proposed: &Value) -> Result<(Took, Value), BoxError> {
        let request = pb::plan_resource_change::Request {
            type_name: TYPE_NAME.into(),
            prior_state: dynamic(prior, &self.state_type)?,
            proposed_new_state: dynamic(proposed, &self.state_type)?,
            config: dynamic(&config_of(proposed), &self.state_type)?,
            ..Default::default()
        };
        let clock = Clock::start();
        let response = self.client.plan_resource_change(request).await?.into_inner();
        let elapsed = clock.stop();
        check(&response.diagnostics, "PlanResourceChange")?;
        Ok((elapsed, undynamic(response.planned_state, &self.state_type)?))
    }

    async fn apply(&mut self, prior: &Value, planned: &Value) -> Result<(Took, Value), BoxError> {
        let request = pb::apply_resource_change::Request {
            type_name: TYPE_NAME.into(),
            prior_state: dynamic(prior, &self.state_type)?,
            planned_state: dynamic(planned, &self.state_type)?,
            config: dynamic(&config_of(planned), &self.state_type)?,
            ..Default::default()
        };
        let clock = Clock::start();
        let response = self.client.apply_resource_change(request).await?.into_inner();
        let elapsed = clock.stop();
        check(&response.diagnostics, "ApplyResourceChange")?;
        Ok((elapsed, undynamic(response.new_state, &self.state_type)?))
    }

    async fn read(&mut self, state: &Value) -> Result<Took, BoxError> {
        let request = pb::read_resource::Request {
            type_name: TYPE_NAME.into(),
            current_state: dynamic(state, &self.state_type)?,
            ..Default::default()
        };
        let clock = Clock::start();
        let response = self.client.read_resource(request).await?.into_inner();
        let elapsed = clock.stop();
        check(&response.diagnostics, "ReadResource")?;
        Ok(elapsed)
    }
}

/// An API client set up as the provider's (same base URL, token, parallelism), with the
/// client-side rate limit lifted as in the provider configuration above (1,000/s, burst 20),
/// or with a bucket that holds every request at once (`burst`), to show what pacing costs.
fn api_client(emulator: &Emulator, burst: u32) -> Result<api::Client, BoxError> {
    let credentials = Credentials::Token(Secret::new(DEFAULT_TEST_TOKEN));
    let mut config = ClientConfig::new(emulator.base_url().parse()?, credentials);
    config.requests_per_second = 1000.0;
    config.burst = burst;
    Ok(api::Client::new(config, CancellationToken::new())?)
}

/// Writes `mappings` into an emptied zone with `client`, timed; every mapping must be applied.
async fn timed_batches(client: &api::Client, control: &EmulatorControl, mappings: &[Mapping]) -> Result<Took, BoxError> {
    control.clear_zone(ZONE)?;
    let clock = Clock::start();
    let outcome = client.batch_upsert(ZONE, mappings).await;
    let took = clock.stop();
    if !outcome.is_complete() || outcome.succeeded.len() != mappings.len() {
        return Err("the batch requests alone did not apply every mapping".into());
    }
    Ok(took)
}

/// The mappings of a planned value as the apply sends them.
fn sent_mappings(planned: &Value) -> Vec<Mapping> {
    let entries = planned.get_attr("mappings").and_then(Value::as_entries).into_iter().flatten();
    entries
        .map(|(ip, entry)| {
            let text = |name| entry.get_attr(name).and_then(Value::as_str).unwrap_or_default().to_string();
            Mapping::new(ip.clone(), text("vendor"), text("region"))
        })
        .collect()
}

/// The configuration Terraform would send: computed attributes null.
fn config_of(value: &Value) -> Value {
    let mut config = value.clone();
    for computed in ["id", "modified_on"] {
        if config.get_attr(computed).is_some() {
            config.set_attr(computed, Value::Null);
        }
    }
    config
}

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    let options = options()?;
    let emulator = Emulator::start(EmulatorConfig::default(), "127.0.0.1:0".parse()?).await?;
    let control = emulator.control();

    let stop = StopSignal::new(CancellationToken::new());
    let provider = CloudflareProvider::new(stop.clone());
    let provider_type = provider.schema().block.value_type();
    let resource = provider
        .resources()
        .into_iter()
        .find(|r| r.type_name() == TYPE_NAME)
        .ok_or("the provider has no mappings resource")?;
    let state_type = resource.schema().block.value_type();
    let provider_dyn: Arc<dyn Provider> = provider;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let address = listener.local_addr()?;
    let service = provider_service(provider_dyn, stop.clone());
    // TCP_NODELAY as the provider's own listener sets it (src/plugin/listener.rs): without it
    // the tail of a large answer waits for the client's delayed ACK (~40 ms on loopback), a
    // stall real runs never see (Terraform uses a Unix socket, or TCP with NODELAY).
    let incoming = tokio_stream::StreamExt::map(tokio_stream::wrappers::TcpListenerStream::new(listener), |stream| {
        stream.and_then(|stream| stream.set_nodelay(true).map(|()| stream))
    });
    let server = tokio::spawn(tonic::transport::Server::builder().add_service(service).serve_with_incoming(incoming));
    let mut client = Client::connect(format!("http://{address}"))
        .await?
        .max_decoding_message_size(256 * 1024 * 1024)
        .max_encoding_message_size(256 * 1024 * 1024);

    let provider_config = object_of(
        &provider_type,
        &[
            ("base_url", Value::string(emulator.base_url())),
            ("api_token", Value::string(DEFAULT_TEST_TOKEN)),
            // The default client-side limit (4/s, burst 20) would dominate: this measures CPU.
            ("requests_per_second", Value::Number(1000_i64.into())),
        ],
    )?;
    let configured = client
        .configure(pb::configure::Request {
            terraform_version: "1.11.4".into(),
            config: dynamic(&provider_config, &provider_type)?,
            ..Default::default()
        })
        .await?
        .into_inner();
    check(&configured.diagnostics, "Configure")?;

    let mut bench = Bench { client, state_type: state_type.clone() };
    let entries = mappings(options.entries, 0);
    let changed_one = {
        let mut map = entries.as_entries().cloned().unwrap_or_default();
        if let Some((_, entry)) = map.iter_mut().next() {
            entry.set_attr("region", Value::string("sa-east-1"));
        }
        Value::Map(map)
    };
    let proposed = object_of(&state_type, &[("zone_id", Value::string(ZONE)), ("mappings", entries)])?;

    let (mut plan_create, mut apply_create, mut plan_noop, mut plan_one, mut apply_one, mut read) =
        (vec![], vec![], vec![], vec![], vec![], vec![]);
    let mut create_requests = 0;
    let (mut codec, mut batches, mut unpaced) = (vec![], vec![], vec![]);
    let paced_client = api_client(&emulator, api::DEFAULT_BURST)?;
    let unpaced_client = api_client(&emulator, 1000)?;
    let as_sent = sent_mappings(&proposed);
    for _ in 0..options.runs {
        control.clear_zone(ZONE)?;
        control.reset_counters();
        let (took, planned) = bench.plan(&Value::Null, &proposed).await?;
        plan_create.push(took);
        let (took, state) = bench.apply(&Value::Null, &planned).await?;
        apply_create.push(took);
        create_requests = control.request_count("*", "");

        // Refresh, then a plan with nothing to do (what every `terraform plan` costs).
        read.push(bench.read(&state).await?);
        let (took, _) = bench.plan(&state, &state).await?;
        plan_noop.push(took);

        // One entry changed: plan and apply send one batch of one.
        let mut proposed_one = state.clone();
        proposed_one.set_attr("mappings", changed_one.clone());
        let (took, planned_one) = bench.plan(&state, &proposed_one).await?;
        plan_one.push(took);
        let (took, _) = bench.apply(&state, &planned_one).await?;
        apply_one.push(took);

        // The codec alone: decode and re-encode the full state once.
        let bytes = msgpack::encode(&state, &state_type)?;
        let clock = Clock::start();
        let decoded = msgpack::decode(&bytes, &state_type)?;
        let encoded = msgpack::encode(&decoded, &state_type)?;
        codec.push(clock.stop());
        if encoded.len() != bytes.len() {
            return Err("msgpack round trip changed the state's size".into());
        }

        // The create's batch requests alone, straight through the API client: the part of the
        // apply spent in HTTP, JSON and the in-process emulator rather than in the provider.
        batches.push(timed_batches(&paced_client, &control, &as_sent).await?);
        // The same with no pacing at all: 35 requests against a burst of 20 at 1,000/s cannot
        // finish in under 15 ms, whatever the exchanges cost.
        unpaced.push(timed_batches(&unpaced_client, &control, &as_sent).await?);
    }

    let mut summary = serde_json::json!({
        "entries": options.entries,
        "runs": options.runs,
        "apply_requests": create_requests,
    });
    for (name, samples) in [
        ("plan", &plan_create),
        ("apply", &apply_create),
        ("read", &read),
        ("plan_noop", &plan_noop),
        ("plan_one_change", &plan_one),
        ("apply_one_change", &apply_one),
        ("codec", &codec),
        ("batch_requests_alone", &batches),
        ("batch_requests_unpaced", &unpaced),
    ] {
        let (wall, cpu) = medians(samples);
        summary[format!("{name}_ms")] = serde_json::json!(wall);
        summary[format!("{name}_cpu_ms")] = serde_json::json!(cpu);
    }
    eprintln!("{}", serde_json::to_string_pretty(&summary)?);
    println!("{summary}");
    stop.stop();
    server.abort();
    emulator.shutdown().await;
    Ok(())
}

//! In-process gRPC tests of the tfplugin5 service adapter: a fake provider served on
//! 127.0.0.1, every RPC called through the generated client.

use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use terraform_provider_cloudflare::proto::tfplugin5 as pb;
use terraform_provider_cloudflare::tfplugin::{
    msgpack, provider_service, StopSignal, ApplyRequest, ApplyResponse, Attribute, AttributePath, Block,
    ConfigureRequest, DataSource, Diagnostics, ImportRequest, ImportResponse, ImportedResource,
    PlanRequest, PlanResponse, Provider, ReadDataSourceRequest, ReadDataSourceResponse,
    ReadRequest, ReadResponse, Resource, Schema, Type, UpgradeStateRequest, UpgradeStateResponse,
    Value,
};
use tokio_util::sync::CancellationToken;
use tonic::transport::Channel;

type Client = pb::provider_client::ProviderClient<Channel>;

const ERROR: i32 = pb::diagnostic::Severity::Error as i32;

#[derive(Default)]
struct Seen {
    configure: Option<ConfigureRequest>,
    upgrade: Option<UpgradeStateRequest>,
    read_private: Option<Vec<u8>>,
}

struct FakeProvider {
    seen: Arc<Mutex<Seen>>,
}

struct FakeThing {
    seen: Arc<Mutex<Seen>>,
}

struct FakeData;

fn thing_schema() -> Schema {
    Schema::new(
        3,
        Block::new()
            .description("A **fake** thing.")
            .attribute(Attribute::computed("id", Type::String))
            .attribute(Attribute::required("name", Type::String))
            .attribute(Attribute::optional("size", Type::Number)),
    )
}

fn thing_type() -> Type {
    thing_schema().value_type()
}

fn data_type() -> Type {
    Type::object([("input", Type::String), ("output", Type::String)])
}

fn provider_type() -> Type {
    Type::object([("api_token", Type::String)])
}

#[async_trait]
impl Provider for FakeProvider {
    fn schema(&self) -> Schema {
        Schema::new(
            0,
            Block::new().attribute(Attribute::optional("api_token", Type::String).sensitive()),
        )
    }

    fn resources(&self) -> Vec<Arc<dyn Resource>> {
        vec![Arc::new(FakeThing {
            seen: self.seen.clone(),
        })]
    }

    fn data_sources(&self) -> Vec<Arc<dyn DataSource>> {
        vec![Arc::new(FakeData)]
    }

    async fn validate_config(&self, config: &Value) -> Diagnostics {
        let mut diags = Diagnostics::new();
        if config.get_attr("api_token").and_then(Value::as_str) == Some("") {
            diags.error_at(AttributePath::new("api_token"), "Empty token", "");
        }
        diags
    }

    async fn configure(&self, request: ConfigureRequest) -> Diagnostics {
        self.seen.lock().unwrap().configure = Some(request);
        Diagnostics::new()
    }
}

#[async_trait]
impl Resource for FakeThing {
    fn type_name(&self) -> &'static str {
        "fake_thing"
    }

    fn schema(&self) -> Schema {
        thing_schema()
    }

    async fn validate(&self, config: &Value) -> Diagnostics {
        match config.get_attr("name").and_then(Value::as_str) {
            Some("panic") => panic!("validate exploded"),
            Some("") => Diagnostics::from_error("Empty name", ""),
            _ => Diagnostics::new(),
        }
    }

    async fn upgrade_state(&self, request: UpgradeStateRequest) -> UpgradeStateResponse {
        self.seen.lock().unwrap().upgrade = Some(request.clone());
        let name = request
            .raw_state_json
            .as_ref()
            .and_then(|j| j.get("name"))
            .and_then(|n| n.as_str())
            .unwrap_or("")
            .to_owned();
        UpgradeStateResponse {
            state: Value::object([("id", Value::from("x")), ("name", Value::from(name))]),
            diagnostics: Diagnostics::new(),
        }
    }

    async fn read(&self, request: ReadRequest) -> ReadResponse {
        self.seen.lock().unwrap().read_private = Some(request.private.clone());
        let gone = request
            .current_state
            .get_attr("name")
            .and_then(Value::as_str)
            == Some("gone");
        ReadResponse {
            new_state: if gone {
                Value::Null
            } else {
                request.current_state
            },
            private: None,
            diagnostics: Diagnostics::new(),
        }
    }

    async fn plan(&self, request: PlanRequest) -> PlanResponse {
        if request.proposed_new_state.is_null() {
            return PlanResponse {
                planned_state: Value::Null,
                requires_replace: vec![],
                planned_private: vec![],
                diagnostics: Diagnostics::new(),
            };
        }
        let mut planned = request.proposed_new_state.clone();
        if request.prior_state.is_null() {
            planned.set_attr("id", Value::Unknown);
        }
        let requires_replace = if request.prior_state.is_null() {
            vec![]
        } else {
            vec![AttributePath::new("name")]
        };
        PlanResponse {
            planned_state: planned,
            requires_replace,
            planned_private: b"p1".to_vec(),
            diagnostics: Diagnostics::new(),
        }
    }

    async fn apply(&self, request: ApplyRequest) -> ApplyResponse {
        if request
            .planned_state
            .get_attr("name")
            .and_then(Value::as_str)
            == Some("bad-type")
        {
            // A provider bug: a number where the schema says string.
            return ApplyResponse {
                new_state: Value::object([("id", Value::from(5))]),
                private: vec![],
                diagnostics: Diagnostics::new(),
            };
        }
        let mut state = request.planned_state;
        if !state.is_null() {
            state.set_attr("id", Value::from("id-1"));
        }
        ApplyResponse {
            new_state: state,
            private: request.planned_private,
            diagnostics: Diagnostics::new(),
        }
    }

    async fn import(&self, request: ImportRequest) -> ImportResponse {
        ImportResponse {
            imported: vec![ImportedResource {
                state: Value::object([("id", Value::from(request.id)), ("name", Value::Unknown)]),
                private: b"imported".to_vec(),
            }],
            diagnostics: Diagnostics::new(),
        }
    }
}

#[async_trait]
impl DataSource for FakeData {
    fn type_name(&self) -> &'static str {
        "fake_data"
    }

    fn schema(&self) -> Schema {
        Schema::new(
            0,
            Block::new()
                .attribute(Attribute::required("input", Type::String))
                .attribute(Attribute::computed("output", Type::String)),
        )
    }

    async fn read(&self, request: ReadDataSourceRequest) -> ReadDataSourceResponse {
        let input = request
            .config
            .get_attr("input")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned();
        if input == "panic" {
            panic!("data source exploded");
        }
        let mut state = request.config;
        state.set_attr("output", Value::from(input.to_uppercase()));
        ReadDataSourceResponse {
            state,
            diagnostics: Diagnostics::new(),
        }
    }
}

struct Harness {
    client: Client,
    stop: StopSignal,
    seen: Arc<Mutex<Seen>>,
}

async fn start() -> Harness {
    let seen = Arc::new(Mutex::new(Seen::default()));
    let stop = StopSignal::new(CancellationToken::new());
    let provider = Arc::new(FakeProvider { seen: seen.clone() });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let service = provider_service(provider, stop.clone());
    tokio::spawn(async move {
        tonic::transport::Server::builder()
            .add_service(service)
            .serve_with_incoming(tokio_stream::wrappers::TcpListenerStream::new(listener))
            .await
            .unwrap();
    });
    let client = Client::connect(format!("http://{addr}")).await.unwrap();
    Harness { client, stop, seen }
}

fn dv(value: &Value, ty: &Type) -> Option<pb::DynamicValue> {
    Some(pb::DynamicValue {
        msgpack: msgpack::encode(value, ty).unwrap(),
        json: vec![],
    })
}

fn decode(value: Option<pb::DynamicValue>, ty: &Type) -> Value {
    let value = value.expect("a DynamicValue");
    msgpack::decode(&value.msgpack, ty).unwrap()
}

fn thing(id: Value, name: &str, size: Value) -> Value {
    Value::object([("id", id), ("name", Value::from(name)), ("size", size)])
}

fn assert_single_error(diagnostics: &[pb::Diagnostic], needle: &str) {
    assert_eq!(diagnostics.len(), 1, "{diagnostics:?}");
    assert_eq!(diagnostics[0].severity, ERROR);
    let text = format!("{} {}", diagnostics[0].summary, diagnostics[0].detail);
    assert!(text.contains(needle), "{text:?} should contain {needle:?}");
}

#[tokio::test]
async fn schema_and_metadata() {
    let mut h = start().await;
    let schema = h
        .client
        .get_schema(pb::get_provider_schema::Request {})
        .await
        .unwrap()
        .into_inner();
    assert!(schema.diagnostics.is_empty());
    let provider = schema.provider.unwrap().block.unwrap();
    assert_eq!(provider.attributes[0].name, "api_token");
    assert!(provider.attributes[0].sensitive);
    let thing = &schema.resource_schemas["fake_thing"];
    assert_eq!(thing.version, 3);
    let block = thing.block.as_ref().unwrap();
    assert_eq!(block.description, "A **fake** thing.");
    assert_eq!(block.description_kind, pb::StringKind::Markdown as i32);
    assert_eq!(block.attributes.len(), 3);
    assert!(schema.data_source_schemas.contains_key("fake_data"));
    let caps = schema.server_capabilities.unwrap();
    assert!(caps.plan_destroy && !caps.get_provider_schema_optional);

    let meta = h
        .client
        .get_metadata(pb::get_metadata::Request {})
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        meta.resources
            .iter()
            .map(|r| r.type_name.as_str())
            .collect::<Vec<_>>(),
        ["fake_thing"]
    );
    assert_eq!(
        meta.data_sources
            .iter()
            .map(|r| r.type_name.as_str())
            .collect::<Vec<_>>(),
        ["fake_data"]
    );
    assert!(meta.server_capabilities.unwrap().plan_destroy);

    let ids = h
        .client
        .get_resource_identity_schemas(pb::get_resource_identity_schemas::Request {})
        .await
        .unwrap()
        .into_inner();
    assert!(ids.identity_schemas.is_empty() && ids.diagnostics.is_empty());
    let functions = h
        .client
        .get_functions(pb::get_functions::Request {})
        .await
        .unwrap()
        .into_inner();
    assert!(functions.functions.is_empty() && functions.diagnostics.is_empty());
}

#[tokio::test]
async fn provider_config_is_validated_echoed_and_configured() {
    let mut h = start().await;
    let config = dv(
        &Value::object([("api_token", Value::from(""))]),
        &provider_type(),
    );
    let prepared = h
        .client
        .prepare_provider_config(pb::prepare_provider_config::Request {
            config: config.clone(),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(prepared.prepared_config, config);
    assert_eq!(prepared.diagnostics.len(), 1);
    let path = prepared.diagnostics[0].attribute.as_ref().unwrap();
    assert_eq!(
        path.steps[0].selector,
        Some(pb::attribute_path::step::Selector::AttributeName(
            "api_token".into()
        ))
    );

    let config = dv(
        &Value::object([("api_token", Value::Unknown)]),
        &provider_type(),
    );
    let configured = h
        .client
        .configure(pb::configure::Request {
            terraform_version: "1.0.3".into(),
            config,
            client_capabilities: None,
        })
        .await
        .unwrap()
        .into_inner();
    assert!(configured.diagnostics.is_empty());
    let seen = h.seen.lock().unwrap().configure.clone().unwrap();
    assert_eq!(seen.terraform_version, "1.0.3");
    assert_eq!(seen.config.get_attr("api_token"), Some(&Value::Unknown));

    let garbage = Some(pb::DynamicValue {
        msgpack: vec![0xc1],
        json: vec![],
    });
    let configured = h
        .client
        .configure(pb::configure::Request {
            terraform_version: String::new(),
            config: garbage,
            client_capabilities: None,
        })
        .await
        .unwrap()
        .into_inner();
    assert_single_error(&configured.diagnostics, "provider configuration");
}

#[tokio::test]
async fn validation_dispatches_and_panics_become_diagnostics() {
    let mut h = start().await;
    let ok = h
        .client
        .validate_resource_type_config(pb::validate_resource_type_config::Request {
            type_name: "fake_thing".into(),
            config: dv(&thing(Value::Null, "n", Value::Unknown), &thing_type()),
            client_capabilities: None,
        })
        .await
        .unwrap()
        .into_inner();
    assert!(ok.diagnostics.is_empty());

    let panicked = h
        .client
        .validate_resource_type_config(pb::validate_resource_type_config::Request {
            type_name: "fake_thing".into(),
            config: dv(&thing(Value::Null, "panic", Value::Null), &thing_type()),
            client_capabilities: None,
        })
        .await
        .unwrap()
        .into_inner();
    assert_single_error(&panicked.diagnostics, "validate exploded");

    let unknown = h
        .client
        .validate_resource_type_config(pb::validate_resource_type_config::Request {
            type_name: "fake_nope".into(),
            config: None,
            client_capabilities: None,
        })
        .await
        .unwrap()
        .into_inner();
    assert_single_error(&unknown.diagnostics, "fake_nope");

    let data = h
        .client
        .validate_data_source_config(pb::validate_data_source_config::Request {
            type_name: "fake_data".into(),
            config: dv(&Value::object([("input", Value::from("x"))]), &data_type()),
        })
        .await
        .unwrap()
        .into_inner();
    assert!(data.diagnostics.is_empty());
    let unknown = h
        .client
        .validate_data_source_config(pb::validate_data_source_config::Request {
            type_name: "nope_data".into(),
            config: None,
        })
        .await
        .unwrap()
        .into_inner();
    assert_single_error(&unknown.diagnostics, "nope_data");
}

#[tokio::test]
async fn upgrade_passes_raw_json_and_encodes_current_schema() {
    let mut h = start().await;
    let upgraded = h
        .client
        .upgrade_resource_state(pb::upgrade_resource_state::Request {
            type_name: "fake_thing".into(),
            version: 1,
            raw_state: Some(pb::RawState {
                json: br#"{"name": "old", "legacy": true}"#.to_vec(),
                flatmap: Default::default(),
            }),
        })
        .await
        .unwrap()
        .into_inner();
    assert!(
        upgraded.diagnostics.is_empty(),
        "{:?}",
        upgraded.diagnostics
    );
    assert_eq!(
        decode(upgraded.upgraded_state, &thing_type()),
        thing(Value::from("x"), "old", Value::Null)
    );
    let seen = h.seen.lock().unwrap().upgrade.clone().unwrap();
    assert_eq!(seen.version, 1);
    assert_eq!(
        seen.raw_state_json.unwrap()["legacy"],
        serde_json::Value::Bool(true)
    );

    let bad = h
        .client
        .upgrade_resource_state(pb::upgrade_resource_state::Request {
            type_name: "fake_thing".into(),
            version: 3,
            raw_state: Some(pb::RawState {
                json: b"{not json".to_vec(),
                flatmap: Default::default(),
            }),
        })
        .await
        .unwrap()
        .into_inner();
    assert_single_error(&bad.diagnostics, "not valid JSON");
}

#[tokio::test]
async fn read_echoes_private_and_reports_deletion() {
    let mut h = start().await;
    let state = thing(Value::from("id-1"), "n", Value::from(2));
    let read = h
        .client
        .read_resource(pb::read_resource::Request {
            type_name: "fake_thing".into(),
            current_state: dv(&state, &thing_type()),
            private: b"keep me".to_vec(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert!(read.diagnostics.is_empty());
    assert_eq!(read.private, b"keep me");
    assert_eq!(decode(read.new_state, &thing_type()), state);
    assert_eq!(
        h.seen.lock().unwrap().read_private.as_deref(),
        Some(&b"keep me"[..])
    );

    let gone = h
        .client
        .read_resource(pb::read_resource::Request {
            type_name: "fake_thing".into(),
            current_state: dv(
                &thing(Value::from("id-1"), "gone", Value::Null),
                &thing_type(),
            ),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(decode(gone.new_state, &thing_type()), Value::Null);
}

#[tokio::test]
async fn plan_and_apply_round_trip() {
    let mut h = start().await;
    let config = thing(Value::Null, "n", Value::from(1));
    let plan = h
        .client
        .plan_resource_change(pb::plan_resource_change::Request {
            type_name: "fake_thing".into(),
            prior_state: dv(&Value::Null, &thing_type()),
            proposed_new_state: dv(&config, &thing_type()),
            config: dv(&config, &thing_type()),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert!(plan.diagnostics.is_empty());
    let planned = decode(plan.planned_state.clone(), &thing_type());
    assert_eq!(planned, thing(Value::Unknown, "n", Value::from(1)));
    assert_eq!(plan.planned_private, b"p1");
    assert!(plan.requires_replace.is_empty());
    assert!(!plan.legacy_type_system);

    let applied = h
        .client
        .apply_resource_change(pb::apply_resource_change::Request {
            type_name: "fake_thing".into(),
            prior_state: dv(&Value::Null, &thing_type()),
            planned_state: plan.planned_state,
            config: dv(&config, &thing_type()),
            planned_private: plan.planned_private,
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert!(applied.diagnostics.is_empty());
    let state = decode(applied.new_state, &thing_type());
    assert_eq!(state, thing(Value::from("id-1"), "n", Value::from(1)));
    assert_eq!(applied.private, b"p1");

    // Update: the fake asks for replacement on "name".
    let update = h
        .client
        .plan_resource_change(pb::plan_resource_change::Request {
            type_name: "fake_thing".into(),
            prior_state: dv(&state, &thing_type()),
            proposed_new_state: dv(
                &thing(Value::from("id-1"), "m", Value::from(1)),
                &thing_type(),
            ),
            config: dv(&thing(Value::Null, "m", Value::from(1)), &thing_type()),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        update.requires_replace[0].steps[0].selector,
        Some(pb::attribute_path::step::Selector::AttributeName(
            "name".into()
        ))
    );

    // Destroy: planned null, applied null.
    let destroy = h
        .client
        .apply_resource_change(pb::apply_resource_change::Request {
            type_name: "fake_thing".into(),
            prior_state: dv(&state, &thing_type()),
            planned_state: dv(&Value::Null, &thing_type()),
            config: None,
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(decode(destroy.new_state, &thing_type()), Value::Null);

    // A value that does not fit the schema is reported, not sent.
    let bad = h
        .client
        .apply_resource_change(pb::apply_resource_change::Request {
            type_name: "fake_thing".into(),
            planned_state: dv(
                &thing(Value::Unknown, "bad-type", Value::Null),
                &thing_type(),
            ),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_single_error(&bad.diagnostics, "does not match its schema");
    assert!(bad.new_state.is_none());

    let unknown = h
        .client
        .plan_resource_change(pb::plan_resource_change::Request {
            type_name: "fake_other".into(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_single_error(&unknown.diagnostics, "fake_other");
}

#[tokio::test]
async fn import_sets_type_name() {
    let mut h = start().await;
    let imported = h
        .client
        .import_resource_state(pb::import_resource_state::Request {
            type_name: "fake_thing".into(),
            id: "abc".into(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert!(imported.diagnostics.is_empty());
    let resource = &imported.imported_resources[0];
    assert_eq!(resource.type_name, "fake_thing");
    assert_eq!(resource.private, b"imported");
    assert_eq!(
        decode(resource.state.clone(), &thing_type()),
        thing(Value::from("abc"), "", Value::Null).tap_name(Value::Unknown)
    );
}

trait TapName {
    fn tap_name(self, name: Value) -> Value;
}

impl TapName for Value {
    fn tap_name(mut self, name: Value) -> Value {
        self.set_attr("name", name);
        self
    }
}

#[tokio::test]
async fn data_source_reads_and_survives_panics() {
    let mut h = start().await;
    let read = h
        .client
        .read_data_source(pb::read_data_source::Request {
            type_name: "fake_data".into(),
            config: dv(
                &Value::object([("input", Value::from("abc")), ("output", Value::Null)]),
                &data_type(),
            ),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert!(read.diagnostics.is_empty());
    assert_eq!(
        decode(read.state, &data_type()),
        Value::object([
            ("input", Value::from("abc")),
            ("output", Value::from("ABC"))
        ])
    );

    let panicked = h
        .client
        .read_data_source(pb::read_data_source::Request {
            type_name: "fake_data".into(),
            config: dv(
                &Value::object([("input", Value::from("panic"))]),
                &data_type(),
            ),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_single_error(&panicked.diagnostics, "data source exploded");

    // The server keeps serving after a panic.
    let again = h
        .client
        .get_schema(pb::get_provider_schema::Request {})
        .await
        .unwrap()
        .into_inner();
    assert!(again.provider.is_some());
}

#[tokio::test]
async fn unused_rpcs_answer_with_diagnostics() {
    let mut h = start().await;
    let c = &mut h.client;
    let d = c
        .upgrade_resource_identity(pb::upgrade_resource_identity::Request::default())
        .await
        .unwrap()
        .into_inner();
    assert_single_error(&d.diagnostics, "not supported");
    let d = c
        .move_resource_state(pb::move_resource_state::Request::default())
        .await
        .unwrap()
        .into_inner();
    // Moves are supported, into resource types this provider defines.
    assert_single_error(&d.diagnostics, "Unknown resource type");
    let d = c
        .generate_resource_config(pb::generate_resource_config::Request::default())
        .await
        .unwrap()
        .into_inner();
    assert_single_error(&d.diagnostics, "not supported");
    let d = c
        .validate_ephemeral_resource_config(
            pb::validate_ephemeral_resource_config::Request::default(),
        )
        .await
        .unwrap()
        .into_inner();
    assert_single_error(&d.diagnostics, "not supported");
    let d = c
        .open_ephemeral_resource(pb::open_ephemeral_resource::Request::default())
        .await
        .unwrap()
        .into_inner();
    assert_single_error(&d.diagnostics, "not supported");
    let d = c
        .renew_ephemeral_resource(pb::renew_ephemeral_resource::Request::default())
        .await
        .unwrap()
        .into_inner();
    assert_single_error(&d.diagnostics, "not supported");
    let d = c
        .close_ephemeral_resource(pb::close_ephemeral_resource::Request::default())
        .await
        .unwrap()
        .into_inner();
    assert_single_error(&d.diagnostics, "not supported");
    let d = c
        .validate_list_resource_config(pb::validate_list_resource_config::Request::default())
        .await
        .unwrap()
        .into_inner();
    assert_single_error(&d.diagnostics, "not supported");
    let d = c
        .plan_action(pb::plan_action::Request::default())
        .await
        .unwrap()
        .into_inner();
    assert_single_error(&d.diagnostics, "not supported");
    let d = c
        .validate_action_config(pb::validate_action_config::Request::default())
        .await
        .unwrap()
        .into_inner();
    assert_single_error(&d.diagnostics, "not supported");

    let call = c
        .call_function(pb::call_function::Request {
            name: "f".into(),
            arguments: vec![],
        })
        .await
        .unwrap()
        .into_inner();
    assert!(call.error.unwrap().text.contains("no functions"));

    let mut events = c
        .list_resource(pb::list_resource::Request::default())
        .await
        .unwrap()
        .into_inner();
    let event = events.message().await.unwrap().unwrap();
    assert_single_error(&event.diagnostic, "not supported");
    assert!(events.message().await.unwrap().is_none());

    let mut events = c
        .invoke_action(pb::invoke_action::Request::default())
        .await
        .unwrap()
        .into_inner();
    let event = events.message().await.unwrap().unwrap();
    match event.r#type {
        Some(pb::invoke_action::event::Type::Completed(done)) => {
            assert_single_error(&done.diagnostics, "not supported")
        }
        other => panic!("unexpected event {other:?}"),
    }
    assert!(events.message().await.unwrap().is_none());
}

#[tokio::test]
async fn stop_cancels_work_in_flight_and_not_work_started_later() {
    let mut h = start().await;
    let in_flight = h.stop.token();
    assert!(!in_flight.is_cancelled());
    let stopped = h
        .client
        .stop(pb::stop::Request {})
        .await
        .unwrap()
        .into_inner();
    assert_eq!(stopped.error, "");
    assert!(in_flight.is_cancelled());
    // A provider kept alive by --debug serves later commands with a fresh token.
    assert!(!h.stop.token().is_cancelled());
}

//! `tracing` output as hclog JSON lines on stderr.
//!
//! Terraform's go-plugin client reads the provider's stderr line by line; a JSON object with
//! `@level`, `@message` and an `@timestamp` of exactly six fractional digits keeps its level in
//! Terraform's log, every other key becomes a key=value pair. Terraform filters again on its
//! side, but we emit nothing below the level chosen by `TF_LOG_PROVIDER` (else `TF_LOG`) so an
//! unconfigured run stays silent and cheap.

use std::io::Write;

use serde_json::{Map, Value as Json};
use time::format_description::FormatItem;
use time::macros::format_description;
use time::OffsetDateTime;
use tracing::field::{Field, Visit};
use tracing::level_filters::LevelFilter;
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::filter::Targets;
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::layer::{Context, SubscriberExt};
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::Layer;

/// Our own events go out at the chosen level; dependencies (h2, hyper, tonic, …) are capped at
/// WARN so `TF_LOG=trace` shows provider activity rather than HTTP/2 frame dumps.
const CRATE_TARGET: &str = "terraform_provider_cloudflare";
const DEPENDENCY_MAX_LEVEL: LevelFilter = LevelFilter::WARN;

/// The `@module` every line carries (terraform-plugin-go uses "provider" too).
const MODULE: &str = "provider";

/// Field names whose values are replaced, as a last line of defence against logging secrets.
const SENSITIVE_NAME_PARTS: &[&str] = &["token", "password", "secret", "api_key", "authorization"];
const REDACTED: &str = "[redacted]";

const TIMESTAMP_FORMAT: &[FormatItem<'static>] =
    format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:6]Z");

/// The level Terraform asked for: `TF_LOG_PROVIDER` wins over `TF_LOG`; unset, empty or `off`
/// means nothing; `json` means trace; an unknown word means trace, as Terraform itself does.
pub fn level_from_env(lookup: impl Fn(&str) -> Option<String>) -> LevelFilter {
    let chosen = ["TF_LOG_PROVIDER", "TF_LOG"]
        .into_iter()
        .filter_map(&lookup)
        .map(|value| value.trim().to_ascii_lowercase())
        .find(|value| !value.is_empty());
    match chosen.as_deref() {
        None | Some("off") => LevelFilter::OFF,
        Some("error") => LevelFilter::ERROR,
        Some("warn") => LevelFilter::WARN,
        Some("info") => LevelFilter::INFO,
        Some("debug") => LevelFilter::DEBUG,
        Some(_) => LevelFilter::TRACE,
    }
}

/// Installs the stderr hclog subscriber for the whole process (a no-op when one already exists,
/// e.g. inside tests).
pub fn install(level: LevelFilter) {
    let subscriber = tracing_subscriber::registry().with(layer(level, std::io::stderr));
    // Already installed (tests, or a second call): keep the existing subscriber.
    let _ = tracing::subscriber::set_global_default(subscriber);
}

/// The hclog layer with its level filter, writing through `writer`.
pub fn layer<S, W>(level: LevelFilter, writer: W) -> impl Layer<S>
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    W: for<'w> MakeWriter<'w> + Send + Sync + 'static,
{
    let filter = Targets::new()
        .with_default(level.min(DEPENDENCY_MAX_LEVEL))
        .with_target(CRATE_TARGET, level);
    HclogLayer { writer }.with_filter(filter)
}

/// Formats a UTC time the way go-hclog does: microseconds, `Z`.
pub fn format_timestamp(at: OffsetDateTime) -> String {
    let utc = at.to_offset(time::UtcOffset::UTC);
    // The format has no fallible parts for in-range dates; fall back to the RFC 3339 seconds.
    utc.format(TIMESTAMP_FORMAT)
        .unwrap_or_else(|_| utc.unix_timestamp().to_string())
}

struct HclogLayer<W> {
    writer: W,
}

/// Fields recorded on a span, kept so events inside it carry them (e.g. `tf_rpc`).
struct SpanFields(Map<String, Json>);

impl<S, W> Layer<S> for HclogLayer<W>
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    W: for<'w> MakeWriter<'w> + 'static,
{
    fn on_new_span(
        &self,
        attrs: &tracing::span::Attributes<'_>,
        id: &tracing::span::Id,
        ctx: Context<'_, S>,
    ) {
        let mut fields = JsonFields::default();
        attrs.record(&mut fields);
        if let Some(span) = ctx.span(id) {
            span.extensions_mut().insert(SpanFields(fields.fields));
        }
    }

    fn on_record(
        &self,
        id: &tracing::span::Id,
        values: &tracing::span::Record<'_>,
        ctx: Context<'_, S>,
    ) {
        let Some(span) = ctx.span(id) else { return };
        let mut extensions = span.extensions_mut();
        if let Some(SpanFields(existing)) = extensions.get_mut::<SpanFields>() {
            let mut fields = JsonFields::default();
            values.record(&mut fields);
            existing.extend(fields.fields);
        }
    }

    fn on_event(&self, event: &Event<'_>, ctx: Context<'_, S>) {
        let mut extra = Map::new();
        if let Some(scope) = ctx.event_scope(event) {
            for span in scope.from_root() {
                if let Some(SpanFields(fields)) = span.extensions().get::<SpanFields>() {
                    extra.extend(fields.clone());
                }
            }
        }
        let mut fields = JsonFields::default();
        event.record(&mut fields);
        extra.extend(fields.fields);

        let line = hclog_line(
            *event.metadata().level(),
            &fields.message,
            OffsetDateTime::now_utc(),
            extra,
        );
        // One write per line so concurrent events never interleave inside a line.
        let mut writer = self.writer.make_writer();
        let _ = writer.write_all(line.as_bytes());
    }
}

/// One complete hclog JSON line, newline included.
fn hclog_line(level: Level, message: &str, at: OffsetDateTime, extra: Map<String, Json>) -> String {
    let mut object = Map::new();
    object.insert("@level".into(), Json::from(hclog_level(level)));
    object.insert("@message".into(), Json::from(message));
    object.insert("@module".into(), Json::from(MODULE));
    object.insert("@timestamp".into(), Json::from(format_timestamp(at)));
    for (key, value) in extra {
        if !key.starts_with('@') {
            object.insert(key, value);
        }
    }
    let mut line = Json::Object(object).to_string();
    line.push('\n');
    line
}

fn hclog_level(level: Level) -> &'static str {
    match level {
        Level::TRACE => "trace",
        Level::DEBUG => "debug",
        Level::INFO => "info",
        Level::WARN => "warn",
        Level::ERROR => "error",
    }
}

fn is_sensitive(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    SENSITIVE_NAME_PARTS.iter().any(|part| name.contains(part))
}

/// Collects `tracing` fields as JSON values; `message` is kept apart for `@message`.
#[derive(Default)]
struct JsonFields {
    message: String,
    fields: Map<String, Json>,
}

impl JsonFields {
    fn put(&mut self, field: &Field, value: Json) {
        let value = if is_sensitive(field.name()) {
            Json::from(REDACTED)
        } else {
            value
        };
        self.fields.insert(field.name().to_string(), value);
    }
}

impl Visit for JsonFields {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            self.message = format!("{value:?}");
        } else {
            self.put(field, Json::from(format!("{value:?}")));
        }
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            self.message = value.to_string();
        } else {
            self.put(field, Json::from(value));
        }
    }

    fn record_i64(&mut self, field: &Field, value: i64) {
        self.put(field, Json::from(value));
    }

    fn record_u64(&mut self, field: &Field, value: u64) {
        self.put(field, Json::from(value));
    }

    fn record_bool(&mut self, field: &Field, value: bool) {
        self.put(field, Json::from(value));
    }

    fn record_f64(&mut self, field: &Field, value: f64) {
        let number = serde_json::Number::from_f64(value).map_or(Json::Null, Json::Number);
        self.put(field, number);
    }

    fn record_error(&mut self, field: &Field, value: &(dyn std::error::Error + 'static)) {
        self.put(field, Json::from(value.to_string()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};
    use tracing_subscriber::layer::SubscriberExt;

    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);

    impl Write for Captured {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    impl<'w> MakeWriter<'w> for Captured {
        type Writer = Captured;
        fn make_writer(&'w self) -> Captured {
            self.clone()
        }
    }

    impl Captured {
        fn lines(&self) -> Vec<Map<String, Json>> {
            let bytes = self.0.lock().unwrap().clone();
            String::from_utf8(bytes)
                .unwrap()
                .lines()
                .map(|line| match serde_json::from_str(line).unwrap() {
                    Json::Object(object) => object,
                    other => panic!("not an object: {other}"),
                })
                .collect()
        }
    }

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let pairs: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |name| {
            pairs
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
        }
    }

    fn capture(level: LevelFilter, emit: impl FnOnce()) -> Vec<Map<String, Json>> {
        let captured = Captured::default();
        let subscriber = tracing_subscriber::registry().with(layer(level, captured.clone()));
        tracing::subscriber::with_default(subscriber, emit);
        captured.lines()
    }

    #[test]
    fn level_prefers_provider_variable_then_tf_log() {
        assert_eq!(level_from_env(env(&[])), LevelFilter::OFF);
        assert_eq!(level_from_env(env(&[("TF_LOG", "")])), LevelFilter::OFF);
        assert_eq!(level_from_env(env(&[("TF_LOG", "off")])), LevelFilter::OFF);
        assert_eq!(
            level_from_env(env(&[("TF_LOG", "JSON")])),
            LevelFilter::TRACE
        );
        assert_eq!(
            level_from_env(env(&[("TF_LOG", "Info")])),
            LevelFilter::INFO
        );
        assert_eq!(
            level_from_env(env(&[("TF_LOG", "bogus")])),
            LevelFilter::TRACE
        );
        let both = env(&[("TF_LOG", "trace"), ("TF_LOG_PROVIDER", "ERROR")]);
        assert_eq!(level_from_env(both), LevelFilter::ERROR);
        let provider_off = env(&[("TF_LOG", "trace"), ("TF_LOG_PROVIDER", "off")]);
        assert_eq!(level_from_env(provider_off), LevelFilter::OFF);
        let provider_empty = env(&[("TF_LOG", "warn"), ("TF_LOG_PROVIDER", "")]);
        assert_eq!(level_from_env(provider_empty), LevelFilter::WARN);
    }

    #[test]
    fn timestamp_has_six_fractional_digits_and_z() {
        let at = time::macros::datetime!(2024-03-05 07:08:09.123456789 +02:00);
        assert_eq!(format_timestamp(at), "2024-03-05T05:08:09.123456Z");
        let whole = time::macros::datetime!(2024-03-05 07:08:09 UTC);
        assert_eq!(format_timestamp(whole), "2024-03-05T07:08:09.000000Z");
    }

    #[test]
    fn events_become_hclog_objects_with_extra_keys() {
        let lines = capture(LevelFilter::TRACE, || {
            let span = tracing::info_span!("rpc", tf_rpc = "GetSchema");
            let _entered = span.enter();
            tracing::warn!(count = 3, ok = true, "hello {}", "world");
        });
        assert_eq!(lines.len(), 1);
        let line = &lines[0];
        let keys: Vec<&str> = line.keys().map(String::as_str).collect();
        assert_eq!(&keys[..4], ["@level", "@message", "@module", "@timestamp"]);
        assert_eq!(line["@level"], "warn");
        assert_eq!(line["@message"], "hello world");
        assert_eq!(line["@module"], "provider");
        assert_eq!(line["count"], 3);
        assert_eq!(line["ok"], true);
        assert_eq!(line["tf_rpc"], "GetSchema");
        let stamp = line["@timestamp"].as_str().unwrap();
        let fraction = stamp.split('.').nth(1).unwrap();
        assert_eq!(fraction.len(), 7, "six digits then Z: {stamp}");
        assert!(fraction.ends_with('Z'));
    }

    #[test]
    fn events_below_the_level_are_dropped() {
        let lines = capture(LevelFilter::INFO, || {
            tracing::debug!("hidden");
            tracing::info!("shown");
            tracing::error!("also shown");
        });
        let messages: Vec<&Json> = lines.iter().map(|line| &line["@message"]).collect();
        assert_eq!(messages, ["shown", "also shown"]);
    }

    #[test]
    fn off_emits_nothing() {
        let lines = capture(LevelFilter::OFF, || tracing::error!("nothing"));
        assert!(lines.is_empty());
    }

    #[test]
    fn dependencies_are_capped_at_warn() {
        let lines = capture(LevelFilter::TRACE, || {
            tracing::debug!(target: "h2::codec", "frame");
            tracing::warn!(target: "h2::codec", "dependency warning");
            tracing::trace!("ours");
        });
        let messages: Vec<&Json> = lines.iter().map(|line| &line["@message"]).collect();
        assert_eq!(messages, ["dependency warning", "ours"]);
    }

    #[test]
    fn sensitive_field_names_are_redacted() {
        let lines = capture(LevelFilter::TRACE, || {
            tracing::info!(
                api_token = "abc123",
                Authorization = "Bearer x",
                zone = "z",
                "call"
            );
        });
        assert_eq!(lines[0]["api_token"], REDACTED);
        assert_eq!(lines[0]["Authorization"], REDACTED);
        assert_eq!(lines[0]["zone"], "z");
    }
}

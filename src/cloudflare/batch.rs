//! Batch operations: canonical keys, chunks of at most 100, a few chunks in flight at once, and
//! one outcome keyed by canonical IP that never loses an item.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::future::Future;
use std::sync::OnceLock;

use futures::future::Either;
use futures::stream::{self, StreamExt};
use tokio_util::sync::CancellationToken;

use super::error::ApiError;
use super::model::{later_timestamp, BatchOutcome, ChunkFailure, DeleteOutcome, Mapping, MappingList};
use super::wire::{canonical_or_raw, BatchItem, BatchResult};

/// Cloudflare's `maxItems` for every batch body.
pub const CHUNK_SIZE: usize = 100;

const NO_REASON: &str = "Cloudflare reported this address as failed without a reason";
const NOT_REPORTED: &str = "Cloudflare did not report a result for this address";

/// What one batch request reported.
#[derive(Debug, Default)]
pub(crate) struct ChunkResult {
    pub items: BatchResult,
    pub modified_on: Option<String>,
}

/// An item a batch can carry: a mapping (upsert) or an IP (delete).
pub(crate) trait BatchInput: Clone {
    type Succeeded;
    /// The item with its IP canonical (kept as given when it does not parse).
    fn canonical(&self) -> Self;
    fn ip(&self) -> &str;
    /// The outcome entry for an item Cloudflare reported as succeeded.
    fn succeeded(sent: Option<&Self>, key: &str, reported: &BatchItem) -> Self::Succeeded;
}

impl BatchInput for Mapping {
    type Succeeded = Mapping;

    fn canonical(&self) -> Self {
        Mapping { ip: canonical_or_raw(&self.ip), ..self.clone() }
    }

    fn ip(&self) -> &str {
        &self.ip
    }

    /// Cloudflare's values when given, else what we sent.
    fn succeeded(sent: Option<&Self>, key: &str, reported: &BatchItem) -> Mapping {
        let pick = |reported: &Option<String>, sent: Option<&String>| {
            reported.clone().or_else(|| sent.cloned()).unwrap_or_default()
        };
        Mapping {
            ip: key.to_string(),
            vendor: pick(&reported.vendor, sent.map(|mapping| &mapping.vendor)),
            region: pick(&reported.region, sent.map(|mapping| &mapping.region)),
        }
    }
}

impl BatchInput for String {
    /// The deleted mapping's values, when Cloudflare reports them.
    type Succeeded = Option<Mapping>;

    fn canonical(&self) -> Self {
        canonical_or_raw(self)
    }

    fn ip(&self) -> &str {
        self
    }

    fn succeeded(_sent: Option<&Self>, key: &str, reported: &BatchItem) -> Option<Mapping> {
        match (&reported.vendor, &reported.region) {
            (Some(vendor), Some(region)) => Some(Mapping::new(key, vendor.clone(), region.clone())),
            _ => None,
        }
    }
}

/// Canonical items in chunks of [`CHUNK_SIZE`]. Two spellings of one address are one item
/// (the later one wins, as it would on the API), so keys stay unique.
pub(crate) fn plan_chunks<I: BatchInput>(items: &[I]) -> Vec<Vec<I>> {
    let mut unique: Vec<I> = Vec::with_capacity(items.len());
    let mut position: HashMap<String, usize> = HashMap::new();
    for item in items.iter().map(BatchInput::canonical) {
        match position.get(item.ip()) {
            Some(&index) => unique[index] = item,
            None => {
                position.insert(item.ip().to_string(), unique.len());
                unique.push(item);
            }
        }
    }
    unique.chunks(CHUNK_SIZE).map(<[I]>::to_vec).collect()
}

/// Sends the chunks: the first alone, then at most `parallelism` (at least 1) in flight at once.
/// A chunk failing as a whole lands in `not_applied` and the rest continue, unless the failure
/// is cancellation or authentication: then chunks not yet sent are recorded as not applied with
/// the same error (chunks already in flight finish as they will).
pub(crate) async fn run<I, F, Fut>(
    items: &[I],
    parallelism: usize,
    cancel: &CancellationToken,
    mut send: F,
) -> BatchOutcome<I::Succeeded>
where
    I: BatchInput,
    F: FnMut(Vec<I>) -> Fut,
    Fut: Future<Output = Result<ChunkResult, ApiError>>,
{
    let mut outcome = BatchOutcome::default();
    let mut failures = Vec::new();
    // Set by the first failure that makes sending more pointless; read before each new send.
    let stop: OnceLock<ApiError> = OnceLock::new();
    let mut sent = 0u32;
    let mut chunks = plan_chunks(items).into_iter().enumerate();

    // The first request goes alone, so bad credentials, a retired endpoint (auto switches
    // family on it) or a cancelled run cost one request, not `parallelism` of them.
    if let Some((index, chunk)) = chunks.next() {
        let answer = match skip_reason(&stop, cancel) {
            Some(error) => Err(error),
            None => {
                sent += 1;
                send(chunk.clone()).await
            }
        };
        record(&mut outcome, &mut failures, &stop, index, &chunk, answer);
    }
    let mut answers = stream::iter(chunks)
        .map(|(index, chunk)| {
            let answer = match skip_reason(&stop, cancel) {
                Some(error) => Either::Left(std::future::ready(Err(error))),
                None => {
                    sent += 1;
                    Either::Right(send(chunk.clone()))
                }
            };
            async move { (index, chunk, answer.await) }
        })
        .buffer_unordered(parallelism.max(1));
    while let Some((index, chunk, answer)) = answers.next().await {
        record(&mut outcome, &mut failures, &stop, index, &chunk, answer);
    }
    drop(answers);
    // Failures in chunk order, whatever order the answers came in.
    failures.sort_by_key(|(index, _)| *index);
    outcome.not_applied = failures.into_iter().map(|(_, failure)| failure).collect();
    outcome.requests = sent;
    outcome
}

/// Why the next chunk must not be sent, if it must not.
fn skip_reason(stop: &OnceLock<ApiError>, cancel: &CancellationToken) -> Option<ApiError> {
    stop.get().cloned().or_else(|| cancel.is_cancelled().then_some(ApiError::Cancelled))
}

/// Files one chunk's answer: merged when it came, else a failure (that may stop the rest).
fn record<I: BatchInput>(
    outcome: &mut BatchOutcome<I::Succeeded>,
    failures: &mut Vec<(usize, ChunkFailure)>,
    stop: &OnceLock<ApiError>,
    index: usize,
    chunk: &[I],
    answer: Result<ChunkResult, ApiError>,
) {
    match answer {
        Ok(result) => merge(outcome, chunk, result),
        Err(error) => {
            if error.aborts_batch() {
                // Only the first such error is kept; later ones say the same.
                let _ = stop.set(error.clone());
            }
            failures.push((index, chunk_failure(chunk, error)));
        }
    }
}

fn chunk_failure<I: BatchInput>(chunk: &[I], error: ApiError) -> ChunkFailure {
    ChunkFailure { ips: chunk.iter().map(|item| item.ip().to_string()).collect(), error }
}

/// Files every reported item under its canonical IP; sent items Cloudflare did not mention
/// become failures, so no item silently disappears.
fn merge<I: BatchInput>(outcome: &mut BatchOutcome<I::Succeeded>, chunk: &[I], result: ChunkResult) {
    let sent: HashMap<&str, &I> = chunk.iter().map(|item| (item.ip(), item)).collect();
    let mut unreported: BTreeSet<&str> = sent.keys().copied().collect();
    for item in &result.items.succeeded {
        let key = canonical_or_raw(&item.ip);
        unreported.remove(key.as_str());
        let entry = I::succeeded(sent.get(key.as_str()).copied(), &key, item);
        outcome.succeeded.insert(key, entry);
    }
    for item in &result.items.failed {
        let key = canonical_or_raw(&item.ip);
        unreported.remove(key.as_str());
        let reason = item.error.clone().filter(|text| !text.trim().is_empty()).unwrap_or_else(|| NO_REASON.into());
        outcome.failed.insert(key, reason);
    }
    for ip in unreported {
        outcome.failed.insert(ip.to_string(), NOT_REPORTED.into());
    }
    outcome.modified_on = later_timestamp(outcome.modified_on.take(), result.modified_on);
}

/// Moves failed deletes of valid IPs that `list` does not contain to `succeeded`.
pub(crate) fn settle_absent(outcome: &mut DeleteOutcome, list: &MappingList) {
    let present: HashSet<&str> = list.mappings.iter().map(|mapping| mapping.ip.as_str()).collect();
    let absent: Vec<String> = outcome
        .failed
        .keys()
        .filter(|ip| crate::ip::parse_ip(ip).is_ok() && !present.contains(ip.as_str()))
        .cloned()
        .collect();
    for ip in absent {
        outcome.failed.remove(&ip);
        outcome.succeeded.insert(ip.clone(), None);
        outcome.already_absent.insert(ip);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::{Cell, RefCell};
    use std::time::Duration;
    
    fn mappings(count: usize) -> Vec<Mapping> {
        (0..count).map(|n| Mapping::new(format!("2001:DB8::{n:x}"), "aws", "us-east-1")).collect()
    }

    fn item(ip: &str, error: Option<&str>) -> BatchItem {
        BatchItem { ip: ip.into(), error: error.map(Into::into), vendor: None, region: None }
    }

    /// Echoes every item of the chunk as succeeded, except those listed as failing.
    fn echo(chunk: &[Mapping], failing: &[&str]) -> ChunkResult {
        let mut items = BatchResult::default();
        for mapping in chunk {
            if failing.contains(&mapping.ip.as_str()) {
                items.failed.push(item(&mapping.ip, Some("bad region")));
            } else {
                items.succeeded.push(BatchItem {
                    vendor: Some(mapping.vendor.clone()),
                    region: Some(mapping.region.clone()),
                    ..item(&mapping.ip, None)
                });
            }
        }
        ChunkResult { items, modified_on: Some("2026-03-01T12:00:00Z".into()) }
    }

    #[test]
    fn chunks_of_at_most_100() {
        let sizes: Vec<usize> = plan_chunks(&mappings(250)).iter().map(Vec::len).collect();
        assert_eq!(sizes, [100, 100, 50]);
        assert_eq!(plan_chunks(&mappings(100)).len(), 1);
        assert!(plan_chunks::<Mapping>(&[]).is_empty());
    }

    #[test]
    fn keys_are_canonical_and_duplicates_collapse() {
        let items = vec![
            Mapping::new("2001:DB8:0:0::1", "aws", "us-east-1"),
            Mapping::new("192.0.2.1", "aws", "us-east-1"),
            Mapping::new("2001:db8::1", "gcp", "us-central1"),
            Mapping::new("not-an-ip", "aws", "us-east-1"),
        ];
        let chunks = plan_chunks(&items);
        assert_eq!(
            chunks[0],
            [
                Mapping::new("2001:db8::1", "gcp", "us-central1"),
                Mapping::new("192.0.2.1", "aws", "us-east-1"),
                Mapping::new("not-an-ip", "aws", "us-east-1"),
            ]
        );
    }

    #[tokio::test]
    async fn outcome_is_keyed_by_canonical_ip_not_position() {
        let items = vec![Mapping::new("192.0.2.1", "aws", "us-east-1"), Mapping::new("2001:db8::5", "gcp", "x")];
        let outcome = run(&items, 1, &CancellationToken::new(), |_chunk| async {
            // Reported in reverse order, with a non-canonical spelling and the other IP key.
            Ok(ChunkResult {
                items: BatchResult {
                    succeeded: vec![BatchItem { region: Some("us-east-1".into()), ..item("192.0.2.1", None) }],
                    failed: vec![item("2001:DB8:0::5", Some("region x is not supported"))],
                },
                modified_on: None,
            })
        })
        .await;
        assert_eq!(outcome.succeeded["192.0.2.1"], Mapping::new("192.0.2.1", "aws", "us-east-1"), "vendor filled from request");
        assert_eq!(outcome.failed["2001:db8::5"], "region x is not supported");
        assert!(outcome.not_applied.is_empty());
        assert_eq!(outcome.requests, 1);
    }

    #[tokio::test]
    async fn unreported_items_become_failures() {
        let items = mappings(3);
        let outcome = run(&items, 1, &CancellationToken::new(), |chunk| async move {
            Ok(echo(&chunk[..1], &[]))
        })
        .await;
        assert_eq!(outcome.succeeded.len(), 1);
        assert_eq!(outcome.failed.len(), 2);
        assert!(outcome.failed.values().all(|reason| reason == NOT_REPORTED));
    }

    #[tokio::test]
    async fn a_failed_chunk_does_not_stop_the_others() {
        let items = mappings(250);
        let calls = RefCell::new(0);
        let outcome = run(&items, 1, &CancellationToken::new(), |chunk| {
            *calls.borrow_mut() += 1;
            let call = *calls.borrow();
            async move {
                match call {
                    2 => Err(ApiError::Api { status: 500, errors: vec![], attempts: 4 }),
                    _ => Ok(echo(&chunk, &["2001:db8::1"])),
                }
            }
        })
        .await;
        assert_eq!(outcome.requests, 3);
        assert_eq!(outcome.succeeded.len(), 149);
        assert_eq!(outcome.failed.len(), 1);
        assert_eq!(outcome.not_applied.len(), 1);
        assert_eq!(outcome.not_applied[0].ips.len(), 100);
        assert_eq!(outcome.not_applied[0].ips[0], "2001:db8::64");
        assert_eq!(outcome.modified_on.as_deref(), Some("2026-03-01T12:00:00Z"));
    }

    #[tokio::test]
    async fn auth_failure_marks_the_rest_not_applied() {
        let items = mappings(250);
        let outcome = run(&items, 4, &CancellationToken::new(), |_chunk| async {
            Err(ApiError::Auth { status: 403, errors: vec![], auth: crate::cloudflare::auth_kind::AuthKind::Token.into() })
        })
        .await;
        assert_eq!(outcome.requests, 1, "no point sending more with bad credentials");
        assert_eq!(outcome.not_applied.iter().map(|chunk| chunk.ips.len()).sum::<usize>(), 250);
        assert!(outcome.not_applied.iter().all(|chunk| chunk.error.is_auth()));
    }

    #[tokio::test]
    async fn cancellation_between_chunks_keeps_what_succeeded() {
        let items = mappings(250);
        let cancel = CancellationToken::new();
        let outcome = run(&items, 4, &cancel, |chunk| {
            cancel.cancel(); // Terraform says stop while the first chunk is in flight
            async move { Ok(echo(&chunk, &[])) }
        })
        .await;
        assert_eq!(outcome.requests, 1);
        assert_eq!(outcome.succeeded.len(), 100);
        assert_eq!(outcome.not_applied.len(), 2);
        assert!(outcome.not_applied.iter().all(|chunk| chunk.error.is_cancelled()));
    }

    /// Answers after `millis` of (paused) time, tracking how many requests are in flight.
    async fn timed_echo(
        chunk: Vec<Mapping>,
        millis: u64,
        in_flight: &Cell<usize>,
        peak: &Cell<usize>,
    ) -> Result<ChunkResult, ApiError> {
        in_flight.set(in_flight.get() + 1);
        peak.set(peak.get().max(in_flight.get()));
        tokio::time::sleep(Duration::from_millis(millis)).await;
        in_flight.set(in_flight.get() - 1);
        Ok(echo(&chunk, &[]))
    }

    #[tokio::test(start_paused = true)]
    async fn keeps_exactly_the_allowed_number_of_requests_in_flight() {
        let items = mappings(1000);
        for parallelism in [1, 4] {
            let (in_flight, peak) = (Cell::new(0), Cell::new(0));
            let started = tokio::time::Instant::now();
            let outcome = run(&items, parallelism, &CancellationToken::new(), |chunk| {
                timed_echo(chunk, 50, &in_flight, &peak)
            })
            .await;
            assert_eq!(outcome.requests, 10);
            assert_eq!(outcome.succeeded.len(), 1000);
            assert_eq!(peak.get(), parallelism, "never more, and actually that many");
            // 10 chunks of 50 ms: the first alone, then 9 one by one or in 3 rounds of up to 4.
            let rounds = 1 + 9u64.div_ceil(parallelism as u64);
            assert_eq!(started.elapsed(), Duration::from_millis(50 * rounds));
        }
    }

    #[tokio::test(start_paused = true)]
    async fn failures_are_listed_in_chunk_order_whatever_order_answers_come_in() {
        let items = mappings(400);
        let calls = Cell::new(0u64);
        let outcome = run(&items, 4, &CancellationToken::new(), |_chunk| {
            calls.set(calls.get() + 1);
            // Later chunks answer first.
            let wait = Duration::from_millis(100 - 20 * calls.get());
            async move {
                tokio::time::sleep(wait).await;
                Err(ApiError::Api { status: 500, errors: vec![], attempts: 4 })
            }
        })
        .await;
        assert_eq!(outcome.requests, 4);
        assert!(outcome.not_applied.iter().all(|chunk| chunk.ips.len() == 100));
        let firsts: Vec<&str> = outcome.not_applied.iter().map(|chunk| chunk.ips[0].as_str()).collect();
        assert_eq!(firsts, ["2001:db8::", "2001:db8::64", "2001:db8::c8", "2001:db8::12c"]);
    }

    #[tokio::test(start_paused = true)]
    async fn auth_failure_stops_sending_but_lets_requests_in_flight_finish() {
        let items = mappings(1000);
        let calls = Cell::new(0);
        let outcome = run(&items, 4, &CancellationToken::new(), |chunk| {
            calls.set(calls.get() + 1);
            let rejected = calls.get() == 2;
            async move {
                if rejected {
                    return Err(ApiError::Auth { status: 403, errors: vec![], auth: crate::cloudflare::auth_kind::AuthKind::Token.into() });
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
                Ok(echo(&chunk, &[]))
            }
        })
        .await;
        // The first alone, then 4 together (the second of them is refused), none after the 403.
        assert_eq!(outcome.requests, 5);
        assert_eq!(outcome.succeeded.len(), 400, "the requests already in flight count");
        assert_eq!(outcome.not_applied.iter().map(|chunk| chunk.ips.len()).sum::<usize>(), 600);
        assert!(outcome.not_applied.iter().all(|chunk| chunk.error.is_auth()));
    }

    #[test]
    fn failed_deletes_of_absent_ips_count_as_succeeded() {
        let mut outcome = DeleteOutcome::default();
        for ip in ["192.0.2.1", "192.0.2.2", "not-an-ip"] {
            outcome.failed.insert(ip.into(), "whatever text".into());
        }
        let list = MappingList { mappings: vec![Mapping::new("192.0.2.2", "aws", "us-east-1")], modified_on: None, ..Default::default() };
        settle_absent(&mut outcome, &list);
        assert_eq!(outcome.succeeded.get("192.0.2.1"), Some(&None));
        assert!(outcome.already_absent.contains("192.0.2.1"));
        assert!(outcome.failed.contains_key("192.0.2.2"), "still present: a real failure");
        assert!(outcome.failed.contains_key("not-an-ip"));
    }

    #[test]
    fn deletes_report_the_deleted_values_when_given() {
        let reported = BatchItem { vendor: Some("aws".into()), region: Some("us-east-1".into()), ..item("192.0.2.1", None) };
        assert_eq!(String::succeeded(None, "192.0.2.1", &reported), Some(Mapping::new("192.0.2.1", "aws", "us-east-1")));
        assert_eq!(String::succeeded(None, "192.0.2.1", &item("192.0.2.1", None)), None);
    }
}

//! Exact per-request accounting of the API routes (admin routes are not recorded).

use std::collections::BTreeMap;
use std::collections::VecDeque;

/// The log keeps this many most recent requests; counters are never truncated.
const LOG_CAPACITY: usize = 100_000;

/// One answered (or dropped) API request.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RecordedRequest {
    pub method: String,
    /// Path as received, without the query string (IPv6 colons raw, `%` escapes kept).
    pub path: String,
    pub query: Option<String>,
    /// HTTP status sent; 0 when the connection was dropped without an answer.
    pub status: u16,
}

#[derive(Debug, Default)]
pub struct RequestLog {
    recent: VecDeque<RecordedRequest>,
    counts: BTreeMap<(String, String), u64>,
}

impl RequestLog {
    pub fn record(&mut self, request: RecordedRequest) {
        *self
            .counts
            .entry((request.method.clone(), request.path.clone()))
            .or_default() += 1;
        if self.recent.len() == LOG_CAPACITY {
            self.recent.pop_front();
        }
        self.recent.push_back(request);
    }

    /// Requests with this method (case-insensitive; "*" = any) whose path ends with `path_suffix`.
    pub fn count(&self, method: &str, path_suffix: &str) -> u64 {
        self.counts
            .iter()
            .filter(|((m, p), _)| {
                (method == "*" || m.eq_ignore_ascii_case(method)) && p.ends_with(path_suffix)
            })
            .map(|(_, n)| n)
            .sum()
    }

    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.recent.iter().cloned().collect()
    }

    pub fn clear(&mut self) {
        self.recent.clear();
        self.counts.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(method: &str, path: &str) -> RecordedRequest {
        RecordedRequest {
            method: method.into(),
            path: path.into(),
            query: None,
            status: 200,
        }
    }

    #[test]
    fn counts_by_method_and_suffix() {
        let mut log = RequestLog::default();
        log.record(request(
            "PATCH",
            "/client/v4/zones/z/cache/origin_cloud_regions/batch",
        ));
        log.record(request(
            "PATCH",
            "/client/v4/zones/z/cache/origin_cloud_regions/batch",
        ));
        log.record(request(
            "DELETE",
            "/client/v4/zones/z/cache/origin_cloud_regions/batch",
        ));
        assert_eq!(log.count("PATCH", "/batch"), 2);
        assert_eq!(log.count("patch", "origin_cloud_regions/batch"), 2);
        assert_eq!(log.count("*", "/batch"), 3);
        assert_eq!(log.count("GET", ""), 0);
        log.clear();
        assert_eq!(log.count("*", ""), 0);
    }
}

//! Plan-time region check against the zone's supported regions, with "did you mean" advice, and
//! a per-zone cache so each provider process asks Cloudflare at most once per zone.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::future::Future;
use std::sync::{Arc, Mutex};

use tokio::sync::OnceCell;

use super::finding::{Finding, Place};
use super::refusals::{Refusal, RefusalLog};
use crate::cloudflare::{ApiError, Client};

/// vendor -> region names the zone accepts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RegionCatalog {
    vendors: BTreeMap<String, BTreeSet<String>>,
}

impl FromIterator<(String, Vec<String>)> for RegionCatalog {
    fn from_iter<I: IntoIterator<Item = (String, Vec<String>)>>(iter: I) -> RegionCatalog {
        let mut vendors: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for (vendor, regions) in iter {
            vendors.entry(vendor).or_default().extend(regions);
        }
        RegionCatalog { vendors }
    }
}

impl RegionCatalog {
    /// An error when the zone does not accept `region` for `vendor`, with a suggestion.
    pub fn check(&self, key: &str, vendor: &str, region: &str) -> Option<Finding> {
        let Some(regions) = self.vendors.get(vendor) else {
            let available: Vec<&str> = self.vendors.keys().map(String::as_str).collect();
            return Some(Finding::error(
                Place::Vendor(key.to_string()),
                "Cloud vendor not available",
                format!(
                    "This zone offers no regions for \"{vendor}\"; vendors with regions: {}.",
                    quoted_list(&available)
                ),
            ));
        };
        if regions.contains(region) {
            return None;
        }
        let mut detail = format!("\"{region}\" is not a region of {vendor} that this zone supports.");
        if let Some(suggestion) = closest(region, regions.iter().map(String::as_str)) {
            detail.push_str(&format!(" Did you mean \"{suggestion}\"?"));
        } else if let Some(owner) = self.vendor_offering(region) {
            detail.push_str(&format!(" It is a region of \"{owner}\"; check the vendor."));
        }
        Some(Finding::error(Place::Region(key.to_string()), "Unsupported region", detail))
    }

    fn vendor_offering(&self, region: &str) -> Option<&str> {
        self.vendors.iter().find(|(_, regions)| regions.contains(region)).map(|(v, _)| v.as_str())
    }
}

fn quoted_list(items: &[&str]) -> String {
    if items.is_empty() {
        return "none".to_string();
    }
    items.iter().map(|item| format!("\"{item}\"")).collect::<Vec<_>>().join(", ")
}

/// The candidate nearest to `text` (case-insensitive edit distance), if it is near enough to be
/// a plausible typo: at most a third of the word's length, and never more than 3 edits.
pub fn closest<'a>(text: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let wanted = text.to_lowercase();
    let limit = (wanted.chars().count() / 3).clamp(1, 3);
    candidates
        .map(|candidate| (edit_distance(&wanted, &candidate.to_lowercase()), candidate))
        .filter(|(distance, _)| *distance <= limit)
        .min()
        .map(|(_, candidate)| candidate)
}

/// Levenshtein distance over characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != *cb);
            current[j + 1] = substitution.min(previous[j + 1] + 1).min(current[j] + 1);
        }
        previous = current;
    }
    previous[b.len()]
}

/// What asking for a zone's catalog gave: the catalog, or why the zone could not tell.
pub type CatalogResult = Result<Arc<RegionCatalog>, CatalogError>;

/// Why a zone's supported regions are not known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogError {
    pub message: String,
    /// Cloudflare refused the request: every later call would fail too, so planning stops here
    /// instead of letting the apply fail.
    pub refusal: Option<Refusal>,
}

impl CatalogError {
    /// A plain failure (the endpoint could not answer).
    pub fn unavailable(message: impl Into<String>) -> CatalogError {
        CatalogError { message: message.into(), refusal: None }
    }

    /// The warning planning shows at `place` when the zone could not say: the regions are left
    /// for Cloudflare to check when applying.
    fn unchecked(&self, place: Place, zone_id: &str) -> Finding {
        Finding::warning(
            place,
            "Regions not checked",
            format!(
                "Cloudflare did not say which regions zone {zone_id} supports ({}), so regions \
                 were not checked during planning; Cloudflare checks them when applying.",
                self.message
            ),
        )
    }
}

/// Supported regions per zone, fetched once per zone for the life of the provider process.
/// Concurrent plans for the same zone wait for one fetch; a failed fetch is remembered too, so
/// a zone that cannot tell is not asked again for every resource.
#[derive(Debug, Default)]
pub struct RegionCache {
    zones: Mutex<HashMap<String, Arc<OnceCell<CatalogResult>>>>,
    /// Shared with refreshes: a refusal is said once per run (see `refusals`).
    refusals: Arc<RefusalLog>,
}

impl RegionCache {
    /// A cache with a refusal log of its own (tests); the provider shares one with refreshes.
    pub fn new() -> RegionCache {
        RegionCache::default()
    }

    pub fn sharing(refusals: Arc<RefusalLog>) -> RegionCache {
        RegionCache { zones: Mutex::default(), refusals }
    }

    /// A new configuration (possibly other credentials) is a new run: nothing fetched before
    /// stands. Only a provider in debug mode is configured more than once.
    pub fn start_run(&self) {
        self.zones.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).clear();
    }

    /// What planning reports for `error` at `place`: a warning that regions were not checked,
    /// or a refusal, which is said once per run (nothing when another resource said it).
    pub fn finding(&self, error: &CatalogError, place: Place, zone_id: &str) -> Option<Finding> {
        match &error.refusal {
            Some(refusal) => self.refusals.first(refusal),
            None => Some(error.unchecked(place, zone_id)),
        }
    }

    /// A refusal met by another planning request for `zone_id`: `Some`, said once like the
    /// region check's (empty when already said); `None` for other errors.
    pub fn refusal(&self, error: &ApiError, zone_id: &str) -> Option<Vec<Finding>> {
        self.refusals.failure(error, zone_id)
    }

    pub async fn get_or_fetch<F, Fut>(&self, zone_id: &str, fetch: F) -> CatalogResult
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = CatalogResult>,
    {
        let cell = {
            // A poisoned lock only means another thread panicked mid-insert; the map is still sound.
            let mut zones = self.zones.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            Arc::clone(zones.entry(zone_id.to_string()).or_default())
        };
        cell.get_or_init(fetch).await.clone()
    }
}

/// The zone's supported regions in the shape the region check uses.
pub async fn fetch_catalog(client: Arc<Client>, zone_id: String) -> CatalogResult {
    match client.supported_regions(&zone_id).await {
        Ok(supported) => Ok(Arc::new(
            supported
                .vendors
                .into_iter()
                .map(|(vendor, regions)| (vendor, regions.into_iter().map(|r| r.name).collect()))
                .collect::<RegionCatalog>(),
        )),
        Err(error) => Err(match Refusal::of(&error, &zone_id) {
            Some(refusal) => CatalogError { message: error.to_string(), refusal: Some(refusal) },
            None => CatalogError::unavailable(error.to_string()),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cloudflare::{AuthContext, AuthKind};
    use std::sync::atomic::{AtomicUsize, Ordering};

    fn catalog() -> RegionCatalog {
        [
            ("aws".to_string(), vec!["us-east-1".to_string(), "us-east-2".to_string(), "eu-west-1".to_string()]),
            ("gcp".to_string(), vec!["us-central1".to_string(), "europe-west1".to_string()]),
        ]
        .into_iter()
        .collect()
    }

    #[test]
    fn supported_regions_pass() {
        assert_eq!(catalog().check("192.0.2.1", "aws", "us-east-1"), None);
        assert_eq!(catalog().check("192.0.2.1", "gcp", "europe-west1"), None);
    }

    #[test]
    fn typos_get_a_suggestion() {
        let finding = catalog().check("192.0.2.1", "aws", "us-eats-1").unwrap();
        assert_eq!(finding.place, Place::Region("192.0.2.1".into()));
        assert!(finding.detail.contains("Did you mean \"us-east-1\"?"), "{}", finding.detail);
        let finding = catalog().check("192.0.2.1", "gcp", "US-CENTRAL1").unwrap();
        assert!(finding.detail.contains("\"us-central1\""), "{}", finding.detail);
    }

    #[test]
    fn far_off_regions_get_no_suggestion() {
        let finding = catalog().check("192.0.2.1", "aws", "antarctica").unwrap();
        assert!(!finding.detail.contains("Did you mean"), "{}", finding.detail);
    }

    #[test]
    fn another_vendors_region_is_pointed_out() {
        let finding = catalog().check("192.0.2.1", "aws", "us-central1").unwrap();
        assert!(finding.detail.contains("region of \"gcp\""), "{}", finding.detail);
    }

    #[test]
    fn vendor_without_regions() {
        let finding = catalog().check("192.0.2.1", "oci", "us-ashburn-1").unwrap();
        assert_eq!(finding.place, Place::Vendor("192.0.2.1".into()));
        assert!(finding.detail.contains("\"aws\", \"gcp\""));
    }

    #[test]
    fn edit_distances() {
        assert_eq!(edit_distance("", ""), 0);
        assert_eq!(edit_distance("abc", ""), 3);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("us-east-1", "us-east-2"), 1);
        assert_eq!(closest("x", ["y", "zz"].into_iter()), Some("y"));
        assert_eq!(closest("us-east-3", ["us-east-1", "us-east-2"].into_iter()), Some("us-east-1"));
    }

    #[tokio::test]
    async fn each_zone_is_fetched_once_even_concurrently() {
        let cache = Arc::new(RegionCache::new());
        let fetches = Arc::new(AtomicUsize::new(0));
        let lookup = |zone: &'static str| {
            let cache = Arc::clone(&cache);
            let fetches = Arc::clone(&fetches);
            tokio::spawn(async move {
                cache
                    .get_or_fetch(zone, || async move {
                        fetches.fetch_add(1, Ordering::SeqCst);
                        tokio::task::yield_now().await;
                        Ok(Arc::new(catalog()))
                    })
                    .await
            })
        };
        let tasks: Vec<_> = (0..8).map(|i| lookup(if i % 2 == 0 { "zone-a" } else { "zone-b" })).collect();
        for task in tasks {
            assert!(task.await.unwrap().is_ok());
        }
        assert_eq!(fetches.load(Ordering::SeqCst), 2);
    }

    fn refused(confirmed: bool) -> ApiError {
        let auth = AuthContext { kind: AuthKind::Token, confirmed };
        ApiError::Auth { status: 403, errors: vec![], auth }
    }

    #[test]
    fn refusals_are_reported_once_without_a_line() {
        let cache = RegionCache::new();
        let rejected = CatalogError { message: "m".into(), refusal: Refusal::of(&refused(false), "z") };
        let first = cache.finding(&rejected, Place::Mappings, "z").expect("the first report");
        assert_eq!((first.is_error(), first.place), (true, Place::Resource));
        assert_eq!(first.summary, "Cloudflare rejected the credentials");
        let elsewhere = CatalogError { message: "m".into(), refusal: Refusal::of(&refused(false), "other-zone") };
        assert_eq!(cache.finding(&elsewhere, Place::Mappings, "other-zone"), None, "once per run");
        // A confirmed credential refused by a zone: once per zone, each zone named.
        let refused_in = |zone: &str| CatalogError { message: "m".into(), refusal: Refusal::of(&refused(true), zone) };
        let zone_error = cache.finding(&refused_in("z"), Place::Mappings, "z").expect("said for z");
        assert!(zone_error.is_error() && zone_error.detail.starts_with("Zone z: "), "{zone_error:?}");
        assert_eq!(cache.finding(&refused_in("z"), Place::Mappings, "z"), None);
        assert!(cache.finding(&refused_in("other-zone"), Place::Mappings, "other-zone").is_some());
        let unavailable = CatalogError::unavailable("tiered cache is off");
        let warning = cache.finding(&unavailable, Place::Mappings, "z").expect("always said");
        assert_eq!((warning.is_error(), warning.place), (false, Place::Mappings));
    }

    #[tokio::test]
    async fn failures_are_remembered() {
        let cache = RegionCache::new();
        let first = cache.get_or_fetch("z", || async { Err(CatalogError::unavailable("tiered cache is off")) }).await;
        assert_eq!(first, Err(CatalogError::unavailable("tiered cache is off")));
        let second = cache.get_or_fetch("z", || async { Ok(Arc::new(catalog())) }).await;
        assert_eq!(second, Err(CatalogError::unavailable("tiered cache is off")));
    }
}

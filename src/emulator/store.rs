//! Per-zone mapping store shared by both endpoint families, and its JSON file form.

use std::collections::btree_map::Entry;
use std::collections::BTreeMap;
use std::net::IpAddr;
use std::path::Path;

use serde::{Deserialize, Serialize};

/// Cloudflare's documented cap on mappings per zone.
pub const MAX_MAPPINGS_PER_ZONE: usize = 3_500;

/// One stored mapping, as the API would return it (`modified_on` RFC 3339 UTC).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredMapping {
    pub vendor: String,
    pub region: String,
    pub modified_on: String,
}

/// One zone's mappings, ordered by address (IPv4 before IPv6) — the order lists use.
#[derive(Debug, Clone, Default)]
pub struct Zone {
    pub mappings: BTreeMap<IpAddr, StoredMapping>,
    /// When the set last changed; `None` once the set is empty (the record is gone).
    pub modified_on: Option<String>,
}

impl Zone {
    /// Creates or replaces one mapping; the caller has checked the zone limit.
    pub fn upsert(&mut self, ip: IpAddr, vendor: &str, region: &str, now: &str) -> &StoredMapping {
        let stored = StoredMapping {
            vendor: vendor.to_string(),
            region: region.to_string(),
            modified_on: now.to_string(),
        };
        if self.modified_on.as_deref() != Some(now) {
            self.modified_on = Some(now.to_string());
        }
        match self.mappings.entry(ip) {
            Entry::Occupied(mut slot) => {
                slot.insert(stored);
                slot.into_mut()
            }
            Entry::Vacant(slot) => slot.insert(stored),
        }
    }

    /// Removes one mapping; removing the last one deletes the set's record too.
    pub fn remove(&mut self, ip: &IpAddr, now: &str) -> Option<StoredMapping> {
        let removed = self.mappings.remove(ip)?;
        self.modified_on = if self.mappings.is_empty() {
            None
        } else {
            Some(now.to_string())
        };
        Some(removed)
    }

    /// Whether adding `new_ips` addresses not yet mapped would exceed the cap.
    pub fn would_overflow(&self, new_ips: usize) -> bool {
        self.mappings.len() + new_ips > MAX_MAPPINGS_PER_ZONE
    }
}

/// All zones, keyed by zone id (lower-case hex).
#[derive(Debug, Clone, Default)]
pub struct Store {
    pub zones: BTreeMap<String, Zone>,
}

impl Store {
    pub fn zone(&self, zone_id: &str) -> Option<&Zone> {
        self.zones.get(zone_id)
    }

    pub fn zone_mut(&mut self, zone_id: &str) -> &mut Zone {
        self.zones.entry(zone_id.to_string()).or_default()
    }
}

/// Errors loading or saving the state file.
#[derive(Debug, thiserror::Error)]
pub enum PersistError {
    #[error("cannot read or write the state file: {0}")]
    Io(#[from] std::io::Error),
    #[error("the state file is not valid emulator state: {0}")]
    Format(#[from] serde_json::Error),
    #[error("the state file holds an invalid IP address {0:?}")]
    BadIp(String),
}

/// The state file: `{"zones": {"<zone>": {"modified_on": …, "mappings": {"<ip>": {…}}}}}`.
#[derive(Serialize, Deserialize, Default)]
struct FileForm {
    zones: BTreeMap<String, FileZone>,
}

#[derive(Serialize, Deserialize, Default)]
struct FileZone {
    modified_on: Option<String>,
    mappings: BTreeMap<String, StoredMapping>,
}

impl Store {
    /// Loads `path`; a missing file is an empty store.
    pub fn load(path: &Path) -> Result<Store, PersistError> {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(Store::default()),
            Err(err) => return Err(err.into()),
        };
        let form: FileForm = serde_json::from_str(&text)?;
        let mut store = Store::default();
        for (zone_id, file_zone) in form.zones {
            let mut zone = Zone {
                modified_on: file_zone.modified_on,
                ..Zone::default()
            };
            for (ip, mapping) in file_zone.mappings {
                let addr = crate::ip::parse_ip(&ip).map_err(|_| PersistError::BadIp(ip.clone()))?;
                zone.mappings.insert(addr, mapping);
            }
            store.zones.insert(zone_id, zone);
        }
        Ok(store)
    }

    /// Writes the whole store to `path` atomically (temporary file, then rename).
    pub fn save(&self, path: &Path) -> Result<(), PersistError> {
        let form = FileForm {
            zones: self
                .zones
                .iter()
                .filter(|(_, zone)| !zone.mappings.is_empty())
                .map(|(id, zone)| {
                    let mappings = zone
                        .mappings
                        .iter()
                        .map(|(ip, m)| (ip.to_string(), m.clone()))
                        .collect();
                    (
                        id.clone(),
                        FileZone {
                            modified_on: zone.modified_on.clone(),
                            mappings,
                        },
                    )
                })
                .collect(),
        };
        let text = serde_json::to_string_pretty(&form)?;
        let mut temporary = path.as_os_str().to_owned();
        temporary.push(".tmp");
        std::fs::write(&temporary, text)?;
        std::fs::rename(&temporary, path)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn last_removal_clears_set_timestamp() {
        let mut zone = Zone::default();
        let ip: IpAddr = "192.0.2.1".parse().unwrap();
        zone.upsert(ip, "aws", "us-east-1", "2026-03-01T12:00:00Z");
        assert_eq!(zone.modified_on.as_deref(), Some("2026-03-01T12:00:00Z"));
        assert!(zone.remove(&ip, "2026-03-01T12:00:01Z").is_some());
        assert_eq!(zone.modified_on, None);
        assert!(zone.remove(&ip, "2026-03-01T12:00:02Z").is_none());
    }

    #[test]
    fn file_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.json");
        let mut store = Store::default();
        let zone = store.zone_mut("023e105f4ecef8ad9ca31a8372d0c353");
        zone.upsert(
            "2001:db8::1".parse().unwrap(),
            "gcp",
            "us-central1",
            "2026-03-01T12:00:00Z",
        );
        store.save(&path).unwrap();
        let loaded = Store::load(&path).unwrap();
        let zone = loaded.zone("023e105f4ecef8ad9ca31a8372d0c353").unwrap();
        assert_eq!(zone.mappings.len(), 1);
        assert_eq!(zone.modified_on.as_deref(), Some("2026-03-01T12:00:00Z"));
        assert!(Store::load(&dir.path().join("absent.json"))
            .unwrap()
            .zones
            .is_empty());
    }
}

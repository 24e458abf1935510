//! When an apply's answers carry no time (v2 batch items have none), the resource's
//! `modified_on` is read back from Cloudflare: one GET of a mapping this apply wrote gives the
//! time of the write, whatever the size of the zone. Never the provider's clock.

use tracing::debug;

use super::outcome::BatchResult;
use crate::cloudflare::Client;

/// Cloudflare's time of a mapping this apply upserted; `None` when nothing was upserted (a
/// deletion leaves no time to read) or the read fails (the caller keeps what it had).
pub async fn written_at(client: &Client, zone_id: &str, upserted: &BatchResult) -> Option<String> {
    let ip = upserted.succeeded.iter().next_back()?;
    match client.get(zone_id, ip).await {
        Ok(record) => record.and_then(|record| record.modified_on),
        Err(error) => {
            debug!(%error, ip, "could not read back when the mappings were written");
            None
        }
    }
}

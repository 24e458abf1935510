//! Cloudflare's time of a write, for answers that carry none (v2 batch items): one GET of a
//! mapping just written gives it, whatever the size of the zone. Never the provider's clock.

use tracing::debug;

use crate::cloudflare::Client;

/// The `modified_on` Cloudflare now reports for `ip`; `None` when the read fails or the API
/// reports none (the caller keeps what it had).
pub async fn written_at(client: &Client, zone_id: &str, ip: &str) -> Option<String> {
    match client.get(zone_id, ip).await {
        Ok(record) => record.and_then(|record| record.modified_on),
        Err(error) => {
            debug!(%error, ip, "could not read back when the mapping was written");
            None
        }
    }
}

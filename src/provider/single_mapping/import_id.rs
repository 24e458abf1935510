//! Import IDs: `<zone_id>/<origin_ip>` (IPv6 colons are fine: only the first `/` separates).

use crate::provider::concepts::checks::{check_ip, check_zone_id};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportTarget {
    pub zone_id: String,
    /// As written in the ID; the state keeps this spelling.
    pub origin_ip: String,
}

const FORM: &str = "Use \"<zone_id>/<origin_ip>\", for example \
\"023e105f4ecef8ad9ca31a8372d0c353/2001:db8::1\".";

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImportIdError {
    #[error("The import ID has no \"/\" between the zone ID and the origin IP. {FORM}")]
    NoSeparator,
    #[error("{0} {FORM}")]
    ZoneId(String),
    #[error("\"{ip}\" in the import ID is not usable: {reason} {FORM}")]
    Ip { ip: String, reason: String },
}

pub fn parse_import_id(id: &str) -> Result<ImportTarget, ImportIdError> {
    let (zone_id, origin_ip) = id.trim().split_once('/').ok_or(ImportIdError::NoSeparator)?;
    check_zone_id(zone_id).map_err(ImportIdError::ZoneId)?;
    let origin_ip = origin_ip.trim();
    check_ip(origin_ip).map_err(|problem| ImportIdError::Ip { ip: origin_ip.to_string(), reason: problem.detail })?;
    Ok(ImportTarget { zone_id: zone_id.to_string(), origin_ip: origin_ip.to_string() })
}

#[cfg(test)]
mod tests {
    use super::*;

    const ZONE: &str = "023e105f4ecef8ad9ca31a8372d0c353";

    #[test]
    fn zone_and_address_keep_the_written_spelling() {
        let target = parse_import_id(&format!(" {ZONE}/2001:DB8:0::1 ")).unwrap();
        assert_eq!(target, ImportTarget { zone_id: ZONE.into(), origin_ip: "2001:DB8:0::1".into() });
        assert_eq!(parse_import_id(&format!("{ZONE}/192.0.2.1")).unwrap().origin_ip, "192.0.2.1");
    }

    #[test]
    fn malformed_ids_explain_the_form() {
        assert_eq!(parse_import_id(ZONE), Err(ImportIdError::NoSeparator));
        assert_eq!(parse_import_id(""), Err(ImportIdError::NoSeparator));
        assert!(matches!(parse_import_id("abc/192.0.2.1"), Err(ImportIdError::ZoneId(_))));
        assert!(matches!(parse_import_id(&format!("{ZONE}/")), Err(ImportIdError::Ip { .. })));
        assert!(matches!(parse_import_id(&format!("{ZONE}/192.0.2.0/24")), Err(ImportIdError::Ip { .. })));
        assert!(parse_import_id(ZONE).unwrap_err().to_string().contains("<zone_id>/<origin_ip>"));
    }
}

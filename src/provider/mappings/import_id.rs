//! Import IDs: `<zone_id>` takes every mapping of the zone, `<zone_id>/<ip>,<ip>,...` just those.

use std::collections::BTreeMap;

use super::model::{MappingSet, Target};
use super::validate::{check_ip, check_zone_id};

/// A parsed import ID.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportTarget {
    pub zone_id: String,
    /// The IPs as written in the ID (None: all of the zone's mappings).
    pub ips: Option<Vec<String>>,
}

const FORMS: &str = "Use \"<zone_id>\" to import every mapping of the zone, or \
\"<zone_id>/<ip>,<ip>,...\" to import only those origin IPs.";

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImportIdError {
    #[error("The import ID is empty. {FORMS}")]
    Empty,
    #[error("{0} {FORMS}")]
    ZoneId(String),
    #[error("Nothing follows the \"/\" in the import ID. {FORMS}")]
    NoIps,
    #[error("The IP list in the import ID has an empty entry (two commas in a row, or a trailing comma). {FORMS}")]
    EmptyEntry,
    #[error("\"{ip}\" in the import ID is not usable: {reason}")]
    Ip { ip: String, reason: String },
    #[error("\"{first}\" and \"{second}\" in the import ID are the same address; list each IP once.")]
    Duplicate { first: String, second: String },
}

pub fn parse_import_id(id: &str) -> Result<ImportTarget, ImportIdError> {
    let id = id.trim();
    if id.is_empty() {
        return Err(ImportIdError::Empty);
    }
    let (zone_id, ip_list) = match id.split_once('/') {
        Some((zone_id, ip_list)) => (zone_id, Some(ip_list)),
        None => (id, None),
    };
    check_zone_id(zone_id).map_err(ImportIdError::ZoneId)?;
    let ips = ip_list.map(parse_ip_list).transpose()?;
    Ok(ImportTarget { zone_id: zone_id.to_string(), ips })
}

fn parse_ip_list(list: &str) -> Result<Vec<String>, ImportIdError> {
    if list.trim().is_empty() {
        return Err(ImportIdError::NoIps);
    }
    let mut seen: BTreeMap<String, String> = BTreeMap::new();
    let mut ips = Vec::new();
    for ip in list.split(',').map(str::trim) {
        if ip.is_empty() {
            return Err(ImportIdError::EmptyEntry);
        }
        let canonical =
            check_ip(ip).map_err(|problem| ImportIdError::Ip { ip: ip.to_string(), reason: problem.detail })?;
        if let Some(first) = seen.insert(canonical, ip.to_string()) {
            return Err(ImportIdError::Duplicate { first, second: ip.to_string() });
        }
        ips.push(ip.to_string());
    }
    Ok(ips)
}

/// Why an import found nothing to take.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImportSelectError {
    #[error("Zone {zone_id} has no origin cloud region mappings, so there is nothing to import. Create the resource with terraform apply instead.")]
    NothingToImport { zone_id: String },
    #[error("Zone {zone_id} has no mapping for {}. Check the IPs in the import ID, or import the whole zone with \"{zone_id}\".", .missing.join(", "))]
    Missing { zone_id: String, missing: Vec<String> },
    #[error("{}", unusable_message(zone_id, unusable, usable))]
    Unusable { zone_id: String, unusable: Vec<(String, String)>, usable: Vec<String> },
}

/// Up to this many IPs, advice spells out the import ID that takes all of them.
const SPELLED_OUT_IDS: usize = 20;

/// The import ID `<zone>/<ip>,<ip>,...` for `ips`, when they are few enough to spell out.
pub fn spelled_out_id<S: AsRef<str>>(zone_id: &str, ips: &[S]) -> Option<String> {
    let listed: Vec<&str> = ips.iter().map(AsRef::as_ref).collect();
    (!listed.is_empty() && listed.len() <= SPELLED_OUT_IDS).then(|| format!("{zone_id}/{}", listed.join(",")))
}

fn unusable_message(zone_id: &str, unusable: &[(String, String)], usable: &[String]) -> String {
    let listed: Vec<String> = unusable.iter().map(|(ip, problem)| format!("  - {ip}: {problem}")).collect();
    let mut message = format!(
        "Zone {zone_id} holds {} mapping(s) that this resource cannot manage, so nothing was \
         imported:\n{}\n\nDelete them at Cloudflare (an IPv4-mapped IPv6 address such as \
         ::ffff:192.0.2.7 never matches an IPv4 origin; map the IPv4 address itself instead) \
         and import again, or import only the other IPs with \"{zone_id}/<ip>,<ip>,...\".",
        unusable.len(),
        listed.join("\n"),
    );
    if let Some(id) = spelled_out_id(zone_id, usable) {
        message.push_str(&format!(" Here that ID is \"{id}\"."));
    }
    message
}

/// Picks the imported mappings from the zone's listing (`remote` keyed by canonical IP).
/// Listed IPs keep the spelling of the import ID.
pub fn select(target: &ImportTarget, remote: &MappingSet) -> Result<MappingSet, ImportSelectError> {
    let zone_id = target.zone_id.clone();
    let Some(ips) = &target.ips else {
        if remote.is_empty() {
            return Err(ImportSelectError::NothingToImport { zone_id });
        }
        // State must pass the checks of UpgradeResourceState, or every later command fails.
        let (mut unusable, mut usable) = (Vec::new(), Vec::new());
        for (ip, _) in remote.iter() {
            match check_ip(ip) {
                Ok(_) => usable.push(ip.clone()),
                Err(problem) => unusable.push((ip.clone(), problem.detail)),
            }
        }
        if !unusable.is_empty() {
            return Err(ImportSelectError::Unusable { zone_id, unusable, usable });
        }
        return Ok(remote.clone());
    };
    let mut selected = MappingSet::new();
    let mut missing = Vec::new();
    for ip in ips {
        match remote.find(&super::model::Address::of(ip)) {
            Some((_, target)) => selected.insert(ip.clone(), Target::clone(target)),
            None => missing.push(ip.clone()),
        }
    }
    if !missing.is_empty() {
        return Err(ImportSelectError::Missing { zone_id, missing });
    }
    Ok(selected)
}

#[cfg(test)]
mod tests {
    use super::*;

    const ZONE: &str = "023e105f4ecef8ad9ca31a8372d0c353";

    fn remote() -> MappingSet {
        [
            ("192.0.2.1".to_string(), Target::new("aws", "us-east-1")),
            ("2001:db8::1".to_string(), Target::new("gcp", "us-central1")),
        ]
        .into_iter()
        .collect()
    }

    #[test]
    fn zone_only() {
        let target = parse_import_id(ZONE).unwrap();
        assert_eq!(target, ImportTarget { zone_id: ZONE.into(), ips: None });
        assert_eq!(select(&target, &remote()).unwrap(), remote());
    }

    #[test]
    fn zone_and_ips_keep_the_written_spelling() {
        let target = parse_import_id(&format!("{ZONE}/2001:DB8::1, 192.0.2.1")).unwrap();
        assert_eq!(target.ips, Some(vec!["2001:DB8::1".to_string(), "192.0.2.1".to_string()]));
        let selected = select(&target, &remote()).unwrap();
        assert_eq!(selected.get("2001:DB8::1"), Some(&Target::new("gcp", "us-central1")));
        assert_eq!(selected.len(), 2);
    }

    #[test]
    fn malformed_ids() {
        assert_eq!(parse_import_id(""), Err(ImportIdError::Empty));
        assert!(matches!(parse_import_id("abc"), Err(ImportIdError::ZoneId(_))));
        assert!(matches!(parse_import_id("abc/192.0.2.1"), Err(ImportIdError::ZoneId(_))));
        assert_eq!(parse_import_id(&format!("{ZONE}/")), Err(ImportIdError::NoIps));
        assert_eq!(parse_import_id(&format!("{ZONE}/192.0.2.1,,192.0.2.2")), Err(ImportIdError::EmptyEntry));
        assert_eq!(parse_import_id(&format!("{ZONE}/192.0.2.1,")), Err(ImportIdError::EmptyEntry));
        assert!(matches!(parse_import_id(&format!("{ZONE}/192.0.2.0/24")), Err(ImportIdError::Ip { .. })));
        assert!(matches!(parse_import_id(&format!("{ZONE}/::ffff:192.0.2.1")), Err(ImportIdError::Ip { .. })));
        assert!(matches!(
            parse_import_id(&format!("{ZONE}/2001:db8::1,2001:DB8::1")),
            Err(ImportIdError::Duplicate { .. })
        ));
        // messages explain the accepted forms
        assert!(parse_import_id("abc").unwrap_err().to_string().contains("<zone_id>/<ip>,<ip>,..."));
    }

    #[test]
    fn a_zone_with_an_ipv4_mapped_address_is_refused_naming_it() {
        let mut zone = remote();
        zone.insert("::ffff:192.0.2.7", Target::new("aws", "us-east-1"));
        let error = select(&parse_import_id(ZONE).unwrap(), &zone).unwrap_err();
        let ImportSelectError::Unusable { unusable, usable, .. } = &error else { panic!("{error:?}") };
        assert_eq!(unusable.iter().map(|(ip, _)| ip.as_str()).collect::<Vec<_>>(), ["::ffff:192.0.2.7"]);
        assert_eq!(usable, &["192.0.2.1", "2001:db8::1"]);
        let message = error.to_string();
        assert!(message.contains("::ffff:192.0.2.7: "), "{message}");
        assert!(message.contains(&format!("\"{ZONE}/192.0.2.1,2001:db8::1\"")), "{message}");
        // Listing the usable IPs imports them.
        let listed = parse_import_id(&format!("{ZONE}/192.0.2.1,2001:db8::1")).unwrap();
        assert_eq!(select(&listed, &zone).unwrap(), remote());
    }

    #[test]
    fn many_other_ips_are_not_spelled_out() {
        let mut zone: MappingSet =
            (0..=SPELLED_OUT_IDS).map(|i| (format!("192.0.2.{i}"), Target::new("aws", "us-east-1"))).collect();
        zone.insert("not-an-ip", Target::new("aws", "us-east-1"));
        let message = select(&parse_import_id(ZONE).unwrap(), &zone).unwrap_err().to_string();
        assert!(message.contains("not-an-ip"), "{message}");
        assert!(!message.contains("Here that ID is"), "{message}");
    }

    #[test]
    fn nothing_or_missing() {
        let all = parse_import_id(ZONE).unwrap();
        assert!(matches!(select(&all, &MappingSet::new()), Err(ImportSelectError::NothingToImport { .. })));
        let listed = parse_import_id(&format!("{ZONE}/192.0.2.1,192.0.2.7,192.0.2.8")).unwrap();
        let error = select(&listed, &remote()).unwrap_err();
        assert_eq!(
            error,
            ImportSelectError::Missing { zone_id: ZONE.into(), missing: vec!["192.0.2.7".into(), "192.0.2.8".into()] }
        );
        assert!(error.to_string().contains("192.0.2.7, 192.0.2.8"));
    }
}

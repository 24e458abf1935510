//! Plan-time notice of a takeover: IPs the configuration adds that the zone already maps,
//! though this resource does not manage them (set in the dashboard, by another tool or
//! workspace). Applying overwrites them and a later destroy deletes them, so the plan says so
//! before anything is written, naming each IP and how to import it instead.

use std::collections::BTreeMap;

use super::finding::{Finding, Place};
use super::model::{Address, MappingSet, Maybe, Target};
use super::import_id::spelled_out_id;

/// Config keys whose address is not among `managed` (the prior state's mappings in this zone;
/// None on a create or a move to another zone): the IPs this plan adds.
pub fn added_keys<'a>(
    config: &'a Maybe<BTreeMap<String, Maybe<super::model::ConfigEntry>>>,
    managed: Option<&MappingSet>,
) -> Vec<&'a str> {
    let Maybe::Known(entries) = config else { return Vec::new() };
    entries
        .keys()
        .filter(|key| managed.is_none_or(|set| set.find(&Address::of(key)).is_none()))
        .map(String::as_str)
        .collect()
}

/// The warning for the `added` keys that `remote` (the zone's listing) already holds.
pub fn takeover_warning(
    zone_id: &str,
    added: &[&str],
    managed: Option<&MappingSet>,
    remote: &MappingSet,
) -> Option<Finding> {
    let held: Vec<(&str, &Target)> =
        added.iter().filter_map(|key| Some((*key, remote.find(&Address::of(key))?.1))).collect();
    let (first, _) = held.first()?;
    let listed: Vec<String> =
        held.iter().map(|(key, target)| format!("  - {key} (now {} {})", target.vendor, target.region)).collect();
    let keys: Vec<&str> = held.iter().map(|(key, _)| *key).collect();
    let import = match managed {
        None => format!(
            "To take them over knowingly without writing, import them first, then apply:\n  \
             terraform import <address of this resource> '{}'",
            import_id(zone_id, &keys)
        ),
        Some(set) => {
            let mut all: Vec<&str> = set.iter().map(|(key, _)| key.as_str()).collect();
            all.extend(&keys);
            format!(
                "To take them over knowingly without writing, re-import the resource with these IPs \
                 added to the ones it manages, then apply:\n  terraform state rm <address of this resource>\n  \
                 terraform import <address of this resource> '{}'",
                import_id(zone_id, &all)
            )
        }
    };
    let count = held.len();
    let detail = format!(
        "Zone {zone_id} already maps {count} of the IPs this plan adds, and this resource does not \
         manage them (they were set in the dashboard, by another tool, or by another Terraform \
         resource or workspace):\n{}\n\nApplying this plan overwrites them with the configured values, \
         and this resource then owns them: destroying it deletes them. If another resource of this \
         configuration gives them up in the same apply (IPs moved between instances), this is \
         expected. Otherwise remove them from this resource, or import them so that nothing is \
         overwritten.\n\n{import}",
        listed.join("\n"),
    );
    // One IP points at its line; several are one notice on `mappings`.
    let place = if count == 1 { Place::Entry(first.to_string()) } else { Place::Mappings };
    let summary = if count == 1 {
        format!("{first} is already mapped outside this resource")
    } else {
        format!("{count} IPs are already mapped outside this resource")
    };
    Some(Finding::warning(place, summary, detail))
}

fn import_id(zone_id: &str, keys: &[&str]) -> String {
    spelled_out_id(zone_id, keys).unwrap_or_else(|| format!("{zone_id}/<ip>,<ip>,... ({} IPs)", keys.len()))
}

#[cfg(test)]
mod tests {
    use super::super::model::ConfigEntry;
    use super::*;

    const ZONE: &str = "023e105f4ecef8ad9ca31a8372d0c353";

    fn set(entries: &[(&str, &str)]) -> MappingSet {
        entries.iter().map(|(ip, region)| (ip.to_string(), Target::new("aws", *region))).collect()
    }

    fn config(keys: &[&str]) -> Maybe<BTreeMap<String, Maybe<ConfigEntry>>> {
        Maybe::Known(keys.iter().map(|key| (key.to_string(), Maybe::Unknown)).collect())
    }

    #[test]
    fn added_keys_are_those_not_managed_by_address() {
        let config = config(&["192.0.2.1", "2001:DB8::1", "192.0.2.3"]);
        let managed = set(&[("192.0.2.1", "a"), ("2001:db8::1", "a"), ("192.0.2.9", "a")]);
        assert_eq!(added_keys(&config, Some(&managed)), ["192.0.2.3"]);
        assert_eq!(added_keys(&config, None), ["192.0.2.1", "192.0.2.3", "2001:DB8::1"]);
        assert!(added_keys(&Maybe::Unknown, None).is_empty());
    }

    #[test]
    fn one_held_ip_is_named_at_its_line_with_the_import_command() {
        let remote = set(&[("2001:db8::1", "us-east-1"), ("192.0.2.50", "x")]);
        let warning = takeover_warning(ZONE, &["2001:DB8::1", "192.0.2.3"], None, &remote).unwrap();
        assert!(!warning.is_error());
        assert_eq!(warning.place, Place::Entry("2001:DB8::1".into()));
        assert!(warning.summary.contains("2001:DB8::1"), "{}", warning.summary);
        assert!(warning.detail.contains("2001:DB8::1 (now aws us-east-1)"), "{}", warning.detail);
        assert!(warning.detail.contains(&format!("terraform import <address of this resource> '{ZONE}/2001:DB8::1'")));
        assert!(!warning.detail.contains("192.0.2.3") && !warning.detail.contains("192.0.2.50"));
    }

    #[test]
    fn an_update_names_every_held_ip_and_reimports_with_the_managed_ones() {
        let managed = set(&[("192.0.2.1", "a")]);
        let remote = set(&[("192.0.2.1", "a"), ("192.0.2.7", "b"), ("192.0.2.8", "c")]);
        let warning = takeover_warning(ZONE, &["192.0.2.7", "192.0.2.8"], Some(&managed), &remote).unwrap();
        assert_eq!(warning.place, Place::Mappings);
        assert_eq!(warning.summary, "2 IPs are already mapped outside this resource");
        assert!(warning.detail.contains("192.0.2.7 (now aws b)") && warning.detail.contains("192.0.2.8 (now aws c)"));
        assert!(warning.detail.contains("terraform state rm"), "{}", warning.detail);
        assert!(warning.detail.contains(&format!("'{ZONE}/192.0.2.1,192.0.2.7,192.0.2.8'")), "{}", warning.detail);
    }

    #[test]
    fn nothing_held_is_no_warning() {
        assert_eq!(takeover_warning(ZONE, &["192.0.2.1"], None, &set(&[("192.0.2.2", "a")])), None);
        assert_eq!(takeover_warning(ZONE, &[], None, &set(&[("192.0.2.2", "a")])), None);
    }
}

//! Plan decisions, independent of the wire format: what each attribute is planned as.
//! Terraform accepts for a non-computed attribute either the config value or the prior value;
//! computed values may be anything, and unknown means "known after apply".

use super::model::{MappingsConfig, MappingsState, Maybe};

/// How `mappings` is planned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PlannedMappings {
    /// Same keys, vendors and regions as state: keep the prior value, so the plan is empty.
    KeepPrior,
    /// Take the configuration as written (possibly with unknown parts). When only the spelling
    /// of keys changed, this renames them in state without any API write.
    FromConfig,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanDecision {
    /// zone_id differs (or may differ) from state: replacement.
    pub replace: bool,
    pub mappings: PlannedMappings,
    /// None: unknown until apply (the mappings will change). Some: the prior value, kept.
    pub modified_on: Option<Maybe<String>>,
    /// `id` equals `zone_id`.
    pub id: Maybe<String>,
}

pub fn decide(prior: Option<&MappingsState>, config: &MappingsConfig) -> PlanDecision {
    let id = config.zone_id.clone();
    let Some(prior) = prior else {
        return PlanDecision { replace: false, mappings: PlannedMappings::FromConfig, modified_on: None, id };
    };
    let replace = config.zone_id.known() != Some(&prior.zone_id);
    let unchanged = config.has_same_mappings_as(&prior.mappings);
    if unchanged {
        let kept = match &prior.modified_on {
            Some(value) => Maybe::Known(value.clone()),
            None => Maybe::Null,
        };
        // A respelled key (`2001:0db8::1` -> `2001:db8::1`) sends nothing, but state takes the
        // config's spelling so that references such as `mappings["2001:db8::1"]` resolve.
        let mappings =
            if config.has_same_keys_as(&prior.mappings) { PlannedMappings::KeepPrior } else { PlannedMappings::FromConfig };
        PlanDecision { replace, mappings, modified_on: Some(kept), id }
    } else {
        PlanDecision { replace, mappings: PlannedMappings::FromConfig, modified_on: None, id }
    }
}

#[cfg(test)]
mod tests {
    use super::super::model::{ConfigEntry, MappingSet, Target};
    use super::*;

    const ZONE: &str = "023e105f4ecef8ad9ca31a8372d0c353";

    fn config(zone: Maybe<String>, entries: &[(&str, Maybe<String>)]) -> MappingsConfig {
        MappingsConfig {
            zone_id: zone,
            mappings: Maybe::Known(
                entries
                    .iter()
                    .map(|(ip, region)| {
                        let entry = ConfigEntry { vendor: Maybe::Known("aws".into()), region: region.clone() };
                        (ip.to_string(), Maybe::Known(entry))
                    })
                    .collect(),
            ),
        }
    }

    fn state(entries: &[(&str, &str)]) -> MappingsState {
        MappingsState {
            zone_id: ZONE.into(),
            mappings: entries
                .iter()
                .map(|(ip, region)| (ip.to_string(), Target::new("aws", *region)))
                .collect::<MappingSet>(),
            modified_on: Some("2026-03-01T12:00:00Z".into()),
        }
    }

    fn known(s: &str) -> Maybe<String> {
        Maybe::Known(s.to_string())
    }

    #[test]
    fn create_plans_unknown_modified_on() {
        let decision = decide(None, &config(known(ZONE), &[("192.0.2.1", known("a"))]));
        assert_eq!(
            decision,
            PlanDecision { replace: false, mappings: PlannedMappings::FromConfig, modified_on: None, id: known(ZONE) }
        );
    }

    #[test]
    fn identical_keys_and_values_are_an_empty_plan() {
        let prior = state(&[("2001:db8::1", "a"), ("192.0.2.1", "b")]);
        let decision = decide(Some(&prior), &config(known(ZONE), &[("192.0.2.1", known("b")), ("2001:db8::1", known("a"))]));
        assert_eq!(decision.mappings, PlannedMappings::KeepPrior);
        assert_eq!(decision.modified_on, Some(known("2026-03-01T12:00:00Z")));
        assert!(!decision.replace);
    }

    #[test]
    fn a_respelled_key_takes_the_config_spelling_and_keeps_modified_on() {
        let prior = state(&[("2001:0db8:0000:0000:0000:0000:0000:0001", "a")]);
        let decision = decide(Some(&prior), &config(known(ZONE), &[("2001:db8::1", known("a"))]));
        assert_eq!(decision.mappings, PlannedMappings::FromConfig);
        // Nothing will be sent, so the timestamp is known and unchanged.
        assert_eq!(decision.modified_on, Some(known("2026-03-01T12:00:00Z")));
        assert!(!decision.replace);
    }

    #[test]
    fn a_change_makes_modified_on_unknown() {
        let prior = state(&[("192.0.2.1", "a")]);
        let decision = decide(Some(&prior), &config(known(ZONE), &[("192.0.2.1", known("b"))]));
        assert_eq!(decision.mappings, PlannedMappings::FromConfig);
        assert_eq!(decision.modified_on, None);
    }

    #[test]
    fn unknown_values_count_as_a_change() {
        let prior = state(&[("192.0.2.1", "a")]);
        let decision = decide(Some(&prior), &config(known(ZONE), &[("192.0.2.1", Maybe::Unknown)]));
        assert_eq!(decision.mappings, PlannedMappings::FromConfig);
        assert_eq!(decision.modified_on, None);
    }

    #[test]
    fn zone_change_replaces() {
        let prior = state(&[("192.0.2.1", "a")]);
        let other = "11111111111111111111111111111111";
        let decision = decide(Some(&prior), &config(known(other), &[("192.0.2.1", known("a"))]));
        assert!(decision.replace);
        assert_eq!(decision.id, known(other));
        assert!(decide(Some(&prior), &config(Maybe::Unknown, &[])).replace);
    }

    #[test]
    fn missing_prior_modified_on_stays_null() {
        let mut prior = state(&[("192.0.2.1", "a")]);
        prior.modified_on = None;
        let decision = decide(Some(&prior), &config(known(ZONE), &[("192.0.2.1", known("a"))]));
        assert_eq!(decision.modified_on, Some(Maybe::Null));
    }
}

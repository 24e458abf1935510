//! The opening steps of PlanResourceChange both resources take before their own decisions:
//! destroy plans stay null, the configuration is validated again, the prior state must parse.

use std::fmt::Display;

use crate::tfplugin::{AttributePath, Diagnostics, PlanRequest, PlanResponse, Value};

/// The answer to `request`, carrying its private data through unchanged.
pub fn plan_response(
    request: &PlanRequest,
    planned_state: Value,
    requires_replace: Vec<AttributePath>,
    diagnostics: Diagnostics,
) -> PlanResponse {
    PlanResponse { planned_state, requires_replace, planned_private: request.prior_private.clone(), diagnostics }
}

/// What planning goes on with once the opening checks pass.
pub struct PlanInputs<C, S> {
    pub config: C,
    pub prior: Option<S>,
}

/// `Err` holds the finished answer when planning stops here. `validate` gives the diagnostics
/// of the configuration: any at all stop the plan.
pub fn start_plan<C, S, E: Display>(
    request: &PlanRequest,
    config_from_value: impl FnOnce(&Value) -> C,
    validate: impl FnOnce(&C) -> Diagnostics,
    state_from_value: impl FnOnce(&Value) -> Result<Option<S>, E>,
) -> Result<PlanInputs<C, S>, PlanResponse> {
    // Destroy plans (Terraform >= 1.3 with plan_destroy) must stay null.
    if request.proposed_new_state.is_null() {
        return Err(plan_response(request, Value::Null, Vec::new(), Diagnostics::new()));
    }
    let config = config_from_value(&request.config);
    // Validation again: at plan time the configuration may be more known than at validate time.
    let findings = validate(&config);
    if !findings.is_empty() {
        return Err(plan_response(request, request.proposed_new_state.clone(), Vec::new(), findings));
    }
    match state_from_value(&request.prior_state) {
        Ok(prior) => Ok(PlanInputs { config, prior }),
        Err(error) => {
            let detail = format!("{error}. Remove the resource from state and import it again.");
            Err(plan_response(
                request,
                request.proposed_new_state.clone(),
                Vec::new(),
                Diagnostics::from_error("Invalid prior state", detail),
            ))
        }
    }
}

//! Code both resources and the data sources share, so each protocol step is written once.

pub mod data_source_read;
pub mod family_memory;
pub mod findings;
pub mod maybe_values;
pub mod plan_start;
pub mod private_data;
pub mod resource_steps;
pub mod stored_mapping;
pub mod written_at;
mod schema_checks;

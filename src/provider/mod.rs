//! Our provider: configuration, the mappings resource, and what the resources share.

pub mod mappings;

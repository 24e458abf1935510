//! The plugin protocol (tfplugin5) as plain Rust: values, types, codecs, schemas, diagnostics
//! and the traits a provider implements. `server` adapts these to the generated gRPC service;
//! nothing outside this module needs protobuf types.

mod codec;
mod convert;
pub mod diagnostics;
pub mod json;
pub mod msgpack;
pub mod number;
pub mod schema;
pub mod stop;
pub mod server;
pub mod traits;
pub mod types;
pub mod value;

pub use codec::{CodecError, MAX_DEPTH};
pub use diagnostics::{AttributePath, Diagnostic, Diagnostics, PathStep, Severity};
pub use number::{Number, NumberError};
pub use schema::{Attribute, Block, NestedBlock, NestingMode, Schema};
pub use stop::StopSignal;
pub use server::{provider_service, ProviderService, MAX_MESSAGE_BYTES};
pub use traits::{
    ApplyRequest, ApplyResponse, ConfigureRequest, DataSource, ImportRequest, ImportResponse,
    ImportedResource, MoveStateRequest, MoveStateResponse, PlanRequest, PlanResponse, Provider, ReadDataSourceRequest,
    ReadDataSourceResponse, ReadRequest, ReadResponse, Resource, UpgradeStateRequest,
    UpgradeStateResponse,
};
pub use types::{Type, TypeError};
pub use value::Value;

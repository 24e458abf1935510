//! Generated protocol code (see build.rs and proto/). Only `tfplugin::server` and
//! `plugin` (transport) should need these types.

#[allow(
    clippy::all,
    clippy::pedantic,
    clippy::nursery,
    missing_docs,
    unreachable_pub
)]
pub mod tfplugin5 {
    tonic::include_proto!("tfplugin5");
}

#[allow(
    clippy::all,
    clippy::pedantic,
    clippy::nursery,
    missing_docs,
    unreachable_pub
)]
pub mod plugin {
    tonic::include_proto!("plugin");
}

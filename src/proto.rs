//! Generated protocol code (see build.rs and proto/). Only `tfplugin::server` and
//! `plugin` (transport) should need these types.

/// One generated package as a module, exempt from lints that generated code does not follow.
macro_rules! generated_package {
    ($module:ident, $package:literal) => {
        #[allow(clippy::all, clippy::pedantic, clippy::nursery, missing_docs, unreachable_pub)]
        pub mod $module {
            tonic::include_proto!($package);
        }
    };
}

generated_package!(tfplugin5, "tfplugin5");
generated_package!(plugin, "plugin");

//! Generated protocol code (filled by build.rs).

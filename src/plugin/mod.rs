//! Process and transport: go-plugin's launch protocol (magic cookie, version negotiation,
//! handshake line), AutoMTLS, the unix-socket/TCP listener, go-plugin's side services,
//! `--debug` reattach mode and hclog-JSON logging.
//!
//! [`run`] is the whole program: `main` only hands it the provider's constructor.

pub mod args;
pub mod client;
pub mod debug;
pub mod handshake;
pub mod incoming;
pub mod launch_env;
pub mod listener;
pub mod logging;
pub mod server;
pub mod services;
pub mod signals;
pub mod tls;

use std::io::Write;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use tokio_util::sync::CancellationToken;
use tonic::service::Routes;

use crate::tfplugin;
use args::Command;
use launch_env::{LaunchEnv, LaunchError};
use server::{Mode, Ready};

/// Tasks still running at exit (e.g. a request stuck in a blocking call) get this long.
const RUNTIME_SHUTDOWN_TIMEOUT: Duration = Duration::from_millis(100);

/// Runs the provider process: `factory` builds the provider from the cancellation token that
/// Stop and shutdown cancel. This is the whole program; `main` only calls it.
pub fn run<F, P>(factory: F) -> ExitCode
where
    F: FnOnce(tfplugin::StopSignal) -> Arc<P>,
    P: tfplugin::Provider,
{
    run_with_routes(|cancel| {
        let stop = tfplugin::StopSignal::new(cancel);
        let provider: Arc<dyn tfplugin::Provider> = factory(stop.clone());
        Routes::new(tfplugin::server::provider_service(provider, stop))
    })
}

/// Runs the provider process with the gRPC services `provider_routes` builds from the
/// cancellation token (cancelled by Stop and by shutdown). Reads the arguments and the
/// environment, sets up logging, serves, and returns the exit code.
pub fn run_with_routes(provider_routes: impl FnOnce(CancellationToken) -> Routes) -> ExitCode {
    // Lossy, not `env::args()`: a non-UTF-8 argument must not panic.
    let mut argv = std::env::args_os().map(|arg| arg.to_string_lossy().into_owned());
    let program = argv
        .next()
        .unwrap_or_else(|| env!("CARGO_PKG_NAME").to_string());
    let command = match args::parse(argv) {
        Ok(command) => command,
        Err(error) => {
            eprintln!("Error: {error}\n\n{}", args::usage(&program));
            return ExitCode::FAILURE;
        }
    };
    let (mode, provider_address) = match command {
        Command::Version => {
            println!("{} {}", env!("CARGO_PKG_NAME"), env!("CARGO_PKG_VERSION"));
            return ExitCode::SUCCESS;
        }
        Command::Help => {
            print!("{}", args::usage(&program));
            return ExitCode::SUCCESS;
        }
        Command::Serve => (Mode::Plugin, None),
        Command::Debug { provider_address } => (Mode::Debug, Some(provider_address)),
    };

    let lookup = |name: &str| std::env::var(name).ok();
    logging::install(logging::level_from_env(lookup));
    let env = match LaunchEnv::read(lookup, mode == Mode::Plugin) {
        Ok(env) => env,
        Err(LaunchError::MissingCookie) => {
            eprint!("{}", args::usage(&program));
            return ExitCode::FAILURE;
        }
        Err(error) => {
            tracing::error!(%error, "refusing to start");
            eprintln!("Error: {error}");
            return ExitCode::FAILURE;
        }
    };

    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("Error: could not start the async runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    let announce = |ready: &Ready| match &provider_address {
        None => announce_handshake(ready),
        Some(provider_address) => announce_debug(ready, provider_address),
    };
    let result = runtime.block_on(server::serve(mode, &env, provider_routes, announce));
    runtime.shutdown_timeout(RUNTIME_SHUTDOWN_TIMEOUT);
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!(%error, "provider server failed");
            eprintln!("Error: {error}");
            ExitCode::FAILURE
        }
    }
}

/// The handshake line, alone and flushed: Terraform parses the first stdout line.
fn announce_handshake(ready: &Ready) -> std::io::Result<()> {
    let cert = ready.server_cert.as_ref().map(|cert| cert.as_ref());
    let line = handshake::handshake_line(ready.protocol_version, &ready.address, cert);
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(line.as_bytes())?;
    stdout.flush()
}

fn announce_debug(ready: &Ready, provider_address: &str) -> std::io::Result<()> {
    let json = debug::reattach_json(
        provider_address,
        ready.protocol_version,
        std::process::id(),
        &ready.address,
    );
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(debug::instructions(&json).as_bytes())?;
    stdout.flush()
}

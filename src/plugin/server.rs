//! Serving: listen, announce, serve gRPC until Shutdown/SIGTERM, then clean up promptly.

use std::io;
use std::time::Duration;

use rustls_pki_types::CertificateDer;
use thiserror::Error;
use tokio_util::sync::CancellationToken;
use tonic::service::Routes;
use tonic::transport::Server;

use super::handshake::ServeAddress;
use super::incoming::incoming;
use super::launch_env::LaunchEnv;
use super::signals::{self, InterruptAction};
use super::{listener, services, tls};

/// How long open connections may take to finish after shutdown before we exit anyway;
/// Terraform kills us 2 s after Shutdown.
const SHUTDOWN_GRACE: Duration = Duration::from_millis(300);

#[derive(Debug, Error)]
pub enum ServeError {
    #[error(transparent)]
    Tls(#[from] tls::TlsError),
    #[error("could not listen: {0}")]
    Listen(io::Error),
    #[error("could not take over signals: {0}")]
    Signals(io::Error),
    #[error("could not announce the server: {0}")]
    Announce(io::Error),
    #[error("gRPC server failed: {0}")]
    Transport(#[from] tonic::transport::Error),
}

/// How this process was started.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mode {
    /// Terraform started us: AutoMTLS when it sent a client certificate, SIGINT ignored.
    Plugin,
    /// A person started us with `--debug`: always plaintext, SIGINT stops.
    Debug,
}

/// What a client needs to connect, handed to `announce` once the listener is up.
#[derive(Debug, Clone)]
pub struct Ready {
    pub protocol_version: u32,
    pub address: ServeAddress,
    /// Our certificate when serving TLS.
    pub server_cert: Option<CertificateDer<'static>>,
}

/// Serves until GRPCController.Shutdown or SIGTERM (or SIGINT in debug mode).
///
/// `provider_routes` receives the cancellation token that Stop and shutdown cancel and returns
/// the provider's gRPC service; `announce` prints the handshake line (or debug instructions)
/// and runs only after the socket listens.
pub async fn serve(
    mode: Mode,
    env: &LaunchEnv,
    provider_routes: impl FnOnce(CancellationToken) -> Routes,
    announce: impl FnOnce(&Ready) -> io::Result<()>,
) -> Result<(), ServeError> {
    let shutdown = CancellationToken::new();
    // Stop cancels in-flight provider work without ending the server; shutdown cancels both.
    let cancel = shutdown.child_token();
    let interrupt = match mode {
        Mode::Plugin => InterruptAction::Ignore,
        Mode::Debug => InterruptAction::Shutdown,
    };
    signals::watch(interrupt, shutdown.clone()).map_err(ServeError::Signals)?;

    let tls = match (&mode, env.client_cert_pem.as_deref()) {
        (Mode::Plugin, Some(pem)) => {
            let identity = tls::generate_identity()?;
            let config = tls::server_config(&identity, tls::parse_certificate_pem(pem)?)?;
            Some((tokio_rustls::TlsAcceptor::from(config), identity.cert_der))
        }
        _ => None,
    };
    let bound =
        listener::bind(env.unix_socket_dir.as_deref(), env.ports).map_err(ServeError::Listen)?;
    let address = bound.address.clone();
    tracing::debug!(network = address.network(), address = %address, tls = tls.is_some(), "plugin address");

    let routes = services::with_side_services(provider_routes(cancel), shutdown.clone()).await;
    let (acceptor, server_cert) = tls.unzip();
    let connections = incoming(bound.listener, acceptor, shutdown.clone());

    announce(&Ready {
        protocol_version: env.protocol_version,
        address,
        server_cert,
    })
    .map_err(ServeError::Announce)?;

    let server = Server::builder()
        .add_routes(routes)
        .serve_with_incoming_shutdown(connections, shutdown.clone().cancelled_owned());
    let grace_expired = async {
        shutdown.cancelled().await;
        tokio::time::sleep(SHUTDOWN_GRACE).await;
    };
    tokio::select! {
        result = server => result?,
        () = grace_expired => tracing::debug!("connections still open after shutdown; exiting anyway"),
    }
    // Removes the unix socket file.
    drop(bound.socket_file);
    Ok(())
}

#[cfg(test)]
mod tests;

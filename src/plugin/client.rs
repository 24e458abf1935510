//! A go-plugin-style client connection to a running provider: what Terraform does after
//! reading the handshake line. Used by tests and tools that drive the provider from Rust.

use std::io;
use std::sync::Arc;

use hyper_util::rt::TokioIo;
use tokio::net::{TcpStream, UnixStream};
use tokio_rustls::TlsConnector;
use tonic::transport::{Channel, Endpoint};

use super::handshake::ServeAddress;
use super::incoming::Connection;
use super::listener::PlainStream;
use super::tls::SERVER_NAME;

/// Connects to `address`, over TLS when `tls` is given (see [`super::tls::client_config`]).
pub async fn connect(
    address: &ServeAddress,
    tls: Option<Arc<rustls::ClientConfig>>,
) -> Result<Channel, tonic::transport::Error> {
    let address = address.clone();
    // The URI is only a placeholder: the connector below decides where to connect.
    let endpoint = Endpoint::from_static("http://localhost");
    endpoint
        .connect_with_connector(tower::service_fn(move |_| {
            let address = address.clone();
            let tls = tls.clone();
            async move { open(&address, tls).await.map(TokioIo::new) }
        }))
        .await
}

async fn open(
    address: &ServeAddress,
    tls: Option<Arc<rustls::ClientConfig>>,
) -> io::Result<Connection> {
    let plain = match address {
        ServeAddress::Unix(path) => PlainStream::Unix(UnixStream::connect(path).await?),
        ServeAddress::Tcp(addr) => PlainStream::Tcp(TcpStream::connect(addr).await?),
    };
    let Some(config) = tls else {
        return Ok(Connection::Plain(plain));
    };
    let name = rustls_pki_types::ServerName::try_from(SERVER_NAME).map_err(io::Error::other)?;
    let stream = TlsConnector::from(config).connect(name, plain).await?;
    Ok(Connection::ClientTls(Box::new(stream)))
}

//! The stream of connections tonic serves: accepted sockets, TLS-wrapped when AutoMTLS is on.
//!
//! Accepting runs in its own task and every TLS handshake in another, so a client that stalls
//! or fails its handshake can neither block nor end the accept loop.

use std::io;
use std::time::Duration;

use tokio::sync::mpsc;
use tokio_rustls::server::TlsStream;
use tokio_rustls::TlsAcceptor;
use tokio_stream::wrappers::ReceiverStream;
use tokio_util::sync::CancellationToken;
use tonic::transport::server::Connected;

use super::listener::{forward_async_io, Listener, PlainStream};

/// A TLS handshake that has not finished by then is abandoned.
const TLS_HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
/// Pause after a failed accept (e.g. out of file descriptors) so the loop does not spin.
const ACCEPT_ERROR_PAUSE: Duration = Duration::from_millis(50);
/// Connections accepted but not yet picked up by the server.
const QUEUE: usize = 16;

/// One connection: served (plain or TLS), or opened by [`super::client`].
pub enum Connection {
    Plain(PlainStream),
    Tls(Box<TlsStream<PlainStream>>),
    ClientTls(Box<tokio_rustls::client::TlsStream<PlainStream>>),
}

impl Connected for Connection {
    type ConnectInfo = ();
    fn connect_info(&self) {}
}

/// Connections from `listener` until `stop` fires, TLS-wrapped by `tls` when given.
pub fn incoming(
    listener: Listener,
    tls: Option<TlsAcceptor>,
    stop: CancellationToken,
) -> ReceiverStream<io::Result<Connection>> {
    let (sender, receiver) = mpsc::channel(QUEUE);
    tokio::spawn(accept_loop(listener, tls, sender, stop));
    ReceiverStream::new(receiver)
}

async fn accept_loop(
    listener: Listener,
    tls: Option<TlsAcceptor>,
    sender: mpsc::Sender<io::Result<Connection>>,
    stop: CancellationToken,
) {
    loop {
        let accepted = tokio::select! {
            () = stop.cancelled() => return,
            () = sender.closed() => return,
            accepted = listener.accept() => accepted,
        };
        let stream = match accepted {
            Ok(stream) => stream,
            Err(error) => {
                tracing::warn!(%error, "accepting a connection failed");
                tokio::time::sleep(ACCEPT_ERROR_PAUSE).await;
                continue;
            }
        };
        match &tls {
            None => {
                if sender.send(Ok(Connection::Plain(stream))).await.is_err() {
                    return;
                }
            }
            Some(acceptor) => {
                tokio::spawn(tls_handshake(acceptor.clone(), stream, sender.clone()));
            }
        }
    }
}

async fn tls_handshake(
    acceptor: TlsAcceptor,
    stream: PlainStream,
    sender: mpsc::Sender<io::Result<Connection>>,
) {
    match tokio::time::timeout(TLS_HANDSHAKE_TIMEOUT, acceptor.accept(stream)).await {
        Ok(Ok(tls_stream)) => {
            let _ = sender.send(Ok(Connection::Tls(Box::new(tls_stream)))).await;
        }
        Ok(Err(error)) => tracing::warn!(%error, "TLS handshake with a client failed"),
        Err(_) => tracing::warn!("TLS handshake with a client timed out"),
    }
}

forward_async_io!(Connection { Plain, Tls, ClientTls });

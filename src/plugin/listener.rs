//! The listening socket: a unix socket in `PLUGIN_UNIX_SOCKET_DIR` (else the temp dir), or TCP
//! on 127.0.0.1 within Terraform's port range where a unix socket cannot be created.

use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};

use tokio::net::{TcpListener, TcpStream};
#[cfg(unix)]
use tokio::net::{UnixListener, UnixStream};

use super::handshake::ServeAddress;
use super::launch_env::PortRange;

/// How many random socket names to try before giving up on the unix socket.
const UNIX_NAME_ATTEMPTS: usize = 16;

/// A bound listener, its address for the handshake line, and the socket file to remove.
pub struct Bound {
    pub listener: Listener,
    pub address: ServeAddress,
    /// Removes the unix socket file when dropped.
    pub socket_file: Option<SocketFile>,
}

pub enum Listener {
    #[cfg(unix)]
    Unix(UnixListener),
    Tcp(TcpListener),
}

impl Listener {
    pub async fn accept(&self) -> io::Result<PlainStream> {
        match self {
            #[cfg(unix)]
            Listener::Unix(listener) => listener
                .accept()
                .await
                .map(|(stream, _)| PlainStream::Unix(stream)),
            Listener::Tcp(listener) => listener.accept().await.map(|(stream, _)| {
                // gRPC messages are small and latency matters more than packet count.
                let _ = stream.set_nodelay(true);
                PlainStream::Tcp(stream)
            }),
        }
    }
}

/// Deletes the unix socket file on drop, so a clean exit leaves no `/tmp/plugin*` behind.
#[derive(Debug)]
pub struct SocketFile(PathBuf);

impl SocketFile {
    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for SocketFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// Binds a unix socket in `socket_dir` (else the temp dir); falls back to TCP when that fails
/// (e.g. a path too long for `sockaddr_un`). Must run inside a tokio runtime.
pub fn bind(socket_dir: Option<&Path>, ports: PortRange) -> io::Result<Bound> {
    #[cfg(unix)]
    {
        let dir = socket_dir.map_or_else(std::env::temp_dir, Path::to_path_buf);
        match bind_unix(&dir) {
            Ok(bound) => return Ok(bound),
            Err(error) => {
                tracing::debug!(%error, dir = %dir.display(), "unix socket not possible, using TCP")
            }
        }
    }
    #[cfg(not(unix))]
    let _ = socket_dir;
    bind_tcp(ports)
}

#[cfg(unix)]
fn bind_unix(dir: &Path) -> io::Result<Bound> {
    let mut last_error = io::Error::other("no socket name tried");
    for _ in 0..UNIX_NAME_ATTEMPTS {
        let path = dir.join(format!("plugin{}", rand::random::<u32>()));
        match UnixListener::bind(&path) {
            Ok(listener) => {
                let socket_file = SocketFile(path.clone());
                // Only our own user (Terraform) may connect.
                use std::os::unix::fs::PermissionsExt;
                std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600))?;
                return Ok(Bound {
                    listener: Listener::Unix(listener),
                    address: ServeAddress::Unix(path),
                    socket_file: Some(socket_file),
                });
            }
            Err(error) if error.kind() == io::ErrorKind::AddrInUse => last_error = error,
            Err(error) => return Err(error),
        }
    }
    Err(last_error)
}

/// The first free port of the range on 127.0.0.1, as go-plugin does; `0..=0` lets the OS pick.
pub fn bind_tcp(ports: PortRange) -> io::Result<Bound> {
    let mut last_error = io::Error::new(io::ErrorKind::AddrNotAvailable, "no free port in range");
    for port in ports.min..=ports.max {
        let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
        match std::net::TcpListener::bind(addr) {
            Ok(std_listener) => {
                std_listener.set_nonblocking(true)?;
                let listener = TcpListener::from_std(std_listener)?;
                let address = ServeAddress::Tcp(listener.local_addr()?);
                return Ok(Bound {
                    listener: Listener::Tcp(listener),
                    address,
                    socket_file: None,
                });
            }
            Err(error) => last_error = error,
        }
    }
    Err(last_error)
}

/// An accepted connection before any TLS.
pub enum PlainStream {
    #[cfg(unix)]
    Unix(UnixStream),
    Tcp(TcpStream),
}

/// Implements `AsyncRead` and `AsyncWrite` for an enum whose variants each hold one stream, by
/// forwarding every call to the stream the value holds. Variants may carry `#[cfg]` attributes.
macro_rules! forward_async_io {
    ($enum:ident { $($(#[$attr:meta])* $variant:ident),+ $(,)? }) => {
        impl ::tokio::io::AsyncRead for $enum {
            fn poll_read(
                self: ::std::pin::Pin<&mut Self>,
                cx: &mut ::std::task::Context<'_>,
                buf: &mut ::tokio::io::ReadBuf<'_>,
            ) -> ::std::task::Poll<::std::io::Result<()>> {
                match self.get_mut() {
                    $($(#[$attr])* $enum::$variant(stream) => {
                        ::tokio::io::AsyncRead::poll_read(::std::pin::Pin::new(stream), cx, buf)
                    })+
                }
            }
        }

        impl ::tokio::io::AsyncWrite for $enum {
            fn poll_write(
                self: ::std::pin::Pin<&mut Self>,
                cx: &mut ::std::task::Context<'_>,
                buf: &[u8],
            ) -> ::std::task::Poll<::std::io::Result<usize>> {
                match self.get_mut() {
                    $($(#[$attr])* $enum::$variant(stream) => {
                        ::tokio::io::AsyncWrite::poll_write(::std::pin::Pin::new(stream), cx, buf)
                    })+
                }
            }

            fn poll_flush(
                self: ::std::pin::Pin<&mut Self>,
                cx: &mut ::std::task::Context<'_>,
            ) -> ::std::task::Poll<::std::io::Result<()>> {
                match self.get_mut() {
                    $($(#[$attr])* $enum::$variant(stream) => {
                        ::tokio::io::AsyncWrite::poll_flush(::std::pin::Pin::new(stream), cx)
                    })+
                }
            }

            fn poll_shutdown(
                self: ::std::pin::Pin<&mut Self>,
                cx: &mut ::std::task::Context<'_>,
            ) -> ::std::task::Poll<::std::io::Result<()>> {
                match self.get_mut() {
                    $($(#[$attr])* $enum::$variant(stream) => {
                        ::tokio::io::AsyncWrite::poll_shutdown(::std::pin::Pin::new(stream), cx)
                    })+
                }
            }

            fn poll_write_vectored(
                self: ::std::pin::Pin<&mut Self>,
                cx: &mut ::std::task::Context<'_>,
                bufs: &[::std::io::IoSlice<'_>],
            ) -> ::std::task::Poll<::std::io::Result<usize>> {
                match self.get_mut() {
                    $($(#[$attr])* $enum::$variant(stream) => {
                        ::tokio::io::AsyncWrite::poll_write_vectored(::std::pin::Pin::new(stream), cx, bufs)
                    })+
                }
            }

            fn is_write_vectored(&self) -> bool {
                match self {
                    $($(#[$attr])* $enum::$variant(stream) => stream.is_write_vectored(),)+
                }
            }
        }
    };
}
pub(crate) use forward_async_io;

forward_async_io!(PlainStream {
    #[cfg(unix)]
    Unix,
    Tcp,
});

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    const ANY_PORT: PortRange = PortRange { min: 0, max: 0 };

    #[tokio::test]
    async fn unix_socket_in_the_given_dir_is_removed_on_drop() {
        let dir = tempfile::tempdir().unwrap();
        let bound = bind(Some(dir.path()), ANY_PORT).unwrap();
        let ServeAddress::Unix(path) = bound.address.clone() else {
            panic!("expected unix")
        };
        assert!(path.starts_with(dir.path()));
        assert!(path
            .file_name()
            .unwrap()
            .to_string_lossy()
            .starts_with("plugin"));
        assert!(path.exists());

        let client = tokio::spawn({
            let path = path.clone();
            async move {
                let mut stream = UnixStream::connect(path).await.unwrap();
                stream.write_all(b"hi").await.unwrap();
            }
        });
        let mut accepted = bound.listener.accept().await.unwrap();
        let mut buf = [0u8; 2];
        accepted.read_exact(&mut buf).await.unwrap();
        assert_eq!(&buf, b"hi");
        client.await.unwrap();

        drop(bound);
        assert!(!path.exists());
    }

    #[tokio::test]
    async fn too_long_socket_path_falls_back_to_tcp_in_range() {
        let dir = tempfile::tempdir().unwrap();
        let deep = dir.path().join("d".repeat(120));
        std::fs::create_dir(&deep).unwrap();
        let blocker = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let taken = blocker.local_addr().unwrap().port();
        let ports = PortRange {
            min: taken,
            max: taken.saturating_add(50),
        };
        let bound = bind(Some(&deep), ports).unwrap();
        let ServeAddress::Tcp(addr) = bound.address else {
            panic!("expected tcp")
        };
        assert!(addr.ip().is_loopback());
        assert!(
            addr.port() > taken && addr.port() <= ports.max,
            "port {}",
            addr.port()
        );
        assert!(bound.socket_file.is_none());
    }

    #[tokio::test]
    async fn tcp_with_no_free_port_is_an_error() {
        let blocker = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let taken = blocker.local_addr().unwrap().port();
        assert!(bind_tcp(PortRange {
            min: taken,
            max: taken
        })
        .is_err());
    }
}

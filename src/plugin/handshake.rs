//! The go-plugin handshake line: the first and only line we print to stdout in plugin mode.

use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;

use base64::engine::general_purpose::STANDARD_NO_PAD;
use base64::Engine;

/// go-plugin's own protocol version (the first field), always 1.
const CORE_PROTOCOL_VERSION: u32 = 1;

/// Where the server listens, in go-plugin's network/address terms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServeAddress {
    Unix(PathBuf),
    Tcp(SocketAddr),
}

impl ServeAddress {
    /// go-plugin's network name: `unix` or `tcp`.
    pub fn network(&self) -> &'static str {
        match self {
            ServeAddress::Unix(_) => "unix",
            ServeAddress::Tcp(_) => "tcp",
        }
    }
}

impl fmt::Display for ServeAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ServeAddress::Unix(path) => write!(f, "{}", path.display()),
            ServeAddress::Tcp(addr) => write!(f, "{addr}"),
        }
    }
}

/// `1|5|unix|/tmp/pluginNNN|grpc|<cert>` plus a newline. The certificate field is the server
/// certificate's DER in standard base64 without padding (Go's RawStdEncoding), empty without TLS.
/// Never a seventh field: Terraform 1.0.3 splits into at most six.
pub fn handshake_line(
    protocol_version: u32,
    address: &ServeAddress,
    server_cert_der: Option<&[u8]>,
) -> String {
    let cert = server_cert_der
        .map(|der| STANDARD_NO_PAD.encode(der))
        .unwrap_or_default();
    format!(
        "{CORE_PROTOCOL_VERSION}|{protocol_version}|{}|{address}|grpc|{cert}\n",
        address.network()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unix_line_with_certificate_has_no_padding() {
        let address = ServeAddress::Unix("/tmp/plugin123".into());
        // Two bytes would need "==" padding in standard base64.
        let line = handshake_line(5, &address, Some(&[0xff, 0xfe]));
        assert_eq!(line, "1|5|unix|/tmp/plugin123|grpc|//4\n");
    }

    #[test]
    fn tcp_line_without_tls_has_an_empty_certificate_field() {
        let address = ServeAddress::Tcp("127.0.0.1:10001".parse().unwrap());
        assert_eq!(
            handshake_line(5, &address, None),
            "1|5|tcp|127.0.0.1:10001|grpc|\n"
        );
        assert_eq!(handshake_line(5, &address, None).matches('|').count(), 5);
    }
}

//! The environment Terraform (go-plugin's client) sets when it starts us, read once.

use std::path::PathBuf;

use thiserror::Error;

/// go-plugin's handshake cookie for Terraform providers; its absence means a person ran us.
pub const MAGIC_COOKIE_KEY: &str = "TF_PLUGIN_MAGIC_COOKIE";
pub const MAGIC_COOKIE_VALUE: &str =
    "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2";

/// The only Terraform plugin protocol version this provider speaks.
pub const PROTOCOL_VERSION: u32 = 5;

#[derive(Debug, Error, PartialEq, Eq)]
pub enum LaunchError {
    #[error("{MAGIC_COOKIE_KEY} is not set: this binary is a plugin that Terraform starts itself")]
    MissingCookie,
    #[error(
        "Terraform offered plugin protocol versions {offered:?}, but this provider speaks only \
         protocol {PROTOCOL_VERSION} (Terraform 0.12 or later offers it)"
    )]
    ProtocolNotOffered { offered: String },
    #[error("{name} must be a port number, got {value:?}")]
    BadPort { name: &'static str, value: String },
    #[error("PLUGIN_MIN_PORT ({min}) is greater than PLUGIN_MAX_PORT ({max})")]
    EmptyPortRange { min: u16, max: u16 },
}

/// Inclusive TCP port range for the fallback listener; `0..=0` lets the OS choose.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PortRange {
    pub min: u16,
    pub max: u16,
}

/// What the launch environment asks of the transport.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LaunchEnv {
    pub protocol_version: u32,
    /// Terraform's client certificate (PEM) for AutoMTLS; `None` means serve plaintext.
    pub client_cert_pem: Option<String>,
    pub unix_socket_dir: Option<PathBuf>,
    pub ports: PortRange,
}

impl LaunchEnv {
    /// Reads the environment through `lookup`. `require_cookie` is false in `--debug` mode,
    /// where a person starts the provider.
    pub fn read(
        lookup: impl Fn(&str) -> Option<String>,
        require_cookie: bool,
    ) -> Result<LaunchEnv, LaunchError> {
        if require_cookie && lookup(MAGIC_COOKIE_KEY).as_deref() != Some(MAGIC_COOKIE_VALUE) {
            return Err(LaunchError::MissingCookie);
        }
        let protocol_version = negotiate_protocol(lookup("PLUGIN_PROTOCOL_VERSIONS").as_deref())?;
        let tls_disabled = lookup("TF_DISABLE_PLUGIN_TLS").is_some_and(|value| !value.is_empty());
        let client_cert_pem =
            lookup("PLUGIN_CLIENT_CERT").filter(|pem| !pem.trim().is_empty() && !tls_disabled);
        let unix_socket_dir = lookup("PLUGIN_UNIX_SOCKET_DIR")
            .filter(|dir| !dir.is_empty())
            .map(PathBuf::from);
        let min = port(&lookup, "PLUGIN_MIN_PORT")?;
        let max = port(&lookup, "PLUGIN_MAX_PORT")?;
        if min > max {
            return Err(LaunchError::EmptyPortRange { min, max });
        }
        Ok(LaunchEnv {
            protocol_version,
            client_cert_pem,
            unix_socket_dir,
            ports: PortRange { min, max },
        })
    }
}

/// Picks our version from Terraform's comma list. No list at all is a legacy client, which
/// go-plugin serves with the server's lowest version: ours is the only one.
pub fn negotiate_protocol(offered: Option<&str>) -> Result<u32, LaunchError> {
    let Some(offered) = offered.map(str::trim).filter(|list| !list.is_empty()) else {
        return Ok(PROTOCOL_VERSION);
    };
    let speaks_ours = offered
        .split(',')
        .filter_map(|version| version.trim().parse::<u32>().ok())
        .any(|version| version == PROTOCOL_VERSION);
    if speaks_ours {
        Ok(PROTOCOL_VERSION)
    } else {
        Err(LaunchError::ProtocolNotOffered {
            offered: offered.to_string(),
        })
    }
}

fn port(lookup: &impl Fn(&str) -> Option<String>, name: &'static str) -> Result<u16, LaunchError> {
    match lookup(name).map(|value| value.trim().to_string()) {
        None => Ok(0),
        Some(value) if value.is_empty() => Ok(0),
        Some(value) => value
            .parse()
            .map_err(|_| LaunchError::BadPort { name, value }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lookup(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |name| {
            pairs
                .iter()
                .find(|(key, _)| *key == name)
                .map(|(_, value)| value.to_string())
        }
    }

    const TERRAFORM: &[(&str, &str)] = &[
        (MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE),
        ("PLUGIN_PROTOCOL_VERSIONS", "5,6"),
        ("PLUGIN_MIN_PORT", "10000"),
        ("PLUGIN_MAX_PORT", "25000"),
        ("PLUGIN_CLIENT_CERT", "-----BEGIN CERTIFICATE-----\n..."),
    ];

    #[test]
    fn terraform_launch_is_understood() {
        let env = LaunchEnv::read(lookup(TERRAFORM), true).unwrap();
        assert_eq!(env.protocol_version, 5);
        assert_eq!(
            env.ports,
            PortRange {
                min: 10000,
                max: 25000
            }
        );
        assert!(env.client_cert_pem.is_some());
        assert_eq!(env.unix_socket_dir, None);
    }

    #[test]
    fn cookie_is_required_unless_debugging() {
        let wrong = lookup(&[(MAGIC_COOKIE_KEY, "nope")]);
        assert_eq!(
            LaunchEnv::read(&wrong, true),
            Err(LaunchError::MissingCookie)
        );
        assert_eq!(
            LaunchEnv::read(lookup(&[]), true),
            Err(LaunchError::MissingCookie)
        );
        let env = LaunchEnv::read(lookup(&[]), false).unwrap();
        assert_eq!(env.client_cert_pem, None);
        assert_eq!(env.ports, PortRange { min: 0, max: 0 });
    }

    #[test]
    fn protocol_negotiation() {
        assert_eq!(negotiate_protocol(None), Ok(5));
        assert_eq!(negotiate_protocol(Some("")), Ok(5));
        assert_eq!(negotiate_protocol(Some("5")), Ok(5));
        assert_eq!(negotiate_protocol(Some(" 4, 5 ,6")), Ok(5));
        let refused = negotiate_protocol(Some("6,7")).unwrap_err();
        assert_eq!(
            refused,
            LaunchError::ProtocolNotOffered {
                offered: "6,7".into()
            }
        );
        assert!(refused.to_string().contains("speaks only protocol 5"));
        assert!(negotiate_protocol(Some("x")).is_err());
    }

    #[test]
    fn disable_tls_drops_the_client_certificate() {
        let env = LaunchEnv::read(
            lookup(&[
                ("PLUGIN_CLIENT_CERT", "pem"),
                ("TF_DISABLE_PLUGIN_TLS", "1"),
            ]),
            false,
        )
        .unwrap();
        assert_eq!(env.client_cert_pem, None);
    }

    #[test]
    fn socket_dir_and_bad_ports() {
        let env = LaunchEnv::read(lookup(&[("PLUGIN_UNIX_SOCKET_DIR", "/run/x")]), false).unwrap();
        assert_eq!(env.unix_socket_dir, Some(PathBuf::from("/run/x")));
        let bad = LaunchEnv::read(lookup(&[("PLUGIN_MIN_PORT", "ten")]), false);
        assert!(matches!(
            bad,
            Err(LaunchError::BadPort {
                name: "PLUGIN_MIN_PORT",
                ..
            })
        ));
        let inverted = LaunchEnv::read(
            lookup(&[("PLUGIN_MIN_PORT", "20"), ("PLUGIN_MAX_PORT", "10")]),
            false,
        );
        assert_eq!(
            inverted,
            Err(LaunchError::EmptyPortRange { min: 20, max: 10 })
        );
    }
}

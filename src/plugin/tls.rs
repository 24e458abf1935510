//! AutoMTLS: our server certificate, and a verifier that pins Terraform's client certificate.
//!
//! Terraform's client certificate is a self-signed ECDSA P-521 CA certificate. WebPKI refuses a
//! CA as end entity and ring cannot verify P-521, so the verifier accepts exactly the DER that
//! Terraform passed in `PLUGIN_CLIENT_CERT` and checks handshake signatures with aws-lc-rs.
//! The same pinning works for a client that trusts exactly the handshake line's certificate.

use std::sync::Arc;

use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, KeyPair,
    KeyUsagePurpose, PKCS_ECDSA_P256_SHA256,
};
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{aws_lc_rs, CryptoProvider};
use rustls::server::danger::{ClientCertVerified, ClientCertVerifier};
use rustls::{CertificateError, DigitallySignedStruct, DistinguishedName, SignatureScheme};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, ServerName, UnixTime};
use thiserror::Error;

/// The name Terraform's TLS client expects the server to have.
pub const SERVER_NAME: &str = "localhost";

/// gRPC over TLS negotiates HTTP/2 by ALPN; grpc-go ≥ 1.67 insists on it.
const ALPN_H2: &[u8] = b"h2";

#[derive(Debug, Error)]
pub enum TlsError {
    #[error("could not generate the server certificate: {0}")]
    Generate(#[from] rcgen::Error),
    #[error("PLUGIN_CLIENT_CERT does not hold a PEM certificate: {0}")]
    ClientCertificate(rustls_pki_types::pem::Error),
    #[error("could not build the TLS configuration: {0}")]
    Config(#[from] rustls::Error),
}

/// A freshly generated self-signed certificate and its key.
pub struct Identity {
    pub cert_der: CertificateDer<'static>,
    pub key_der: PrivateKeyDer<'static>,
}

impl std::fmt::Debug for Identity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Identity")
            .field("key_der", &"[redacted]")
            .finish_non_exhaustive()
    }
}

/// A self-signed certificate for `localhost`, shaped like go-plugin's (CA, server and client
/// auth), valid from a minute ago so small clock differences do not matter.
pub fn generate_identity() -> Result<Identity, TlsError> {
    generate_identity_with(&PKCS_ECDSA_P256_SHA256)
}

/// Like [`generate_identity`] with a chosen algorithm (tests use P-521 to play Terraform).
pub fn generate_identity_with(
    algorithm: &'static rcgen::SignatureAlgorithm,
) -> Result<Identity, TlsError> {
    let key_pair = KeyPair::generate_for(algorithm)?;
    let mut params = CertificateParams::new(vec![SERVER_NAME.to_string()])?;
    params
        .distinguished_name
        .push(DnType::CommonName, SERVER_NAME);
    params
        .distinguished_name
        .push(DnType::OrganizationName, crate::provider_address::BINARY_NAME);
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![
        KeyUsagePurpose::DigitalSignature,
        KeyUsagePurpose::KeyEncipherment,
        KeyUsagePurpose::KeyAgreement,
        KeyUsagePurpose::KeyCertSign,
    ];
    params.extended_key_usages = vec![
        ExtendedKeyUsagePurpose::ServerAuth,
        ExtendedKeyUsagePurpose::ClientAuth,
    ];
    let now = time::OffsetDateTime::now_utc();
    params.not_before = now - time::Duration::minutes(1);
    params.not_after = now + time::Duration::days(365 * 30);
    let cert = params.self_signed(&key_pair)?;
    Ok(Identity {
        cert_der: cert.der().clone(),
        key_der: PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key_pair.serialize_der())),
    })
}

/// The first certificate in a PEM text (Terraform's `PLUGIN_CLIENT_CERT`).
pub fn parse_certificate_pem(pem: &str) -> Result<CertificateDer<'static>, TlsError> {
    CertificateDer::from_pem_slice(pem.as_bytes()).map_err(TlsError::ClientCertificate)
}

fn crypto_provider() -> Arc<CryptoProvider> {
    Arc::new(aws_lc_rs::default_provider())
}

/// Server TLS configuration: our identity, the client must present exactly `client_cert`.
pub fn server_config(
    identity: &Identity,
    client_cert: CertificateDer<'static>,
) -> Result<Arc<rustls::ServerConfig>, TlsError> {
    let provider = crypto_provider();
    let verifier = Arc::new(PinnedCertificate::new(client_cert, provider.clone()));
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_client_cert_verifier(verifier)
        .with_single_cert(
            vec![identity.cert_der.clone()],
            identity.key_der.clone_key(),
        )?;
    config.alpn_protocols = vec![ALPN_H2.to_vec()];
    Ok(Arc::new(config))
}

/// Client TLS configuration that trusts exactly `server_cert` and presents `identity`, the
/// way go-plugin's client does (used by tests and by anything talking to the plugin from Rust).
pub fn client_config(
    server_cert: CertificateDer<'static>,
    identity: Option<&Identity>,
) -> Result<Arc<rustls::ClientConfig>, TlsError> {
    let provider = crypto_provider();
    let verifier = Arc::new(PinnedCertificate::new(server_cert, provider.clone()));
    let builder = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .dangerous()
        .with_custom_certificate_verifier(verifier);
    let mut config = match identity {
        Some(identity) => builder.with_client_auth_cert(
            vec![identity.cert_der.clone()],
            identity.key_der.clone_key(),
        )?,
        None => builder.with_no_client_auth(),
    };
    config.alpn_protocols = vec![ALPN_H2.to_vec()];
    Ok(Arc::new(config))
}

/// Accepts one exact certificate, whoever presents it, and checks the peer's handshake
/// signature against that certificate's key.
#[derive(Debug)]
pub struct PinnedCertificate {
    pinned: CertificateDer<'static>,
    provider: Arc<CryptoProvider>,
}

impl PinnedCertificate {
    pub fn new(pinned: CertificateDer<'static>, provider: Arc<CryptoProvider>) -> Self {
        PinnedCertificate { pinned, provider }
    }

    fn check(&self, presented: &CertificateDer<'_>) -> Result<(), rustls::Error> {
        if presented.as_ref() == self.pinned.as_ref() {
            Ok(())
        } else {
            Err(rustls::Error::InvalidCertificate(
                CertificateError::ApplicationVerificationFailure,
            ))
        }
    }

    fn tls12(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn tls13(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

impl ClientCertVerifier for PinnedCertificate {
    fn root_hint_subjects(&self) -> &[DistinguishedName] {
        &[]
    }

    fn verify_client_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _now: UnixTime,
    ) -> Result<ClientCertVerified, rustls::Error> {
        self.check(end_entity)
            .map(|()| ClientCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.tls12(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.tls13(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.schemes()
    }
}

impl ServerCertVerifier for PinnedCertificate {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        self.check(end_entity)
            .map(|()| ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.tls12(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.tls13(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rcgen::PKCS_ECDSA_P521_SHA512;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    /// Runs a TLS handshake over an in-memory pipe and a byte echo; Ok if both sides agree.
    async fn handshake(
        server: Arc<rustls::ServerConfig>,
        client: Arc<rustls::ClientConfig>,
    ) -> Result<Vec<u8>, std::io::Error> {
        let (client_io, server_io) = tokio::io::duplex(64 * 1024);
        let acceptor = tokio_rustls::TlsAcceptor::from(server);
        let server_task = tokio::spawn(async move {
            let mut stream = acceptor.accept(server_io).await?;
            let alpn = stream.get_ref().1.alpn_protocol().map(<[u8]>::to_vec);
            let mut byte = [0u8; 1];
            stream.read_exact(&mut byte).await?;
            stream.write_all(&byte).await?;
            stream.flush().await?;
            Ok::<_, std::io::Error>(alpn)
        });
        let connector = tokio_rustls::TlsConnector::from(client);
        let name = ServerName::try_from(SERVER_NAME).unwrap();
        let client_result = async {
            let mut stream = connector.connect(name, client_io).await?;
            stream.write_all(b"x").await?;
            stream.flush().await?;
            let mut byte = [0u8; 1];
            stream.read_exact(&mut byte).await?;
            Ok::<_, std::io::Error>(())
        }
        .await;
        let server_result = server_task.await.unwrap();
        client_result?;
        Ok(server_result?.unwrap_or_default())
    }

    #[test]
    fn parses_generated_pem() {
        let key_pair = KeyPair::generate_for(&PKCS_ECDSA_P521_SHA512).unwrap();
        let cert = CertificateParams::new(vec!["localhost".into()])
            .unwrap()
            .self_signed(&key_pair)
            .unwrap();
        assert_eq!(
            parse_certificate_pem(&cert.pem()).unwrap().as_ref(),
            cert.der().as_ref()
        );
        assert!(parse_certificate_pem("not a pem").is_err());
    }

    #[tokio::test]
    async fn terraform_like_p521_client_is_accepted_with_h2() {
        let server = generate_identity().unwrap();
        let terraform = generate_identity_with(&PKCS_ECDSA_P521_SHA512).unwrap();
        let server_config = server_config(&server, terraform.cert_der.clone()).unwrap();
        let client = client_config(server.cert_der.clone(), Some(&terraform)).unwrap();
        let alpn = handshake(server_config, client).await.unwrap();
        assert_eq!(alpn, b"h2");
    }

    #[tokio::test]
    async fn tls12_client_is_accepted_too() {
        let server = generate_identity().unwrap();
        let terraform = generate_identity_with(&PKCS_ECDSA_P521_SHA512).unwrap();
        let server_config = server_config(&server, terraform.cert_der.clone()).unwrap();
        let provider = crypto_provider();
        let mut client = rustls::ClientConfig::builder_with_provider(provider.clone())
            .with_protocol_versions(&[&rustls::version::TLS12])
            .unwrap()
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(PinnedCertificate::new(
                server.cert_der.clone(),
                provider,
            )))
            .with_client_auth_cert(
                vec![terraform.cert_der.clone()],
                terraform.key_der.clone_key(),
            )
            .unwrap();
        client.alpn_protocols = vec![ALPN_H2.to_vec()];
        handshake(server_config, Arc::new(client)).await.unwrap();
    }

    #[tokio::test]
    async fn other_or_missing_client_certificate_is_refused() {
        let server = generate_identity().unwrap();
        let terraform = generate_identity_with(&PKCS_ECDSA_P521_SHA512).unwrap();
        let intruder = generate_identity_with(&PKCS_ECDSA_P521_SHA512).unwrap();
        let server_config = server_config(&server, terraform.cert_der.clone()).unwrap();
        let wrong = client_config(server.cert_der.clone(), Some(&intruder)).unwrap();
        assert!(handshake(server_config.clone(), wrong).await.is_err());
        let anonymous = client_config(server.cert_der.clone(), None).unwrap();
        assert!(handshake(server_config, anonymous).await.is_err());
    }

    #[tokio::test]
    async fn client_refuses_a_server_that_is_not_pinned() {
        let server = generate_identity().unwrap();
        let impostor = generate_identity().unwrap();
        let terraform = generate_identity_with(&PKCS_ECDSA_P521_SHA512).unwrap();
        let server_config = server_config(&impostor, terraform.cert_der.clone()).unwrap();
        let client = client_config(server.cert_der.clone(), Some(&terraform)).unwrap();
        assert!(handshake(server_config, client).await.is_err());
    }

    #[test]
    fn p521_is_advertised() {
        let verifier = PinnedCertificate::new(CertificateDer::from(vec![1]), crypto_provider());
        let schemes = ClientCertVerifier::supported_verify_schemes(&verifier);
        assert!(schemes.contains(&SignatureScheme::ECDSA_NISTP521_SHA512));
    }
}

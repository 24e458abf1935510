//! A static HTTPS file server on 127.0.0.1 for a provider network mirror, with a certificate
//! made here. Terraform trusts it through `SSL_CERT_FILE` (Go reads it on Linux); the network
//! mirror protocol accepts nothing but HTTPS.

use std::convert::Infallible;
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex};

use axum::body::Body;
use hyper::body::Incoming;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use rustls_pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};

/// Serves the files under `root` until dropped.
pub struct HttpsMirror {
    _runtime: tokio::runtime::Runtime,
    /// `https://127.0.0.1:PORT/`
    pub base_url: String,
    /// The server's self-signed certificate (PEM): the file to name in `SSL_CERT_FILE`.
    pub ca_file: PathBuf,
    requested: Arc<Mutex<Vec<String>>>,
}

impl HttpsMirror {
    /// Starts serving `root`; the certificate is written beside it as `<root>.pem`.
    pub fn serve(root: &Path) -> HttpsMirror {
        let key = rcgen::KeyPair::generate().expect("generate the server key");
        let params = rcgen::CertificateParams::new(vec!["127.0.0.1".to_string()]).expect("certificate parameters");
        let cert = params.self_signed(&key).expect("self-sign the server certificate");
        let ca_file = root.with_extension("pem");
        std::fs::write(&ca_file, cert.pem()).expect("write the certificate for SSL_CERT_FILE");

        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let mut config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .expect("TLS versions")
            .with_no_client_auth()
            .with_single_cert(
                vec![cert.der().clone()],
                PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der())),
            )
            .expect("TLS server configuration");
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));

        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("build the mirror runtime");
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .expect("bind the mirror on 127.0.0.1");
        let port = listener.local_addr().expect("mirror address").port();
        let requested = Arc::new(Mutex::new(Vec::new()));
        let (root, log) = (root.to_path_buf(), requested.clone());
        runtime.spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let (acceptor, root, log) = (acceptor.clone(), root.clone(), log.clone());
                tokio::spawn(async move {
                    // A client that gives up on the handshake is not our concern.
                    let Ok(tls) = acceptor.accept(stream).await else { return };
                    let service = hyper::service::service_fn(move |request: Request<Incoming>| {
                        let (root, log) = (root.clone(), log.clone());
                        async move {
                            log.lock().expect("request log").push(request.uri().path().to_string());
                            Ok::<_, Infallible>(answer(&root, request.uri().path()))
                        }
                    });
                    let _ = hyper::server::conn::http1::Builder::new().serve_connection(TokioIo::new(tls), service).await;
                });
            }
        });
        HttpsMirror { _runtime: runtime, base_url: format!("https://127.0.0.1:{port}/"), ca_file, requested }
    }

    /// The paths requested so far, in order.
    pub fn requested(&self) -> Vec<String> {
        self.requested.lock().expect("request log").clone()
    }
}

/// The file at `path` under `root`, or 404; paths leaving `root` are refused. Terraform reads
/// the JSON documents only when they say they are JSON.
fn answer(root: &Path, path: &str) -> Response<Body> {
    let relative = Path::new(path.trim_start_matches('/'));
    let inside = relative.components().all(|c| matches!(c, Component::Normal(_)));
    let content_type = match relative.extension().and_then(|e| e.to_str()) {
        Some("json") => "application/json",
        Some("zip") => "application/zip",
        _ => "application/octet-stream",
    };
    match std::fs::read(root.join(relative)) {
        Ok(bytes) if inside => {
            let mut response = Response::new(Body::from(bytes));
            response.headers_mut().insert(hyper::header::CONTENT_TYPE, hyper::header::HeaderValue::from_static(content_type));
            response
        }
        _ => {
            let mut response = Response::new(Body::from("not found"));
            *response.status_mut() = StatusCode::NOT_FOUND;
            response
        }
    }
}

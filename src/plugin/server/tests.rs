//! In-process serving tests: real sockets and TLS, no provider (an empty route table).

use std::sync::Arc;
use std::time::Duration;

use rcgen::PKCS_ECDSA_P521_SHA512;
use tokio::sync::oneshot;
use tokio_util::sync::CancellationToken;
use tonic::service::Routes;
use tonic_health::pb::health_check_response::ServingStatus;
use tonic_health::pb::health_client::HealthClient;
use tonic_health::pb::HealthCheckRequest;

use super::{serve, Mode, Ready, ServeError};
use crate::plugin::client::connect;
use crate::plugin::handshake::ServeAddress;
use crate::plugin::launch_env::{LaunchEnv, PortRange};
use crate::plugin::tls::{self, Identity};
use crate::proto::plugin::grpc_controller_client::GrpcControllerClient;
use crate::proto::plugin::Empty;

struct Running {
    ready: Ready,
    provider_cancel: CancellationToken,
    server: tokio::task::JoinHandle<Result<(), ServeError>>,
    _dir: tempfile::TempDir,
}

fn env(client_cert_pem: Option<String>, dir: &tempfile::TempDir) -> LaunchEnv {
    LaunchEnv {
        protocol_version: 5,
        client_cert_pem,
        unix_socket_dir: Some(dir.path().to_path_buf()),
        ports: PortRange { min: 0, max: 0 },
    }
}

async fn start(mode: Mode, client_cert_pem: Option<String>) -> Running {
    let dir = tempfile::tempdir().unwrap();
    let env = env(client_cert_pem, &dir);
    let (ready_tx, ready_rx) = oneshot::channel();
    let (cancel_tx, cancel_rx) = oneshot::channel();
    let server = tokio::spawn(async move {
        let routes = |cancel: CancellationToken| {
            let _ = cancel_tx.send(cancel);
            Routes::default()
        };
        let announce = |ready: &Ready| {
            let _ = ready_tx.send(ready.clone());
            Ok(())
        };
        serve(mode, &env, routes, announce).await
    });
    Running {
        ready: ready_rx.await.unwrap(),
        provider_cancel: cancel_rx.await.unwrap(),
        server,
        _dir: dir,
    }
}

fn pem(identity: &Identity) -> String {
    let base64 = base64::Engine::encode(
        &base64::engine::general_purpose::STANDARD,
        &identity.cert_der,
    );
    format!("-----BEGIN CERTIFICATE-----\n{base64}\n-----END CERTIFICATE-----\n")
}

async fn health(
    address: &ServeAddress,
    tls: Option<Arc<rustls::ClientConfig>>,
) -> Result<ServingStatus, String> {
    let channel = connect(address, tls)
        .await
        .map_err(|error| error.to_string())?;
    let request = HealthCheckRequest {
        service: "plugin".into(),
    };
    let response = HealthClient::new(channel)
        .check(request)
        .await
        .map_err(|status| status.to_string())?;
    Ok(response.into_inner().status())
}

async fn shutdown_and_wait(running: Running, tls: Option<Arc<rustls::ClientConfig>>) {
    let channel = connect(&running.ready.address, tls).await.unwrap();
    let started = std::time::Instant::now();
    GrpcControllerClient::new(channel)
        .shutdown(Empty {})
        .await
        .unwrap();
    let finished = tokio::time::timeout(Duration::from_secs(1), running.server).await;
    finished
        .expect("server stops within a second")
        .unwrap()
        .unwrap();
    assert!(started.elapsed() < Duration::from_secs(1));
    assert!(
        running.provider_cancel.is_cancelled(),
        "shutdown cancels provider work"
    );
    if let ServeAddress::Unix(path) = &running.ready.address {
        assert!(!path.exists(), "socket file removed");
    }
}

#[tokio::test]
async fn mtls_pins_terraforms_p521_certificate() {
    let terraform = tls::generate_identity_with(&PKCS_ECDSA_P521_SHA512).unwrap();
    let running = start(Mode::Plugin, Some(pem(&terraform))).await;
    let server_cert = running.ready.server_cert.clone().expect("TLS is on");
    assert!(matches!(running.ready.address, ServeAddress::Unix(_)));

    let trusted = tls::client_config(server_cert.clone(), Some(&terraform)).unwrap();
    assert_eq!(
        health(&running.ready.address, Some(trusted.clone())).await,
        Ok(ServingStatus::Serving)
    );

    let intruder = tls::generate_identity_with(&PKCS_ECDSA_P521_SHA512).unwrap();
    let wrong = tls::client_config(server_cert.clone(), Some(&intruder)).unwrap();
    assert!(health(&running.ready.address, Some(wrong)).await.is_err());
    let anonymous = tls::client_config(server_cert, None).unwrap();
    assert!(health(&running.ready.address, Some(anonymous))
        .await
        .is_err());
    assert!(
        health(&running.ready.address, None).await.is_err(),
        "plaintext is refused"
    );

    // The server survived the bad clients.
    assert_eq!(
        health(&running.ready.address, Some(trusted.clone())).await,
        Ok(ServingStatus::Serving)
    );
    shutdown_and_wait(running, Some(trusted)).await;
}

#[tokio::test]
async fn without_client_certificate_serves_plaintext() {
    let running = start(Mode::Plugin, None).await;
    assert!(running.ready.server_cert.is_none());
    assert_eq!(
        health(&running.ready.address, None).await,
        Ok(ServingStatus::Serving)
    );
    shutdown_and_wait(running, None).await;
}

#[tokio::test]
async fn debug_mode_is_plaintext_even_with_a_client_certificate() {
    let terraform = tls::generate_identity_with(&PKCS_ECDSA_P521_SHA512).unwrap();
    let running = start(Mode::Debug, Some(pem(&terraform))).await;
    assert!(running.ready.server_cert.is_none());
    assert_eq!(
        health(&running.ready.address, None).await,
        Ok(ServingStatus::Serving)
    );
    shutdown_and_wait(running, None).await;
}

#[tokio::test]
async fn stop_cancels_provider_work_but_keeps_serving() {
    let running = start(Mode::Plugin, None).await;
    running.provider_cancel.cancel();
    assert_eq!(
        health(&running.ready.address, None).await,
        Ok(ServingStatus::Serving)
    );
    assert!(!running.server.is_finished());
    shutdown_and_wait(running, None).await;
}

#[tokio::test]
async fn shutdown_ends_open_stdio_and_broker_streams() {
    use crate::proto::plugin::grpc_broker_client::GrpcBrokerClient;
    use crate::proto::plugin::grpc_stdio_client::GrpcStdioClient;
    use crate::proto::plugin::ConnInfo;
    let running = start(Mode::Plugin, None).await;
    let channel = connect(&running.ready.address, None).await.unwrap();
    let mut stdio = GrpcStdioClient::new(channel.clone())
        .stream_stdio(())
        .await
        .unwrap()
        .into_inner();
    let stdio_reader = tokio::spawn(async move { stdio.message().await });
    let outgoing = futures::stream::pending::<ConnInfo>();
    let mut broker = GrpcBrokerClient::new(channel)
        .start_stream(outgoing)
        .await
        .unwrap()
        .into_inner();
    let broker_reader = tokio::spawn(async move { broker.message().await });
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert!(
        !stdio_reader.is_finished(),
        "stdio stream stays open while serving"
    );
    assert!(
        !broker_reader.is_finished(),
        "broker stream stays open while serving"
    );
    shutdown_and_wait(running, None).await;
    let stdio_end = tokio::time::timeout(Duration::from_secs(1), stdio_reader)
        .await
        .unwrap()
        .unwrap();
    assert!(matches!(stdio_end, Ok(None) | Err(_)));
    let broker_end = tokio::time::timeout(Duration::from_secs(1), broker_reader)
        .await
        .unwrap()
        .unwrap();
    assert!(matches!(broker_end, Ok(None) | Err(_)));
}

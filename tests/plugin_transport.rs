//! The provider binary as Terraform sees it: launch environment, handshake line, AutoMTLS,
//! health, Shutdown, signals, `--debug`, `--version` and stderr logging.

mod support;

use std::path::{Path, PathBuf};
use std::process::{ExitStatus, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::engine::general_purpose::STANDARD_NO_PAD;
use base64::Engine;
use rcgen::PKCS_ECDSA_P521_SHA512;
use rustls_pki_types::CertificateDer;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, BufReader};
use tokio::process::{Child, ChildStdout, Command};
use tonic_health::pb::health_check_response::ServingStatus;
use tonic_health::pb::health_client::HealthClient;
use tonic_health::pb::HealthCheckRequest;

use terraform_provider_cloudflare::plugin::client::connect;
use terraform_provider_cloudflare::plugin::handshake::ServeAddress;
use terraform_provider_cloudflare::plugin::launch_env::{MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE};
use terraform_provider_cloudflare::plugin::tls::{self, Identity};
use terraform_provider_cloudflare::proto::plugin::grpc_controller_client::GrpcControllerClient;
use terraform_provider_cloudflare::proto::plugin::Empty;

const STARTUP_LIMIT: Duration = Duration::from_secs(5);
const EXIT_LIMIT: Duration = Duration::from_secs(1);

/// A command with a clean environment (no TF_LOG from the developer's shell).
fn provider_command(socket_dir: &Path) -> Command {
    let mut command = Command::new(support::workspace::provider_binary());
    command
        .env_clear()
        .env("PLUGIN_UNIX_SOCKET_DIR", socket_dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    command
}

/// What Terraform 1.x sets, minus the client certificate.
fn terraform_command(socket_dir: &Path) -> Command {
    let mut command = provider_command(socket_dir);
    command
        .env(MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE)
        .env("PLUGIN_PROTOCOL_VERSIONS", "5,6")
        .env("PLUGIN_MIN_PORT", "10000")
        .env("PLUGIN_MAX_PORT", "25000");
    command
}

fn pem(identity: &Identity) -> String {
    let body = base64::engine::general_purpose::STANDARD.encode(&identity.cert_der);
    let lines: Vec<&str> = body
        .as_bytes()
        .chunks(64)
        .map(|chunk| std::str::from_utf8(chunk).unwrap())
        .collect();
    format!(
        "-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----\n",
        lines.join("\n")
    )
}

struct Handshake {
    address: ServeAddress,
    server_cert: Option<CertificateDer<'static>>,
    elapsed: Duration,
}

/// Starts the binary and parses the first stdout line as go-plugin's handshake.
async fn launch(mut command: Command) -> (Child, BufReader<ChildStdout>, Handshake) {
    let started = Instant::now();
    let mut child = command.spawn().unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    tokio::time::timeout(STARTUP_LIMIT, stdout.read_line(&mut line))
        .await
        .unwrap()
        .unwrap();
    let elapsed = started.elapsed();
    let line = line
        .strip_suffix('\n')
        .unwrap_or_else(|| panic!("no complete line: {line:?}"));
    let fields: Vec<&str> = line.split('|').collect();
    assert_eq!(fields.len(), 6, "handshake {line:?}");
    assert_eq!(
        (fields[0], fields[1]),
        ("1", "5"),
        "core and protocol versions"
    );
    assert_eq!(fields[4], "grpc");
    let address = match fields[2] {
        "unix" => ServeAddress::Unix(PathBuf::from(fields[3])),
        "tcp" => ServeAddress::Tcp(fields[3].parse().unwrap()),
        other => panic!("network {other:?}"),
    };
    let server_cert = match fields[5] {
        "" => None,
        cert => {
            assert!(!cert.contains('='), "Go's RawStdEncoding has no padding");
            Some(CertificateDer::from(STANDARD_NO_PAD.decode(cert).unwrap()))
        }
    };
    (
        child,
        stdout,
        Handshake {
            address,
            server_cert,
            elapsed,
        },
    )
}

async fn health(
    address: &ServeAddress,
    tls: Option<Arc<rustls::ClientConfig>>,
) -> Result<ServingStatus, String> {
    let channel = connect(address, tls)
        .await
        .map_err(|error| format!("{error:?}"))?;
    let request = HealthCheckRequest {
        service: "plugin".into(),
    };
    let response = HealthClient::new(channel)
        .check(request)
        .await
        .map_err(|status| status.to_string())?;
    Ok(response.into_inner().status())
}

async fn wait_exit(child: &mut Child, limit: Duration) -> ExitStatus {
    tokio::time::timeout(limit, child.wait())
        .await
        .unwrap_or_else(|_| panic!("provider still running after {limit:?}"))
        .unwrap()
}

async fn shutdown(
    address: &ServeAddress,
    tls: Option<Arc<rustls::ClientConfig>>,
    child: &mut Child,
) -> Duration {
    let channel = connect(address, tls).await.unwrap();
    let started = Instant::now();
    GrpcControllerClient::new(channel)
        .shutdown(Empty {})
        .await
        .unwrap();
    let status = wait_exit(child, EXIT_LIMIT).await;
    assert!(status.success(), "exit status {status:?}");
    started.elapsed()
}

async fn stderr_text(child: &mut Child) -> String {
    let mut text = String::new();
    if let Some(mut stderr) = child.stderr.take() {
        stderr.read_to_string(&mut text).await.unwrap();
    }
    text
}

fn signal(child: &Child, signal: libc::c_int) {
    let pid = child.id().unwrap() as libc::pid_t;
    // SAFETY: sending a signal to our own child process.
    assert_eq!(unsafe { libc::kill(pid, signal) }, 0);
}

fn assert_socket_gone(address: &ServeAddress) {
    if let ServeAddress::Unix(path) = address {
        assert!(!path.exists(), "socket {} left behind", path.display());
    }
}

#[tokio::test]
async fn terraform_launch_with_automtls() {
    let dir = tempfile::tempdir().unwrap();
    let terraform = tls::generate_identity_with(&PKCS_ECDSA_P521_SHA512).unwrap();
    let mut command = terraform_command(dir.path());
    command.env("PLUGIN_CLIENT_CERT", pem(&terraform));
    let (mut child, mut stdout, handshake) = launch(command).await;
    println!(
        "handshake time (exec -> handshake line, AutoMTLS): {:?}",
        handshake.elapsed
    );

    let ServeAddress::Unix(path) = &handshake.address else {
        panic!("expected a unix socket")
    };
    assert!(path.starts_with(dir.path()) && path.exists());
    let server_cert = handshake
        .server_cert
        .clone()
        .expect("certificate in the handshake");

    let trusted = tls::client_config(server_cert.clone(), Some(&terraform)).unwrap();
    assert_eq!(
        health(&handshake.address, Some(trusted.clone())).await,
        Ok(ServingStatus::Serving)
    );

    let intruder = tls::generate_identity_with(&PKCS_ECDSA_P521_SHA512).unwrap();
    let wrong = tls::client_config(server_cert.clone(), Some(&intruder)).unwrap();
    assert!(
        health(&handshake.address, Some(wrong)).await.is_err(),
        "other certificate refused"
    );
    let anonymous = tls::client_config(server_cert, None).unwrap();
    assert!(
        health(&handshake.address, Some(anonymous)).await.is_err(),
        "no certificate refused"
    );
    assert!(
        health(&handshake.address, None).await.is_err(),
        "plaintext refused"
    );
    assert_eq!(
        health(&handshake.address, Some(trusted.clone())).await,
        Ok(ServingStatus::Serving)
    );

    let took = shutdown(&handshake.address, Some(trusted), &mut child).await;
    println!("Shutdown -> exit: {took:?}");
    assert_socket_gone(&handshake.address);
    let mut rest = String::new();
    stdout.read_to_string(&mut rest).await.unwrap();
    assert_eq!(rest, "", "nothing after the handshake line");
    assert_eq!(stderr_text(&mut child).await, "", "silent without TF_LOG");
}

#[tokio::test]
async fn tls_disabled_serves_plaintext() {
    let dir = tempfile::tempdir().unwrap();
    let (mut child, _stdout, handshake) = launch(terraform_command(dir.path())).await;
    println!(
        "handshake time (exec -> handshake line, plaintext): {:?}",
        handshake.elapsed
    );
    assert!(handshake.server_cert.is_none());
    assert_eq!(
        health(&handshake.address, None).await,
        Ok(ServingStatus::Serving)
    );
    shutdown(&handshake.address, None, &mut child).await;
    assert_socket_gone(&handshake.address);
}

#[tokio::test]
async fn tf_disable_plugin_tls_wins_over_a_client_certificate() {
    let dir = tempfile::tempdir().unwrap();
    let terraform = tls::generate_identity_with(&PKCS_ECDSA_P521_SHA512).unwrap();
    let mut command = terraform_command(dir.path());
    command
        .env("PLUGIN_CLIENT_CERT", pem(&terraform))
        .env("TF_DISABLE_PLUGIN_TLS", "1");
    let (mut child, _stdout, handshake) = launch(command).await;
    assert!(handshake.server_cert.is_none());
    shutdown(&handshake.address, None, &mut child).await;
}

#[tokio::test]
async fn tcp_in_the_port_range_when_no_unix_socket_is_possible() {
    let dir = tempfile::tempdir().unwrap();
    let too_long = dir.path().join("d".repeat(120));
    std::fs::create_dir(&too_long).unwrap();
    let mut command = terraform_command(&too_long);
    command
        .env("PLUGIN_MIN_PORT", "20000")
        .env("PLUGIN_MAX_PORT", "20100");
    let (mut child, _stdout, handshake) = launch(command).await;
    let ServeAddress::Tcp(addr) = handshake.address else {
        panic!("expected tcp")
    };
    assert!(addr.ip().is_loopback());
    assert!((20000..=20100).contains(&addr.port()));
    assert_eq!(
        health(&handshake.address, None).await,
        Ok(ServingStatus::Serving)
    );
    shutdown(&handshake.address, None, &mut child).await;
}

#[tokio::test]
async fn without_the_cookie_it_explains_and_exits_1() {
    let dir = tempfile::tempdir().unwrap();
    let output = provider_command(dir.path()).output().await.unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(output.stdout.is_empty());
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("Terraform"), "{stderr}");
    assert!(
        stderr.contains("--debug") && stderr.contains("--version"),
        "{stderr}"
    );
}

#[tokio::test]
async fn refuses_when_protocol_5_is_not_offered() {
    let dir = tempfile::tempdir().unwrap();
    let mut command = terraform_command(dir.path());
    command.env("PLUGIN_PROTOCOL_VERSIONS", "6");
    let output = command.output().await.unwrap();
    assert!(!output.status.success());
    assert!(output.stdout.is_empty(), "no handshake line");
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("speaks only protocol 5"), "{stderr}");
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        0,
        "no socket left"
    );
}

#[tokio::test]
async fn sigint_is_ignored_and_sigterm_stops() {
    let dir = tempfile::tempdir().unwrap();
    let (mut child, _stdout, handshake) = launch(terraform_command(dir.path())).await;
    signal(&child, libc::SIGINT);
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(
        child.try_wait().unwrap().is_none(),
        "SIGINT must not stop the provider"
    );
    assert_eq!(
        health(&handshake.address, None).await,
        Ok(ServingStatus::Serving)
    );

    signal(&child, libc::SIGTERM);
    let status = wait_exit(&mut child, EXIT_LIMIT).await;
    assert!(status.success(), "{status:?}");
    assert_socket_gone(&handshake.address);
}

#[tokio::test]
async fn debug_mode_prints_reattach_json_and_serves_plaintext() {
    let dir = tempfile::tempdir().unwrap();
    let mut command = provider_command(dir.path());
    command.arg("--debug");
    let mut child = command.spawn().unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let reattach = tokio::time::timeout(STARTUP_LIMIT, async {
        let mut line = String::new();
        loop {
            line.clear();
            assert!(
                stdout.read_line(&mut line).await.unwrap() > 0,
                "no reattach line"
            );
            if let Some(value) = line.trim().strip_prefix("TF_REATTACH_PROVIDERS='") {
                return value.strip_suffix('\'').unwrap().to_string();
            }
        }
    })
    .await
    .unwrap();
    let json: serde_json::Value = serde_json::from_str(&reattach).unwrap();
    let entry = &json[terraform_provider_cloudflare::provider_address::ADDRESS];
    assert_eq!(entry["Protocol"], "grpc");
    assert_eq!(entry["ProtocolVersion"], 5);
    assert_eq!(entry["Test"], true);
    assert_eq!(entry["Pid"], child.id().unwrap());
    assert_eq!(entry["Addr"]["Network"], "unix");
    let address = ServeAddress::Unix(PathBuf::from(entry["Addr"]["String"].as_str().unwrap()));
    assert_eq!(health(&address, None).await, Ok(ServingStatus::Serving));

    // A person stops a debug server with Ctrl-C.
    signal(&child, libc::SIGINT);
    let status = wait_exit(&mut child, EXIT_LIMIT).await;
    assert!(status.success(), "{status:?}");
    assert_socket_gone(&address);
}

#[tokio::test]
async fn debug_mode_accepts_a_custom_provider_address() {
    let dir = tempfile::tempdir().unwrap();
    let mut command = provider_command(dir.path());
    command.args(["--debug", "--provider-address=example.com/me/cloudflare"]);
    let mut child = command.spawn().unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut text = String::new();
    tokio::time::timeout(STARTUP_LIMIT, async {
        while !text.contains("TF_REATTACH_PROVIDERS=") {
            assert!(stdout.read_line(&mut text).await.unwrap() > 0);
        }
    })
    .await
    .unwrap();
    assert!(text.contains("\"example.com/me/cloudflare\""), "{text}");
    signal(&child, libc::SIGTERM);
    wait_exit(&mut child, EXIT_LIMIT).await;
}

#[tokio::test]
async fn version_flag() {
    let dir = tempfile::tempdir().unwrap();
    let mut command = provider_command(dir.path());
    command.arg("--version");
    let output = command.output().await.unwrap();
    assert!(output.status.success());
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert_eq!(
        stdout.trim(),
        format!(
            "{} {}",
            terraform_provider_cloudflare::provider_address::BINARY_NAME,
            env!("CARGO_PKG_VERSION")
        )
    );
}

/// Runs one launch + Shutdown with the given log variables and returns stderr.
async fn stderr_with(log_env: &[(&str, &str)]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let mut command = terraform_command(dir.path());
    for (name, value) in log_env {
        command.env(name, value);
    }
    let (mut child, _stdout, handshake) = launch(command).await;
    shutdown(&handshake.address, None, &mut child).await;
    stderr_text(&mut child).await
}

#[tokio::test]
async fn logs_are_hclog_json_filtered_by_tf_log_provider_then_tf_log() {
    let trace = stderr_with(&[("TF_LOG", "trace")]).await;
    let lines: Vec<serde_json::Map<String, serde_json::Value>> = trace
        .lines()
        .map(|line| match serde_json::from_str(line) {
            Ok(serde_json::Value::Object(object)) => object,
            _ => panic!("not an hclog JSON object: {line:?}"),
        })
        .collect();
    assert!(!lines.is_empty(), "TF_LOG=trace logs something");
    for line in &lines {
        let level = line["@level"].as_str().unwrap();
        assert!(
            ["trace", "debug", "info", "warn", "error"].contains(&level),
            "{line:?}"
        );
        assert!(line["@message"].is_string());
        assert_eq!(line["@module"], "provider");
        let stamp = line["@timestamp"].as_str().unwrap();
        let (_, fraction) = stamp.split_once('.').unwrap();
        assert!(
            fraction.len() == 7 && fraction.ends_with('Z'),
            "timestamp {stamp}"
        );
    }
    let address_line = lines
        .iter()
        .find(|line| line["@message"] == "plugin address")
        .unwrap();
    assert_eq!(address_line["network"], "unix");

    assert_eq!(stderr_with(&[]).await, "", "unset: nothing");
    assert_eq!(stderr_with(&[("TF_LOG", "off")]).await, "");
    assert_eq!(
        stderr_with(&[("TF_LOG", "trace"), ("TF_LOG_PROVIDER", "warn")]).await,
        "",
        "provider level wins"
    );
    assert!(
        !stderr_with(&[("TF_LOG", "off"), ("TF_LOG_PROVIDER", "debug")])
            .await
            .is_empty()
    );
    assert!(
        !stderr_with(&[("TF_LOG", "JSON")]).await.is_empty(),
        "JSON means trace"
    );
}

//! The running server: a loopback listener, one hyper HTTP/1 connection task per client, and a
//! front service that records requests and injects faults before the axum routers see them.

use std::convert::Infallible;
use std::io;
use std::net::SocketAddr;
use std::sync::atomic::Ordering;
use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, Response, StatusCode};
use axum::response::IntoResponse;
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use tower::ServiceExt;

use super::admin;
use super::config::EmulatorConfig;
use super::control::EmulatorControl;
use super::envelope::{codes, ApiFailure};
use super::faults::Injected;
use super::request_log::RecordedRequest;
use super::state::{lock, Shared};
use super::{identity, v1, v2};

/// Where the API lives under the server root, as on api.cloudflare.com.
pub const API_PREFIX: &str = "/client/v4";
/// Where the test controls live (never counted, never faulted).
pub const ADMIN_PREFIX: &str = "/__emulator";

/// A running emulator. Dropping it stops accepting connections; prefer [`Emulator::shutdown`].
pub struct Emulator {
    addr: SocketAddr,
    shared: Arc<Shared>,
    cancel: CancellationToken,
    tracker: TaskTracker,
    accept_task: Option<JoinHandle<()>>,
}

impl Emulator {
    /// Binds `bind` (must be a loopback address; port 0 picks a free port) and starts serving.
    /// Loads `config.persist_path` if it exists.
    pub async fn start(config: EmulatorConfig, bind: SocketAddr) -> io::Result<Emulator> {
        if !bind.ip().is_loopback() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!(
                    "the emulator only listens on loopback addresses, not {}",
                    bind.ip()
                ),
            ));
        }
        let shared =
            Shared::new(&config).map_err(|err| io::Error::new(io::ErrorKind::InvalidData, err))?;
        let shared = Arc::new(shared);
        let listener = TcpListener::bind(bind).await?;
        let addr = listener.local_addr()?;
        let front = Front {
            shared: shared.clone(),
            api: api_router(shared.clone()),
            admin: admin::routes(shared.clone()),
        };
        let cancel = CancellationToken::new();
        let tracker = TaskTracker::new();
        let accept_task = tokio::spawn(accept_loop(
            listener,
            front,
            cancel.clone(),
            tracker.clone(),
        ));
        Ok(Emulator {
            addr,
            shared,
            cancel,
            tracker,
            accept_task: Some(accept_task),
        })
    }

    /// E.g. `http://127.0.0.1:PORT/client/v4` — the client's base URL.
    pub fn base_url(&self) -> String {
        format!("http://{}{API_PREFIX}", self.addr)
    }

    /// E.g. `http://127.0.0.1:PORT/__emulator` — the HTTP test controls.
    pub fn admin_url(&self) -> String {
        format!("http://{}{ADMIN_PREFIX}", self.addr)
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn control(&self) -> EmulatorControl {
        EmulatorControl {
            shared: self.shared.clone(),
        }
    }

    /// Stops accepting, closes open connections and waits for their tasks to end.
    pub async fn shutdown(mut self) {
        self.cancel.cancel();
        if let Some(task) = self.accept_task.take() {
            let _ = task.await;
        }
        self.tracker.close();
        self.tracker.wait().await;
    }

    /// Resolves when the server is told to stop (for the binary's main loop).
    pub async fn stopped(&self) {
        self.cancel.cancelled().await;
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        self.cancel.cancel();
    }
}

fn api_router(shared: Arc<Shared>) -> Router {
    let families = v1::routes()
        .merge(v2::routes())
        .merge(identity::routes())
        .method_not_allowed_fallback(no_route)
        .fallback(no_route);
    Router::new()
        .nest(API_PREFIX, families)
        .fallback(no_route)
        .with_state(shared)
}

async fn no_route() -> ApiFailure {
    codes::no_route()
}

async fn accept_loop(
    listener: TcpListener,
    front: Front,
    cancel: CancellationToken,
    tracker: TaskTracker,
) {
    loop {
        let accepted = tokio::select! {
            _ = cancel.cancelled() => break,
            accepted = listener.accept() => accepted,
        };
        match accepted {
            Ok((stream, _)) => {
                tracker.spawn(serve_connection(stream, front.clone(), cancel.clone()));
            }
            Err(err) => {
                // Transient (e.g. too many open files): back off briefly instead of spinning.
                tracing::warn!(error = %err, "emulator accept failed");
                tokio::time::sleep(std::time::Duration::from_millis(10)).await;
            }
        }
    }
}

async fn serve_connection(stream: TcpStream, front: Front, cancel: CancellationToken) {
    // Answers of a few hundred kilobytes leave in several writes: without this the last small
    // one waits for the client's delayed ACK (Nagle), ~40 ms on loopback.
    let _ = stream.set_nodelay(true);
    let service = hyper::service::service_fn(move |request: Request<Incoming>| {
        let front = front.clone();
        async move { front.handle(request).await }
    });
    let connection =
        hyper::server::conn::http1::Builder::new().serve_connection(TokioIo::new(stream), service);
    tokio::select! {
        // Errors here are client disconnects or our own deliberate drops.
        _ = connection => {}
        _ = cancel.cancelled() => {}
    }
}

/// Returned by the front service to make hyper close the connection without answering.
#[derive(Debug, thiserror::Error)]
#[error("connection dropped by the emulator (injected fault)")]
pub struct DroppedConnection;

#[derive(Clone)]
struct Front {
    shared: Arc<Shared>,
    api: Router,
    admin: Router,
}

impl Front {
    async fn handle(
        &self,
        request: Request<Incoming>,
    ) -> Result<Response<Body>, DroppedConnection> {
        let request = request.map(Body::new);
        let path = request.uri().path().to_string();
        if path == ADMIN_PREFIX || path.starts_with(&format!("{ADMIN_PREFIX}/")) {
            return Ok(call(&self.admin, request).await);
        }
        let mut record = RecordedRequest {
            method: request.method().to_string(),
            path,
            query: request.uri().query().map(str::to_string),
            status: 0,
        };
        let _in_flight = InFlight::enter(&self.shared);
        // Counted faults are meant for mapping calls: a credential check does not use them up.
        let zone_call = record.path.contains("/zones/");
        let (latency, injected) = {
            let mut faults = lock(&self.shared.faults);
            let injected = if zone_call { faults.next_injection(tokio::time::Instant::now()) } else { None };
            (faults.latency_for(&record.method), injected)
        };
        if !latency.is_zero() {
            tokio::time::sleep(latency).await;
        }
        let admission = lock(&self.shared.ratelimit)
            .as_mut()
            .map(|window| window.admit(tokio::time::Instant::now()));
        let mut response = match injected {
            Some(Injected::Drop) => {
                lock(&self.shared.log).record(record);
                return Err(DroppedConnection);
            }
            Some(Injected::RateLimited { retry_after_secs }) => {
                rate_limited(retry_after_secs).into_response()
            }
            Some(Injected::ServerError { status }) => server_error(status).into_response(),
            None => match admission {
                Some(over) if !over.allowed => rate_limited(over.reset_secs).into_response(),
                _ => {
                    let writes = request.method() != axum::http::Method::GET;
                    let response = call(&self.api, request).await;
                    if writes && lock(&self.shared.faults).take_lost_write_answer() {
                        record.status = response.status().as_u16();
                        lock(&self.shared.log).record(record);
                        return Err(DroppedConnection);
                    }
                    response
                }
            },
        };
        if let Some(admission) = admission {
            admission.write_headers(response.headers_mut());
        }
        record.status = response.status().as_u16();
        tracing::debug!(method = %record.method, path = %record.path, status = record.status, "emulator answered");
        // Recorded before the answer leaves, so a client that got it sees exact counters.
        lock(&self.shared.log).record(record);
        Ok(response)
    }
}

/// Counts a request as in flight while it is alive, keeping the maximum.
struct InFlight<'a>(&'a Shared);

impl<'a> InFlight<'a> {
    fn enter(shared: &'a Shared) -> Self {
        let now = shared.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        shared.max_in_flight.fetch_max(now, Ordering::SeqCst);
        InFlight(shared)
    }
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::SeqCst);
    }
}

async fn call(router: &Router, request: Request<Body>) -> Response<Body> {
    let result: Result<Response<Body>, Infallible> = router.clone().oneshot(request).await;
    match result {
        Ok(response) => response,
        Err(never) => match never {},
    }
}

fn rate_limited(retry_after_secs: u64) -> ApiFailure {
    let mut failure = ApiFailure::new(
        StatusCode::TOO_MANY_REQUESTS,
        971,
        "Please wait and consider throttling your request speed",
    );
    failure.retry_after_secs = Some(retry_after_secs);
    failure
}

fn server_error(status: u16) -> ApiFailure {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    ApiFailure::new(status, 1140, "Internal error")
}

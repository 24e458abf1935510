//! go-plugin's side services: GRPCController (Shutdown), GRPCStdio (an idle stream),
//! GRPCBroker (accepted, unused by Terraform providers) and grpc.health.v1 ("plugin" SERVING).

use std::pin::Pin;

use futures::{Stream, StreamExt};
use tokio_util::sync::CancellationToken;
use tonic::service::Routes;
use tonic::{Request, Response, Status, Streaming};
use tonic_health::ServingStatus;

use crate::proto::plugin::grpc_broker_server::{GrpcBroker, GrpcBrokerServer};
use crate::proto::plugin::grpc_controller_server::{GrpcController, GrpcControllerServer};
use crate::proto::plugin::grpc_stdio_server::{GrpcStdio, GrpcStdioServer};
use crate::proto::plugin::{ConnInfo, Empty, StdioData};

/// The health service name go-plugin clients ask about.
pub const HEALTH_SERVICE_NAME: &str = "plugin";

type StatusStream<T> = Pin<Box<dyn Stream<Item = Result<T, Status>> + Send + 'static>>;

/// `routes` plus every side service; `shutdown` is cancelled by GRPCController.Shutdown and
/// ends the open streams.
pub async fn with_side_services(routes: Routes, shutdown: CancellationToken) -> Routes {
    let (health_reporter, health) = tonic_health::server::health_reporter();
    health_reporter
        .set_service_status(HEALTH_SERVICE_NAME, ServingStatus::Serving)
        .await;
    routes
        .add_service(health)
        .add_service(GrpcControllerServer::new(Controller {
            shutdown: shutdown.clone(),
        }))
        .add_service(GrpcStdioServer::new(Stdio {
            shutdown: shutdown.clone(),
        }))
        .add_service(GrpcBrokerServer::new(Broker { shutdown }))
}

/// A stream that yields nothing and ends when `shutdown` fires; `keep` (e.g. the client's own
/// request stream) lives as long, so the client's side is not reset early.
fn idle_until<T: Send + 'static>(
    shutdown: CancellationToken,
    keep: impl Send + 'static,
) -> StatusStream<T> {
    let ended = async move {
        shutdown.cancelled().await;
        drop(keep);
    };
    Box::pin(futures::stream::once(ended).filter_map(|()| async { None }))
}

struct Controller {
    shutdown: CancellationToken,
}

#[tonic::async_trait]
impl GrpcController for Controller {
    async fn shutdown(&self, _request: Request<Empty>) -> Result<Response<Empty>, Status> {
        tracing::debug!("GRPCController.Shutdown received, shutting down");
        self.shutdown.cancel();
        Ok(Response::new(Empty {}))
    }
}

/// We never write to the real stdout/stderr streams after the handshake, so there is nothing to
/// forward; keeping the stream open spares Terraform's "stdio not available" log noise.
struct Stdio {
    shutdown: CancellationToken,
}

#[tonic::async_trait]
impl GrpcStdio for Stdio {
    type StreamStdioStream = StatusStream<StdioData>;

    async fn stream_stdio(
        &self,
        _request: Request<()>,
    ) -> Result<Response<Self::StreamStdioStream>, Status> {
        Ok(Response::new(idle_until(self.shutdown.clone(), ())))
    }
}

/// Terraform providers never broker extra connections; the client's stream is accepted and
/// left idle.
struct Broker {
    shutdown: CancellationToken,
}

#[tonic::async_trait]
impl GrpcBroker for Broker {
    type StartStreamStream = StatusStream<ConnInfo>;

    async fn start_stream(
        &self,
        request: Request<Streaming<ConnInfo>>,
    ) -> Result<Response<Self::StartStreamStream>, Status> {
        let client_stream = request.into_inner();
        Ok(Response::new(idle_until(
            self.shutdown.clone(),
            client_stream,
        )))
    }
}

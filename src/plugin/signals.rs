//! Signals. Under Terraform, Ctrl-C reaches the whole process group; go-plugin servers ignore
//! SIGINT because Terraform answers it with the Stop RPC and waits for in-flight work. SIGTERM
//! always shuts down. In `--debug` mode a person runs us, so SIGINT shuts down too.

use std::io;

use tokio::signal::unix::{signal, SignalKind};
use tokio_util::sync::CancellationToken;

/// What SIGINT means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InterruptAction {
    Ignore,
    Shutdown,
}

/// Takes over SIGINT and SIGTERM now (before the handshake line is printed, so an early Ctrl-C
/// cannot kill us) and cancels `shutdown` when they ask for it.
pub fn watch(interrupt: InterruptAction, shutdown: CancellationToken) -> io::Result<()> {
    let mut interrupts = signal(SignalKind::interrupt())?;
    let mut terminations = signal(SignalKind::terminate())?;
    tokio::spawn(async move {
        loop {
            tokio::select! {
                () = shutdown.cancelled() => return,
                Some(()) = interrupts.recv() => match interrupt {
                    InterruptAction::Ignore => {
                        tracing::debug!("ignoring SIGINT: Terraform stops in-flight work with the Stop RPC");
                    }
                    InterruptAction::Shutdown => {
                        tracing::info!("SIGINT received, shutting down");
                        shutdown.cancel();
                    }
                },
                Some(()) = terminations.recv() => {
                    tracing::info!("SIGTERM received, shutting down");
                    shutdown.cancel();
                }
            }
        }
    });
    Ok(())
}

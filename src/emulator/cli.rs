//! The `cloudflare-emulator` command: flags -> config, start, print the base URL, serve until
//! interrupted.

use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use super::{Emulator, EmulatorConfig, RatelimitPolicy};

pub const USAGE: &str = "\
usage: cloudflare-emulator [--listen 127.0.0.1:0] [--token TOKEN] [--api-key KEY --email EMAIL]
                           [--no-auth] [--state-file PATH] [--no-v1] [--no-v2]
                           [--v1-retired 404|400|405|410] [--ratelimit QUOTA/WINDOW_SECS]
Serves a local Cloudflare API for origin cloud-region mappings on a loopback address and prints
its base URL (http://127.0.0.1:PORT/client/v4) as the first line of stdout.
--v1-retired answers every v1 request as a retired route in that style (404/7003, 400 with
7003+7000, 405/7000, 410); --ratelimit sends Ratelimit headers and enforces that quota.
Default credentials: Authorization: Bearer test-token. Test controls: /__emulator/...";

/// Parsed command line.
#[derive(Debug)]
pub struct Options {
    pub listen: SocketAddr,
    pub config: EmulatorConfig,
}

/// Parses the flags (without the program name).
pub fn parse(args: &[String]) -> Result<Options, String> {
    let mut listen = SocketAddr::from(([127, 0, 0, 1], 0));
    let mut config = EmulatorConfig::default();
    let mut iter = args.iter();
    while let Some(flag) = iter.next() {
        let mut value = || {
            iter.next()
                .cloned()
                .ok_or_else(|| format!("{flag} needs a value"))
        };
        match flag.as_str() {
            "--listen" => {
                let text = value()?;
                listen = text
                    .parse()
                    .map_err(|_| format!("--listen: {text:?} is not an address:port"))?;
                if !listen.ip().is_loopback() {
                    return Err(format!(
                        "--listen: refusing non-loopback address {}",
                        listen.ip()
                    ));
                }
            }
            "--token" => config.api_token = Some(value()?),
            "--api-key" => config.api_key = Some(value()?),
            "--email" => config.api_email = Some(value()?),
            "--no-auth" => {
                config.api_token = None;
                config.api_key = None;
                config.api_email = None;
            }
            "--state-file" => config.persist_path = Some(PathBuf::from(value()?)),
            "--no-v1" => config.v1_enabled = false,
            "--no-v2" => config.v2_enabled = false,
            "--v1-retired" => config.v1_retired = Some(value()?.parse().map_err(|e| format!("--v1-retired: {e}"))?),
            "--ratelimit" => config.ratelimit = Some(RatelimitPolicy::parse(&value()?).map_err(|e| format!("--ratelimit: {e}"))?),
            "--help" | "-h" => return Err(String::new()),
            other => return Err(format!("unknown flag {other:?}")),
        }
    }
    if config.api_key.is_some() != config.api_email.is_some() {
        return Err("--api-key and --email go together".to_string());
    }
    Ok(Options { listen, config })
}

/// Entry point of the binary.
pub async fn main(args: Vec<String>) -> ExitCode {
    let options = match parse(&args) {
        Ok(options) => options,
        Err(message) => {
            if !message.is_empty() {
                eprintln!("cloudflare-emulator: {message}");
            }
            eprintln!("{USAGE}");
            return if message.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(2)
            };
        }
    };
    let emulator = match Emulator::start(options.config, options.listen).await {
        Ok(emulator) => emulator,
        Err(err) => {
            eprintln!("cloudflare-emulator: cannot start: {err}");
            return ExitCode::FAILURE;
        }
    };
    let mut stdout = std::io::stdout();
    if writeln!(stdout, "{}", emulator.base_url())
        .and_then(|()| stdout.flush())
        .is_err()
    {
        return ExitCode::FAILURE;
    }
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = terminate() => {}
    }
    emulator.shutdown().await;
    ExitCode::SUCCESS
}

#[cfg(unix)]
async fn terminate() {
    match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
        Ok(mut signal) => {
            signal.recv().await;
        }
        Err(_) => std::future::pending().await,
    }
}

#[cfg(not(unix))]
async fn terminate() {
    std::future::pending().await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn flags() {
        let options = parse(&args(&[
            "--listen",
            "127.0.0.1:8787",
            "--token",
            "t",
            "--state-file",
            "s.json",
            "--no-v1",
        ]))
        .unwrap();
        assert_eq!(options.listen.port(), 8787);
        assert_eq!(options.config.api_token.as_deref(), Some("t"));
        assert!(!options.config.v1_enabled && options.config.v2_enabled);
        assert!(parse(&args(&["--listen", "0.0.0.0:1"])).is_err());
        assert!(parse(&args(&["--api-key", "k"])).is_err());
        assert!(parse(&args(&["--bogus"])).is_err());
        let retired = parse(&args(&["--v1-retired", "400", "--ratelimit", "1200/300"])).unwrap();
        assert_eq!(retired.config.v1_retired.map(|style| style.as_str()), Some("400"));
        assert_eq!(retired.config.ratelimit.map(|policy| policy.quota), Some(1200));
        assert!(parse(&args(&["--v1-retired", "500"])).is_err());
        assert!(parse(&args(&["--ratelimit", "0/1"])).is_err());
        assert_eq!(
            parse(&[]).unwrap().config.api_token.as_deref(),
            Some("test-token")
        );
    }
}

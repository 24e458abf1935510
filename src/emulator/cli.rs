//! The `cloudflare-emulator` command: flags -> config, start, print the base URL, serve until
//! interrupted.

use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use super::{Emulator, EmulatorConfig, RatelimitPolicy, TokenStatus};

pub const USAGE: &str = "\
usage: cloudflare-emulator [--listen 127.0.0.1:0] [--token TOKEN] [--api-key KEY --email EMAIL]
                           [--account-token ACCOUNT_ID] [--token-status STATUS] [--no-auth] [--state-file PATH] [--no-v1] [--no-v2]
                           [--v1-retired 404|400|405|410] [--ratelimit QUOTA/WINDOW_SECS]
       cloudflare-emulator --help | --version

Serves a local Cloudflare API for origin cloud-region mappings on a loopback address and prints
its base URL (http://127.0.0.1:PORT/client/v4) as the first line of stdout; stops on Ctrl-C.

  --listen ADDR:PORT   loopback address to listen on (default 127.0.0.1:0, a free port)
  --token TOKEN        accept Authorization: Bearer TOKEN (default: test-token)
  --api-key KEY --email EMAIL
                       accept X-Auth-Key/X-Auth-Email instead of (or besides) a token
  --account-token ID   the token is an Account API token of account ID: GET /user/tokens/verify
                       refuses it, GET /accounts/ID/tokens/verify and zone calls accept it
  --token-status S     what the token verify endpoints report: active (default), disabled or
                       expired; a disabled or expired token is refused by zone calls too
  --no-auth            accept every request without credentials
  --state-file PATH    load mappings from PATH (JSON) if it exists, rewrite it after every change
  --no-v1, --no-v2     answer 404 on the deprecated v1 or the current v2 endpoint family
  --v1-retired STYLE   answer every v1 request as a retired route: 404 (7003), 400 (7003+7000),
                       405 (7000) or 410
  --ratelimit Q/W      send Ratelimit headers and enforce a quota of Q requests per W seconds

Point a client at it with CLOUDFLARE_BASE_URL=<the printed URL> and CLOUDFLARE_API_TOKEN=<token>.
Controls for seeding and inspecting (same host): GET /__emulator/zones/ZONE/mappings,
PUT /__emulator/zones/ZONE/mappings/IP with {\"vendor\":…,\"region\":…}, /__emulator/requests,
/__emulator/faults/…; see the README's \"The emulator by hand\" section.";

/// What the command line asks for.
#[derive(Debug)]
pub enum Invocation {
    Serve(Options),
    Help,
    Version,
}

/// Parsed command line.
#[derive(Debug)]
pub struct Options {
    pub listen: SocketAddr,
    pub config: EmulatorConfig,
}

/// Parses the flags (without the program name).
pub fn parse(args: &[String]) -> Result<Invocation, String> {
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
            "--account-token" => config.token_account = Some(value()?),
            "--token-status" => {
                let text = value()?;
                config.token_status = TokenStatus::parse(&text)
                    .ok_or_else(|| format!("--token-status must be active, disabled or expired, not {text:?}"))?;
            }
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
            "--help" | "-h" => return Ok(Invocation::Help),
            "--version" | "-V" => return Ok(Invocation::Version),
            other => return Err(format!("unknown flag {other:?}")),
        }
    }
    if config.api_key.is_some() != config.api_email.is_some() {
        return Err("--api-key and --email go together".to_string());
    }
    Ok(Invocation::Serve(Options { listen, config }))
}

/// Entry point of the binary.
pub async fn main(args: Vec<String>) -> ExitCode {
    let options = match parse(&args) {
        Ok(Invocation::Serve(options)) => options,
        // Asked-for output goes to stdout with success; usage after a mistake to stderr.
        Ok(Invocation::Help) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Ok(Invocation::Version) => {
            println!("cloudflare-emulator {}", env!("CARGO_PKG_VERSION"));
            return ExitCode::SUCCESS;
        }
        Err(message) => {
            eprintln!("cloudflare-emulator: {message}\n{USAGE}");
            return ExitCode::from(2);
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

    fn serve(list: &[&str]) -> Options {
        match parse(&args(list)) {
            Ok(Invocation::Serve(options)) => options,
            other => panic!("expected options to serve with, got {other:?}"),
        }
    }

    #[test]
    fn flags() {
        let options = serve(&[
            "--listen",
            "127.0.0.1:8787",
            "--token",
            "t",
            "--state-file",
            "s.json",
            "--no-v1",
        ]);
        assert_eq!(options.listen.port(), 8787);
        assert_eq!(options.config.api_token.as_deref(), Some("t"));
        assert!(!options.config.v1_enabled && options.config.v2_enabled);
        assert!(parse(&args(&["--listen", "0.0.0.0:1"])).is_err());
        assert!(parse(&args(&["--api-key", "k"])).is_err());
        assert!(parse(&args(&["--bogus"])).is_err());
        assert_eq!(serve(&[]).config.api_token.as_deref(), Some("test-token"));
        let retired = serve(&["--v1-retired", "400", "--ratelimit", "1200/300"]);
        assert_eq!(retired.config.v1_retired.map(|style| style.as_str()), Some("400"));
        assert_eq!(retired.config.ratelimit.map(|policy| policy.quota), Some(1200));
        assert!(parse(&args(&["--v1-retired", "500"])).is_err());
        let account = serve(&["--account-token", "0123456789abcdef0123456789abcdef", "--token-status", "expired"]);
        assert_eq!(account.config.token_account.as_deref(), Some("0123456789abcdef0123456789abcdef"));
        assert_eq!(account.config.token_status, TokenStatus::Expired);
        assert!(parse(&args(&["--token-status", "revoked"])).is_err());
        assert!(parse(&args(&["--ratelimit", "0/1"])).is_err());
    }

    #[test]
    fn help_and_version_win_over_other_flags() {
        assert!(matches!(parse(&args(&["--token", "t", "--help"])), Ok(Invocation::Help)));
        assert!(matches!(parse(&args(&["-h"])), Ok(Invocation::Help)));
        assert!(matches!(parse(&args(&["--version"])), Ok(Invocation::Version)));
    }
}

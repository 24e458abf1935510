//! Helpers for the fault end-to-end tests: Terraform running in the background in its own
//! process group (so it can be interrupted or killed like a terminal would), finding its
//! provider process, polling, and a timeline of when the emulator answered each request.

use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use terraform_provider_cloudflare::emulator::EmulatorControl;

use super::emulator::LocalApi;
use super::workspace::{Run, Workspace};

/// The provider's executable name prefix (Terraform installs `..._v<version>`).
const PROVIDER_EXECUTABLE: &str = "terraform-provider-cloudflare";

/// A `terraform` command running in the background as the leader of its own process group.
pub struct Background {
    child: Option<Child>,
    pub started: Instant,
}

impl Background {
    /// Starts `terraform <args>` in `workspace`, talking to `api`. The environment matches
    /// `Workspace::run` with `api.connect`; provider tuning belongs in the provider block.
    pub fn spawn(workspace: &Workspace, api: &LocalApi, args: &[&str]) -> Background {
        let mut command = Command::new(&workspace.terraform.path);
        command
            .args(args)
            .current_dir(workspace.path())
            .env("CHECKPOINT_DISABLE", "1")
            .env("TF_IN_AUTOMATION", "1")
            .env("TF_INPUT", "0")
            .env("TF_CLI_CONFIG_FILE", workspace.path().join("cli.tfrc"))
            .env("CLOUDFLARE_BASE_URL", &api.base_url)
            .env("CLOUDFLARE_API_TOKEN", api.token())
            .env_remove("TF_LOG")
            .env_remove("TF_LOG_PROVIDER")
            .env_remove("TF_LOG_PATH")
            .env_remove("TF_REATTACH_PROVIDERS")
            .env_remove("CLOUDFLARE_API_KEY")
            .env_remove("CLOUDFLARE_EMAIL")
            .env_remove("CLOUDFLARE_MAX_RETRIES")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .process_group(0);
        let child = command.spawn().expect("start terraform in the background");
        Background { child: Some(child), started: Instant::now() }
    }

    pub fn pid(&self) -> i32 {
        self.child.as_ref().map(|child| child.id() as i32).unwrap_or_default()
    }

    /// Provider processes whose parent is this terraform.
    pub fn provider_pids(&self) -> Vec<i32> {
        children_named(self.pid(), PROVIDER_EXECUTABLE)
    }

    /// Ctrl-C as a terminal delivers it: SIGINT to every process of the group.
    pub fn interrupt(&self) {
        signal_group(self.pid(), libc::SIGINT);
    }

    /// SIGKILL to every process of the group (terraform and its provider): a crash.
    pub fn kill_group(&self) {
        signal_group(self.pid(), libc::SIGKILL);
    }

    /// Waits for terraform to exit (at most `limit`, else kills the group and panics) and
    /// returns what it printed and how long after `since` it exited.
    pub fn finish(mut self, since: Instant, limit: Duration) -> (Run, Duration) {
        let child = self.child.take().expect("terraform is running");
        let pid = child.id() as i32;
        let (sender, receiver) = mpsc::channel();
        thread::spawn(move || {
            let _ = sender.send(child.wait_with_output());
        });
        match receiver.recv_timeout(limit) {
            Ok(output) => {
                let output = output.expect("wait for terraform");
                let run = Run {
                    code: output.status.code().unwrap_or(-1),
                    stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
                    stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
                };
                (run, since.elapsed())
            }
            Err(_) => {
                signal_group(pid, libc::SIGKILL);
                panic!("terraform did not exit within {limit:?}");
            }
        }
    }
}

impl Drop for Background {
    /// A failing test must not leave terraform or the provider running.
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            signal_group(child.id() as i32, libc::SIGKILL);
            let _ = child.wait();
        }
    }
}

fn signal_group(leader: i32, signal: i32) {
    if leader > 0 {
        // SAFETY: kill(2) with a negative pid signals our own child's process group only.
        unsafe {
            libc::kill(-leader, signal);
        }
    }
}

/// SIGKILL to one process.
pub fn kill(pid: i32) {
    if pid > 0 {
        // SAFETY: plain kill(2) of a process this test started (through terraform).
        unsafe {
            libc::kill(pid, libc::SIGKILL);
        }
    }
}

/// Processes whose parent is `parent` and whose executable's file name starts with `prefix`.
pub fn children_named(parent: i32, prefix: &str) -> Vec<i32> {
    let Ok(entries) = std::fs::read_dir("/proc") else { return Vec::new() };
    entries
        .filter_map(|entry| entry.ok()?.file_name().to_str()?.parse::<i32>().ok())
        .filter(|pid| parent_of(*pid) == Some(parent))
        .filter(|pid| executable_name(*pid).is_some_and(|name| name.starts_with(prefix)))
        .collect()
}

fn parent_of(pid: i32) -> Option<i32> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // "pid (comm) state ppid ...": comm may hold spaces, so split after its closing paren.
    let after_comm = &stat[stat.rfind(')')? + 1..];
    after_comm.split_whitespace().nth(1)?.parse().ok()
}

fn executable_name(pid: i32) -> Option<String> {
    let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).ok()?;
    let first = cmdline.split(|byte| *byte == 0).next()?;
    let path = String::from_utf8_lossy(first).into_owned();
    Path::new(&path).file_name().map(|name| name.to_string_lossy().into_owned())
}

/// Polls `condition` every 10 ms until it holds; panics with `what` after `limit`.
pub fn wait_until(what: &str, limit: Duration, mut condition: impl FnMut() -> bool) {
    let deadline = Instant::now() + limit;
    while !condition() {
        assert!(Instant::now() < deadline, "timed out after {limit:?} waiting until {what}");
        thread::sleep(Duration::from_millis(10));
    }
}

/// When each request in the emulator's log was first seen (polled every 5 ms), so tests can
/// check the spacing of retries made by another process.
pub struct RequestClock {
    seen: Arc<Mutex<Vec<Instant>>>,
    stop: Arc<AtomicBool>,
}

impl RequestClock {
    pub fn start(control: &EmulatorControl) -> RequestClock {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let (control, seen_by_thread, stop_thread) = (control.clone(), seen.clone(), stop.clone());
        thread::spawn(move || {
            while !stop_thread.load(Ordering::Relaxed) {
                let count = control.requests().len();
                let now = Instant::now();
                let mut seen = seen_by_thread.lock().expect("clock lock");
                while seen.len() < count {
                    seen.push(now);
                }
                drop(seen);
                thread::sleep(Duration::from_millis(5));
            }
        });
        RequestClock { seen, stop }
    }

    /// First-seen times, one per logged request, oldest first.
    pub fn times(&self) -> Vec<Instant> {
        self.seen.lock().expect("clock lock").clone()
    }
}

impl Drop for RequestClock {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

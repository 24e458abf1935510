//! Helpers for the fault end-to-end tests: Terraform running in the background in its own
//! process group (so it can be interrupted or killed like a terminal would), finding its
//! provider process, polling, and a timeline of when the emulator answered each request.

use std::io::Read;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use terraform_provider_cloudflare::emulator::EmulatorControl;

use super::emulator::LocalApi;
use super::workspace::{Run, Workspace};

/// The provider's executable name prefix (Terraform installs `..._v<version>`).
const PROVIDER_EXECUTABLE: &str = super::workspace::PROVIDER_BINARY_NAME;

/// A `terraform` command running in the background as the leader of its own process group.
pub struct Background {
    child: Option<Child>,
    /// Readers draining stdout and stderr as they come: a full pipe would block terraform.
    readers: Vec<thread::JoinHandle<Vec<u8>>>,
    pub started: Instant,
}

impl Background {
    /// Starts `terraform <args>` in `workspace`, talking to `api`. The environment matches
    /// `Workspace::run` with `api.connect`; provider tuning belongs in the provider block.
    pub fn spawn(workspace: &Workspace, api: &LocalApi, args: &[&str]) -> Background {
        let mut command = workspace.command(args);
        command
            .env("CLOUDFLARE_BASE_URL", &api.base_url)
            .env("CLOUDFLARE_API_TOKEN", api.token())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .process_group(0);
        let mut child = command.spawn().expect("start terraform in the background");
        let stdout = child.stdout.take().map(drain);
        let stderr = child.stderr.take().map(drain);
        Background { child: Some(child), readers: stdout.into_iter().chain(stderr).collect(), started: Instant::now() }
    }

    pub fn pid(&self) -> i32 {
        self.child.as_ref().map(|child| child.id() as i32).unwrap_or_default()
    }

    /// Provider processes started by this terraform (Terraform 1.0 runs itself twice under
    /// panicwrap, so the provider may be a grandchild).
    pub fn provider_pids(&self) -> Vec<i32> {
        descendants_named(self.pid(), PROVIDER_EXECUTABLE)
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
        let mut child = self.child.take().expect("terraform is running");
        let deadline = Instant::now() + limit;
        let status = loop {
            if let Some(status) = child.try_wait().expect("wait for terraform") {
                break status;
            }
            if Instant::now() >= deadline {
                signal_group(child.id() as i32, libc::SIGKILL);
                let _ = child.wait();
                panic!("terraform did not exit within {limit:?}");
            }
            thread::sleep(Duration::from_millis(5));
        };
        let took = since.elapsed();
        let mut outputs = self.readers.drain(..).map(|reader| reader.join().unwrap_or_default());
        let mut text = || String::from_utf8_lossy(&outputs.next().unwrap_or_default()).into_owned();
        let run = Run { code: status.code().unwrap_or(-1), stdout: text(), stderr: text() };
        (run, took)
    }
}

fn drain(mut pipe: impl Read + Send + 'static) -> thread::JoinHandle<Vec<u8>> {
    thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = pipe.read_to_end(&mut bytes);
        bytes
    })
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

/// Descendants of `ancestor` whose executable's file name starts with `prefix`.
pub fn descendants_named(ancestor: i32, prefix: &str) -> Vec<i32> {
    let Ok(entries) = std::fs::read_dir("/proc") else { return Vec::new() };
    let parents: Vec<(i32, i32)> = entries
        .filter_map(|entry| entry.ok()?.file_name().to_str()?.parse::<i32>().ok())
        .filter_map(|pid| Some((pid, parent_of(pid)?)))
        .collect();
    let mut family = vec![ancestor];
    let mut index = 0;
    while index < family.len() {
        let parent = family[index];
        family.extend(parents.iter().filter(|(_, p)| *p == parent).map(|(pid, _)| *pid));
        index += 1;
    }
    family
        .into_iter()
        .skip(1)
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

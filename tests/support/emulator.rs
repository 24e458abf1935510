//! The local Cloudflare API emulator, run inside the test process on 127.0.0.1.

use terraform_provider_cloudflare::emulator::{
    Emulator, EmulatorConfig, EmulatorControl, RecordedRequest, DEFAULT_TEST_TOKEN,
};

use super::workspace::Workspace;

/// A running emulator with its own small runtime, so tests can stay synchronous.
pub struct LocalApi {
    runtime: tokio::runtime::Runtime,
    emulator: Option<Emulator>,
    pub base_url: String,
    pub control: EmulatorControl,
}

impl LocalApi {
    pub fn start() -> LocalApi {
        LocalApi::start_with(EmulatorConfig::default())
    }

    pub fn start_with(config: EmulatorConfig) -> LocalApi {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("build the emulator runtime");
        let address = "127.0.0.1:0".parse().expect("loopback address");
        let emulator = runtime
            .block_on(Emulator::start(config, address))
            .expect("start the emulator");
        LocalApi {
            base_url: emulator.base_url(),
            control: emulator.control(),
            emulator: Some(emulator),
            runtime,
        }
    }

    pub fn token(&self) -> &'static str {
        DEFAULT_TEST_TOKEN
    }

    /// Points a workspace's provider at this emulator through the environment.
    pub fn connect(&self, workspace: &mut Workspace) {
        workspace.set_env("CLOUDFLARE_BASE_URL", &self.base_url);
        workspace.set_env("CLOUDFLARE_API_TOKEN", self.token());
    }

    /// Requests whose method matches and whose path ends with `path_suffix`.
    pub fn count(&self, method: &str, path_suffix: &str) -> u64 {
        self.control.request_count(method, path_suffix)
    }

    /// Requests about zones, leaving out the provider's start-up credential check.
    pub fn zone_requests(&self) -> Vec<RecordedRequest> {
        self.control.requests().into_iter().filter(|request| request.path.contains("/zones/")).collect()
    }

    /// Requests that could change the store (anything but GET).
    pub fn write_requests(&self) -> usize {
        self.control
            .requests()
            .iter()
            .filter(|r| r.method != "GET")
            .count()
    }
}

impl Drop for LocalApi {
    fn drop(&mut self) {
        if let Some(emulator) = self.emulator.take() {
            self.runtime.block_on(emulator.shutdown());
        }
    }
}

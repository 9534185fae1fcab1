//! Drip campaigns on the server: the service the REST API and the browser call (create,
//! activate, pause, enroll), and the runner that sends due steps exactly once.
//!
//! See `docs/campaigns.md` for the runner's guarantees.

pub mod runner;
pub mod service;

use crate::messaging::Messenger;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;

/// How the runner paces itself.
#[derive(Clone, Copy, Debug)]
pub struct DripOptions {
    /// Longest wait between passes when nothing wakes the runner.
    pub tick: Duration,
    /// Enrollments claimed per statement.
    pub batch: i64,
    /// Steps being sent at once (each still waits for the shared rate limiter).
    pub concurrency: usize,
    /// How long a claim lasts. A runner that dies holding claims gives them up after this;
    /// it must be longer than any single send takes.
    pub lease: Duration,
    /// Provider attempts within one claim before the step is handed back for later.
    pub send_attempts: u32,
    /// Backoff between claims of a step whose sends keep failing transiently.
    pub retry_base: Duration,
    pub retry_cap: Duration,
    /// Claims of one step that fail transiently before the enrollment is marked failed.
    pub max_rounds: i64,
}

impl Default for DripOptions {
    fn default() -> Self {
        DripOptions {
            tick: Duration::from_secs(2),
            batch: 50,
            concurrency: 8,
            lease: Duration::from_secs(300),
            send_attempts: 3,
            retry_base: Duration::from_secs(30),
            retry_cap: Duration::from_secs(3600),
            max_rounds: 8,
        }
    }
}

/// The drip service and runner, cheap to clone.
#[derive(Clone)]
pub struct Drip {
    pub messenger: Messenger,
    pub options: DripOptions,
    /// This runner's name in the leases it takes.
    owner: Arc<str>,
    wake: Arc<Notify>,
}

impl Drip {
    pub fn new(messenger: Messenger, options: DripOptions) -> Drip {
        let owner = format!("{}-{}-{:08x}", hostname(), std::process::id(), rand::random::<u32>());
        Drip { messenger, options, owner: owner.into(), wake: Arc::new(Notify::new()) }
    }

    /// The name this runner writes into its leases.
    pub fn owner(&self) -> &str {
        &self.owner
    }

    /// Wakes the runner now (new enrollments, a campaign activated or resumed).
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    /// Runs passes for ever: after each tick, or sooner when woken.
    pub async fn run(self) {
        loop {
            match self.run_once().await {
                Ok(p) if p.claimed > 0 => tracing::debug!(?p, "drip pass"),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "drip pass failed; retrying next tick"),
            }
            tokio::select! {
                _ = tokio::time::sleep(self.options.tick) => {}
                _ = self.wake.notified() => {}
            }
        }
    }
}

fn hostname() -> String {
    std::env::var("HOSTNAME").ok().filter(|h| !h.is_empty()).unwrap_or_else(|| "warmline".into())
}

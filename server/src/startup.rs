//! The whole server as one value (zero2prod's `Application`): [`Application::build`] connects,
//! migrates, binds the listener and assembles the router; [`Application::run_until`] serves,
//! runs every background task under one supervisor, and shuts down in order when its signal
//! comes. The binary and the tests start it the same way; tests use the [`Builder`] to swap the
//! SMS provider, the send rate, the send gate's clock, and whether background tasks run.

use axum::serve::ListenerExt;
use crate::app::{self, build_router, AppState};
use crate::tasks::{self, Supervisor};
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use warmline::config::Config;
use warmline::providers::SmsProvider;

/// How long, at shutdown, in-flight sends get to finish before the server exits anyway (their
/// claims then run out and another server, or this one after a restart, takes them over).
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(20);

/// How often the approval queue looks for due items (its plans are minutes apart).
const APPROVAL_TICK: Duration = Duration::from_secs(2);

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Store(#[from] warmline::store::StoreError),
    #[error("cannot listen on {addr}: {source}")]
    Listen { addr: SocketAddr, source: std::io::Error },
}

/// Options for [`Application`] beyond the configuration.
pub struct Builder {
    config: Config,
    overrides: app::Overrides,
    send_rate_mps: Option<f64>,
    background: bool,
}

impl Builder {
    /// Sends through this provider instead of the one the configuration names.
    pub fn provider(mut self, provider: Arc<dyn SmsProvider>) -> Self {
        self.overrides.provider = Some(provider);
        self
    }

    /// The send gate judges quiet hours and caps by this clock (a test pins the time of day).
    pub fn clock(mut self, clock: warmline::messaging::Clock) -> Self {
        self.overrides.clock = Some(clock);
        self
    }

    /// Messages per second per sender, instead of `SEND_RATE_MPS`.
    pub fn send_rate(mut self, mps: f64) -> Self {
        self.send_rate_mps = Some(mps);
        self
    }

    /// Whether the background tasks (drip runner, farming schedule, recovery sweep, settings
    /// follower, session sweeper) run. On by default; tests that drive those passes themselves
    /// turn them off so nothing races the test.
    pub fn background_tasks(mut self, on: bool) -> Self {
        self.background = on;
        self
    }

    /// Connects, migrates, builds the state and the router, and binds the listener (port 0
    /// picks a free one).
    pub async fn build(self) -> Result<Application, StartError> {
        let mut config = self.config;
        if let Some(mps) = self.send_rate_mps {
            config.send_rate_mps = mps;
        }
        let state = app::prepare_with(config, self.overrides).await?;
        let addr = state.config.addr;
        let listener = tokio::net::TcpListener::bind(addr).await.map_err(|source| StartError::Listen { addr, source })?;
        let addr = listener.local_addr().map_err(|source| StartError::Listen { addr, source })?;
        Ok(Application { addr, state, listener, background: self.background })
    }
}

/// A built server, bound and ready to serve.
pub struct Application {
    addr: SocketAddr,
    state: AppState,
    listener: tokio::net::TcpListener,
    background: bool,
}

impl Application {
    pub fn builder(config: Config) -> Builder {
        Builder { config, overrides: app::Overrides::default(), send_rate_mps: None, background: true }
    }

    /// The server as the configuration describes it, with its background tasks.
    pub async fn build(config: Config) -> Result<Application, StartError> {
        Application::builder(config).build().await
    }

    /// The address it listens on (the real port when the configuration asked for port 0).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves until SIGTERM or Ctrl-C, then shuts down in order.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.run_until(shutdown_signal()).await
    }

    /// Serves until `stop` completes. Then: the background tasks stop (nothing new is
    /// claimed), the claims of messages still waiting in the send queue are given back so any
    /// server sends them at once, in-flight sends get [`SHUTDOWN_GRACE`] to finish, open
    /// requests complete, and the database pool closes.
    pub async fn run_until(self, stop: impl Future<Output = ()> + Send + 'static) -> std::io::Result<()> {
        let Application { addr, state, listener, background } = self;
        let tasks = if background { start_tasks(&state) } else { Supervisor::new() };
        tracing::info!(%addr, tasks = ?tasks.names(), "listening on http://{addr}");
        let messenger = state.messenger.clone();
        // Live streams on the lean path end when the server stops (see `live`).
        let (end_streams, streams_end) = tokio::sync::watch::channel(false);
        let stopping = async move {
            stop.await;
            tracing::info!("stopping");
            let _ = end_streams.send(true);
            tasks.stop();
            match messenger.release_queued(SHUTDOWN_GRACE).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(released = n, "gave back the claims of queued messages"),
                Err(e) => tracing::warn!(error = %e, "could not give back queued messages; their claims run out on their own"),
            }
        };
        // Streams on the axum route end when the server stops too.
        let router = build_router(state.clone()).layer(axum::Extension(crate::web::events::ServerStopping(streams_end.clone())));
        // Connections that open with `GET /app/events` are live streams, served by the lean
        // path; the rest go to axum.
        let listener = crate::live::SniffingListener::new(listener, crate::live::LiveChannel::new(&state, streams_end));
        // TCP_NODELAY on every connection: a page is streamed in several writes, and with
        // Nagle's algorithm a later small write waits for the client's delayed ACK of the
        // first (about 40 ms on Linux).
        let listener = listener.tap_io(|tcp| {
            if let Err(e) = tcp.set_nodelay(true) {
                tracing::debug!(error = %e, "could not set TCP_NODELAY");
            }
        });
        axum::serve(listener, router.into_make_service_with_connect_info::<SocketAddr>()).with_graceful_shutdown(stopping).await?;
        state.db.close().await;
        tracing::info!("stopped");
        Ok(())
    }
}

/// Every background task, each under the one supervisor (a task that panics is logged and
/// started again).
fn start_tasks(state: &AppState) -> Supervisor {
    let mut tasks = Supervisor::new();
    let s = state.clone();
    tasks.spawn("session sweeper", move || tasks::purge_sessions(s.db.clone()));
    let s = state.clone();
    tasks.spawn("count compactor", move || tasks::compact_counts(s.db.clone()));
    // Settings saved on another server (time zone) apply here too.
    let s = state.clone();
    tasks.spawn("settings follower", move || warmline::org::follow_settings(s.messenger.clone()));
    // All the time, not only at start: webhooks whose processing failed, scheduled messages
    // whose time came, and unfinished sends whose server stopped.
    let s = state.clone();
    tasks.spawn("recovery sweep", move || s.messenger.clone().run_recovery(s.config.recovery_every));
    // Drip campaigns: due steps go out as they come due.
    let s = state.clone();
    tasks.spawn("drip runner", move || s.drip.clone().run());
    // Farming batches a stopped server left are taken over once their claim ran out; the daily
    // schedule starts batches.
    let s = state.clone();
    tasks.spawn("farming schedule", move || s.farm.clone().run_schedule(s.config.recovery_every));
    // The approval queue hands approved suggestions to the pipeline as they come due.
    let s = state.clone();
    tasks.spawn("approval queue", move || s.approvals.clone().run(APPROVAL_TICK));
    // Lead unlock: Stripe events to retry, offers whose time is up, reveals to (re)send.
    let s = state.clone();
    tasks.spawn("lead unlock", move || s.unlock.clone().run(APPROVAL_TICK));
    // Lead scoring: recomputes after a rule change, and once a day for inactivity decay.
    let s = state.clone();
    tasks.spawn("score recompute", move || s.scoring.clone().run());
    tasks
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}

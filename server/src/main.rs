//! The `warmline` binary.

use clap::Parser;
use std::process::ExitCode;
use warmline::config::Config;
use warmline::user::Role;
use warmline_server::cli::{AdminAction, ApiKeyAction, Cli, Command};
use warmline_server::{app, build_router, telemetry};

#[tokio::main]
async fn main() -> ExitCode {
    let _ = dotenvy::dotenv();
    telemetry::init();
    let cli = Cli::parse();
    let config = match Config::from_env() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("warmline: {e}");
            return ExitCode::from(2);
        }
    };
    match run(cli.command.unwrap_or(Command::Serve), config).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("warmline: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run(command: Command, config: Config) -> Result<(), Box<dyn std::error::Error>> {
    match command {
        Command::Serve => serve(config).await,
        Command::Migrate => {
            let state = app::prepare(config).await?;
            println!("migrations applied ({})", state.db.backend().name());
            Ok(())
        }
        Command::Admin { action: AdminAction::Create { email, password } } => {
            let state = app::prepare(config).await?;
            let user = warmline::accounts::create_user(&state.db, &email, &password, Role::Admin).await?;
            println!("admin {} created (id {})", user.email, user.id);
            Ok(())
        }
        Command::Apikey { action: ApiKeyAction::Create { name } } => {
            let state = app::prepare(config).await?;
            let (key, secret) = warmline::store::api_keys::create(&state.db, &name, None).await?;
            eprintln!("API key '{}' created (id {}). It is shown once; store it now:", key.name, key.id);
            println!("{secret}");
            Ok(())
        }
    }
}

async fn serve(config: Config) -> Result<(), Box<dyn std::error::Error>> {
    let addr = config.addr;
    tracing::info!(?config, "starting warmline");
    let state = app::prepare(config).await?;
    let router = build_router(state.clone());
    // One supervisor owns every background task: one that panics is logged and restarted.
    let mut tasks = warmline_server::tasks::Supervisor::new();
    let s = state.clone();
    tasks.spawn("session sweeper", move || warmline_server::tasks::purge_sessions(s.db.clone()));
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
    let listener = tokio::net::TcpListener::bind(addr).await.map_err(|e| format!("cannot listen on {addr}: {e}"))?;
    tracing::info!("listening on http://{addr}");
    // On SIGTERM: stop claiming new work and give back the claims of messages still waiting in
    // the send queue (another server sends them at once instead of after their claims run
    // out), then let open requests finish.
    let messenger = state.messenger.clone();
    let stopping = async move {
        shutdown_signal().await;
        tracing::info!("stopping");
        tasks.stop();
        match messenger.release_queued(std::time::Duration::from_secs(20)).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(released = n, "gave back the claims of queued messages"),
            Err(e) => tracing::warn!(error = %e, "could not give back queued messages; their claims run out on their own"),
        }
    };
    axum::serve(listener, router.into_make_service_with_connect_info::<std::net::SocketAddr>())
        .with_graceful_shutdown(stopping)
        .await?;
    state.db.close().await;
    tracing::info!("stopped");
    Ok(())
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

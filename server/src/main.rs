//! The `warmline` binary.

use clap::Parser;
use std::process::ExitCode;
use warmline::config::Config;
use warmline::user::Role;
use warmline_server::cli::{AdminAction, AnalyticsAction, ApiKeyAction, Cli, Command};
use warmline_server::{app, telemetry, Application};

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
        Command::Analytics { action: AnalyticsAction::Rebuild } => {
            let state = app::prepare(config).await?;
            let started = std::time::Instant::now();
            let rows = state.analytics.rebuild().await?;
            println!("analytics rebuilt from the messages: {rows} counter rows in {:.1}s", started.elapsed().as_secs_f64());
            Ok(())
        }
    }
}

async fn serve(config: Config) -> Result<(), Box<dyn std::error::Error>> {
    tracing::info!(?config, "starting warmline");
    Application::build(config).await?.run_until_stopped().await?;
    Ok(())
}

//! The `warmline` command line: serve (default), migrate, create an admin, create an API key.

use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(name = "warmline", version, about = "Warmline: self-hosted SMS lead engagement")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the web server (the default).
    Serve,
    /// Apply database migrations and exit.
    Migrate,
    /// Manage team members.
    Admin {
        #[command(subcommand)]
        action: AdminAction,
    },
    /// Manage API keys.
    Apikey {
        #[command(subcommand)]
        action: ApiKeyAction,
    },
    /// Analytics maintenance.
    Analytics {
        #[command(subcommand)]
        action: AnalyticsAction,
    },
}

#[derive(Debug, Subcommand)]
pub enum AnalyticsAction {
    /// Recount the analytics counters from the stored messages (after a restore, say).
    Rebuild,
}

#[derive(Debug, Subcommand)]
pub enum AdminAction {
    /// Create an admin who can sign in with this email and password.
    Create {
        #[arg(long)]
        email: String,
        #[arg(long)]
        password: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum ApiKeyAction {
    /// Create an API key and print it once (only its hash is stored).
    Create {
        #[arg(long)]
        name: String,
    },
}

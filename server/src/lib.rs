//! The Warmline server: the web app, the REST API, and (in later work) webhooks and
//! background tasks, in one axum router.

pub mod api;
pub mod app;
pub mod cli;
pub mod middleware;
pub mod tasks;
pub mod telemetry;
pub mod web;
pub mod webhooks;

pub use app::{build_router, AppState};

//! The Warmline server: the web app, the REST API, webhooks, realtime events and the
//! background tasks, started as one [`Application`].

pub mod api;
pub mod app;
pub mod cli;
pub mod live;
pub mod middleware;
pub mod startup;
pub mod tasks;
pub mod telemetry;
pub mod web;
pub mod webhooks;

pub use app::{build_router, AppState};
pub use startup::Application;

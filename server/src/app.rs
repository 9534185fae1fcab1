//! Assembles the router: health check, REST API, browser upload endpoint, Leptos pages and
//! server functions, static files, and the middleware around them.

use crate::{api, middleware, web};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::Router;
use leptos::config::LeptosOptions;
use leptos::prelude::provide_context;
use leptos_axum::{generate_route_list, LeptosRoutes};
use tower_http::trace::TraceLayer;
use warmline::config::Config;
use warmline::store::Db;
use warmline_app::{shell, App};

pub use warmline_app::state::AppState;

/// Leptos settings from `LEPTOS_*` variables (site root, pkg dir), with Warmline's address.
pub fn leptos_options(config: &Config) -> LeptosOptions {
    let mut options = leptos::config::get_configuration(None)
        .map(|c| c.leptos_options)
        .unwrap_or_else(|e| panic!("invalid LEPTOS_* settings: {e}"));
    options.site_addr = config.addr;
    options
}

/// Connects, migrates and builds the state the router runs on.
pub async fn prepare(config: Config) -> Result<AppState, warmline::store::StoreError> {
    let db = Db::connect(&config.database_url).await?;
    db.migrate().await?;
    let options = leptos_options(&config);
    Ok(AppState::new(db, config, options))
}

pub fn build_router(state: AppState) -> Router {
    let routes = generate_route_list(App);
    let options = state.leptos_options.clone();
    let context_state = state.clone();
    Router::new()
        .route("/healthz", get(healthz))
        .nest("/api/v1", api::router(state.clone()))
        .route("/app/imports", post(web::imports::upload))
        .leptos_routes_with_context(
            &state,
            routes,
            move || provide_context(context_state.clone()),
            move || shell(options.clone()),
        )
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        .layer(axum::middleware::from_fn_with_state(state.clone(), middleware::session::layer))
        .layer(axum::middleware::from_fn_with_state(state.clone(), middleware::csrf::layer))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// 200 when the database answers.
async fn healthz(State(state): State<AppState>) -> impl IntoResponse {
    match state.db.ping().await {
        Ok(()) => (StatusCode::OK, "ok"),
        Err(e) => {
            tracing::error!(error = %e, "health check failed");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable")
        }
    }
}

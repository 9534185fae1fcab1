//! Assembles the router: health check, REST API, browser upload endpoint, Leptos pages and
//! server functions, static files, and the middleware around them.

use crate::{api, middleware, web, webhooks};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::Router;
use leptos::config::LeptosOptions;
use leptos::prelude::provide_context;
use leptos_axum::{generate_route_list, LeptosRoutes};
use tower_http::trace::TraceLayer;
use std::sync::Arc;
use warmline::config::{self, Config};
use warmline::gate::decision::GateRules;
use warmline::messaging::{EventBus, Messenger, RateLimiter};
use warmline::providers::simulator::Simulator;
use warmline::providers::twilio::{Sender, TwilioClient};
use warmline::providers::SmsProvider;
use warmline::store::{Backend, Db};
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
    prepare_with(config, Overrides::default()).await
}

/// What a test (or an embedding program) swaps in instead of what the configuration says.
#[derive(Default)]
pub struct Overrides {
    /// Send through this provider.
    pub provider: Option<Arc<dyn SmsProvider>>,
    /// The send gate judges quiet hours and caps by this clock.
    pub clock: Option<warmline::messaging::Clock>,
}

/// [`prepare`] with [`Overrides`].
pub async fn prepare_with(config: Config, overrides: Overrides) -> Result<AppState, warmline::store::StoreError> {
    let db = Db::connect(&config.database_url).await?;
    db.migrate().await?;
    let provider = overrides.provider.unwrap_or_else(|| configured_provider(&config));
    let mut messenger = messenger(&db, &config, provider).await?;
    if let Some(clock) = overrides.clock {
        messenger = messenger.with_clock(clock);
    }
    let options = leptos_options(&config);
    Ok(AppState::new(db, config, options, messenger))
}

/// The SMS provider the configuration names: the built-in simulator, or Twilio.
pub fn configured_provider(config: &Config) -> Arc<dyn SmsProvider> {
    match config.sms_provider {
        config::SmsProvider::Simulator => Arc::new(Simulator::default()),
        config::SmsProvider::Twilio => {
            let t = &config.twilio;
            let sender = match (&t.messaging_service_sid, &t.from) {
                (Some(ms), _) => Sender::MessagingService(ms.clone()),
                (None, Some(from)) => Sender::From(from.clone()),
                (None, None) => unreachable!("config requires TWILIO_FROM or TWILIO_MESSAGING_SERVICE_SID"),
            };
            Arc::new(TwilioClient::new(
                &t.api_base,
                t.account_sid.as_deref().unwrap_or_default(),
                t.auth_token.as_deref().unwrap_or_default(),
                sender,
                &format!("{}/webhooks/twilio/status", config.public_url),
                t.timeout,
            ))
        }
    }
}

/// The messenger over `provider`, with the rate limiter, gate rules and live-event bus the
/// configuration asks for.
pub async fn messenger(db: &Db, config: &Config, provider: Arc<dyn SmsProvider>) -> Result<Messenger, warmline::store::StoreError> {
    let events = match db.backend() {
        Backend::Postgres => EventBus::postgres(db.clone(), &config.database_url).await?,
        Backend::Sqlite => EventBus::local(),
    };
    // The zone saved at setup (or in Settings) wins over ORG_TIMEZONE.
    let saved_zone = warmline::messaging::replies::org_timezone(db).await?;
    let rules = GateRules {
        default_zone: saved_zone.unwrap_or(config.org_timezone),
        frequency_cap: config.marketing_cap,
        cap_all_states: config.marketing_cap_all,
        ..GateRules::default()
    };
    Ok(Messenger::new(db.clone(), provider, RateLimiter::for_db(db, config.send_rate_mps), rules, events).with_lease(config.send_lease).with_alarm_rules(config.alarms))
}

pub fn build_router(state: AppState) -> Router {
    let routes = generate_route_list(App);
    let options = state.leptos_options.clone();
    let context_state = state.clone();
    Router::new()
        .route("/healthz", get(healthz))
        .nest("/api/v1", api::router(state.clone()))
        .route("/app/imports", post(web::imports::upload))
        .route("/app/events", get(web::events::stream).layer(axum::Extension(web::events::SessionWatch::new(state.db.clone()))))
        .route("/app/exports/approvals-audit.csv", get(web::exports::approvals_audit))
        .route("/app/exports/approvals-report.csv", get(web::exports::approvals_report))
        .route("/app/exports/analytics.csv", get(web::exports::analytics))
        .route("/f/{slug}", get(web::forms::show))
        .route(
            "/f/{slug}/submit",
            post(web::forms::submit).options(web::forms::preflight).layer(axum::extract::DefaultBodyLimit::max(web::forms::MAX_BODY)),
        )
        .route(
            "/f/{slug}/confirm",
            post(web::forms::confirm).options(web::forms::preflight).layer(axum::extract::DefaultBodyLimit::max(web::forms::MAX_BODY)),
        )
        .route("/f/{slug}/thanks", get(web::forms::thanks))
        .route("/f/{slug}/privacy", get(web::forms::privacy))
        .route("/sim/checkout/done", get(web::sim_checkout::done))
        .route("/sim/checkout/{session}", get(web::sim_checkout::show))
        .route("/sim/checkout/{session}/pay", post(web::sim_checkout::pay))
        .nest("/webhooks", webhooks::router())
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

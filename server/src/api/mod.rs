//! The REST API under `/api/v1`, authenticated with `Authorization: Bearer <api key>`.

pub mod analytics;
pub mod campaigns;
pub mod contacts;
pub mod crm;
pub mod error;
pub mod farming;
pub mod forms;
pub mod leads;
pub mod messages;
pub mod openapi;
pub mod openapi_analytics;
pub mod openapi_forms;
pub mod openapi_leads;
pub mod openapi_suggestions;
pub mod segments;
pub mod suggestions;

use axum::extract::{Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::Response;
use axum::routing::{get, patch, post, put};
use axum::Router;
use error::ApiError;
use warmline::user::ApiKey;
use warmline_app::state::AppState;

pub fn router(state: AppState) -> Router<AppState> {
    let protected = Router::new()
        .route("/contacts", get(contacts::list).post(contacts::create))
        .route("/contacts/import", post(contacts::import))
        .route("/contacts/{id}", get(contacts::get_one).patch(crm::update_contact).delete(crm::delete_contact))
        .route("/contacts/{id}/notes", get(crm::notes).post(crm::add_note))
        .route("/contacts/{id}/timeline", get(analytics::timeline))
        .route("/analytics/summary", get(analytics::summary))
        .route("/analytics/timeseries", get(analytics::timeseries))
        .route("/alarms", get(analytics::alarms))
        .route("/alarms/{id}/acknowledge", post(analytics::acknowledge))
        .route("/contacts/{id}/stage", put(crm::set_stage))
        .route("/conversations/{id}/status", put(crm::set_status))
        .route("/pipeline", get(crm::board))
        .route("/pipeline/stages", post(crm::create_stage))
        .route("/pipeline/stages/{id}", patch(crm::rename_stage).delete(crm::delete_stage))
        .route("/messages", get(messages::list).post(messages::send))
        .route("/campaigns", get(campaigns::list).post(campaigns::create))
        .route("/campaigns/{id}", get(campaigns::get_one))
        .route("/campaigns/{id}/activate", post(campaigns::activate))
        .route("/campaigns/{id}/pause", post(campaigns::pause))
        .route("/campaigns/{id}/enrollments", post(campaigns::enroll))
        .route("/farming-campaigns", get(farming::list).post(farming::create))
        .route("/farming-campaigns/{id}/dry-run", post(farming::dry_run))
        .route("/farming-campaigns/{id}/batches", post(farming::start))
        .route("/farming-campaigns/{id}/batches/{batch_id}", get(farming::batch))
        .route("/stats/warm-leads", get(farming::stats))
        .route("/segments/count", post(segments::count))
        .route("/segments/fields", get(segments::fields))
        .route("/suggestions", get(suggestions::list).post(suggestions::add))
        .route("/suggestions/report", get(suggestions::type_report))
        .route("/suggestions/{id}", get(suggestions::get_one))
        .route("/suggestions/{id}/approve", post(suggestions::approve))
        .route("/suggestions/{id}/reject", post(suggestions::reject))
        .route("/suggestions/{id}/cancel", post(suggestions::cancel))
        .route("/suggestion-batches/{id}", get(suggestions::get_batch))
        .route("/suggestion-batches/{id}/approve", post(suggestions::approve_batch))
        .route("/suggestion-batches/{id}/report", get(suggestions::batch_report))
        .route("/forms", get(forms::list).post(forms::create))
        .route("/forms/{id}", get(forms::get_one))
        .route("/forms/{id}/submissions", get(forms::submissions))
        .route("/leads", get(leads::list).post(leads::create))
        .route("/leads/{id}", get(leads::get_one))
        .route("/leads/{id}/send", post(leads::send))
        .route("/providers", get(leads::list_providers).post(leads::create_provider))
        .route("/providers/{id}", get(leads::get_provider).patch(leads::update_provider).delete(leads::delete_provider))
        .layer(axum::middleware::from_fn_with_state(state, require_key));
    Router::new().route("/openapi.json", get(openapi::document)).merge(protected).fallback(not_found)
}

async fn not_found() -> ApiError {
    ApiError::NotFound("no such API endpoint".into())
}

/// Accepts a live API key; the key is available to handlers as an extension.
async fn require_key(State(state): State<AppState>, mut req: Request, next: Next) -> Result<Response, ApiError> {
    let presented = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
        .map(str::trim)
        .ok_or(ApiError::Unauthorized)?;
    let key: ApiKey = warmline::store::api_keys::authenticate(&state.db, presented).await?.ok_or(ApiError::Unauthorized)?;
    tracing::Span::current().record("api_key", key.id.0);
    req.extensions_mut().insert(key);
    Ok(next.run(req).await)
}

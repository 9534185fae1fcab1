//! `/api/v1/leads` and `/api/v1/providers`: lead unlock over REST. Answers never carry a lead's
//! client details, except `GET /leads/{id}?include_locked=true` with an admin key.

use super::error::ApiError;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::{Extension, Json};
use serde::Deserialize;
use serde_json::json;
use warmline::unlock::{LeadDetails, LeadId, LeadPublic, NewLead, OfferConfig, ProviderId, ProviderInput};
use warmline::user::ApiKey;
use warmline_app::state::AppState;

fn body<T>(b: Result<Json<T>, JsonRejection>) -> Result<T, ApiError> {
    b.map(|Json(v)| v).map_err(|e| ApiError::BadRequest(e.body_text()))
}

fn lead_id(raw: &str) -> Result<LeadId, ApiError> {
    LeadId::parse(raw).map_err(|_| ApiError::NotFound(format!("no lead '{}'", warmline::limits::ellipsize(raw, 40))))
}

fn provider_id(raw: &str) -> Result<ProviderId, ApiError> {
    raw.parse().map_err(|_| ApiError::NotFound(format!("no provider '{}'", warmline::limits::ellipsize(raw, 40))))
}

fn actor(key: &ApiKey) -> String {
    format!("api:{}", key.id)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateLead {
    pub city: String,
    pub service_type: String,
    #[serde(default)]
    pub preferred_time_window: String,
    #[serde(default)]
    pub budget_range: String,
    #[serde(default)]
    pub notes_snippet: String,
    pub client_name: String,
    pub client_phone: String,
    #[serde(default)]
    pub client_email: String,
    #[serde(default)]
    pub exact_address: String,
    #[serde(default)]
    pub client_notes: String,
    #[serde(default)]
    pub provider_ids: Vec<ProviderId>,
    #[serde(default)]
    pub config: OfferConfig,
    /// 1: exclusive; absent: any number of buyers.
    #[serde(default)]
    pub max_buyers: Option<i64>,
}

/// `POST /api/v1/leads`: 201 with the lead (no client details) and its offers, teasers sent.
#[tracing::instrument(skip_all)]
pub async fn create(State(state): State<AppState>, Extension(key): Extension<ApiKey>, b: Result<Json<CreateLead>, JsonRejection>) -> Result<impl IntoResponse, ApiError> {
    let b = body(b)?;
    let new = NewLead {
        public: LeadPublic { city: b.city, service_type: b.service_type, preferred_time_window: b.preferred_time_window, budget_range: b.budget_range, notes_snippet: b.notes_snippet },
        details: LeadDetails { client_name: b.client_name, client_phone: b.client_phone, client_email: b.client_email, exact_address: b.exact_address, notes: b.client_notes },
        config: b.config,
        max_buyers: b.max_buyers,
    };
    let view = state.unlock.create_lead(new, &b.provider_ids, &actor(&key)).await?;
    Ok((StatusCode::CREATED, Json(view)))
}

#[derive(Debug, Deserialize)]
pub struct GetParams {
    #[serde(default)]
    pub include_locked: Option<String>,
}

/// `GET /api/v1/leads/{id}[?include_locked=true]`: the lead, its offers with their states, and
/// the timeline; the client's details only for an admin key that asks.
pub async fn get_one(State(state): State<AppState>, Extension(key): Extension<ApiKey>, Path(id): Path<String>, Query(p): Query<GetParams>) -> Result<impl IntoResponse, ApiError> {
    let id = lead_id(&id)?;
    let view = state.unlock.view(&id).await?;
    let timeline = state.unlock.timeline(&id).await?;
    let mut out = json!({"lead": view.lead, "offers": view.offers, "revenue_cents": view.revenue_cents, "timeline": timeline});
    if matches!(p.include_locked.as_deref(), Some("true" | "1")) {
        if !warmline::store::api_keys::is_admin_key(&state.db, key.id).await.map_err(warmline::error::Error::from)? {
            return Err(ApiError::Forbidden("include_locked=true needs an admin's API key".into()));
        }
        out["locked"] = serde_json::to_value(ShownDetails::from(state.unlock.details(&id, &actor(&key)).await?)).unwrap_or_default();
    }
    Ok(Json(out))
}

/// The details as an admin sees them (`LeadDetails` itself never serializes into logs).
#[derive(serde::Serialize)]
struct ShownDetails {
    client_name: String,
    client_phone: String,
    client_email: String,
    exact_address: String,
    client_notes: String,
}

impl From<LeadDetails> for ShownDetails {
    fn from(d: LeadDetails) -> Self {
        ShownDetails { client_name: d.client_name, client_phone: d.client_phone, client_email: d.client_email, exact_address: d.exact_address, client_notes: d.notes }
    }
}

#[derive(Debug, Deserialize)]
pub struct ListParams {
    pub limit: Option<i64>,
}

/// `GET /api/v1/leads`: newest first, with counts of offers by state.
pub async fn list(State(state): State<AppState>, Query(p): Query<ListParams>) -> Result<impl IntoResponse, ApiError> {
    Ok(Json(state.unlock.leads(p.limit.unwrap_or(100)).await?))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SendBody {
    pub provider_ids: Vec<ProviderId>,
    #[serde(default)]
    pub config: Option<OfferConfig>,
}

/// `POST /api/v1/leads/{id}/send`: offers the lead to more providers.
pub async fn send(State(state): State<AppState>, Extension(key): Extension<ApiKey>, Path(id): Path<String>, b: Result<Json<SendBody>, JsonRejection>) -> Result<impl IntoResponse, ApiError> {
    let id = lead_id(&id)?;
    let b = body(b)?;
    if b.provider_ids.is_empty() {
        return Err(ApiError::Invalid("provider_ids is empty".into()));
    }
    Ok(Json(state.unlock.offer(&id, &b.provider_ids, b.config, &actor(&key)).await?))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProviderBody {
    pub name: Option<String>,
    pub phone: Option<String>,
    pub cities: Option<Vec<String>>,
    pub service_types: Option<Vec<String>>,
    pub active: Option<bool>,
    pub offers_opted_out: Option<bool>,
}

impl From<ProviderBody> for ProviderInput {
    fn from(b: ProviderBody) -> Self {
        ProviderInput { name: b.name, phone: b.phone, cities: b.cities, service_types: b.service_types, active: b.active, offers_opted_out: b.offers_opted_out }
    }
}

/// `POST /api/v1/providers`: 201 with the provider and its `id`.
pub async fn create_provider(State(state): State<AppState>, b: Result<Json<ProviderBody>, JsonRejection>) -> Result<impl IntoResponse, ApiError> {
    let p = state.unlock.add_provider(&body(b)?.into(), state.config.default_region).await?;
    Ok((StatusCode::CREATED, Json(p)))
}

pub async fn list_providers(State(state): State<AppState>) -> Result<impl IntoResponse, ApiError> {
    Ok(Json(state.unlock.providers().await?))
}

pub async fn get_provider(State(state): State<AppState>, Path(id): Path<String>) -> Result<impl IntoResponse, ApiError> {
    Ok(Json(state.unlock.provider(provider_id(&id)?).await?))
}

pub async fn update_provider(State(state): State<AppState>, Path(id): Path<String>, b: Result<Json<ProviderBody>, JsonRejection>) -> Result<impl IntoResponse, ApiError> {
    Ok(Json(state.unlock.update_provider(provider_id(&id)?, &body(b)?.into()).await?))
}

pub async fn delete_provider(State(state): State<AppState>, Path(id): Path<String>) -> Result<impl IntoResponse, ApiError> {
    state.unlock.delete_provider(provider_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

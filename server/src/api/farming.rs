//! `/api/v1/farming-campaigns` and `/api/v1/stats/warm-leads`: warm-lead farming over REST.

use super::error::ApiError;
use warmline::error::NameMissing;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::Json;
use serde::Deserialize;
use warmline::farming::{BatchProgress, DryRun, NewFarmingCampaign, Source, WarmLeadStats, COOL_OFF_DEFAULT};
use warmline::{FarmingBatchId, FarmingCampaignId, ListId};
use warmline_app::state::AppState;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CampaignBody {
    pub name: String,
    pub template: String,
    pub list_id: Option<ListId>,
    pub tag: Option<String>,
    pub daily_cap: Option<u32>,
    pub cool_off_days: Option<u32>,
    /// "HH:MM" in the organisation's time zone: a batch starts by itself each day.
    pub send_time: Option<String>,
}

fn body<T>(b: Result<Json<T>, JsonRejection>) -> Result<T, ApiError> {
    b.map(|Json(v)| v).map_err(|e| ApiError::BadRequest(e.body_text()))
}

fn id(raw: &str) -> Result<FarmingCampaignId, ApiError> {
    raw.parse().map_err(|_| ApiError::NotFound(format!("no farming campaign {raw}")))
}

/// `POST /api/v1/farming-campaigns`: 201 with the campaign.
#[tracing::instrument(skip(state, b))]
pub async fn create(State(state): State<AppState>, b: Result<Json<CampaignBody>, JsonRejection>) -> Result<impl IntoResponse, ApiError> {
    let b = body(b)?;
    let source = match (b.list_id, b.tag) {
        (Some(l), None) => Source::List(l),
        (None, Some(t)) => Source::Tag(t),
        _ => return Err(ApiError::BadRequest("give exactly one of list_id or tag".into())),
    };
    let new = NewFarmingCampaign {
        name: b.name,
        template: b.template,
        source,
        daily_cap: b.daily_cap.unwrap_or(state.config.daily_batch_default),
        cool_off_days: b.cool_off_days.unwrap_or(COOL_OFF_DEFAULT),
        send_time: b.send_time,
    };
    let c = state.farm.create(&new, None).await?;
    Ok((StatusCode::CREATED, Json(c)))
}

/// `GET /api/v1/farming-campaigns`
pub async fn list(State(state): State<AppState>) -> Result<impl IntoResponse, ApiError> {
    Ok(Json(warmline::store::farming::list(&state.db).await?))
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BatchBody {
    pub max: Option<i64>,
    pub template: Option<String>,
}

/// An optional JSON body: none at all means the defaults.
fn optional_body(b: &[u8]) -> Result<BatchBody, ApiError> {
    if b.iter().all(u8::is_ascii_whitespace) {
        return Ok(BatchBody::default());
    }
    serde_json::from_slice(b).map_err(|e| ApiError::BadRequest(format!("invalid JSON body: {e}")))
}

/// `POST /api/v1/farming-campaigns/{id}/dry-run` (optional `{"max": n}`): who the next batch would message.
pub async fn dry_run(State(state): State<AppState>, Path(raw): Path<String>, b: axum::body::Bytes) -> Result<Json<DryRun>, ApiError> {
    let b = optional_body(&b)?;
    state.farm.dry_run(id(&raw)?, b.max).await.missing(|| format!("no farming campaign {raw}")).map(Json).map_err(Into::into)
}

/// `POST /api/v1/farming-campaigns/{id}/batches` (optional `{"max": n, "template": "…"}`): 201
/// with the batch's progress; 409 while a batch runs or when today's cap is used up.
#[tracing::instrument(skip(state, b))]
pub async fn start(State(state): State<AppState>, Path(raw): Path<String>, b: axum::body::Bytes) -> Result<impl IntoResponse, ApiError> {
    let b = optional_body(&b)?;
    let p = state.farm.start_batch(id(&raw)?, b.max, b.template.as_deref(), "api", None).await.missing(|| format!("no farming campaign {raw}"))?;
    Ok((StatusCode::CREATED, Json(p)))
}

/// `GET /api/v1/farming-campaigns/{id}/batches/{batch_id}`
pub async fn batch(State(state): State<AppState>, Path((raw, batch)): Path<(String, String)>) -> Result<Json<BatchProgress>, ApiError> {
    let campaign = id(&raw)?;
    let batch: FarmingBatchId = batch.parse().map_err(|_| ApiError::NotFound(format!("no batch {batch}")))?;
    let p = warmline::store::farming::progress(&state.db, batch).await.missing(|| format!("no batch {batch}"))?;
    if p.campaign_id != campaign {
        return Err(ApiError::NotFound(format!("no batch {batch} in farming campaign {campaign}")));
    }
    Ok(Json(p))
}

/// `GET /api/v1/stats/warm-leads`
pub async fn stats(State(state): State<AppState>) -> Result<Json<WarmLeadStats>, ApiError> {
    Ok(Json(state.farm.stats(chrono::Utc::now()).await?))
}

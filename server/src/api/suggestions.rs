//! `/api/v1/suggestions` and `/api/v1/suggestion-batches`: the approval queue over REST. An
//! external generator adds suggestions; approving, rejecting and cancelling are recorded with
//! the API key as the actor.

use super::error::ApiError;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::{Extension, Json};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use warmline::approvals::{NewBatch, NewSuggestion, Suggestion, SuggestionBatchId, SuggestionId, SuggestionStatus};
use warmline::error::NameMissing;
use warmline::user::ApiKey;
use warmline_app::state::AppState;

fn body<T>(b: Result<Json<T>, JsonRejection>) -> Result<T, ApiError> {
    b.map(|Json(v)| v).map_err(|e| ApiError::BadRequest(e.body_text()))
}

fn item_id(raw: &str) -> Result<SuggestionId, ApiError> {
    raw.parse().map_err(|_| ApiError::NotFound(format!("no suggestion '{}'", warmline::limits::ellipsize(raw, 40))))
}

fn batch_id(raw: &str) -> Result<SuggestionBatchId, ApiError> {
    raw.parse().map_err(|_| ApiError::NotFound(format!("no suggestion batch '{}'", warmline::limits::ellipsize(raw, 40))))
}

/// Who did it, for the audit trail.
fn actor(key: &ApiKey) -> String {
    format!("api key '{}'", key.name)
}

fn time(field: &str, raw: Option<&str>) -> Result<Option<DateTime<Utc>>, ApiError> {
    raw.map(|s| {
        DateTime::parse_from_rfc3339(s.trim())
            .map(|t| t.with_timezone(&Utc))
            .map_err(|_| ApiError::Invalid(format!("{field} '{}' is not an RFC 3339 time like 2026-12-07T10:00:00-05:00", warmline::limits::ellipsize(s, 40))))
    })
    .transpose()
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AddBody {
    pub batch: NewBatch,
    pub items: Vec<NewSuggestion>,
}

/// `POST /api/v1/suggestions`: 201 with the batch and its items, each `suggested`.
#[tracing::instrument(skip(state, key, b))]
pub async fn add(State(state): State<AppState>, Extension(key): Extension<ApiKey>, b: Result<Json<AddBody>, JsonRejection>) -> Result<impl IntoResponse, ApiError> {
    let b = body(b)?;
    let (batch, items) = state.approvals.add(&b.batch, &b.items, &format!("api:{}", key.id), state.config.default_region).await?;
    Ok((StatusCode::CREATED, Json(json!({"batch_id": batch.id, "batch": batch, "items": items}))))
}

#[derive(Debug, Deserialize)]
pub struct ListParams {
    pub status: Option<String>,
    pub batch_id: Option<String>,
    /// The campaign type (`retention`, `welcome`, `vip_promo` or a team's own).
    #[serde(rename = "type")]
    pub campaign_type: Option<String>,
    pub after: Option<String>,
    pub limit: Option<i64>,
}

/// `GET /api/v1/suggestions?status=&batch_id=&type=&after=&limit=`: oldest first, keyset pages.
pub async fn list(State(state): State<AppState>, Query(p): Query<ListParams>) -> Result<Json<Vec<Suggestion>>, ApiError> {
    let status = match p.status.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => Some(SuggestionStatus::parse(s).ok_or_else(|| ApiError::Invalid(format!("status '{}' is not one of suggested, approved, scheduled, sent, rejected, cancelled, failed", warmline::limits::ellipsize(s, 20))))?),
    };
    let batch = p.batch_id.as_deref().filter(|s| !s.trim().is_empty()).map(batch_id).transpose()?;
    let after = p.after.as_deref().filter(|s| !s.trim().is_empty()).map(item_id).transpose()?;
    Ok(Json(state.approvals.list_of_type(status, batch, p.campaign_type.as_deref(), after, p.limit.unwrap_or(200)).await?))
}

/// `GET /api/v1/suggestions/{id}`: the item and its audit trail.
pub async fn get_one(State(state): State<AppState>, Path(raw): Path<String>) -> Result<Json<serde_json::Value>, ApiError> {
    let id = item_id(&raw)?;
    let item = state.approvals.get(id).await.missing(|| format!("no suggestion {id}"))?;
    let history = state.approvals.history(id).await?;
    Ok(Json(json!({"item": item, "history": history})))
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApproveBody {
    pub text: Option<String>,
    pub send_at: Option<String>,
}

/// `POST /api/v1/suggestions/{id}/approve` with an optional `{"text"}` edit and `{"send_at"}`.
#[tracing::instrument(skip(state, key, b))]
pub async fn approve(State(state): State<AppState>, Extension(key): Extension<ApiKey>, Path(raw): Path<String>, b: Option<Json<ApproveBody>>) -> Result<Json<Suggestion>, ApiError> {
    let id = item_id(&raw)?;
    let b = b.map(|Json(b)| b).unwrap_or_default();
    let send_at = time("send_at", b.send_at.as_deref())?;
    Ok(Json(state.approvals.approve(id, &actor(&key), b.text.as_deref(), send_at).await.missing(|| format!("no suggestion {id}"))?))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RejectBody {
    pub reason: String,
}

/// `POST /api/v1/suggestions/{id}/reject` `{"reason"}`.
#[tracing::instrument(skip(state, key, b))]
pub async fn reject(State(state): State<AppState>, Extension(key): Extension<ApiKey>, Path(raw): Path<String>, b: Result<Json<RejectBody>, JsonRejection>) -> Result<Json<Suggestion>, ApiError> {
    let id = item_id(&raw)?;
    let b = body(b)?;
    Ok(Json(state.approvals.reject(id, &actor(&key), &b.reason).await.missing(|| format!("no suggestion {id}"))?))
}

/// `POST /api/v1/suggestions/{id}/cancel`: 409 when it is too late.
#[tracing::instrument(skip(state, key))]
pub async fn cancel(State(state): State<AppState>, Extension(key): Extension<ApiKey>, Path(raw): Path<String>) -> Result<Json<Suggestion>, ApiError> {
    let id = item_id(&raw)?;
    Ok(Json(state.approvals.cancel(id, &actor(&key)).await.missing(|| format!("no suggestion {id}"))?))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BatchApproveBody {
    pub start_at: Option<String>,
    pub gap_min_minutes: Option<u32>,
    pub gap_max_minutes: Option<u32>,
}

#[derive(Debug, Serialize)]
pub struct Planned {
    pub id: SuggestionId,
    pub send_at: DateTime<Utc>,
}

/// `POST /api/v1/suggestion-batches/{id}/approve`: approves and schedules what is waiting;
/// answers with the planned times. Defaults: start now, gaps of 1–15 minutes.
#[tracing::instrument(skip(state, key, b))]
pub async fn approve_batch(State(state): State<AppState>, Extension(key): Extension<ApiKey>, Path(raw): Path<String>, b: Result<Json<BatchApproveBody>, JsonRejection>) -> Result<Json<Vec<Planned>>, ApiError> {
    let id = batch_id(&raw)?;
    let b = body(b)?;
    let start = time("start_at", b.start_at.as_deref())?.unwrap_or_else(Utc::now);
    let plan = state.approvals.approve_batch(id, &actor(&key), start, b.gap_min_minutes.unwrap_or(1), b.gap_max_minutes.unwrap_or(15)).await.missing(|| format!("no suggestion batch {id}"))?;
    Ok(Json(plan.into_iter().map(|(id, at)| Planned { id, send_at: DateTime::from_timestamp_millis(at).unwrap_or_default() }).collect()))
}

/// `GET /api/v1/suggestion-batches/{id}`: the batch and its counts per state.
pub async fn get_batch(State(state): State<AppState>, Path(raw): Path<String>) -> Result<Json<warmline::approvals::SuggestionBatch>, ApiError> {
    let id = batch_id(&raw)?;
    Ok(Json(state.approvals.batch(id).await.missing(|| format!("no suggestion batch {id}"))?))
}

/// `GET /api/v1/suggestion-batches/{id}/report`: counts per outcome, replies and opt-outs within
/// 7 days of each send, and the rates.
pub async fn batch_report(State(state): State<AppState>, Path(raw): Path<String>) -> Result<Json<serde_json::Value>, ApiError> {
    let id = batch_id(&raw)?;
    let r = state.approvals.report(id).await.missing(|| format!("no suggestion batch {id}"))?;
    Ok(Json(report_json(&r)))
}

#[derive(Debug, Deserialize)]
pub struct RangeParams {
    pub from: Option<String>,
    pub to: Option<String>,
}

/// `GET /api/v1/suggestions/report?from=&to=`: one report per campaign type for suggestions made
/// in the range (RFC 3339; default the last 30 days).
pub async fn type_report(State(state): State<AppState>, Query(p): Query<RangeParams>) -> Result<Json<Vec<serde_json::Value>>, ApiError> {
    let to = time("to", p.to.as_deref())?.unwrap_or_else(Utc::now);
    let from = time("from", p.from.as_deref())?.unwrap_or(to - chrono::Duration::days(30));
    let rows = state.approvals.report_by_type(from.timestamp_millis(), to.timestamp_millis()).await?;
    Ok(Json(rows.iter().map(report_json).collect()))
}

fn report_json(r: &warmline::approvals::Report) -> serde_json::Value {
    let mut v = serde_json::to_value(r).unwrap_or_default();
    v["response_rate"] = json!(r.response_rate());
    v["opt_out_rate"] = json!(r.opt_out_rate());
    v
}

//! `/api/v1/forms`: lead capture forms and their submissions.

use super::error::ApiError;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;
use warmline::forms::{Form, NewForm, Submission};
use warmline::FormId;
use warmline_app::state::AppState;

fn form_id(raw: &str) -> Result<FormId, ApiError> {
    raw.parse().map_err(|_| ApiError::NotFound(format!("no form '{}'", warmline::limits::ellipsize(raw, 40))))
}

/// `POST /api/v1/forms` → 201 and the form.
#[tracing::instrument(skip(state, body))]
pub async fn create(State(state): State<AppState>, body: Result<Json<NewForm>, JsonRejection>) -> Result<(StatusCode, Json<Form>), ApiError> {
    let Json(f) = body.map_err(|e| ApiError::BadRequest(e.body_text()))?;
    Ok((StatusCode::CREATED, Json(state.forms.create(&f).await?)))
}

/// `GET /api/v1/forms`
pub async fn list(State(state): State<AppState>) -> Result<Json<Vec<Form>>, ApiError> {
    Ok(Json(state.forms.list().await?))
}

/// `GET /api/v1/forms/{id}`
pub async fn get_one(State(state): State<AppState>, Path(id): Path<String>) -> Result<Json<Form>, ApiError> {
    Ok(Json(state.forms.get(form_id(&id)?).await?))
}

#[derive(Debug, Default, Deserialize)]
pub struct Limit {
    #[serde(default)]
    pub limit: Option<i64>,
}

/// `GET /api/v1/forms/{id}/submissions?limit=` (newest first, default 100).
pub async fn submissions(State(state): State<AppState>, Path(id): Path<String>, Query(l): Query<Limit>) -> Result<Json<Vec<Submission>>, ApiError> {
    Ok(Json(state.forms.submissions(form_id(&id)?, l.limit.unwrap_or(100)).await?))
}

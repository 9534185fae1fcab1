//! CRM basics over REST: edit and delete a contact, its notes, its pipeline stage, the
//! pipeline's stages, and a conversation's status. Thin: parse, call one core use-case.

use super::error::ApiError;
use warmline::error::NameMissing;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::Json;
use serde::Deserialize;
use warmline::crm::{service, ContactPatch};
use warmline::message::ConversationStatus;
use warmline::ContactId;
use warmline_app::state::AppState;

fn contact_id(raw: &str) -> Result<ContactId, ApiError> {
    raw.parse().map_err(|_| ApiError::NotFound(format!("no contact '{}'", warmline::limits::ellipsize(raw, 40))))
}

fn stage_id(raw: &str) -> Result<i64, ApiError> {
    raw.parse().map_err(|_| ApiError::NotFound(format!("no stage '{}'", warmline::limits::ellipsize(raw, 40))))
}

fn body<T>(b: Result<Json<T>, JsonRejection>) -> Result<T, ApiError> {
    b.map(|Json(v)| v).map_err(|e| ApiError::BadRequest(e.body_text()))
}

/// `StoreError::NotFound` names what was not found.
/// `PATCH /api/v1/contacts/{id}`: fields present are replaced, the rest kept.
#[tracing::instrument(skip(state, patch))]
pub async fn update_contact(State(state): State<AppState>, Path(id): Path<String>, patch: Result<Json<ContactPatch>, JsonRejection>) -> Result<impl IntoResponse, ApiError> {
    let id = contact_id(&id)?;
    let patch = body(patch)?;
    Ok(Json(service::update_contact(&state.messenger, id, &patch).await.missing(|| format!("no contact {id}"))?))
}

/// `DELETE /api/v1/contacts/{id}`: what was removed; an opted-out number stays suppressed.
#[tracing::instrument(skip(state))]
pub async fn delete_contact(State(state): State<AppState>, Path(id): Path<String>) -> Result<impl IntoResponse, ApiError> {
    let id = contact_id(&id)?;
    Ok(Json(service::delete_contact(&state.messenger, id).await.missing(|| format!("no contact {id}"))?))
}

/// `GET /api/v1/contacts/{id}/notes`: newest first.
pub async fn notes(State(state): State<AppState>, Path(id): Path<String>) -> Result<impl IntoResponse, ApiError> {
    let id = contact_id(&id)?;
    warmline::store::contacts::get_by_id(&state.db, id).await.missing(|| format!("no contact {id}"))?;
    Ok(Json(warmline::store::notes::for_contact(&state.db, id).await?))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoteBody {
    pub body: String,
}

/// `POST /api/v1/contacts/{id}/notes` with `{"body": "…"}`: 201 with the note.
pub async fn add_note(State(state): State<AppState>, Path(id): Path<String>, note: Result<Json<NoteBody>, JsonRejection>) -> Result<impl IntoResponse, ApiError> {
    let id = contact_id(&id)?;
    let note = body(note)?;
    let n = service::add_note(&state.messenger, id, &note.body, None).await.missing(|| format!("no contact {id}"))?;
    Ok((StatusCode::CREATED, Json(n)))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StageBody {
    /// `null` takes the contact off the stages (back to the first column).
    pub stage_id: Option<i64>,
}

/// `PUT /api/v1/contacts/{id}/stage` with `{"stage_id": 3}`.
pub async fn set_stage(State(state): State<AppState>, Path(id): Path<String>, stage: Result<Json<StageBody>, JsonRejection>) -> Result<impl IntoResponse, ApiError> {
    let id = contact_id(&id)?;
    let stage = body(stage)?;
    service::set_stage(&state.messenger, id, stage.stage_id).await.missing(|| format!("no contact {id}"))?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /api/v1/pipeline`: the stages and the contacts on the board.
pub async fn board(State(state): State<AppState>) -> Result<impl IntoResponse, ApiError> {
    Ok(Json(service::board(&state.messenger).await?))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StageName {
    pub name: String,
}

/// `POST /api/v1/pipeline/stages` with `{"name": "…"}`: 201 with the stage, added last.
pub async fn create_stage(State(state): State<AppState>, name: Result<Json<StageName>, JsonRejection>) -> Result<impl IntoResponse, ApiError> {
    let name = body(name)?;
    Ok((StatusCode::CREATED, Json(service::create_stage(&state.messenger, &name.name).await?)))
}

/// `PATCH /api/v1/pipeline/stages/{id}` with `{"name": "…"}`.
pub async fn rename_stage(State(state): State<AppState>, Path(id): Path<String>, name: Result<Json<StageName>, JsonRejection>) -> Result<impl IntoResponse, ApiError> {
    let id = stage_id(&id)?;
    let name = body(name)?;
    service::rename_stage(&state.messenger, id, &name.name).await.missing(|| format!("no stage {id}"))?;
    Ok(StatusCode::NO_CONTENT)
}

/// `DELETE /api/v1/pipeline/stages/{id}`: its contacts go back to the first column.
pub async fn delete_stage(State(state): State<AppState>, Path(id): Path<String>) -> Result<impl IntoResponse, ApiError> {
    let id = stage_id(&id)?;
    service::delete_stage(&state.messenger, id).await.missing(|| format!("no stage {id}"))?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatusBody {
    pub status: ConversationStatus,
    /// RFC 3339; required with `snoozed`.
    pub snoozed_until: Option<String>,
}

/// `PUT /api/v1/conversations/{contact_id}/status` with `{"status": "open" | "closed" |
/// "snoozed", "snoozed_until": "…"}`.
pub async fn set_status(State(state): State<AppState>, Path(id): Path<String>, status: Result<Json<StatusBody>, JsonRejection>) -> Result<impl IntoResponse, ApiError> {
    let id = contact_id(&id)?;
    let s = body(status)?;
    let until = match s.snoozed_until.as_deref() {
        None => None,
        Some(t) => Some(
            chrono::DateTime::parse_from_rfc3339(t)
                .map_err(|_| ApiError::Invalid(format!("snoozed_until '{}' is not an RFC 3339 time", warmline::limits::ellipsize(t, 40))))?
                .timestamp_millis(),
        ),
    };
    service::set_conversation_status(&state.messenger, id, s.status, until).await.missing(|| format!("no conversation with contact {id}"))?;
    Ok(StatusCode::NO_CONTENT)
}

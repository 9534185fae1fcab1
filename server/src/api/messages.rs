//! `/api/v1/messages`: a contact's messages, and sending one through the send gate.

use super::error::ApiError;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::Json;
use serde::Deserialize;
use warmline::message::Message;
use warmline::messaging::manual::ManualSend;
use warmline::ContactId;
use warmline_app::state::AppState;

#[derive(Debug, Deserialize)]
pub struct ListParams {
    pub contact_id: Option<String>,
}

/// `GET /api/v1/messages?contact_id=N`: the conversation, oldest first (last 500).
pub async fn list(State(state): State<AppState>, Query(p): Query<ListParams>) -> Result<Json<Vec<Message>>, ApiError> {
    let raw = p.contact_id.ok_or_else(|| ApiError::BadRequest("contact_id is required".into()))?;
    let id: ContactId = raw.parse().map_err(|_| ApiError::BadRequest(format!("'{raw}' is not a contact id")))?;
    warmline::store::contacts::get_by_id(&state.db, id).await.map_err(|_| ApiError::NotFound(format!("no contact {id}")))?;
    Ok(Json(warmline::store::messages::for_contact(&state.db, id, 500).await?))
}

#[derive(Debug, Deserialize)]
pub struct SendBody {
    pub to: String,
    pub body: String,
    /// Marketing messages count against frequency caps (default false).
    #[serde(default)]
    pub marketing: bool,
}

/// `POST /api/v1/messages` `{"to": "+1…", "body": "…"}`: 201 with the message and the gate's
/// decision (`send`, `defer_until` or `block`). The contact is created when new. An
/// `Idempotency-Key` header makes a retried request return the first message instead of sending
/// again.
#[tracing::instrument(skip(state, headers, body))]
pub async fn send(State(state): State<AppState>, headers: axum::http::HeaderMap, body: Result<Json<SendBody>, JsonRejection>) -> Result<impl IntoResponse, ApiError> {
    let Json(b) = body.map_err(|e| ApiError::BadRequest(e.body_text()))?;
    let key = match headers.get("idempotency-key") {
        Some(v) => Some(v.to_str().map_err(|_| ApiError::Invalid("the Idempotency-Key header must be printable text".into()))?),
        None => None,
    };
    let m = ManualSend { body: &b.body, marketing: b.marketing, by: None, idempotency_key: key };
    let (_, result) = state.messenger.send_to_number(&b.to, state.config.default_region, &m).await?;
    Ok((StatusCode::CREATED, Json(result)))
}

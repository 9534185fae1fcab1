//! `POST /webhooks/stripe`: the raw body and its `Stripe-Signature` go to the core, which
//! verifies, stores the event under its id and applies it. A bad signature or body is 400
//! (stores nothing); a retry of a stored event is 200 and does nothing; a storage failure is
//! 500, so Stripe retries.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use warmline::error::Error;
use warmline::unlock::service::WebhookOutcome;
use warmline_app::state::AppState;

/// Stripe's events are a few kilobytes; anything much larger is not one.
const MAX_BODY: usize = 256 * 1024;

#[tracing::instrument(skip_all)]
pub async fn events(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    if body.len() > MAX_BODY {
        return StatusCode::PAYLOAD_TOO_LARGE.into_response();
    }
    let signature = headers.get("stripe-signature").and_then(|v| v.to_str().ok());
    match state.unlock.accept_webhook(&body, signature).await {
        Ok(WebhookOutcome::Accepted) => Json(serde_json::json!({"received": true})).into_response(),
        Ok(WebhookOutcome::Duplicate) => Json(serde_json::json!({"received": true, "duplicate": true})).into_response(),
        Err(Error::Unreadable(m)) => {
            tracing::warn!(reason = %m, "Stripe webhook refused");
            (StatusCode::BAD_REQUEST, Json(serde_json::json!({"error": m}))).into_response()
        }
        Err(e) => {
            tracing::error!(error = %e, "could not store a Stripe event");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

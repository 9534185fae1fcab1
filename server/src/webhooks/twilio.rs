//! `POST /webhooks/twilio/sms` (inbound) and `POST /webhooks/twilio/status` (callbacks).
//!
//! The signature is checked against `PUBLIC_URL` + the original path and query (never the
//! Host header). A bad or missing signature gets 403 and stores nothing. A valid payload is
//! written durably first (deduplicated on MessageSid, or MessageSid + status), then answered,
//! then processed in the background.

use axum::body::Bytes;
use axum::extract::{OriginalUri, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use warmline::sms::twilio_signature::{parse_form, public_request_url, validate_form};
use warmline_app::state::AppState;

/// Largest webhook body accepted.
const MAX_BODY: usize = 64 * 1024;
const EMPTY_TWIML: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response></Response>";

fn twiml_ok() -> Response {
    ([(header::CONTENT_TYPE, "text/xml")], EMPTY_TWIML).into_response()
}

fn field<'a>(params: &'a [(String, String)], name: &str) -> Option<&'a str> {
    params.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

/// Checks the signature; `Err` is the response to send.
fn verify(state: &AppState, uri: &OriginalUri, headers: &HeaderMap, body: &Bytes) -> Result<Vec<(String, String)>, Response> {
    if body.len() > MAX_BODY {
        return Err(StatusCode::PAYLOAD_TOO_LARGE.into_response());
    }
    let Some(token) = state.config.twilio.auth_token.as_deref() else {
        tracing::warn!("Twilio webhook refused: TWILIO_AUTH_TOKEN is not set, so signatures can't be checked");
        return Err(StatusCode::FORBIDDEN.into_response());
    };
    let signature = headers.get("x-twilio-signature").and_then(|v| v.to_str().ok()).unwrap_or("");
    let path_and_query = uri.0.path_and_query().map(|p| p.as_str()).unwrap_or(uri.0.path());
    let url = public_request_url(&state.config.public_url, path_and_query);
    let params = parse_form(body);
    if signature.is_empty() || !validate_form(token, &url, &params, signature) {
        tracing::warn!(%url, "Twilio webhook with a bad or missing signature refused");
        return Err(StatusCode::FORBIDDEN.into_response());
    }
    Ok(params)
}

#[tracing::instrument(skip_all)]
pub async fn inbound(State(state): State<AppState>, uri: OriginalUri, headers: HeaderMap, body: Bytes) -> Response {
    let params = match verify(&state, &uri, &headers, &body) {
        Ok(p) => p,
        Err(resp) => return resp,
    };
    let Some(sid) = field(&params, "MessageSid").or_else(|| field(&params, "SmsSid")) else {
        return (StatusCode::BAD_REQUEST, "MessageSid is missing").into_response();
    };
    let payload = String::from_utf8_lossy(&body);
    match state.messenger.accept_webhook(warmline::message::WebhookKind::TwilioSms, &format!("sms:{sid}"), Some(sid), &payload).await {
        Ok(new) => {
            if !new {
                tracing::info!(sid, "duplicate inbound webhook ignored");
            }
            twiml_ok()
        }
        Err(e) => {
            tracing::error!(error = %e, "could not store an inbound webhook");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

#[tracing::instrument(skip_all)]
pub async fn status(State(state): State<AppState>, uri: OriginalUri, headers: HeaderMap, body: Bytes) -> Response {
    let params = match verify(&state, &uri, &headers, &body) {
        Ok(p) => p,
        Err(resp) => return resp,
    };
    let sid = field(&params, "MessageSid").or_else(|| field(&params, "SmsSid"));
    let status = field(&params, "MessageStatus").or_else(|| field(&params, "SmsStatus"));
    let (Some(sid), Some(status)) = (sid, status) else {
        return (StatusCode::BAD_REQUEST, "MessageSid and MessageStatus are required").into_response();
    };
    let payload = String::from_utf8_lossy(&body);
    match state.messenger.accept_webhook(warmline::message::WebhookKind::TwilioStatus, &format!("status:{sid}:{status}"), Some(sid), &payload).await {
        Ok(_) => StatusCode::NO_CONTENT.into_response(),
        Err(e) => {
            tracing::error!(error = %e, "could not store a status callback");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

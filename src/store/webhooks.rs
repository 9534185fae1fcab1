//! Durable webhook events: stored before processing, deduplicated, replayable.

use super::{get, Db, Result};
use crate::{now_millis, Millis};

#[derive(Clone, Debug, PartialEq)]
pub struct WebhookEvent {
    pub id: i64,
    pub source: String,
    pub message_sid: Option<String>,
    pub payload: String,
    pub received_at: Millis,
    pub attempts: i64,
}

/// Stores an event; `Ok(None)` when an event with this key was already stored (a retry).
pub async fn store(db: &Db, source: &str, dedupe_key: &str, message_sid: Option<&str>, payload: &str) -> Result<Option<i64>> {
    let row = sqlx::query(
        "INSERT INTO webhook_events (source, dedupe_key, message_sid, payload, received_at) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (dedupe_key) DO NOTHING RETURNING id",
    )
    .bind(source)
    .bind(dedupe_key)
    .bind(message_sid)
    .bind(payload)
    .bind(now_millis())
    .fetch_optional(db.pool())
    .await?;
    row.map(|r| get(&r, "id")).transpose()
}

fn event(r: &sqlx::any::AnyRow) -> Result<WebhookEvent> {
    Ok(WebhookEvent {
        id: get(r, "id")?,
        source: get(r, "source")?,
        message_sid: get(r, "message_sid")?,
        payload: get(r, "payload")?,
        received_at: get(r, "received_at")?,
        attempts: get(r, "attempts")?,
    })
}

pub async fn get_by_id(db: &Db, id: i64) -> Result<Option<WebhookEvent>> {
    let row = sqlx::query("SELECT id, source, message_sid, payload, received_at, attempts FROM webhook_events WHERE id = $1")
        .bind(id)
        .fetch_optional(db.pool())
        .await?;
    row.as_ref().map(event).transpose()
}

/// Unprocessed events, oldest first (replayed at startup and after a message appears).
pub async fn pending(db: &Db, limit: i64) -> Result<Vec<WebhookEvent>> {
    let rows = sqlx::query("SELECT id, source, message_sid, payload, received_at, attempts FROM webhook_events WHERE processed_at IS NULL ORDER BY id LIMIT $1")
        .bind(limit)
        .fetch_all(db.pool())
        .await?;
    rows.iter().map(event).collect()
}

/// Unprocessed status callbacks waiting for a message with this SID.
pub async fn pending_for_sid(db: &Db, sid: &str) -> Result<Vec<WebhookEvent>> {
    let rows = sqlx::query(
        "SELECT id, source, message_sid, payload, received_at, attempts FROM webhook_events \
         WHERE processed_at IS NULL AND message_sid = $1 AND source = 'twilio_status' ORDER BY id",
    )
    .bind(sid)
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(event).collect()
}

pub async fn mark_processed(db: &Db, id: i64) -> Result<()> {
    sqlx::query("UPDATE webhook_events SET processed_at = $1, attempts = attempts + 1, last_error = NULL WHERE id = $2")
        .bind(now_millis())
        .bind(id)
        .execute(db.pool())
        .await?;
    Ok(())
}

/// Leaves the event pending with the reason it could not be processed yet.
pub async fn mark_waiting(db: &Db, id: i64, reason: &str) -> Result<()> {
    sqlx::query("UPDATE webhook_events SET attempts = attempts + 1, last_error = $1 WHERE id = $2").bind(reason).bind(id).execute(db.pool()).await?;
    Ok(())
}

//! Durable webhook events: stored before processing, deduplicated, replayable.

use super::{get, Db, Result};
use crate::message::WebhookKind;
use crate::{now_millis, Millis};

#[derive(Clone, Debug, PartialEq)]
pub struct WebhookEvent {
    pub id: i64,
    pub source: WebhookKind,
    pub message_sid: Option<String>,
    pub payload: String,
    pub received_at: Millis,
    pub attempts: i64,
    /// Not tried again before this instant (a growing backoff after failures).
    pub next_attempt_at: Option<Millis>,
}

/// Stores an event; `Ok(None)` when an event with this key was already stored (a retry).
pub async fn store(db: &Db, source: WebhookKind, dedupe_key: &str, message_sid: Option<&str>, payload: &str) -> Result<Option<i64>> {
    let row = sqlx::query(
        "INSERT INTO webhook_events (source, dedupe_key, message_sid, payload, received_at) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (dedupe_key) DO NOTHING RETURNING id",
    )
    .bind(source.as_str())
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
        source: {
            let s: String = get(r, "source")?;
            WebhookKind::parse(&s).ok_or_else(|| super::StoreError::Invalid(format!("unknown webhook kind '{s}' in webhook_events")))?
        },
        message_sid: get(r, "message_sid")?,
        payload: get(r, "payload")?,
        received_at: get(r, "received_at")?,
        attempts: get(r, "attempts")?,
        next_attempt_at: get(r, "next_attempt_at")?,
    })
}

pub async fn get_by_id(db: &Db, id: i64) -> Result<Option<WebhookEvent>> {
    let row = sqlx::query("SELECT id, source, message_sid, payload, received_at, attempts, next_attempt_at FROM webhook_events WHERE id = $1")
        .bind(id)
        .fetch_optional(db.pool())
        .await?;
    row.as_ref().map(event).transpose()
}

/// Unprocessed events, oldest first (replayed at startup and after a message appears).
pub async fn pending(db: &Db, limit: i64) -> Result<Vec<WebhookEvent>> {
    let rows = sqlx::query("SELECT id, source, message_sid, payload, received_at, attempts, next_attempt_at FROM webhook_events WHERE processed_at IS NULL ORDER BY id LIMIT $1")
        .bind(limit)
        .fetch_all(db.pool())
        .await?;
    rows.iter().map(event).collect()
}

/// Unprocessed status callbacks waiting for a message with this SID.
pub async fn pending_for_sid(db: &Db, sid: &str) -> Result<Vec<WebhookEvent>> {
    let rows = sqlx::query(
        "SELECT id, source, message_sid, payload, received_at, attempts, next_attempt_at FROM webhook_events \
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

/// Leaves the event pending with the reason it could not be processed yet; the sweep tries it
/// again after a backoff that grows with its attempts (1 s, 2 s, 4 s … at most 5 minutes).
pub async fn mark_waiting(db: &Db, id: i64, reason: &str) -> Result<()> {
    sqlx::query(
        "UPDATE webhook_events SET attempts = attempts + 1, last_error = $1, \
         next_attempt_at = $2 + (CASE WHEN attempts >= 8 THEN 300000 ELSE 1000 * (attempts + 1) * (attempts + 1) END) WHERE id = $3",
    )
    .bind(reason)
    .bind(now_millis())
    .bind(id)
    .execute(db.pool())
    .await?;
    Ok(())
}

/// Unprocessed events of `source` after `after_id`, oldest first, that have had fewer than
/// `max_attempts`: one page of the recovery sweep (which skips those not due yet).
pub async fn pending_page(db: &Db, source: WebhookKind, after_id: i64, max_attempts: i64, limit: i64) -> Result<Vec<WebhookEvent>> {
    let rows = sqlx::query(
        "SELECT id, source, message_sid, payload, received_at, attempts, next_attempt_at FROM webhook_events \
         WHERE processed_at IS NULL AND source = $1 AND id > $2 AND attempts < $3 ORDER BY id LIMIT $4",
    )
    .bind(source.as_str())
    .bind(after_id)
    .bind(max_attempts)
    .bind(limit)
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(event).collect()
}

/// Unprocessed events of `source` received before event `before_id` (an inbound message waits
/// for the same sender's earlier ones).
pub async fn earlier_pending(db: &Db, source: WebhookKind, before_id: i64, limit: i64) -> Result<Vec<WebhookEvent>> {
    let rows = sqlx::query("SELECT id, source, message_sid, payload, received_at, attempts, next_attempt_at FROM webhook_events WHERE processed_at IS NULL AND source = $1 AND id < $2 ORDER BY id LIMIT $3")
        .bind(source.as_str())
        .bind(before_id)
        .bind(limit)
        .fetch_all(db.pool())
        .await?;
    rows.iter().map(event).collect()
}

/// Closes status callbacks still waiting for their message after `received_before` (a message
/// sent from another system, or lost): they are kept, marked expired. Returns how many.
pub async fn expire_unmatched(db: &Db, received_before: Millis) -> Result<u64> {
    let r = sqlx::query(
        "UPDATE webhook_events SET processed_at = $1, last_error = 'expired: no message with this SID' \
         WHERE processed_at IS NULL AND source = 'twilio_status' AND received_at < $2",
    )
    .bind(now_millis())
    .bind(received_before)
    .execute(db.pool())
    .await?;
    Ok(r.rows_affected())
}

/// Events that reached the attempt cap and are no longer retried (shown to operators).
pub async fn given_up(db: &Db, max_attempts: i64) -> Result<i64> {
    let row = sqlx::query("SELECT COUNT(*) AS n FROM webhook_events WHERE processed_at IS NULL AND attempts >= $1").bind(max_attempts).fetch_one(db.pool()).await?;
    get(&row, "n")
}

//! Approval-queue storage: batches, suggestions and their audit trail. Every transition is one
//! guarded `UPDATE … WHERE status IN (…)` that also writes its audit event in the same
//! transaction, so two people (or a person and the scheduler) racing on one item can't both win.

use super::{contact_name, get, list_placeholders, Db, Result, StoreError};
use crate::approvals::{Action, Suggestion, SuggestionBatch, SuggestionBatchId, SuggestionEvent, SuggestionId, SuggestionStatus};
use crate::{ContactId, MessageId, Millis};
use sqlx::any::AnyRow;
use sqlx::AnyConnection;

const COLS: &str = "s.id, s.batch_id, s.contact_id, s.body, s.campaign_type, s.context, s.suggested_by, s.status, s.approved_by, s.approved_at, \
                    s.send_at, s.sent_at, s.message_id, s.reason, s.created_at, c.first_name, c.last_name, c.phone";

/// An instant for the audit trail, e.g. `2026-12-07T15:00:00Z`.
pub(crate) fn iso(ms: Millis) -> String {
    chrono::DateTime::from_timestamp_millis(ms).map(|t| t.format("%Y-%m-%dT%H:%M:%SZ").to_string()).unwrap_or_else(|| ms.to_string())
}

fn status(r: &AnyRow) -> Result<SuggestionStatus> {
    let s: String = get(r, "status")?;
    SuggestionStatus::parse(&s).ok_or_else(|| StoreError::Invalid(format!("unknown suggestion status '{s}'")))
}

fn suggestion(r: &AnyRow) -> Result<Suggestion> {
    let context: String = get(r, "context")?;
    Ok(Suggestion {
        id: get(r, "id")?,
        batch_id: get(r, "batch_id")?,
        contact_id: get(r, "contact_id")?,
        contact_name: contact_name(r)?,
        phone: get(r, "phone")?,
        text: get(r, "body")?,
        campaign_type: get(r, "campaign_type")?,
        context: serde_json::from_str(&context).unwrap_or(serde_json::Value::Null),
        suggested_by: get(r, "suggested_by")?,
        status: status(r)?,
        approved_by: get(r, "approved_by")?,
        approved_at: get(r, "approved_at")?,
        send_at: get(r, "send_at")?,
        sent_at: get(r, "sent_at")?,
        message_id: get(r, "message_id")?,
        reason: get(r, "reason")?,
        created_at: get(r, "created_at")?,
    })
}

/// A suggestion ready to store (its contact checked by the caller).
pub struct Item<'a> {
    pub contact: ContactId,
    pub text: &'a str,
    pub context: &'a str,
}

/// Stores a batch and its items, each `suggested`, with a `suggested` event: all or nothing.
pub async fn create_batch(db: &Db, name: &str, campaign_type: &str, by: &str, items: &[Item<'_>], now: Millis) -> Result<SuggestionBatchId> {
    let mut tx = db.begin().await?;
    let row = sqlx::query("INSERT INTO suggestion_batches (name, campaign_type, suggested_by, created_at) VALUES ($1, $2, $3, $4) RETURNING id")
        .bind(name)
        .bind(campaign_type)
        .bind(by)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
    let batch: SuggestionBatchId = get(&row, "id")?;
    for it in items {
        let row = sqlx::query(
            "INSERT INTO suggestions (batch_id, contact_id, body, campaign_type, context, suggested_by, status, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, 'suggested', $7, $7) RETURNING id",
        )
        .bind(batch)
        .bind(it.contact)
        .bind(it.text)
        .bind(campaign_type)
        .bind(it.context)
        .bind(by)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        let id: SuggestionId = get(&row, "id")?;
        event(&mut tx, id, "suggested", by, None, Some(it.text), None, now).await?;
    }
    tx.commit().await?;
    Ok(batch)
}

#[allow(clippy::too_many_arguments)]
async fn event(conn: &mut AnyConnection, id: SuggestionId, kind: &str, actor: &str, old: Option<&str>, new: Option<&str>, note: Option<&str>, now: Millis) -> Result<()> {
    sqlx::query("INSERT INTO suggestion_events (suggestion_id, kind, actor, old_text, new_text, note, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)")
        .bind(id)
        .bind(kind)
        .bind(actor)
        .bind(old)
        .bind(new)
        .bind(note)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

pub async fn get_by_id(db: &Db, id: SuggestionId) -> Result<Suggestion> {
    let row = sqlx::query(&format!("SELECT {COLS} FROM suggestions s JOIN contacts c ON c.id = s.contact_id WHERE s.id = $1"))
        .bind(id)
        .fetch_optional(db.pool())
        .await?
        .ok_or(StoreError::NotFound)?;
    suggestion(&row)
}

/// Suggestions by status, batch and campaign type, oldest first, after `after` (keyset), at
/// most `limit`.
pub async fn list(db: &Db, status: Option<SuggestionStatus>, batch: Option<SuggestionBatchId>, campaign_type: Option<&str>, after: Option<SuggestionId>, limit: i64) -> Result<Vec<Suggestion>> {
    let rows = sqlx::query(&format!(
        "SELECT {COLS} FROM suggestions s JOIN contacts c ON c.id = s.contact_id \
         WHERE ($1 = '' OR s.status = $1) AND ($2 = 0 OR s.batch_id = $2) AND ($5 = '' OR s.campaign_type = $5) AND s.id > $3 ORDER BY s.id LIMIT $4"
    ))
    .bind(status.map(|s| s.as_str()).unwrap_or(""))
    .bind(batch.map_or(0, |b| b.0))
    .bind(after.map_or(0, |a| a.0))
    .bind(limit)
    .bind(campaign_type.unwrap_or(""))
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(suggestion).collect()
}

pub async fn batch(db: &Db, id: SuggestionBatchId) -> Result<SuggestionBatch> {
    let b = sqlx::query("SELECT id, name, campaign_type, suggested_by, created_at FROM suggestion_batches WHERE id = $1")
        .bind(id)
        .fetch_optional(db.pool())
        .await?
        .ok_or(StoreError::NotFound)?;
    let rows = sqlx::query("SELECT status, COUNT(*) AS n FROM suggestions WHERE batch_id = $1 GROUP BY status").bind(id).fetch_all(db.pool()).await?;
    let mut counts = Vec::new();
    for r in &rows {
        counts.push((status(r)?, get::<i64>(r, "n")?));
    }
    counts.sort_by_key(|(s, _)| SuggestionStatus::ALL.iter().position(|x| x == s));
    Ok(SuggestionBatch { id: get(&b, "id")?, name: get(&b, "name")?, campaign_type: get(&b, "campaign_type")?, suggested_by: get(&b, "suggested_by")?, created_at: get(&b, "created_at")?, counts })
}

pub async fn events(db: &Db, id: SuggestionId) -> Result<Vec<SuggestionEvent>> {
    let rows = sqlx::query("SELECT suggestion_id, kind, actor, old_text, new_text, note, created_at FROM suggestion_events WHERE suggestion_id = $1 ORDER BY id")
        .bind(id)
        .fetch_all(db.pool())
        .await?;
    rows.iter().map(event_row).collect()
}

fn event_row(r: &AnyRow) -> Result<SuggestionEvent> {
    Ok(SuggestionEvent {
        suggestion_id: get(r, "suggestion_id")?,
        kind: get(r, "kind")?,
        actor: get(r, "actor")?,
        old_text: get(r, "old_text")?,
        new_text: get(r, "new_text")?,
        note: get(r, "note")?,
        created_at: get(r, "created_at")?,
    })
}

/// The states `action` may start from (the state machine's left-hand sides).
fn from_states(action: Action) -> Vec<&'static str> {
    SuggestionStatus::ALL.into_iter().filter(|s| crate::approvals::next(*s, action).is_ok()).map(|s| s.as_str()).collect()
}

/// A person's transition on one item: edit, approve (with an optional new text and send
/// time), reject (with a reason), cancel. Applies only from the states the state machine allows
/// and, for a cancel, only while the scheduler holds no live claim and no message was stored
/// for it (`message_key`): a cancel racing with the due time either wins (never sent) or loses
/// (and says it was sent). Returns the item as it is now.
pub struct Change<'a> {
    pub action: Action,
    pub actor: &'a str,
    pub text: Option<&'a str>,
    pub send_at: Option<Millis>,
    pub reason: Option<&'a str>,
    pub message_key: &'a str,
    pub now: Millis,
}

pub async fn apply(db: &Db, id: SuggestionId, c: &Change<'_>) -> Result<Suggestion> {
    let mut tx = db.begin().await?;
    let cur = sqlx::query("SELECT status, body FROM suggestions WHERE id = $1").bind(id).fetch_optional(&mut *tx).await?.ok_or(StoreError::NotFound)?;
    let (from, old_text): (SuggestionStatus, String) = (status(&cur)?, get(&cur, "body")?);
    let to = crate::approvals::next(from, c.action).map_err(StoreError::Conflict)?;
    let allowed = from_states(c.action);
    let states = list_placeholders(8, allowed.len());
    let text = c.text.unwrap_or(&old_text);
    if text != old_text {
        // A text change is an edit whatever else the request does: a scheduled item can't be edited.
        crate::approvals::next(from, Action::Edit).map_err(StoreError::Conflict)?;
    }
    let approving = matches!(c.action, Action::Approve | Action::Schedule) && from == SuggestionStatus::Suggested;
    let sql = format!(
        "UPDATE suggestions SET status = $1, body = $2, send_at = COALESCE($3, send_at), reason = COALESCE($4, reason), updated_at = $5, \
         approved_by = CASE WHEN $6 = 1 THEN $7 ELSE approved_by END, approved_at = CASE WHEN $6 = 1 THEN $5 ELSE approved_at END \
         WHERE id = ${} AND status IN ({states}) {}",
        8 + allowed.len(),
        if c.action == Action::Cancel {
            format!(
                "AND (lease_until IS NULL OR lease_until < $5) AND NOT EXISTS (SELECT 1 FROM messages WHERE outbox_key = ${})",
                9 + allowed.len()
            )
        } else {
            String::new()
        }
    );
    let mut q = sqlx::query(&sql)
        .bind(to.as_str())
        .bind(text)
        .bind(c.send_at)
        .bind(c.reason)
        .bind(c.now)
        .bind(i64::from(approving))
        .bind(c.actor);
    for s in &allowed {
        q = q.bind(*s);
    }
    q = q.bind(id);
    if c.action == Action::Cancel {
        q = q.bind(c.message_key);
    }
    let done = q.execute(&mut *tx).await?.rows_affected() == 1;
    if !done {
        drop(tx);
        let now = get_by_id(db, id).await?;
        return Err(StoreError::Conflict(match (c.action, now.status) {
            (Action::Cancel, SuggestionStatus::Sent) | (Action::Cancel, SuggestionStatus::Scheduled) => "too late to cancel: it is being sent or has been sent".to_string(),
            (_, s) => format!("it changed meanwhile: it is {} now", s.as_str()),
        }));
    }
    if text != old_text {
        event(&mut tx, id, Action::Edit.event(), c.actor, Some(&old_text), Some(text), None, c.now).await?;
    }
    if approving {
        event(&mut tx, id, Action::Approve.event(), c.actor, None, None, None, c.now).await?;
    }
    if c.action != Action::Edit && !(c.action == Action::Approve && approving) {
        let note = match c.action {
            Action::Schedule => c.send_at.map(|t| format!("send at {}", iso(t))),
            _ => c.reason.map(str::to_string),
        };
        let kind = if c.action == Action::Schedule && from == SuggestionStatus::Scheduled { "rescheduled" } else { c.action.event() };
        event(&mut tx, id, kind, c.actor, None, None, note.as_deref(), c.now).await?;
    }
    tx.commit().await?;
    get_by_id(db, id).await
}

/// The items of a batch a plan may schedule (suggested or approved), in order, with the
/// contact fields the planner needs: (id, phone, contact's zone).
pub async fn plannable(db: &Db, batch: SuggestionBatchId) -> Result<Vec<(SuggestionId, String, Option<String>)>> {
    let rows = sqlx::query(
        "SELECT s.id, c.phone, c.timezone FROM suggestions s JOIN contacts c ON c.id = s.contact_id \
         WHERE s.batch_id = $1 AND s.status IN ('suggested', 'approved') ORDER BY s.id",
    )
    .bind(batch)
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(|r| Ok((get(r, "id")?, get(r, "phone")?, get(r, "timezone")?))).collect()
}

/// Schedules a batch's plan in one transaction: each item still suggested or approved gets its
/// time (approved by `actor` if it was only suggested). Items that changed meanwhile are left
/// out. Returns the entries of the plan that were scheduled.
pub async fn schedule_plan(db: &Db, plan: &[(SuggestionId, Millis)], actor: &str, now: Millis) -> Result<Vec<(SuggestionId, Millis)>> {
    let mut tx = db.begin().await?;
    let mut scheduled = Vec::with_capacity(plan.len());
    for (id, at) in plan {
        let r = sqlx::query(
            "UPDATE suggestions SET status = 'scheduled', send_at = $1, updated_at = $2, \
             approved_by = COALESCE(approved_by, $3), approved_at = COALESCE(approved_at, $2) \
             WHERE id = $4 AND status IN ('suggested', 'approved') RETURNING approved_at",
        )
        .bind(*at)
        .bind(now)
        .bind(actor)
        .bind(*id)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(r) = r else { continue };
        if get::<Option<Millis>>(&r, "approved_at")? == Some(now) {
            event(&mut tx, *id, "approved", actor, None, None, None, now).await?;
        }
        event(&mut tx, *id, "scheduled", actor, None, None, Some(&format!("send at {}", iso(*at))), now).await?;
        scheduled.push((*id, *at));
    }
    tx.commit().await?;
    Ok(scheduled)
}

/// Claims up to `limit` scheduled items whose time has come and that nobody holds, for
/// `token` until `until`: (id, contact, text, approved_by).
pub async fn claim_due(db: &Db, token: &str, now: Millis, until: Millis, limit: i64) -> Result<Vec<(SuggestionId, ContactId, String, Option<String>)>> {
    let rows = sqlx::query(
        "UPDATE suggestions SET lease_owner = $1, lease_until = $2 WHERE id IN ( \
           SELECT id FROM suggestions WHERE status = 'scheduled' AND send_at <= $3 AND (lease_until IS NULL OR lease_until < $3) ORDER BY send_at, id LIMIT $4) \
         AND status = 'scheduled' AND (lease_until IS NULL OR lease_until < $3) \
         RETURNING id, contact_id, body, approved_by",
    )
    .bind(token)
    .bind(until)
    .bind(now)
    .bind(limit)
    .fetch_all(db.pool())
    .await?;
    let mut out = rows.iter().map(|r| Ok((get(r, "id")?, get(r, "contact_id")?, get(r, "body")?, get(r, "approved_by")?))).collect::<Result<Vec<_>>>()?;
    out.sort_by_key(|x: &(SuggestionId, ContactId, String, Option<String>)| x.0);
    Ok(out)
}

/// Records what the pipeline did with a claimed item: `sent` (with its message) or `failed`
/// (with why). Only the holder of the claim records; `false` when the claim was lost.
pub async fn finish(db: &Db, id: SuggestionId, token: &str, outcome: Result<MessageId, &str>, now: Millis) -> Result<bool> {
    let mut tx = db.begin().await?;
    let (to, message, reason) = match outcome {
        Ok(m) => (SuggestionStatus::Sent, Some(m), None),
        Err(why) => (SuggestionStatus::Failed, None, Some(why)),
    };
    let r = sqlx::query(
        "UPDATE suggestions SET status = $1, message_id = $2, reason = COALESCE($3, reason), sent_at = CASE WHEN $2 IS NULL THEN NULL ELSE $4 END, \
         lease_owner = NULL, lease_until = NULL, updated_at = $4 WHERE id = $5 AND status = 'scheduled' AND lease_owner = $6",
    )
    .bind(to.as_str())
    .bind(message)
    .bind(reason)
    .bind(now)
    .bind(id)
    .bind(token)
    .execute(&mut *tx)
    .await?;
    if r.rows_affected() != 1 {
        return Ok(false);
    }
    let note = match (message, reason) {
        (Some(m), _) => Some(format!("message {m}")),
        (None, r) => r.map(str::to_string),
    };
    event(&mut tx, id, if message.is_some() { "sent" } else { "failed" }, "scheduler", None, None, note.as_deref(), now).await?;
    tx.commit().await?;
    Ok(true)
}

/// Gives back a claim without a result (the pipeline could not take the item now).
pub async fn release(db: &Db, id: SuggestionId, token: &str) -> Result<()> {
    sqlx::query("UPDATE suggestions SET lease_owner = NULL, lease_until = NULL WHERE id = $1 AND lease_owner = $2").bind(id).bind(token).execute(db.pool()).await?;
    Ok(())
}

/// On resume: scheduled items whose time passed while the queue was paused (since `paused_at`)
/// move forward by the pause's length, keeping the plan's spacing. Returns how many moved.
pub async fn shift_overdue(db: &Db, paused_at: Millis, now: Millis) -> Result<u64> {
    let r = sqlx::query("UPDATE suggestions SET send_at = send_at + $1, updated_at = $2 WHERE status = 'scheduled' AND send_at <= $2 AND lease_owner IS NULL")
        .bind((now - paused_at).max(0))
        .bind(now)
        .execute(db.pool())
        .await?;
    Ok(r.rows_affected())
}

/// How many items were handed to the pipeline since `since` (the queue's own limits).
pub async fn sent_since(db: &Db, since: Millis) -> Result<i64> {
    let r = sqlx::query("SELECT COUNT(*) AS n FROM suggestions WHERE sent_at >= $1").bind(since).fetch_one(db.pool()).await?;
    get(&r, "n")
}

/// The latest batches, newest first, with their counts.
pub async fn batches(db: &Db, limit: i64) -> Result<Vec<SuggestionBatch>> {
    let rows = sqlx::query("SELECT id FROM suggestion_batches ORDER BY id DESC LIMIT $1").bind(limit).fetch_all(db.pool()).await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        out.push(batch(db, get(r, "id")?).await?);
    }
    Ok(out)
}

/// Why a list member is left out of a generated batch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Left {
    OptedOut,
    Flagged,
    /// An invalid number or a landline.
    Unreachable,
    /// Already suggested by this queue (or messaged from it) since the window's start.
    Recent,
}

/// A segment's members (its filter numbered from `$2`) in id order, each with why it would be
/// left out (if it would be).
pub async fn candidates(db: &Db, segment: &super::segments::Filter, since: Millis) -> Result<Vec<(ContactId, Option<Left>)>> {
    let sql = format!(
        "SELECT c.id, c.opted_out, c.flagged, c.number_status, \
         CASE WHEN EXISTS (SELECT 1 FROM suggestions s WHERE s.contact_id = c.id AND s.created_at >= $1) THEN 1 ELSE 0 END AS recent \
         FROM contacts c WHERE {} ORDER BY c.id",
        segment.sql
    );
    let rows = segment
        .bind(sqlx::query(&sql).bind(since))
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| {
            let status: String = get(r, "number_status")?;
            let left = if get::<i64>(r, "opted_out")? != 0 {
                Some(Left::OptedOut)
            } else if get::<i64>(r, "flagged")? != 0 {
                Some(Left::Flagged)
            } else if crate::message::NumberStatus::parse(&status) != crate::message::NumberStatus::Ok {
                Some(Left::Unreachable)
            } else if get::<i64>(r, "recent")? != 0 {
                Some(Left::Recent)
            } else {
                None
            };
            Ok((get(r, "id")?, left))
        })
        .collect()
}

/// When a contact last wrote to us and when we last texted them (accepted by the provider).
pub async fn engagement(db: &Db, contact: ContactId) -> Result<(Option<Millis>, Option<Millis>)> {
    let r = sqlx::query(
        "SELECT MAX(CASE WHEN direction = 'in' THEN created_at END) AS last_in, \
         MAX(CASE WHEN direction = 'out' AND provider_sid IS NOT NULL THEN created_at END) AS last_out FROM messages WHERE contact_id = $1",
    )
    .bind(contact)
    .fetch_one(db.pool())
    .await?;
    Ok((get(&r, "last_in")?, get(&r, "last_out")?))
}

const REPORT_COLS: &str = "COUNT(*) AS suggested, \
    SUM(CASE WHEN s.approved_at IS NOT NULL THEN 1 ELSE 0 END) AS approved, \
    SUM(CASE WHEN s.status = 'rejected' THEN 1 ELSE 0 END) AS rejected, \
    SUM(CASE WHEN s.status = 'cancelled' THEN 1 ELSE 0 END) AS cancelled, \
    SUM(CASE WHEN s.status = 'sent' THEN 1 ELSE 0 END) AS sent, \
    SUM(CASE WHEN s.status = 'failed' THEN 1 ELSE 0 END) AS failed, \
    SUM(CASE WHEN s.status = 'sent' AND EXISTS (SELECT 1 FROM messages m WHERE m.contact_id = s.contact_id AND m.direction = 'in' \
        AND m.created_at >= s.sent_at AND m.created_at < s.sent_at + $1) THEN 1 ELSE 0 END) AS replied, \
    SUM(CASE WHEN s.status = 'sent' AND EXISTS (SELECT 1 FROM consent_events e WHERE e.contact_id = s.contact_id AND e.kind = 'opt_out' \
        AND e.created_at >= s.sent_at AND e.created_at < s.sent_at + $1) THEN 1 ELSE 0 END) AS opted_out";

fn report_row(r: &AnyRow, label: String) -> Result<crate::approvals::Report> {
    let n = |c: &str| -> Result<i64> { Ok(get::<Option<i64>>(r, c)?.unwrap_or(0)) };
    Ok(crate::approvals::Report {
        label,
        suggested: n("suggested")?,
        approved: n("approved")?,
        rejected: n("rejected")?,
        cancelled: n("cancelled")?,
        sent: n("sent")?,
        failed: n("failed")?,
        replied: n("replied")?,
        opted_out: n("opted_out")?,
    })
}

/// One batch's report.
pub async fn report_for_batch(db: &Db, id: SuggestionBatchId) -> Result<crate::approvals::Report> {
    let b = batch(db, id).await?;
    let r = sqlx::query(&format!("SELECT {REPORT_COLS} FROM suggestions s WHERE s.batch_id = $2"))
        .bind(crate::approvals::RESPONSE_WINDOW_MS)
        .bind(id)
        .fetch_one(db.pool())
        .await?;
    report_row(&r, b.name)
}

/// Reports per campaign type for suggestions made in `[from, to)`.
pub async fn report_by_type(db: &Db, from: Millis, to: Millis) -> Result<Vec<crate::approvals::Report>> {
    let rows = sqlx::query(&format!(
        "SELECT s.campaign_type, {REPORT_COLS} FROM suggestions s WHERE s.created_at >= $2 AND s.created_at < $3 GROUP BY s.campaign_type ORDER BY s.campaign_type"
    ))
    .bind(crate::approvals::RESPONSE_WINDOW_MS)
    .bind(from)
    .bind(to)
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(|r| report_row(r, get(r, "campaign_type")?)).collect()
}

/// Records a test send on each item (its state unchanged): who, when and where it went.
pub async fn record_test(db: &Db, ids: &[SuggestionId], actor: &str, note: &str, now: Millis) -> Result<()> {
    let mut tx = db.begin().await?;
    for id in ids {
        event(&mut tx, *id, "test_sent", actor, None, None, Some(note), now).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Whether any item of the batch was sent as a test.
pub async fn batch_tested(db: &Db, batch: SuggestionBatchId) -> Result<bool> {
    let r = sqlx::query(
        "SELECT COUNT(*) AS n FROM suggestion_events e JOIN suggestions s ON s.id = e.suggestion_id WHERE s.batch_id = $1 AND e.kind = 'test_sent'",
    )
    .bind(batch)
    .fetch_one(db.pool())
    .await?;
    Ok(get::<i64>(&r, "n")? > 0)
}

/// Reports per batch for batches made in `[from, to)`, newest first.
pub async fn report_by_batch(db: &Db, from: Millis, to: Millis) -> Result<Vec<crate::approvals::Report>> {
    let rows = sqlx::query(&format!(
        "SELECT b.id AS batch, b.name, {REPORT_COLS} FROM suggestions s JOIN suggestion_batches b ON b.id = s.batch_id \
         WHERE b.created_at >= $2 AND b.created_at < $3 GROUP BY b.id, b.name ORDER BY b.id DESC"
    ))
    .bind(crate::approvals::RESPONSE_WINDOW_MS)
    .bind(from)
    .bind(to)
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(|r| report_row(r, get(r, "name")?)).collect()
}

/// One audit event with what the export names it by.
pub struct AuditRow {
    /// The event's own id: the export's keyset.
    pub id: i64,
    pub event: SuggestionEvent,
    pub batch_id: SuggestionBatchId,
    pub batch_name: String,
    pub campaign_type: String,
    pub contact_name: String,
    pub phone: String,
}

/// Up to `limit` audit events after event `after` made in `[from, to)` (of one batch, or all),
/// in order: a keyset page of the export.
pub async fn audit_page(db: &Db, batch: Option<SuggestionBatchId>, from: Millis, to: Millis, after: i64, limit: i64) -> Result<Vec<AuditRow>> {
    let rows = sqlx::query(
        "SELECT e.id, e.suggestion_id, e.kind, e.actor, e.old_text, e.new_text, e.note, e.created_at, s.batch_id, s.campaign_type, b.name AS batch_name, \
         c.first_name, c.last_name, c.phone \
         FROM suggestion_events e JOIN suggestions s ON s.id = e.suggestion_id JOIN suggestion_batches b ON b.id = s.batch_id JOIN contacts c ON c.id = s.contact_id \
         WHERE e.id > $1 AND e.created_at >= $2 AND e.created_at < $3 AND ($4 = 0 OR s.batch_id = $4) ORDER BY e.id LIMIT $5",
    )
    .bind(after)
    .bind(from)
    .bind(to)
    .bind(batch.map_or(0, |b| b.0))
    .bind(limit)
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(AuditRow {
                id: get(r, "id")?,
                event: event_row(r)?,
                batch_id: get(r, "batch_id")?,
                batch_name: get(r, "batch_name")?,
                campaign_type: get(r, "campaign_type")?,
                contact_name: contact_name(r)?,
                phone: get(r, "phone")?,
            })
        })
        .collect()
}

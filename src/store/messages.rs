//! Messages and the conversation inbox.

use super::stats::{self, STAT_COLS};
use super::{get, Arg, Db, Result, StoreError};
use crate::message::{ConversationStatus, Direction, Message, MessageKind, MessageStatus};
use crate::sms::segments;
use crate::{now_millis, CampaignId, ContactId, EnrollmentId, MessageId, Millis, UserId};
use sqlx::any::AnyRow;
use sqlx::AnyConnection;

const COLS: &str = "id, contact_id, direction, body, status, provider_sid, error_code, error_message, segments, kind, marketing, send_at, sent_by, sender, created_at, updated_at";

fn message(row: &AnyRow) -> Result<Message> {
    let status: String = get(row, "status")?;
    Ok(Message {
        id: get(row, "id")?,
        contact_id: ContactId(get(row, "contact_id")?),
        direction: Direction::parse(&get::<String>(row, "direction")?),
        body: get(row, "body")?,
        status: MessageStatus::parse(&status).ok_or_else(|| StoreError::Invalid(format!("unknown status {status}")))?,
        provider_sid: get(row, "provider_sid")?,
        error_code: get(row, "error_code")?,
        error_message: get(row, "error_message")?,
        segments: get(row, "segments")?,
        kind: MessageKind::parse(&get::<String>(row, "kind")?),
        marketing: get::<i64>(row, "marketing")? != 0,
        send_at: get(row, "send_at")?,
        sent_by: get::<Option<i64>>(row, "sent_by")?.map(UserId),
        sender: get(row, "sender")?,
        created_at: get(row, "created_at")?,
        updated_at: get(row, "updated_at")?,
    })
}

/// A message about to be stored.
pub struct NewMessage<'a> {
    pub contact_id: ContactId,
    pub direction: Direction,
    pub body: &'a str,
    pub status: MessageStatus,
    pub provider_sid: Option<&'a str>,
    pub kind: MessageKind,
    pub marketing: bool,
    /// The send gate's decision, as JSON.
    pub decision: Option<String>,
    pub send_at: Option<Millis>,
    pub sent_by: Option<UserId>,
    /// For a drip step: which (enrollment, step) this is, under its unique outbox key.
    pub outbox: Option<OutboxLink<'a>>,
    /// A unique key without a campaign link (farming batches).
    pub outbox_key: Option<&'a str>,
    /// The number it goes out from, when not the default one.
    pub sender: Option<&'a str>,
    /// The claim on a queued row: (token, until). Only its holder may call the provider.
    pub lease: Option<(&'a str, Millis)>,
}

/// Ties a campaign message to the (enrollment, step) it sends. The key is unique, so a step is
/// stored at most once however often the runner retries or restarts.
#[derive(Clone, Copy, Debug)]
pub struct OutboxLink<'a> {
    pub key: &'a str,
    pub campaign: CampaignId,
    pub enrollment: EnrollmentId,
    pub step: i64,
}

/// When the contact's oldest message still waiting for an answer arrived: the first inbound
/// message since the last outbound one that was not an automatic reply.
async fn waiting_since(conn: &mut AnyConnection, contact: ContactId) -> Result<Option<Millis>> {
    let row = sqlx::query(
        "SELECT MIN(created_at) AS t FROM messages WHERE contact_id = $1 AND direction = 'in' AND id > \
         COALESCE((SELECT MAX(id) FROM messages WHERE contact_id = $1 AND direction = 'out' AND kind <> 'auto_reply'), 0)",
    )
    .bind(contact.0)
    .fetch_one(&mut *conn)
    .await?;
    get(&row, "t")
}

/// A team member's messages of a period: (member, sent at, contact, response time when it
/// answered the contact), oldest first.
pub async fn by_members(db: &Db, from: Millis, to: Millis, member: Option<i64>) -> Result<Vec<(i64, Millis, i64, Option<i64>)>> {
    let rows = sqlx::query(
        "SELECT sent_by, created_at, contact_id, response_ms FROM messages WHERE sent_by IS NOT NULL AND created_at >= $1 AND created_at < $2 \
         AND direction = 'out' AND ($3 = 0 OR sent_by = $3) ORDER BY sent_by, created_at",
    )
    .bind(from)
    .bind(to)
    .bind(member.unwrap_or(0))
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(|r| Ok((get(r, "sent_by")?, get(r, "created_at")?, get(r, "contact_id")?, get(r, "response_ms")?))).collect()
}

/// Stores a message and bumps its conversation. Inbound messages count as unread.
pub async fn insert(conn: &mut AnyConnection, m: &NewMessage<'_>) -> Result<Message> {
    let now = now_millis();
    let info = segments::analyze(m.body);
    let encoding = match info.encoding {
        segments::Encoding::Gsm7 => "gsm7",
        segments::Encoding::Ucs2 => "ucs2",
    };
    let response_ms = match (m.direction, m.sent_by) {
        (Direction::Out, Some(_)) if m.kind != MessageKind::AutoReply => waiting_since(&mut *conn, m.contact_id).await?.map(|t| (now - t).max(0)),
        _ => None,
    };
    let row = sqlx::query(&format!(
        "INSERT INTO messages (contact_id, direction, body, status, status_rank, provider_sid, segments, encoding, kind, marketing, decision, send_at, sent_by, created_at, updated_at, \
         outbox_key, campaign_id, enrollment_id, step, sender, lease_owner, lease_until, response_ms) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14, $15, $16, $17, $18, $19, $20, $21, $22) RETURNING {COLS}, {STAT_COLS}"
    ))
    .bind(m.contact_id.0)
    .bind(m.direction.as_str())
    .bind(m.body)
    .bind(m.status.as_str())
    .bind(m.status.rank())
    .bind(m.provider_sid)
    .bind(info.segments.max(1) as i64)
    .bind(encoding)
    .bind(m.kind.as_str())
    .bind(i64::from(m.marketing))
    .bind(m.decision.as_deref())
    .bind(m.send_at)
    .bind(m.sent_by.map(|u| u.0))
    .bind(now)
    .bind(m.outbox.map(|o| o.key).or(m.outbox_key))
    .bind(m.outbox.map(|o| o.campaign.0))
    .bind(m.outbox.map(|o| o.enrollment.0))
    .bind(m.outbox.map(|o| o.step))
    .bind(m.sender)
    .bind(m.lease.map(|l| l.0))
    .bind(m.lease.map(|l| l.1))
    .bind(response_ms)
    .fetch_one(&mut *conn)
    .await?;
    let msg = message(&row)?;
    stats::shift(&mut *conn, None, &stats::stat_row(&row)?).await?;
    if let (Direction::Out, Some(by)) = (m.direction, m.sent_by) {
        super::team::record(&mut *conn, by.0, m.contact_id, now, response_ms).await?;
    }
    let unread = i64::from(m.direction == Direction::In);
    sqlx::query(
        "INSERT INTO conversations (contact_id, last_message_id, last_message_at, unread) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (contact_id) DO UPDATE SET last_message_id = excluded.last_message_id, \
         last_message_at = excluded.last_message_at, unread = conversations.unread + excluded.unread, \
         status = CASE WHEN excluded.unread > 0 THEN 'open' ELSE conversations.status END, \
         snoozed_until = CASE WHEN excluded.unread > 0 THEN NULL ELSE conversations.snoozed_until END",
    )
    .bind(m.contact_id.0)
    .bind(msg.id)
    .bind(now)
    .bind(unread)
    .execute(&mut *conn)
    .await?;
    Ok(msg)
}

/// How many messages were stored under keys starting with `prefix`, and how many of them the
/// provider accepted (a broadcast's progress).
pub async fn progress_by_key_prefix(db: &Db, prefix: &str) -> Result<(i64, i64)> {
    let pattern = format!("{}%", prefix.replace(['%', '_'], ""));
    let r = sqlx::query("SELECT COUNT(*) AS n, SUM(CASE WHEN provider_sid IS NOT NULL THEN 1 ELSE 0 END) AS sent FROM messages WHERE outbox_key LIKE $1")
        .bind(pattern)
        .fetch_one(db.pool())
        .await?;
    Ok((get(&r, "n")?, get::<Option<i64>>(&r, "sent")?.unwrap_or(0)))
}

/// Whether a message with this provider SID is stored (an inbound retry).
pub async fn sid_seen(conn: &mut AnyConnection, sid: &str) -> Result<bool> {
    Ok(sqlx::query("SELECT id FROM messages WHERE provider_sid = $1").bind(sid).fetch_optional(&mut *conn).await?.is_some())
}

pub async fn get_by_id(db: &Db, id: MessageId) -> Result<Message> {
    let row = sqlx::query(&format!("SELECT {COLS} FROM messages WHERE id = $1")).bind(id).fetch_optional(db.pool()).await?;
    message(&row.ok_or(StoreError::NotFound)?)
}

/// The message stored under a drip outbox key, if any.
pub async fn find_by_outbox_key(db: &Db, key: &str) -> Result<Option<Message>> {
    let row = sqlx::query(&format!("SELECT {COLS} FROM messages WHERE outbox_key = $1")).bind(key).fetch_optional(db.pool()).await?;
    row.as_ref().map(message).transpose()
}

pub async fn find_by_sid(db: &Db, sid: &str) -> Result<Option<Message>> {
    let row = sqlx::query(&format!("SELECT {COLS} FROM messages WHERE provider_sid = $1")).bind(sid).fetch_optional(db.pool()).await?;
    row.as_ref().map(message).transpose()
}

/// A contact's messages, oldest first (the last `limit`).
pub async fn for_contact(db: &Db, contact: ContactId, limit: i64) -> Result<Vec<Message>> {
    let rows = sqlx::query(&format!("SELECT {COLS} FROM messages WHERE contact_id = $1 ORDER BY id DESC LIMIT $2"))
        .bind(contact.0)
        .bind(limit)
        .fetch_all(db.pool())
        .await?;
    let mut out = rows.iter().map(message).collect::<Result<Vec<_>>>()?;
    out.reverse();
    Ok(out)
}

/// Records the provider's id and status after it accepted the message.
pub async fn mark_accepted(db: &Db, id: MessageId, sid: &str, status: MessageStatus) -> Result<Message> {
    let mut tx = db.begin().await?;
    let before = stats::lock(&mut tx, "id = $1", Arg::Int(id.0)).await?;
    let row = sqlx::query(&format!(
        "UPDATE messages SET provider_sid = $1, status = CASE WHEN status_rank < $3 THEN $2 ELSE status END, \
         status_rank = CASE WHEN status_rank < $3 THEN $3 ELSE status_rank END, attempts = attempts + 1, updated_at = $4 \
         WHERE id = $5 RETURNING {COLS}, {STAT_COLS}"
    ))
    .bind(sid)
    .bind(status.as_str())
    .bind(status.rank())
    .bind(now_millis())
    .bind(id)
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(StoreError::NotFound)?;
    stats::shift_all(&mut tx, &before, std::slice::from_ref(&row)).await?;
    tx.commit().await?;
    message(&row)
}

/// Marks a message failed (or canceled) with the provider's error.
pub async fn mark_failed(db: &Db, id: MessageId, status: MessageStatus, code: Option<i64>, error: &str) -> Result<Message> {
    let mut tx = db.begin().await?;
    let before = stats::lock(&mut tx, "id = $1", Arg::Int(id.0)).await?;
    let row = sqlx::query(&format!(
        "UPDATE messages SET status = $1, status_rank = $2, error_code = COALESCE(error_code, $3), \
         error_message = COALESCE(error_message, $4), attempts = attempts + 1, updated_at = $5 WHERE id = $6 RETURNING {COLS}, {STAT_COLS}"
    ))
    .bind(status.as_str())
    .bind(status.rank())
    .bind(code)
    .bind(error)
    .bind(now_millis())
    .bind(id)
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(StoreError::NotFound)?;
    stats::shift_all(&mut tx, &before, std::slice::from_ref(&row)).await?;
    tx.commit().await?;
    message(&row)
}

/// Applies a status callback: only forward, never out of a terminal state; an error code once
/// set is kept. Returns the message when it changed, `Ok(None)` when the update was stale, and
/// `NotFound` when no message has this SID yet.
pub async fn apply_status(db: &Db, sid: &str, status: MessageStatus, code: Option<i64>, error: Option<&str>) -> Result<Option<Message>> {
    let mut tx = db.begin().await?;
    let before = stats::lock(&mut tx, "provider_sid = $1", Arg::Text(sid.to_string())).await?;
    if before.is_empty() {
        return Err(StoreError::NotFound);
    }
    let row = sqlx::query(&format!(
        "UPDATE messages SET status = $1, status_rank = $2, error_code = COALESCE(error_code, $3), \
         error_message = COALESCE(error_message, $4), updated_at = $5 \
         WHERE provider_sid = $6 AND status_rank < $2 AND status_rank < 10 RETURNING {COLS}, {STAT_COLS}"
    ))
    .bind(status.as_str())
    .bind(status.rank())
    .bind(code)
    .bind(error)
    .bind(now_millis())
    .bind(sid)
    .fetch_optional(&mut *tx)
    .await?;
    let changed = match row {
        Some(r) => {
            stats::shift_all(&mut tx, &before, std::slice::from_ref(&r)).await?;
            Some(message(&r)?)
        }
        None => {
            // Stale or repeated status; still keep the first error code we learn of.
            if code.is_some() && before.values().any(|b| b.error_code.is_none()) {
                let rows = sqlx::query(&format!(
                    "UPDATE messages SET error_code = $1, error_message = COALESCE(error_message, $2) WHERE provider_sid = $3 AND error_code IS NULL RETURNING {STAT_COLS}"
                ))
                .bind(code)
                .bind(error)
                .bind(sid)
                .fetch_all(&mut *tx)
                .await?;
                stats::shift_all(&mut tx, &before, &rows).await?;
            }
            None
        }
    };
    tx.commit().await?;
    Ok(changed)
}

/// Records what a contact's inbound message did to the last outbound message they received
/// before it (not counting automatic replies): the first reply, an opt-out, a warm lead. Its
/// campaign, step, sender and team member get the credit in the analytics. Returns that
/// message's campaign (for the alarms), if it had one.
pub async fn attribute_inbound(conn: &mut AnyConnection, contact: ContactId, before_id: MessageId, at: Millis, opted_out: bool, warm: bool) -> Result<Option<(MessageId, Option<CampaignId>)>> {
    let last: Option<i64> = sqlx::query(
        "SELECT id FROM messages WHERE contact_id = $1 AND direction = 'out' AND id < $2 AND kind <> 'auto_reply' \
         AND (provider_sid IS NOT NULL OR status IN ('failed', 'undelivered')) ORDER BY id DESC LIMIT 1",
    )
    .bind(contact.0)
    .bind(before_id)
    .fetch_optional(&mut *conn)
    .await?
    .map(|r| get(&r, "id"))
    .transpose()?;
    let Some(id) = last else { return Ok(None) };
    let before = stats::lock(&mut *conn, "id = $1", Arg::Int(id)).await?;
    let row = sqlx::query(&format!(
        "UPDATE messages SET replied_at = COALESCE(replied_at, $1), \
         opted_out_at = CASE WHEN $2 = 1 THEN COALESCE(opted_out_at, $1) ELSE opted_out_at END, \
         warm_at = CASE WHEN $3 = 1 THEN COALESCE(warm_at, $1) ELSE warm_at END WHERE id = $4 RETURNING campaign_id, {STAT_COLS}"
    ))
    .bind(at)
    .bind(i64::from(opted_out))
    .bind(i64::from(warm))
    .bind(id)
    .fetch_one(&mut *conn)
    .await?;
    stats::shift_all(&mut *conn, &before, std::slice::from_ref(&row)).await?;
    Ok(Some((MessageId(id), get::<Option<i64>>(&row, "campaign_id")?.map(CampaignId))))
}

/// Cancels a contact's scheduled outbound messages (after an opt-out). Returns how many.
pub async fn cancel_pending(conn: &mut AnyConnection, contact: ContactId, reason: &str) -> Result<u64> {
    let r = sqlx::query(
        "UPDATE messages SET status = 'canceled', status_rank = 10, error_message = $1, updated_at = $2 \
         WHERE contact_id = $3 AND direction = 'out' AND status = 'scheduled'",
    )
    .bind(reason)
    .bind(now_millis())
    .bind(contact.0)
    .execute(&mut *conn)
    .await?;
    Ok(r.rows_affected())
}

/// Scheduled messages whose time has come.
pub async fn due_scheduled(db: &Db, now: Millis, limit: i64) -> Result<Vec<Message>> {
    let rows = sqlx::query(&format!("SELECT {COLS} FROM messages WHERE status = 'scheduled' AND send_at <= $1 ORDER BY send_at, id LIMIT $2"))
        .bind(now)
        .bind(limit)
        .fetch_all(db.pool())
        .await?;
    rows.iter().map(message).collect()
}

/// Moves a scheduled message to `queued` if it is still scheduled (one sender wins), under the
/// claim `token` until `until`.
pub async fn claim_scheduled(db: &Db, id: MessageId, token: &str, until: Millis) -> Result<bool> {
    let r = sqlx::query("UPDATE messages SET status = 'queued', status_rank = 2, lease_owner = $1, lease_until = $2, updated_at = $3 WHERE id = $4 AND status = 'scheduled'")
        .bind(token)
        .bind(until)
        .bind(now_millis())
        .bind(id)
        .execute(db.pool())
        .await?;
    Ok(r.rows_affected() == 1)
}

/// Puts a message back to `scheduled` for `send_at` (the gate deferred it again). Only a
/// message the provider never accepted can go back: `false` when it was already accepted (or
/// ended), which stays as it is and is never sent twice.
pub async fn reschedule(db: &Db, id: MessageId, send_at: Millis, decision: &str) -> Result<bool> {
    let r = sqlx::query(
        "UPDATE messages SET status = 'scheduled', status_rank = 1, send_at = $1, decision = $2, updated_at = $3 \
         , lease_owner = NULL, lease_until = NULL WHERE id = $4 AND status IN ('queued', 'scheduled') AND provider_sid IS NULL",
    )
    .bind(send_at)
    .bind(decision)
    .bind(now_millis())
    .bind(id)
    .execute(db.pool())
    .await?;
    Ok(r.rows_affected() == 1)
}

/// Takes the claim on an unsent queued message for `token` until `until`: when nobody holds it,
/// its holder's claim ran out, or `token` already holds it. Whoever holds the claim is the only
/// one who may call the provider for it.
pub async fn take_lease(db: &Db, id: MessageId, token: &str, now: Millis, until: Millis) -> Result<bool> {
    let r = sqlx::query(
        "UPDATE messages SET lease_owner = $1, lease_until = $2 WHERE id = $3 AND status = 'queued' AND provider_sid IS NULL \
         AND (lease_owner IS NULL OR lease_owner = $1 OR lease_until IS NULL OR lease_until < $4)",
    )
    .bind(token)
    .bind(until)
    .bind(id)
    .bind(now)
    .execute(db.pool())
    .await?;
    Ok(r.rows_affected() == 1)
}

/// Extends `token`'s claim right before a provider call: `false` when the claim was lost (it
/// ran out and another server took the message) or the message is no longer queued and unsent.
pub async fn renew_lease(db: &Db, id: MessageId, token: &str, until: Millis) -> Result<bool> {
    let r = sqlx::query("UPDATE messages SET lease_until = $1 WHERE id = $2 AND lease_owner = $3 AND status = 'queued' AND provider_sid IS NULL")
        .bind(until)
        .bind(id)
        .bind(token)
        .execute(db.pool())
        .await?;
    Ok(r.rows_affected() == 1)
}

/// Extends many claims at once (messages waiting in a server's send queue); returns how many
/// were still held.
pub async fn renew_leases(db: &Db, claims: &[(MessageId, String)], until: Millis) -> Result<u64> {
    let mut tx = db.begin().await?;
    let mut renewed = 0;
    for (id, token) in claims {
        let r = sqlx::query("UPDATE messages SET lease_until = $1 WHERE id = $2 AND lease_owner = $3 AND status = 'queued' AND provider_sid IS NULL")
            .bind(until)
            .bind(*id)
            .bind(token)
            .execute(&mut *tx)
            .await?;
        renewed += r.rows_affected();
    }
    tx.commit().await?;
    Ok(renewed)
}

/// Gives up `token`'s claim, letting anyone take the message from `at` on.
pub async fn release_lease(db: &Db, id: MessageId, token: &str, at: Millis) -> Result<()> {
    sqlx::query("UPDATE messages SET lease_owner = NULL, lease_until = $1 WHERE id = $2 AND lease_owner = $3")
        .bind(at)
        .bind(id)
        .bind(token)
        .execute(db.pool())
        .await?;
    Ok(())
}

/// Claims queued, unsent outbound messages whose claim ran out (their server stopped, or the
/// provider's answer was lost) for the recovery sweep. Drip steps are left to the drip runner,
/// which reaches them through their enrollment. A message written before claims existed counts
/// as unclaimed once it is `grace` old.
pub async fn claim_stale(db: &Db, token: &str, now: Millis, until: Millis, grace: Millis, limit: i64) -> Result<Vec<Message>> {
    let sql = format!(
        "UPDATE messages SET lease_owner = $1, lease_until = $2 WHERE id IN (\
         SELECT id FROM messages WHERE status = 'queued' AND provider_sid IS NULL AND direction = 'out' AND enrollment_id IS NULL \
         AND COALESCE(lease_until, updated_at + $3) < $4 ORDER BY id LIMIT $5{}) RETURNING {COLS}",
        db.backend().skip_locked()
    );
    let rows = sqlx::query(&sql).bind(token).bind(until).bind(grace).bind(now).bind(limit).fetch_all(db.pool()).await?;
    let mut out = rows.iter().map(message).collect::<Result<Vec<_>>>()?;
    out.sort_by_key(|m| m.id);
    Ok(out)
}

/// Serialises every writer of one contact's outbound messages until the transaction ends (a
/// row lock on PostgreSQL, the write lock on SQLite), so that a frequency cap counted inside
/// the transaction cannot be counted twice by two senders at once.
pub async fn lock_contact(conn: &mut AnyConnection, contact: ContactId) -> Result<bool> {
    let r = sqlx::query("UPDATE contacts SET updated_at = updated_at WHERE id = $1").bind(contact.0).execute(&mut *conn).await?;
    Ok(r.rows_affected() == 1)
}

/// [`marketing_sent_since`] inside a transaction, leaving out the message `except` (a step's
/// own unsent row is not an earlier message).
pub async fn marketing_sent_since_in(conn: &mut AnyConnection, contact: ContactId, since: Millis, except: Option<MessageId>) -> Result<Vec<Millis>> {
    let rows = sqlx::query(
        "SELECT COALESCE(send_at, created_at) AS sent FROM messages WHERE contact_id = $1 AND direction = 'out' AND marketing = 1 \
         AND status NOT IN ('scheduled', 'canceled', 'failed') AND COALESCE(send_at, created_at) >= $2 AND id <> $3 ORDER BY sent",
    )
    .bind(contact.0)
    .bind(since)
    .bind(except.map_or(0, |m| m.0))
    .fetch_all(&mut *conn)
    .await?;
    rows.iter().map(|r| get(r, "sent")).collect()
}

/// Send times of marketing messages to a contact since `since`. A deferred message counts
/// from when it went out (`send_at`), not from when it was written: one written yesterday and
/// sent an hour ago is inside today's window.
pub async fn marketing_sent_since(db: &Db, contact: ContactId, since: Millis) -> Result<Vec<Millis>> {
    let rows = sqlx::query(
        "SELECT COALESCE(send_at, created_at) AS sent FROM messages WHERE contact_id = $1 AND direction = 'out' AND marketing = 1 \
         AND status NOT IN ('scheduled', 'canceled', 'failed') AND COALESCE(send_at, created_at) >= $2 ORDER BY sent",
    )
    .bind(contact.0)
    .bind(since)
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(|r| get(r, "sent")).collect()
}

pub use super::inbox::{inbox, inbox_tuned, InboxFilter, SearchTuning};

/// Opens, closes or snoozes a conversation (`until` is required for a snooze, in the future).
pub async fn set_status(db: &Db, contact: ContactId, status: ConversationStatus, until: Option<Millis>) -> Result<()> {
    let until = match status {
        ConversationStatus::Snoozed => match until {
            Some(t) if t > now_millis() => Some(t),
            _ => return Err(StoreError::Invalid("snooze until a time in the future".into())),
        },
        _ => None,
    };
    let r = sqlx::query("UPDATE conversations SET status = $1, snoozed_until = $2 WHERE contact_id = $3")
        .bind(status.as_str())
        .bind(until)
        .bind(contact.0)
        .execute(db.pool())
        .await?;
    if r.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// A conversation's status as of now and its snooze time (open when there is none yet).
pub async fn status_of(db: &Db, contact: ContactId) -> Result<(ConversationStatus, Option<Millis>)> {
    let row = sqlx::query("SELECT status, snoozed_until FROM conversations WHERE contact_id = $1").bind(contact.0).fetch_optional(db.pool()).await?;
    Ok(match row {
        Some(r) => {
            let until: Option<Millis> = get(&r, "snoozed_until")?;
            (ConversationStatus::parse(&get::<String>(&r, "status")?).unwrap_or_default().at(until, now_millis()), until)
        }
        None => (ConversationStatus::Open, None),
    })
}

pub async fn mark_read(db: &Db, contact: ContactId) -> Result<()> {
    sqlx::query("UPDATE conversations SET unread = 0 WHERE contact_id = $1").bind(contact.0).execute(db.pool()).await?;
    Ok(())
}

pub async fn assign(db: &Db, contact: ContactId, user: Option<UserId>) -> Result<()> {
    let r = sqlx::query("UPDATE conversations SET assigned_to = $1 WHERE contact_id = $2")
        .bind(user.map(|u| u.0))
        .bind(contact.0)
        .execute(db.pool())
        .await?;
    if r.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// Assigns a contact's conversation, opening an empty one when there is none yet (a new lead
/// shows in its assignee's inbox before the first text).
pub async fn assign_opening(db: &Db, contact: ContactId, user: UserId, now: crate::Millis) -> Result<()> {
    sqlx::query(
        "INSERT INTO conversations (contact_id, assigned_to, last_message_at, unread) VALUES ($1, $2, $3, 0) \
         ON CONFLICT (contact_id) DO UPDATE SET assigned_to = excluded.assigned_to",
    )
    .bind(contact.0)
    .bind(user.0)
    .bind(now)
    .execute(db.pool())
    .await?;
    Ok(())
}

/// Assigns a contact's conversation unless someone has it already (opening an empty one when
/// there is none yet). Whether this call assigned it.
pub async fn assign_if_unassigned(db: &Db, contact: ContactId, user: UserId, now: crate::Millis) -> Result<bool> {
    let r = sqlx::query(
        "INSERT INTO conversations (contact_id, assigned_to, last_message_at, unread) VALUES ($1, $2, $3, 0) \
         ON CONFLICT (contact_id) DO UPDATE SET assigned_to = excluded.assigned_to WHERE conversations.assigned_to IS NULL",
    )
    .bind(contact.0)
    .bind(user.0)
    .bind(now)
    .execute(db.pool())
    .await?;
    Ok(r.rows_affected() == 1)
}

/// Who a conversation is assigned to (`None` when unassigned or there is no conversation yet).
pub async fn assigned_to(db: &Db, contact: ContactId) -> Result<Option<UserId>> {
    let row = sqlx::query("SELECT assigned_to FROM conversations WHERE contact_id = $1").bind(contact.0).fetch_optional(db.pool()).await?;
    Ok(match row {
        Some(r) => get::<Option<i64>>(&r, "assigned_to")?.map(UserId),
        None => None,
    })
}

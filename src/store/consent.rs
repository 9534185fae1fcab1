//! The consent ledger: append-only events, plus the contact's current state kept in step.

use super::{get, messages, Db, Result, StoreError};
use crate::message::{ConsentEvent, ConsentKind, ConsentState};
use crate::{now_millis, ContactId, UserId};
use sqlx::AnyConnection;

/// One change of consent to record.
pub struct Change<'a> {
    pub contact: ContactId,
    pub kind: ConsentKind,
    /// `keyword`, `free_text`, `carrier`, `user`, `api`.
    pub source: &'a str,
    pub message_sid: Option<&'a str>,
    pub note: Option<&'a str>,
    pub by: Option<UserId>,
}

/// Appends the event and updates the contact. An opt-out (or a flag) cancels everything
/// scheduled for the contact. Returns how many scheduled messages were canceled.
pub async fn record(conn: &mut AnyConnection, c: &Change<'_>) -> Result<u64> {
    let now = now_millis();
    sqlx::query("INSERT INTO consent_events (contact_id, kind, source, message_sid, note, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)")
        .bind(c.contact.0)
        .bind(c.kind.as_str())
        .bind(c.source)
        .bind(c.message_sid)
        .bind(c.note)
        .bind(c.by.map(|u| u.0))
        .bind(now)
        .execute(&mut *conn)
        .await?;
    let update = match c.kind {
        ConsentKind::OptOut => "UPDATE contacts SET opted_out = 1, updated_at = $1 WHERE id = $2",
        ConsentKind::OptIn => "UPDATE contacts SET opted_out = 0, flagged = 0, updated_at = $1 WHERE id = $2",
        ConsentKind::Flagged => "UPDATE contacts SET flagged = 1, updated_at = $1 WHERE id = $2",
        ConsentKind::Unflagged => "UPDATE contacts SET flagged = 0, updated_at = $1 WHERE id = $2",
    };
    let r = sqlx::query(update).bind(now).bind(c.contact.0).execute(&mut *conn).await?;
    if r.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    if c.kind == ConsentKind::OptIn {
        // They asked to hear from us again: the number's old suppression no longer applies.
        sqlx::query("DELETE FROM suppressions WHERE phone = (SELECT phone FROM contacts WHERE id = $1)").bind(c.contact.0).execute(&mut *conn).await?;
    }
    match c.kind {
        ConsentKind::OptOut => {
            // An opt-out ends the contact's enrollments in every campaign.
            super::enrollments::stop_for_contact(conn, c.contact, "opted_out", false).await?;
            messages::cancel_pending(conn, c.contact, "the contact opted out").await
        }
        ConsentKind::Flagged => messages::cancel_pending(conn, c.contact, "the contact asked not to be texted (flagged for review)").await,
        _ => Ok(0),
    }
}

/// Marks a number invalid or a landline after a permanent carrier error.
pub async fn set_number_status(db: &Db, contact: ContactId, status: crate::message::NumberStatus) -> Result<()> {
    sqlx::query("UPDATE contacts SET number_status = $1, updated_at = $2 WHERE id = $3")
        .bind(status.as_str())
        .bind(now_millis())
        .bind(contact.0)
        .execute(db.pool())
        .await?;
    Ok(())
}

pub use super::recipients::{recipient, RecipientRow};

/// The contact's consent now, with its history (oldest first).
pub async fn state(db: &Db, contact: ContactId) -> Result<ConsentState> {
    let row = sqlx::query("SELECT opted_out, flagged, number_status FROM contacts WHERE id = $1")
        .bind(contact.0)
        .fetch_optional(db.pool())
        .await?
        .ok_or(StoreError::NotFound)?;
    let events = sqlx::query("SELECT kind, source, message_sid, note, created_at FROM consent_events WHERE contact_id = $1 ORDER BY id")
        .bind(contact.0)
        .fetch_all(db.pool())
        .await?;
    let history = events
        .iter()
        .filter_map(|r| {
            let kind: String = get(r, "kind").ok()?;
            Some(Ok::<_, StoreError>(ConsentEvent {
                kind: ConsentKind::parse(&kind)?,
                source: get(r, "source").ok()?,
                message_sid: get(r, "message_sid").ok()?,
                note: get(r, "note").ok()?,
                created_at: get(r, "created_at").ok()?,
            }))
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(ConsentState {
        opted_out: get::<i64>(&row, "opted_out")? != 0,
        flagged: get::<i64>(&row, "flagged")? != 0,
        number_status: crate::message::NumberStatus::parse(&get::<String>(&row, "number_status")?),
        history,
    })
}

/// Whether the contact is opted out, inside a transaction.
pub async fn opted_out_in(conn: &mut AnyConnection, contact: ContactId) -> Result<bool> {
    let row = sqlx::query("SELECT opted_out FROM contacts WHERE id = $1").bind(contact.0).fetch_one(&mut *conn).await?;
    Ok(get::<i64>(&row, "opted_out")? != 0)
}

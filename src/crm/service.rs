//! CRM use-cases, called by the REST handlers and the server functions alike: each checks its
//! input, writes through the store and tells open pages.

use super::{check_saved_reply, check_stage_name, Board, ContactPatch, DeleteImpact, Note, SavedReply, Stage};
use crate::contact::Contact;
use crate::message::ConversationStatus;
use crate::messaging::{LiveEvent, Messenger};
use crate::store::{contacts, messages, notes, pipeline, saved_replies, StoreError};
use crate::{ContactId, Millis, UserId};

type Result<T> = std::result::Result<T, StoreError>;

/// Opens, closes or snoozes (until `until`) a conversation.
#[tracing::instrument(skip(m))]
pub async fn set_conversation_status(m: &Messenger, contact: ContactId, status: ConversationStatus, until: Option<Millis>) -> Result<()> {
    messages::set_status(&m.db, contact, status, until).await?;
    m.events.publish(LiveEvent::Conversation { contact_id: contact }).await;
    Ok(())
}

#[tracing::instrument(skip(m, patch))]
pub async fn update_contact(m: &Messenger, id: ContactId, patch: &ContactPatch) -> Result<Contact> {
    let c = contacts::update(&m.db, id, patch).await?;
    m.events.publish(LiveEvent::Contact { contact_id: id }).await;
    m.contact_activity(id, crate::messaging::Activity::Edited).await;
    Ok(c)
}

/// Deletes a contact and everything about it; an opt-out outlives it (see `store::contacts::delete`).
#[tracing::instrument(skip(m))]
pub async fn delete_contact(m: &Messenger, id: ContactId) -> Result<DeleteImpact> {
    let impact = contacts::delete(&m.db, id).await?;
    tracing::info!(?impact, "contact deleted");
    m.events.publish(LiveEvent::Contact { contact_id: id }).await;
    Ok(impact)
}

pub async fn add_note(m: &Messenger, contact: ContactId, body: &str, author: Option<UserId>) -> Result<Note> {
    let body = body.trim();
    if body.is_empty() {
        return Err(StoreError::Invalid("the note is empty".into()));
    }
    crate::limits::check("the note", body, crate::limits::NOTE).map_err(StoreError::Invalid)?;
    let n = notes::add(&m.db, contact, body, author).await?;
    m.events.publish(LiveEvent::Contact { contact_id: contact }).await;
    Ok(n)
}

pub async fn delete_note(m: &Messenger, contact: ContactId, id: i64) -> Result<()> {
    notes::delete(&m.db, contact, id).await?;
    m.events.publish(LiveEvent::Contact { contact_id: contact }).await;
    Ok(())
}

pub async fn board(m: &Messenger) -> Result<Board> {
    pipeline::board(&m.db).await
}

/// Moves a contact to a stage (`None`: off the board's stages, back to the first column).
#[tracing::instrument(skip(m))]
pub async fn set_stage(m: &Messenger, contact: ContactId, stage: Option<i64>) -> Result<()> {
    pipeline::set_stage(&m.db, contact, stage).await?;
    m.events.publish(LiveEvent::Contact { contact_id: contact }).await;
    Ok(())
}

pub async fn create_stage(m: &Messenger, name: &str) -> Result<Stage> {
    let name = check_stage_name(name).map_err(StoreError::Invalid)?;
    pipeline::create(&m.db, &name).await
}

pub async fn rename_stage(m: &Messenger, id: i64, name: &str) -> Result<()> {
    let name = check_stage_name(name).map_err(StoreError::Invalid)?;
    pipeline::rename(&m.db, id, &name).await
}

pub async fn delete_stage(m: &Messenger, id: i64) -> Result<()> {
    pipeline::delete(&m.db, id).await
}

pub async fn saved_replies(m: &Messenger) -> Result<Vec<SavedReply>> {
    saved_replies::list(&m.db).await
}

#[tracing::instrument(skip(m, body))]
pub async fn save_reply(m: &Messenger, name: &str, body: &str, by: Option<UserId>) -> Result<SavedReply> {
    check_saved_reply(name, body).map_err(StoreError::Invalid)?;
    let r = saved_replies::create(&m.db, name.trim(), body.trim(), by).await?;
    tracing::info!(id = r.id, "saved reply added");
    Ok(r)
}

pub async fn delete_reply(m: &Messenger, id: i64) -> Result<()> {
    saved_replies::delete(&m.db, id).await
}

/// A saved reply's text for `contact`, its fields filled in. A field the contact has no value
/// for (and no default) is named in the error, so the member can write it themselves.
pub async fn render_reply(m: &Messenger, id: i64, contact: ContactId) -> Result<String> {
    let reply = saved_replies::get_by_id(&m.db, id).await?;
    let (_, values) = crate::store::enrollments::send_target(&m.db, contact).await?;
    let keys = super::template_keys(&reply.body);
    let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
    let t = crate::campaign::template::Template::parse(&reply.body, &keys).map_err(|e| StoreError::Invalid(e.iter().map(ToString::to_string).collect::<Vec<_>>().join("; ")))?;
    t.render(&values).map_err(|e| StoreError::Invalid(format!("'{}' can't be used for this contact: {e}", reply.name)))
}

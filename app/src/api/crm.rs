//! CRM basics: conversation status, editing and deleting contacts, notes, the pipeline.
//! Each server function checks the session, calls one core use-case and maps its error.

use crate::error::AppError;
use leptos::prelude::*;
use server_fn::codec::Json;
use warmline::contact::Contact;
use warmline::crm::{Board, ContactPatch, DeleteImpact, Note, Stage};
use warmline::message::ConversationStatus;
use warmline::ContactId;

#[server(output = crate::api::codec::JsonText)]
pub async fn set_conversation_status(contact_id: ContactId, status: ConversationStatus, until: Option<i64>) -> Result<(), AppError> {
    use super::ssr::*;
    require_user()?;
    warmline::crm::service::set_conversation_status(&state()?.messenger, contact_id, status, until).await.or_fail()
}

#[server(input = Json, output = crate::api::codec::JsonText)]
pub async fn update_contact(id: ContactId, patch: ContactPatch) -> Result<Contact, AppError> {
    use super::ssr::*;
    require_user()?;
    warmline::crm::service::update_contact(&state()?.messenger, id, &patch).await.or_fail()
}

/// What deleting would remove, for the confirmation. Deleting is for admins.
#[server(output = crate::api::codec::JsonText)]
pub async fn contact_delete_impact(id: ContactId) -> Result<DeleteImpact, AppError> {
    use super::ssr::*;
    require_admin()?;
    warmline::store::contacts::delete_impact(&state()?.db, id).await.or_fail()
}

#[server(output = crate::api::codec::JsonText)]
pub async fn delete_contact(id: ContactId) -> Result<DeleteImpact, AppError> {
    use super::ssr::*;
    require_admin()?;
    warmline::crm::service::delete_contact(&state()?.messenger, id).await.or_fail()
}

#[server(output = crate::api::codec::JsonText)]
pub async fn contact_notes(contact_id: ContactId) -> Result<Vec<Note>, AppError> {
    use super::ssr::*;
    require_user()?;
    warmline::store::notes::for_contact(&state()?.db, contact_id).await.or_fail()
}

#[server(output = crate::api::codec::JsonText)]
pub async fn add_note(contact_id: ContactId, body: String) -> Result<Note, AppError> {
    use super::ssr::*;
    let me = require_user()?;
    warmline::crm::service::add_note(&state()?.messenger, contact_id, &body, Some(me.id)).await.or_fail()
}

#[server(output = crate::api::codec::JsonText)]
pub async fn delete_note(contact_id: ContactId, id: i64) -> Result<(), AppError> {
    use super::ssr::*;
    require_user()?;
    warmline::crm::service::delete_note(&state()?.messenger, contact_id, id).await.or_fail()
}

#[server(output = crate::api::codec::JsonText)]
pub async fn load_board() -> Result<Board, AppError> {
    use super::ssr::*;
    require_user()?;
    warmline::crm::service::board(&state()?.messenger).await.or_fail()
}

/// A contact's stage and the stages to choose from (for the contact page).
#[server(output = crate::api::codec::JsonText)]
pub async fn contact_stage(contact_id: ContactId) -> Result<(Option<i64>, Vec<Stage>), AppError> {
    use super::ssr::*;
    require_user()?;
    let db = &state()?.db;
    Ok((warmline::store::pipeline::stage_of(db, contact_id).await.or_fail()?, warmline::store::pipeline::stages(db).await.or_fail()?))
}

#[server(output = crate::api::codec::JsonText)]
pub async fn set_stage(contact_id: ContactId, stage_id: Option<i64>) -> Result<(), AppError> {
    use super::ssr::*;
    require_user()?;
    warmline::crm::service::set_stage(&state()?.messenger, contact_id, stage_id).await.or_fail()
}

#[server(output = crate::api::codec::JsonText)]
pub async fn create_stage(name: String) -> Result<Stage, AppError> {
    use super::ssr::*;
    require_admin()?;
    warmline::crm::service::create_stage(&state()?.messenger, &name).await.or_fail()
}

#[server(output = crate::api::codec::JsonText)]
pub async fn rename_stage(id: i64, name: String) -> Result<(), AppError> {
    use super::ssr::*;
    require_admin()?;
    warmline::crm::service::rename_stage(&state()?.messenger, id, &name).await.or_fail()
}

#[server(output = crate::api::codec::JsonText)]
pub async fn delete_stage(id: i64) -> Result<(), AppError> {
    use super::ssr::*;
    require_admin()?;
    warmline::crm::service::delete_stage(&state()?.messenger, id).await.or_fail()
}

/// The latest messages with a contact, oldest first (without marking them read).
#[server(output = crate::api::codec::JsonText)]
pub async fn contact_messages(contact_id: ContactId) -> Result<Vec<warmline::message::Message>, AppError> {
    use super::ssr::*;
    require_user()?;
    warmline::store::messages::for_contact(&state()?.db, contact_id, 20).await.or_fail()
}

#[server(output = crate::api::codec::JsonText)]
pub async fn saved_replies() -> Result<Vec<warmline::crm::SavedReply>, AppError> {
    use super::ssr::*;
    require_user()?;
    warmline::crm::service::saved_replies(&state()?.messenger).await.or_fail()
}

#[server(output = crate::api::codec::JsonText)]
pub async fn save_reply(name: String, body: String) -> Result<warmline::crm::SavedReply, AppError> {
    use super::ssr::*;
    let me = require_user()?;
    warmline::crm::service::save_reply(&state()?.messenger, &name, &body, Some(me.id)).await.or_fail()
}

#[server(output = crate::api::codec::JsonText)]
pub async fn delete_saved_reply(id: i64) -> Result<(), AppError> {
    use super::ssr::*;
    require_user()?;
    warmline::crm::service::delete_reply(&state()?.messenger, id).await.or_fail()
}

/// A saved reply filled in for one contact, for the composer.
#[server(output = crate::api::codec::JsonText)]
pub async fn use_saved_reply(id: i64, contact_id: ContactId) -> Result<String, AppError> {
    use super::ssr::*;
    require_user()?;
    warmline::crm::service::render_reply(&state()?.messenger, id, contact_id).await.or_fail()
}

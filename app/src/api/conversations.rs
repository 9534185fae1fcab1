//! Conversations: the inbox, a thread, sending, simulated replies, assignment.

use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use warmline::message::{ConsentState, ConversationSummary, Message};
use warmline::{ContactId, UserId};

/// Which conversations the inbox lists.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Filter {
    All,
    Mine,
    Unassigned,
}

/// What the send gate says about writing to this contact now.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GateView {
    /// False when the gate blocks: the composer is disabled with `reason`.
    pub can_send: bool,
    pub reason: Option<String>,
    /// Set when a message now would wait (quiet hours, caps) until this time.
    pub defer_until: Option<i64>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Thread {
    pub contact_id: ContactId,
    pub name: String,
    pub phone: String,
    pub phone_display: String,
    pub consent: ConsentState,
    pub messages: Vec<Message>,
    pub gate: GateView,
    pub assigned_to: Option<UserId>,
    /// Open, snoozed or closed, and until when it is snoozed.
    pub status: warmline::message::ConversationStatus,
    pub snoozed_until: Option<i64>,
    /// The built-in simulator is active: show "simulate reply".
    pub simulator: bool,
    /// The contact's drip campaigns, newest first.
    pub campaigns: Vec<ThreadCampaign>,
    /// The contact is a service provider (lead sales): its name.
    pub provider: Option<String>,
    /// The team's internal notes on the contact, shown in the thread among the messages
    /// (never sent).
    pub notes: Vec<warmline::crm::Note>,
    /// Everyone the conversation can be assigned to (loaded with the thread, so the assignee
    /// menu always agrees with `assigned_to`).
    pub team: Vec<Teammate>,
}

/// A campaign the contact is (or was) enrolled in, for the thread header.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ThreadCampaign {
    pub campaign_id: warmline::CampaignId,
    pub name: String,
    pub status: warmline::campaign::model::EnrollmentStatus,
    pub stop_reason: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Teammate {
    pub id: UserId,
    pub email: String,
}

#[server(output = crate::api::codec::JsonText)]
pub async fn inbox(filter: Filter, status: Option<warmline::message::ConversationStatus>, q: Option<String>) -> Result<Vec<ConversationSummary>, AppError> {
    use super::ssr::*;
    use warmline::store::messages::InboxFilter;
    let me = require_user()?;
    let f = match filter {
        Filter::All => InboxFilter::All,
        Filter::Mine => InboxFilter::Mine,
        Filter::Unassigned => InboxFilter::Unassigned,
    };
    if q.as_deref().is_some_and(|q| q.chars().count() > warmline::limits::SEARCH) {
        return fail(AppError::Invalid(format!("the search is longer than {} characters", warmline::limits::SEARCH)));
    }
    warmline::store::messages::inbox(&state()?.db, f, status, me.id, q.as_deref(), 200).await.or_fail()
}

#[server(output = crate::api::codec::JsonText)]
pub async fn get_thread(contact_id: ContactId) -> Result<Thread, AppError> {
    use super::ssr::*;
    use warmline::gate::decision::Decision;
    require_user()?;
    let state = state()?;
    let db = &state.db;
    let contact = warmline::store::contacts::get_by_id(db, contact_id).await.or_fail()?;
    let consent = warmline::store::consent::state(db, contact_id).await.or_fail()?;
    let messages = warmline::store::messages::for_contact(db, contact_id, 300).await.or_fail()?;
    warmline::store::messages::mark_read(db, contact_id).await.or_fail()?;
    let assigned_to = warmline::store::messages::assigned_to(db, contact_id).await.or_fail()?;
    let (status, snoozed_until) = warmline::store::messages::status_of(db, contact_id).await.or_fail()?;
    let decision = state.messenger.preview(contact_id, false, chrono::Utc::now()).await.or_fail()?;
    let gate = match decision {
        Decision::Send => GateView { can_send: true, reason: None, defer_until: None },
        Decision::DeferUntil { until_ms, reason } => GateView { can_send: true, reason: Some(reason), defer_until: Some(until_ms) },
        Decision::Block { reason } => GateView { can_send: false, reason: Some(reason.to_string()), defer_until: None },
    };
    let mut conn = db.pool().acquire().await.map_err(warmline::store::StoreError::from).or_fail()?;
    let provider = warmline::store::unlock::provider_by_contact(&mut conn, contact_id).await.or_fail()?.map(|p| p.name);
    drop(conn);
    let notes = warmline::store::notes::for_contact(db, contact_id).await.or_fail()?;
    let team = warmline::store::users::list(db).await.or_fail()?.into_iter().map(|u| Teammate { id: u.id, email: u.email }).collect();
    Ok(Thread {
        notes,
        team,
        contact_id,
        name: contact.display_name(),
        provider,
        phone: contact.phone.to_string(),
        phone_display: contact.phone.display(),
        consent,
        messages,
        gate,
        assigned_to,
        status,
        snoozed_until,
        simulator: state.config.sms_provider == warmline::config::SmsProvider::Simulator,
        campaigns: warmline::store::enrollments::for_contact(db, contact_id)
            .await
            .or_fail()?
            .into_iter()
            .map(|(name, e)| ThreadCampaign { campaign_id: e.campaign_id, name, status: e.status, stop_reason: e.stop_reason })
            .collect(),
    })
}

#[server(output = crate::api::codec::JsonText)]
pub async fn send_message(contact_id: ContactId, body: String) -> Result<Message, AppError> {
    use super::ssr::*;
    use warmline::messaging::manual::ManualSend;
    let me = require_user()?;
    let state = state()?;
    let m = ManualSend { body: &body, marketing: false, by: Some(me.id), idempotency_key: None };
    state.messenger.send_to_contact(contact_id, &m).await.map(|r| r.message).or_fail()
}

/// "New message" to any number: creates the contact when new, sends, returns the contact.
#[server(output = crate::api::codec::JsonText)]
pub async fn start_conversation(phone: String, body: String) -> Result<ContactId, AppError> {
    use super::ssr::*;
    use warmline::messaging::manual::ManualSend;
    let me = require_user()?;
    let state = state()?;
    let m = ManualSend { body: &body, marketing: false, by: Some(me.id), idempotency_key: None };
    let (contact, _) = state.messenger.send_to_number(&phone, state.config.default_region, &m).await.or_fail()?;
    Ok(contact)
}

/// Plays the contact in simulator mode: the text goes through the same inbound path as a
/// real Twilio webhook (stored event, keywords, consent, auto-replies).
#[server(output = crate::api::codec::JsonText)]
pub async fn simulate_reply(contact_id: ContactId, body: String) -> Result<(), AppError> {
    use super::ssr::*;
    require_user()?;
    let state = state()?;
    if state.config.sms_provider != warmline::config::SmsProvider::Simulator {
        return fail(AppError::Invalid("replies can only be simulated with SMS_PROVIDER=simulator".into()));
    }
    if body.trim().is_empty() {
        return fail(AppError::Invalid("type the contact's reply first".into()));
    }
    let contact = warmline::store::contacts::get_by_id(&state.db, contact_id).await.or_fail()?;
    let sid = warmline::providers::simulator::new_sid();
    let payload = warmline::messaging::inbound::simulated_payload(&sid, contact.phone.as_str(), &body);
    let key = format!("sms:{sid}");
    let new = state.messenger.accept_webhook(warmline::message::WebhookKind::TwilioSms, &key, Some(&sid), &payload).await.or_fail()?;
    debug_assert!(new);
    Ok(())
}

#[server(output = crate::api::codec::JsonText)]
pub async fn assign_conversation(contact_id: ContactId, user_id: Option<UserId>) -> Result<(), AppError> {
    use super::ssr::*;
    let me = require_user()?;
    state()?.routing.assign(&me, contact_id, user_id).await.or_fail()
}

/// The business name and time zone (Settings → Business).
#[server(output = crate::api::codec::JsonText)]
pub async fn business_settings() -> Result<warmline::org::Business, AppError> {
    use super::ssr::*;
    require_user()?;
    warmline::org::business(&state()?.messenger).await.or_fail()
}

#[server(output = crate::api::codec::JsonText)]
pub async fn save_business_settings(business_name: String, timezone: String) -> Result<warmline::org::Business, AppError> {
    use super::ssr::*;
    require_admin()?;
    warmline::org::save_business(&state()?.messenger, &business_name, &timezone).await.or_fail()
}

/// The automatic reply texts (STOP, START, HELP, warm lead) and the interest keywords as
/// (key, value) pairs.
#[server(output = crate::api::codec::JsonText)]
pub async fn reply_settings() -> Result<Vec<(String, String)>, AppError> {
    use super::ssr::*;
    require_user()?;
    warmline::messaging::replies::reply_settings(&state()?.db).await.or_fail()
}

#[server(output = crate::api::codec::JsonText)]
pub async fn save_reply_settings(
    reply_opt_out: String,
    reply_opt_in: String,
    reply_help: String,
    reply_warm_lead: String,
    interest_keywords: String,
) -> Result<(), AppError> {
    use super::ssr::*;
    require_admin()?;
    let r = warmline::messaging::replies::ReplySettings { opt_out: &reply_opt_out, opt_in: &reply_opt_in, help: &reply_help, warm_lead: &reply_warm_lead, interest_keywords: &interest_keywords };
    warmline::messaging::replies::save_reply_settings(&state()?.db, &r).await.or_fail()
}

/// A contact's consent state and ledger.
#[server(output = crate::api::codec::JsonText)]
pub async fn contact_consent(contact_id: ContactId) -> Result<ConsentState, AppError> {
    use super::ssr::*;
    require_user()?;
    warmline::store::consent::state(&state()?.db, contact_id).await.or_fail()
}

/// A person reviewed a free-text opt-out flag and found it was not an opt-out.
#[server(output = crate::api::codec::JsonText)]
pub async fn clear_flag(contact_id: ContactId) -> Result<(), AppError> {
    use super::ssr::*;
    let me = require_user()?;
    state()?.messenger.clear_flag(contact_id, me.id).await.or_fail()
}

/// "Suggest a reply": a draft answer to the contact's last inbound message, for the composer.
/// It sends nothing.
#[server(output = crate::api::codec::JsonText)]
pub async fn suggest_reply(contact_id: ContactId) -> Result<warmline::approvals::ReplyDraft, AppError> {
    use super::ssr::*;
    require_user()?;
    state()?.approvals.suggest_reply(contact_id).await.or_fail()
}

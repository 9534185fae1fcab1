//! Inbound messages: stored, classified by the keyword rules, and acted on (consent ledger,
//! confirmations, help). The webhook and the simulator's "simulate reply" both end here.

use super::pipeline::OutboundRequest;
use super::{replies, LiveEvent, Messenger, MessagingError};
use crate::message::{ConsentKind, Direction, MessageKind, MessageStatus, WebhookKind};
use crate::sms::keywords::Intent;
use crate::store::{consent, messages, webhooks};
use crate::{now_millis, ContactId, E164};

/// One inbound SMS as the provider reported it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InboundSms {
    pub sid: String,
    pub from: E164,
    pub body: String,
}

impl InboundSms {
    pub fn from_params(params: &[(String, String)]) -> Option<InboundSms> {
        let field = |name: &str| params.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
        Some(InboundSms {
            sid: field("MessageSid").or_else(|| field("SmsSid"))?.to_string(),
            from: E164::parse(field("From")?).ok()?,
            body: field("Body").unwrap_or_default().to_string(),
        })
    }
}

/// What an inbound message led to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InboundOutcome {
    pub contact: ContactId,
    pub intent: Intent,
    /// False when this MessageSid was already processed.
    pub new: bool,
}

impl Messenger {
    /// Stores and acts on an inbound message. Safe to call twice with the same SID.
    #[tracing::instrument(skip(self, sms), fields(sid = %sms.sid))]
    pub async fn receive(&self, sms: &InboundSms) -> Result<InboundOutcome, MessagingError> {
        let intent = replies::keywords(&self.db).await?.classify(&sms.body);
        let mut tx = self.db.begin().await?;
        let now = now_millis();
        let contact = crate::store::contacts::ensure_for_inbound(&mut tx, &sms.from, now).await?;
        if messages::sid_seen(&mut tx, &sms.sid).await? {
            return Ok(InboundOutcome { contact, intent, new: false });
        }
        let msg = messages::insert(
            &mut tx,
            &messages::NewMessage {
                contact_id: contact,
                direction: Direction::In,
                body: &sms.body,
                status: MessageStatus::Received,
                provider_sid: Some(&sms.sid),
                kind: MessageKind::Inbound,
                marketing: false,
                decision: None,
                send_at: None,
                sent_by: None,
                outbox: None,
                outbox_key: None,
                sender: None,
                lease: None,
            },
        )
        .await?;
        // A second STOP from someone already opted out is logged but not confirmed again.
        let already_opted_out = consent::opted_out_in(&mut tx, contact).await?;
        // A service provider's Y/N (or anything naming a lead) answers a lead offer: routed to
        // lead unlock before warm-lead and free-text handling. STOP, START and HELP keep their
        // global meaning.
        let provider = crate::store::unlock::provider_by_contact(&mut tx, contact).await?;
        let lead_reply = provider.is_some() && !matches!(intent, Intent::OptOut | Intent::OptIn | Intent::Help) && crate::unlock::reply::parse(&sms.body).is_lead_response();
        let consent_change = match intent {
            Intent::OptOut => Some((ConsentKind::OptOut, "keyword")),
            Intent::OptIn => Some((ConsentKind::OptIn, "keyword")),
            Intent::SoftOptOut if !lead_reply => Some((ConsentKind::Flagged, "free_text")),
            _ => None,
        };
        if let Some((kind, source)) = consent_change {
            let note = format!("\"{}\"", sms.body.chars().take(160).collect::<String>());
            consent::record(&mut tx, &consent::Change { contact, kind, source, message_sid: Some(&sms.sid), note: Some(&note), by: None }).await?;
        }
        // YES (or another interest keyword) to a farming message makes a warm lead, once.
        let warm = !lead_reply && intent == Intent::Interest && !already_opted_out && crate::store::farming::record_warm_lead(&mut tx, contact, msg.id, &sms.body, now).await?;
        let action = match intent {
            Intent::OptOut => "opt_out",
            Intent::OptIn => "opt_in",
            Intent::Help => "help",
            _ if lead_reply => "lead_reply",
            Intent::SoftOptOut => "flagged",
            _ if warm => "warm_lead",
            _ => "none",
        };
        crate::store::farming::log_inbound(&mut tx, contact, msg.id, &sms.body, &format!("{intent:?}").to_lowercase(), action).await?;
        // The reply (opt-out, warm lead) counts for the message it answers, in the analytics.
        let answered = messages::attribute_inbound(&mut tx, contact, msg.id, now, intent == Intent::OptOut && !already_opted_out, warm).await?;
        // A reply ends the contact's enrollments in campaigns that stop on reply (an opt-out
        // already ended all of them).
        let stopped = if intent == Intent::OptOut { Vec::new() } else { crate::store::enrollments::stop_for_contact(&mut tx, contact, "replied", true).await? };
        tx.commit().await?;
        tracing::info!(contact = %contact, ?intent, stopped_campaigns = stopped.len(), "inbound message");
        for campaign_id in stopped {
            self.events.publish(LiveEvent::Campaign { campaign_id }).await;
        }
        self.events.publish(LiveEvent::Message { contact_id: contact, message_id: msg.id }).await;
        if consent_change.is_some() {
            self.events.publish(LiveEvent::Consent { contact_id: contact }).await;
        }
        if intent == Intent::OptOut {
            if let Some((message_id, _)) = answered {
                self.check_alarms(message_id).await;
            }
        }
        let reply_key = match intent {
            Intent::OptOut if already_opted_out => None,
            Intent::OptOut => Some(replies::OPT_OUT_REPLY),
            Intent::OptIn => Some(replies::OPT_IN_REPLY),
            Intent::Help => Some(replies::HELP_REPLY),
            _ => None,
        };
        if warm {
            self.events.publish(LiveEvent::WarmLead { contact_id: contact }).await;
            let text = replies::text(&self.db, replies::WARM_LEAD_REPLY).await?;
            self.submit(OutboundRequest::new(contact, text, MessageKind::AutoReply).key(format!("reply-{}-warm", sms.sid))).await?;
        }
        if let Some(key) = reply_key {
            let text = replies::text(&self.db, key).await?;
            // Keyed by the inbound message, so processing it again never answers twice.
            self.submit(OutboundRequest::new(contact, text, MessageKind::AutoReply).key(format!("reply-{}", sms.sid))).await?;
        }
        if let Some(p) = provider {
            match self.provider_replies.get() {
                Some(handler) => {
                    if let Err(e) = handler.on_provider_message(p.id, sms, intent == Intent::OptOut, lead_reply).await {
                        tracing::error!(error = %e, provider = %p.id, "a provider's reply could not be applied to its lead offers");
                    }
                }
                None => tracing::warn!(provider = %p.id, "a provider replied but lead unlock is not running here"),
            }
        }
        self.contact_activity(contact, super::Activity::Inbound).await;
        Ok(InboundOutcome { contact, intent, new: true })
    }

    /// Processes a stored inbound webhook event.
    pub async fn process_inbound_event(&self, ev: &webhooks::WebhookEvent) -> Result<Option<InboundOutcome>, MessagingError> {
        let params = crate::sms::twilio_signature::parse_form(ev.payload.as_bytes());
        let Some(sms) = InboundSms::from_params(&params) else {
            tracing::warn!(event = ev.id, "inbound webhook without MessageSid or a valid From");
            webhooks::mark_processed(&self.db, ev.id).await?;
            return Ok(None);
        };
        let outcome = self.receive(&sms).await?;
        webhooks::mark_processed(&self.db, ev.id).await?;
        Ok(Some(outcome))
    }

    /// Processes any stored webhook event by its source.
    pub async fn process_event(&self, ev: &webhooks::WebhookEvent) -> Result<(), MessagingError> {
        match ev.source {
            WebhookKind::TwilioSms => self.process_inbound_event(ev).await.map(|_| ()),
            WebhookKind::TwilioStatus => self.process_status_event(ev).await.map(|_| ()),
        }
    }

    /// Stores a webhook payload (deduplicated), then processes it. Returns false for a retry of
    /// an event already stored. An event whose processing fails stays stored and the recovery
    /// sweep retries it within seconds.
    ///
    /// A sender's inbound messages are processed one at a time, and its earlier messages still
    /// pending are processed first: a START and a STOP seconds apart apply in arrival order.
    /// Different senders' messages are processed in parallel.
    pub async fn accept_webhook(&self, source: WebhookKind, dedupe_key: &str, sid: Option<&str>, payload: &str) -> Result<bool, MessagingError> {
        let Some(id) = webhooks::store(&self.db, source, dedupe_key, sid, payload).await? else {
            return Ok(false);
        };
        let Some(ev) = webhooks::get_by_id(&self.db, id).await? else { return Ok(true) };
        let inbound = source == WebhookKind::TwilioSms;
        let sender = if inbound { super::recovery::sender_of(&ev) } else { None };
        let _turn = if inbound { Some(self.inbound_turn(sender.as_deref()).await) } else { None };
        if inbound {
            for earlier in webhooks::earlier_pending(&self.db, source, id, 1000).await? {
                if super::recovery::sender_of(&earlier) != sender || earlier.attempts >= super::recovery::MAX_WEBHOOK_ATTEMPTS {
                    continue;
                }
                if let Err(e) = self.process_event(&earlier).await {
                    tracing::warn!(error = %e, event = earlier.id, "an earlier message from this sender still fails; this one waits for the sweep");
                    webhooks::mark_waiting(&self.db, earlier.id, &e.to_string()).await?;
                    webhooks::mark_waiting(&self.db, id, "waiting for an earlier message from the same sender").await?;
                    return Ok(true);
                }
            }
        }
        if let Err(e) = self.process_event(&ev).await {
            tracing::error!(error = %e, event = id, "webhook processing failed; the recovery sweep retries it");
            webhooks::mark_waiting(&self.db, id, &e.to_string()).await?;
        }
        Ok(true)
    }
}

/// A Twilio-shaped inbound payload for the simulator's "simulate reply".
pub fn simulated_payload(sid: &str, from: &str, body: &str) -> String {
    let enc = crate::url::encode_component;
    format!(
        "ToCountry=US&SmsMessageSid={sid}&NumMedia=0&SmsSid={sid}&SmsStatus=received&Body={}&To=simulator&NumSegments=1&MessageSid={sid}&AccountSid=simulator&From={}&ApiVersion=2010-04-01",
        enc(body),
        enc(from)
    )
}

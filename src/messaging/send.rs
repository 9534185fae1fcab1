//! The one send gate. Every outbound path calls [`Messenger::send`]: the gate decides send /
//! defer / block, the decision is stored with the message, and sending goes through the shared
//! rate limiter with bounded, jittered retries for transient provider errors.

use super::{LiveEvent, Messenger, MessagingError};
use crate::gate::decision::{decide, Decision, Recipient};
use crate::message::{ConsentKind, Direction, Message, MessageKind, MessageStatus};
use crate::providers::{backoff, Accepted, SendError};
use crate::store::{consent, messages};
use crate::{ContactId, UserId, E164};

/// Longest message body accepted (Twilio's limit is 1,600 characters).
pub const MAX_BODY_CHARS: usize = 1600;

/// An outbound message to send through the gate.
#[derive(Clone, Debug)]
pub struct Outbound<'a> {
    pub contact: ContactId,
    pub body: &'a str,
    pub kind: MessageKind,
    /// Marketing messages count against frequency caps.
    pub marketing: bool,
    pub by: Option<UserId>,
    /// A unique key for batch sends: a second send with the same key is refused, so a resumed
    /// batch never stores a message twice.
    pub outbox_key: Option<&'a str>,
}

/// The stored message and what the gate decided.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SendResult {
    pub message: Message,
    pub decision: Decision,
}

pub fn check_body(body: &str) -> Result<(), MessagingError> {
    if body.trim().is_empty() {
        return Err(MessagingError::Invalid("the message is empty".into()));
    }
    if body.chars().count() > MAX_BODY_CHARS {
        return Err(MessagingError::Invalid(format!("the message is longer than {MAX_BODY_CHARS} characters")));
    }
    Ok(())
}

impl Messenger {
    /// What the gate would decide for this contact right now.
    pub async fn gate(&self, contact: ContactId, marketing: bool, now: chrono::DateTime<chrono::Utc>) -> Result<(E164, Decision), MessagingError> {
        let c = consent::recipient(&self.db, contact).await?;
        let since = now.timestamp_millis() - 24 * 3600 * 1000;
        let recent = if marketing { messages::marketing_sent_since(&self.db, contact, since).await? } else { Vec::new() };
        let r = Recipient {
            phone: &c.phone,
            timezone: c.timezone.as_deref(),
            opted_out: c.opted_out,
            flagged: c.flagged,
            invalid: c.number_status == "invalid",
            landline: c.number_status == "landline",
            recent_marketing_ms: &recent,
        };
        let decision = decide(&self.rules.get(), &r, marketing, now);
        Ok((c.phone, decision))
    }

    /// Sends (or schedules, or refuses) one message. Sending itself runs in the background:
    /// the message comes back `queued` and live events report its progress.
    #[tracing::instrument(skip(self, out), fields(contact = %out.contact, kind = ?out.kind))]
    pub async fn send(&self, out: Outbound<'_>) -> Result<SendResult, MessagingError> {
        self.send_with(out, false).await
    }

    /// Like [`send`](Self::send), but returns only once the provider has answered (or the gate
    /// deferred or blocked the message). Batch senders use it so that "done" means sent, and a
    /// restart leaves at most the one message in flight to reconcile.
    pub async fn send_and_wait(&self, out: Outbound<'_>) -> Result<SendResult, MessagingError> {
        self.send_with(out, true).await
    }

    async fn send_with(&self, out: Outbound<'_>, wait: bool) -> Result<SendResult, MessagingError> {
        check_body(out.body)?;
        let (phone, decision) = if out.kind == MessageKind::AutoReply {
            // Keyword confirmations (STOP, START, HELP) are required answers: they skip
            // consent, quiet hours and caps, but still respect the rate limit.
            (consent::recipient(&self.db, out.contact).await?.phone, Decision::Send)
        } else {
            self.gate(out.contact, out.marketing, chrono::Utc::now()).await?
        };
        let decision_json = serde_json::to_string(&decision).ok();
        let (status, send_at) = match &decision {
            Decision::Send => (MessageStatus::Queued, None),
            Decision::DeferUntil { until_ms, .. } => (MessageStatus::Scheduled, Some(*until_ms)),
            Decision::Block { .. } => (MessageStatus::Canceled, None),
        };
        let mut conn = self.db.pool().acquire().await?;
        let mut message = messages::insert(
            &mut conn,
            &messages::NewMessage {
                contact_id: out.contact,
                direction: Direction::Out,
                body: out.body,
                status,
                provider_sid: None,
                kind: out.kind,
                marketing: out.marketing,
                decision: decision_json,
                send_at,
                sent_by: out.by,
                outbox: None,
                outbox_key: out.outbox_key,
            },
        )
        .await?;
        drop(conn);
        if let Decision::Block { reason } = &decision {
            message = messages::mark_failed(&self.db, message.id, MessageStatus::Canceled, None, &format!("not sent: {reason}")).await?;
        }
        tracing::info!(message = message.id, decision = ?decision, "outbound message");
        self.events.publish(LiveEvent::Message { contact_id: out.contact, message_id: message.id }).await;
        if decision == Decision::Send {
            if wait {
                self.dispatch(message.clone(), phone).await;
            } else {
                let this = self.clone();
                let queued = message.clone();
                tokio::spawn(async move { this.dispatch(queued, phone).await });
            }
        }
        Ok(SendResult { message, decision })
    }

    /// Hands a queued message to the provider: rate limited, retried while transient.
    #[tracing::instrument(skip(self, message, to), fields(message = message.id))]
    pub async fn dispatch(&self, message: Message, to: E164) {
        match self.provider_send(&to, None, &message.body, self.retry.max_attempts).await {
            Ok(accepted) => {
                if let Err(e) = self.record_accepted(message.id, &accepted).await {
                    tracing::error!(error = %e, sid = %accepted.sid, "provider accepted the message but recording it failed");
                }
            }
            Err(e) if e.is_unknown() => {
                // Not failed: it may have gone out. It stays queued; reconciliation asks the
                // provider before anything is sent again.
                tracing::warn!(error = %e, "send outcome unknown; left queued for reconciliation");
            }
            Err(e) => {
                tracing::warn!(error = %e, "send failed");
                self.record_failure(&message, &e).await;
            }
        }
    }

    /// One provider call through the shared rate limiter, retried with jittered backoff while
    /// the error is transient, at most `max_attempts` times in all. `from` overrides the
    /// configured sender (a campaign's own number); the one rate limiter paces every sender.
    pub async fn provider_send(&self, to: &E164, from: Option<&E164>, body: &str, max_attempts: u32) -> Result<Accepted, SendError> {
        Ok(self.provider_send_if(to, from, body, max_attempts, &Always).await?.expect("Always never cancels"))
    }

    /// [`provider_send`](Self::provider_send) that asks `check` right before each provider call
    /// (after the rate limiter let it through, which can take a while): `Ok(None)` when the
    /// check said the message is no longer wanted, and nothing was sent.
    ///
    /// An unknown outcome (a timeout after the request went out, a lost answer) is never resent
    /// blindly: the provider is asked first (`find_sent`), and a message it has is adopted.
    pub async fn provider_send_if(&self, to: &E164, from: Option<&E164>, body: &str, max_attempts: u32, check: &dyn SendCheck) -> Result<Option<Accepted>, SendError> {
        let mut attempt = 0;
        let since = crate::now_millis();
        loop {
            self.limiter.acquire().await;
            if !check.still_wanted().await {
                return Ok(None);
            }
            match self.provider.send(to, from, body).await {
                Ok(accepted) => return Ok(Some(accepted)),
                Err(e) if e.is_unknown() => {
                    tracing::warn!(error = %e, attempt, "outcome unknown; asking the provider before any resend");
                    match self.provider.find_sent(to, body, since).await {
                        Ok(Some(found)) => {
                            tracing::info!(sid = %found.sid, "the provider has the message: adopted, not resent");
                            return Ok(Some(found));
                        }
                        Ok(None) if attempt + 1 < max_attempts => {
                            attempt += 1;
                            tokio::time::sleep(backoff(attempt, self.retry.base, self.retry.cap, rand::random::<f64>())).await;
                        }
                        // Still unknown: left for reconciliation, never marked failed.
                        Ok(None) | Err(_) => return Err(e),
                    }
                }
                Err(e) if e.is_transient() && attempt + 1 < max_attempts => {
                    let wait = match &e {
                        SendError::Transient { retry_after: Some(ra), .. } => (*ra).min(self.retry.cap),
                        _ => backoff(attempt, self.retry.base, self.retry.cap, rand::random::<f64>()),
                    };
                    tracing::warn!(error = %e, attempt, ?wait, "transient send failure; retrying");
                    attempt += 1;
                    tokio::time::sleep(wait).await;
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// A message stored as `queued` whose provider call may or may not have happened (the
    /// server stopped in between). Adopts the provider's record of it if there is one;
    /// otherwise hands it to the scheduler, which asks the gate again before sending. `false`:
    /// the provider could not be asked now (try again later; nothing changed).
    pub async fn reconcile_queued(&self, m: &Message) -> Result<bool, MessagingError> {
        if m.status != MessageStatus::Queued || m.provider_sid.is_some() {
            return Ok(true);
        }
        let to = consent::recipient(&self.db, m.contact_id).await?.phone;
        match self.provider.find_sent(&to, &m.body, m.created_at).await {
            Ok(Some(a)) if messages::find_by_sid(&self.db, &a.sid).await?.is_none() => {
                tracing::info!(message = m.id, sid = %a.sid, "reconciled a message the provider had already accepted");
                self.record_accepted(m.id, &a).await?;
            }
            Ok(_) => {
                tracing::info!(message = m.id, "the provider has no record of this message; scheduling it");
                messages::reschedule(&self.db, m.id, crate::now_millis(), &serde_json::to_string(&Decision::Send).unwrap_or_default()).await?;
            }
            Err(e) => {
                tracing::warn!(message = m.id, error = %e, "could not ask the provider about an unfinished send");
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// Records the provider's SID and status, tells open panels, applies callbacks that raced
    /// ahead, and starts the simulated carrier when there is one.
    pub async fn record_accepted(&self, message_id: i64, accepted: &Accepted) -> Result<Message, MessagingError> {
        let m = messages::mark_accepted(&self.db, message_id, &accepted.sid, accepted.status).await?;
        self.events.publish(LiveEvent::Status { contact_id: m.contact_id, message_id: m.id, status: m.status.as_str().into() }).await;
        self.replay_status_for(&accepted.sid).await;
        if self.provider.simulates_callbacks() {
            let this = self.clone();
            let sid = accepted.sid.clone();
            tokio::spawn(async move { this.play_carrier(sid).await });
        }
        Ok(m)
    }

    /// Records a failed send: consent and number state first, so once the failure is visible
    /// the gate already knows.
    pub async fn record_failure(&self, message: &Message, e: &SendError) {
        // Consent and number state first: once the failure is visible, the gate already knows.
        match e {
            SendError::OptedOut { .. } => {
                let note = "Twilio 21610: the recipient unsubscribed at the carrier";
                match self.db.pool().acquire().await {
                    Ok(mut conn) => {
                        let change = consent::Change { contact: message.contact_id, kind: ConsentKind::OptOut, source: "carrier", message_sid: None, note: Some(note), by: None };
                        if let Err(err) = consent::record(&mut conn, &change).await {
                            tracing::error!(error = %err, "could not record a carrier opt-out");
                        }
                    }
                    Err(err) => tracing::error!(error = %err, "could not record a carrier opt-out"),
                }
                self.events.publish(LiveEvent::Consent { contact_id: message.contact_id }).await;
            }
            SendError::Permanent { number_status: Some(status), .. } => {
                if let Err(err) = consent::set_number_status(&self.db, message.contact_id, status).await {
                    tracing::error!(error = %err, "could not mark the number");
                }
                self.events.publish(LiveEvent::Consent { contact_id: message.contact_id }).await;
            }
            _ => {}
        }
        if let Err(err) = messages::mark_failed(&self.db, message.id, MessageStatus::Failed, e.code(), &e.to_string()).await {
            tracing::error!(error = %err, "could not record a failed send");
        }
        self.events.publish(LiveEvent::Status { contact_id: message.contact_id, message_id: message.id, status: "failed".into() }).await;
    }

    /// Sends scheduled messages whose time has come, asking the gate again for each.
    pub async fn send_due(&self) -> Result<usize, MessagingError> {
        let now = chrono::Utc::now();
        let due = messages::due_scheduled(&self.db, now.timestamp_millis(), 100).await?;
        let mut sent = 0;
        for m in due {
            if !messages::claim_scheduled(&self.db, m.id).await? {
                continue; // another worker took it
            }
            let (phone, decision) = self.gate(m.contact_id, m.marketing, now).await?;
            match decision {
                Decision::Send => {
                    self.dispatch(m, phone).await;
                    sent += 1;
                }
                Decision::DeferUntil { until_ms, .. } => {
                    messages::reschedule(&self.db, m.id, until_ms, &serde_json::to_string(&decision).unwrap_or_default()).await?;
                }
                Decision::Block { reason } => {
                    messages::mark_failed(&self.db, m.id, MessageStatus::Canceled, None, &format!("not sent: {reason}")).await?;
                    self.events.publish(LiveEvent::Status { contact_id: m.contact_id, message_id: m.id, status: "canceled".into() }).await;
                }
            }
        }
        Ok(sent)
    }

    /// Runs [`send_due`](Self::send_due) every few seconds, for ever.
    pub async fn run_scheduler(self, every: std::time::Duration) {
        let mut tick = tokio::time::interval(every);
        loop {
            tick.tick().await;
            if let Err(e) = self.send_due().await {
                tracing::warn!(error = %e, "scheduled send pass failed");
            }
        }
    }
}

/// Asked right before a provider call whether the message should still go out (the drip runner
/// checks that its lease, the enrollment and the campaign are all still live).
#[async_trait::async_trait]
pub trait SendCheck: Send + Sync {
    async fn still_wanted(&self) -> bool;
}

/// Always sends.
pub struct Always;

#[async_trait::async_trait]
impl SendCheck for Always {
    async fn still_wanted(&self) -> bool {
        true
    }
}

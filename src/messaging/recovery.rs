//! Recovery that runs all the time, not only at start. Every few seconds each server:
//!
//! 1. retries stored webhooks whose processing failed (a database blip): inbound messages
//!    first, so an opt-out never waits behind status callbacks, then status callbacks; page by
//!    page, oldest first, with a growing backoff and at most [`MAX_WEBHOOK_ATTEMPTS`] tries.
//!    A sender's later messages wait while an earlier one fails, so STOP and START apply in the
//!    order they arrived. Status callbacks whose message never appears are closed as expired
//!    after [`STATUS_EXPIRY`] and counted;
//! 2. sends scheduled messages whose time has come (the gate decides again);
//! 3. takes over queued messages whose claim ran out (their server stopped, the send queue was
//!    full, the provider's answer was lost): the provider is asked first, and a message it has
//!    is adopted, never sent again.

use super::pipeline::OutboundRequest;
use super::policy::policy;
use super::{inbound::InboundSms, Messenger, MessagingError};
use crate::store::{messages, webhooks};
use crate::message::WebhookKind;
use crate::now_millis;
use std::collections::HashSet;
use std::time::Duration;

/// Tries of one webhook event before it is left for an operator.
pub const MAX_WEBHOOK_ATTEMPTS: i64 = 50;
/// How long a status callback may wait for its message.
pub const STATUS_EXPIRY: Duration = Duration::from_secs(6 * 3600);
const PAGE: i64 = 100;

/// What one sweep did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Sweep {
    pub webhooks_processed: usize,
    pub webhooks_failed: usize,
    pub status_expired: u64,
    pub scheduled_sent: usize,
    pub messages_recovered: usize,
}

/// The sender of a stored inbound event, when its payload names one.
pub(super) fn sender_of(ev: &webhooks::WebhookEvent) -> Option<String> {
    let params = crate::sms::twilio_signature::parse_form(ev.payload.as_bytes());
    InboundSms::from_params(&params).map(|s| s.from.as_str().to_string())
}

impl Messenger {
    /// One pass of the recovery sweep (see the module docs).
    #[tracing::instrument(skip(self))]
    pub async fn recover_once(&self) -> Result<Sweep, MessagingError> {
        let mut sweep = Sweep::default();
        self.sweep_webhooks(&mut sweep).await?;
        sweep.status_expired = webhooks::expire_unmatched(&self.db, now_millis() - STATUS_EXPIRY.as_millis() as i64).await?;
        if sweep.status_expired > 0 {
            tracing::warn!(expired = sweep.status_expired, "status callbacks whose message never appeared were closed as expired");
        }
        sweep.scheduled_sent = self.send_due().await?;
        self.sweep_messages(&mut sweep).await?;
        Ok(sweep)
    }

    async fn sweep_webhooks(&self, sweep: &mut Sweep) -> Result<(), MessagingError> {
        for source in WebhookKind::ALL {
            let mut after = 0;
            // Senders with an earlier inbound message still failing: their later ones wait.
            let mut blocked: HashSet<String> = HashSet::new();
            loop {
                let page = webhooks::pending_page(&self.db, source, after, MAX_WEBHOOK_ATTEMPTS, PAGE).await?;
                let now = now_millis();
                for ev in &page {
                    after = ev.id;
                    let sender = if source == WebhookKind::TwilioSms { sender_of(ev) } else { None };
                    if sender.as_ref().is_some_and(|s| blocked.contains(s)) {
                        continue;
                    }
                    if ev.next_attempt_at.is_some_and(|t| t > now) {
                        // Not due yet; the same sender's later messages wait for it.
                        blocked.extend(sender);
                        continue;
                    }
                    // The same turn a live webhook from this sender takes, so the two never
                    // process one sender's messages at once.
                    let _turn = match source {
                        WebhookKind::TwilioSms => Some(self.inbound_turn(sender.as_deref()).await),
                        WebhookKind::TwilioStatus => None,
                    };
                    match self.process_event(ev).await {
                        Ok(()) => sweep.webhooks_processed += 1,
                        Err(e) => {
                            sweep.webhooks_failed += 1;
                            tracing::warn!(error = %e, event = ev.id, attempts = ev.attempts + 1, "webhook still failing; retried later");
                            webhooks::mark_waiting(&self.db, ev.id, &e.to_string()).await?;
                            blocked.extend(sender);
                        }
                    }
                }
                if (page.len() as i64) < PAGE {
                    break;
                }
            }
        }
        Ok(())
    }

    async fn sweep_messages(&self, sweep: &mut Sweep) -> Result<(), MessagingError> {
        loop {
            let token = self.claim_token();
            let now = now_millis();
            let page = messages::claim_stale(&self.db, &token, now, now + self.lease.as_millis() as i64, self.lease.as_millis() as i64, PAGE).await?;
            let n = page.len();
            for m in page {
                let Some(policy) = policy(m.kind) else { continue };
                let id = m.id;
                let req = OutboundRequest::new(m.contact_id, m.body.clone(), m.kind);
                match self.resume(m, &req, policy, Some(token.clone())).await {
                    Ok(outcome) => {
                        tracing::info!(message = %id, outcome = outcome.name(), "took over an unfinished send");
                        sweep.messages_recovered += 1;
                    }
                    Err(e) => tracing::warn!(message = %id, error = %e, "could not take over an unfinished send; its claim lapses and it is tried again"),
                }
            }
            if (n as i64) < PAGE {
                return Ok(());
            }
        }
    }

    /// Runs the recovery sweep every `every`, for ever.
    pub async fn run_recovery(self, every: Duration) {
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            match self.recover_once().await {
                Ok(s) if s != Sweep::default() => tracing::debug!(?s, "recovery sweep"),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "recovery sweep failed; trying again next tick"),
            }
        }
    }
}

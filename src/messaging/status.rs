//! Status callbacks: forward-only updates, kept for later when the message isn't recorded yet,
//! and the simulator's carrier that plays them in-process.

use super::{LiveEvent, Messenger, MessagingError};
use crate::message::{Message, MessageStatus};
use crate::store::{messages, webhooks, StoreError};

/// What a status callback carries.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StatusUpdate {
    pub sid: String,
    pub status: MessageStatus,
    pub error_code: Option<i64>,
    pub error_message: Option<String>,
}

impl StatusUpdate {
    /// Reads a Twilio status callback's form fields.
    pub fn from_params(params: &[(String, String)]) -> Option<StatusUpdate> {
        let field = |name: &str| params.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
        let sid = field("MessageSid").or_else(|| field("SmsSid"))?.to_string();
        let status = MessageStatus::parse(field("MessageStatus").or_else(|| field("SmsStatus"))?)?;
        let error_code = field("ErrorCode").and_then(|c| c.trim().parse::<i64>().ok()).filter(|c| *c != 0);
        let error_message = field("ErrorMessage").map(str::to_string).filter(|m| !m.is_empty());
        Some(StatusUpdate { sid, status, error_code, error_message })
    }
}

/// How a status callback turned out.
#[derive(Clone, Debug, PartialEq)]
pub enum StatusOutcome {
    Applied(Message),
    /// Older than what we know (out of order) or a repeat: nothing changed.
    Stale,
    /// No message has this SID yet: kept, and applied when it appears.
    Waiting,
}

impl Messenger {
    /// Applies one status update and tells open panels.
    pub async fn apply_status(&self, u: &StatusUpdate) -> Result<StatusOutcome, MessagingError> {
        match messages::apply_status(&self.db, &u.sid, u.status, u.error_code, u.error_message.as_deref()).await {
            Ok(Some(m)) => {
                self.events.publish(LiveEvent::Status { contact_id: m.contact_id, message_id: m.id, status: m.status }).await;
                if m.kind == crate::message::MessageKind::Campaign {
                    let kind = match m.status {
                        MessageStatus::Delivered | MessageStatus::Read => Some("delivered"),
                        MessageStatus::Failed | MessageStatus::Undelivered => Some("failed"),
                        _ => None,
                    };
                    if let Some(kind) = kind {
                        crate::store::campaigns::record_delivery(&self.db, m.id, kind).await?;
                    }
                }
                if matches!(m.status, MessageStatus::Failed | MessageStatus::Undelivered) {
                    self.check_alarms(m.id).await;
                }
                Ok(StatusOutcome::Applied(m))
            }
            Ok(None) => Ok(StatusOutcome::Stale),
            Err(StoreError::NotFound) => Ok(StatusOutcome::Waiting),
            Err(e) => Err(e.into()),
        }
    }

    /// Processes a stored status callback; leaves it pending while its message is unknown.
    pub async fn process_status_event(&self, ev: &webhooks::WebhookEvent) -> Result<StatusOutcome, MessagingError> {
        let params = crate::sms::twilio_signature::parse_form(ev.payload.as_bytes());
        let Some(update) = StatusUpdate::from_params(&params) else {
            webhooks::mark_processed(&self.db, ev.id).await?;
            tracing::warn!(event = ev.id, "status callback without a usable MessageSid/MessageStatus");
            return Ok(StatusOutcome::Stale);
        };
        let outcome = self.apply_status(&update).await?;
        match outcome {
            StatusOutcome::Waiting => webhooks::mark_waiting(&self.db, ev.id, "message not recorded yet").await?,
            _ => webhooks::mark_processed(&self.db, ev.id).await?,
        }
        Ok(outcome)
    }

    /// Applies callbacks that arrived before the message with this SID was recorded.
    pub async fn replay_status_for(&self, sid: &str) {
        match webhooks::pending_for_sid(&self.db, sid).await {
            Ok(events) => {
                for ev in events {
                    if let Err(e) = self.process_status_event(&ev).await {
                        tracing::warn!(error = %e, event = ev.id, "replaying a status callback failed");
                    }
                }
            }
            Err(e) => tracing::warn!(error = %e, "could not look up waiting status callbacks"),
        }
    }

    /// The simulator's carrier: `sent`, then `delivered`, through the real status code.
    pub async fn play_carrier(&self, sid: String) {
        for (wait, status) in [(self.simulator.to_sent, MessageStatus::Sent), (self.simulator.to_delivered, MessageStatus::Delivered)] {
            tokio::time::sleep(wait).await;
            let u = StatusUpdate { sid: sid.clone(), status, error_code: None, error_message: None };
            if let Err(e) = self.apply_status(&u).await {
                tracing::warn!(error = %e, "simulated status update failed");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect()
    }

    #[test]
    fn reads_twilio_status_fields() {
        let u = StatusUpdate::from_params(&p(&[("MessageSid", "SM1"), ("MessageStatus", "undelivered"), ("ErrorCode", "30003")])).unwrap();
        assert_eq!(u.status, MessageStatus::Undelivered);
        assert_eq!(u.error_code, Some(30003));
        let legacy = StatusUpdate::from_params(&p(&[("SmsSid", "SM2"), ("SmsStatus", "sent")])).unwrap();
        assert_eq!(legacy.sid, "SM2");
        assert!(StatusUpdate::from_params(&p(&[("MessageSid", "SM3")])).is_none());
        assert!(StatusUpdate::from_params(&p(&[("MessageSid", "SM3"), ("MessageStatus", "bogus")])).is_none());
    }
}

//! SMS providers: one trait, a thin Twilio client and the built-in simulator.

pub mod simulator;
pub mod twilio;

use crate::message::MessageStatus;
use crate::E164;
use std::time::Duration;

/// What the provider said when it took the message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Accepted {
    pub sid: String,
    pub status: MessageStatus,
}

/// Why a send failed, classified by what Warmline must do next.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SendError {
    /// 21610: the recipient unsubscribed at the carrier. Record the opt-out; never retry.
    #[error("the recipient has opted out at the carrier (Twilio {code}): {message}")]
    OptedOut { code: i64, message: String },
    /// The number can't receive this (invalid, landline, blocked). Mark it; don't retry.
    #[error("permanent failure (Twilio {code}): {message}")]
    Permanent { code: i64, message: String, number_status: Option<crate::message::NumberStatus> },
    /// Worth retrying with backoff: 429/20429, 5xx, timeouts, connection errors.
    #[error("temporary failure: {message}")]
    Transient { code: Option<i64>, message: String, retry_after: Option<Duration> },
    /// The request may have reached the provider but its answer did not come back (a timeout
    /// after connecting, a lost response). Never "failed": ask the provider (`find_sent`)
    /// before any resend.
    #[error("outcome unknown: {message}")]
    Unknown { message: String },
    /// Bad configuration or a request Twilio rejected for another reason; not retried.
    #[error("send rejected (Twilio {code:?}): {message}")]
    Rejected { code: Option<i64>, message: String },
}

impl SendError {
    /// Maps a Twilio error code (and HTTP status) to the action it calls for.
    pub fn from_twilio(http_status: u16, code: Option<i64>, message: String) -> SendError {
        match code {
            Some(21610) => SendError::OptedOut { code: 21610, message },
            Some(21211) | Some(30005) => SendError::Permanent { code: code.unwrap_or_default(), message, number_status: Some(crate::message::NumberStatus::Invalid) },
            Some(21614) | Some(30006) => SendError::Permanent { code: code.unwrap_or_default(), message, number_status: Some(crate::message::NumberStatus::Landline) },
            Some(c @ (30003 | 30004)) => SendError::Permanent { code: c, message, number_status: Some(crate::message::NumberStatus::Invalid) },
            Some(20429) => SendError::Transient { code, message, retry_after: None },
            _ if http_status == 429 || http_status >= 500 => SendError::Transient { code, message, retry_after: None },
            _ => SendError::Rejected { code, message },
        }
    }

    pub fn is_transient(&self) -> bool {
        matches!(self, SendError::Transient { .. })
    }

    pub fn is_unknown(&self) -> bool {
        matches!(self, SendError::Unknown { .. })
    }

    pub fn code(&self) -> Option<i64> {
        match self {
            SendError::OptedOut { code, .. } | SendError::Permanent { code, .. } => Some(*code),
            SendError::Transient { code, .. } | SendError::Rejected { code, .. } => *code,
            SendError::Unknown { .. } => None,
        }
    }
}

/// Sends one SMS. Implementations must be cheap to share (`Arc<dyn SmsProvider>`).
#[async_trait::async_trait]
pub trait SmsProvider: Send + Sync + 'static {
    fn name(&self) -> &'static str;
    /// Sends `body` to `to`, from `from` when given (a campaign's own number), otherwise from
    /// the configured sender.
    async fn send(&self, to: &E164, from: Option<&E164>, body: &str) -> Result<Accepted, SendError>;
    /// Looks for a message this account already sent to `to` with exactly `body`, created at or
    /// after `since_ms`. The drip runner asks before resending a step whose earlier attempt
    /// may have reached the provider without its answer being recorded (a crash or a timeout).
    async fn find_sent(&self, _to: &E164, _body: &str, _since_ms: i64) -> Result<Option<Accepted>, SendError> {
        Ok(None)
    }
    /// Whether status callbacks are simulated in-process (the simulator) rather than sent by the provider.
    fn simulates_callbacks(&self) -> bool {
        false
    }
}

/// Exponential backoff with full jitter: a random wait in [0, base·2^attempt], capped.
pub fn backoff(attempt: u32, base: Duration, cap: Duration, jitter: f64) -> Duration {
    let exp = base.saturating_mul(1u32 << attempt.min(16));
    exp.min(cap).mul_f64(jitter.clamp(0.0, 1.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn twilio_codes_are_classified() {
        assert!(matches!(SendError::from_twilio(400, Some(21610), "x".into()), SendError::OptedOut { .. }));
        assert!(matches!(SendError::from_twilio(400, Some(21211), "x".into()), SendError::Permanent { number_status: Some(crate::message::NumberStatus::Invalid), .. }));
        assert!(matches!(SendError::from_twilio(400, Some(21614), "x".into()), SendError::Permanent { number_status: Some(crate::message::NumberStatus::Landline), .. }));
        for c in 30003..=30006 {
            assert!(matches!(SendError::from_twilio(400, Some(c), "x".into()), SendError::Permanent { .. }), "{c}");
        }
        assert!(SendError::from_twilio(429, Some(20429), "x".into()).is_transient());
        assert!(SendError::from_twilio(429, None, "x".into()).is_transient());
        assert!(SendError::from_twilio(503, None, "x".into()).is_transient());
        assert!(matches!(SendError::from_twilio(401, Some(20003), "x".into()), SendError::Rejected { .. }));
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        let base = Duration::from_millis(100);
        let cap = Duration::from_secs(5);
        assert_eq!(backoff(0, base, cap, 1.0), Duration::from_millis(100));
        assert_eq!(backoff(3, base, cap, 1.0), Duration::from_millis(800));
        assert_eq!(backoff(10, base, cap, 1.0), cap);
        assert_eq!(backoff(3, base, cap, 0.5), Duration::from_millis(400));
    }
}

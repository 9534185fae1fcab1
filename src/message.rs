//! Messages, their delivery status, conversations and the consent ledger.

use crate::{ContactId, Millis, UserId, E164};
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    In,
    Out,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::In => "in",
            Direction::Out => "out",
        }
    }
    pub fn parse(s: &str) -> Direction {
        if s == "in" {
            Direction::In
        } else {
            Direction::Out
        }
    }
}

/// Where a message is in its life. Outbound status only moves forward (by [`rank`](Self::rank)),
/// so out-of-order callbacks can't regress it; the failure states are terminal.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MessageStatus {
    /// Inbound message.
    Received,
    /// Deferred by the send gate (quiet hours, caps); goes out at `send_at`.
    Scheduled,
    Queued,
    Sending,
    Sent,
    Delivered,
    Read,
    Undelivered,
    Failed,
    /// Stopped by the send gate or an opt-out before it was sent.
    Canceled,
}

impl MessageStatus {
    pub const ALL: [MessageStatus; 10] = [
        MessageStatus::Received,
        MessageStatus::Scheduled,
        MessageStatus::Queued,
        MessageStatus::Sending,
        MessageStatus::Sent,
        MessageStatus::Delivered,
        MessageStatus::Read,
        MessageStatus::Undelivered,
        MessageStatus::Failed,
        MessageStatus::Canceled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            MessageStatus::Received => "received",
            MessageStatus::Scheduled => "scheduled",
            MessageStatus::Queued => "queued",
            MessageStatus::Sending => "sending",
            MessageStatus::Sent => "sent",
            MessageStatus::Delivered => "delivered",
            MessageStatus::Read => "read",
            MessageStatus::Undelivered => "undelivered",
            MessageStatus::Failed => "failed",
            MessageStatus::Canceled => "canceled",
        }
    }

    /// Parses our names and Twilio's callback values (`accepted`, `scheduled`,
    /// `partially_delivered`… map onto the nearest state).
    pub fn parse(s: &str) -> Option<MessageStatus> {
        Some(match s {
            "received" | "receiving" => MessageStatus::Received,
            "scheduled" => MessageStatus::Scheduled,
            "accepted" | "queued" => MessageStatus::Queued,
            "sending" => MessageStatus::Sending,
            "sent" => MessageStatus::Sent,
            "delivered" | "partially_delivered" => MessageStatus::Delivered,
            "read" => MessageStatus::Read,
            "undelivered" => MessageStatus::Undelivered,
            "failed" => MessageStatus::Failed,
            "canceled" => MessageStatus::Canceled,
            _ => return None,
        })
    }

    /// Order for forward-only updates; terminal states rank above everything.
    pub fn rank(self) -> i64 {
        match self {
            MessageStatus::Received => 0,
            MessageStatus::Scheduled => 1,
            MessageStatus::Queued => 2,
            MessageStatus::Sending => 3,
            MessageStatus::Sent => 4,
            MessageStatus::Delivered => 5,
            MessageStatus::Read => 6,
            MessageStatus::Undelivered | MessageStatus::Failed | MessageStatus::Canceled => 10,
        }
    }

    pub fn is_terminal(self) -> bool {
        self.rank() >= 10
    }

    /// Whether a status update may replace `self`.
    pub fn can_move_to(self, next: MessageStatus) -> bool {
        !self.is_terminal() && next.rank() > self.rank()
    }
}

/// What produced an outbound message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MessageKind {
    /// Typed by a team member (or sent through the API).
    Manual,
    /// Keyword confirmations and help replies.
    AutoReply,
    Inbound,
    /// A drip campaign step.
    Campaign,
    /// A warm-lead farming batch message.
    Farming,
    /// One message to many contacts at once ("message all warm leads").
    Broadcast,
    /// An approved suggestion from the approval queue.
    Approval,
    /// A suggestion sent to the team's own test numbers before its batch is approved.
    ApprovalTest,
    /// A lead teaser to a provider, or the notice that a lead was taken.
    LeadOffer,
    /// What a provider asked for: the payment link, the client's details after payment, a
    /// refund notice. Not held for quiet hours.
    LeadUnlock,
    /// A code the contact asked for, to confirm the number they gave a lead form. Not held for
    /// quiet hours: they are waiting for it.
    Verification,
}

impl MessageKind {
    pub fn as_str(self) -> &'static str {
        match self {
            MessageKind::Manual => "manual",
            MessageKind::AutoReply => "auto_reply",
            MessageKind::Inbound => "inbound",
            MessageKind::Campaign => "campaign",
            MessageKind::Farming => "farming",
            MessageKind::Broadcast => "broadcast",
            MessageKind::Approval => "approval",
            MessageKind::ApprovalTest => "approval_test",
            MessageKind::LeadOffer => "lead_offer",
            MessageKind::LeadUnlock => "lead_unlock",
            MessageKind::Verification => "verification",
        }
    }
    pub fn parse(s: &str) -> MessageKind {
        match s {
            "auto_reply" => MessageKind::AutoReply,
            "inbound" => MessageKind::Inbound,
            "campaign" => MessageKind::Campaign,
            "farming" => MessageKind::Farming,
            "broadcast" => MessageKind::Broadcast,
            "approval" => MessageKind::Approval,
            "approval_test" => MessageKind::ApprovalTest,
            "lead_offer" => MessageKind::LeadOffer,
            "lead_unlock" => MessageKind::LeadUnlock,
            "verification" => MessageKind::Verification,
            _ => MessageKind::Manual,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Message {
    pub id: crate::MessageId,
    pub contact_id: ContactId,
    pub direction: Direction,
    pub body: String,
    pub status: MessageStatus,
    pub provider_sid: Option<String>,
    pub error_code: Option<i64>,
    pub error_message: Option<String>,
    pub segments: i64,
    pub kind: MessageKind,
    /// Counts against frequency caps.
    pub marketing: bool,
    pub send_at: Option<Millis>,
    pub sent_by: Option<UserId>,
    /// The number it goes out from when not the default one (a campaign's own number).
    #[serde(default)]
    pub sender: Option<String>,
    pub created_at: Millis,
    pub updated_at: Millis,
}

/// One row of the inbox.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ConversationSummary {
    pub contact_id: ContactId,
    pub phone: E164,
    pub name: String,
    pub last_body: String,
    pub last_direction: Direction,
    pub last_message_at: Millis,
    pub unread: i64,
    pub assigned_to: Option<UserId>,
    pub opted_out: bool,
    pub status: ConversationStatus,
    /// Set while snoozed: the conversation comes back to Open at this time.
    pub snoozed_until: Option<Millis>,
}

/// Where a conversation stands for the team. A new inbound message reopens a closed or
/// snoozed conversation; a snooze ends by itself at its time.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConversationStatus {
    #[default]
    Open,
    Snoozed,
    Closed,
}

impl ConversationStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ConversationStatus::Open => "open",
            ConversationStatus::Snoozed => "snoozed",
            ConversationStatus::Closed => "closed",
        }
    }

    pub fn parse(s: &str) -> Option<ConversationStatus> {
        Some(match s {
            "open" => ConversationStatus::Open,
            "snoozed" => ConversationStatus::Snoozed,
            "closed" => ConversationStatus::Closed,
            _ => return None,
        })
    }

    /// The status as of `now`: a snooze whose time has come is open again.
    pub fn at(self, snoozed_until: Option<Millis>, now: Millis) -> ConversationStatus {
        match (self, snoozed_until) {
            (ConversationStatus::Snoozed, Some(t)) if t <= now => ConversationStatus::Open,
            (s, _) => s,
        }
    }
}

/// Whether a contact's number can take texts, as the carrier told us.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NumberStatus {
    #[default]
    Ok,
    /// Not a working number (Twilio 21211, 30003, 30004, 30005).
    Invalid,
    /// A landline: it can't receive texts (Twilio 21614, 30006).
    Landline,
}

impl NumberStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            NumberStatus::Ok => "ok",
            NumberStatus::Invalid => "invalid",
            NumberStatus::Landline => "landline",
        }
    }

    /// The stored text; anything unknown reads as `invalid` (never sent to by mistake).
    pub fn parse(s: &str) -> NumberStatus {
        match s {
            "ok" => NumberStatus::Ok,
            "landline" => NumberStatus::Landline,
            _ => NumberStatus::Invalid,
        }
    }
}

impl std::fmt::Display for NumberStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A contact's consent as of now.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ConsentState {
    pub opted_out: bool,
    pub flagged: bool,
    pub number_status: NumberStatus,
    pub history: Vec<ConsentEvent>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConsentKind {
    OptOut,
    OptIn,
    /// Free text that read as an opt-out: suppressed pending review.
    Flagged,
    /// A person reviewed the flag and cleared it.
    Unflagged,
}

impl ConsentKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ConsentKind::OptOut => "opt_out",
            ConsentKind::OptIn => "opt_in",
            ConsentKind::Flagged => "flagged",
            ConsentKind::Unflagged => "unflagged",
        }
    }
    pub fn parse(s: &str) -> Option<ConsentKind> {
        Some(match s {
            "opt_out" => ConsentKind::OptOut,
            "opt_in" => ConsentKind::OptIn,
            "flagged" => ConsentKind::Flagged,
            "unflagged" => ConsentKind::Unflagged,
            _ => return None,
        })
    }
}

/// What a stored webhook event is: the durable inbox processes each kind its own way.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WebhookKind {
    /// An inbound SMS (Twilio's incoming-message webhook).
    TwilioSms,
    /// A delivery-status callback for a message we sent.
    TwilioStatus,
}

impl WebhookKind {
    /// Inbound messages first: an opt-out must not wait behind status callbacks.
    pub const ALL: [WebhookKind; 2] = [WebhookKind::TwilioSms, WebhookKind::TwilioStatus];

    pub fn as_str(self) -> &'static str {
        match self {
            WebhookKind::TwilioSms => "twilio_sms",
            WebhookKind::TwilioStatus => "twilio_status",
        }
    }
    pub fn parse(s: &str) -> Option<WebhookKind> {
        WebhookKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// An append-only consent ledger entry.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ConsentEvent {
    pub kind: ConsentKind,
    /// `keyword`, `free_text`, `carrier`, `user`, `api`.
    pub source: String,
    pub message_sid: Option<String>,
    pub note: Option<String>,
    pub created_at: Millis,
}

#[cfg(test)]
mod tests {

    #[test]
    fn webhook_kinds_round_trip() {
        for k in super::WebhookKind::ALL {
            assert_eq!(super::WebhookKind::parse(k.as_str()), Some(k));
        }
        assert_eq!(super::WebhookKind::parse("stripe"), None);
    }

    #[test]
    fn number_status_round_trips_and_unknown_is_not_sendable() {
        for n in [NumberStatus::Ok, NumberStatus::Invalid, NumberStatus::Landline] {
            assert_eq!(NumberStatus::parse(n.as_str()), n);
            assert_eq!(serde_json::to_string(&n).unwrap(), format!("\"{n}\""));
        }
        assert_eq!(NumberStatus::parse("disconnected"), NumberStatus::Invalid);
    }

    use super::*;

    #[test]
    fn status_moves_only_forward_and_terminal_states_stick() {
        use MessageStatus::*;
        assert!(Queued.can_move_to(Sent));
        assert!(Sent.can_move_to(Delivered));
        assert!(Queued.can_move_to(Delivered));
        assert!(!Delivered.can_move_to(Sent));
        assert!(!Delivered.can_move_to(Queued));
        assert!(Sent.can_move_to(Failed));
        assert!(!Failed.can_move_to(Delivered));
        assert!(!Undelivered.can_move_to(Read));
        assert!(!Sent.can_move_to(Sent));
    }

    #[test]
    fn twilio_status_names_parse() {
        assert_eq!(MessageStatus::parse("accepted"), Some(MessageStatus::Queued));
        assert_eq!(MessageStatus::parse("partially_delivered"), Some(MessageStatus::Delivered));
        assert_eq!(MessageStatus::parse("weird"), None);
        for s in MessageStatus::ALL {
            assert_eq!(MessageStatus::parse(s.as_str()), Some(s));
        }
    }

    #[test]
    fn consent_kinds_round_trip() {
        for k in [ConsentKind::OptOut, ConsentKind::OptIn, ConsentKind::Flagged, ConsentKind::Unflagged] {
            assert_eq!(ConsentKind::parse(k.as_str()), Some(k));
        }
    }
}

//! The approval queue: suggested messages that a person approves before they are scheduled at
//! staggered times and handed to the one outbound pipeline. Nothing in this queue is sent
//! without a person's approval, and pausing it never touches conversations, drips or farming.
//!
//! ```text
//! suggested ──approve──▶ approved ──schedule──▶ scheduled ──(due, handed to the pipeline)──▶ sent
//!     │                     │                       │                                      └──▶ failed
//!     └──reject──▶ rejected  └──────cancel──────────┴──cancel──▶ cancelled
//! ```
//!
//! The models and the state machine are shared with the browser; the planner, storage and the
//! service are server-only.

#[cfg(feature = "ssr")]
mod bulk;
#[cfg(feature = "ssr")]
pub mod export;
#[cfg(feature = "ssr")]
pub mod plan;
#[cfg(feature = "ssr")]
pub mod reply;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod test_mode;
#[cfg(feature = "ssr")]
pub mod writer;

use crate::{ContactId, MessageId, Millis};
use serde::{Deserialize, Serialize};

pub use crate::ids::{SuggestionBatchId, SuggestionId};

/// Where a suggestion is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SuggestionStatus {
    Suggested,
    Approved,
    Scheduled,
    /// Handed to the pipeline: the message it became carries the delivery status.
    Sent,
    Rejected,
    Cancelled,
    /// The pipeline gave up (blocked by an opt-out since, or refused by the provider).
    Failed,
}

impl SuggestionStatus {
    pub const ALL: [SuggestionStatus; 7] = [
        SuggestionStatus::Suggested,
        SuggestionStatus::Approved,
        SuggestionStatus::Scheduled,
        SuggestionStatus::Sent,
        SuggestionStatus::Rejected,
        SuggestionStatus::Cancelled,
        SuggestionStatus::Failed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SuggestionStatus::Suggested => "suggested",
            SuggestionStatus::Approved => "approved",
            SuggestionStatus::Scheduled => "scheduled",
            SuggestionStatus::Sent => "sent",
            SuggestionStatus::Rejected => "rejected",
            SuggestionStatus::Cancelled => "cancelled",
            SuggestionStatus::Failed => "failed",
        }
    }

    pub fn parse(s: &str) -> Option<SuggestionStatus> {
        SuggestionStatus::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// No transition leaves this state.
    pub fn is_final(self) -> bool {
        matches!(self, SuggestionStatus::Sent | SuggestionStatus::Rejected | SuggestionStatus::Cancelled | SuggestionStatus::Failed)
    }
}

/// What a person (or the scheduler) does to a suggestion.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Edit,
    /// Approve without a send time: it waits for the batch's plan.
    Approve,
    /// Give it a send time (approving it if it was only suggested).
    Schedule,
    Reject,
    Cancel,
    /// The scheduler handed it to the pipeline.
    Send,
    Fail,
}

impl Action {
    /// The event name recorded in the audit trail.
    pub fn event(self) -> &'static str {
        match self {
            Action::Edit => "edited",
            Action::Approve => "approved",
            Action::Schedule => "scheduled",
            Action::Reject => "rejected",
            Action::Cancel => "cancelled",
            Action::Send => "sent",
            Action::Fail => "failed",
        }
    }
}

/// The state machine: the state `action` leads to from `from`, or why it can't be done.
pub fn next(from: SuggestionStatus, action: Action) -> Result<SuggestionStatus, String> {
    use SuggestionStatus as S;
    let to = match (from, action) {
        (S::Suggested | S::Approved, Action::Edit) => from,
        (S::Suggested, Action::Approve) => S::Approved,
        (S::Suggested | S::Approved | S::Scheduled, Action::Schedule) => S::Scheduled,
        (S::Suggested, Action::Reject) => S::Rejected,
        (S::Suggested | S::Approved | S::Scheduled, Action::Cancel) => S::Cancelled,
        (S::Scheduled, Action::Send) => S::Sent,
        (S::Scheduled, Action::Fail) => S::Failed,
        (from, action) => {
            return Err(match action {
                Action::Reject => format!("only a suggestion not yet approved can be rejected; this one is {}", from.as_str()),
                Action::Cancel if from == S::Sent => "too late to cancel: it has been sent".to_string(),
                Action::Edit if from == S::Scheduled => "cancel it first to edit it: it is scheduled".to_string(),
                _ => format!("a {} suggestion can't be {}", from.as_str(), action.event()),
            })
        }
    };
    Ok(to)
}

/// The campaign types offered by default; a team may use its own (a short lowercase word).
pub const CAMPAIGN_TYPES: [&str; 3] = ["retention", "welcome", "vip_promo"];

/// A campaign type as given: trimmed, lowercase letters, digits and `_`, 1–40 characters.
pub fn campaign_type(s: &str) -> Result<String, String> {
    let t = s.trim().to_ascii_lowercase().replace([' ', '-'], "_");
    if t.is_empty() || t.len() > 40 || !t.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_') {
        return Err(format!("'{}' is not a campaign type: use a short word like retention, welcome or vip_promo", crate::limits::ellipsize(s, 40)));
    }
    Ok(t)
}

/// One suggested message, as shown in the queue and answered by the API.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Suggestion {
    pub id: SuggestionId,
    pub batch_id: SuggestionBatchId,
    pub contact_id: ContactId,
    pub contact_name: String,
    pub phone: String,
    pub text: String,
    pub campaign_type: String,
    /// Why this message: a JSON object.
    pub context: serde_json::Value,
    pub suggested_by: String,
    pub status: SuggestionStatus,
    pub approved_by: Option<String>,
    pub approved_at: Option<Millis>,
    pub send_at: Option<Millis>,
    pub sent_at: Option<Millis>,
    pub message_id: Option<MessageId>,
    /// A rejection's reason, or why the pipeline gave up.
    pub reason: Option<String>,
    pub created_at: Millis,
}

/// A batch with its counts per state.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SuggestionBatch {
    pub id: SuggestionBatchId,
    pub name: String,
    pub campaign_type: String,
    pub suggested_by: String,
    pub created_at: Millis,
    pub counts: Vec<(SuggestionStatus, i64)>,
}

/// One audit-trail entry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SuggestionEvent {
    pub suggestion_id: SuggestionId,
    pub kind: String,
    pub actor: String,
    pub old_text: Option<String>,
    pub new_text: Option<String>,
    pub note: Option<String>,
    pub created_at: Millis,
}

/// A suggestion to add: to a known contact or to a phone number.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NewSuggestion {
    #[serde(default)]
    pub contact_id: Option<ContactId>,
    #[serde(default)]
    pub phone: Option<String>,
    pub text: String,
    #[serde(default)]
    pub context: Option<serde_json::Value>,
}

/// A batch to add.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewBatch {
    #[serde(rename = "type")]
    pub campaign_type: String,
    #[serde(default)]
    pub name: Option<String>,
}

/// How a batch (or a campaign type) did: counts per outcome and the response rate.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// The group: a batch's name, or a campaign type.
    pub label: String,
    pub suggested: i64,
    /// Ever approved by a person (some of them may have been cancelled since).
    pub approved: i64,
    pub rejected: i64,
    pub cancelled: i64,
    pub sent: i64,
    pub failed: i64,
    /// Contacts sent to who replied within 7 days of the send.
    pub replied: i64,
    /// Contacts sent to who opted out within 7 days of the send.
    pub opted_out: i64,
}

impl Report {
    /// Contacts who replied within 7 days ÷ contacts sent; `None` before anything was sent.
    pub fn response_rate(&self) -> Option<f64> {
        (self.sent > 0).then(|| self.replied as f64 / self.sent as f64)
    }
    pub fn opt_out_rate(&self) -> Option<f64> {
        (self.sent > 0).then(|| self.opted_out as f64 / self.sent as f64)
    }
}

/// The window after a send in which a reply or an opt-out counts towards it.
pub const RESPONSE_WINDOW_MS: i64 = 7 * 86_400_000;

/// Default size of a generated batch.
pub const DEFAULT_BATCH_SIZE: u32 = 30;
/// Default window: a contact suggested by this queue within this many days is left out.
pub const DEFAULT_WINDOW_DAYS: u32 = 30;

/// A batch to generate from a segment with a template.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Generate {
    /// Who it is for: a list or a tag (or everyone) and conditions.
    pub segment: crate::segment::Segment,
    pub campaign_type: String,
    pub name: Option<String>,
    /// A template over the contact's fields (the same merge fields as campaigns).
    pub template: String,
    pub size: u32,
    pub window_days: u32,
    /// With an AI writer configured: what the messages should say. Each contact gets its own
    /// draft; the template is the fallback.
    #[serde(default)]
    pub brief: Option<String>,
}

/// Who a generation left out, by reason, as in the farming dry run.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeftOut {
    pub opted_out: i64,
    pub flagged: i64,
    /// An invalid number or a landline.
    pub unreachable: i64,
    /// Suggested by this queue within the window already.
    pub recent: i64,
    /// The template could not be filled (a field it needs is empty).
    pub template_failed: i64,
}

/// How the AI writer did in a generation.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AiOutcome {
    /// Drafts written by the AI and used.
    pub written: i64,
    /// Items that fell back to the template, and the first reason.
    pub fell_back: i64,
    pub first_reason: Option<String>,
}

/// What a generation made.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Generated {
    /// `None` when nobody was left to suggest to.
    pub batch_id: Option<SuggestionBatchId>,
    pub added: i64,
    pub left_out: LeftOut,
    /// `None` when the template wrote everything.
    pub ai: Option<AiOutcome>,
}

/// Test mode: the team's own numbers, and whether a batch needs a test send before approval.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TestMode {
    /// E.164 numbers.
    pub numbers: Vec<String>,
    pub require_test: bool,
}

/// What a test send did.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TestSent {
    /// The items sent as a test (their state unchanged).
    pub items: Vec<SuggestionId>,
    pub numbers: Vec<String>,
    /// Messages handed to the pipeline (items × numbers, less any the gate refused).
    pub sent: i64,
    /// What did not go as planned: a number in quiet hours, one refused.
    pub notes: Vec<String>,
}

/// A decision for many items at once.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum BulkDecision {
    Approve,
    Reject { reason: String },
}

/// What a bulk decision did.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BulkOutcome {
    pub done: i64,
    /// Items left as they were, and why (someone else changed them meanwhile).
    pub skipped: Vec<(SuggestionId, String)>,
}

/// A drafted reply for the conversation panel's composer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReplyDraft {
    pub text: String,
    /// `ai` or `template`.
    pub writer: String,
    /// Why the AI's draft was not used, when it wasn't.
    pub note: Option<String>,
}

/// Reports over a date range: per campaign type and per batch.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Reports {
    pub from: Millis,
    pub to: Millis,
    /// The first and last day of the period as the organisation reads them (`YYYY-MM-DD`).
    #[serde(default)]
    pub days: (String, String),
    pub by_type: Vec<Report>,
    pub by_batch: Vec<Report>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use SuggestionStatus as S;

    #[test]
    fn the_state_machine_allows_only_the_documented_moves() {
        assert_eq!(next(S::Suggested, Action::Approve), Ok(S::Approved));
        assert_eq!(next(S::Approved, Action::Schedule), Ok(S::Scheduled));
        assert_eq!(next(S::Suggested, Action::Schedule), Ok(S::Scheduled));
        assert_eq!(next(S::Scheduled, Action::Send), Ok(S::Sent));
        assert_eq!(next(S::Scheduled, Action::Fail), Ok(S::Failed));
        assert_eq!(next(S::Suggested, Action::Reject), Ok(S::Rejected));
        for s in [S::Suggested, S::Approved, S::Scheduled] {
            assert_eq!(next(s, Action::Cancel), Ok(S::Cancelled));
        }
        // Nothing is sent without approval, and nothing leaves a final state.
        assert!(next(S::Suggested, Action::Send).is_err());
        assert!(next(S::Approved, Action::Send).is_err());
        assert!(next(S::Approved, Action::Reject).is_err());
        for s in S::ALL.into_iter().filter(|s| s.is_final()) {
            for a in [Action::Edit, Action::Approve, Action::Schedule, Action::Reject, Action::Cancel, Action::Send, Action::Fail] {
                assert!(next(s, a).is_err(), "{s:?} {a:?}");
            }
        }
        assert_eq!(next(S::Sent, Action::Cancel).unwrap_err(), "too late to cancel: it has been sent");
    }

    #[test]
    fn statuses_round_trip_and_types_are_checked() {
        for s in S::ALL {
            assert_eq!(S::parse(s.as_str()), Some(s));
        }
        assert_eq!(campaign_type(" VIP promo ").unwrap(), "vip_promo");
        assert!(campaign_type("").is_err());
        assert!(campaign_type("10% off!").is_err());
    }
}

//! Live events: what the server pushes to open pages (over server-sent events; across servers
//! through PostgreSQL's `NOTIFY`). Shared with the browser, which reads each event to refetch
//! what changed, show who else is in a conversation, and notify a member of a new assignment.

use crate::ContactId;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum LiveEvent {
    /// A message was added to a conversation.
    Message { contact_id: ContactId, message_id: crate::MessageId },
    /// A message's delivery status changed.
    Status { contact_id: ContactId, message_id: crate::MessageId, status: crate::message::MessageStatus },
    /// A contact's consent changed (opt-out, opt-in, flag).
    Consent { contact_id: ContactId },
    /// A drip campaign made progress (a step went out, an enrollment changed).
    Campaign { campaign_id: crate::CampaignId },
    /// A farming batch made progress.
    Farming { batch_id: crate::FarmingBatchId },
    /// A new warm lead.
    WarmLead { contact_id: ContactId },
    /// A conversation was opened, closed or snoozed.
    Conversation { contact_id: ContactId },
    /// A contact was edited, deleted, noted or moved in the pipeline.
    Contact { contact_id: ContactId },
    /// The organisation's settings (business name, time zone) changed: every server reloads.
    Settings,
    /// The approval queue changed (items sent or failed, the queue paused or resumed).
    Approvals,
    /// A lead offer moved (teaser sent, Y, paid, revealed, expired, refunded).
    Leads,
    /// A rate alarm was raised or ended (a campaign may have been paused).
    Alarm,
    /// A contact's conversation was assigned to a member (by routing, a band action or a
    /// person); `name` is the contact's, for the assignee's notification.
    Assigned {
        contact_id: ContactId,
        user_id: crate::UserId,
        #[serde(default)]
        name: String,
    },
    /// Lead scores changed (a recompute made progress or finished).
    Scores,
    /// A member opened, is typing in, or left a conversation. Nothing is stored: the browsers
    /// with the same thread open show it, and `hello` asks them to say they are there too.
    Presence {
        contact_id: ContactId,
        user_id: crate::UserId,
        name: String,
        state: PresenceState,
        #[serde(default)]
        hello: bool,
    },
    /// The routing rules or a member's availability changed.
    Routing,
}

impl LiveEvent {
    /// Whether the event changes stored data (pages refetch on those). Presence is only shown.
    pub fn changes_data(&self) -> bool {
        !matches!(self, LiveEvent::Presence { .. })
    }
}

/// Where a member is in a conversation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PresenceState {
    Viewing,
    Typing,
    Left,
}


//! Suggestive mode in the conversation panel: "Suggest a reply" drafts an answer to the
//! contact's last inbound message into the composer. A person edits and sends it; nothing here
//! sends anything.

use super::service::Approvals;
use super::ReplyDraft;
use crate::error::{Error, Result};
use crate::message::Direction;
use crate::store::{contacts, messages};
use crate::ContactId;

/// Messages of the conversation the AI writer sees.
const HISTORY: i64 = 8;

/// The template's draft: a greeting, the business, and an answer shaped by the last message.
pub fn template_reply(first_name: &str, business: &str, last_inbound: &str) -> String {
    let hi = match first_name.trim() {
        "" => "Hi".to_string(),
        n => format!("Hi {n}"),
    };
    let body = if last_inbound.contains('?') {
        "Good question: let me check and get right back to you."
    } else {
        "Thanks for your message. Let us know if there's anything else we can help with."
    };
    format!("{hi}, {business} here. {body}")
}

impl Approvals {
    /// A draft answer to `contact`'s last inbound message: the AI writer's when one is set up
    /// (given the recent conversation), the template's otherwise or when the AI's draft fails
    /// or breaks a rule (the draft says why).
    #[tracing::instrument(skip(self))]
    pub async fn suggest_reply(&self, contact: ContactId) -> Result<ReplyDraft> {
        let c = contacts::get_by_id(self.db(), contact).await?;
        let recent = messages::for_contact(self.db(), contact, HISTORY).await?;
        let Some(last) = recent.iter().rev().find(|m| m.direction == Direction::In) else {
            return Err(Error::Conflict("there is nothing to reply to: they haven't written yet".into()));
        };
        let business = crate::messaging::replies::business_name(self.db()).await?;
        let first = c.first_name.clone().unwrap_or_default();
        let template = template_reply(&first, &business, &last.body);
        let Some(writer) = self.writer() else {
            return Ok(ReplyDraft { text: template, writer: "template".into(), note: None });
        };
        let conversation: Vec<serde_json::Value> = recent
            .iter()
            .map(|m| serde_json::json!({"from": if m.direction == Direction::In { "customer" } else { "us" }, "text": m.body}))
            .collect();
        let about = serde_json::json!({"first_name": first, "conversation": conversation});
        let rules = super::writer::Rules { business: &business, marketing: false, allow_links: false, max_chars: 320 };
        let brief = "Reply to the customer's last message in this conversation: answer it helpfully and briefly. Do not promise anything the conversation does not support.";
        Ok(match writer.draft(brief, &about, &rules).await {
            Ok(text) => ReplyDraft { text, writer: "ai".into(), note: None },
            Err(e) => {
                tracing::info!(error = %e, %contact, "AI reply not used; the template wrote it");
                ReplyDraft { text: template, writer: "template".into(), note: Some(e.to_string()) }
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::template_reply;

    #[test]
    fn the_template_answers_a_question_differently() {
        assert_eq!(template_reply("Sam", "Green Leaf", "Are you open Sunday?"), "Hi Sam, Green Leaf here. Good question: let me check and get right back to you.");
        assert!(template_reply(" ", "Green Leaf", "thanks").starts_with("Hi, Green Leaf here. Thanks for your message."));
    }
}

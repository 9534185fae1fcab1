//! Messages a person sends: from a conversation, "new message" to any number, or the REST API.
//! The browser's server functions and the REST handlers both call these.

use super::pipeline::{check_body, OutboundRequest, SendResult};
use super::{Messenger, MessagingError};
use crate::message::MessageKind;
use crate::phone::Region;
use crate::{ContactId, UserId};

/// Longest idempotency key a caller may give.
pub const MAX_KEY_CHARS: usize = 200;

/// A message typed by a person (or sent through the API).
#[derive(Clone, Debug)]
pub struct ManualSend<'a> {
    pub body: &'a str,
    /// Counts against frequency caps (and so waits for quiet hours like a campaign).
    pub marketing: bool,
    pub by: Option<UserId>,
    /// The caller's idempotency key: sending again with the same key never sends twice.
    pub idempotency_key: Option<&'a str>,
}

impl Messenger {
    /// Sends to a known contact.
    pub async fn send_to_contact(&self, contact: ContactId, m: &ManualSend<'_>) -> Result<SendResult, MessagingError> {
        let mut req = OutboundRequest::new(contact, m.body, MessageKind::Manual).marketing(m.marketing).by(m.by);
        if let Some(key) = m.idempotency_key.map(str::trim).filter(|k| !k.is_empty()) {
            if key.chars().count() > MAX_KEY_CHARS || key.chars().any(char::is_control) {
                return Err(MessagingError::Invalid(format!("the idempotency key must be at most {MAX_KEY_CHARS} printable characters")));
            }
            req = req.key(format!("manual:{key}"));
        }
        self.submit(req).await?.into_result()
    }

    /// Sends to any number, creating the contact when it is new. Returns the contact too.
    pub async fn send_to_number(&self, phone: &str, region: Region, m: &ManualSend<'_>) -> Result<(ContactId, SendResult), MessagingError> {
        let phone = crate::phone::normalize(phone, region).map_err(|e| MessagingError::Invalid(e.to_string()))?;
        // Checked before the contact is created, so a bad message leaves nothing behind.
        check_body(m.body)?;
        let contact = crate::store::contacts::get_or_create_by_phone(&self.db, &phone).await?;
        Ok((contact, self.send_to_contact(contact, m).await?))
    }
}

//! What the send gate needs to know about a recipient. Its own module so that consent and
//! enrollments both use it without depending on each other.

use super::{get, Db, Result, StoreError};
use crate::{ContactId, E164};

/// What the send gate needs to know about a contact, in one query.
#[derive(Clone, Debug, PartialEq)]
pub struct RecipientRow {
    pub phone: E164,
    pub timezone: Option<String>,
    pub opted_out: bool,
    pub flagged: bool,
    pub number_status: crate::message::NumberStatus,
}

impl RecipientRow {
    /// The contact as the send gate sees it, with the send times of its recent marketing.
    pub fn as_recipient<'a>(&'a self, recent_marketing_ms: &'a [crate::Millis]) -> crate::gate::decision::Recipient<'a> {
        crate::gate::decision::Recipient {
            phone: &self.phone,
            timezone: self.timezone.as_deref(),
            opted_out: self.opted_out,
            flagged: self.flagged,
            invalid: self.number_status == crate::message::NumberStatus::Invalid,
            landline: self.number_status == crate::message::NumberStatus::Landline,
            recent_marketing_ms,
        }
    }
}

pub async fn recipient(db: &Db, contact: ContactId) -> Result<RecipientRow> {
    let row = sqlx::query("SELECT phone, timezone, opted_out, flagged, number_status FROM contacts WHERE id = $1")
        .bind(contact.0)
        .fetch_optional(db.pool())
        .await?
        .ok_or(StoreError::NotFound)?;
    let phone: String = get(&row, "phone")?;
    Ok(RecipientRow {
        phone: E164::parse(&phone).map_err(|e| StoreError::Invalid(e.to_string()))?,
        timezone: get(&row, "timezone")?,
        opted_out: get::<i64>(&row, "opted_out")? != 0,
        flagged: get::<i64>(&row, "flagged")? != 0,
        number_status: crate::message::NumberStatus::parse(&get::<String>(&row, "number_status")?),
    })
}

//! Deciding many items at once: the page's "select many, then approve or reject them with one
//! confirmation". Each item is its own guarded transition: one that someone else changed
//! meanwhile is skipped and named, the rest go through.

use super::service::{Approvals, MAX_BATCH};
use super::{Action, BulkDecision, BulkOutcome, SuggestionId};
use crate::error::{Error, Result};
use crate::store::suggestions::{self as store, Change};
use crate::store::StoreError;
use crate::now_millis;

impl Approvals {
    #[tracing::instrument(skip(self, ids), fields(items = ids.len()))]
    pub async fn decide_many(&self, ids: &[SuggestionId], decision: &BulkDecision, actor: &str) -> Result<BulkOutcome> {
        if ids.is_empty() {
            return Err(Error::Invalid("choose at least one suggestion".into()));
        }
        if ids.len() > MAX_BATCH {
            return Err(Error::Invalid(format!("at most {MAX_BATCH} suggestions at once")));
        }
        let (action, reason) = match decision {
            BulkDecision::Approve => (Action::Approve, None),
            BulkDecision::Reject { reason } => {
                let r = reason.trim();
                if r.is_empty() {
                    return Err(Error::Invalid("give a reason for the rejection".into()));
                }
                crate::limits::check("reason", r, 500).map_err(Error::Invalid)?;
                (Action::Reject, Some(r))
            }
        };
        let mut out = BulkOutcome::default();
        let mut seen = std::collections::HashSet::new();
        for id in ids.iter().filter(|id| seen.insert(**id)) {
            let key = Self::message_key(*id);
            let c = Change { action, actor, text: None, send_at: None, reason, message_key: &key, now: now_millis() };
            match store::apply(self.db(), *id, &c).await {
                Ok(_) => out.done += 1,
                Err(StoreError::Conflict(why)) => out.skipped.push((*id, why)),
                Err(StoreError::NotFound) => out.skipped.push((*id, "no such suggestion".into())),
                Err(e) => return Err(e.into()),
            }
        }
        if out.done > 0 {
            self.messenger().events.publish(crate::messaging::LiveEvent::Approvals).await;
        }
        Ok(out)
    }
}

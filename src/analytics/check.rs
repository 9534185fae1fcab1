//! Evaluates the rate alarms after an opt-out or a failed send: for the message's campaign and
//! for its sender number, reads the window, and records a warning or pauses.

use super::alarms::{judge, Alarm, AlarmLevel, Scope};
use crate::campaign::model::CampaignStatus;
use crate::messaging::{LiveEvent, Messenger, MessagingError};
use crate::store::{alarms, campaigns};
use crate::{now_millis, CampaignId, MessageId};

impl Messenger {
    /// Checks the alarms of the campaign and the sender of `message` (after an opt-out or an
    /// error was credited to it). Never fails the caller: a problem is logged.
    pub async fn check_alarms(&self, message: MessageId) {
        if let Err(e) = self.try_check_alarms(message).await {
            tracing::error!(error = %e, %message, "the rate alarms could not be checked");
        }
    }

    #[tracing::instrument(skip(self))]
    async fn try_check_alarms(&self, message: MessageId) -> Result<(), MessagingError> {
        let Some((campaign, sender)) = alarms::message_scope(&self.db, message).await? else { return Ok(()) };
        if let Some(id) = campaign {
            let name = campaigns::get_by_id(&self.db, id).await.map(|c| c.draft.name).unwrap_or_else(|_| format!("#{}", id.0));
            self.check_scope(Scope::Campaign, &id.0.to_string(), format!("Campaign “{name}”"), vec![id]).await?;
        }
        let label = if sender.is_empty() { "The default sender number".to_string() } else { format!("Sender {sender}") };
        let of_sender = alarms::active_campaigns_of_sender(&self.db, &sender).await?;
        self.check_scope(Scope::Sender, &sender, label, of_sender).await
    }

    /// Raises an alarm for one scope when its window calls for one that is not already active,
    /// and pauses `pause` (the campaigns it covers) when it is a pause.
    async fn check_scope(&self, scope: Scope, key: &str, label: String, pause: Vec<CampaignId>) -> Result<(), MessagingError> {
        let rules = self.alarm_rules;
        let now = now_millis();
        let since = (now - rules.window_hours * 3_600_000).max(alarms::last_resolved(&self.db, scope, key).await?.map_or(i64::MIN, |t| t + 1));
        let window = alarms::window(&self.db, scope, key, since, rules.window_sends).await?;
        let Some(finding) = judge(&window, &rules) else { return Ok(()) };
        let active = alarms::active_for(&self.db, scope, key).await?;
        if active.iter().any(|a| a.level >= finding.level) {
            return Ok(());
        }
        let mut tx = self.db.begin().await?;
        let raised = alarms::raise(
            &mut tx,
            &Alarm {
                id: 0,
                scope,
                scope_key: key.to_string(),
                label,
                level: finding.level,
                metric: finding.metric,
                window,
                rate: finding.rate,
                threshold: finding.threshold,
                active: true,
                created_at: now,
                resolved_at: None,
            },
        )
        .await?;
        tx.commit().await?;
        tracing::warn!(scope = scope.as_str(), key, level = finding.level.as_str(), metric = finding.metric.as_str(), rate = finding.rate, "rate alarm: {}", raised.headline());
        if finding.level == AlarmLevel::Pause {
            for id in pause {
                match campaigns::transition(&self.db, id, &[CampaignStatus::Active], CampaignStatus::Paused).await {
                    Ok(_) => {
                        let mut conn = self.db.pool().acquire().await?;
                        let detail = raised.headline();
                        campaigns::record_event(&mut conn, &campaigns::Event { campaign: id, enrollment: None, contact: None, step: None, kind: "alarm_paused", detail: Some(&detail) }).await?;
                        self.events.publish(LiveEvent::Campaign { campaign_id: id }).await;
                    }
                    // Already paused or ended: nothing to stop.
                    Err(crate::store::StoreError::Conflict(_)) => {}
                    Err(e) => return Err(e.into()),
                }
            }
        }
        self.events.publish(LiveEvent::Alarm).await;
        Ok(())
    }
}

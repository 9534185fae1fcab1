//! Warm-lead farming on the server: dry runs, capped daily batches sent through the send gate,
//! the daily schedule, "message all warm leads", and the dashboard numbers.

use super::{with_opt_out_footer, suggested_batch, BatchProgress, DryRun, FarmingCampaign, NewFarmingCampaign, WarmLeadStats, TARGET_HIGH, TARGET_LOW};
use crate::message::MessageKind;
use crate::messaging::pipeline::{OutboundRequest, Submitted};
use crate::messaging::{replies, LiveEvent, Messenger, MessagingError};
use crate::store::{enrollments, farming, StoreError};
use crate::{now_millis, ContactId, FarmingBatchId, FarmingCampaignId, Millis, UserId};
use chrono::{DateTime, Duration, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;

type Result<T> = std::result::Result<T, StoreError>;

/// Farming, cheap to clone.
#[derive(Clone)]
pub struct Farm {
    pub messenger: Messenger,
}

impl Farm {
    pub fn new(messenger: Messenger) -> Farm {
        Farm { messenger }
    }

    /// The organisation's zone: days, the daily cap and the send time are counted in it.
    pub fn zone(&self) -> Tz {
        self.messenger.rules.get().default_zone
    }

    fn db(&self) -> &crate::store::Db {
        &self.messenger.db
    }

    /// The organisation's calendar day of `t`, e.g. "2026-11-21".
    pub fn day(&self, t: DateTime<Utc>) -> String {
        t.with_timezone(&self.zone()).date_naive().to_string()
    }

    /// Midnight starting the organisation's day `days_ago` days before `t`'s.
    pub fn day_start(&self, t: DateTime<Utc>, days_ago: i64) -> Millis {
        let date = t.with_timezone(&self.zone()).date_naive() - Duration::days(days_ago);
        self.zone().from_local_datetime(&date.and_time(NaiveTime::MIN)).earliest().map(|d| d.timestamp_millis()).unwrap_or_else(|| t.timestamp_millis())
    }

    fn cutoff(c: &FarmingCampaign, now: DateTime<Utc>) -> Millis {
        now.timestamp_millis() - i64::from(c.cool_off_days) * 86_400_000
    }

    async fn brand(&self) -> Result<String> {
        replies::business_name(self.db()).await
    }

    /// Every problem with `c`, checked against the business name and the one merge-field list.
    async fn problems(&self, c: &NewFarmingCampaign) -> Result<Vec<String>> {
        let fields = crate::store::campaigns::merge_fields(self.db()).await?;
        Ok(super::validate(c, &self.brand().await?, &fields))
    }

    #[tracing::instrument(skip(self, c), fields(name = %c.name))]
    pub async fn create(&self, c: &NewFarmingCampaign, by: Option<UserId>) -> Result<FarmingCampaign> {
        let problems = self.problems(c).await?;
        if !problems.is_empty() {
            return Err(StoreError::Invalid(problems.join("; ")));
        }
        if let super::Source::List(l) = &c.source {
            crate::store::lists::get_by_id(self.db(), *l).await.map_err(|_| StoreError::Invalid(format!("there is no list {l}")))?;
        }
        farming::create(self.db(), c, by).await
    }

    /// How many contacts today's batches (the organisation's day) have picked.
    pub async fn picked_today(&self, id: FarmingCampaignId) -> Result<i64> {
        let mut conn = self.db().pool().acquire().await?;
        farming::picked_on(&mut conn, id, &self.day(Utc::now())).await
    }

    /// Exactly who the next batch would message (at most `max`, and what's left of today's cap).
    #[tracing::instrument(skip(self))]
    pub async fn dry_run(&self, id: FarmingCampaignId, max: Option<i64>) -> Result<DryRun> {
        let c = farming::get_by_id(self.db(), id).await?;
        let now = Utc::now();
        let mut conn = self.db().pool().acquire().await?;
        let sent_today = farming::picked_on(&mut conn, id, &self.day(now)).await?;
        let remaining = (i64::from(c.daily_cap) - sent_today).max(0);
        let n = max.unwrap_or(i64::from(c.daily_cap)).clamp(0, remaining);
        let cursor = farming::cursor(self.db(), id).await?;
        let picked = farming::select(&mut conn, &c, cursor, Self::cutoff(&c, now), n).await?;
        drop(conn);
        let excluded = farming::excluded(self.db(), &c, Self::cutoff(&c, now)).await?;
        let ids: Vec<ContactId> = picked.iter().map(|(id, _)| *id).collect();
        let sample = farming::sample(self.db(), &ids[..ids.len().min(25)]).await?;
        Ok(DryRun {
            selected: ids.len() as i64,
            without_consent: picked.iter().filter(|(_, consent)| !consent).count() as i64,
            contact_ids: ids,
            excluded,
            sent_today,
            remaining_today: remaining,
            sample,
        })
    }

    /// Starts a batch and sends it in the background. Never more than the day's cap, however
    /// many times it is triggered: a second trigger while one runs is refused.
    #[tracing::instrument(skip(self, template))]
    pub async fn start_batch(&self, id: FarmingCampaignId, max: Option<i64>, template: Option<&str>, trigger: &str, by: Option<UserId>) -> Result<BatchProgress> {
        let c = farming::get_by_id(self.db(), id).await?;
        let template = template.map(str::trim).filter(|t| !t.is_empty()).unwrap_or(&c.template).to_string();
        if template != c.template {
            let check = NewFarmingCampaign { name: c.name.clone(), template: template.clone(), source: c.source.clone(), daily_cap: c.daily_cap, cool_off_days: c.cool_off_days, send_time: None };
            let problems = self.problems(&check).await?;
            if !problems.is_empty() {
                return Err(StoreError::Invalid(problems.join("; ")));
            }
        }
        if let Some(m) = max {
            if m < 1 {
                return Err(StoreError::Invalid("the batch size must be at least 1".into()));
            }
        }
        let now = Utc::now();
        let day = self.day(now);
        let token = self.token();
        let b = farming::NewBatch { campaign: &c, day: &day, max: max.unwrap_or(i64::from(c.daily_cap)), template: &template, triggered_by: trigger, by, cutoff: Self::cutoff(&c, now), lease: Some((&token, self.lease_until())) };
        let (batch, picked) = farming::start_batch(self.db(), &b).await?;
        tracing::info!(batch = %batch, picked, "farming batch started");
        if picked > 0 {
            let this = self.clone();
            tokio::spawn(async move { this.run_batch(batch, template, token).await });
        }
        farming::progress(self.db(), batch).await
    }

    fn token(&self) -> String {
        format!("{}:batch:{:016x}", self.messenger.owner(), rand::random::<u64>())
    }

    fn lease_until(&self) -> Millis {
        now_millis() + self.messenger.lease().as_millis() as i64
    }

    /// Hands every picked contact's message to the outbound pipeline (which rate-limits and
    /// defers by quiet hours), one at a time, under this server's claim on the batch (`token`).
    /// Each message carries the key `farm-b{batch}-c{contact}`, so a batch taken over after a
    /// crash never stores or sends a message twice: the pipeline finishes what was started.
    /// The batch is done only when every message was sent, deferred or refused.
    pub async fn run_batch(&self, batch: FarmingBatchId, template: String, token: String) {
        let mut wait = std::time::Duration::from_secs(1);
        loop {
            match self.send_pending(batch, &template, &token).await {
                Ok(Progress::Done) => break,
                Ok(Progress::Lost) => {
                    tracing::warn!(batch = %batch, "lost the claim on the farming batch; another server goes on with it");
                    return;
                }
                // A template that no longer parses can't be retried into working.
                Err(StoreError::Invalid(e)) => {
                    tracing::error!(error = %e, batch = %batch, "farming batch stopped");
                    break;
                }
                Ok(Progress::Waiting) => tracing::warn!(batch = %batch, ?wait, "farming batch waits for an unfinished send"),
                Err(e) => tracing::warn!(error = %e, batch = %batch, ?wait, "farming batch interrupted; retrying"),
            }
            // Keep the claim while waiting.
            match farming::renew_batch(self.db(), batch, &token, self.lease_until()).await {
                Ok(true) => {}
                Ok(false) => return,
                Err(e) => tracing::warn!(error = %e, batch = %batch, "could not renew the claim on the batch"),
            }
            tokio::time::sleep(wait).await;
            wait = (wait * 2).min(std::time::Duration::from_secs(30));
        }
        if let Err(e) = farming::finish_batch(self.db(), batch).await {
            tracing::error!(error = %e, batch = %batch, "could not mark the batch done");
        }
        self.messenger.events.publish(LiveEvent::Farming { batch_id: batch }).await;
    }

    async fn send_pending(&self, batch: FarmingBatchId, template: &str, token: &str) -> Result<Progress> {
        let fields = crate::store::campaigns::merge_fields(self.db()).await?;
        let t = fields.parse_saved(template).map_err(|e| StoreError::Invalid(format!("{e:?}")))?;
        for (i, contact) in farming::pending_sends(self.db(), batch).await?.into_iter().enumerate() {
            // Only the server holding the batch sends from it.
            if !farming::renew_batch(self.db(), batch, token, self.lease_until()).await? {
                return Ok(Progress::Lost);
            }
            let (_, values) = enrollments::send_target(self.db(), contact).await?;
            let body = match t.render(&values) {
                Ok(b) => b,
                Err(e) => {
                    tracing::warn!(%contact, error = %e, "skipped: the template can't be filled for this contact");
                    farming::set_message(self.db(), batch, contact, None).await?;
                    continue;
                }
            };
            let req = OutboundRequest::new(contact, body, MessageKind::Farming).key(format!("farm-b{batch}-c{contact}")).wait();
            match self.messenger.submit(req).await {
                // Another server is finishing this message, or the provider could not be
                // asked about it yet: come back to it.
                Ok(Submitted::Busy(_) | Submitted::Pending(..)) => return Ok(Progress::Waiting),
                Ok(outcome) => farming::set_message(self.db(), batch, contact, outcome.message().map(|m| m.id)).await?,
                Err(MessagingError::Store(StoreError::Db(e))) => return Err(StoreError::Db(e)),
                Err(e) => {
                    tracing::warn!(%contact, error = %e, "farming send refused");
                    farming::set_message(self.db(), batch, contact, None).await?;
                }
            }
            if i % 10 == 0 {
                self.messenger.events.publish(LiveEvent::Farming { batch_id: batch }).await;
            }
        }
        Ok(Progress::Done)
    }

    /// Takes over running batches nobody holds (their server stopped) and sends them on. Runs at
    /// startup and with every schedule check.
    pub async fn resume(&self) -> Result<usize> {
        let token = self.token();
        let claimed = farming::claim_batches(self.db(), &token, now_millis(), self.lease_until()).await?;
        let n = claimed.len();
        for (batch, _, template) in claimed {
            tracing::info!(batch = %batch, "taking over a farming batch");
            let this = self.clone();
            let token = token.clone();
            tokio::spawn(async move { this.run_batch(batch, template, token).await });
        }
        Ok(n)
    }

    /// Starts today's batch of every campaign whose send time has passed and that has no batch
    /// today yet.
    pub async fn scheduled(&self, now: DateTime<Utc>) -> Result<usize> {
        let local = now.with_timezone(&self.zone());
        let minute = chrono::Timelike::hour(&local) * 60 + chrono::Timelike::minute(&local);
        let day = self.day(now);
        let mut started = 0;
        for c in farming::list(self.db()).await? {
            let Some(at) = c.send_time.as_deref().and_then(super::parse_send_time) else { continue };
            if minute < at || farming::has_batch_on(self.db(), c.id, &day).await? {
                continue;
            }
            match self.start_batch(c.id, None, None, "schedule", None).await {
                Ok(p) => {
                    tracing::info!(campaign = %c.id, batch = %p.id, selected = p.selected, "scheduled farming batch started");
                    started += 1;
                }
                Err(e) => tracing::warn!(campaign = %c.id, error = %e, "scheduled farming batch not started"),
            }
        }
        Ok(started)
    }

    /// Every `every`, for ever: takes over batches a stopped server left, and starts the day's
    /// scheduled batches.
    pub async fn run_schedule(self, every: std::time::Duration) {
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            if let Err(e) = self.resume().await {
                tracing::warn!(error = %e, "could not take over farming batches");
            }
            if let Err(e) = self.scheduled(Utc::now()).await {
                tracing::warn!(error = %e, "farming schedule check failed");
            }
        }
    }

    /// Sends one message to every current warm lead who can be messaged; the opt-out footer is
    /// added when the text lacks it. Returns the broadcast key and how many were queued.
    #[tracing::instrument(skip(self, body))]
    pub async fn message_warm_leads(&self, body: &str, by: Option<UserId>) -> Result<(String, i64)> {
        let text = with_opt_out_footer(body);
        crate::messaging::pipeline::check_body(&text).map_err(|e| StoreError::Invalid(e.to_string()))?;
        // The same merge fields as drips and farming.
        let fields = crate::store::campaigns::merge_fields(self.db()).await?;
        let template = fields.parse(&text).map_err(|e| StoreError::Invalid(e.iter().map(ToString::to_string).collect::<Vec<_>>().join("; ")))?;
        let leads = farming::messageable_warm_leads(self.db()).await?;
        let broadcast = format!("leads-{}", now_millis());
        let mut queued = 0;
        for contact in leads {
            let key = format!("{broadcast}-c{contact}");
            let (_, values) = enrollments::send_target(self.db(), contact).await?;
            let body = match template.render(&values) {
                Ok(b) => b,
                Err(e) => {
                    tracing::warn!(%contact, error = %e, "warm-lead message skipped: the template can't be filled for this contact");
                    continue;
                }
            };
            match self.messenger.submit(OutboundRequest::new(contact, body, MessageKind::Broadcast).by(by).key(key)).await {
                Ok(_) => queued += 1,
                Err(e) => tracing::warn!(%contact, error = %e, "warm-lead message refused"),
            }
        }
        Ok((broadcast, queued))
    }

    /// How far a warm-lead broadcast got: (queued, accepted by the provider).
    pub async fn broadcast_progress(&self, broadcast: &str) -> Result<(i64, i64)> {
        crate::store::messages::progress_by_key_prefix(self.db(), &format!("{broadcast}-c")).await
    }

    /// The dashboard widget: warm leads today and this week against the target band, sends,
    /// the observed opt-in rate and the batch size it suggests.
    pub async fn stats(&self, now: DateTime<Utc>) -> Result<WarmLeadStats> {
        let db = self.db();
        let end = now.timestamp_millis() + 1;
        let today = self.day_start(now, 0);
        let week = self.day_start(now, 6);
        // Seven days' boundaries, oldest first, then now: one read for the warm leads of every
        // day, one for the sends of the week and of today.
        let mut bounds: Vec<i64> = (0..7).rev().map(|d| self.day_start(now, d)).collect();
        bounds.push(end);
        let daily = farming::warm_lead_counts(db, &bounds).await?;
        let sends = farming::farming_sends_counts(db, &[week, today, end]).await?;
        let per_day: Vec<(String, i64)> = (0..7)
            .rev()
            .zip(&daily)
            .map(|(d, n)| ((now.with_timezone(&self.zone()).date_naive() - Duration::days(d)).format("%a %-d").to_string(), *n))
            .collect();
        let last_7_days: i64 = daily.iter().sum();
        let warm_today = daily.last().copied().unwrap_or(0);
        let (sends_today, sends_7_days) = (sends.get(1).copied().unwrap_or(0), sends.iter().sum::<i64>());
        let opt_in_rate = (sends_7_days > 0).then(|| last_7_days as f64 / sends_7_days as f64);
        Ok(WarmLeadStats {
            today: warm_today,
            last_7_days,
            target_low: TARGET_LOW,
            target_high: TARGET_HIGH,
            sends_today,
            sends_7_days,
            opt_in_rate,
            suggested_batch: suggested_batch(opt_in_rate, TARGET_LOW, TARGET_HIGH),
            per_day,
        })
    }
}

/// How far one pass over a batch got.
enum Progress {
    Done,
    /// An unfinished send could not be settled yet (another server holds it, or the provider
    /// could not be asked).
    Waiting,
    /// Another server holds the batch now.
    Lost,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn footer_is_added_once() {
        assert_eq!(with_opt_out_footer("Hi! New slots this week."), "Hi! New slots this week. Reply STOP to opt out.");
        assert_eq!(with_opt_out_footer("Hi. Reply STOP to opt out"), "Hi. Reply STOP to opt out");
    }
}


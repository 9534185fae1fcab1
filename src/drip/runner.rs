//! The drip runner: claims due enrollments, resolves any earlier attempt of the step through
//! its outbox key, asks the send gate, sends with bounded concurrency and schedules the next
//! step.
//!
//! Exactly once, step by step:
//! 1. The step's message row is written under the unique key `e{enrollment}-g{generation}-s{step}`
//!    *before* the provider is called, in the same transaction that takes a daily-cap slot.
//! 2. The provider's answer is recorded on that row; then the enrollment moves on.
//! 3. A claim that finds the row already there never inserts again: with a provider SID it
//!    only moves the enrollment on; without one (the runner died, or the call timed out, between
//!    1 and 2) it asks the provider whether a message with that body went to that number since
//!    the row was written, adopts it if so, and only otherwise sends.

use super::Drip;
use crate::campaign::model::{CampaignStatus, EnrollmentStatus};
use crate::campaign::schedule::{contact_zone, due_at, due_at_ms};
use crate::campaign::template::Template;
use crate::gate::decision::{decide, Decision, GateRules, Recipient};
use crate::gate::window::Window;
use crate::message::{Direction, Message, MessageKind, MessageStatus};
use crate::messaging::LiveEvent;
use crate::providers::{backoff, SendError};
use crate::store::consent::RecipientRow;
use crate::store::enrollments::{self, Claimed};
use crate::store::{campaigns, conflict_on_unique, messages, StoreError};
use crate::{now_millis, CampaignId, Millis};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use futures_util::stream::{self, StreamExt};
use std::collections::HashMap;
use std::sync::Arc;

/// What one pass did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Pass {
    pub claimed: usize,
    pub sent: usize,
    pub deferred: usize,
    pub ended: usize,
}

/// How one claimed enrollment turned out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Outcome {
    Sent,
    /// Given back for later: quiet hours, a cap, a not-yet-due step, a transient error.
    Deferred,
    /// The enrollment ended (completed, stopped, failed) or was no longer ours.
    Ended,
}

/// A campaign as the runner uses it: parsed templates and its own gate rules.
struct Ctx {
    id: CampaignId,
    steps: Vec<(crate::campaign::delay::Delay, Template)>,
    rules: GateRules,
    daily_cap: Option<u32>,
    stop_on_failure: bool,
    /// The campaign's own number, when it has one.
    sender: Option<crate::E164>,
}

fn campaign_rules(base: &GateRules, window: Option<Window>) -> GateRules {
    let mut rules = *base;
    if let Some(w) = window {
        // A campaign may only narrow the legal windows, never widen them.
        let narrow = |legal: Window| Window { start_minute: legal.start_minute.max(w.start_minute), end_minute: legal.end_minute.min(w.end_minute) };
        rules.default_window = narrow(base.default_window);
        rules.curfew_window = narrow(base.curfew_window);
    }
    rules
}

fn recipient<'a>(r: &'a RecipientRow, recent: &'a [Millis]) -> Recipient<'a> {
    Recipient {
        phone: &r.phone,
        timezone: r.timezone.as_deref(),
        opted_out: r.opted_out,
        flagged: r.flagged,
        invalid: r.number_status == "invalid",
        landline: r.number_status == "landline",
        recent_marketing_ms: recent,
    }
}

type RunResult<T> = Result<T, StoreError>;

impl Drip {
    /// Claims and processes due enrollments until none is left.
    pub async fn run_once(&self) -> RunResult<Pass> {
        let mut pass = Pass::default();
        loop {
            let now = now_millis();
            let lease_until = now + self.options.lease.as_millis() as i64;
            let claimed = enrollments::claim_due(&self.messenger.db, self.owner(), now, lease_until, self.options.batch).await?;
            if claimed.is_empty() {
                return Ok(pass);
            }
            pass.claimed += claimed.len();
            let mut ctxs: HashMap<CampaignId, Arc<Ctx>> = HashMap::new();
            for c in &claimed {
                if let std::collections::hash_map::Entry::Vacant(e) = ctxs.entry(c.campaign_id) {
                    e.insert(Arc::new(self.load(c.campaign_id).await?));
                }
            }
            let touched: Vec<CampaignId> = ctxs.keys().copied().collect();
            let outcomes: Vec<RunResult<Outcome>> = stream::iter(claimed)
                .map(|c| {
                    let ctx = ctxs[&c.campaign_id].clone();
                    async move {
                        let span = tracing::info_span!("drip_step", enrollment = %c.id, step = c.next_step + 1, campaign = %c.campaign_id);
                        tracing::Instrument::instrument(self.process(&ctx, c), span).await
                    }
                })
                .buffer_unordered(self.options.concurrency.max(1))
                .collect()
                .await;
            for o in outcomes {
                match o {
                    Ok(Outcome::Sent) => pass.sent += 1,
                    Ok(Outcome::Deferred) => pass.deferred += 1,
                    Ok(Outcome::Ended) => pass.ended += 1,
                    // The claim stays until its lease expires, then the step is tried again.
                    Err(e) => tracing::warn!(error = %e, "drip step failed; it is retried when its claim expires"),
                }
            }
            for id in touched {
                self.messenger.events.publish(LiveEvent::Campaign { campaign_id: id }).await;
            }
        }
    }

    async fn load(&self, id: CampaignId) -> RunResult<Ctx> {
        let c = campaigns::get_by_id(&self.messenger.db, id).await?;
        let fields = campaigns::merge_fields(&self.messenger.db).await?;
        let mut steps = Vec::with_capacity(c.draft.steps.len());
        for s in &c.draft.steps {
            // Checked when saved; a template that no longer parses (an attribute key vanished)
            // still renders what it can, and a missing value fails that contact's step.
            let t = fields.parse_saved(&s.template)
                .map_err(|e| StoreError::Invalid(format!("step template: {e:?}")))?;
            steps.push((s.delay, t));
        }
        // Validated when saved; a number that no longer parses falls back to the default sender.
        let sender = c.draft.sender.as_deref().and_then(|s| crate::E164::parse(s).ok());
        Ok(Ctx { id, steps, rules: campaign_rules(&self.messenger.rules.get(), c.draft.window), daily_cap: c.draft.daily_cap, stop_on_failure: c.draft.stop_on_failure, sender })
    }

    async fn process(&self, ctx: &Ctx, c: Claimed) -> RunResult<Outcome> {
        let db = &self.messenger.db;
        let step = c.next_step as usize;
        if step >= ctx.steps.len() {
            enrollments::finish(db, &c, EnrollmentStatus::Completed, "no more steps").await?;
            return Ok(Outcome::Ended);
        }
        let (target, values) = enrollments::send_target(db, c.contact_id).await?;
        let zone = contact_zone(&ctx.rules, &recipient(&target, &[]));
        let key = format!("e{}-g{}-s{}", c.id, c.generation, c.next_step);
        if let Some(m) = messages::find_by_outbox_key(db, &key).await? {
            return self.resume(ctx, &c, m, &target, zone).await;
        }
        // Paused (or archived) since the claim: hand it back untouched.
        if campaigns::status(db, c.campaign_id).await? != CampaignStatus::Active || !enrollments::still_active(db, &c).await? {
            enrollments::release(db, &c, self.owner(), now_millis(), false, None).await?;
            return Ok(Outcome::Deferred);
        }
        let now = Utc::now();
        let due = due_at_ms(&ctx.steps[step].0, c.base_at, zone).unwrap_or(c.base_at);
        if due > now.timestamp_millis() {
            enrollments::release(db, &c, self.owner(), due, false, None).await?;
            return Ok(Outcome::Deferred);
        }
        if let Some(outcome) = self.gate(ctx, &c, &target, None, now).await? {
            return Ok(outcome);
        }
        let body = match ctx.steps[step].1.render(&values) {
            Ok(b) => b,
            Err(e) => {
                enrollments::finish(db, &c, EnrollmentStatus::Failed, &e.to_string()).await?;
                return Ok(Outcome::Ended);
            }
        };
        let Some(message) = self.write_outbox(ctx, &c, &key, &body, now).await? else {
            let org = self.messenger.rules.get().default_zone;
            let tomorrow = due_at(&crate::campaign::delay::Delay::NextDayAt { hour: 0, minute: 0 }, now, org);
            enrollments::release(db, &c, self.owner(), tomorrow.timestamp_millis(), false, Some(("deferred", "the campaign's daily cap is reached"))).await?;
            return Ok(Outcome::Deferred);
        };
        self.deliver(ctx, &c, message, &target, zone).await
    }

    /// Asks the send gate about this step now. `None`: send it. Otherwise the enrollment was
    /// given back for later (quiet hours, a cap) or ended (blocked), and the step's stored
    /// message, if there is one (`own`), is cancelled when blocked.
    async fn gate(&self, ctx: &Ctx, c: &Claimed, target: &RecipientRow, own: Option<&Message>, now: DateTime<Utc>) -> RunResult<Option<Outcome>> {
        let db = &self.messenger.db;
        let since = now.timestamp_millis() - crate::gate::decision::CAP_PERIOD_MS;
        let mut recent = messages::marketing_sent_since(db, c.contact_id, since).await?;
        if let Some(m) = own {
            // The step's own queued row is not an earlier message.
            if let Some(i) = recent.iter().position(|t| *t == m.created_at) {
                recent.remove(i);
            }
        }
        match decide(&ctx.rules, &recipient(target, &recent), true, now) {
            Decision::Send => Ok(None),
            Decision::DeferUntil { until_ms, reason } => {
                enrollments::release(db, c, self.owner(), until_ms, false, Some(("deferred", &reason.to_string()))).await?;
                Ok(Some(Outcome::Deferred))
            }
            Decision::Block { reason } => {
                let why = format!("not sent: {reason}");
                if let Some(m) = own {
                    messages::mark_failed(db, m.id, MessageStatus::Canceled, None, &why).await?;
                }
                let status = if target.opted_out { EnrollmentStatus::Stopped } else { EnrollmentStatus::Failed };
                enrollments::finish(db, c, status, &why).await?;
                Ok(Some(Outcome::Ended))
            }
        }
    }

    /// Stores the step's message under its outbox key (taking a daily-cap slot in the same
    /// transaction). `None` when today's cap is used up.
    async fn write_outbox(&self, ctx: &Ctx, c: &Claimed, key: &str, body: &str, now: DateTime<Utc>) -> RunResult<Option<Message>> {
        let db = &self.messenger.db;
        let mut tx = db.pool().begin().await?;
        if let Some(cap) = ctx.daily_cap {
            let day = now.with_timezone(&self.messenger.rules.get().default_zone).date_naive().to_string();
            if !enrollments::take_daily_slot(&mut tx, ctx.id, &day, cap.into()).await? {
                return Ok(None);
            }
        }
        let new = messages::NewMessage {
            contact_id: c.contact_id,
            direction: Direction::Out,
            body,
            status: MessageStatus::Queued,
            provider_sid: None,
            kind: MessageKind::Campaign,
            marketing: true,
            decision: serde_json::to_string(&Decision::Send).ok(),
            send_at: None,
            sent_by: None,
            outbox: Some(messages::OutboxLink { key, campaign: ctx.id, enrollment: c.id, step: c.next_step }),
            outbox_key: None,
        };
        let m = messages::insert(&mut tx, &new).await.map_err(|e| match e {
            StoreError::Db(e) => conflict_on_unique(e, "this step was already written by another runner"),
            other => other,
        })?;
        tx.commit().await?;
        self.messenger.events.publish(LiveEvent::Message { contact_id: c.contact_id, message_id: m.id }).await;
        Ok(Some(m))
    }

    /// Sends a stored step and records what happened.
    async fn deliver(&self, ctx: &Ctx, c: &Claimed, m: Message, target: &RecipientRow, zone: Tz) -> RunResult<Outcome> {
        let db = &self.messenger.db;
        let check = StepCheck { drip: self, claimed: c };
        match self.messenger.provider_send_if(&target.phone, ctx.sender.as_ref(), &m.body, self.options.send_attempts, &check).await {
            Ok(Some(accepted)) => {
                self.messenger.record_accepted(m.id, &accepted).await.map_err(StoreError::from)?;
                self.advance(ctx, c, zone).await
            }
            Ok(None) => self.not_sent(c, &m).await,
            Err(e) if e.is_transient() || e.is_unknown() => {
                // The row stays queued without a SID: the next claim asks the provider first.
                // An unknown outcome is never given up as failed: it may have gone out.
                if c.attempts + 1 >= self.options.max_rounds && !e.is_unknown() {
                    messages::mark_failed(db, m.id, MessageStatus::Failed, e.code(), &e.to_string()).await?;
                    enrollments::finish(db, c, EnrollmentStatus::Failed, &format!("gave up after {} attempts: {e}", c.attempts + 1)).await?;
                    return Ok(Outcome::Ended);
                }
                let wait = backoff(c.attempts as u32, self.options.retry_base, self.options.retry_cap, 0.5 + rand::random::<f64>() / 2.0);
                let at = now_millis() + wait.as_millis() as i64;
                enrollments::release(db, c, self.owner(), at, true, Some(("deferred", &format!("provider: {e}")))).await?;
                Ok(Outcome::Deferred)
            }
            Err(e) => {
                self.messenger.record_failure(&m, &e).await;
                if matches!(e, SendError::OptedOut { .. }) {
                    enrollments::finish(db, c, EnrollmentStatus::Stopped, "opted out at the carrier").await?;
                    Ok(Outcome::Ended)
                } else if ctx.stop_on_failure {
                    enrollments::finish(db, c, EnrollmentStatus::Failed, &e.to_string()).await?;
                    Ok(Outcome::Ended)
                } else {
                    self.advance(ctx, c, zone).await
                }
            }
        }
    }

    /// A claim found the step's message already stored: finish what the earlier attempt started.
    async fn resume(&self, ctx: &Ctx, c: &Claimed, m: Message, target: &RecipientRow, zone: Tz) -> RunResult<Outcome> {
        let db = &self.messenger.db;
        if m.provider_sid.is_some() {
            return self.advance(ctx, c, zone).await;
        }
        match m.status {
            MessageStatus::Queued => {}
            _ if ctx.stop_on_failure => {
                enrollments::finish(db, c, EnrollmentStatus::Failed, m.error_message.as_deref().unwrap_or("the step failed")).await?;
                return Ok(Outcome::Ended);
            }
            _ => return self.advance(ctx, c, zone).await,
        }
        if campaigns::status(db, c.campaign_id).await? != CampaignStatus::Active || !enrollments::still_active(db, c).await? {
            enrollments::release(db, c, self.owner(), now_millis(), false, None).await?;
            return Ok(Outcome::Deferred);
        }
        let found = match self.messenger.provider.find_sent(&target.phone, &m.body, m.created_at).await {
            Ok(found) => found,
            Err(e) if e.is_transient() && c.attempts + 1 < self.options.max_rounds => {
                let wait = backoff(c.attempts as u32, self.options.retry_base, self.options.retry_cap, 1.0);
                enrollments::release(db, c, self.owner(), now_millis() + wait.as_millis() as i64, true, Some(("deferred", &format!("checking with the provider: {e}")))).await?;
                return Ok(Outcome::Deferred);
            }
            Err(e) => {
                // Without the provider's answer a resend could be a duplicate: give the step up.
                let why = format!("could not check with the provider whether this step went out: {e}");
                messages::mark_failed(db, m.id, MessageStatus::Failed, e.code(), &why).await?;
                enrollments::finish(db, c, EnrollmentStatus::Failed, &why).await?;
                return Ok(Outcome::Ended);
            }
        };
        // A match already recorded on another row is that message, not this step.
        let found = match found {
            Some(a) if messages::find_by_sid(db, &a.sid).await?.is_some() => None,
            other => other,
        };
        if let Some(accepted) = found {
            tracing::info!(message = m.id, sid = %accepted.sid, "reconciled a step the provider had already accepted");
            self.messenger.record_accepted(m.id, &accepted).await.map_err(StoreError::from)?;
            return self.advance(ctx, c, zone).await;
        }
        // Not sent: time has passed since the step was written, so the gate decides again
        // (quiet hours may have begun, the contact may have been flagged).
        if let Some(outcome) = self.gate(ctx, c, target, Some(&m), Utc::now()).await? {
            return Ok(outcome);
        }
        tracing::info!(message = m.id, "the provider has no record of this step; sending it");
        self.deliver(ctx, c, m, target, zone).await
    }

    /// The last check before the provider call said no: find out why and act on it.
    async fn not_sent(&self, c: &Claimed, m: &Message) -> RunResult<Outcome> {
        let db = &self.messenger.db;
        if !enrollments::still_active(db, c).await? {
            // Stopped (a reply, an opt-out, unenrolled) or restarted under a new generation:
            // nobody will ever send this row.
            messages::mark_failed(db, m.id, MessageStatus::Canceled, None, "not sent: the enrollment stopped").await?;
            return Ok(Outcome::Ended);
        }
        if enrollments::holds(db, c, self.owner()).await? {
            // Ours, but the campaign was paused or archived: hand it back untouched.
            enrollments::release(db, c, self.owner(), now_millis(), false, None).await?;
            return Ok(Outcome::Deferred);
        }
        // Our lease ran out and another runner has the step now: it reconciles the row.
        tracing::warn!(message = m.id, "lost the claim on a step before sending it; leaving it to the runner that holds it");
        Ok(Outcome::Ended)
    }

    /// Moves the enrollment past the step just sent, scheduling the next one.
    async fn advance(&self, ctx: &Ctx, c: &Claimed, zone: Tz) -> RunResult<Outcome> {
        let sent_at = now_millis();
        let next = c.next_step as usize + 1;
        let next_at = ctx.steps.get(next).map(|(d, _)| due_at_ms(d, sent_at, zone).unwrap_or(sent_at));
        enrollments::advance(&self.messenger.db, c, c.next_step, sent_at, next_at).await?;
        Ok(Outcome::Sent)
    }
}

/// Before each provider call: renew the lease, and only if the step is still ours to send (the
/// lease held, the enrollment active on the same generation and step, the campaign active).
/// This is what makes pause, replies and opt-outs take effect even for steps already waiting
/// on the rate limiter, and what keeps a runner whose lease ran out from sending.
struct StepCheck<'a> {
    drip: &'a Drip,
    claimed: &'a Claimed,
}

#[async_trait::async_trait]
impl crate::messaging::send::SendCheck for StepCheck<'_> {
    async fn still_wanted(&self) -> bool {
        let until = now_millis() + self.drip.options.lease.as_millis() as i64;
        match enrollments::renew(&self.drip.messenger.db, self.claimed, self.drip.owner(), until).await {
            Ok(ok) => ok,
            Err(e) => {
                tracing::warn!(error = %e, "could not renew the lease; not sending");
                false
            }
        }
    }
}


#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_campaign_window_only_narrows() {
        let base = GateRules::default();
        let r = campaign_rules(&base, Some(Window::hours(10, 21)));
        assert_eq!(r.default_window, Window::hours(10, 21));
        assert_eq!(r.curfew_window, Window::hours(10, 20));
        assert_eq!(campaign_rules(&base, None), base);
    }
}

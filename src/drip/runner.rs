//! The drip runner: claims due enrollments, hands each due step to the outbound pipeline with
//! bounded concurrency, and moves the enrollment on according to what the pipeline did.
//!
//! Exactly once, step by step (the pipeline does the sending, see `messaging::pipeline`):
//! 1. The step's request carries the idempotency key `e{enrollment}-g{generation}-s{step}`; the
//!    pipeline writes the row under it *before* calling the provider, in the transaction that
//!    takes the campaign's daily-cap slot and counts the contact's frequency cap.
//! 2. The provider's answer is recorded on that row; then the enrollment moves on.
//! 3. A later claim of the same step sends the same key: the pipeline never writes again. With a
//!    provider SID it reports the step sent; without one (the runner died, or the call timed
//!    out) it asks the provider whether the message went out, adopts it if so, and only
//!    otherwise sends.

use super::Drip;
use crate::campaign::model::{CampaignStatus, EnrollmentStatus};
use crate::campaign::schedule::{contact_zone, due_at, due_at_ms};
use crate::campaign::template::Template;
use crate::gate::decision::{BlockReason, GateRules};
use crate::gate::window::Window;
use crate::message::{Message, MessageKind, MessageStatus};
use crate::messaging::pipeline::{DailyCap, OutboundRequest, SendCheck, StepLink, Submitted};
use crate::messaging::LiveEvent;
use crate::providers::{backoff, SendError};
use crate::store::enrollments::{self, Claimed};
use crate::store::{campaigns, StoreError};
use crate::{now_millis, CampaignId};
use chrono::Utc;
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
        // Paused (or archived) since the claim: hand it back untouched.
        if campaigns::status(db, c.campaign_id).await? != CampaignStatus::Active || !enrollments::still_active(db, &c).await? {
            enrollments::release(db, &c, self.owner(), now_millis(), false, None).await?;
            return Ok(Outcome::Deferred);
        }
        let (target, values) = enrollments::send_target(db, c.contact_id).await?;
        let zone = contact_zone(&ctx.rules, &target.as_recipient(&[]));
        let now = Utc::now();
        let due = due_at_ms(&ctx.steps[step].0, c.base_at, zone).unwrap_or(c.base_at);
        if due > now.timestamp_millis() {
            enrollments::release(db, &c, self.owner(), due, false, None).await?;
            return Ok(Outcome::Deferred);
        }
        let body = match ctx.steps[step].1.render(&values) {
            Ok(b) => b,
            Err(e) => {
                enrollments::finish(db, &c, EnrollmentStatus::Failed, &e.to_string()).await?;
                return Ok(Outcome::Ended);
            }
        };
        let org = self.messenger.rules.get().default_zone;
        let cap = ctx.daily_cap.map(|cap| DailyCap { campaign: ctx.id, day: now.with_timezone(&org).date_naive().to_string(), cap });
        let req = OutboundRequest::new(c.contact_id, body, MessageKind::Campaign)
            .key(format!("e{}-g{}-s{}", c.id, c.generation, c.next_step))
            .step(StepLink { campaign: ctx.id, enrollment: c.id, step: c.next_step })
            .rules(ctx.rules)
            .sender(ctx.sender.clone())
            .daily_cap(cap)
            .attempts(self.options.send_attempts)
            .check(Arc::new(StepCheck { drip: self.clone(), claimed: c.clone() }))
            .wait();
        let outcome = self.messenger.submit(req).await.map_err(StoreError::from)?;
        self.settle(ctx, &c, outcome, zone).await
    }

    /// Moves the enrollment on according to what the pipeline did with the step.
    async fn settle(&self, ctx: &Ctx, c: &Claimed, outcome: Submitted, zone: Tz) -> RunResult<Outcome> {
        let db = &self.messenger.db;
        match outcome {
            Submitted::Accepted(_) => self.advance(ctx, c, zone).await,
            Submitted::Deferred { until_ms, reason } => {
                enrollments::release(db, c, self.owner(), until_ms, false, Some(("deferred", &reason))).await?;
                Ok(Outcome::Deferred)
            }
            Submitted::Blocked { reason, .. } => {
                let status = if reason == BlockReason::OptedOut { EnrollmentStatus::Stopped } else { EnrollmentStatus::Failed };
                enrollments::finish(db, c, status, &format!("not sent: {reason}")).await?;
                Ok(Outcome::Ended)
            }
            Submitted::CapReached => {
                let org = self.messenger.rules.get().default_zone;
                let tomorrow = due_at(&crate::campaign::delay::Delay::NextDayAt { hour: 0, minute: 0 }, Utc::now(), org);
                enrollments::release(db, c, self.owner(), tomorrow.timestamp_millis(), false, Some(("deferred", "the campaign's daily cap is reached"))).await?;
                Ok(Outcome::Deferred)
            }
            Submitted::NotWanted(m) => self.not_sent(c, &m).await,
            Submitted::Failed(_, e) => {
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
            Submitted::Ended(m) => {
                if ctx.stop_on_failure {
                    enrollments::finish(db, c, EnrollmentStatus::Failed, m.error_message.as_deref().unwrap_or("the step failed")).await?;
                    Ok(Outcome::Ended)
                } else {
                    self.advance(ctx, c, zone).await
                }
            }
            Submitted::Pending(m, e) => {
                // The row stays queued without a SID: the next claim asks the provider first.
                // An unknown outcome is never given up as failed: it may have gone out.
                if c.attempts + 1 >= self.options.max_rounds && !e.is_unknown() {
                    self.messenger.abandon(&m, MessageStatus::Failed, e.code(), &e.to_string()).await.map_err(StoreError::from)?;
                    enrollments::finish(db, c, EnrollmentStatus::Failed, &format!("gave up after {} attempts: {e}", c.attempts + 1)).await?;
                    return Ok(Outcome::Ended);
                }
                let wait = backoff(c.attempts as u32, self.options.retry_base, self.options.retry_cap, 0.5 + rand::random::<f64>() / 2.0);
                let at = now_millis() + wait.as_millis() as i64;
                enrollments::release(db, c, self.owner(), at, true, Some(("deferred", &format!("provider: {e}")))).await?;
                Ok(Outcome::Deferred)
            }
            // Another server holds the step's message (it is finishing an earlier attempt), or
            // our claim on it ran out: look again shortly.
            Submitted::Busy(_) | Submitted::Queued(_) | Submitted::Scheduled(..) => {
                enrollments::release(db, c, self.owner(), now_millis() + 5_000, false, None).await?;
                Ok(Outcome::Deferred)
            }
        }
    }

    /// The last check before the provider call said no: find out why and act on it.
    async fn not_sent(&self, c: &Claimed, m: &Message) -> RunResult<Outcome> {
        let db = &self.messenger.db;
        if !enrollments::still_active(db, c).await? {
            // Stopped (a reply, an opt-out, unenrolled) or restarted under a new generation:
            // nobody will ever send this row.
            self.messenger.abandon(m, MessageStatus::Canceled, None, "not sent: the enrollment stopped").await.map_err(StoreError::from)?;
            return Ok(Outcome::Ended);
        }
        if enrollments::holds(db, c, self.owner()).await? {
            // Ours, but the campaign was paused or archived: hand it back untouched.
            enrollments::release(db, c, self.owner(), now_millis(), false, None).await?;
            return Ok(Outcome::Deferred);
        }
        // Our lease ran out and another runner has the step now: it reconciles the row.
        tracing::warn!(message = %m.id, "lost the claim on a step before sending it; leaving it to the runner that holds it");
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
struct StepCheck {
    drip: Drip,
    claimed: Claimed,
}

#[async_trait::async_trait]
impl SendCheck for StepCheck {
    async fn still_wanted(&self) -> bool {
        let until = now_millis() + self.drip.options.lease.as_millis() as i64;
        match enrollments::renew(&self.drip.messenger.db, &self.claimed, self.drip.owner(), until).await {
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

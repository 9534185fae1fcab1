//! The one outbound pipeline. Every message Warmline sends, whatever produced it, goes through
//! [`Messenger::submit`]; nothing else calls the provider, writes an outbound message row or
//! asks the send gate. For each request it:
//!
//! 1. checks the body;
//! 2. returns the stored message when the idempotency key was seen before, finishing what an
//!    earlier attempt started (asking the provider before any resend);
//! 3. in one transaction that holds the contact's lock: asks the gate (frequency caps counted
//!    inside the transaction), takes the campaign's daily-cap slot, and writes the message row
//!    under its key, claimed (leased) by this server;
//! 4. takes a rate-limit token for the sender, renews the claim (a server whose claim ran out
//!    never calls the provider), re-reads consent and asks the caller's last check;
//! 5. calls the provider, records the result, retries transient errors with backoff, and treats
//!    a timeout as "outcome unknown": the provider is asked (`find_sent`) before any resend;
//! 6. publishes live events as the message moves.
//!
//! Which kinds the gate may defer or block is the table in [`super::policy`].

use super::policy::{policy, KindPolicy};
use super::{LiveEvent, Messenger, MessagingError};
use crate::gate::decision::{block_reason, decide, BlockReason, Decision, GateRules, CAP_PERIOD_MS};
use crate::message::{ConsentKind, Direction, Message, MessageKind, MessageStatus};
use crate::providers::{backoff, Accepted, SendError};
use crate::store::{conflict_on_unique, consent, enrollments, messages, StoreError};
use crate::{now_millis, CampaignId, ContactId, EnrollmentId, Millis, UserId, E164};
use std::sync::Arc;

/// A rate-limit wait at least this long is followed by the last checks again (a STOP may have
/// arrived meanwhile); shorter waits are not, so requests leave right at their slots.
const RECHECK_AFTER: std::time::Duration = std::time::Duration::from_secs(1);

/// Longest message body accepted (Twilio's limit is 1,600 characters).
pub const MAX_BODY_CHARS: usize = 1600;

pub fn check_body(body: &str) -> Result<(), MessagingError> {
    if body.trim().is_empty() {
        return Err(MessagingError::Invalid("the message is empty".into()));
    }
    if body.chars().count() > MAX_BODY_CHARS {
        return Err(MessagingError::Invalid(format!("the message is longer than {MAX_BODY_CHARS} characters")));
    }
    Ok(())
}

/// Which drip step a message sends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StepLink {
    pub campaign: CampaignId,
    pub enrollment: EnrollmentId,
    pub step: i64,
}

/// A campaign's daily cap: a slot of `day` is taken in the transaction that writes the message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DailyCap {
    pub campaign: CampaignId,
    pub day: String,
    pub cap: u32,
}

/// One message to send. Build it with [`OutboundRequest::new`] and the setters.
#[derive(Clone)]
pub struct OutboundRequest {
    pub contact: ContactId,
    pub body: String,
    pub kind: MessageKind,
    /// Counts against the frequency cap.
    pub marketing: bool,
    /// The number to send from, when not the default one.
    pub sender: Option<E164>,
    /// Not before this instant (a scheduled send).
    pub not_before: Option<Millis>,
    /// Rules narrowed for a campaign (its own sending window); the organisation's otherwise.
    pub rules: Option<GateRules>,
    /// The idempotency key: a second request with the same key never stores or sends again.
    pub key: Option<String>,
    pub step: Option<StepLink>,
    pub daily_cap: Option<DailyCap>,
    pub by: Option<UserId>,
    /// Return only once the provider answered (batch senders); otherwise the message is queued
    /// for the background senders and comes back `queued`.
    pub wait: bool,
    /// Provider attempts for this request (the retry policy's otherwise).
    pub attempts: Option<u32>,
    /// Asked right before each provider call whether the message is still wanted.
    pub check: Option<Arc<dyn SendCheck>>,
}

impl OutboundRequest {
    pub fn new(contact: ContactId, body: impl Into<String>, kind: MessageKind) -> OutboundRequest {
        OutboundRequest {
            contact,
            body: body.into(),
            kind,
            marketing: policy(kind).map(|p| p.marketing).unwrap_or(false),
            sender: None,
            not_before: None,
            rules: None,
            key: None,
            step: None,
            daily_cap: None,
            by: None,
            wait: false,
            attempts: None,
            check: None,
        }
    }
    pub fn marketing(mut self, marketing: bool) -> Self {
        self.marketing = marketing;
        self
    }
    pub fn key(mut self, key: impl Into<String>) -> Self {
        self.key = Some(key.into());
        self
    }
    pub fn by(mut self, by: Option<UserId>) -> Self {
        self.by = by;
        self
    }
    pub fn wait(mut self) -> Self {
        self.wait = true;
        self
    }
    pub fn sender(mut self, sender: Option<E164>) -> Self {
        self.sender = sender;
        self
    }
    pub fn rules(mut self, rules: GateRules) -> Self {
        self.rules = Some(rules);
        self
    }
    pub fn step(mut self, step: StepLink) -> Self {
        self.step = Some(step);
        self
    }
    pub fn daily_cap(mut self, cap: Option<DailyCap>) -> Self {
        self.daily_cap = cap;
        self
    }
    pub fn attempts(mut self, attempts: u32) -> Self {
        self.attempts = Some(attempts);
        self
    }
    pub fn check(mut self, check: Arc<dyn SendCheck>) -> Self {
        self.check = Some(check);
        self
    }
}

/// How a request turned out.
#[derive(Debug)]
pub enum Submitted {
    /// The provider has it (now, or an earlier attempt that was adopted).
    Accepted(Message),
    /// Stored and handed to the background senders.
    Queued(Message),
    /// Deferred by the gate and stored for the scheduler.
    Scheduled(Message, Decision),
    /// Deferred by the gate; nothing stored (the caller keeps the work).
    Deferred { until_ms: Millis, reason: String },
    /// The gate (or the last consent check) refused it. `message` is the stored, canceled row.
    Blocked { message: Option<Message>, reason: BlockReason },
    /// The campaign's daily cap is used up; nothing stored.
    CapReached,
    /// The caller's last check said no; the row stays queued and unclaimed.
    NotWanted(Message),
    /// The provider refused it for good.
    Failed(Message, SendError),
    /// Not sent yet and maybe never: a transient error outlasted the attempts, or the outcome is
    /// unknown. The row stays queued; it is reconciled with the provider before any resend.
    Pending(Message, SendError),
    /// Another server holds the claim on this message (or this server's claim ran out).
    Busy(Message),
    /// Stored earlier and already finished without reaching the provider (failed, canceled).
    Ended(Message),
}

impl Submitted {
    /// The stored message, when there is one.
    pub fn message(&self) -> Option<&Message> {
        match self {
            Submitted::Accepted(m) | Submitted::Queued(m) | Submitted::Scheduled(m, _) | Submitted::NotWanted(m) | Submitted::Failed(m, _) | Submitted::Pending(m, _) | Submitted::Busy(m) | Submitted::Ended(m) => Some(m),
            Submitted::Blocked { message, .. } => message.as_ref(),
            Submitted::Deferred { .. } | Submitted::CapReached => None,
        }
    }

    /// The outcome's name, for logs.
    pub fn name(&self) -> &'static str {
        match self {
            Submitted::Accepted(_) => "accepted",
            Submitted::Queued(_) => "queued",
            Submitted::Scheduled(..) => "scheduled",
            Submitted::Deferred { .. } => "deferred",
            Submitted::Blocked { .. } => "blocked",
            Submitted::CapReached => "cap reached",
            Submitted::NotWanted(_) => "not wanted",
            Submitted::Failed(..) => "failed",
            Submitted::Pending(..) => "pending",
            Submitted::Busy(_) => "claimed elsewhere",
            Submitted::Ended(_) => "ended",
        }
    }

    /// What the gate decided, as the API reports it.
    pub fn decision(&self) -> Decision {
        match self {
            Submitted::Scheduled(_, d) => d.clone(),
            Submitted::Deferred { until_ms, reason } => Decision::DeferUntil { until_ms: *until_ms, reason: reason.clone() },
            Submitted::Blocked { reason, .. } => Decision::Block { reason: *reason },
            _ => Decision::Send,
        }
    }

    /// The stored message and the decision; an error when nothing was stored.
    pub fn into_result(self) -> Result<SendResult, MessagingError> {
        let decision = self.decision();
        match self.message().cloned() {
            Some(message) => Ok(SendResult { message, decision }),
            None => Err(MessagingError::Invalid(match decision {
                Decision::DeferUntil { reason, .. } => format!("not sent now: {reason}"),
                Decision::Block { reason } => format!("not sent: {reason}"),
                Decision::Send => "not sent: the campaign's daily cap is reached".into(),
            })),
        }
    }
}

/// The stored message and what the gate decided.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SendResult {
    pub message: Message,
    pub decision: Decision,
}

/// Asked right before a provider call whether the message should still go out (the drip runner
/// checks that its enrollment claim, the enrollment and the campaign are all still live).
#[async_trait::async_trait]
pub trait SendCheck: Send + Sync {
    async fn still_wanted(&self) -> bool;
}

/// What the row-writing transaction did.
enum Written {
    Stored(Message, Decision, E164),
    Deferred { until_ms: Millis, reason: String },
    Blocked(BlockReason),
    CapReached,
}

/// The gate's decision for a gated kind: the whole gate, or only consent and the number's
/// state for kinds that quiet hours do not hold (see [`super::policy`]).
fn judge(policy: KindPolicy, rules: &GateRules, r: &crate::gate::decision::Recipient, marketing: bool, now: chrono::DateTime<chrono::Utc>) -> Decision {
    if policy.quiet_hours {
        decide(rules, r, marketing, now)
    } else {
        block_reason(r).map_or(Decision::Send, |reason| Decision::Block { reason })
    }
}

/// What [`Messenger::deliver`] needs besides the message.
struct Delivery {
    policy: KindPolicy,
    attempts: u32,
    check: Option<Arc<dyn SendCheck>>,
}

impl Messenger {
    /// **The** entry point for every outbound message (see the module docs).
    #[tracing::instrument(skip(self, req), fields(contact = %req.contact, kind = ?req.kind, key = req.key.as_deref()))]
    pub async fn submit(&self, req: OutboundRequest) -> Result<Submitted, MessagingError> {
        let Some(policy) = policy(req.kind) else {
            return Err(MessagingError::Invalid(format!("{} messages are not sent", req.kind.as_str())));
        };
        check_body(&req.body)?;
        if let Some(key) = &req.key {
            if let Some(m) = messages::find_by_outbox_key(&self.db, key).await? {
                return self.resume(m, &req, policy, None).await;
            }
        }
        let token = self.claim_token();
        let written = match self.write(&req, policy, &token).await {
            Ok(w) => w,
            // Another server wrote the same key a moment ago: that one is the message.
            Err(MessagingError::Store(StoreError::Conflict(_))) if req.key.is_some() => {
                let m = messages::find_by_outbox_key(&self.db, req.key.as_deref().unwrap_or_default()).await?.ok_or(StoreError::NotFound)?;
                return Ok(Submitted::Busy(m));
            }
            Err(e) => return Err(e),
        };
        match written {
            Written::Deferred { until_ms, reason } => Ok(Submitted::Deferred { until_ms, reason }),
            Written::Blocked(reason) => Ok(Submitted::Blocked { message: None, reason }),
            Written::CapReached => Ok(Submitted::CapReached),
            Written::Stored(m, Decision::Block { reason }, _) => {
                let m = self.cancel(&m, reason).await?;
                Ok(Submitted::Blocked { message: Some(m), reason })
            }
            Written::Stored(m, d @ Decision::DeferUntil { .. }, _) => Ok(Submitted::Scheduled(m, d)),
            Written::Stored(m, Decision::Send, to) => {
                if req.wait {
                    self.deliver(m, to, &token, &self.delivery(&req, policy)).await
                } else {
                    self.enqueue(m.clone(), to, token).await;
                    Ok(Submitted::Queued(m))
                }
            }
        }
    }

    /// What the gate would decide for a message to this contact right now (the conversation
    /// panel shows it before anything is sent). Nothing is stored.
    pub async fn preview(&self, contact: ContactId, marketing: bool, now: chrono::DateTime<chrono::Utc>) -> Result<Decision, MessagingError> {
        let target = consent::recipient(&self.db, contact).await?;
        let recent = if marketing { messages::marketing_sent_since(&self.db, contact, now.timestamp_millis() - CAP_PERIOD_MS).await? } else { Vec::new() };
        Ok(decide(&self.rules.get(), &target.as_recipient(&recent), marketing, now))
    }

    fn delivery(&self, req: &OutboundRequest, policy: KindPolicy) -> Delivery {
        Delivery { policy, attempts: req.attempts.unwrap_or(self.retry.max_attempts).max(1), check: req.check.clone() }
    }

    /// A claim token: unique per claim, so two claims never share one (not even in one process).
    pub fn claim_token(&self) -> String {
        format!("{}:{:016x}", self.owner, rand::random::<u64>())
    }

    fn lease_until(&self) -> Millis {
        now_millis() + self.lease.as_millis() as i64
    }

    /// Asks the gate and writes the row, in one transaction holding the contact's lock.
    async fn write(&self, req: &OutboundRequest, policy: KindPolicy, token: &str) -> Result<Written, MessagingError> {
        let now = self.now();
        let target = consent::recipient(&self.db, req.contact).await?;
        let mut tx = self.db.begin().await?;
        if !messages::lock_contact(&mut tx, req.contact).await? {
            return Err(StoreError::NotFound.into());
        }
        let mut decision = if policy.gated {
            let recent = if req.marketing { messages::marketing_sent_since_in(&mut tx, req.contact, now.timestamp_millis() - CAP_PERIOD_MS, None).await? } else { Vec::new() };
            let rules = req.rules.unwrap_or_else(|| self.rules.get());
            judge(policy, &rules, &target.as_recipient(&recent), req.marketing, now)
        } else {
            Decision::Send
        };
        if let (Decision::Send, Some(at)) = (&decision, req.not_before) {
            if at > now.timestamp_millis() {
                decision = Decision::DeferUntil { until_ms: at, reason: "scheduled".into() };
            }
        }
        match &decision {
            Decision::DeferUntil { until_ms, reason } if !policy.store_deferred => return Ok(Written::Deferred { until_ms: *until_ms, reason: reason.clone() }),
            Decision::Block { reason } if !policy.store_blocked => return Ok(Written::Blocked(*reason)),
            _ => {}
        }
        if let (Decision::Send, Some(cap)) = (&decision, &req.daily_cap) {
            if !enrollments::take_daily_slot(&mut tx, cap.campaign, &cap.day, cap.cap.into()).await? {
                return Ok(Written::CapReached);
            }
        }
        let (status, send_at) = match &decision {
            Decision::Send => (MessageStatus::Queued, None),
            Decision::DeferUntil { until_ms, .. } => (MessageStatus::Scheduled, Some(*until_ms)),
            Decision::Block { .. } => (MessageStatus::Canceled, None),
        };
        let until = self.lease_until();
        let new = messages::NewMessage {
            contact_id: req.contact,
            direction: Direction::Out,
            body: &req.body,
            status,
            provider_sid: None,
            kind: req.kind,
            marketing: req.marketing,
            decision: serde_json::to_string(&decision).ok(),
            send_at,
            sent_by: req.by,
            outbox: req.step.zip(req.key.as_deref()).map(|(s, key)| messages::OutboxLink { key, campaign: s.campaign, enrollment: s.enrollment, step: s.step }),
            outbox_key: req.key.as_deref(),
            sender: req.sender.as_ref().map(E164::as_str),
            lease: (status == MessageStatus::Queued).then_some((token, until)),
        };
        let m = messages::insert(&mut tx, &new).await.map_err(|e| match e {
            StoreError::Db(e) => conflict_on_unique(e, "a message with this key was already written"),
            other => other,
        })?;
        tx.commit().await?;
        tracing::info!(message = %m.id, decision = ?decision, "outbound message stored");
        self.events.publish(LiveEvent::Message { contact_id: m.contact_id, message_id: m.id }).await;
        Ok(Written::Stored(m, decision, target.phone))
    }

    /// Finishes what an earlier attempt at a stored message started. `claimed`: the token the
    /// caller already holds the message's claim with (the recovery sweep).
    pub(super) async fn resume(&self, m: Message, req: &OutboundRequest, policy: KindPolicy, claimed: Option<String>) -> Result<Submitted, MessagingError> {
        if m.provider_sid.is_some() {
            return Ok(Submitted::Accepted(m));
        }
        match m.status {
            MessageStatus::Queued => {}
            MessageStatus::Scheduled => {
                let d = Decision::DeferUntil { until_ms: m.send_at.unwrap_or_else(now_millis), reason: "scheduled".into() };
                return Ok(Submitted::Scheduled(m, d));
            }
            _ => return Ok(Submitted::Ended(m)),
        }
        let token = match claimed {
            Some(t) => t,
            None => {
                let t = self.claim_token();
                if !messages::take_lease(&self.db, m.id, &t, now_millis(), self.lease_until()).await? {
                    return Ok(Submitted::Busy(m));
                }
                t
            }
        };
        let target = consent::recipient(&self.db, m.contact_id).await?;
        // It may have reached the provider before the earlier attempt stopped: ask first.
        match self.provider.find_sent(&target.phone, &m.body, m.created_at).await {
            Ok(Some(a)) if messages::find_by_sid(&self.db, &a.sid).await?.is_none() => {
                tracing::info!(message = %m.id, sid = %a.sid, "the provider already had this message: adopted, not resent");
                return Ok(Submitted::Accepted(self.record_accepted(m.id, &a).await?));
            }
            Ok(_) => {}
            Err(e) => {
                tracing::warn!(message = %m.id, error = %e, "could not ask the provider about an unfinished send");
                messages::release_lease(&self.db, m.id, &token, now_millis() + self.retry.base.as_millis() as i64).await?;
                return Ok(Submitted::Pending(m, e));
            }
        }
        // Not sent. Time has passed since it was written, so the gate decides again.
        let decision = if policy.gated {
            let mut tx = self.db.begin().await?;
            messages::lock_contact(&mut tx, m.contact_id).await?;
            let now = self.now();
            let recent = if m.marketing { messages::marketing_sent_since_in(&mut tx, m.contact_id, now.timestamp_millis() - CAP_PERIOD_MS, Some(m.id)).await? } else { Vec::new() };
            drop(tx);
            let rules = req.rules.unwrap_or_else(|| self.rules.get());
            judge(policy, &rules, &target.as_recipient(&recent), m.marketing, now)
        } else {
            Decision::Send
        };
        match decision {
            Decision::Send => {
                tracing::info!(message = %m.id, "the provider has no record of this message; sending it");
                if req.wait {
                    self.deliver(m, target.phone, &token, &self.delivery(req, policy)).await
                } else {
                    self.enqueue(m.clone(), target.phone, token).await;
                    Ok(Submitted::Queued(m))
                }
            }
            Decision::DeferUntil { until_ms, reason } if policy.store_deferred => {
                let d = Decision::DeferUntil { until_ms, reason };
                messages::reschedule(&self.db, m.id, until_ms, &serde_json::to_string(&d).unwrap_or_default()).await?;
                let m = messages::get_by_id(&self.db, m.id).await?;
                Ok(Submitted::Scheduled(m, d))
            }
            Decision::DeferUntil { until_ms, reason } => {
                messages::release_lease(&self.db, m.id, &token, now_millis()).await?;
                Ok(Submitted::Deferred { until_ms, reason })
            }
            Decision::Block { reason } => {
                let m = self.cancel(&m, reason).await?;
                Ok(Submitted::Blocked { message: Some(m), reason })
            }
        }
    }

    /// Hands a claimed, queued message to the provider and records what happened.
    async fn deliver(&self, m: Message, to: E164, token: &str, d: &Delivery) -> Result<Submitted, MessagingError> {
        let sender = m.sender.as_deref().and_then(|s| E164::parse(s).ok());
        let sender_key = sender.as_ref().map(E164::as_str).unwrap_or("default").to_string();
        let mut attempt = 0;
        loop {
            // The last checks come before the rate-limit wait, so the request leaves right at
            // its slot; a long wait is followed by the checks again.
            if let Some(stop) = self.last_checks(&m, token, d).await? {
                return Ok(stop);
            }
            let wait = self.limiter.reserve(&sender_key).await?;
            if !wait.is_zero() {
                tokio::time::sleep(wait).await;
            }
            if wait >= RECHECK_AFTER {
                if let Some(stop) = self.last_checks(&m, token, d).await? {
                    return Ok(stop);
                }
            }
            let err = match self.provider.send(&to, sender.as_ref(), &m.body).await {
                Ok(accepted) => return Ok(Submitted::Accepted(self.record_accepted(m.id, &accepted).await?)),
                Err(e) => e,
            };
            attempt += 1;
            let left = attempt < d.attempts;
            if err.is_unknown() {
                tracing::warn!(message = %m.id, error = %err, attempt, "outcome unknown; asking the provider before any resend");
                match self.provider.find_sent(&to, &m.body, m.created_at).await {
                    Ok(Some(found)) if messages::find_by_sid(&self.db, &found.sid).await?.is_none() => {
                        tracing::info!(sid = %found.sid, "the provider has the message: adopted, not resent");
                        return Ok(Submitted::Accepted(self.record_accepted(m.id, &found).await?));
                    }
                    Ok(_) if left => {
                        tokio::time::sleep(backoff(attempt, self.retry.base, self.retry.cap, rand::random::<f64>())).await;
                        continue;
                    }
                    // Still unknown: never marked failed (it may have gone out). The claim lapses
                    // soon and the recovery sweep asks the provider again.
                    _ => {
                        messages::release_lease(&self.db, m.id, token, now_millis() + self.retry.cap.as_millis() as i64).await?;
                        return Ok(Submitted::Pending(m, err));
                    }
                }
            }
            if err.is_transient() && left {
                let wait = match &err {
                    SendError::Transient { retry_after: Some(ra), .. } => (*ra).min(self.retry.cap),
                    _ => backoff(attempt - 1, self.retry.base, self.retry.cap, rand::random::<f64>()),
                };
                tracing::warn!(message = %m.id, error = %err, attempt, ?wait, "transient send failure; retrying");
                tokio::time::sleep(wait).await;
                continue;
            }
            if err.is_transient() && d.policy.caller_retries {
                messages::release_lease(&self.db, m.id, token, now_millis()).await?;
                return Ok(Submitted::Pending(m, err));
            }
            tracing::warn!(message = %m.id, error = %err, "send failed");
            let m = self.record_failure(&m, &err).await?;
            return Ok(Submitted::Failed(m, err));
        }
    }

    /// What is checked right before a provider call: the claim, renewed (a server whose claim
    /// ran out, and whose message another server may have taken over, never calls the
    /// provider); consent (a STOP or a flag that arrived while the message waited stops it);
    /// and the caller's own check. `Some` is why the message does not go out.
    async fn last_checks(&self, m: &Message, token: &str, d: &Delivery) -> Result<Option<Submitted>, MessagingError> {
        if !messages::renew_lease(&self.db, m.id, token, self.lease_until()).await? {
            tracing::warn!(message = %m.id, "lost the claim on a message before sending it; not sending");
            return Ok(Some(Submitted::Busy(messages::get_by_id(&self.db, m.id).await?)));
        }
        if d.policy.gated {
            let now = consent::recipient(&self.db, m.contact_id).await?;
            if let Some(reason) = block_reason(&now.as_recipient(&[])) {
                let m = self.cancel(m, reason).await?;
                return Ok(Some(Submitted::Blocked { message: Some(m), reason }));
            }
        }
        if let Some(check) = &d.check {
            if !check.still_wanted().await {
                messages::release_lease(&self.db, m.id, token, now_millis()).await?;
                return Ok(Some(Submitted::NotWanted(m.clone())));
            }
        }
        Ok(None)
    }

    /// Queues a claimed message for the background senders. When the queue is full the claim is
    /// given up instead, and the recovery sweep sends the message shortly: never dropped.
    async fn enqueue(&self, m: Message, to: E164, token: String) {
        let id = m.id;
        if let Err(job) = self.queue.push(self, super::queue::Job { message: m, to, token }) {
            tracing::warn!(message = %id, "send queue full; the recovery sweep sends it");
            if let Err(e) = messages::release_lease(&self.db, id, &job.token, now_millis()).await {
                tracing::warn!(message = %id, error = %e, "could not release the claim; it lapses on its own");
            }
        }
    }

    /// What a background sender does with one queued message.
    pub(super) async fn send_queued(&self, job: super::queue::Job) {
        let Some(policy) = policy(job.message.kind) else { return };
        let d = Delivery { policy, attempts: self.retry.max_attempts, check: None };
        let id = job.message.id;
        match self.deliver(job.message, job.to, &job.token, &d).await {
            Ok(outcome) => tracing::debug!(message = %id, outcome = outcome.name(), "background send done"),
            Err(e) => tracing::warn!(message = %id, error = %e, "background send interrupted; the recovery sweep finishes it"),
        }
    }

    /// Cancels a stored message the gate refused (after it was written).
    async fn cancel(&self, m: &Message, reason: BlockReason) -> Result<Message, MessagingError> {
        let m = messages::mark_failed(&self.db, m.id, MessageStatus::Canceled, None, &format!("not sent: {reason}")).await?;
        self.events.publish(LiveEvent::Status { contact_id: m.contact_id, message_id: m.id, status: crate::message::MessageStatus::Canceled }).await;
        Ok(m)
    }

    /// Gives up a stored message the caller no longer wants sent (a drip step whose enrollment
    /// stopped, a step that failed too often).
    pub async fn abandon(&self, m: &Message, status: MessageStatus, code: Option<i64>, why: &str) -> Result<Message, MessagingError> {
        let m = messages::mark_failed(&self.db, m.id, status, code, why).await?;
        self.events.publish(LiveEvent::Status { contact_id: m.contact_id, message_id: m.id, status: m.status }).await;
        Ok(m)
    }

    /// Records the provider's SID and status, tells open panels, applies callbacks that raced
    /// ahead, and starts the simulated carrier when there is one.
    pub(super) async fn record_accepted(&self, message_id: crate::MessageId, accepted: &Accepted) -> Result<Message, MessagingError> {
        let m = messages::mark_accepted(&self.db, message_id, &accepted.sid, accepted.status).await?;
        self.events.publish(LiveEvent::Status { contact_id: m.contact_id, message_id: m.id, status: m.status }).await;
        self.replay_status_for(&accepted.sid).await;
        if self.provider.simulates_callbacks() {
            let this = self.clone();
            let sid = accepted.sid.clone();
            tokio::spawn(async move { this.play_carrier(sid).await });
        }
        Ok(m)
    }

    /// Records a failed send: consent and number state first, so once the failure is visible
    /// the gate already knows.
    async fn record_failure(&self, message: &Message, e: &SendError) -> Result<Message, MessagingError> {
        match e {
            SendError::OptedOut { .. } => {
                let note = "Twilio 21610: the recipient unsubscribed at the carrier";
                let mut conn = self.db.pool().acquire().await?;
                let change = consent::Change { contact: message.contact_id, kind: ConsentKind::OptOut, source: "carrier", message_sid: None, note: Some(note), by: None };
                consent::record(&mut conn, &change).await?;
                self.events.publish(LiveEvent::Consent { contact_id: message.contact_id }).await;
            }
            SendError::Permanent { number_status: Some(status), .. } => {
                consent::set_number_status(&self.db, message.contact_id, *status).await?;
                self.events.publish(LiveEvent::Consent { contact_id: message.contact_id }).await;
            }
            _ => {}
        }
        let m = messages::mark_failed(&self.db, message.id, MessageStatus::Failed, e.code(), &e.to_string()).await?;
        self.events.publish(LiveEvent::Status { contact_id: message.contact_id, message_id: message.id, status: crate::message::MessageStatus::Failed }).await;
        self.check_alarms(m.id).await;
        Ok(m)
    }

    /// Sends scheduled messages whose time has come, asking the gate again for each.
    pub async fn send_due(&self) -> Result<usize, MessagingError> {
        let due = messages::due_scheduled(&self.db, now_millis(), 100).await?;
        let mut sent = 0;
        for m in due {
            let token = self.claim_token();
            if !messages::claim_scheduled(&self.db, m.id, &token, self.lease_until()).await? {
                continue; // another server took it
            }
            let Some(policy) = policy(m.kind) else { continue };
            let req = OutboundRequest::new(m.contact_id, m.body.clone(), m.kind);
            // Claimed and never sent: `resume` asks the gate again (and the provider, which
            // cannot have it, costs one lookup only for messages that waited).
            match self.regate_claimed(m, &req, policy, token).await? {
                Submitted::Queued(_) => sent += 1,
                other => tracing::debug!(message = ?other.message().map(|m| m.id.0), outcome = other.name(), "scheduled message not sent now"),
            }
        }
        Ok(sent)
    }

    /// A scheduled message just claimed: the gate decides again, without asking the provider
    /// (a scheduled message was never handed to it).
    async fn regate_claimed(&self, m: Message, req: &OutboundRequest, policy: KindPolicy, token: String) -> Result<Submitted, MessagingError> {
        let target = consent::recipient(&self.db, m.contact_id).await?;
        let now = self.now();
        let mut tx = self.db.begin().await?;
        messages::lock_contact(&mut tx, m.contact_id).await?;
        let recent = if m.marketing { messages::marketing_sent_since_in(&mut tx, m.contact_id, now.timestamp_millis() - CAP_PERIOD_MS, Some(m.id)).await? } else { Vec::new() };
        drop(tx);
        let decision = if policy.gated { judge(policy, &req.rules.unwrap_or_else(|| self.rules.get()), &target.as_recipient(&recent), m.marketing, now) } else { Decision::Send };
        match decision {
            Decision::Send => {
                self.enqueue(m.clone(), target.phone, token).await;
                Ok(Submitted::Queued(m))
            }
            Decision::DeferUntil { until_ms, reason } => {
                let d = Decision::DeferUntil { until_ms, reason };
                messages::reschedule(&self.db, m.id, until_ms, &serde_json::to_string(&d).unwrap_or_default()).await?;
                Ok(Submitted::Scheduled(m, d))
            }
            Decision::Block { reason } => {
                let m = self.cancel(&m, reason).await?;
                Ok(Submitted::Blocked { message: Some(m), reason })
            }
        }
    }
}

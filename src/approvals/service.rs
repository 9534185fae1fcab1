//! The approval queue's use-cases: adding suggestions, a person's decisions, planning a batch,
//! and the scheduler that hands due items to the one outbound pipeline.

use super::plan::{self, Limits, Reach};
use super::{Action, NewBatch, NewSuggestion, Suggestion, SuggestionBatch, SuggestionBatchId, SuggestionEvent, SuggestionId, SuggestionStatus};
use crate::error::{Error, Result};
use crate::gate::decision::{recipient_zones, Recipient};
use crate::gate::us_states::state_of;
use crate::message::MessageKind;
use crate::messaging::pipeline::{check_body, OutboundRequest, Submitted};
use crate::messaging::Messenger;
use crate::phone::Region;
use crate::store::suggestions::{self as store, Change, Item};
use crate::store::{contacts, settings};
use crate::{now_millis, Millis, E164};
use chrono::{DateTime, Utc};
use std::time::Duration;

/// Most suggestions one request may add.
pub const MAX_BATCH: usize = 1000;
/// Largest context object, in bytes of JSON.
pub const MAX_CONTEXT_BYTES: usize = 4096;
/// The settings key holding the instant the queue was paused (absent: running).
const PAUSED_AT: &str = "approvals_paused_at";
/// Items one scheduler pass claims at most.
const CLAIM_MAX: i64 = 50;

/// The approval queue, cheap to clone.
#[derive(Clone)]
pub struct Approvals {
    messenger: Messenger,
    limits: Limits,
    writer: Option<super::writer::AiWriter>,
}

/// A batch's plan: each item and when it goes out.
pub type Plan = Vec<(SuggestionId, Millis)>;

impl Approvals {
    pub fn new(messenger: Messenger, limits: Limits) -> Approvals {
        Approvals { messenger, limits, writer: None }
    }

    /// Drafts with this AI writer when a generation has a brief.
    pub fn with_writer(mut self, writer: Option<super::writer::AiWriter>) -> Approvals {
        self.writer = writer;
        self
    }

    /// Whether an AI writer is configured.
    pub fn has_writer(&self) -> bool {
        self.writer.is_some()
    }

    pub(super) fn db(&self) -> &crate::store::Db {
        &self.messenger.db
    }

    pub(super) fn messenger(&self) -> &Messenger {
        &self.messenger
    }

    pub(super) fn writer(&self) -> Option<&super::writer::AiWriter> {
        self.writer.as_ref()
    }

    pub fn limits(&self) -> Limits {
        self.limits
    }

    /// The key the pipeline knows an item's message by: a resend after a crash finds it.
    pub fn message_key(id: SuggestionId) -> String {
        format!("approval:{id}")
    }

    /// Adds a batch of suggestions, all or nothing: every item is checked first (a known
    /// contact or the phone of one, a sendable text, a JSON object as context).
    #[tracing::instrument(skip(self, batch, items), fields(items = items.len()))]
    pub async fn add(&self, batch: &NewBatch, items: &[NewSuggestion], by: &str, region: Region) -> Result<(SuggestionBatch, Vec<Suggestion>)> {
        let kind = super::campaign_type(&batch.campaign_type).map_err(Error::Invalid)?;
        if items.is_empty() {
            return Err(Error::Invalid("a batch needs at least one suggestion".into()));
        }
        if items.len() > MAX_BATCH {
            return Err(Error::Invalid(format!("at most {MAX_BATCH} suggestions per request")));
        }
        let name = batch.name.as_deref().map(str::trim).filter(|n| !n.is_empty()).map(str::to_string).unwrap_or_else(|| format!("{kind} {}", Utc::now().format("%Y-%m-%d %H:%M")));
        crate::limits::check("name", &name, 120).map_err(Error::Invalid)?;
        let mut checked = Vec::with_capacity(items.len());
        for (i, it) in items.iter().enumerate() {
            let at = |m: String| Error::Invalid(format!("item {}: {m}", i + 1));
            check_body(&it.text).map_err(|e| at(e.to_string()))?;
            let context = match &it.context {
                None | Some(serde_json::Value::Null) => "{}".to_string(),
                Some(v @ serde_json::Value::Object(_)) => v.to_string(),
                Some(_) => return Err(at("context must be a JSON object".into())),
            };
            if context.len() > MAX_CONTEXT_BYTES {
                return Err(at(format!("context is larger than {MAX_CONTEXT_BYTES} bytes")));
            }
            let contact = match (it.contact_id, it.phone.as_deref()) {
                (Some(id), _) => contacts::get_by_id(self.db(), id).await.map_err(|e| match e {
                    crate::store::StoreError::NotFound => at(format!("no contact {id}")),
                    other => other.into(),
                })?,
                (None, Some(p)) => {
                    let phone = crate::phone::normalize(p, region).map_err(|e| at(e.to_string()))?;
                    contacts::find_by_phone(self.db(), &phone).await?.ok_or_else(|| at(format!("no contact has the number {phone}; import or add it first")))?
                }
                (None, None) => return Err(at("give a contact_id or a phone".into())),
            };
            checked.push((contact.id, it.text.trim().to_string(), context));
        }
        let rows: Vec<Item> = checked.iter().map(|(c, t, x)| Item { contact: *c, text: t, context: x }).collect();
        let id = store::create_batch(self.db(), &name, &kind, by, &rows, now_millis()).await?;
        let added = store::list(self.db(), None, Some(id), None, None, MAX_BATCH as i64).await?;
        Ok((store::batch(self.db(), id).await?, added))
    }

    /// Generates a batch from a segment with the template writer (or the AI writer, given a
    /// brief): the segment's contacts in order, less those opted out, flagged, unreachable or
    /// suggested within the window, up to `size`.
    #[tracing::instrument(skip(self, g), fields(list = ?g.segment.list_id, conditions = g.segment.conditions.len(), size = g.size))]
    pub async fn generate(&self, g: &super::Generate, by: &str) -> Result<super::Generated> {
        use crate::store::suggestions::Left;
        let kind = super::campaign_type(&g.campaign_type).map_err(Error::Invalid)?;
        if !(1..=MAX_BATCH as u32).contains(&g.size) {
            return Err(Error::Invalid(format!("the batch size must be between 1 and {MAX_BATCH}")));
        }
        let filter = crate::segment::service::filter(self.db(), &g.segment, 2).await?;
        let segment = crate::segment::service::describe(self.db(), &g.segment).await?;
        let fields = crate::store::campaigns::merge_fields(self.db()).await?;
        let template = fields.parse(g.template.trim()).map_err(|e| Error::Invalid(e.iter().map(ToString::to_string).collect::<Vec<_>>().join("; ")))?;
        check_body(g.template.trim())?;
        let since = now_millis() - i64::from(g.window_days) * 86_400_000;
        let mut left_out = super::LeftOut::default();
        let brief = g.brief.as_deref().map(str::trim).filter(|b| !b.is_empty());
        let writer = match (brief, &self.writer) {
            (None, _) => None,
            (Some(b), Some(w)) => {
                crate::limits::check("brief", b, 1000).map_err(Error::Invalid)?;
                Some((b, w))
            }
            (Some(_), None) => return Err(Error::Invalid("no AI writer is set up (AI_BASE_URL); leave the brief empty to use the template".into())),
        };
        let business = crate::messaging::replies::business_name(self.db()).await?;
        let rules = super::writer::Rules { business: &business, marketing: true, allow_links: false, max_chars: 320 };
        let mut ai = super::AiOutcome::default();
        let now = now_millis();
        let days = |t: Option<Millis>| t.map_or(serde_json::Value::from("never"), |t| serde_json::Value::from((now - t) / 86_400_000));
        let mut items: Vec<(crate::ContactId, String, String)> = Vec::new();
        for (contact, left) in store::candidates(self.db(), &filter, since).await? {
            match left {
                Some(Left::OptedOut) => left_out.opted_out += 1,
                Some(Left::Flagged) => left_out.flagged += 1,
                Some(Left::Unreachable) => left_out.unreachable += 1,
                Some(Left::Recent) => left_out.recent += 1,
                None if items.len() < g.size as usize => {
                    let (_, values) = crate::store::enrollments::send_target(self.db(), contact).await?;
                    match template.render(&values) {
                        Ok(text) if check_body(&text).is_ok() => {
                            // Why this message: where the contact came from and how engaged they are.
                            let (last_in, last_out) = store::engagement(self.db(), contact).await?;
                            let mut context = serde_json::json!({"writer": "template", "segment": segment, "days_since_reply": days(last_in), "days_since_texted": days(last_out)});
                            let mut text = text;
                            if let Some((brief, w)) = writer {
                                let mut about = context.clone();
                                about["first_name"] = values.fields.get("first_name").cloned().unwrap_or_default().into();
                                match w.draft(brief, &about, &rules).await {
                                    Ok(draft) => {
                                        text = draft;
                                        context["writer"] = "ai".into();
                                        ai.written += 1;
                                    }
                                    Err(e) => {
                                        tracing::info!(error = %e, %contact, "AI draft not used; the template wrote it");
                                        context["ai_fallback"] = e.to_string().into();
                                        ai.fell_back += 1;
                                        ai.first_reason.get_or_insert_with(|| e.to_string());
                                    }
                                }
                            }
                            items.push((contact, text, context.to_string()));
                        }
                        _ => left_out.template_failed += 1,
                    }
                }
                None => {}
            }
        }
        if items.is_empty() {
            return Ok(super::Generated { batch_id: None, added: 0, left_out, ai: writer.map(|_| ai) });
        }
        let name = g.name.as_deref().map(str::trim).filter(|n| !n.is_empty()).map(str::to_string).unwrap_or_else(|| format!("{kind} {}", Utc::now().format("%Y-%m-%d %H:%M")));
        crate::limits::check("name", &name, 120).map_err(Error::Invalid)?;
        let rows: Vec<Item> = items.iter().map(|(c, t, x)| Item { contact: *c, text: t, context: x }).collect();
        let batch = store::create_batch(self.db(), &name, &kind, by, &rows, now_millis()).await?;
        self.messenger.events.publish(crate::messaging::LiveEvent::Approvals).await;
        Ok(super::Generated { batch_id: Some(batch), added: rows.len() as i64, left_out, ai: writer.map(|_| ai) })
    }

    /// How one batch did.
    pub async fn report(&self, batch: SuggestionBatchId) -> Result<super::Report> {
        Ok(store::report_for_batch(self.db(), batch).await?)
    }

    /// How each campaign type did, for suggestions made in `[from, to)` (epoch ms).
    pub async fn report_by_type(&self, from: Millis, to: Millis) -> Result<Vec<super::Report>> {
        if from >= to {
            return Err(Error::Invalid("the report's start must be before its end".into()));
        }
        Ok(store::report_by_type(self.db(), from, to).await?)
    }

    /// The latest batches, newest first.
    pub async fn batches(&self, limit: i64) -> Result<Vec<SuggestionBatch>> {
        Ok(store::batches(self.db(), limit.clamp(1, 200)).await?)
    }

    pub async fn get(&self, id: SuggestionId) -> Result<Suggestion> {
        Ok(store::get_by_id(self.db(), id).await?)
    }

    pub async fn list(&self, status: Option<SuggestionStatus>, batch: Option<SuggestionBatchId>, after: Option<SuggestionId>, limit: i64) -> Result<Vec<Suggestion>> {
        self.list_of_type(status, batch, None, after, limit).await
    }

    /// [`Approvals::list`], narrowed to one campaign type.
    pub async fn list_of_type(&self, status: Option<SuggestionStatus>, batch: Option<SuggestionBatchId>, campaign_type: Option<&str>, after: Option<SuggestionId>, limit: i64) -> Result<Vec<Suggestion>> {
        let kind = campaign_type.map(str::trim).filter(|t| !t.is_empty());
        Ok(store::list(self.db(), status, batch, kind, after, limit.clamp(1, 1000)).await?)
    }

    pub async fn batch(&self, id: SuggestionBatchId) -> Result<SuggestionBatch> {
        Ok(store::batch(self.db(), id).await?)
    }

    /// The audit trail of one item, oldest first.
    pub async fn history(&self, id: SuggestionId) -> Result<Vec<SuggestionEvent>> {
        store::get_by_id(self.db(), id).await?;
        Ok(store::events(self.db(), id).await?)
    }

    async fn change(&self, id: SuggestionId, action: Action, actor: &str, text: Option<&str>, send_at: Option<Millis>, reason: Option<&str>) -> Result<Suggestion> {
        if let Some(t) = text {
            check_body(t)?;
        }
        let key = Self::message_key(id);
        let c = Change { action, actor, text: text.map(str::trim), send_at, reason, message_key: &key, now: now_millis() };
        let item = store::apply(self.db(), id, &c).await?;
        // Other people looking at the queue see it at once.
        self.messenger.events.publish(crate::messaging::LiveEvent::Approvals).await;
        Ok(item)
    }

    /// Approves one item, optionally with an edited text and a send time (then it is
    /// scheduled; without one it waits for its batch's plan).
    #[tracing::instrument(skip(self, text))]
    pub async fn approve(&self, id: SuggestionId, actor: &str, text: Option<&str>, send_at: Option<DateTime<Utc>>) -> Result<Suggestion> {
        match send_at {
            Some(t) => {
                self.check_tested(self.get(id).await?.batch_id).await?;
                let t = t.timestamp_millis().max(now_millis());
                self.change(id, Action::Schedule, actor, text, Some(t), None).await
            }
            None => {
                let cur = self.get(id).await?;
                if cur.status == SuggestionStatus::Approved {
                    // Approving again only keeps an edit.
                    return self.change(id, Action::Edit, actor, text, None, None).await;
                }
                self.change(id, Action::Approve, actor, text, None, None).await
            }
        }
    }

    pub async fn edit(&self, id: SuggestionId, actor: &str, text: &str) -> Result<Suggestion> {
        self.change(id, Action::Edit, actor, Some(text), None, None).await
    }

    pub async fn reject(&self, id: SuggestionId, actor: &str, reason: &str) -> Result<Suggestion> {
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(Error::Invalid("give a reason for the rejection".into()));
        }
        crate::limits::check("reason", reason, 500).map_err(Error::Invalid)?;
        self.change(id, Action::Reject, actor, None, None, Some(reason)).await
    }

    /// Cancels an item not yet handed to the pipeline. Racing with its due time, it either
    /// wins (never sent) or loses with "too late to cancel".
    pub async fn cancel(&self, id: SuggestionId, actor: &str) -> Result<Suggestion> {
        self.change(id, Action::Cancel, actor, None, None, None).await
    }

    /// The send times a batch would get, without changing anything: start plus random gaps of
    /// `gap_min..=gap_max` minutes, each moved into its recipient's legal window, never more
    /// than the queue's limits.
    pub async fn plan_batch(&self, batch: SuggestionBatchId, start: DateTime<Utc>, gap_min: u32, gap_max: u32) -> Result<Plan> {
        store::batch(self.db(), batch).await?;
        let items = store::plannable(self.db(), batch).await?;
        if items.is_empty() {
            return Err(Error::Conflict("nothing in this batch is waiting for approval".into()));
        }
        let rules = self.messenger.rules.get();
        let reach: Vec<Reach> = items
            .iter()
            .map(|(_, phone, tz)| {
                let phone = E164::parse(phone).ok();
                let (zones, window) = match &phone {
                    Some(p) => {
                        let r = Recipient { phone: p, timezone: tz.as_deref(), opted_out: false, flagged: false, invalid: false, landline: false, recent_marketing_ms: &[] };
                        (recipient_zones(&rules, &r).0, rules.window_for(state_of(p)))
                    }
                    None => (vec![rules.default_zone], rules.default_window),
                };
                Reach { zones, window }
            })
            .collect();
        let mut rng = rand::thread_rng();
        let gaps = plan::random_gaps(gap_min, gap_max, &mut rng).map_err(|e| Error::Invalid(e.to_string()))?;
        let start = start.max(Utc::now());
        let times = plan::plan(start, &reach, gaps, self.limits).map_err(|e| Error::Invalid(e.to_string()))?;
        Ok(items.iter().zip(times).map(|((id, _, _), t)| (*id, t.timestamp_millis())).collect())
    }

    /// Approves and schedules a batch: plans it and stores the plan in one transaction.
    /// Returns the plan of the items scheduled (an item approved, rejected or cancelled by
    /// someone else meanwhile keeps its state).
    #[tracing::instrument(skip(self))]
    pub async fn approve_batch(&self, batch: SuggestionBatchId, actor: &str, start: DateTime<Utc>, gap_min: u32, gap_max: u32) -> Result<Plan> {
        self.check_tested(batch).await?;
        let plan = self.plan_batch(batch, start, gap_min, gap_max).await?;
        let scheduled = store::schedule_plan(self.db(), &plan, actor, now_millis()).await?;
        self.messenger.events.publish(crate::messaging::LiveEvent::Approvals).await;
        Ok(scheduled)
    }

    /// Whether the whole queue is paused, and since when.
    pub async fn paused_since(&self) -> Result<Option<Millis>> {
        Ok(settings::get_value(self.db(), PAUSED_AT).await?.and_then(|v| v.parse().ok()))
    }

    /// Pauses the whole queue: nothing is handed to the pipeline until it is resumed.
    pub async fn pause(&self) -> Result<()> {
        if self.paused_since().await?.is_none() {
            settings::set_value(self.db(), PAUSED_AT, &now_millis().to_string()).await?;
            self.messenger.events.publish(crate::messaging::LiveEvent::Approvals).await;
        }
        Ok(())
    }

    /// Resumes the plan: times that passed during the pause move forward by its length.
    /// Returns how many items moved.
    pub async fn resume(&self) -> Result<u64> {
        let Some(since) = self.paused_since().await? else { return Ok(0) };
        let moved = store::shift_overdue(self.db(), since, now_millis()).await?;
        settings::set_value(self.db(), PAUSED_AT, "").await?;
        self.messenger.events.publish(crate::messaging::LiveEvent::Approvals).await;
        Ok(moved)
    }

    /// One scheduler pass: claims due items (within the per-minute and per-hour limits, checked
    /// again here), hands each to the pipeline under its own key, and records what became of
    /// it. Returns how many were handed over.
    #[tracing::instrument(skip(self))]
    pub async fn send_due(&self) -> Result<usize> {
        if self.paused_since().await?.is_some() {
            return Ok(0);
        }
        let now = now_millis();
        let room = (i64::from(self.limits.per_minute) - store::sent_since(self.db(), now - 60_000).await?)
            .min(i64::from(self.limits.per_hour) - store::sent_since(self.db(), now - 3_600_000).await?)
            .min(CLAIM_MAX);
        if room <= 0 {
            return Ok(0);
        }
        let token = self.messenger.claim_token();
        let until = now + self.messenger.lease().as_millis() as i64;
        let mut handed = 0;
        let mut changed = false;
        for (id, contact, text, _by) in store::claim_due(self.db(), &token, now, until, room).await? {
            let mut req = OutboundRequest::new(contact, text, MessageKind::Approval);
            req.key = Some(Self::message_key(id));
            let outcome = match self.messenger.submit(req).await {
                Ok(Submitted::Accepted(m) | Submitted::Queued(m) | Submitted::Scheduled(m, _) | Submitted::Pending(m, _) | Submitted::Busy(m)) => Some(Ok(m.id)),
                Ok(Submitted::Blocked { reason, .. }) => Some(Err(format!("not sent: {reason}"))),
                Ok(Submitted::Failed(_, e)) => Some(Err(e.to_string())),
                Ok(Submitted::Ended(m)) => Some(Err(format!("the message was {}", m.status.as_str()))),
                Ok(Submitted::Deferred { .. } | Submitted::CapReached | Submitted::NotWanted(_)) => None,
                Err(e) => {
                    tracing::warn!(error = %e, suggestion = %id, "could not hand the item to the pipeline; retried next pass");
                    None
                }
            };
            match outcome {
                Some(o) => {
                    let recorded = match &o {
                        Ok(m) => store::finish(self.db(), id, &token, Ok(*m), now_millis()).await?,
                        Err(why) => store::finish(self.db(), id, &token, Err(why), now_millis()).await?,
                    };
                    changed |= recorded;
                    if recorded && o.is_ok() {
                        handed += 1;
                    }
                }
                None => store::release(self.db(), id, &token).await?,
            }
        }
        if changed {
            self.messenger.events.publish(crate::messaging::LiveEvent::Approvals).await;
        }
        Ok(handed)
    }

    /// The scheduler: a pass every `every`.
    pub async fn run(self, every: Duration) {
        loop {
            if let Err(e) = self.send_due().await {
                tracing::warn!(error = %e, "approval queue pass failed; retried");
            }
            tokio::time::sleep(every).await;
        }
    }
}

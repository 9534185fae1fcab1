//! The approval queue in the browser: the queue, a person's decisions (one or many), batch
//! plans, test sends, the pause switch, generating a batch, item histories and reports.

use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use server_fn::codec::Json;
use warmline::approvals::{BulkDecision, BulkOutcome, Generate, Generated, Report, Reports, Suggestion, SuggestionBatch, SuggestionBatchId, SuggestionEvent, SuggestionId, TestMode, TestSent};

/// The queue page: batches, the items shown, and the switch.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct QueueView {
    pub batches: Vec<SuggestionBatch>,
    pub items: Vec<Suggestion>,
    pub paused: bool,
    pub per_minute: u32,
    pub per_hour: u32,
    /// The organisation's zone (plans start in it).
    pub org_timezone: String,
    /// An AI writer is configured (AI_BASE_URL): a brief can replace the template.
    pub ai_writer: bool,
    /// The test numbers, and whether a batch needs a test send before approval.
    pub test_mode: TestMode,
}

/// A planned send time, for the confirmation before approving a batch.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlannedItem {
    pub id: SuggestionId,
    pub send_at: i64,
}

#[cfg(feature = "ssr")]
fn actor(u: &warmline::user::User) -> String {
    u.email.clone()
}

/// `start` as typed in a `datetime-local` field, in the organisation's zone; empty is tomorrow
/// 10:00 there.
#[cfg(feature = "ssr")]
fn start_time(state: &crate::state::AppState, start: &str) -> Result<chrono::DateTime<chrono::Utc>, AppError> {
    use chrono::TimeZone;
    let zone = state.messenger.rules.get().default_zone;
    let local = if start.trim().is_empty() {
        let tomorrow = chrono::Utc::now().with_timezone(&zone).date_naive() + chrono::Duration::days(1);
        tomorrow.and_hms_opt(10, 0, 0).expect("10:00 exists")
    } else {
        chrono::NaiveDateTime::parse_from_str(start.trim(), "%Y-%m-%dT%H:%M").map_err(|_| AppError::Invalid("pick a start date and time".into()))?
    };
    zone.from_local_datetime(&local).earliest().map(|t| t.with_timezone(&chrono::Utc)).ok_or_else(|| AppError::Invalid("that time does not exist in the organisation's time zone".into()))
}

#[server(output = crate::api::codec::JsonText)]
pub async fn load_queue(status: Option<String>, batch: Option<SuggestionBatchId>, campaign_type: Option<String>) -> Result<QueueView, AppError> {
    use super::ssr::*;
    require_user()?;
    let state = state()?;
    let status = status.as_deref().filter(|s| !s.is_empty()).and_then(warmline::approvals::SuggestionStatus::parse);
    let limits = state.approvals.limits();
    Ok(QueueView {
        batches: state.approvals.batches(50).await.or_fail()?,
        items: state.approvals.list_of_type(status, batch, campaign_type.as_deref(), None, 1000).await.or_fail()?,
        paused: state.approvals.paused_since().await.or_fail()?.is_some(),
        per_minute: limits.per_minute,
        per_hour: limits.per_hour,
        org_timezone: state.messenger.rules.get().default_zone.name().to_string(),
        ai_writer: state.approvals.has_writer(),
        test_mode: state.approvals.test_mode().await.or_fail()?,
    })
}

#[server(input = Json, output = crate::api::codec::JsonText)]
pub async fn generate_suggestions(generate: Generate) -> Result<Generated, AppError> {
    use super::ssr::*;
    let me = require_user()?;
    state()?.approvals.generate(&generate, &format!("template, by {}", me.email)).await.or_fail()
}

#[server(output = crate::api::codec::JsonText)]
pub async fn approve_suggestion(id: SuggestionId, text: Option<String>) -> Result<Suggestion, AppError> {
    use super::ssr::*;
    let me = require_user()?;
    state()?.approvals.approve(id, &actor(&me), text.as_deref().filter(|t| !t.trim().is_empty()), None).await.or_fail()
}

#[server(output = crate::api::codec::JsonText)]
pub async fn reject_suggestion(id: SuggestionId, reason: String) -> Result<Suggestion, AppError> {
    use super::ssr::*;
    let me = require_user()?;
    state()?.approvals.reject(id, &actor(&me), &reason).await.or_fail()
}

#[server(output = crate::api::codec::JsonText)]
pub async fn cancel_suggestion(id: SuggestionId) -> Result<Suggestion, AppError> {
    use super::ssr::*;
    let me = require_user()?;
    state()?.approvals.cancel(id, &actor(&me)).await.or_fail()
}

#[server(output = crate::api::codec::JsonText)]
pub async fn plan_batch(batch: SuggestionBatchId, start: String, gap_min: u32, gap_max: u32) -> Result<Vec<PlannedItem>, AppError> {
    use super::ssr::*;
    require_user()?;
    let state = state()?;
    let at = start_time(&state, &start)?;
    let plan = state.approvals.plan_batch(batch, at, gap_min, gap_max).await.or_fail()?;
    Ok(plan.into_iter().map(|(id, send_at)| PlannedItem { id, send_at }).collect())
}

#[server(output = crate::api::codec::JsonText)]
pub async fn approve_batch(batch: SuggestionBatchId, start: String, gap_min: u32, gap_max: u32) -> Result<Vec<PlannedItem>, AppError> {
    use super::ssr::*;
    let me = require_user()?;
    let state = state()?;
    let at = start_time(&state, &start)?;
    let plan = state.approvals.approve_batch(batch, &actor(&me), at, gap_min, gap_max).await.or_fail()?;
    Ok(plan.into_iter().map(|(id, send_at)| PlannedItem { id, send_at }).collect())
}

#[server(output = crate::api::codec::JsonText)]
pub async fn set_queue_paused(paused: bool) -> Result<(), AppError> {
    use super::ssr::*;
    require_user()?;
    let a = &state()?.approvals;
    if paused {
        a.pause().await.or_fail()
    } else {
        a.resume().await.map(|_| ()).or_fail()
    }
}

#[server(output = crate::api::codec::JsonText)]
pub async fn batch_report(batch: SuggestionBatchId) -> Result<Report, AppError> {
    use super::ssr::*;
    require_user()?;
    state()?.approvals.report(batch).await.or_fail()
}

#[server(input = Json, output = crate::api::codec::JsonText)]
pub async fn decide_suggestions(ids: Vec<SuggestionId>, decision: BulkDecision) -> Result<BulkOutcome, AppError> {
    use super::ssr::*;
    let me = require_user()?;
    state()?.approvals.decide_many(&ids, &decision, &actor(&me)).await.or_fail()
}

#[server(output = crate::api::codec::JsonText)]
pub async fn suggestion_history(id: SuggestionId) -> Result<Vec<SuggestionEvent>, AppError> {
    use super::ssr::*;
    require_user()?;
    state()?.approvals.history(id).await.or_fail()
}

#[server(output = crate::api::codec::JsonText)]
pub async fn load_test_mode() -> Result<TestMode, AppError> {
    use super::ssr::*;
    require_user()?;
    state()?.approvals.test_mode().await.or_fail()
}

#[server(output = crate::api::codec::JsonText)]
pub async fn save_test_mode(numbers: String, require_test: Option<String>) -> Result<TestMode, AppError> {
    use super::ssr::*;
    require_admin()?;
    let state = state()?;
    // A checkbox: present ("true") when ticked, absent otherwise.
    let require = require_test.is_some_and(|v| v == "true" || v == "on");
    state.approvals.set_test_mode(&numbers, require, state.config.default_region).await.or_fail()
}

/// Sends `items` (none: the batch's first few waiting) to the test numbers.
#[server(input = Json, output = crate::api::codec::JsonText)]
pub async fn send_test_messages(batch: SuggestionBatchId, items: Vec<SuggestionId>) -> Result<TestSent, AppError> {
    use super::ssr::*;
    let me = require_user()?;
    state()?.approvals.send_test(batch, &items, &actor(&me)).await.or_fail()
}

/// Reports from `from` to `to` (dates in the organisation's zone, both included; empty: the
/// last 30 days).
#[server(output = crate::api::codec::JsonText)]
pub async fn approval_reports(from: String, to: String) -> Result<Reports, AppError> {
    use super::ssr::*;
    require_user()?;
    let state = state()?;
    let zone = state.messenger.rules.get().default_zone;
    let today = chrono::Utc::now().with_timezone(&zone).date_naive();
    let (start, end) = warmline::approvals::export::range(zone, &from, &to, today).or_fail()?;
    let mut r = state.approvals.reports(start, end).await.or_fail()?;
    let day = |ms: i64| chrono::DateTime::from_timestamp_millis(ms).map(|t| t.with_timezone(&zone).format("%Y-%m-%d").to_string()).unwrap_or_default();
    r.days = (day(start), day(end - 1));
    Ok(r)
}

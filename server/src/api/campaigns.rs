//! `/api/v1/campaigns`: create drip campaigns, activate and pause them, enroll contacts and
//! read the per-step funnel.

use super::error::ApiError;
use warmline::error::NameMissing;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::Json;
use serde::Deserialize;
use warmline::campaign::delay::Delay;
use warmline::campaign::model::{Audience, CampaignDetail, CampaignDraft, Step};
use warmline::gate::window::Window;
use warmline::{CampaignId, ContactId, ListId};
use warmline_app::state::AppState;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StepBody {
    /// Minutes after the previous step (or enrollment). Give this or `delay`.
    pub delay_minutes: Option<u32>,
    /// `{"kind": "after", "minutes": n}` or `{"kind": "next_day_at", "hour": 9, "minute": 30}`.
    pub delay: Option<Delay>,
    pub template: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WindowBody {
    /// "HH:MM", local to the contact.
    pub start: String,
    pub end: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CampaignBody {
    pub name: String,
    pub steps: Vec<StepBody>,
    #[serde(default = "yes")]
    pub stop_on_reply: bool,
    #[serde(default = "yes")]
    pub stop_on_failure: bool,
    pub window: Option<WindowBody>,
    pub daily_cap: Option<u32>,
    pub sender: Option<String>,
}

fn yes() -> bool {
    true
}

fn minute_of_day(s: &str) -> Option<u32> {
    let (h, m) = s.trim().split_once(':')?;
    let (h, m) = (h.parse::<u32>().ok()?, m.parse::<u32>().ok()?);
    (h <= 24 && m < 60 && h * 60 + m <= 1440).then_some(h * 60 + m)
}

impl CampaignBody {
    fn into_draft(self) -> Result<CampaignDraft, ApiError> {
        let steps = self
            .steps
            .into_iter()
            .enumerate()
            .map(|(i, s)| {
                let delay = match (s.delay_minutes, s.delay) {
                    (Some(m), None) => Delay::After { minutes: m },
                    (None, Some(d)) => d,
                    (None, None) => Delay::After { minutes: 0 },
                    (Some(_), Some(_)) => return Err(ApiError::Invalid(format!("step {}: give delay_minutes or delay, not both", i + 1))),
                };
                Ok(Step { delay, template: s.template })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let window = match self.window {
            None => None,
            Some(w) => {
                let (Some(start), Some(end)) = (minute_of_day(&w.start), minute_of_day(&w.end)) else {
                    return Err(ApiError::Invalid("window times must look like 09:00".into()));
                };
                Some(Window { start_minute: start, end_minute: end })
            }
        };
        Ok(CampaignDraft { name: self.name, steps, stop_on_reply: self.stop_on_reply, stop_on_failure: self.stop_on_failure, window, daily_cap: self.daily_cap, sender: self.sender })
    }
}

fn json_body<T>(body: Result<Json<T>, JsonRejection>) -> Result<T, ApiError> {
    body.map(|Json(b)| b).map_err(|e| ApiError::BadRequest(e.body_text()))
}

fn campaign_id(raw: &str) -> Result<CampaignId, ApiError> {
    raw.parse().map_err(|_| ApiError::NotFound(format!("no campaign {raw}")))
}

/// `POST /api/v1/campaigns`: 201 with the new draft campaign.
#[tracing::instrument(skip(state, body))]
pub async fn create(State(state): State<AppState>, body: Result<Json<CampaignBody>, JsonRejection>) -> Result<impl IntoResponse, ApiError> {
    let draft = json_body(body)?.into_draft()?;
    let c = state.drip.create_campaign(&draft, None).await?;
    let detail = state.drip.detail(c.id).await?;
    Ok((StatusCode::CREATED, Json(detail)))
}

/// `GET /api/v1/campaigns`: every campaign with its counts.
pub async fn list(State(state): State<AppState>) -> Result<impl IntoResponse, ApiError> {
    Ok(Json(warmline::store::campaigns::list(&state.db).await?))
}

/// `GET /api/v1/campaigns/{id}`: the campaign, its steps and the per-step funnel.
pub async fn get_one(State(state): State<AppState>, Path(id): Path<String>) -> Result<Json<CampaignDetail>, ApiError> {
    let id = campaign_id(&id)?;
    state.drip.detail(id).await.missing(|| format!("no campaign {id}")).map(Json).map_err(Into::into)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActivateQuery {
    /// RFC 3339; no step goes out before it.
    pub starts_at: Option<String>,
}

/// `POST /api/v1/campaigns/{id}/activate[?starts_at=RFC3339]`: start or resume sending, now or
/// from a chosen time.
pub async fn activate(State(state): State<AppState>, Path(id): Path<String>, Query(q): Query<ActivateQuery>) -> Result<Json<CampaignDetail>, ApiError> {
    let id = campaign_id(&id)?;
    let starts_at = match q.starts_at.as_deref() {
        None | Some("") => None,
        Some(s) => Some(
            chrono::DateTime::parse_from_rfc3339(s)
                .map_err(|_| ApiError::Invalid(format!("starts_at '{}' is not an RFC 3339 time", warmline::limits::ellipsize(s, 40))))?
                .timestamp_millis(),
        ),
    };
    state.drip.launch(id, starts_at).await.missing(|| format!("no campaign {id}"))?;
    Ok(Json(state.drip.detail(id).await?))
}

/// `POST /api/v1/campaigns/{id}/pause`: no new sends from the next runner tick.
pub async fn pause(State(state): State<AppState>, Path(id): Path<String>) -> Result<Json<CampaignDetail>, ApiError> {
    let id = campaign_id(&id)?;
    state.drip.pause(id).await.missing(|| format!("no campaign {id}"))?;
    Ok(Json(state.drip.detail(id).await?))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnrollBody {
    pub contact_ids: Option<Vec<ContactId>>,
    pub list_id: Option<ListId>,
    pub tag: Option<String>,
    /// Restart contacts already in the campaign at step 1 (default false: they are left as they are).
    #[serde(default)]
    pub reenroll: bool,
}

/// `POST /api/v1/campaigns/{id}/enrollments`: `{"contact_ids": […]}`, `{"list_id": n}` or `{"tag": "…"}`.
#[tracing::instrument(skip(state, body))]
pub async fn enroll(State(state): State<AppState>, Path(id): Path<String>, body: Result<Json<EnrollBody>, JsonRejection>) -> Result<impl IntoResponse, ApiError> {
    let id = campaign_id(&id)?;
    let b = json_body(body)?;
    let audience = match (b.contact_ids, b.list_id, b.tag) {
        (Some(ids), None, None) => Audience::Contacts(ids),
        (None, Some(l), None) => {
            warmline::store::lists::get_by_id(&state.db, l).await.map_err(|_| ApiError::Invalid(format!("no list {l}")))?;
            Audience::List(l)
        }
        (None, None, Some(t)) => Audience::Tag(t),
        _ => return Err(ApiError::BadRequest("give exactly one of contact_ids, list_id or tag".into())),
    };
    let out = state.drip.enroll(id, &audience, b.reenroll).await.missing(|| format!("no campaign {id}"))?;
    Ok((StatusCode::OK, Json(out)))
}

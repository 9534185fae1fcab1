//! `/api/v1/analytics/*`, `/api/v1/contacts/{id}/timeline` and `/api/v1/alarms`.

use super::error::ApiError;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use warmline::analytics::alarms::Alarm;
use warmline::analytics::service::FilterInput;
use warmline::analytics::{DayPoint, Summary, TimelineEntry};
use warmline::ContactId;
use warmline_app::state::AppState;

/// `?bucket=day`, read beside the filter (`?from=&to=&campaign_id=&kind=&step=&sender=&member=`).
#[derive(Debug, Default, Deserialize)]
pub struct Bucket {
    /// Only `day` for now.
    #[serde(default)]
    pub bucket: Option<String>,
}

impl Bucket {
    fn check(&self) -> Result<(), ApiError> {
        match self.bucket.as_deref() {
            None | Some("day") => Ok(()),
            Some(b) => Err(ApiError::BadRequest(format!("bucket '{}' is not supported; use bucket=day", warmline::limits::ellipsize(b, 20)))),
        }
    }
}

/// `GET /api/v1/analytics/summary`
#[tracing::instrument(skip(state))]
pub async fn summary(State(state): State<AppState>, Query(p): Query<FilterInput>) -> Result<Json<Summary>, ApiError> {
    let f = state.analytics.filter(&p)?;
    Ok(Json(state.analytics.summary(&f).await?))
}

#[derive(Debug, Serialize)]
pub struct Series {
    pub bucket: &'static str,
    pub from: String,
    pub to: String,
    pub points: Vec<DayPoint>,
}

/// `GET /api/v1/analytics/timeseries?bucket=day`
#[tracing::instrument(skip(state))]
pub async fn timeseries(State(state): State<AppState>, Query(p): Query<FilterInput>, Query(b): Query<Bucket>) -> Result<Json<Series>, ApiError> {
    b.check()?;
    let f = state.analytics.filter(&p)?;
    let points = state.analytics.series(&f).await?;
    Ok(Json(Series {
        bucket: "day",
        from: points.first().map(|p| p.day.clone()).unwrap_or_default(),
        to: points.last().map(|p| p.day.clone()).unwrap_or_default(),
        points,
    }))
}

/// `GET /api/v1/contacts/{id}/timeline`
#[tracing::instrument(skip(state))]
pub async fn timeline(State(state): State<AppState>, Path(id): Path<String>) -> Result<Json<Vec<TimelineEntry>>, ApiError> {
    let id: ContactId = id.parse().map_err(|_| ApiError::NotFound(format!("no contact '{}'", warmline::limits::ellipsize(&id, 40))))?;
    Ok(Json(state.analytics.timeline(id).await?))
}

#[derive(Debug, Default, Deserialize)]
pub struct AlarmParams {
    #[serde(default)]
    pub limit: Option<i64>,
}

#[derive(Debug, Serialize)]
pub struct Alarms {
    pub active: Vec<Alarm>,
    pub recent: Vec<Alarm>,
}

/// `GET /api/v1/alarms`: active alarms and recent ended ones, with the figures that raised them.
#[tracing::instrument(skip(state))]
pub async fn alarms(State(state): State<AppState>, Query(p): Query<AlarmParams>) -> Result<Json<Alarms>, ApiError> {
    let all = state.analytics.alarms(p.limit.unwrap_or(50)).await?;
    let (active, recent) = all.into_iter().partition(|a| a.active);
    Ok(Json(Alarms { active, recent }))
}

/// `POST /api/v1/alarms/{id}/acknowledge`: ends an alarm (a paused campaign is resumed with
/// `POST /campaigns/{id}/activate`, which also ends its alarms).
#[tracing::instrument(skip(state))]
pub async fn acknowledge(State(state): State<AppState>, Path(id): Path<String>) -> Result<StatusCode, ApiError> {
    let id: i64 = id.parse().map_err(|_| ApiError::NotFound(format!("no alarm '{}'", warmline::limits::ellipsize(&id, 40))))?;
    state.analytics.acknowledge(id, None).await?;
    Ok(StatusCode::NO_CONTENT)
}

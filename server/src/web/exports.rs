//! `GET /app/exports/…`: CSV downloads for a signed-in person (the session cookie, not an API
//! key): the approval queue's audit trail and its reports over a date range.

use crate::api::error::ApiError;
use axum::extract::{Query, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::IntoResponse;
use axum::Extension;
use serde::Deserialize;
use warmline::approvals::SuggestionBatchId;
use warmline_app::state::{AppState, CurrentUser};

#[derive(Debug, Default, Deserialize)]
pub struct ExportParams {
    /// `YYYY-MM-DD` in the organisation's zone; empty: 29 days before `to`.
    #[serde(default)]
    pub from: String,
    /// `YYYY-MM-DD`, included; empty: today.
    #[serde(default)]
    pub to: String,
    /// Only this batch (audit trail).
    #[serde(default)]
    pub batch_id: Option<String>,
}

fn range(state: &AppState, p: &ExportParams) -> Result<(i64, i64), ApiError> {
    let zone = state.messenger.rules.get().default_zone;
    let today = chrono::Utc::now().with_timezone(&zone).date_naive();
    Ok(warmline::approvals::export::range(zone, &p.from, &p.to, today)?)
}

fn csv(name: &str, body: String) -> impl IntoResponse {
    (
        [
            (CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
            (CACHE_CONTROL, "no-store".to_string()),
        ],
        body,
    )
}

/// `GET /app/exports/approvals-audit.csv?from=&to=&batch_id=`
#[tracing::instrument(skip(state, user))]
pub async fn approvals_audit(State(state): State<AppState>, Extension(user): Extension<CurrentUser>, Query(p): Query<ExportParams>) -> Result<impl IntoResponse, ApiError> {
    user.0.ok_or(ApiError::Unauthorized)?;
    let (from, to) = range(&state, &p)?;
    let batch = match p.batch_id.as_deref().map(str::trim).filter(|b| !b.is_empty()) {
        Some(b) => Some(b.parse::<SuggestionBatchId>().map_err(|_| ApiError::NotFound(format!("no suggestion batch '{}'", warmline::limits::ellipsize(b, 40))))?),
        None => None,
    };
    Ok(csv("approvals-audit.csv", state.approvals.audit_csv(batch, from, to).await?))
}

/// `GET /app/exports/approvals-report.csv?from=&to=`
#[tracing::instrument(skip(state, user))]
pub async fn approvals_report(State(state): State<AppState>, Extension(user): Extension<CurrentUser>, Query(p): Query<ExportParams>) -> Result<impl IntoResponse, ApiError> {
    user.0.ok_or(ApiError::Unauthorized)?;
    let (from, to) = range(&state, &p)?;
    Ok(csv("approvals-report.csv", state.approvals.reports_csv(from, to).await?))
}

/// `GET /app/exports/analytics.csv?from=&to=&kind=&campaign_id=…`: the analytics page's tables.
#[tracing::instrument(skip(state, user))]
pub async fn analytics(State(state): State<AppState>, Extension(user): Extension<CurrentUser>, Query(p): Query<warmline::analytics::service::FilterInput>) -> Result<impl IntoResponse, ApiError> {
    user.0.ok_or(ApiError::Unauthorized)?;
    let f = state.analytics.filter(&p)?;
    Ok(csv("analytics.csv", state.analytics.report_csv(&f).await?))
}

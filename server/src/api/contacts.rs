//! `/api/v1/contacts`: list and search, fetch one, create one, and bulk CSV import.

use super::error::ApiError;
use crate::web::upload::{read_csv_body, CsvBody};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::Json;
use serde::Deserialize;
use warmline::contact::{Contact, ContactQuery, NewContact};
use warmline::import_service::{run_import, ImportRequest};
use warmline::store::{contacts, lists};
use warmline::ContactId;
use warmline_app::state::AppState;

#[derive(Debug, Deserialize)]
pub struct ListParams {
    pub q: Option<String>,
    pub phone: Option<String>,
    /// A list's name or id.
    pub list: Option<String>,
    pub tag: Option<String>,
    /// A score band: hot, warm, qualified, cold, unqualified.
    pub band: Option<String>,
    /// The first-touch source, exactly.
    pub source: Option<String>,
    /// `score` (highest first) or `newest` (the default).
    pub sort: Option<String>,
    pub page: Option<i64>,
    pub per_page: Option<i64>,
    /// Keyset pagination: the page after (or before) the cursor of `X-Next-Cursor`
    /// (`X-Prev-Cursor`), read through the index however deep.
    pub after: Option<String>,
    pub before: Option<String>,
}

/// `GET /api/v1/contacts`: a JSON array, newest first; `X-Total-Count` carries the total (a
/// floor, with `X-Total-Count-Capped: true`, past `contacts::COUNT_CAP` matches), and
/// `X-Next-Cursor` / `X-Prev-Cursor` the cursors for `?after=` / `?before=`.
#[tracing::instrument(skip(state))]
pub async fn list(State(state): State<AppState>, Query(p): Query<ListParams>) -> Result<impl IntoResponse, ApiError> {
    let list_id = match p.list.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(l) => match lists::find_by_name(&state.db, l).await? {
            Some(found) => Some(found.id),
            None => match l.parse() {
                Ok(id) => Some(lists::get_by_id(&state.db, id).await.map_err(|_| ApiError::NotFound(format!("no list '{l}'")))?.id),
                Err(_) => return Err(ApiError::NotFound(format!("no list '{l}'"))),
            },
        },
    };
    let by_phone = p.phone.is_some();
    let query = ContactQuery { q: p.q, phone: p.phone, list_id, tag: p.tag, band: p.band, source: p.source, sort: p.sort, page: p.page, per_page: p.per_page, after: p.after, before: p.before };
    let page = contacts::search(&state.db, &query, state.config.default_region).await?;
    let mut headers = HeaderMap::new();
    headers.insert("x-total-count", page.total.into());
    if page.total_capped {
        // Counting stopped at the cap: X-Total-Count is a floor.
        headers.insert("x-total-count-capped", axum::http::HeaderValue::from_static("true"));
    }
    for (name, cursor) in [("x-next-cursor", &page.next), ("x-prev-cursor", &page.prev)] {
        if let Some(v) = cursor.as_deref().and_then(|c| axum::http::HeaderValue::from_str(c).ok()) {
            headers.insert(name, v);
        }
    }
    if by_phone {
        // An exact phone lookup answers with the full contact and its consent history.
        let mut details = Vec::with_capacity(page.items.len());
        for c in &page.items {
            details.push(serde_json::to_value(detail(&state, c.id).await?).map_err(|_| ApiError::Internal)?);
        }
        return Ok((headers, Json(serde_json::Value::Array(details))));
    }
    Ok((headers, Json(serde_json::to_value(page.items).map_err(|_| ApiError::Internal)?)))
}

/// A contact with its consent state and history.
#[derive(Debug, serde::Serialize)]
pub struct ContactDetail {
    #[serde(flatten)]
    pub contact: Contact,
    pub opted_out: bool,
    pub flagged: bool,
    pub number_status: warmline::message::NumberStatus,
    pub consent_history: Vec<warmline::message::ConsentEvent>,
}

/// `GET /api/v1/contacts/{id}`
pub async fn get_one(State(state): State<AppState>, Path(id): Path<String>) -> Result<Json<ContactDetail>, ApiError> {
    let id: ContactId = id.parse().map_err(|_| ApiError::NotFound(format!("no contact '{id}'")))?;
    Ok(Json(detail(&state, id).await?))
}

async fn detail(state: &AppState, id: ContactId) -> Result<ContactDetail, ApiError> {
    let contact = contacts::get_by_id(&state.db, id).await.map_err(|e| match e {
        warmline::store::StoreError::NotFound => ApiError::NotFound(format!("no contact {id}")),
        other => other.into(),
    })?;
    let consent = warmline::store::consent::state(&state.db, id).await?;
    Ok(ContactDetail { contact, opted_out: consent.opted_out, flagged: consent.flagged, number_status: consent.number_status, consent_history: consent.history })
}

/// `POST /api/v1/contacts` with a JSON contact: 201 with the stored contact.
#[tracing::instrument(skip(state, body))]
pub async fn create(State(state): State<AppState>, body: Result<Json<NewContact>, axum::extract::rejection::JsonRejection>) -> Result<impl IntoResponse, ApiError> {
    let Json(new) = body.map_err(|e| ApiError::BadRequest(e.body_text()))?;
    let contact = contacts::create(&state.db, &new, state.config.default_region).await?;
    Ok((StatusCode::CREATED, Json(contact)))
}

#[derive(Debug, Deserialize)]
pub struct ImportParams {
    pub list: Option<String>,
    #[serde(default)]
    pub skip_invalid: bool,
}

/// `POST /api/v1/contacts/import?list=NAME[&skip_invalid=true]` with a `text/csv` body.
/// A bad row without `skip_invalid` answers 422 and imports nothing.
#[tracing::instrument(skip(state, body))]
pub async fn import(State(state): State<AppState>, Query(p): Query<ImportParams>, body: CsvBody) -> Result<impl IntoResponse, ApiError> {
    let bytes = read_csv_body(body, state.config.import_max_bytes).await?;
    let list_name = p
        .list
        .map(|l| l.trim().to_string())
        .filter(|l| !l.is_empty())
        .unwrap_or_else(|| format!("API import {}", chrono::Utc::now().format("%Y-%m-%d %H:%M")));
    let req = ImportRequest {
        list_name,
        filename: None,
        mapping: None,
        skip_invalid: p.skip_invalid,
        region: state.config.default_region,
        created_by: None,
    };
    let report = run_import(&state.db, bytes, req, &|_| {}).await?;
    Ok(Json(report))
}

//! `POST /app/imports`: the browser's CSV upload. Starts a background import job and
//! answers with its id; the page polls the `import_status` server function for progress.

use super::upload::{read_csv_body, CsvBody};
use crate::api::error::ApiError;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::{Extension, Json};
use serde::Deserialize;
use serde_json::json;
use warmline::csv_import::Field;
use warmline::import_service::ImportRequest;
use warmline_app::state::{AppState, CurrentUser};

#[derive(Debug, Deserialize)]
pub struct UploadParams {
    pub list: String,
    pub filename: Option<String>,
    #[serde(default)]
    pub skip_invalid: bool,
    /// Comma-separated field keys, one per column (`phone,first_name,custom,…`).
    pub mapping: Option<String>,
}

fn parse_mapping(s: &str) -> Result<Vec<Field>, ApiError> {
    s.split(',').map(|k| Field::from_key(k.trim()).ok_or_else(|| ApiError::BadRequest(format!("unknown column mapping '{k}'")))).collect()
}

#[tracing::instrument(skip(state, user, body), fields(list = %params.list))]
pub async fn upload(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    Query(params): Query<UploadParams>,
    body: CsvBody,
) -> Result<impl IntoResponse, ApiError> {
    let user = user.0.ok_or_else(|| ApiError::Unauthorized)?;
    let list_name = warmline::store::lists::check_name(&params.list)?;
    let mapping = params.mapping.as_deref().filter(|m| !m.is_empty()).map(parse_mapping).transpose()?;
    let bytes = read_csv_body(body, state.config.import_max_bytes).await?;
    let req = ImportRequest {
        list_name,
        filename: params.filename.filter(|f| !f.trim().is_empty()),
        mapping,
        skip_invalid: params.skip_invalid,
        region: state.config.default_region,
        created_by: Some(user.id),
    };
    let job_id = state.imports.start(state.db.clone(), bytes, req, user.id);
    Ok((StatusCode::ACCEPTED, Json(json!({ "job_id": job_id }))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mapping_keys_parse() {
        assert_eq!(parse_mapping("phone, first_name,custom").unwrap(), vec![Field::Phone, Field::FirstName, Field::Custom]);
        assert!(parse_mapping("phone,shoe_size").is_err());
    }
}

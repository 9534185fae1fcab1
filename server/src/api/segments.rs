//! `/api/v1/segments`: count who a segment matches (the builder's live count) and list the
//! fields a segment can use.

use super::error::ApiError;
use axum::extract::rejection::JsonRejection;
use axum::extract::State;
use axum::Json;
use serde_json::json;
use warmline::segment::{Field, Segment, SegmentCount};
use warmline_app::state::AppState;

/// `POST /api/v1/segments/count`: how many contacts match, and how many can be texted.
#[tracing::instrument(skip(state, b))]
pub async fn count(State(state): State<AppState>, b: Result<Json<Segment>, JsonRejection>) -> Result<Json<SegmentCount>, ApiError> {
    let seg = b.map(|Json(v)| v).map_err(|e| ApiError::BadRequest(e.body_text()))?;
    Ok(Json(warmline::segment::service::count(&state.db, &seg).await?))
}

/// `GET /api/v1/segments/fields`: the fixed fields and the custom attributes in use.
pub async fn fields(State(state): State<AppState>) -> Result<Json<serde_json::Value>, ApiError> {
    let attributes = warmline::segment::service::attribute_names(&state.db).await?;
    let fixed: Vec<_> = Field::FIXED.iter().map(|f| json!({"field": f.key(), "label": f.label(), "ops": f.ops().iter().map(|o| o.key()).collect::<Vec<_>>()})).collect();
    let attrs: Vec<_> = attributes
        .into_iter()
        .map(|a| {
            let f = Field::Attribute(a.clone());
            json!({"field": f.key(), "label": a, "ops": f.ops().iter().map(|o| o.key()).collect::<Vec<_>>()})
        })
        .collect();
    Ok(Json(json!({"fields": fixed, "attributes": attrs})))
}

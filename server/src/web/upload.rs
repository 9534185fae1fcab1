//! Reading a CSV request body: content-type check and size limit, with clear errors.

use crate::api::error::ApiError;
use axum::body::Body;
use axum::extract::{FromRequest, Request};
use axum::http::header;

/// A request body that claims to be CSV (checked by [`read_csv_body`]).
pub struct CsvBody {
    content_type: Option<String>,
    content_length: Option<usize>,
    body: Body,
}

impl<S: Send + Sync> FromRequest<S> for CsvBody {
    type Rejection = ApiError;

    async fn from_request(req: Request, _state: &S) -> Result<Self, Self::Rejection> {
        let headers = req.headers();
        let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).map(|s| s.to_ascii_lowercase());
        let content_length = headers.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse().ok());
        Ok(CsvBody { content_type, content_length, body: req.into_body() })
    }
}

/// Media types browsers and tools use for CSV files.
fn is_csv_type(ct: &str) -> bool {
    let essence = ct.split(';').next().unwrap_or("").trim();
    matches!(
        essence,
        "text/csv" | "application/csv" | "text/comma-separated-values" | "application/vnd.ms-excel" | "text/plain" | "application/octet-stream"
    )
}

/// The body's bytes, or 415 for another media type and 413 past `limit`.
pub async fn read_csv_body(body: CsvBody, limit: usize) -> Result<Vec<u8>, ApiError> {
    match body.content_type.as_deref() {
        Some(ct) if !is_csv_type(ct) => {
            return Err(ApiError::UnsupportedMediaType(format!("expected a CSV file (Content-Type: text/csv), got {ct}")));
        }
        _ => {}
    }
    if body.content_length.is_some_and(|n| n > limit) {
        return Err(ApiError::TooLarge(limit));
    }
    match axum::body::to_bytes(body.body, limit).await {
        Ok(b) => Ok(b.to_vec()),
        Err(e) if is_length_limit(&e) => Err(ApiError::TooLarge(limit)),
        Err(e) => Err(ApiError::BadRequest(format!("the upload was interrupted: {e}"))),
    }
}

fn is_length_limit(e: &(dyn std::error::Error + 'static)) -> bool {
    let mut cur = Some(e);
    while let Some(err) = cur {
        if err.is::<http_body_util::LengthLimitError>() {
            return true;
        }
        cur = err.source();
    }
    false
}

#[cfg(test)]
mod tests {
    use super::is_csv_type;

    #[test]
    fn csv_media_types() {
        assert!(is_csv_type("text/csv; charset=utf-8"));
        assert!(is_csv_type("application/vnd.ms-excel"));
        assert!(!is_csv_type("application/json"));
        assert!(!is_csv_type("image/png"));
    }
}

//! The REST API's one error type, mapped to a status and a JSON body in one place.

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;
use warmline::csv_import::RowError;
use warmline::error::Error;
use warmline::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("a valid API key is required (Authorization: Bearer <key>)")]
    Unauthorized,
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    Invalid(String),
    #[error("{} row(s) have problems; nothing was imported", .0.len())]
    BadRows(Vec<RowError>),
    #[error("the upload is larger than the {0}-byte limit")]
    TooLarge(usize),
    #[error("{0}")]
    UnsupportedMediaType(String),
    #[error("internal error")]
    Internal,
}

impl ApiError {
    fn status(&self) -> StatusCode {
        match self {
            ApiError::Unauthorized => StatusCode::UNAUTHORIZED,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::Conflict(_) => StatusCode::CONFLICT,
            ApiError::Invalid(_) | ApiError::BadRows(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        let body = match &self {
            ApiError::BadRows(rows) => json!({"error": self.to_string(), "errors": rows}),
            _ => json!({"error": self.to_string()}),
        };
        let mut resp = (status, Json(body)).into_response();
        if status == StatusCode::UNAUTHORIZED {
            resp.headers_mut().insert(header::WWW_AUTHENTICATE, header::HeaderValue::from_static("Bearer"));
        }
        resp
    }
}

/// The one mapping from the core's domain error: refusals keep their text, storage failures
/// are logged here and answer 500 with a generic message.
impl From<Error> for ApiError {
    fn from(e: Error) -> Self {
        match e {
            Error::Invalid(m) | Error::Store(StoreError::Invalid(m)) => ApiError::Invalid(m),
            Error::Unreadable(m) => ApiError::BadRequest(m),
            Error::NotFound(m) => ApiError::NotFound(m),
            Error::Store(StoreError::NotFound) => ApiError::NotFound("not found".into()),
            Error::Conflict(m) | Error::Store(StoreError::Conflict(m)) => ApiError::Conflict(m),
            Error::BadRows(rows) => ApiError::BadRows(rows),
            e @ (Error::Forbidden | Error::WrongPassword) => ApiError::Invalid(e.to_string()),
            Error::Store(other) => {
                tracing::error!(error = %other, "storage error in API");
                ApiError::Internal
            }
        }
    }
}

/// Storage calls in handlers go through the same mapping.
impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        Error::from(e).into()
    }
}

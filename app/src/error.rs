//! The one error type of the app layer. Store errors become `AppError` here, and server
//! functions return it to the browser as JSON.

use serde::{Deserialize, Serialize};
use server_fn::codec::JsonEncoding;
use server_fn::error::{FromServerFnError, ServerFnErrorErr};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    #[error("your session has ended; please sign in again")]
    Unauthorized,
    #[error("only an admin can do that")]
    Forbidden,
    #[error("not found")]
    NotFound,
    #[error("{0}")]
    Invalid(String),
    #[error("{0}")]
    Conflict(String),
    #[error("too many failed sign-ins; try again in {0} seconds")]
    TooManyAttempts(u64),
    #[error("something went wrong on the server; it has been logged")]
    Internal,
    #[error("could not reach the server: {0}")]
    Transport(String),
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::Args(m) | ServerFnErrorErr::MissingArg(m) => AppError::Invalid(m),
            other => AppError::Transport(other.to_string()),
        }
    }
}

#[cfg(feature = "ssr")]
impl From<warmline::store::StoreError> for AppError {
    fn from(e: warmline::store::StoreError) -> Self {
        use warmline::store::StoreError as S;
        match e {
            S::NotFound => AppError::NotFound,
            S::Conflict(m) => AppError::Conflict(m),
            S::Invalid(m) => AppError::Invalid(m),
            other => {
                tracing::error!(error = %other, "storage error in server function");
                AppError::Internal
            }
        }
    }
}

#[cfg(feature = "ssr")]
impl From<warmline::accounts::AccountError> for AppError {
    fn from(e: warmline::accounts::AccountError) -> Self {
        use warmline::accounts::AccountError as A;
        match e {
            A::Invalid(m) => AppError::Invalid(m),
            A::WrongPassword => AppError::Invalid("the current password is wrong".into()),
            A::Forbidden => AppError::Forbidden,
            A::Store(s) => s.into(),
        }
    }
}

#[cfg(feature = "ssr")]
impl AppError {
    /// The HTTP status this error answers with.
    pub fn status(&self) -> http::StatusCode {
        use http::StatusCode as C;
        match self {
            AppError::Unauthorized => C::UNAUTHORIZED,
            AppError::Forbidden => C::FORBIDDEN,
            AppError::NotFound => C::NOT_FOUND,
            AppError::Invalid(_) => C::UNPROCESSABLE_ENTITY,
            AppError::Conflict(_) => C::CONFLICT,
            AppError::TooManyAttempts(_) => C::TOO_MANY_REQUESTS,
            AppError::Internal | AppError::Transport(_) => C::INTERNAL_SERVER_ERROR,
        }
    }
}

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

/// The one mapping from the core's domain error: refusals keep their text, storage failures
/// are logged here and reach the browser as a generic message.
#[cfg(feature = "ssr")]
impl From<warmline::error::Error> for AppError {
    fn from(e: warmline::error::Error) -> Self {
        use warmline::error::Error as E;
        use warmline::store::StoreError as S;
        match e {
            E::Invalid(m) | E::Unreadable(m) | E::Store(S::Invalid(m)) => AppError::Invalid(m),
            E::NotFound(_) | E::Store(S::NotFound) => AppError::NotFound,
            E::Conflict(m) | E::Store(S::Conflict(m)) => AppError::Conflict(m),
            E::Forbidden => AppError::Forbidden,
            e @ (E::WrongPassword | E::BadRows(_)) => AppError::Invalid(e.to_string()),
            E::Store(other) => {
                tracing::error!(error = %other, "storage error in server function");
                AppError::Internal
            }
        }
    }
}

/// Storage calls in server functions go through the same mapping.
#[cfg(feature = "ssr")]
impl From<warmline::store::StoreError> for AppError {
    fn from(e: warmline::store::StoreError) -> Self {
        warmline::error::Error::from(e).into()
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

//! The core's one domain error: everything a use-case (sending, importing, accounts, CRM,
//! farming) can refuse or fail with. The browser's server functions map it to `AppError` in one
//! place (`app/src/error.rs`) and the REST API to `ApiError` in one place
//! (`server/src/api/error.rs`); nothing else decides what a failure looks like to a caller.
//!
//! A refusal carries the sentence to show. A storage failure keeps its [`StoreError`]: the
//! mappings log it and answer with a generic message, so SQL never reaches a caller.

use crate::csv_import::{CsvError, RowError};
use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The input can't be used as given (a bad number, an empty message, a weak password).
    #[error("{0}")]
    Invalid(String),
    /// The input could not be read at all (an upload that is not CSV, has no phone column or
    /// no rows): a bad request rather than bad values.
    #[error("{0}")]
    Unreadable(String),
    /// What the caller named does not exist; the text names it ("no contact 12").
    #[error("{0}")]
    NotFound(String),
    /// It can't be done in the current state (already running, already taken, a duplicate).
    #[error("{0}")]
    Conflict(String),
    #[error("only an admin can do that")]
    Forbidden,
    /// Counts as a failed sign-in for throttling.
    #[error("the current password is wrong")]
    WrongPassword,
    /// A CSV with bad rows: nothing was imported, and each row says what is wrong.
    #[error("{} row(s) have problems; nothing was imported", .0.len())]
    BadRows(Vec<RowError>),
    #[error(transparent)]
    Store(#[from] StoreError),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl From<sqlx::Error> for Error {
    fn from(e: sqlx::Error) -> Self {
        Error::Store(e.into())
    }
}

impl From<CsvError> for Error {
    fn from(e: CsvError) -> Self {
        Error::Unreadable(e.to_string())
    }
}

/// For storage-level code that calls a use-case: refusals keep their kind and text.
impl From<Error> for StoreError {
    fn from(e: Error) -> Self {
        match e {
            Error::Store(s) => s,
            Error::NotFound(_) => StoreError::NotFound,
            Error::Conflict(m) => StoreError::Conflict(m),
            other => StoreError::Invalid(other.to_string()),
        }
    }
}

impl Error {
    /// The storage failure behind this error, if it is one (not a refusal).
    pub fn is_internal(&self) -> bool {
        matches!(self, Error::Store(s) if !matches!(s, StoreError::NotFound | StoreError::Conflict(_) | StoreError::Invalid(_)))
    }
}

/// Names what was not found: a storage `NotFound` becomes `Error::NotFound(what())`, so the
/// caller's answer says which thing is missing ("no campaign 12"), and every other error passes
/// through unchanged.
pub trait NameMissing<T> {
    fn missing(self, what: impl FnOnce() -> String) -> Result<T>;
}

impl<T, E: Into<Error>> NameMissing<T> for std::result::Result<T, E> {
    fn missing(self, what: impl FnOnce() -> String) -> Result<T> {
        self.map_err(|e| match e.into() {
            Error::Store(StoreError::NotFound) | Error::NotFound(_) => Error::NotFound(what()),
            other => other,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_keep_their_text_and_storage_failures_are_internal() {
        assert_eq!(Error::Invalid("the message is empty".into()).to_string(), "the message is empty");
        assert!(!Error::Store(StoreError::NotFound).is_internal());
        assert!(Error::Store(StoreError::Db(sqlx::Error::PoolTimedOut)).is_internal());
        assert!(matches!(StoreError::from(Error::Conflict("taken".into())), StoreError::Conflict(m) if m == "taken"));
        assert!(matches!(StoreError::from(Error::NotFound("no contact 1".into())), StoreError::NotFound));
        let named = Err::<(), _>(StoreError::NotFound).missing(|| "no campaign 7".into()).unwrap_err();
        assert!(matches!(named, Error::NotFound(m) if m == "no campaign 7"));
        let passed = Err::<(), _>(StoreError::Conflict("running".into())).missing(|| "no campaign 7".into()).unwrap_err();
        assert!(matches!(passed, Error::Store(StoreError::Conflict(_))));
    }
}

//! Server-only storage: one `Db` handle over SQLite or PostgreSQL.
//!
//! Every query is written once in portable SQL (`$n` placeholders, `RETURNING`,
//! `ON CONFLICT`) and runs through sqlx's `Any` driver. Times are epoch milliseconds and
//! flags are integers, so both backends decode to the same Rust types. Where the two
//! dialects must differ, the difference lives in [`dialect`].

pub mod alarms;
pub mod analytics;
pub mod api_keys;
pub mod campaigns;
pub mod consent;
pub mod contacts;
pub mod dialect;
pub mod enrollments;
pub mod farming;
pub mod forms;
pub mod imports;
pub mod inbox;
pub mod lists;
pub mod messages;
pub mod notify;
pub mod notes;
pub mod pipeline;
pub mod routing;
pub mod saved_replies;
pub mod scratch;
pub mod recipients;
pub mod scoring;
pub mod segments;
pub mod send_slots;
pub mod sessions;
pub mod stats;
pub mod settings;
pub mod suggestions;
pub mod team;
pub mod unlock;
pub mod users;
pub mod webhooks;

use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::AnyPool;
use std::time::Duration;

pub use dialect::Backend;

/// Storage errors, mapped to HTTP statuses and server-fn errors in one place by the server.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    Invalid(String),
    #[error("unsupported DATABASE_URL: {0}")]
    BadUrl(String),
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// A pooled connection to the configured database.
#[derive(Clone, Debug)]
pub struct Db {
    pool: AnyPool,
    backend: Backend,
}

impl Db {
    /// Connects a pool; a SQLite file is created when missing and put in WAL mode.
    pub async fn connect(url: &str) -> Result<Db> {
        sqlx::any::install_default_drivers();
        let backend = Backend::from_url(url).ok_or_else(|| StoreError::BadUrl(redact(url)))?;
        let url = backend.prepare_url(url);
        let pool = AnyPoolOptions::new()
            .max_connections(backend.max_connections())
            .min_connections(1)
            .acquire_timeout(Duration::from_secs(10))
            .after_connect(move |conn, _meta| {
                Box::pin(async move {
                    if let Some(pragmas) = backend.connection_setup() {
                        use sqlx::Executor;
                        conn.execute(pragmas).await?;
                    }
                    Ok(())
                })
            })
            .connect(&url)
            .await?;
        Ok(Db { pool, backend })
    }

    /// Applies the embedded migrations for this backend.
    pub async fn migrate(&self) -> Result<()> {
        match self.backend {
            Backend::Sqlite => sqlx::migrate!("./migrations/sqlite").run(&self.pool).await?,
            Backend::Postgres => sqlx::migrate!("./migrations/postgres").run(&self.pool).await?,
        }
        Ok(())
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Starts a transaction that will write. On SQLite it takes the write lock at once
    /// (`BEGIN IMMEDIATE`), waiting its turn behind other writers: a transaction that only
    /// asks for the lock at its first write fails at once (SQLITE_BUSY) if it has read by
    /// then, and the contact search index's triggers read before they write.
    pub async fn begin(&self) -> Result<sqlx::Transaction<'static, sqlx::Any>> {
        Ok(match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.pool.begin().await?,
        })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Answers when the database answers (`GET /healthz`).
    pub async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// Hides the password in a database URL before it reaches a log or an error.
pub fn redact(url: &str) -> String {
    // `?password=…` (and `&password=…`, `sslpassword`, `sslkey`) in the query string too.
    let url = match url.split_once('?') {
        Some((base, query)) => {
            let q: Vec<String> = query
                .split('&')
                .map(|kv| match kv.split_once('=') {
                    Some((k, _)) if k.to_ascii_lowercase().contains("password") || k.eq_ignore_ascii_case("sslkey") => format!("{k}=***"),
                    _ => kv.to_string(),
                })
                .collect();
            format!("{base}?{}", q.join("&"))
        }
        None => url.to_string(),
    };
    let url = url.as_str();
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}{}:***{}", &url[..s + 3], user, &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

/// Bind values for a query assembled at run time: `push` returns the placeholder to splice in.
#[derive(Clone, Default)]
pub(crate) struct Args(Vec<Arg>);

#[derive(Clone)]
pub(crate) enum Arg {
    Int(i64),
    Text(String),
}

impl Args {
    pub(crate) fn push(&mut self, a: Arg) -> String {
        self.0.push(a);
        format!("${}", self.0.len())
    }

    pub(crate) fn bind<'q>(&'q self, mut q: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
        for a in &self.0 {
            q = match a {
                Arg::Int(i) => q.bind(*i),
                Arg::Text(s) => q.bind(s.as_str()),
            };
        }
        q
    }
}

/// `text` as a case-insensitive `LIKE` pattern matching anywhere (with `ESCAPE '\'`).
pub(crate) fn like_pattern(text: &str) -> String {
    format!("%{}%", text.to_lowercase().replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_"))
}

/// `($1,$2,$3),($4,$5,$6)…` for a multi-row insert.
pub(crate) fn values_placeholders(rows: usize, cols: usize) -> String {
    let mut s = String::with_capacity(rows * cols * 5);
    for r in 0..rows {
        if r > 0 {
            s.push(',');
        }
        s.push('(');
        for c in 0..cols {
            if c > 0 {
                s.push(',');
            }
            s.push('$');
            s.push_str(&(r * cols + c + 1).to_string());
        }
        s.push(')');
    }
    s
}

/// `$from,$from+1,…` for an `IN (…)` list.
pub(crate) fn list_placeholders(from: usize, n: usize) -> String {
    (from..from + n).map(|i| format!("${i}")).collect::<Vec<_>>().join(",")
}

pub(crate) fn get<'r, T>(row: &'r AnyRow, col: &str) -> Result<T>
where
    T: sqlx::Decode<'r, sqlx::Any> + sqlx::Type<sqlx::Any>,
{
    use sqlx::Row;
    Ok(row.try_get(col)?)
}

/// A contact's display name from a row's `first_name` and `last_name` columns.
pub(crate) fn contact_name(row: &AnyRow) -> Result<String> {
    let first: Option<String> = get(row, "first_name")?;
    let last: Option<String> = get(row, "last_name")?;
    Ok(crate::contact::display_name(first.as_deref(), last.as_deref()))
}

/// Maps a unique-constraint violation to a `Conflict` with the given message.
pub(crate) fn conflict_on_unique(e: sqlx::Error, msg: impl Into<String>) -> StoreError {
    if let sqlx::Error::Database(db) = &e {
        if db.is_unique_violation() {
            return StoreError::Conflict(msg.into());
        }
    }
    StoreError::Db(e)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_number_across_rows() {
        assert_eq!(values_placeholders(2, 3), "($1,$2,$3),($4,$5,$6)");
        assert_eq!(list_placeholders(3, 2), "$3,$4");
    }

    #[test]
    fn redacts_passwords() {
        assert_eq!(redact("postgres://u:secret@h:5432/db"), "postgres://u:***@h:5432/db");
        assert_eq!(redact("postgres://u@h/db"), "postgres://u@h/db");
        assert_eq!(redact("sqlite:warmline.db"), "sqlite:warmline.db");
        assert_eq!(redact("postgres://h/db?user=u&password=secret&sslmode=require"), "postgres://h/db?user=u&password=***&sslmode=require");
        assert_eq!(redact("postgres://u:secret@h/db?sslpassword=k"), "postgres://u:***@h/db?sslpassword=***");
    }
}

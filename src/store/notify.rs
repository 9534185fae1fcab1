//! PostgreSQL `NOTIFY`, the bus that carries live events between servers.

use super::{Db, Result};

/// Sends `payload` on `channel` to every server listening on this database.
pub async fn notify(db: &Db, channel: &str, payload: &str) -> Result<()> {
    sqlx::query("SELECT pg_notify($1, $2)").bind(channel).bind(payload).execute(db.pool()).await?;
    Ok(())
}

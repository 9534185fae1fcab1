//! Editable settings (reply wording and the like), with defaults in code.

use super::{get, Db, Result};
use crate::now_millis;

/// Reads a setting, or `None` when it was never set.
pub async fn get_value(db: &Db, key: &str) -> Result<Option<String>> {
    let row = sqlx::query("SELECT value FROM settings WHERE key = $1").bind(key).fetch_optional(db.pool()).await?;
    row.map(|r| get(&r, "value")).transpose()
}

pub async fn set_value(db: &Db, key: &str, value: &str) -> Result<()> {
    sqlx::query("INSERT INTO settings (key, value, updated_at) VALUES ($1, $2, $3) ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at")
        .bind(key)
        .bind(value)
        .bind(now_millis())
        .execute(db.pool())
        .await?;
    Ok(())
}

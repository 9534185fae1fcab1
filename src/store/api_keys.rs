//! API keys for `/api/v1`. The key is printed once; only its hash is stored.

use super::{get, Db, Result, StoreError};
use crate::auth::{hash_token, new_token};
use crate::user::ApiKey;
use crate::{now_millis, ApiKeyId, UserId};
use sqlx::any::AnyRow;

pub const KEY_PREFIX: &str = "wl_";

const COLS: &str = "id, name, prefix, created_at, last_used_at, revoked_at";

fn key(row: &AnyRow) -> Result<ApiKey> {
    Ok(ApiKey {
        id: ApiKeyId(get(row, "id")?),
        name: get(row, "name")?,
        prefix: get(row, "prefix")?,
        created_at: get(row, "created_at")?,
        last_used_at: get(row, "last_used_at")?,
        revoked_at: get(row, "revoked_at")?,
    })
}

/// Creates a key; returns it with the secret, which is never shown again.
pub async fn create(db: &Db, name: &str, created_by: Option<UserId>) -> Result<(ApiKey, String)> {
    let name = name.trim();
    if name.is_empty() || name.len() > 100 {
        return Err(StoreError::Invalid("give the key a name (at most 100 characters)".into()));
    }
    let (secret, hash) = new_token(KEY_PREFIX);
    let prefix: String = secret.chars().take(KEY_PREFIX.len() + 6).collect();
    let row = sqlx::query(&format!(
        "INSERT INTO api_keys (name, key_hash, prefix, created_by, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING {COLS}"
    ))
    .bind(name)
    .bind(hash)
    .bind(prefix)
    .bind(created_by.map(|u| u.0))
    .bind(now_millis())
    .fetch_one(db.pool())
    .await?;
    Ok((key(&row)?, secret))
}

pub async fn list(db: &Db) -> Result<Vec<ApiKey>> {
    let rows = sqlx::query(&format!("SELECT {COLS} FROM api_keys ORDER BY created_at DESC, id DESC")).fetch_all(db.pool()).await?;
    rows.iter().map(key).collect()
}

pub async fn revoke(db: &Db, id: ApiKeyId) -> Result<()> {
    let r = sqlx::query("UPDATE api_keys SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
        .bind(now_millis())
        .bind(id.0)
        .execute(db.pool())
        .await?;
    if r.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// The live key matching a presented secret, marking it used.
pub async fn authenticate(db: &Db, secret: &str) -> Result<Option<ApiKey>> {
    if !secret.starts_with(KEY_PREFIX) {
        return Ok(None);
    }
    let row = sqlx::query(&format!(
        "UPDATE api_keys SET last_used_at = $1 WHERE key_hash = $2 AND revoked_at IS NULL RETURNING {COLS}"
    ))
    .bind(now_millis())
    .bind(hash_token(secret))
    .fetch_optional(db.pool())
    .await?;
    row.as_ref().map(key).transpose()
}

/// Whether the key is an admin key: created by a team member who is an admin now.
pub async fn is_admin_key(db: &Db, id: crate::ApiKeyId) -> Result<bool> {
    let r = sqlx::query("SELECT COUNT(*) AS n FROM api_keys k JOIN users u ON u.id = k.created_by WHERE k.id = $1 AND u.role = 'admin'").bind(id.0).fetch_one(db.pool()).await?;
    Ok(super::get::<i64>(&r, "n")? > 0)
}

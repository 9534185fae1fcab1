//! Server-side login sessions. The cookie holds a random token; the table holds its hash.

use super::{get, Db, Result};
use crate::auth::{hash_token, new_token};
use crate::user::{Role, User};
use crate::{now_millis, UserId};

/// How long a session lives without a new login.
pub const SESSION_TTL_MS: i64 = 14 * 24 * 3600 * 1000;

/// Starts a session and returns the token for the cookie.
pub async fn create(db: &Db, user: UserId) -> Result<String> {
    let (token, hash) = new_token("");
    let now = now_millis();
    sqlx::query("INSERT INTO sessions (id, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)")
        .bind(hash)
        .bind(user.0)
        .bind(now)
        .bind(now + SESSION_TTL_MS)
        .execute(db.pool())
        .await?;
    Ok(token)
}

/// The user behind a live session token.
pub async fn user_for(db: &Db, token: &str) -> Result<Option<User>> {
    let row = sqlx::query(
        "SELECT u.id, u.email, u.role, u.created_at FROM sessions s JOIN users u ON u.id = s.user_id \
         WHERE s.id = $1 AND s.expires_at > $2",
    )
    .bind(hash_token(token))
    .bind(now_millis())
    .fetch_optional(db.pool())
    .await?;
    let Some(row) = row else { return Ok(None) };
    let role: String = get(&row, "role")?;
    Ok(Role::parse(&role).map(|role| -> Result<User> {
        Ok(User { id: UserId(get(&row, "id")?), email: get(&row, "email")?, role, created_at: get(&row, "created_at")? })
    }).transpose()?)
}

/// Ends a session (logout, or the old session at login).
pub async fn delete(db: &Db, token: &str) -> Result<()> {
    sqlx::query("DELETE FROM sessions WHERE id = $1").bind(hash_token(token)).execute(db.pool()).await?;
    Ok(())
}

/// Removes expired sessions; returns how many.
pub async fn purge_expired(db: &Db) -> Result<u64> {
    let r = sqlx::query("DELETE FROM sessions WHERE expires_at <= $1").bind(now_millis()).execute(db.pool()).await?;
    Ok(r.rows_affected())
}

//! Team members.

use super::{conflict_on_unique, get, Db, Result, StoreError};
use crate::user::{Role, User};
use crate::{now_millis, UserId};
use sqlx::any::AnyRow;

const COLS: &str = "id, email, role, created_at";

fn user(row: &AnyRow) -> Result<User> {
    let role: String = get(row, "role")?;
    Ok(User {
        id: UserId(get(row, "id")?),
        email: get(row, "email")?,
        role: Role::parse(&role).ok_or_else(|| StoreError::Invalid(format!("unknown role {role}")))?,
        created_at: get(row, "created_at")?,
    })
}

pub async fn count(db: &Db) -> Result<i64> {
    let row = sqlx::query("SELECT COUNT(*) AS n FROM users").fetch_one(db.pool()).await?;
    get(&row, "n")
}

/// Creates the first admin, once per installation. Returns `Conflict` when setup already ran.
pub async fn create_first_admin(db: &Db, email: &str, password_hash: &str) -> Result<User> {
    let mut tx = db.begin().await?;
    let now = now_millis();
    sqlx::query("INSERT INTO instance_setup (id, done_at) VALUES (1, $1)")
        .bind(now)
        .execute(&mut *tx)
        .await
        .map_err(|e| conflict_on_unique(e, "setup has already been completed"))?;
    let existing: i64 = get(&sqlx::query("SELECT COUNT(*) AS n FROM users").fetch_one(&mut *tx).await?, "n")?;
    if existing > 0 {
        return Err(StoreError::Conflict("setup has already been completed".into()));
    }
    let row = sqlx::query(&format!(
        "INSERT INTO users (email, password_hash, role, created_at) VALUES ($1, $2, 'admin', $3) RETURNING {COLS}"
    ))
    .bind(email)
    .bind(password_hash)
    .bind(now)
    .fetch_one(&mut *tx)
    .await?;
    let u = user(&row)?;
    tx.commit().await?;
    Ok(u)
}

pub async fn create(db: &Db, email: &str, password_hash: &str, role: Role) -> Result<User> {
    let row = sqlx::query(&format!(
        "INSERT INTO users (email, password_hash, role, created_at) VALUES ($1, $2, $3, $4) RETURNING {COLS}"
    ))
    .bind(email)
    .bind(password_hash)
    .bind(role.as_str())
    .bind(now_millis())
    .fetch_one(db.pool())
    .await
    .map_err(|e| conflict_on_unique(e, format!("a user with email {email} already exists")))?;
    // The CLI may create the first admin before anyone opens the setup page.
    sqlx::query("INSERT INTO instance_setup (id, done_at) VALUES (1, $1) ON CONFLICT (id) DO NOTHING")
        .bind(now_millis())
        .execute(db.pool())
        .await?;
    user(&row)
}

/// The user and their password hash, for login.
pub async fn find_for_login(db: &Db, email: &str) -> Result<Option<(User, String)>> {
    let row = sqlx::query(&format!("SELECT {COLS}, password_hash FROM users WHERE email = $1"))
        .bind(email)
        .fetch_optional(db.pool())
        .await?;
    match row {
        Some(r) => Ok(Some((user(&r)?, get(&r, "password_hash")?))),
        None => Ok(None),
    }
}

pub async fn list(db: &Db) -> Result<Vec<User>> {
    let rows = sqlx::query(&format!("SELECT {COLS} FROM users ORDER BY email")).fetch_all(db.pool()).await?;
    rows.iter().map(user).collect()
}

pub async fn get_by_id(db: &Db, id: UserId) -> Result<User> {
    let row = sqlx::query(&format!("SELECT {COLS} FROM users WHERE id = $1")).bind(id.0).fetch_optional(db.pool()).await?;
    user(&row.ok_or(StoreError::NotFound)?)
}

/// Deletes a user and their sessions; the last admin can't be removed.
pub async fn delete(db: &Db, id: UserId) -> Result<()> {
    let mut tx = db.begin().await?;
    if let Some(lock) = db.backend().team_change_lock() {
        sqlx::query(lock).execute(&mut *tx).await?;
    }
    let row = sqlx::query("DELETE FROM users WHERE id = $1 RETURNING role").bind(id.0).fetch_optional(&mut *tx).await?;
    let role: String = get(&row.ok_or(StoreError::NotFound)?, "role")?;
    if role == "admin" {
        let admins: i64 = get(&sqlx::query("SELECT COUNT(*) AS n FROM users WHERE role = 'admin'").fetch_one(&mut *tx).await?, "n")?;
        if admins == 0 {
            return Err(StoreError::Conflict("the last admin can't be removed".into()));
        }
    }
    sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(id.0).execute(&mut *tx).await?;
    tx.commit().await?;
    Ok(())
}

/// The stored password hash of a user.
pub async fn password_hash(db: &Db, id: UserId) -> Result<String> {
    let row = sqlx::query("SELECT password_hash FROM users WHERE id = $1").bind(id.0).fetch_optional(db.pool()).await?;
    get(&row.ok_or(StoreError::NotFound)?, "password_hash")
}

/// Replaces a user's password and ends their sessions, except the one whose token hash is
/// `keep` (the person changing their own password stays signed in here).
pub async fn set_password(db: &Db, id: UserId, password_hash: &str, keep: Option<&str>) -> Result<()> {
    let mut tx = db.begin().await?;
    let r = sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2").bind(password_hash).bind(id.0).execute(&mut *tx).await?;
    if r.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND id <> $2").bind(id.0).bind(keep.unwrap_or("")).execute(&mut *tx).await?;
    tx.commit().await?;
    Ok(())
}

//! Team members: an admin adds one; a member changes their own password, an admin resets
//! another's (both end the member's other sessions). Hashing runs on the blocking pool, off the
//! async workers. The CLI and the server functions call these, nothing else writes users.

use crate::store::{users, StoreError};
use crate::user::{check_password, normalize_email, Role, User};
use crate::UserId;

/// Why an account change was refused: the core's one domain error (`Invalid`, `Forbidden`,
/// `WrongPassword`, or a storage failure).
pub type AccountError = crate::error::Error;

async fn hash(password: String) -> Result<String, AccountError> {
    tokio::task::spawn_blocking(move || crate::auth::hash_password(&password))
        .await
        .map_err(|e| AccountError::Store(StoreError::Invalid(format!("hashing failed: {e}"))))
}

async fn verify(password: String, hash: String) -> bool {
    tokio::task::spawn_blocking(move || crate::auth::verify_password(&password, &hash)).await.unwrap_or(false)
}

/// Adds a team member (the settings page, `warmline admin create`): the email normalised, the
/// password checked, then hashed off the async workers.
#[tracing::instrument(skip_all, fields(role = ?role))]
pub async fn create_user(db: &crate::store::Db, email: &str, password: &str, role: Role) -> Result<User, AccountError> {
    let email = normalize_email(email).map_err(AccountError::Invalid)?;
    check_password(password).map_err(AccountError::Invalid)?;
    let h = hash(password.to_string()).await?;
    let user = users::create(db, &email, &h, role).await?;
    tracing::info!(user = %user.id, "team member added");
    Ok(user)
}

/// `me` changes their own password; the current one must be right. `keep` is the hash of the
/// session doing it, which stays signed in.
#[tracing::instrument(skip_all, fields(user = %me.id))]
pub async fn change_own_password(db: &crate::store::Db, me: &User, current: &str, new: &str, confirm: &str, keep: Option<&str>) -> Result<(), AccountError> {
    check_password(new).map_err(AccountError::Invalid)?;
    if new != confirm {
        return Err(AccountError::Invalid("the two new passwords don't match".into()));
    }
    let stored = users::password_hash(db, me.id).await?;
    if !verify(current.to_string(), stored).await {
        return Err(AccountError::WrongPassword);
    }
    let h = hash(new.to_string()).await?;
    users::set_password(db, me.id, &h, keep).await?;
    tracing::info!("password changed; other sessions ended");
    Ok(())
}

/// An admin sets `target`'s password (they forgot it); all of `target`'s sessions end.
#[tracing::instrument(skip_all, fields(admin = %admin.id, target = %target))]
pub async fn reset_password(db: &crate::store::Db, admin: &User, target: UserId, new: &str) -> Result<(), AccountError> {
    if !admin.is_admin() {
        return Err(AccountError::Forbidden);
    }
    if admin.id == target {
        return Err(AccountError::Invalid("change your own password under Your account".into()));
    }
    check_password(new).map_err(AccountError::Invalid)?;
    let h = hash(new.to_string()).await?;
    users::set_password(db, target, &h, None).await?;
    tracing::info!("password reset by an admin; their sessions ended");
    Ok(())
}

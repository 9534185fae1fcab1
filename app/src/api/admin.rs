//! Team members and API keys (admins only).

use crate::error::AppError;
use leptos::prelude::*;
use warmline::user::{ApiKey, User};
use warmline::{ApiKeyId, UserId};

#[server(output = crate::api::codec::JsonText)]
pub async fn list_users() -> Result<Vec<User>, AppError> {
    use super::ssr::*;
    require_admin()?;
    warmline::store::users::list(&state()?.db).await.or_fail()
}

#[server(output = crate::api::codec::JsonText)]
pub async fn create_user(email: String, password: String, role: String) -> Result<User, AppError> {
    use super::ssr::*;
    require_admin()?;
    let Some(role) = warmline::user::Role::parse(&role) else {
        return fail(AppError::Invalid("choose a role: admin or member".into()));
    };
    warmline::accounts::create_user(&state()?.db, &email, &password, role).await.or_fail()
}

#[server(output = crate::api::codec::JsonText)]
pub async fn delete_user(id: UserId) -> Result<(), AppError> {
    use super::ssr::*;
    let me = require_admin()?;
    if me.id == id {
        return fail(AppError::Invalid("you can't remove yourself".into()));
    }
    warmline::store::users::delete(&state()?.db, id).await.or_fail()
}

/// An admin sets another member's password; their sessions end.
#[server(output = crate::api::codec::JsonText)]
pub async fn reset_password(id: UserId, password: String) -> Result<(), AppError> {
    use super::ssr::*;
    let me = require_admin()?;
    warmline::accounts::reset_password(&state()?.db, &me, id, &password).await.or_fail()
}

#[server(output = crate::api::codec::JsonText)]
pub async fn list_api_keys() -> Result<Vec<ApiKey>, AppError> {
    use super::ssr::*;
    require_admin()?;
    warmline::store::api_keys::list(&state()?.db).await.or_fail()
}

/// Creates a key and returns its secret, which is shown once.
#[server(output = crate::api::codec::JsonText)]
pub async fn create_api_key(name: String) -> Result<String, AppError> {
    use super::ssr::*;
    let me = require_admin()?;
    let (key, secret) = warmline::store::api_keys::create(&state()?.db, &name, Some(me.id)).await.or_fail()?;
    tracing::info!(key = %key.id, "api key created");
    Ok(secret)
}

#[server(output = crate::api::codec::JsonText)]
pub async fn revoke_api_key(id: ApiKeyId) -> Result<(), AppError> {
    use super::ssr::*;
    require_admin()?;
    warmline::store::api_keys::revoke(&state()?.db, id).await.or_fail()
}

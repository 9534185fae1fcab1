//! Sign-in, sign-out and first-run setup.

use crate::error::AppError;
use leptos::prelude::*;
use warmline::user::User;

/// The signed-in user, or `None`.
#[server(output = crate::api::codec::JsonText)]
pub async fn current_user() -> Result<Option<User>, AppError> {
    Ok(super::ssr::current_user())
}

/// Whether the one-time setup page should be shown.
#[server(output = crate::api::codec::JsonText)]
pub async fn needs_setup() -> Result<bool, AppError> {
    let state = super::ssr::state()?;
    Ok(!state.setup_done().await?)
}

/// Only relative paths on this site are followed after sign-in. No control characters,
/// spaces or backslashes anywhere: browsers drop tabs and newlines from URLs (so `/\t/evil.com`
/// would become `//evil.com`), and a newline can't go into a `Location` header at all.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n)
            if n.starts_with('/')
                && !n.starts_with("//")
                && !n.starts_with("/login")
                && n.len() <= 2048
                && !n.chars().any(|c| c.is_control() || c.is_whitespace() || c == '\\') =>
        {
            n.to_string()
        }
        _ => "/".to_string(),
    }
}

#[server(output = crate::api::codec::JsonText)]
pub async fn login(email: String, password: String, next: Option<String>) -> Result<(), AppError> {
    use super::ssr::*;
    use warmline::store::{sessions, users};
    let state = state()?;
    let email = email.trim().to_lowercase();
    let ip = client_ip();
    let now = std::time::Instant::now();
    // Counted before the check runs, so parallel guesses can't all get through.
    if let Err(wait) = state.throttle.begin(&ip, &email, now) {
        tracing::warn!(%ip, "sign-in throttled");
        return fail(AppError::TooManyAttempts(wait));
    }
    let found = users::find_for_login(&state.db, &email).await?;
    // argon2 runs on the blocking pool: it would otherwise stall the async workers (webhooks).
    let user = tokio::task::spawn_blocking(move || match found {
        Some((user, hash)) if warmline::auth::verify_password(&password, &hash) => Some(user),
        Some(_) => None,
        None => {
            // Same work as a real check, so timing doesn't reveal which emails exist.
            warmline::auth::dummy_verify(&password);
            None
        }
    })
    .await
    .map_err(|_| AppError::Internal)?;
    let Some(user) = user else {
        return fail(AppError::Invalid("wrong email or password".into()));
    };
    state.throttle.record_success(&ip, &email);
    // A fresh session id at every sign-in; the old one (if any) dies.
    if let Some(old) = session_token() {
        sessions::delete(&state.db, &old).await?;
    }
    let token = sessions::create(&state.db, user.id).await?;
    set_session_cookie(&token, state.config.secure_cookies());
    tracing::info!(user = %user.id, "signed in");
    leptos_axum::redirect(&safe_next(next.as_deref()));
    Ok(())
}

/// The signed-in member changes their own password; their other sessions end.
#[server(output = crate::api::codec::JsonText)]
pub async fn change_password(current: String, new: String, confirm: String) -> Result<(), AppError> {
    use super::ssr::*;
    let me = require_user()?;
    let state = state()?;
    // Guessing the current password from a stolen session is throttled like sign-in.
    let (ip, now) = (client_ip(), std::time::Instant::now());
    if let Err(wait) = state.throttle.begin(&ip, &me.email, now) {
        return fail(AppError::TooManyAttempts(wait));
    }
    let keep = session_token().map(|t| warmline::auth::hash_token(&t));
    let result = warmline::accounts::change_own_password(&state.db, &me, &current, &new, &confirm, keep.as_deref()).await;
    if !matches!(result, Err(warmline::accounts::AccountError::WrongPassword)) {
        // Only a wrong current password counts against the throttle.
        state.throttle.record_success(&ip, &me.email);
    }
    result.or_fail()
}

#[server(output = crate::api::codec::JsonText)]
pub async fn logout() -> Result<(), AppError> {
    use super::ssr::*;
    let state = state()?;
    if let Some(token) = session_token() {
        warmline::store::sessions::delete(&state.db, &token).await?;
    }
    clear_session_cookie(state.config.secure_cookies());
    leptos_axum::redirect("/login");
    Ok(())
}

/// The zone the setup form starts on (`ORG_TIMEZONE`, or New York).
#[server(output = crate::api::codec::JsonText)]
pub async fn setup_defaults() -> Result<String, AppError> {
    let state = super::ssr::state()?;
    Ok(state.messenger.rules.get().default_zone.name().to_string())
}

/// Creates the first admin, saves the business name and time zone, and signs the admin in.
/// Works once per installation; a bad value anywhere creates nothing.
#[server(output = crate::api::codec::JsonText)]
pub async fn setup_admin(email: String, password: String, confirm: String, business_name: String, timezone: String) -> Result<(), AppError> {
    use super::ssr::*;
    use warmline::store::{sessions, users};
    let state = state()?;
    if state.setup_done().await? {
        return fail(AppError::Conflict("setup has already been completed; sign in instead".into()));
    }
    let email = match warmline::user::normalize_email(&email) {
        Ok(e) => e,
        Err(m) => return fail(AppError::Invalid(m)),
    };
    if let Err(m) = warmline::user::check_password(&password) {
        return fail(AppError::Invalid(m));
    }
    if password != confirm {
        return fail(AppError::Invalid("the two passwords don't match".into()));
    }
    if let Err(m) = warmline::messaging::replies::check_business_name(&business_name).and(warmline::messaging::replies::check_timezone(&timezone).map(|_| ())) {
        return fail(AppError::Invalid(m));
    }
    let hash = warmline::auth::hash_password(&password);
    let user = users::create_first_admin(&state.db, &email, &hash).await?;
    warmline::org::save_business(&state.messenger, &business_name, &timezone).await.or_fail()?;
    state.mark_setup_done();
    let token = sessions::create(&state.db, user.id).await?;
    set_session_cookie(&token, state.config.secure_cookies());
    tracing::info!(user = %user.id, "first admin created");
    leptos_axum::redirect("/");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn next_only_follows_local_paths() {
        assert_eq!(safe_next(Some("/contacts?q=a")), "/contacts?q=a");
        assert_eq!(safe_next(Some("//evil.com")), "/");
        assert_eq!(safe_next(Some("https://evil.com")), "/");
        assert_eq!(safe_next(Some("/\\evil.com")), "/");
        assert_eq!(safe_next(Some("/\t/evil.com")), "/");
        assert_eq!(safe_next(Some("/\n/evil.com")), "/");
        assert_eq!(safe_next(Some("/a\r\nSet-Cookie: x=1")), "/");
        assert_eq!(safe_next(Some("/%09/evil.com")), "/%09/evil.com", "percent-encoded stays a path on this site");
        assert_eq!(safe_next(None), "/");
    }
}

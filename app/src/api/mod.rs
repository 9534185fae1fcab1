//! Server functions, grouped by resource. Each one checks the session itself
//! (`require_user` / `require_admin`); only sign-in and setup are open.

pub mod admin;
pub mod analytics;
pub mod approvals;
pub mod auth;
pub mod campaigns;
pub mod codec;
pub mod contacts;
pub mod crm;
pub mod farming;
pub mod forms;
pub mod routing;
pub mod scoring;
pub mod segments;
pub mod unlock;
pub mod conversations;

#[cfg(feature = "ssr")]
pub(crate) mod ssr {
    use crate::error::AppError;
    use crate::state::{AppState, ClientIp, CurrentUser, SESSION_COOKIE};
    use http::header::{HeaderValue, SET_COOKIE};
    use leptos::prelude::*;
    use warmline::user::User;

    pub fn state() -> Result<AppState, AppError> {
        use_context::<AppState>().ok_or_else(|| {
            tracing::error!("AppState missing from server function context");
            AppError::Internal
        })
    }

    fn parts() -> Option<http::request::Parts> {
        use_context::<http::request::Parts>()
    }

    pub fn current_user() -> Option<User> {
        parts().and_then(|p| p.extensions.get::<CurrentUser>().cloned()).and_then(|c| c.0)
    }

    pub fn require_user() -> Result<User, AppError> {
        current_user().ok_or(AppError::Unauthorized).or_fail()
    }

    pub fn require_admin() -> Result<User, AppError> {
        let u = require_user()?;
        if u.is_admin() {
            Ok(u)
        } else {
            fail(AppError::Forbidden)
        }
    }

    pub fn client_ip() -> String {
        parts().and_then(|p| p.extensions.get::<ClientIp>().cloned()).map(|c| c.0).unwrap_or_else(|| "unknown".into())
    }

    /// The session token the browser presented, if any.
    pub fn session_token() -> Option<String> {
        let parts = parts()?;
        crate::session_token_from_headers(&parts.headers)
    }

    pub fn set_session_cookie(token: &str, secure: bool) {
        let max_age = warmline::store::sessions::SESSION_TTL_MS / 1000;
        let cookie = format!("{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{}", if secure { "; Secure" } else { "" });
        append_cookie(cookie);
    }

    pub fn clear_session_cookie(secure: bool) {
        append_cookie(format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{}", if secure { "; Secure" } else { "" }));
    }

    fn append_cookie(cookie: String) {
        if let (Some(opts), Ok(v)) = (use_context::<leptos_axum::ResponseOptions>(), HeaderValue::from_str(&cookie)) {
            opts.append_header(SET_COOKIE, v);
        }
    }

    /// Maps any layer's error to `AppError`, setting the response status.
    pub trait OrFail<T> {
        fn or_fail(self) -> Result<T, AppError>;
    }

    impl<T, E: Into<AppError>> OrFail<T> for Result<T, E> {
        fn or_fail(self) -> Result<T, AppError> {
            self.map_err(Into::into).or_else(fail)
        }
    }

    /// Fails a server function with the error's status code as well as its message.
    pub fn fail<T>(e: AppError) -> Result<T, AppError> {
        if let Some(opts) = use_context::<leptos_axum::ResponseOptions>() {
            opts.set_status(e.status());
        }
        Err(e)
    }
}

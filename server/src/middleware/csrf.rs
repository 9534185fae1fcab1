//! Cross-site request forgery guard for cookie-authenticated requests.
//!
//! Leptos server functions and the upload endpoint change state with the session cookie,
//! so a state-changing request must come from our own pages: `Sec-Fetch-Site` must be
//! `same-origin` (or `none`: typed by the user), or, for browsers that don't send it,
//! `Origin` must be our public origin or the host the request was sent to.
//! `/api/v1` (bearer keys, no cookies), `/webhooks` (signed) and the public forms under `/f/`
//! (anyone may submit them, from any site: they change no signed-in state) are not
//! cookie-authenticated.

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use warmline_app::state::AppState;

pub async fn layer(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if needs_check(req.method(), req.uri().path()) && !same_origin(req.headers(), &state.config.public_origin()) {
        tracing::warn!(path = %req.uri().path(), "cross-origin request blocked");
        return (StatusCode::FORBIDDEN, axum::Json(serde_json::json!({"error": "cross-origin request blocked"}))).into_response();
    }
    next.run(req).await
}

fn needs_check(method: &Method, path: &str) -> bool {
    let safe = matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS);
    !safe && !path.starts_with("/api/v1/") && !path.starts_with("/webhooks/") && !path.starts_with("/f/")
}

pub fn same_origin(headers: &HeaderMap, public_origin: &str) -> bool {
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        return matches!(site, "same-origin" | "none");
    }
    match headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
        None => true, // not a browser cross-site request: browsers send Origin on cross-origin POSTs
        Some(origin) => {
            let origin = origin.to_ascii_lowercase();
            if origin == public_origin {
                return true;
            }
            let host = headers.get(header::HOST).and_then(|v| v.to_str().ok()).unwrap_or("").to_ascii_lowercase();
            !host.is_empty() && (origin == format!("http://{host}") || origin == format!("https://{host}"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn h(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut m = HeaderMap::new();
        for (k, v) in pairs {
            m.insert(*k, HeaderValue::from_static(v));
        }
        m
    }

    #[test]
    fn fetch_metadata_decides_when_present() {
        let o = "https://warm.example.com";
        assert!(same_origin(&h(&[("sec-fetch-site", "same-origin")]), o));
        assert!(!same_origin(&h(&[("sec-fetch-site", "cross-site"), ("origin", "https://warm.example.com")]), o));
        assert!(!same_origin(&h(&[("sec-fetch-site", "same-site")]), o));
    }

    #[test]
    fn origin_must_match_public_url_or_host() {
        let o = "https://warm.example.com";
        assert!(same_origin(&h(&[("origin", "https://warm.example.com")]), o));
        assert!(!same_origin(&h(&[("origin", "https://evil.example")]), o));
        assert!(same_origin(&h(&[("origin", "http://127.0.0.1:3000"), ("host", "127.0.0.1:3000")]), o));
        assert!(same_origin(&h(&[]), o));
    }

    #[test]
    fn only_cookie_authenticated_writes_are_checked() {
        assert!(needs_check(&Method::POST, "/api/login123"));
        assert!(needs_check(&Method::POST, "/app/imports"));
        assert!(!needs_check(&Method::GET, "/contacts"));
        assert!(!needs_check(&Method::POST, "/api/v1/contacts"));
        assert!(!needs_check(&Method::POST, "/f/roof-check/submit"));
        assert!(!needs_check(&Method::POST, "/webhooks/twilio/sms"));
    }
}

//! Sessions: who is signed in, and which pages need it.
//!
//! Every request gets a [`CurrentUser`] and [`ClientIp`] in its extensions. Page requests
//! without a session are sent to the sign-in page (or to setup on a fresh install).

use axum::extract::{ConnectInfo, Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use std::net::SocketAddr;
use warmline_app::state::{AppState, ClientIp, CurrentUser};

pub async fn layer(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    // The browser bundle and public files need no session: no database query for them.
    if is_static_file(req.uri().path()) {
        return next.run(req).await;
    }
    let peer = req.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip().to_string());
    let forwarded = req.headers().get("x-forwarded-for").and_then(|v| v.to_str().ok());
    let ip = client_ip(peer.as_deref(), forwarded, state.config.trust_proxy);
    req.extensions_mut().insert(ClientIp(ip));

    let user = match warmline_app::session_token_from_headers(req.headers()) {
        Some(token) => match warmline::store::sessions::user_for(&state.db, &token).await {
            Ok(u) => u,
            Err(e) => {
                tracing::error!(error = %e, "session lookup failed");
                return (axum::http::StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response();
            }
        },
        None => None,
    };
    let signed_in = user.is_some();
    req.extensions_mut().insert(CurrentUser(user));

    if !is_page(req.method(), req.uri().path()) {
        return next.run(req).await;
    }
    let path = req.uri().path().to_string();
    let setup_done = match state.setup_done().await {
        Ok(done) => done,
        Err(e) => {
            tracing::error!(error = %e, "setup check failed");
            return (axum::http::StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response();
        }
    };
    match (path.as_str(), setup_done, signed_in) {
        ("/setup", false, _) => next.run(req).await,
        (_, false, _) => Redirect::to("/setup").into_response(),
        ("/setup" | "/login", true, true) => Redirect::to("/").into_response(),
        ("/setup", true, false) => Redirect::to("/login").into_response(),
        ("/login", true, false) => next.run(req).await,
        (_, true, false) => {
            let target = req.uri().path_and_query().map(|p| p.as_str()).unwrap_or("/");
            let next_param = if target == "/" { String::new() } else { format!("?next={}", warmline::url::encode_component(target)) };
            Redirect::to(&format!("/login{next_param}")).into_response()
        }
        (_, true, true) => next.run(req).await,
    }
}

/// The caller's address. Behind a trusted proxy it is the last `X-Forwarded-For` hop (the one
/// the proxy appended; earlier hops can be forged by the client); otherwise the TCP peer.
fn client_ip(peer: Option<&str>, forwarded: Option<&str>, trust_proxy: bool) -> String {
    if trust_proxy {
        if let Some(last) = forwarded.and_then(|f| f.rsplit(',').map(str::trim).find(|h| !h.is_empty())) {
            return last.to_string();
        }
    }
    peer.unwrap_or("local").to_string()
}

/// A browser page (HTML) rather than an API call, a server function or a static file.
fn is_page(method: &Method, path: &str) -> bool {
    if method != Method::GET && method != Method::HEAD {
        return false;
    }
    // `/sim/` is the payment simulator's checkout page: it plays Stripe's, which needs no login.
    // `/f/` are the public lead capture forms.
    const OPEN_PREFIXES: [&str; 6] = ["/api/", "/app/", "/webhooks/", "/healthz", "/sim/", "/f/"];
    !OPEN_PREFIXES.iter().any(|p| path.starts_with(p)) && !is_static_file(path)
}

/// The browser bundle (`/pkg/…`) and files from the public folder (favicon.svg, robots.txt …,
/// which have an extension).
/// (`/api/` and `/app/` are endpoints even when their names end like files: `/app/exports/x.csv`.)
fn is_static_file(path: &str) -> bool {
    path.starts_with("/pkg/") || (!path.starts_with("/api/") && !path.starts_with("/app/") && path.rsplit('/').next().unwrap_or("").contains('.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_address_comes_from_the_proxy_only_when_trusted() {
        assert_eq!(client_ip(Some("10.0.0.1"), Some("1.2.3.4, 5.6.7.8"), false), "10.0.0.1");
        assert_eq!(client_ip(Some("10.0.0.1"), Some("1.2.3.4, 5.6.7.8"), true), "5.6.7.8");
        assert_eq!(client_ip(Some("10.0.0.1"), None, true), "10.0.0.1");
        assert_eq!(client_ip(None, Some(" , "), true), "local");
    }

    #[test]
    fn pages_are_told_from_assets_and_apis() {
        assert!(is_page(&Method::GET, "/"));
        assert!(is_page(&Method::GET, "/contacts/12"));
        assert!(!is_page(&Method::POST, "/contacts"));
        assert!(!is_page(&Method::GET, "/pkg/warmline.wasm"));
        assert!(!is_page(&Method::GET, "/favicon.svg"));
        assert!(!is_page(&Method::GET, "/api/v1/contacts"));
        assert!(!is_page(&Method::GET, "/healthz"));
        assert!(is_static_file("/pkg/warmline.js") && is_static_file("/favicon.svg"));
        assert!(!is_static_file("/contacts") && !is_static_file("/api/v1/contacts"));
        assert!(!is_static_file("/app/exports/approvals-audit.csv"), "an export needs the session");
    }

}

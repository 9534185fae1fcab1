//! `GET /app/events`: live updates for open conversation panels, as server-sent events.
//! The page refetches what changed on each event, and everything on reconnect, so a dropped
//! connection loses nothing.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use futures_util::StreamExt;
use std::time::Duration;
use tokio_stream::wrappers::BroadcastStream;
use warmline_app::state::{AppState, CurrentUser};

/// How often an open stream checks that its session is still alive (sign-out, a password
/// change or a removed member end it within this time, on any server).
const SESSION_CHECK: Duration = Duration::from_secs(5);

pub async fn stream(State(state): State<AppState>, Extension(user): Extension<CurrentUser>, headers: axum::http::HeaderMap) -> Response {
    if user.0.is_none() {
        return StatusCode::UNAUTHORIZED.into_response();
    }
    let token = warmline_app::session_token_from_headers(&headers);
    let db = state.db.clone();
    let session_ended = async move {
        let Some(token) = token else { return };
        let mut tick = tokio::time::interval(SESSION_CHECK);
        loop {
            tick.tick().await;
            // A database error keeps the stream: the next check decides.
            if let Ok(None) = warmline::store::sessions::user_for(&db, &token).await {
                tracing::debug!("live stream ends: its session ended");
                return;
            }
        }
    };
    let rx = state.messenger.events.subscribe();
    let events = BroadcastStream::new(rx).filter_map(|item| async move {
        match item {
            Ok(ev) => Some(Ok::<_, std::convert::Infallible>(Event::default().event("change").data(serde_json::to_string(&ev).unwrap_or_default()))),
            // A slow client missed events: tell it to refetch everything.
            Err(_) => Some(Ok(Event::default().event("resync").data("{}"))),
        }
    });
    let hello = futures_util::stream::once(async { Ok(Event::default().event("resync").data("{}")) });
    Sse::new(hello.chain(events).take_until(session_ended)).keep_alive(KeepAlive::new().interval(Duration::from_secs(15))).into_response()
}

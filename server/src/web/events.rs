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

pub async fn stream(State(state): State<AppState>, Extension(user): Extension<CurrentUser>) -> Response {
    if user.0.is_none() {
        return StatusCode::UNAUTHORIZED.into_response();
    }
    let rx = state.messenger.events.subscribe();
    let events = BroadcastStream::new(rx).filter_map(|item| async move {
        match item {
            Ok(ev) => Some(Ok::<_, std::convert::Infallible>(Event::default().event("change").data(serde_json::to_string(&ev).unwrap_or_default()))),
            // A slow client missed events: tell it to refetch everything.
            Err(_) => Some(Ok(Event::default().event("resync").data("{}"))),
        }
    });
    let hello = futures_util::stream::once(async { Ok(Event::default().event("resync").data("{}")) });
    Sse::new(hello.chain(events)).keep_alive(KeepAlive::new().interval(Duration::from_secs(15))).into_response()
}

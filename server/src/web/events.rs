//! `GET /app/events`: live updates for open conversation panels, as server-sent events.
//! The page refetches what changed on each event, and everything on reconnect, so a dropped
//! connection loses nothing.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use futures_util::StreamExt;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::watch;
use tokio_stream::wrappers::BroadcastStream;
use warmline::store::Db;
use warmline_app::state::{AppState, CurrentUser};

/// How often an open session is checked (sign-out, a password change or a removed member end
/// its streams within this time, on any server).
const SESSION_CHECK: Duration = Duration::from_secs(5);

/// Watches the sessions that have live streams open: one check per session every
/// [`SESSION_CHECK`], however many streams (tabs) it has, and none once its last stream closes.
#[derive(Clone)]
pub struct SessionWatch {
    db: Db,
    /// Per session token: whether it is still alive. The map keeps one receiver of its own.
    sessions: Arc<Mutex<HashMap<String, watch::Receiver<bool>>>>,
}

impl SessionWatch {
    pub fn new(db: Db) -> SessionWatch {
        SessionWatch { db, sessions: Arc::default() }
    }

    /// Resolves when the session ends.
    pub(crate) fn ended(&self, token: String) -> impl std::future::Future<Output = ()> + Send + 'static {
        let mut rx = {
            let mut sessions = self.sessions.lock().unwrap_or_else(|e| e.into_inner());
            match sessions.get(&token) {
                Some(rx) => rx.clone(),
                None => {
                    let (tx, rx) = watch::channel(true);
                    sessions.insert(token.clone(), rx.clone());
                    tokio::spawn(Self::check(self.db.clone(), self.sessions.clone(), token, tx));
                    rx
                }
            }
        };
        async move {
            let _ = rx.wait_for(|alive| !*alive).await;
        }
    }

    async fn check(db: Db, sessions: Arc<Mutex<HashMap<String, watch::Receiver<bool>>>>, token: String, tx: watch::Sender<bool>) {
        let mut tick = tokio::time::interval(SESSION_CHECK);
        tick.tick().await;
        loop {
            tick.tick().await;
            {
                // Only the map's own receiver is left: no stream is open, stop watching.
                let mut map = sessions.lock().unwrap_or_else(|e| e.into_inner());
                if tx.receiver_count() <= 1 {
                    map.remove(&token);
                    return;
                }
            }
            // A database error keeps the streams: the next check decides.
            if let Ok(None) = warmline::store::sessions::user_for(&db, &token).await {
                tracing::debug!("live streams end: their session ended");
                sessions.lock().unwrap_or_else(|e| e.into_inner()).remove(&token);
                let _ = tx.send(false);
                return;
            }
        }
    }
}

/// The server's stop signal, for streams on this route: hyper's graceful shutdown waits for
/// every response to finish, and a live stream never would.
#[derive(Clone)]
pub struct ServerStopping(pub watch::Receiver<bool>);

pub async fn stream(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    Extension(watch): Extension<SessionWatch>,
    stopping: Option<Extension<ServerStopping>>,
    headers: axum::http::HeaderMap,
) -> Response {
    if user.0.is_none() {
        return StatusCode::UNAUTHORIZED.into_response();
    }
    let token = warmline_app::session_token_from_headers(&headers);
    let ended = token.map(|t| watch.ended(t));
    let session_ended = async move {
        match ended {
            Some(ended) => ended.await,
            None => {}
        }
    };
    let server_stopping = async move {
        match stopping {
            Some(Extension(ServerStopping(mut stop))) => {
                let _ = stop.wait_for(|stopping| *stopping).await;
            }
            None => std::future::pending().await,
        }
    };
    let ended = async move {
        tokio::select! {
            _ = session_ended => {}
            _ = server_stopping => {}
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
    Sse::new(hello.chain(events).take_until(ended)).keep_alive(KeepAlive::new().interval(Duration::from_secs(15))).into_response()
}

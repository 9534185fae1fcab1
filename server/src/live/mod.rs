//! The live channel's lean path: `GET /app/events` on a connection of its own is served here,
//! next to hyper rather than through it.
//!
//! A live stream is idle almost all the time: it waits for the next event, for days. hyper
//! gives every HTTP/1 connection an 8 kB read buffer and an 8 kB header write buffer for the
//! connection's whole life (they cannot be made smaller), plus the service stack's state, so
//! an idle stream on hyper cost 23 kB. Here a stream holds its socket, a receiver on the event
//! bus and two timers; the request head is read into a buffer dropped once it is parsed.
//!
//! [`SniffingListener`] accepts every connection and peeks at its first bytes without
//! consuming them. A connection that opens with `GET /app/events` is served by
//! [`LiveChannel::serve`]; every other one goes on to axum and hyper untouched. A stream asked
//! for on a connection that already carried other requests (a browser may reuse an idle one)
//! is served by the axum route (`web::events::stream`): the same events, the same session
//! rules, hyper's memory. Reverse proxies open a connection per proxied stream, so behind one
//! every stream takes the lean path.

mod listener;
mod stream;

pub use listener::SniffingListener;

use crate::web::events::SessionWatch;
use tokio::sync::watch;
use warmline::messaging::EventBus;
use warmline::store::Db;
use warmline_app::state::AppState;

/// What a stream on the lean path needs: the database (sessions), the event bus, the session
/// watch, and the server's stop signal (streams end at shutdown, so the server does not wait
/// on them). Only handles, so the state every open stream carries stays small. The session
/// watch is this path's own: a session with streams on both paths is checked once per path.
#[derive(Clone)]
pub struct LiveChannel {
    db: Db,
    events: EventBus,
    sessions: SessionWatch,
    stop: watch::Receiver<bool>,
}

impl LiveChannel {
    pub fn new(state: &AppState, stop: watch::Receiver<bool>) -> LiveChannel {
        LiveChannel { db: state.db.clone(), events: state.messenger.events.clone(), sessions: SessionWatch::new(state.db.clone()), stop }
    }
}

//! Background tasks that run inside the server process.

use std::time::Duration;
use warmline::store::{sessions, Db};

/// Removes expired sessions once an hour.
pub async fn purge_sessions(db: Db) {
    let mut tick = tokio::time::interval(Duration::from_secs(3600));
    loop {
        tick.tick().await;
        match sessions::purge_expired(&db).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(removed = n, "expired sessions removed"),
            Err(e) => tracing::warn!(error = %e, "could not remove expired sessions"),
        }
    }
}

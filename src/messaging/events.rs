//! Live events for open conversation panels. On SQLite an in-process broadcast serves; on
//! PostgreSQL every event goes through `NOTIFY`, and each instance's `LISTEN`er rebroadcasts it
//! locally, so panels connected to any instance see every change.

use tokio::sync::broadcast;

pub const CHANNEL: &str = "warmline_events";

pub use crate::live::LiveEvent;

#[derive(Clone)]
pub struct EventBus {
    tx: broadcast::Sender<LiveEvent>,
    /// When set, events are published with `pg_notify` through this pool instead of locally.
    notify: Option<crate::store::Db>,
}

impl EventBus {
    /// An in-process bus (SQLite, or a single instance).
    pub fn local() -> EventBus {
        let (tx, _) = broadcast::channel(1024);
        EventBus { tx, notify: None }
    }

    /// A bus that crosses instances through PostgreSQL. Spawns the listener task.
    pub async fn postgres(db: crate::store::Db, url: &str) -> Result<EventBus, sqlx::Error> {
        let (tx, _) = broadcast::channel(1024);
        let mut listener = sqlx::postgres::PgListener::connect(url).await?;
        listener.listen(CHANNEL).await?;
        let local = tx.clone();
        tokio::spawn(async move {
            loop {
                match listener.recv().await {
                    Ok(n) => match serde_json::from_str::<LiveEvent>(n.payload()) {
                        Ok(ev) => {
                            let _ = local.send(ev);
                        }
                        Err(e) => tracing::warn!(error = %e, "ignoring malformed live event"),
                    },
                    // PgListener reconnects by itself on the next recv.
                    Err(e) => {
                        tracing::warn!(error = %e, "live event listener lost its connection; reconnecting");
                        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
                    }
                }
            }
        });
        Ok(EventBus { tx, notify: Some(db) })
    }

    pub fn subscribe(&self) -> broadcast::Receiver<LiveEvent> {
        self.tx.subscribe()
    }

    pub async fn publish(&self, ev: LiveEvent) {
        match &self.notify {
            Some(db) => {
                let payload = serde_json::to_string(&ev).unwrap_or_default();
                if let Err(e) = crate::store::notify::notify(db, CHANNEL, &payload).await {
                    tracing::warn!(error = %e, "pg_notify failed; delivering locally");
                    let _ = self.tx.send(ev);
                }
            }
            None => {
                let _ = self.tx.send(ev);
            }
        }
    }
}

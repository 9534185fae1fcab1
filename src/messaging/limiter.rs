//! The per-sender rate limit, shared by every sending path.
//!
//! - **Local** (SQLite, one process): an async wrapper around the pure token bucket. Waiters
//!   queue on one lock, so no second ever carries more than the limit.
//! - **Shared** (PostgreSQL, any number of servers): each send takes the next slot of its sender
//!   in the `send_slots` table with one atomic statement, then waits for the slot. Slots are
//!   spaced 5 % wider than `1 / rate`, so that the few milliseconds between a slot and the
//!   request reaching the provider never let a one-second window there hold more than `rate`.

use crate::gate::rate_limit::TokenBucket;
use crate::store::Db;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Mutex;

/// Extra spacing of shared slots (see the module docs).
const SHARED_MARGIN: f64 = 1.05;

#[derive(Clone)]
pub struct RateLimiter {
    inner: Inner,
}

#[derive(Clone)]
enum Inner {
    Local(Arc<Mutex<(TokenBucket, Instant)>>),
    Shared { db: Db, spacing_us: i64 },
}

impl RateLimiter {
    /// `rate` messages per second with no burst beyond one, in this process.
    pub fn new(rate_per_sec: f64) -> RateLimiter {
        let origin = Instant::now();
        RateLimiter { inner: Inner::Local(Arc::new(Mutex::new((TokenBucket::new(rate_per_sec, 1.0, 0), origin)))) }
    }

    /// `rate` messages per second per sender across every server using `db`.
    pub fn shared(db: Db, rate_per_sec: f64) -> RateLimiter {
        let spacing_us = (1_000_000.0 * SHARED_MARGIN / rate_per_sec.max(0.001)).ceil() as i64;
        RateLimiter { inner: Inner::Shared { db, spacing_us } }
    }

    /// The limiter for this database: shared on PostgreSQL, where several servers may run.
    pub fn for_db(db: &Db, rate_per_sec: f64) -> RateLimiter {
        match db.backend() {
            crate::store::dialect::Backend::Postgres => RateLimiter::shared(db.clone(), rate_per_sec),
            crate::store::dialect::Backend::Sqlite => RateLimiter::new(rate_per_sec),
        }
    }

    /// Waits until a message from `sender` may be sent. An error (the database is unreachable)
    /// means nothing may be sent now.
    pub async fn acquire(&self, sender: &str) -> Result<(), crate::store::StoreError> {
        match &self.inner {
            Inner::Local(inner) => {
                let mut guard = inner.lock().await;
                loop {
                    let now_ms = guard.1.elapsed().as_millis() as i64;
                    match guard.0.try_take(now_ms) {
                        Ok(()) => return Ok(()),
                        Err(wait_ms) => tokio::time::sleep(Duration::from_millis(wait_ms.max(1) as u64)).await,
                    }
                }
            }
            Inner::Shared { db, spacing_us } => {
                let now_us = now_micros();
                let slot = crate::store::send_slots::take(db, sender, now_us, *spacing_us).await?;
                let wait = slot - now_micros();
                if wait > 0 {
                    tokio::time::sleep(Duration::from_micros(wait as u64)).await;
                }
                Ok(())
            }
        }
    }
}

fn now_micros() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_micros() as i64).unwrap_or(0)
}

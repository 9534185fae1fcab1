//! The per-sender rate limit, shared by every sending path.
//!
//! Each send takes the next slot of its sender, slots `1 / rate` apart, then waits for it:
//!
//! - **Local** (SQLite, one process): the next slot per sender is kept in memory.
//! - **Shared** (PostgreSQL, any number of servers): the next slot per sender is a row of
//!   `send_slots`, taken with one atomic statement, so servers never share a slot.
//!
//! Slots are spaced 5 % wider than `1 / rate`, so that the few milliseconds between a slot and
//! the request reaching the provider never let a one-second window there hold more than `rate`.

use crate::store::Db;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Extra spacing of slots (see the module docs).
const SHARED_MARGIN: f64 = 1.05;

#[derive(Clone)]
pub struct RateLimiter {
    inner: Inner,
    spacing_us: i64,
}

#[derive(Clone)]
enum Inner {
    /// Each sender's next free slot, in this process.
    Local(Arc<Mutex<HashMap<String, i64>>>),
    Shared(Db),
}

impl RateLimiter {
    /// `rate` messages per second per sender, with no burst beyond one, in this process.
    pub fn new(rate_per_sec: f64) -> RateLimiter {
        RateLimiter { inner: Inner::Local(Arc::default()), spacing_us: spacing(rate_per_sec) }
    }

    /// `rate` messages per second per sender across every server using `db`.
    pub fn shared(db: Db, rate_per_sec: f64) -> RateLimiter {
        RateLimiter { inner: Inner::Shared(db), spacing_us: spacing(rate_per_sec) }
    }

    /// The limiter for this database: shared on PostgreSQL, where several servers may run.
    pub fn for_db(db: &Db, rate_per_sec: f64) -> RateLimiter {
        match db.backend() {
            crate::store::dialect::Backend::Postgres => RateLimiter::shared(db.clone(), rate_per_sec),
            crate::store::dialect::Backend::Sqlite => RateLimiter::new(rate_per_sec),
        }
    }

    /// Takes the next send slot of `sender` and returns how long until it starts. The caller
    /// does its last checks, waits that long, then calls the provider at once: nothing slow
    /// sits between the slot and the request, so the spacing reaches the provider intact. An
    /// error (the database is unreachable) means nothing may be sent now.
    pub async fn reserve(&self, sender: &str) -> Result<Duration, crate::store::StoreError> {
        let now_us = now_micros();
        let slot = match &self.inner {
            Inner::Local(next) => {
                let mut next = next.lock().unwrap_or_else(|p| p.into_inner());
                let at = next.entry(sender.to_string()).or_insert(0);
                let slot = (*at).max(now_us);
                *at = slot + self.spacing_us;
                slot
            }
            Inner::Shared(db) => crate::store::send_slots::take(db, sender, now_us, self.spacing_us).await?,
        };
        Ok(Duration::from_micros((slot - now_micros()).max(0) as u64))
    }

    /// Waits until a message from `sender` may be sent.
    pub async fn acquire(&self, sender: &str) -> Result<(), crate::store::StoreError> {
        let wait = self.reserve(sender).await?;
        if !wait.is_zero() {
            tokio::time::sleep(wait).await;
        }
        Ok(())
    }
}

fn spacing(rate_per_sec: f64) -> i64 {
    (1_000_000.0 * SHARED_MARGIN / rate_per_sec.max(0.001)).ceil() as i64
}

fn now_micros() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_micros() as i64).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn local_slots_are_spaced_per_sender() {
        let l = RateLimiter::new(10.0);
        assert!(l.reserve("a").await.unwrap() < Duration::from_millis(5));
        let second = l.reserve("a").await.unwrap();
        assert!(second > Duration::from_millis(90) && second <= Duration::from_millis(106), "{second:?}");
        let third = l.reserve("a").await.unwrap();
        assert!(third > Duration::from_millis(195), "{third:?}");
        // Another number has its own slots.
        assert!(l.reserve("b").await.unwrap() < Duration::from_millis(5));
    }
}

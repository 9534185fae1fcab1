//! The global per-sender rate limit, shared by every sending path: an async wrapper around the
//! pure token bucket. Waiters queue on one lock, so no second ever carries more than the limit.

use crate::gate::rate_limit::TokenBucket;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Mutex;

#[derive(Clone)]
pub struct RateLimiter {
    inner: Arc<Mutex<(TokenBucket, Instant)>>,
}

impl RateLimiter {
    /// `rate` messages per second with no burst beyond one.
    pub fn new(rate_per_sec: f64) -> RateLimiter {
        let origin = Instant::now();
        RateLimiter { inner: Arc::new(Mutex::new((TokenBucket::new(rate_per_sec, 1.0, 0), origin))) }
    }

    /// Waits until a message may be sent.
    pub async fn acquire(&self) {
        let mut guard = self.inner.lock().await;
        loop {
            let now_ms = guard.1.elapsed().as_millis() as i64;
            match guard.0.try_take(now_ms) {
                Ok(()) => return,
                Err(wait_ms) => tokio::time::sleep(Duration::from_millis(wait_ms.max(1) as u64)).await,
            }
        }
    }
}

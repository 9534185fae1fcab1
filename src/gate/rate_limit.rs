//! The pure core of the global per-sender rate limit: a token bucket with an injected clock.
//!
//! Every send path shares one [`TokenBucket`] per sending number (the async wrapper that holds
//! it behind a lock and sleeps for the returned wait lives elsewhere). The default is
//! [`DEFAULT_RATE_PER_SEC`] message per second with a burst of 1.
//!
//! The bucket is kept in its equivalent "theoretical arrival time" form (GCRA) in integer
//! nanoseconds, so there is no floating-point drift: the bucket holds `burst` tokens, refills
//! one token every `ceil(1e9 / rate)` ns, and each send takes one. Rounding the interval *up*
//! means the limiter never lets through more than `rate` per second (plus the burst), and the
//! waits it returns are exact to the millisecond: `try_take(now + wait)` succeeds and
//! `try_take(now + wait - 1)` would not. Nothing here reads the system clock.

/// Default sends per second per sender.
pub const DEFAULT_RATE_PER_SEC: f64 = 1.0;
/// Default burst (bucket capacity).
pub const DEFAULT_BURST: f64 = 1.0;

const NS_PER_MS: i128 = 1_000_000;
const NS_PER_SEC: f64 = 1e9;

/// A clock-injected token bucket. Times are milliseconds since any fixed epoch (epoch ms
/// from [`crate::Millis`], or a monotonic clock's), as long as every call uses the same one.
#[derive(Clone, Debug, PartialEq)]
pub struct TokenBucket {
    rate_per_sec: f64,
    burst: f64,
    /// Nanoseconds between two tokens: `ceil(1e9 / rate)`.
    interval_ns: i128,
    /// How far ahead of the bucket-full state a caller may be: `(burst - 1) * interval`.
    tolerance_ns: i128,
    /// The instant (ns) at which the bucket would be full again if nothing else were taken.
    full_at_ns: i128,
}

impl TokenBucket {
    /// A full bucket allowing `rate_per_sec` sends per second on average and `burst` sends at
    /// once, created at `now_ms`.
    ///
    /// Never panics: a non-finite or non-positive rate blocks everything after the initial
    /// burst, an infinite rate never limits, and a burst below 1 (or NaN) is raised to 1.
    pub fn new(rate_per_sec: f64, burst: f64, now_ms: i64) -> Self {
        let burst = if burst.is_nan() || burst < 1.0 {
            1.0
        } else {
            burst.min(1e12)
        };
        let interval_ns: i128 = if rate_per_sec == f64::INFINITY {
            0
        } else if rate_per_sec.is_finite() && rate_per_sec > 0.0 {
            (NS_PER_SEC / rate_per_sec).ceil().min(i64::MAX as f64) as i128
        } else {
            i64::MAX as i128 // zero, negative, NaN or -inf: no refill
        };
        let tolerance_ns = ((burst - 1.0) * interval_ns as f64).floor() as i128;
        TokenBucket {
            rate_per_sec,
            burst,
            interval_ns,
            tolerance_ns,
            full_at_ns: now_ms as i128 * NS_PER_MS,
        }
    }

    /// [`DEFAULT_RATE_PER_SEC`] with [`DEFAULT_BURST`].
    pub fn with_defaults(now_ms: i64) -> Self {
        Self::new(DEFAULT_RATE_PER_SEC, DEFAULT_BURST, now_ms)
    }

    /// Takes one token if one is available at `now_ms`; otherwise returns, without changing
    /// anything, the milliseconds to wait until one is (always at least 1).
    pub fn try_take(&mut self, now_ms: i64) -> Result<(), i64> {
        match self.wait_ms(now_ms) {
            0 => {
                let now = now_ms as i128 * NS_PER_MS;
                self.full_at_ns = self.full_at_ns.max(now) + self.interval_ns;
                Ok(())
            }
            wait => Err(wait),
        }
    }

    /// Milliseconds until a token is available at `now_ms` (0 if one is available now),
    /// without taking it.
    pub fn wait_ms(&self, now_ms: i64) -> i64 {
        let now = now_ms as i128 * NS_PER_MS;
        // A send at `now` is allowed once `full_at - tolerance <= now`.
        let wait_ns = self.full_at_ns - self.tolerance_ns - now;
        if wait_ns <= 0 {
            0
        } else {
            // ceil to whole ms so that waiting exactly this long is enough
            ((wait_ns + NS_PER_MS - 1) / NS_PER_MS).min(i64::MAX as i128) as i64
        }
    }

    /// Tokens in the bucket at `now_ms`, between 0 and the burst (for display and metrics).
    pub fn available(&self, now_ms: i64) -> f64 {
        if self.interval_ns == 0 {
            return self.burst;
        }
        let now = now_ms as i128 * NS_PER_MS;
        let missing = (self.full_at_ns - now).max(0) as f64 / self.interval_ns as f64;
        (self.burst - missing).clamp(0.0, self.burst)
    }

    /// The configured rate, in sends per second.
    pub fn rate_per_sec(&self) -> f64 {
        self.rate_per_sec
    }

    /// The configured burst (capacity), after raising it to at least 1.
    pub fn burst(&self) -> f64 {
        self.burst
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Deterministic pseudo-random numbers (xorshift), so the tests need no dependency.
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
    }

    /// Hammers a bucket with attempts at random gaps of 0..max_gap ms for `duration_ms`;
    /// returns the accepted send times, checking every returned wait on the way.
    fn simulate(rate: f64, burst: f64, seed: u64, max_gap: u64, duration_ms: i64) -> Vec<i64> {
        let start = 1_767_225_600_000; // 2026-01-01, an epoch-ms scale clock
        let mut b = TokenBucket::new(rate, burst, start);
        let mut rng = Rng(seed);
        let mut now = start;
        let mut sent = Vec::new();
        while now < start + duration_ms {
            let before = b.clone();
            match b.try_take(now) {
                Ok(()) => sent.push(now),
                Err(wait) => {
                    assert!(wait >= 1, "wait {wait} at {now}");
                    assert_eq!(b, before, "a refused attempt must not change the bucket");
                    // the wait is exact: one ms earlier is still refused, at the wait it succeeds
                    if wait > 1 {
                        assert!(before.clone().try_take(now + wait - 1).is_err());
                    }
                    assert_eq!(before.clone().try_take(now + wait), Ok(()));
                }
            }
            now += (rng.next() % max_gap) as i64;
        }
        sent
    }

    /// The most sends in any half-open window `[t, t + len)`.
    fn max_in_window(sent: &[i64], len: i64) -> usize {
        let mut best = 0;
        let mut lo = 0;
        for hi in 0..sent.len() {
            while sent[hi] - sent[lo] >= len {
                lo += 1;
            }
            best = best.max(hi - lo + 1);
        }
        best
    }

    #[test]
    fn one_per_second_never_more_than_one_in_any_second() {
        for seed in 1..=20 {
            let sent = simulate(1.0, 1.0, seed * 7919, 37, 120_000);
            assert_eq!(max_in_window(&sent, 1000), 1, "seed {seed}");
            // and it is not needlessly slow: about one per second over two minutes
            assert!(sent.len() >= 110, "only {} sends", sent.len());
        }
    }

    #[test]
    fn rates_and_bursts_stay_within_the_bound() {
        for (rate, burst) in [
            (1.0, 3.0),
            (3.0, 1.0),
            (10.0, 1.0),
            (2.5, 2.0),
            (0.5, 1.0),
            (7.0, 5.0),
        ] {
            for seed in 1..=5 {
                let sent = simulate(rate, burst, seed * 104_729, 23, 60_000);
                // n sends within less than a second need n - burst intervals of 1/rate s:
                // n < rate + burst
                let bound = (rate + burst).ceil() as usize - 1;
                assert!(
                    max_in_window(&sent, 1000) <= bound.max(1),
                    "rate {rate} burst {burst}: {} > {bound}",
                    max_in_window(&sent, 1000)
                );
                // and in any 10 s, at most 10 * rate + burst
                assert!(max_in_window(&sent, 10_000) as f64 <= 10.0 * rate + burst);
                // while keeping up with the rate overall
                // (attempts land up to 22 ms after a token is due, so allow for that lag)
                assert!(
                    sent.len() as f64 >= 60.0 * rate * 0.75,
                    "rate {rate}: {}",
                    sent.len()
                );
            }
        }
    }

    #[test]
    fn exact_waits_for_one_per_second() {
        let mut b = TokenBucket::with_defaults(0);
        assert_eq!(b.try_take(0), Ok(()));
        assert_eq!(b.try_take(0), Err(1000));
        assert_eq!(b.try_take(1), Err(999));
        assert_eq!(b.try_take(999), Err(1));
        assert_eq!(b.try_take(1000), Ok(()));
        // idle time refills up to the burst only
        assert_eq!(b.try_take(60_000), Ok(()));
        assert_eq!(b.try_take(60_000), Err(1000));
    }

    #[test]
    fn burst_then_steady_rate() {
        let mut b = TokenBucket::new(2.0, 3.0, 0);
        assert_eq!(b.available(0), 3.0);
        for _ in 0..3 {
            assert_eq!(b.try_take(0), Ok(()));
        }
        assert_eq!(b.try_take(0), Err(500));
        assert_eq!(b.available(250), 0.5);
        assert_eq!(b.try_take(500), Ok(()));
        assert_eq!(b.try_take(500), Err(500));
    }

    #[test]
    fn fractional_rates_round_the_interval_up() {
        // 3/s: one token every 333.333334 ms, so never 4 sends within [0, 1000)
        let mut b = TokenBucket::new(3.0, 1.0, 0);
        assert_eq!(b.try_take(0), Ok(()));
        assert_eq!(b.try_take(0), Err(334));
        assert_eq!(b.try_take(333), Err(1));
        assert_eq!(b.try_take(334), Ok(()));
        assert_eq!(b.try_take(667), Err(1));
        assert_eq!(b.try_take(668), Ok(()));
        assert_eq!(b.try_take(1001), Err(1));
        assert_eq!(b.try_take(1002), Ok(()));
    }

    #[test]
    fn degenerate_settings_do_not_panic() {
        let mut none = TokenBucket::new(0.0, 1.0, 0);
        assert_eq!(none.try_take(0), Ok(()));
        assert!(none.try_take(1_000_000_000).is_err());
        let mut nan = TokenBucket::new(f64::NAN, f64::NAN, 0);
        assert_eq!(nan.burst(), 1.0);
        assert_eq!(nan.try_take(0), Ok(()));
        assert!(nan.try_take(5).is_err());
        let mut inf = TokenBucket::new(f64::INFINITY, 1.0, 0);
        for _ in 0..1000 {
            assert_eq!(inf.try_take(0), Ok(()));
        }
        // a clock that goes backwards only makes the wait longer
        let mut b = TokenBucket::with_defaults(10_000);
        assert_eq!(b.try_take(10_000), Ok(()));
        assert_eq!(b.try_take(9_000), Err(2000));
    }
}

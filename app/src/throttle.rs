//! Login throttling. Failures are counted per (client address, email), so a stranger guessing
//! a password slows only themselves and the real user can still sign in from their own
//! address. A per-address ceiling stops one address spraying many emails.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const WINDOW: Duration = Duration::from_secs(15 * 60);
/// Failures allowed per (address, email) before waiting is required.
const FREE_FAILURES: u32 = 5;
/// Failures allowed per address across all emails within the window.
const ADDRESS_CEILING: u32 = 50;
const MAX_WAIT: Duration = Duration::from_secs(15 * 60);

#[derive(Clone, Debug)]
struct Entry {
    failures: u32,
    first: Instant,
    last: Instant,
}

#[derive(Clone, Default)]
pub struct LoginThrottle {
    inner: Arc<Mutex<HashMap<String, Entry>>>,
}

impl LoginThrottle {
    /// `Err(seconds)` when this address must wait before trying this email again.
    pub fn check(&self, ip: &str, email: &str, now: Instant) -> Result<(), u64> {
        Self::check_locked(&self.inner.lock().expect("throttle lock"), ip, email, now)
    }

    /// Checks and, when allowed, counts this attempt as a failure in the same step, so
    /// parallel guesses can't all pass the check before any of them failed. A sign-in that
    /// succeeds takes its count back with [`LoginThrottle::record_success`].
    pub fn begin(&self, ip: &str, email: &str, now: Instant) -> Result<(), u64> {
        let mut map = self.inner.lock().expect("throttle lock");
        Self::check_locked(&map, ip, email, now)?;
        Self::count_failure(&mut map, ip, email, now);
        Ok(())
    }

    fn check_locked(map: &HashMap<String, Entry>, ip: &str, email: &str, now: Instant) -> Result<(), u64> {
        for (key, free) in [(pair_key(ip, email), FREE_FAILURES), (addr_key(ip), ADDRESS_CEILING)] {
            if let Some(e) = map.get(&key) {
                if now.duration_since(e.first) > WINDOW || e.failures < free {
                    continue;
                }
                let wait = backoff(e.failures - free);
                let elapsed = now.duration_since(e.last);
                if elapsed < wait {
                    return Err((wait - elapsed).as_secs().max(1));
                }
            }
        }
        Ok(())
    }

    pub fn record_failure(&self, ip: &str, email: &str, now: Instant) {
        let mut map = self.inner.lock().expect("throttle lock");
        Self::count_failure(&mut map, ip, email, now);
    }

    fn count_failure(map: &mut HashMap<String, Entry>, ip: &str, email: &str, now: Instant) {
        if map.len() > 100_000 {
            map.retain(|_, e| now.duration_since(e.first) <= WINDOW);
        }
        for key in [pair_key(ip, email), addr_key(ip)] {
            let e = map.entry(key).or_insert(Entry { failures: 0, first: now, last: now });
            if now.duration_since(e.first) > WINDOW {
                *e = Entry { failures: 0, first: now, last: now };
            }
            e.failures += 1;
            e.last = now;
        }
    }

    /// A sign-in succeeded: the pair starts afresh and the address gets back the attempt
    /// [`LoginThrottle::begin`] counted.
    pub fn record_success(&self, ip: &str, email: &str) {
        let mut map = self.inner.lock().expect("throttle lock");
        map.remove(&pair_key(ip, email));
        if let Some(e) = map.get_mut(&addr_key(ip)) {
            e.failures = e.failures.saturating_sub(1);
        }
    }
}

fn pair_key(ip: &str, email: &str) -> String {
    format!("{ip}|{email}")
}
fn addr_key(ip: &str) -> String {
    format!("{ip}|*")
}

/// 1 s after the first throttled failure, doubling, at most 15 minutes.
fn backoff(over: u32) -> Duration {
    Duration::from_secs(1u64 << over.min(10)).min(MAX_WAIT)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn throttles_a_guesser_without_locking_out_other_addresses() {
        let t = LoginThrottle::default();
        let now = Instant::now();
        for _ in 0..FREE_FAILURES {
            assert!(t.check("1.1.1.1", "ann@x.com", now).is_ok());
            t.record_failure("1.1.1.1", "ann@x.com", now);
        }
        assert!(t.check("1.1.1.1", "ann@x.com", now).is_err());
        // the real user elsewhere is not affected
        assert!(t.check("2.2.2.2", "ann@x.com", now).is_ok());
        // waiting long enough lets the guesser try again
        assert!(t.check("1.1.1.1", "ann@x.com", now + Duration::from_secs(2)).is_ok());
        // and a success clears the pair
        t.record_success("1.1.1.1", "ann@x.com");
        assert!(t.check("1.1.1.1", "ann@x.com", now).is_ok());
    }

    #[test]
    fn parallel_attempts_are_counted_before_any_fails() {
        let t = LoginThrottle::default();
        let now = Instant::now();
        // 200 guesses at the same instant, none finished yet: only the free ones get through.
        let passed = (0..200).filter(|_| t.begin("3.3.3.3", "ann@x.com", now).is_ok()).count();
        assert_eq!(passed, FREE_FAILURES as usize);
        // A real sign-in from elsewhere is unaffected, and a success gives its attempt back.
        assert!(t.begin("4.4.4.4", "ann@x.com", now).is_ok());
        t.record_success("4.4.4.4", "ann@x.com");
        assert!(t.check("4.4.4.4", "ann@x.com", now).is_ok());
    }

    #[test]
    fn waits_grow_and_are_capped() {
        assert_eq!(backoff(0), Duration::from_secs(1));
        assert_eq!(backoff(3), Duration::from_secs(8));
        assert_eq!(backoff(30), MAX_WAIT);
    }

    #[test]
    fn address_ceiling_covers_many_emails() {
        let t = LoginThrottle::default();
        let now = Instant::now();
        for i in 0..ADDRESS_CEILING {
            t.record_failure("9.9.9.9", &format!("u{i}@x.com"), now);
        }
        assert!(t.check("9.9.9.9", "new@x.com", now).is_err());
        assert!(t.check("8.8.8.8", "new@x.com", now).is_ok());
    }
}

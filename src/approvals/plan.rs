//! The stagger plan: when each approved suggestion of a batch goes out, so the batch reads like
//! one-to-one texting instead of a blast.
//!
//! Send times are the start plus cumulative gaps, each moved into its recipient's legal window,
//! and never closer than the queue's limits allow: at most `per_minute` in any 60 s and
//! `per_hour` in any 3,600 s. Times only move forward (the plan keeps the batch's order), so the
//! limits are checked against the last `per_minute` and `per_hour` planned times. Pure: the
//! random gaps come from the caller, so tests replay any plan.

use crate::gate::quiet_hours::next_allowed;
use crate::gate::window::Window;
use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;

/// The queue's sending limits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    pub per_minute: u32,
    pub per_hour: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { per_minute: 5, per_hour: 100 }
    }
}

/// Where a recipient may be texted: the zones their quiet hours are evaluated in and the window.
#[derive(Clone, Debug, PartialEq)]
pub struct Reach {
    pub zones: Vec<Tz>,
    pub window: Window,
}

/// Why no plan could be made.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    #[error("the limits must allow at least one message a minute and one an hour")]
    NoCapacity,
    #[error("the gap range is invalid: the shortest gap must be at most the longest")]
    BadGaps,
    /// Item `index` has no legal sending time within two days of where the plan reached.
    #[error("recipient {} has no legal sending time within two days of {}", index + 1, at.format("%Y-%m-%d %H:%M UTC"))]
    NoWindow { index: usize, at: DateTime<Utc> },
}

/// The planned send time of each item, in order. `gaps` yields the gap before each item after
/// the first (the first goes at `start`, or when its window opens).
pub fn plan(start: DateTime<Utc>, reach: &[Reach], mut gaps: impl FnMut() -> Duration, limits: Limits) -> Result<Vec<DateTime<Utc>>, PlanError> {
    if limits.per_minute == 0 || limits.per_hour == 0 {
        return Err(PlanError::NoCapacity);
    }
    let mut out: Vec<DateTime<Utc>> = Vec::with_capacity(reach.len());
    let mut t = start;
    for (i, r) in reach.iter().enumerate() {
        if i > 0 {
            t += gaps().max(Duration::zero());
        }
        // Moving into the window can't break a limit (times only grow), but a limit can push the
        // time out of the window again: repeat until both hold.
        loop {
            let limited = earliest_within_limits(&out, t, limits);
            let allowed = next_allowed(limited, &r.zones, r.window).ok_or(PlanError::NoWindow { index: i, at: limited })?;
            if allowed == t {
                break;
            }
            t = allowed;
        }
        out.push(t);
    }
    Ok(out)
}

/// The earliest instant `>= t` at which one more message keeps the limits, given the planned
/// times so far (ascending).
fn earliest_within_limits(planned: &[DateTime<Utc>], t: DateTime<Utc>, limits: Limits) -> DateTime<Utc> {
    let mut at = t;
    let n = planned.len();
    for (cap, span) in [(limits.per_minute as usize, Duration::seconds(60)), (limits.per_hour as usize, Duration::seconds(3600))] {
        if n >= cap {
            // The message `cap` places back must be a full span before this one.
            at = at.max(planned[n - cap] + span);
        }
    }
    at
}

/// Random gaps between `min` and `max` minutes (whole seconds), for [`plan`].
pub fn random_gaps(min_minutes: u32, max_minutes: u32, rng: &mut impl rand::Rng) -> Result<impl FnMut() -> Duration + '_, PlanError> {
    if min_minutes > max_minutes {
        return Err(PlanError::BadGaps);
    }
    let (lo, hi) = (i64::from(min_minutes) * 60, i64::from(max_minutes) * 60);
    Ok(move || Duration::seconds(rng.gen_range(lo..=hi)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gate::quiet_hours::is_allowed;
    use chrono::TimeZone;
    use rand::{Rng, SeedableRng};

    fn ny() -> Reach {
        Reach { zones: vec![chrono_tz::America::New_York], window: Window::TCPA }
    }

    #[test]
    fn times_are_start_plus_cumulative_gaps_inside_the_window() {
        // 15:00 UTC = 10:00 in New York (EST).
        let start = Utc.with_ymd_and_hms(2026, 12, 7, 15, 0, 0).unwrap();
        let times = plan(start, &[ny(), ny(), ny()], || Duration::minutes(2), Limits::default()).unwrap();
        assert_eq!(times, vec![start, start + Duration::minutes(2), start + Duration::minutes(4)]);
    }

    #[test]
    fn a_start_in_quiet_hours_waits_for_the_recipients_morning() {
        // 03:00 UTC = 22:00 in New York: the first legal time is 08:00 local = 13:00 UTC.
        let start = Utc.with_ymd_and_hms(2026, 12, 7, 3, 0, 0).unwrap();
        let la = Reach { zones: vec![chrono_tz::America::Los_Angeles], window: Window::TCPA };
        let times = plan(start, &[ny(), la], || Duration::minutes(1), Limits::default()).unwrap();
        assert_eq!(times[0], Utc.with_ymd_and_hms(2026, 12, 7, 13, 0, 0).unwrap());
        // Los Angeles opens at 08:00 PST = 16:00 UTC.
        assert_eq!(times[1], Utc.with_ymd_and_hms(2026, 12, 7, 16, 0, 0).unwrap());
    }

    #[test]
    fn zero_gaps_are_spread_by_the_per_minute_limit() {
        let start = Utc.with_ymd_and_hms(2026, 12, 7, 15, 0, 0).unwrap();
        let times = plan(start, &vec![ny(); 11], Duration::zero, Limits::default()).unwrap();
        assert!(times[..5].iter().all(|t| *t == start));
        assert_eq!(times[5], start + Duration::seconds(60));
        assert_eq!(times[10], start + Duration::seconds(120));
    }

    #[test]
    fn bad_settings_are_refused() {
        let start = Utc.with_ymd_and_hms(2026, 12, 7, 15, 0, 0).unwrap();
        assert_eq!(plan(start, &[ny()], Duration::zero, Limits { per_minute: 0, per_hour: 100 }), Err(PlanError::NoCapacity));
        let mut rng = rand::rngs::StdRng::seed_from_u64(1);
        assert!(matches!(random_gaps(10, 5, &mut rng), Err(PlanError::BadGaps)));
        let nowhere = Reach { zones: vec![], window: Window::TCPA };
        assert!(matches!(plan(start, &[ny(), nowhere], Duration::zero, Limits::default()), Err(PlanError::NoWindow { index: 1, .. })));
    }

    /// Property: over random batches (sizes, recipients' zones, gap ranges, limits and start
    /// times), no 60 s window holds more than `per_minute`, no hour more than `per_hour`, every
    /// time is inside its recipient's window, none is before the start, and order is kept.
    #[test]
    fn random_plans_never_break_the_limits_or_quiet_hours() {
        let zones = [chrono_tz::America::New_York, chrono_tz::America::Chicago, chrono_tz::America::Denver, chrono_tz::America::Los_Angeles, chrono_tz::Pacific::Honolulu, chrono_tz::Europe::London];
        let mut rng = rand::rngs::StdRng::seed_from_u64(0x5eed);
        for case in 0..300 {
            let n = rng.gen_range(1..=250);
            let reach: Vec<Reach> = (0..n)
                .map(|_| {
                    let z = zones[rng.gen_range(0..zones.len())];
                    let window = if rng.gen_bool(0.3) { Window::CURFEW_8PM } else { Window::TCPA };
                    Reach { zones: vec![z], window }
                })
                .collect();
            let limits = Limits { per_minute: rng.gen_range(1..=8), per_hour: rng.gen_range(20..=120) };
            let start = Utc.timestamp_opt(1_780_000_000 + rng.gen_range(0..86_400 * 30), 0).unwrap();
            let (lo, hi) = { let a = rng.gen_range(0..=5); (a, a + rng.gen_range(0..=15)) };
            let mut gap_rng = rand::rngs::StdRng::seed_from_u64(case);
            let times = plan(start, &reach, random_gaps(lo, hi, &mut gap_rng).unwrap(), limits).unwrap();
            assert_eq!(times.len(), n);
            for (i, t) in times.iter().enumerate() {
                assert!(*t >= start, "case {case}: item {i} planned before the start");
                assert!(is_allowed(*t, &reach[i].zones, reach[i].window), "case {case}: item {i} at {t} is in quiet hours");
                if i > 0 {
                    assert!(*t >= times[i - 1], "case {case}: order kept");
                }
                let in_minute = times.iter().filter(|u| **u > *t - Duration::seconds(60) && **u <= *t).count();
                assert!(in_minute <= limits.per_minute as usize, "case {case}: {in_minute} within a minute of item {i}");
                let in_hour = times.iter().filter(|u| **u > *t - Duration::seconds(3600) && **u <= *t).count();
                assert!(in_hour <= limits.per_hour as usize, "case {case}: {in_hour} within an hour of item {i}");
            }
        }
    }
}

//! Quiet hours: the local-time window in which a recipient may be texted, across one or more
//! possible time zones.
//!
//! A [`Window`] is a half-open range of minutes after local midnight, `[start, end)`: with the
//! federal 08:00–21:00, 20:59:59 is inside and 21:00:00 is not. When a number may be in several
//! zones, sending is allowed only in the *overlap*: each zone's daily window is converted to UTC
//! instants and the sets are intersected.
//!
//! Local → UTC conversion is exact around DST changes (chrono-tz's `LocalResult`):
//! - a boundary that falls in a spring-forward gap (e.g. 02:30 on 2026-03-08 in New York) is
//!   the moment the clocks jump, when the local clock first reads at least that time;
//! - a boundary that occurs twice (e.g. 01:30 on 2026-11-01 in New York) is taken so that the
//!   window is the *smaller* one: a start at its later occurrence, an end at its earlier one.
//!
//! The usual 08:00/20:00/21:00 boundaries never hit either case in the US.

use chrono::{DateTime, Duration, LocalResult, NaiveDate, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;

/// How far ahead [`next_allowed`] looks for an opening.
pub const HORIZON: Duration = Duration::hours(48);

const MINUTES_PER_DAY: u32 = 24 * 60;

pub use super::window::Window;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Boundary {
    Start,
    End,
}

/// The UTC instant of a local boundary time in `tz` (see the module docs for gaps and folds).
fn boundary_to_utc(tz: Tz, local: NaiveDateTime, boundary: Boundary) -> DateTime<Utc> {
    match tz.from_local_datetime(&local) {
        LocalResult::Single(t) => t.with_timezone(&Utc),
        LocalResult::Ambiguous(a, b) => {
            let (early, late) = if a <= b { (a, b) } else { (b, a) };
            match boundary {
                Boundary::Start => late.with_timezone(&Utc),
                Boundary::End => early.with_timezone(&Utc),
            }
        }
        LocalResult::None => {
            // In a gap: the first local time that exists after it is when the clocks jumped.
            let mut probe = local;
            for _ in 0..MINUTES_PER_DAY {
                probe += Duration::minutes(1);
                if let Some(t) = tz.from_local_datetime(&probe).earliest() {
                    return t.with_timezone(&Utc);
                }
            }
            // Unreachable with real zone data; fall back to the offset in force a day later.
            let offset = tz.offset_from_utc_datetime(&(local + Duration::days(1)));
            Utc.from_utc_datetime(&(local - chrono::Offset::fix(&offset)))
        }
    }
}

/// The allowed UTC intervals `[start, end)` in one zone around `now`, sorted and merged,
/// covering at least `[now, now + HORIZON]`.
fn zone_intervals(
    now: DateTime<Utc>,
    tz: Tz,
    (start, end): (u32, u32),
) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
    let today: NaiveDate = now.with_timezone(&tz).date_naive();
    let mut out: Vec<(DateTime<Utc>, DateTime<Utc>)> = Vec::new();
    for day in -2..=3 {
        let midnight = (today + Duration::days(day))
            .and_hms_opt(0, 0, 0)
            .expect("midnight exists");
        let s = boundary_to_utc(
            tz,
            midnight + Duration::minutes(start.into()),
            Boundary::Start,
        );
        let e = boundary_to_utc(tz, midnight + Duration::minutes(end.into()), Boundary::End);
        if s >= e {
            continue;
        }
        match out.last_mut() {
            Some(last) if s <= last.1 => last.1 = last.1.max(e),
            _ => out.push((s, e)),
        }
    }
    out
}

/// The intersection of two sorted lists of disjoint intervals.
fn intersect(
    a: &[(DateTime<Utc>, DateTime<Utc>)],
    b: &[(DateTime<Utc>, DateTime<Utc>)],
) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
    let (mut i, mut j, mut out) = (0, 0, Vec::new());
    while i < a.len() && j < b.len() {
        let s = a[i].0.max(b[j].0);
        let e = a[i].1.min(b[j].1);
        if s < e {
            out.push((s, e));
        }
        if a[i].1 <= b[j].1 {
            i += 1;
        } else {
            j += 1;
        }
    }
    out
}

/// The earliest instant `>= now` at which sending is allowed in ALL the given zones (the
/// overlap of their windows), or `None` if there is none within [`HORIZON`] (48 h) — the
/// overlap is empty, the window is empty, or `zones` is empty (fail closed).
pub fn next_allowed(now: DateTime<Utc>, zones: &[Tz], window: Window) -> Option<DateTime<Utc>> {
    let span = window.span()?;
    let (first, rest) = zones.split_first()?;
    let mut allowed = zone_intervals(now, *first, span);
    for tz in rest {
        allowed = intersect(&allowed, &zone_intervals(now, *tz, span));
    }
    let (start, _) = allowed.into_iter().find(|&(_, end)| end > now)?;
    let at = start.max(now);
    (at <= now + HORIZON).then_some(at)
}

/// Whether sending is allowed at `now` in ALL the given zones (`false` for no zones).
pub fn is_allowed(now: DateTime<Utc>, zones: &[Tz], window: Window) -> bool {
    next_allowed(now, zones, window) == Some(now)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono_tz::Tz::*;

    fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, mo, d, h, mi, s).unwrap()
    }

    const NY: &[Tz] = &[America__New_York];

    #[test]
    fn window_is_half_open() {
        // 2026-01-15, EST = UTC-5
        assert!(!is_allowed(utc(2026, 1, 15, 12, 59, 59), NY, Window::TCPA));
        assert!(is_allowed(utc(2026, 1, 15, 13, 0, 0), NY, Window::TCPA));
        assert!(is_allowed(utc(2026, 1, 16, 1, 59, 59), NY, Window::TCPA)); // 20:59:59
        assert!(!is_allowed(utc(2026, 1, 16, 2, 0, 0), NY, Window::TCPA)); // 21:00:00
        assert_eq!(
            next_allowed(utc(2026, 1, 16, 2, 0, 0), NY, Window::TCPA),
            Some(utc(2026, 1, 16, 13, 0, 0))
        );
        assert_eq!(
            next_allowed(utc(2026, 1, 15, 4, 0, 0), NY, Window::TCPA), // 23:00 the day before
            Some(utc(2026, 1, 15, 13, 0, 0))
        );
        // 8 pm curfew: 20:01 is out
        assert!(!is_allowed(
            utc(2026, 1, 16, 1, 1, 0),
            NY,
            Window::CURFEW_8PM
        ));
        assert!(is_allowed(
            utc(2026, 1, 16, 0, 59, 59),
            NY,
            Window::CURFEW_8PM
        ));
    }

    #[test]
    fn spring_forward_day() {
        // 2026-03-08 in New York: 02:00 EST → 03:00 EDT (07:00 UTC)
        let midnight_est = utc(2026, 3, 8, 5, 0, 0);
        assert_eq!(
            next_allowed(midnight_est, NY, Window::TCPA),
            Some(utc(2026, 3, 8, 12, 0, 0))
        );
        assert!(!is_allowed(utc(2026, 3, 8, 11, 59, 59), NY, Window::TCPA));
        assert!(is_allowed(utc(2026, 3, 8, 12, 0, 0), NY, Window::TCPA));
        // 21:00 EDT = 01:00 UTC next day
        assert!(is_allowed(utc(2026, 3, 9, 0, 59, 59), NY, Window::TCPA));
        assert!(!is_allowed(utc(2026, 3, 9, 1, 0, 0), NY, Window::TCPA));
        // the evening before closed at 21:00 EST = 02:00 UTC
        assert!(!is_allowed(utc(2026, 3, 8, 2, 0, 0), NY, Window::TCPA));
        // a start inside the gap (02:30) opens when the clocks jump, 03:00 EDT = 07:00 UTC
        let w = Window {
            start_minute: 150,
            end_minute: 1260,
        };
        assert_eq!(
            next_allowed(midnight_est, NY, w),
            Some(utc(2026, 3, 8, 7, 0, 0))
        );
    }

    #[test]
    fn fall_back_day() {
        // 2026-11-01 in New York: 02:00 EDT → 01:00 EST (06:00 UTC)
        let first_0130 = utc(2026, 11, 1, 5, 30, 0); // 01:30 EDT
        let second_0130 = utc(2026, 11, 1, 6, 30, 0); // 01:30 EST
        for now in [first_0130, second_0130] {
            assert_eq!(
                next_allowed(now, NY, Window::TCPA),
                Some(utc(2026, 11, 1, 13, 0, 0))
            );
        }
        assert!(!is_allowed(utc(2026, 11, 1, 12, 59, 59), NY, Window::TCPA));
        assert!(is_allowed(utc(2026, 11, 1, 13, 0, 0), NY, Window::TCPA));
        // 21:00 EST = 02:00 UTC next day
        assert!(is_allowed(utc(2026, 11, 2, 1, 59, 59), NY, Window::TCPA));
        assert!(!is_allowed(utc(2026, 11, 2, 2, 0, 0), NY, Window::TCPA));
        // an ambiguous start (01:30) takes its later occurrence, 01:30 EST
        let w = Window {
            start_minute: 90,
            end_minute: 1260,
        };
        assert_eq!(
            next_allowed(utc(2026, 11, 1, 5, 0, 0), NY, w),
            Some(second_0130)
        );
        // an ambiguous end (overnight 08:00–01:30) takes its earlier one, 01:30 EDT
        let w = Window {
            start_minute: 480,
            end_minute: 90,
        };
        assert!(is_allowed(utc(2026, 11, 1, 5, 29, 59), NY, w));
        assert!(!is_allowed(first_0130, NY, w));
        assert_eq!(
            next_allowed(first_0130, NY, w),
            Some(utc(2026, 11, 1, 13, 0, 0))
        );
    }

    #[test]
    fn overlap_of_several_zones() {
        // Adak (UTC-10) 08–21 = 18:00–07:00 UTC; Anchorage (UTC-9) = 17:00–06:00 UTC
        let ak = &[America__Adak, America__Anchorage];
        assert_eq!(
            next_allowed(utc(2026, 1, 15, 17, 30, 0), ak, Window::TCPA),
            Some(utc(2026, 1, 15, 18, 0, 0))
        );
        assert!(is_allowed(utc(2026, 1, 16, 5, 59, 59), ak, Window::TCPA));
        assert_eq!(
            next_allowed(utc(2026, 1, 16, 6, 0, 0), ak, Window::TCPA),
            Some(utc(2026, 1, 16, 18, 0, 0))
        );
        // order does not matter
        let ka = &[America__Anchorage, America__Adak];
        assert_eq!(
            next_allowed(utc(2026, 1, 15, 17, 30, 0), ka, Window::TCPA),
            Some(utc(2026, 1, 15, 18, 0, 0))
        );
    }

    #[test]
    fn empty_overlaps_and_windows() {
        // 09–17 in Tokyo is 00:00–08:00 UTC, in New York 14:00–22:00 UTC: never both
        let w = Window::hours(9, 17);
        assert_eq!(
            next_allowed(
                utc(2026, 1, 15, 0, 0, 0),
                &[Asia__Tokyo, America__New_York],
                w
            ),
            None
        );
        assert_eq!(
            next_allowed(utc(2026, 1, 15, 0, 0, 0), &[], Window::TCPA),
            None
        );
        assert!(!is_allowed(utc(2026, 1, 15, 15, 0, 0), &[], Window::TCPA));
        let empty = Window {
            start_minute: 600,
            end_minute: 600,
        };
        assert_eq!(next_allowed(utc(2026, 1, 15, 15, 0, 0), NY, empty), None);
        let all_day = Window {
            start_minute: 0,
            end_minute: 1440,
        };
        for h in 0..24 {
            assert!(is_allowed(
                utc(2026, 3, 8, h, 17, 0),
                &[America__New_York, Asia__Tokyo],
                all_day
            ));
        }
    }

    #[test]
    fn overnight_window() {
        let w = Window {
            start_minute: 22 * 60,
            end_minute: 6 * 60,
        };
        assert!(is_allowed(utc(2026, 1, 15, 4, 0, 0), NY, w)); // 23:00 EST
        assert!(is_allowed(utc(2026, 1, 15, 10, 59, 0), NY, w)); // 05:59 EST
        assert_eq!(
            next_allowed(utc(2026, 1, 15, 11, 0, 0), NY, w),
            Some(utc(2026, 1, 16, 3, 0, 0))
        );
    }

    #[test]
    fn display() {
        assert_eq!(Window::TCPA.to_string(), "08:00–21:00");
        assert_eq!(
            Window {
                start_minute: 510,
                end_minute: 1200
            }
            .to_string(),
            "08:30–20:00"
        );
    }
}

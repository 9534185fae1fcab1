//! Drip-campaign step scheduling: when a step is due, and when it may actually be sent.
//! Pure and clock-injected: nothing here reads the system time.
//!
//! Each step after enrollment carries a [`Delay`] relative to the previous step's send time
//! (for step 1, the enrollment time):
//! - [`Delay::After`] is plain elapsed time, computed in UTC. A 24-hour (or "1 day") delay
//!   across a DST change is still 24 real hours, so its local clock time shifts by an hour
//!   (10:00 EST + 24 h = 11:00 EDT). Use [`Delay::NextDayAt`] for a fixed local time.
//! - [`Delay::NextDayAt`] is the next *calendar day* in the contact's zone at `HH:MM` local:
//!   always the following local date, even when the previous step went out at 00:10. Around
//!   DST changes:
//!   - a time that does not exist that day (spring-forward gap, e.g. 02:30 on 2026-03-08 in
//!     New York) is the moment the clocks jump, when the local clock first reads at least that
//!     time (03:00 EDT);
//!   - a time that occurs twice (fall-back, e.g. 01:30 on 2026-11-01 in New York) is its
//!     *earlier* occurrence (01:30 EDT).
//!
//! [`due_at`] gives the due instant; [`send_time`] then defers it into the recipient's
//! quiet-hours window ([`crate::gate::quiet_hours`]). The gate's full decision (blocks,
//! frequency caps) is still made at send time by [`crate::gate::decision::decide`].

use crate::gate::decision::{recipient_zones, GateRules, Recipient};
use crate::gate::quiet_hours::{next_allowed, Window};
use crate::Millis;
use chrono::{DateTime, Duration, LocalResult, NaiveDateTime, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;

pub use super::delay::{Delay, ScheduleError, MAX_DELAY_MINUTES};

const MINUTES_PER_DAY: u32 = 24 * 60;

/// When a step is due: `prev` is when the previous step was sent (or the enrollment time);
/// `zone` is the contact's zone (used by [`Delay::NextDayAt`] only). See the module docs for
/// DST. Never panics: an out-of-range `NextDayAt` hour/minute (which [`Delay::validate`]
/// rejects) is clamped to 23/59, and a result beyond chrono's range saturates to
/// [`DateTime::<Utc>::MAX_UTC`].
pub fn due_at(delay: &Delay, prev: DateTime<Utc>, zone: Tz) -> DateTime<Utc> {
    match *delay {
        Delay::After { minutes } => prev
            .checked_add_signed(Duration::minutes(minutes.into()))
            .unwrap_or(DateTime::<Utc>::MAX_UTC),
        Delay::NextDayAt { hour, minute } => {
            let time = NaiveTime::from_hms_opt(hour.min(23).into(), minute.min(59).into(), 0)
                .expect("clamped time is valid");
            match prev.with_timezone(&zone).date_naive().succ_opt() {
                Some(next_day) => local_to_utc(zone, next_day.and_time(time)),
                None => DateTime::<Utc>::MAX_UTC,
            }
        }
    }
}

/// [`due_at`] on epoch milliseconds; `None` if `prev_ms` is outside chrono's range.
pub fn due_at_ms(delay: &Delay, prev_ms: Millis, zone: Tz) -> Option<Millis> {
    let prev = DateTime::<Utc>::from_timestamp_millis(prev_ms)?;
    Some(due_at(delay, prev, zone).timestamp_millis())
}

/// The UTC instant of local time `local` in `zone`: a nonexistent time is when the clocks
/// jump past it, an ambiguous one its earlier occurrence.
fn local_to_utc(zone: Tz, local: NaiveDateTime) -> DateTime<Utc> {
    match zone.from_local_datetime(&local) {
        LocalResult::Single(t) => t.with_timezone(&Utc),
        LocalResult::Ambiguous(a, b) => a.min(b).with_timezone(&Utc),
        LocalResult::None => {
            // In a gap: the first local minute that exists after it is when the clocks jumped
            // (the same rule as quiet-hours window boundaries).
            let mut probe = local;
            for _ in 0..MINUTES_PER_DAY {
                probe += Duration::minutes(1);
                if let Some(t) = zone.from_local_datetime(&probe).earliest() {
                    return t.with_timezone(&Utc);
                }
            }
            // Unreachable with real zone data: use the offset in force a day later.
            let offset = zone.offset_from_utc_datetime(&(local + Duration::days(1)));
            Utc.from_utc_datetime(&(local - chrono::Offset::fix(&offset)))
        }
    }
}

/// The earliest time `>= max(due, now)` at which the gate's quiet hours allow sending to a
/// recipient in `zones` (all of them: their overlap) with `window`; `None` if there is no
/// allowed time within 48 h after that (empty window, no overlap, or no zones).
pub fn send_time(
    due: DateTime<Utc>,
    now: DateTime<Utc>,
    zones: &[Tz],
    window: Window,
) -> Option<DateTime<Utc>> {
    next_allowed(due.max(now), zones, window)
}

/// The single zone a recipient's [`Delay::NextDayAt`] steps are computed in, from the gate's
/// [`recipient_zones`]: the contact's own zone, else the phone prefix's zone, else the
/// organisation's default. When the prefix gives several zones, the organisation's default
/// zone if it is one of them, else the first listed (quiet hours still apply in all of them
/// through [`send_time`]).
pub fn contact_zone(rules: &GateRules, r: &Recipient) -> Tz {
    let (zones, _) = recipient_zones(rules, r);
    if zones.contains(&rules.default_zone) {
        return rules.default_zone;
    }
    zones.first().copied().unwrap_or(rules.default_zone)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::E164;
    use chrono_tz::Tz::*;

    fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, mo, d, h, mi, 0).unwrap()
    }

    const NY: Tz = America__New_York;

    fn at(hour: u8, minute: u8) -> Delay {
        Delay::NextDayAt { hour, minute }
    }

    #[test]
    fn after_basics() {
        let prev = utc(2026, 1, 15, 12, 0);
        assert_eq!(due_at(&Delay::minutes(0), prev, NY), prev);
        assert_eq!(
            due_at(&Delay::minutes(30), prev, NY),
            utc(2026, 1, 15, 12, 30)
        );
        assert_eq!(due_at(&Delay::hours(2), prev, NY), utc(2026, 1, 15, 14, 0));
        assert_eq!(due_at(&Delay::days(3), prev, NY), utc(2026, 1, 18, 12, 0));
        // the zone plays no part
        assert_eq!(
            due_at(&Delay::hours(2), prev, Pacific__Auckland),
            utc(2026, 1, 15, 14, 0)
        );
        assert_eq!(Delay::days(2), Delay::After { minutes: 2880 });
        assert_eq!(Delay::hours(3), Delay::After { minutes: 180 });
        // year boundary
        assert_eq!(
            due_at(&Delay::days(1), utc(2026, 12, 31, 12, 0), NY),
            utc(2027, 1, 1, 12, 0)
        );
        // the longest valid delay; and the largest u32 does not panic
        assert_eq!(due_at(&Delay::days(365), prev, NY), utc(2027, 1, 15, 12, 0));
        assert!(due_at(&Delay::minutes(u32::MAX), prev, NY) > utc(9000, 1, 1, 0, 0));
        assert_eq!(
            due_at_ms(&Delay::minutes(30), prev.timestamp_millis(), NY),
            Some(utc(2026, 1, 15, 12, 30).timestamp_millis())
        );
    }

    #[test]
    fn after_is_real_elapsed_time_across_dst() {
        // 10:00 EST on 2026-03-07 + 24 h = 11:00 EDT on 2026-03-08: still 24 real hours
        let prev = utc(2026, 3, 7, 15, 0);
        assert_eq!(due_at(&Delay::days(1), prev, NY), utc(2026, 3, 8, 15, 0));
        assert_eq!(due_at(&Delay::hours(24), prev, NY), utc(2026, 3, 8, 15, 0));
        // 10:00 EDT on 2026-10-31 + 24 h = 09:00 EST on 2026-11-01
        let prev = utc(2026, 10, 31, 14, 0);
        assert_eq!(due_at(&Delay::days(1), prev, NY), utc(2026, 11, 1, 14, 0));
    }

    #[test]
    fn next_day_at_from_late_evening_and_early_morning() {
        // 23:50 EST on 2026-01-15 → 09:30 EST on 2026-01-16
        assert_eq!(
            due_at(&at(9, 30), utc(2026, 1, 16, 4, 50), NY),
            utc(2026, 1, 16, 14, 30)
        );
        // 00:10 EST on 2026-01-15 → still the NEXT day, 2026-01-16, not 09:30 the same day
        assert_eq!(
            due_at(&at(9, 30), utc(2026, 1, 15, 5, 10), NY),
            utc(2026, 1, 16, 14, 30)
        );
        // 10:00 EST, 09:30 already passed today → tomorrow
        assert_eq!(
            due_at(&at(9, 30), utc(2026, 1, 15, 15, 0), NY),
            utc(2026, 1, 16, 14, 30)
        );
        // midnight and 23:59
        assert_eq!(
            due_at(&at(0, 0), utc(2026, 1, 15, 15, 0), NY),
            utc(2026, 1, 16, 5, 0)
        );
        assert_eq!(
            due_at(&at(23, 59), utc(2026, 1, 15, 15, 0), NY),
            utc(2026, 1, 17, 4, 59)
        );
    }

    #[test]
    fn next_day_at_across_spring_forward() {
        // 2026-03-08 in New York: 02:00 EST → 03:00 EDT (07:00 UTC)
        let prev = utc(2026, 3, 7, 15, 0); // 10:00 EST
                                           // 02:30 does not exist: the moment the clocks jump, 03:00 EDT
        assert_eq!(due_at(&at(2, 30), prev, NY), utc(2026, 3, 8, 7, 0));
        assert_eq!(due_at(&at(2, 0), prev, NY), utc(2026, 3, 8, 7, 0));
        // just before and just after the gap
        assert_eq!(due_at(&at(1, 59), prev, NY), utc(2026, 3, 8, 6, 59));
        assert_eq!(due_at(&at(3, 0), prev, NY), utc(2026, 3, 8, 7, 0));
        // an ordinary time that day is in EDT
        assert_eq!(due_at(&at(9, 0), prev, NY), utc(2026, 3, 8, 13, 0));
        // and the day after, from the spring-forward day
        assert_eq!(
            due_at(&at(9, 0), utc(2026, 3, 8, 13, 0), NY),
            utc(2026, 3, 9, 13, 0)
        );
    }

    #[test]
    fn next_day_at_across_fall_back() {
        // 2026-11-01 in New York: 02:00 EDT → 01:00 EST (06:00 UTC)
        let prev = utc(2026, 10, 31, 14, 0); // 10:00 EDT
                                             // 01:30 occurs twice: the earlier one, 01:30 EDT
        assert_eq!(due_at(&at(1, 30), prev, NY), utc(2026, 11, 1, 5, 30));
        assert_eq!(due_at(&at(1, 0), prev, NY), utc(2026, 11, 1, 5, 0));
        // an ordinary time that day is in EST
        assert_eq!(due_at(&at(9, 0), prev, NY), utc(2026, 11, 1, 14, 0));
        // from either 01:30 on the fall-back day, the next day is 2026-11-02
        for prev in [utc(2026, 11, 1, 5, 30), utc(2026, 11, 1, 6, 30)] {
            assert_eq!(due_at(&at(9, 0), prev, NY), utc(2026, 11, 2, 14, 0));
        }
    }

    #[test]
    fn next_day_at_far_from_utc() {
        // Auckland, NZDT = UTC+13: 13:00 on 2026-01-15 → 09:00 on 2026-01-16 = 20:00 UTC on
        // the 15th (the same UTC date as prev)
        let akl = Pacific__Auckland;
        assert_eq!(
            due_at(&at(9, 0), utc(2026, 1, 15, 0, 0), akl),
            utc(2026, 1, 15, 20, 0)
        );
        // 23:00 UTC on the 15th is already 12:00 on the 16th in Auckland → 09:00 on the 17th
        assert_eq!(
            due_at(&at(9, 0), utc(2026, 1, 15, 23, 0), akl),
            utc(2026, 1, 16, 20, 0)
        );
        // Southern spring forward, 2026-09-27: 02:00 NZST → 03:00 NZDT (14:00 UTC on the 26th)
        let prev = utc(2026, 9, 25, 22, 0); // 10:00 NZST on the 26th
        assert_eq!(due_at(&at(2, 15), prev, akl), utc(2026, 9, 26, 14, 0));
        assert_eq!(due_at(&at(9, 0), prev, akl), utc(2026, 9, 26, 20, 0));
        // Kolkata, IST = UTC+5:30: 01:30 IST on 2026-01-16 → 09:00 IST on the 17th
        let kol = Asia__Kolkata;
        assert_eq!(
            due_at(&at(9, 0), utc(2026, 1, 15, 20, 0), kol),
            utc(2026, 1, 17, 3, 30)
        );
        assert_eq!(
            due_at(&at(0, 15), utc(2026, 1, 15, 12, 0), kol),
            utc(2026, 1, 15, 18, 45)
        );
    }

    #[test]
    fn next_day_at_month_and_year_boundaries() {
        // 10:00 EST on Dec 31 → 09:00 EST on Jan 1
        assert_eq!(
            due_at(&at(9, 0), utc(2026, 12, 31, 15, 0), NY),
            utc(2027, 1, 1, 14, 0)
        );
        // 22:00 EST on Dec 31 is already Jan 1 in UTC; the local next day is still Jan 1
        assert_eq!(
            due_at(&at(9, 0), utc(2027, 1, 1, 3, 0), NY),
            utc(2027, 1, 1, 14, 0)
        );
        // month ends, leap and non-leap February
        assert_eq!(
            due_at(&at(9, 0), utc(2026, 1, 31, 15, 0), NY),
            utc(2026, 2, 1, 14, 0)
        );
        assert_eq!(
            due_at(&at(9, 0), utc(2027, 2, 28, 15, 0), NY),
            utc(2027, 3, 1, 14, 0)
        );
        assert_eq!(
            due_at(&at(9, 0), utc(2028, 2, 28, 15, 0), NY),
            utc(2028, 2, 29, 14, 0)
        );
        // UTC itself
        assert_eq!(
            due_at(&at(9, 30), utc(2026, 12, 31, 23, 59), UTC),
            utc(2027, 1, 1, 9, 30)
        );
    }

    #[test]
    fn next_day_at_out_of_range_is_clamped_not_panicking() {
        assert_eq!(
            due_at(&at(99, 99), utc(2026, 1, 15, 15, 0), NY),
            utc(2026, 1, 17, 4, 59) // 23:59 EST on the 16th
        );
    }

    #[test]
    fn send_time_defers_into_quiet_hours_window() {
        let zones = &[NY];
        let now = utc(2026, 1, 15, 15, 0); // 10:00 EST
                                           // due 22:00 EST on the 15th (03:00 UTC on the 16th) → 08:00 EST on the 16th
        assert_eq!(
            send_time(utc(2026, 1, 16, 3, 0), now, zones, Window::TCPA),
            Some(utc(2026, 1, 16, 13, 0))
        );
        // due inside the window: the due time itself
        assert_eq!(
            send_time(utc(2026, 1, 15, 18, 0), now, zones, Window::TCPA),
            Some(utc(2026, 1, 15, 18, 0))
        );
        // the 8 pm curfew window defers a 20:30 due time too
        assert_eq!(
            send_time(utc(2026, 1, 16, 1, 30), now, zones, Window::CURFEW_8PM),
            Some(utc(2026, 1, 16, 13, 0))
        );
        // a NextDayAt(06:00) step lands before the window opens
        let due = due_at(&at(6, 0), now, NY);
        assert_eq!(due, utc(2026, 1, 16, 11, 0));
        assert_eq!(
            send_time(due, now, zones, Window::TCPA),
            Some(utc(2026, 1, 16, 13, 0))
        );
    }

    #[test]
    fn send_time_uses_now_when_due_is_past() {
        let zones = &[NY];
        let due = utc(2026, 1, 10, 15, 0);
        // now 11:00 EST, inside the window: now
        let now = utc(2026, 1, 15, 16, 0);
        assert_eq!(send_time(due, now, zones, Window::TCPA), Some(now));
        // now 23:00 EST: the next opening after now, not after due
        let now = utc(2026, 1, 16, 4, 0);
        assert_eq!(
            send_time(due, now, zones, Window::TCPA),
            Some(utc(2026, 1, 16, 13, 0))
        );
    }

    #[test]
    fn send_time_none_without_an_opening() {
        let now = utc(2026, 1, 15, 15, 0);
        assert_eq!(send_time(now, now, &[], Window::TCPA), None);
        // 09–17 in Tokyo and New York never overlap
        assert_eq!(
            send_time(now, now, &[Asia__Tokyo, NY], Window::hours(9, 17)),
            None
        );
        // several zones: only their overlap (Adak opens at 18:00 UTC, after Anchorage)
        assert_eq!(
            send_time(
                utc(2026, 1, 15, 17, 30),
                now,
                &[America__Adak, America__Anchorage],
                Window::TCPA
            ),
            Some(utc(2026, 1, 15, 18, 0))
        );
    }

    #[test]
    fn describe_strings() {
        assert_eq!(Delay::minutes(0).describe(), "immediately");
        assert_eq!(Delay::default().describe(), "immediately");
        assert_eq!(
            Delay::minutes(1).describe(),
            "1 minute after the previous step"
        );
        assert_eq!(
            Delay::minutes(30).describe(),
            "30 minutes after the previous step"
        );
        assert_eq!(
            Delay::minutes(90).describe(),
            "90 minutes after the previous step"
        );
        assert_eq!(Delay::hours(1).describe(), "1 hour after the previous step");
        assert_eq!(
            Delay::hours(2).describe(),
            "2 hours after the previous step"
        );
        assert_eq!(
            Delay::hours(36).describe(),
            "36 hours after the previous step"
        );
        assert_eq!(
            Delay::hours(48).describe(),
            "2 days after the previous step"
        );
        assert_eq!(Delay::days(1).describe(), "1 day after the previous step");
        assert_eq!(Delay::days(3).describe(), "3 days after the previous step");
        assert_eq!(at(9, 30).describe(), "next day at 09:30");
        assert_eq!(at(0, 5).describe(), "next day at 00:05");
        assert_eq!(at(17, 0).describe(), "next day at 17:00");
    }

    #[test]
    fn validate_ranges() {
        assert_eq!(Delay::minutes(0).validate(), Ok(()));
        assert_eq!(Delay::days(365).validate(), Ok(()));
        assert_eq!(Delay::minutes(MAX_DELAY_MINUTES).validate(), Ok(()));
        assert_eq!(
            Delay::minutes(MAX_DELAY_MINUTES + 1).validate(),
            Err(ScheduleError::DelayTooLong { minutes: 525_601 })
        );
        assert_eq!(
            Delay::days(366).validate(),
            Err(ScheduleError::DelayTooLong { minutes: 527_040 })
        );
        // saturating constructors still fail validation
        assert_eq!(
            Delay::days(u32::MAX).validate(),
            Err(ScheduleError::DelayTooLong { minutes: u32::MAX })
        );
        assert_eq!(at(0, 0).validate(), Ok(()));
        assert_eq!(at(23, 59).validate(), Ok(()));
        assert_eq!(
            at(24, 0).validate(),
            Err(ScheduleError::HourOutOfRange { hour: 24 })
        );
        assert_eq!(
            at(9, 60).validate(),
            Err(ScheduleError::MinuteOutOfRange { minute: 60 })
        );
        assert_eq!(
            at(24, 0).validate().unwrap_err().to_string(),
            "the hour must be between 0 and 23, not 24"
        );
        assert_eq!(
            Delay::days(366).validate().unwrap_err().to_string(),
            "a delay can be at most 365 days (525600 minutes), not 527040 minutes"
        );
    }

    #[test]
    fn serde_round_trip() {
        let after = Delay::minutes(30);
        let json = serde_json::to_string(&after).unwrap();
        assert_eq!(json, r#"{"kind":"after","minutes":30}"#);
        assert_eq!(serde_json::from_str::<Delay>(&json).unwrap(), after);

        let next = at(9, 30);
        let json = serde_json::to_string(&next).unwrap();
        assert_eq!(json, r#"{"kind":"next_day_at","hour":9,"minute":30}"#);
        assert_eq!(serde_json::from_str::<Delay>(&json).unwrap(), next);

        assert!(serde_json::from_str::<Delay>(r#"{"kind":"after"}"#).is_err());
        assert!(serde_json::from_str::<Delay>(r#"{"kind":"never"}"#).is_err());

        let err = ScheduleError::HourOutOfRange { hour: 24 };
        let json = serde_json::to_string(&err).unwrap();
        assert_eq!(json, r#"{"error":"hour_out_of_range","hour":24}"#);
        assert_eq!(serde_json::from_str::<ScheduleError>(&json).unwrap(), err);
    }

    #[test]
    fn contact_zone_from_gate_rules() {
        let rules = GateRules::default();
        let phone = E164::parse("+13125550100").unwrap(); // Chicago
        let mut r = Recipient {
            phone: &phone,
            timezone: None,
            opted_out: false,
            flagged: false,
            invalid: false,
            landline: false,
            recent_marketing_ms: &[],
        };
        assert_eq!(contact_zone(&rules, &r), America__Chicago);
        r.timezone = Some("Asia/Kolkata");
        assert_eq!(contact_zone(&rules, &r), Asia__Kolkata);
        r.timezone = Some("Not/AZone");
        assert_eq!(contact_zone(&rules, &r), America__Chicago);
    }
}
